package pgimpl

import (
	"context"

	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// The eager loading of relations. Generated Load methods collect the keys
// of the rows they are given and run one query for all of them (WHERE key
// = ANY($1), or a join with unnest for a composite key), never one query
// per row; these functions run it and index the rows it returns.

// LoadOne runs sql, which selects rows of t whose key is one of keys, and
// returns them by key. args are the statement's arguments (the keys, as one
// array per key column); key returns a row's key, or false when it has
// none. With no keys it returns an empty map without a query. A database
// error is a *pg.Error naming the statement and t, as those of the
// queries are.
func LoadOne[K comparable, R any](ctx context.Context, db pg.DBTX, t *pg.Table[R], sql string, keys []K, args []any, key func(*R) (K, bool)) (map[K]R, error) {
	out := make(map[K]R, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := (*table.Table[R])(t).Query(ctx, db, sql, args, len(keys))
	if err != nil {
		return nil, Wrap("select from", t.Name, err)
	}
	for i := range rows {
		if k, ok := key(&rows[i]); ok {
			out[k] = rows[i]
		}
	}
	return out, nil
}

// LoadMany is LoadOne for a relation where many rows share a key: it
// returns the rows of each key in the order the statement gives them.
func LoadMany[K comparable, R any](ctx context.Context, db pg.DBTX, t *pg.Table[R], sql string, keys []K, args []any, key func(*R) (K, bool)) (map[K][]R, error) {
	out := make(map[K][]R, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := (*table.Table[R])(t).Query(ctx, db, sql, args, len(keys))
	if err != nil {
		return nil, Wrap("select from", t.Name, err)
	}
	for i := range rows {
		if k, ok := key(&rows[i]); ok {
			out[k] = append(out[k], rows[i])
		}
	}
	return out, nil
}

// Distinct removes repeated keys from ks, in place, keeping the first of
// each; the keys sent to the database are then as few as the rows they
// find.
func Distinct[K comparable](ks []K) []K {
	if len(ks) < 2 {
		return ks
	}
	seen := make(map[K]struct{}, len(ks))
	out := ks[:0]
	for _, k := range ks {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}
