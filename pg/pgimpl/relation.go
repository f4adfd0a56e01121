package pgimpl

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// RelationDesc is the fixed part of a relation generated code declares:
// its name for messages ("users.Posts"), the table it loads, the column
// matched against the keys (qualified and quoted: the loaded table's, or
// the join table's), the keys' array cast ("::bigint[]"), the loaded rows'
// default ordering, and for a many-to-many relation the join of its join
// table (" JOIN ... ON ...").
type RelationDesc[C any] struct {
	Name  string
	Table *pg.Table[C]
	Col   string
	Cast  string
	Order string
	Join  string
}

// Many returns a has-many relation from rows of P to rows of C: pkey gives
// a P's key (false when it has none: a NULL), ckey the key a C refers to,
// and set stores a P's related rows (nil for none) in its field.
func Many[P, C any, K comparable](d RelationDesc[C], pkey func(*P) (K, bool), ckey func(*C) (K, bool), set func(*P, []C)) pg.Relation[P, C] {
	return relation(d, true, pkey, func(ctx context.Context, db table.Querier, sql string, args []any, ps []P, nested func([]C) error) error {
		cs, err := (*table.Table[C])(d.Table).Query(ctx, db, sql, args, 0)
		if err != nil {
			return Wrap("select from", d.Table.Name, err)
		}
		if err := nested(cs); err != nil {
			return err
		}
		stitchMany(ps, cs, pkey, func(i int) K { k, _ := ckey(&cs[i]); return k }, set)
		return nil
	})
}

// ManyThrough returns a many-to-many relation from rows of P to rows of
// C through a join table (d.Join), whose column d.Col holds the keys of
// P: pkey gives a P's key, and set stores a P's related rows.
func ManyThrough[P, C any, K comparable](d RelationDesc[C], pkey func(*P) (K, bool), set func(*P, []C)) pg.Relation[P, C] {
	return relation(d, true, pkey, func(ctx context.Context, db table.Querier, sql string, args []any, ps []P, nested func([]C) error) error {
		t := (*table.Table[C])(d.Table)
		rows, err := db.Query(ctx, sql, args...)
		var ks []K
		var cs []C
		if err == nil {
			dst := make([]any, 0, 1+len(t.Cols))
			err = table.ScanRows(rows, func(rows pgx.Rows) error {
				var k K
				var c C
				ks, cs = append(ks, k), append(cs, c)
				dst = t.Targets(&cs[len(cs)-1], append(dst[:0], &ks[len(ks)-1]))
				return rows.Scan(dst...)
			})
		}
		if err != nil {
			return Wrap("select from", d.Table.Name, err)
		}
		if err := nested(cs); err != nil {
			return err
		}
		stitchMany(ps, cs, pkey, func(i int) K { return ks[i] }, set)
		return nil
	})
}

// One returns a relation from rows of P to one row of C (belongs-to or
// has-one): as Many, but set is given the related row, or nil. Rows of P
// with one key share the row set points to.
func One[P, C any, K comparable](d RelationDesc[C], pkey func(*P) (K, bool), ckey func(*C) (K, bool), set func(*P, *C)) pg.Relation[P, C] {
	return relation(d, false, pkey, func(ctx context.Context, db table.Querier, sql string, args []any, ps []P, nested func([]C) error) error {
		cs, err := (*table.Table[C])(d.Table).Query(ctx, db, sql, args, 0)
		if err != nil {
			return Wrap("select from", d.Table.Name, err)
		}
		if err := nested(cs); err != nil {
			return err
		}
		at := make(map[K]int, len(cs))
		for i := range cs {
			k, _ := ckey(&cs[i])
			if _, dup := at[k]; dup {
				return fmt.Errorf("pg: relation %s: more than one %q row for the key %v, for a relation to one row", d.Name, d.Table.Name, k)
			}
			at[k] = i
		}
		for i := range ps {
			var rel *C
			if k, ok := pkey(&ps[i]); ok {
				if j, ok := at[k]; ok {
					rel = &cs[j]
				}
			}
			set(&ps[i], rel)
		}
		return nil
	})
}

func relation[P, C any, K comparable](d RelationDesc[C], many bool, pkey func(*P) (K, bool), run func(context.Context, table.Querier, string, []any, []P, func([]C) error) error) pg.Relation[P, C] {
	return pg.Relation[P, C](table.Relation[P, C]{Spec: &table.RelSpec[P, C]{
		Name: d.Name, Child: (*table.Table[C])(d.Table), Col: d.Col, Cast: d.Cast, Order: d.Order, Join: d.Join, Many: many,
		Keys: func(ps []P) (any, int) {
			ks := make([]K, 0, len(ps))
			for i := range ps {
				if k, ok := pkey(&ps[i]); ok {
					ks = append(ks, k)
				}
			}
			ks = Distinct(ks)
			return ks, len(ks)
		},
		Run: run,
	}})
}

// stitchMany sets each row of ps to its related rows of cs, keyOf(i)
// being the key cs[i] is related by. The rows are grouped by key in one
// slice: each row's are a capped part of it, in the order of cs.
func stitchMany[P, C any, K comparable](ps []P, cs []C, pkey func(*P) (K, bool), keyOf func(int) K, set func(*P, []C)) {
	type span struct{ start, n int }
	spans := make(map[K]span, len(ps))
	for i := range cs {
		k := keyOf(i)
		s := spans[k]
		s.n++
		spans[k] = s
	}
	start := 0
	for k, s := range spans {
		s.start, start, s.n = start, start+s.n, 0
		spans[k] = s
	}
	grouped := make([]C, len(cs))
	for i := range cs {
		k := keyOf(i)
		s := spans[k]
		grouped[s.start+s.n] = cs[i]
		s.n++
		spans[k] = s
	}
	for i := range ps {
		var rel []C
		if k, ok := pkey(&ps[i]); ok {
			if s, ok := spans[k]; ok {
				rel = grouped[s.start : s.start+s.n : s.start+s.n]
			}
		}
		set(&ps[i], rel)
	}
}
