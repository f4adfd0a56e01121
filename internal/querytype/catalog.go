package querytype

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/schema"
)

// catalog is what the server says about the types and relations the
// statements use, read in a few queries whatever their number.
type catalog struct {
	types map[uint32]*pgType
	rels  map[uint32]*relation
}

// pgType is a row of pg_type.
type pgType struct {
	schema, name string
	format       string // format_type's spelling
	kind         byte   // typtype: b base, e enum, d domain, c composite, r range, p pseudo
	category     byte   // typcategory: A for arrays
	elem, base   uint32 // typelem, typbasetype
}

// relation is a table or view a result column comes from.
type relation struct {
	schema, name string
	attnames     map[uint16]string
	notNull      map[uint16]bool

	looked  bool // the model was searched for it
	columns []*schema.Column
	goType  schema.GoType
}

func readCatalog(ctx context.Context, conn *pgx.Conn, oids, rels []uint32) (*catalog, error) {
	cat := &catalog{types: map[uint32]*pgType{}, rels: map[uint32]*relation{}}
	// Element and base types are read in further rounds: an array of a
	// domain over an enum takes three.
	for want := oids; len(want) > 0; {
		rows, err := conn.Query(ctx, `SELECT t.oid, n.nspname, t.typname, format_type(t.oid, NULL), t.typtype, t.typcategory, t.typelem, t.typbasetype
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid = ANY($1)`, want)
		if err != nil {
			return nil, fmt.Errorf("reading the types of the queries: %w", err)
		}
		want = nil
		for rows.Next() {
			var oid uint32
			var kind, category string
			t := &pgType{}
			if err := rows.Scan(&oid, &t.schema, &t.name, &t.format, &kind, &category, &t.elem, &t.base); err != nil {
				rows.Close()
				return nil, err
			}
			t.kind, t.category = kind[0], category[0]
			cat.types[oid] = t
			for _, o := range []uint32{t.elem, t.base} {
				if _, ok := cat.types[o]; o != 0 && !ok {
					want = append(want, o)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(rels) == 0 {
		return cat, nil
	}
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname, a.attnum, a.attname, a.attnotnull
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.oid = ANY($1)`, rels)
	if err != nil {
		return nil, fmt.Errorf("reading the relations of the queries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var oid uint32
		var nsp, rel, att string
		var num int16
		var notNull bool
		if err := rows.Scan(&oid, &nsp, &rel, &num, &att, &notNull); err != nil {
			return nil, err
		}
		r := cat.rels[oid]
		if r == nil {
			r = &relation{schema: nsp, name: rel, attnames: map[uint16]string{}, notNull: map[uint16]bool{}}
			cat.rels[oid] = r
		}
		r.attnames[uint16(num)], r.notNull[uint16(num)] = att, notNull
	}
	return cat, rows.Err()
}
