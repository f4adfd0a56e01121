package pgimpl

import (
	"fmt"

	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// RelationDesc is the fixed part of a relation generated code declares:
// its name for messages ("users.Posts"), the table it loads, the column of
// that table matched against the keys (qualified and quoted), the keys'
// array cast ("::bigint[]") and the loaded rows' default ordering.
type RelationDesc[C any] struct {
	Name  string
	Table *pg.Table[C]
	Col   string
	Cast  string
	Order string
}

// Many returns a has-many relation from rows of P to rows of C: pkey gives
// a P's key (false when it has none: a NULL), ckey the key a C refers to,
// and set stores a P's related rows (nil for none) in its field.
func Many[P, C any, K comparable](d RelationDesc[C], pkey func(*P) (K, bool), ckey func(*C) (K, bool), set func(*P, []C)) pg.Relation[P, C] {
	return pg.Relation[P, C](table.Relation[P, C]{Spec: &table.RelSpec[P, C]{
		Name: d.Name, Child: (*table.Table[C])(d.Table), Col: d.Col, Cast: d.Cast, Order: d.Order, Many: true,
		Keys: keysOf(pkey),
		Stitch: func(ps []P, cs []C) error {
			// Group the rows by key in one slice: each row's related rows
			// are a capped part of it, in the order the query gave them.
			type span struct{ start, n int }
			spans := make(map[K]span, len(ps))
			for i := range cs {
				k, _ := ckey(&cs[i])
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
				k, _ := ckey(&cs[i])
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
			return nil
		},
	}})
}

// One returns a relation from rows of P to one row of C (belongs-to or
// has-one): as Many, but set is given the related row, or nil. Rows of P
// with one key share the row set points to.
func One[P, C any, K comparable](d RelationDesc[C], pkey func(*P) (K, bool), ckey func(*C) (K, bool), set func(*P, *C)) pg.Relation[P, C] {
	return pg.Relation[P, C](table.Relation[P, C]{Spec: &table.RelSpec[P, C]{
		Name: d.Name, Child: (*table.Table[C])(d.Table), Col: d.Col, Cast: d.Cast, Order: d.Order,
		Keys: keysOf(pkey),
		Stitch: func(ps []P, cs []C) error {
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
		},
	}})
}

// keysOf returns the function that collects the distinct keys of rows.
func keysOf[P any, K comparable](pkey func(*P) (K, bool)) func([]P) (any, int) {
	return func(ps []P) (any, int) {
		ks := make([]K, 0, len(ps))
		for i := range ps {
			if k, ok := pkey(&ps[i]); ok {
				ks = append(ks, k)
			}
		}
		ks = Distinct(ks)
		return ks, len(ks)
	}
}
