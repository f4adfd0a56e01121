// Package querytype types hand-written queries with a PostgreSQL server:
// it prepares each statement on a database that holds the schema, and
// turns the types the server reports for its parameters and result
// columns into Go types, for gen to write methods with.
//
// It owns the rules of that typing: a result column that is a column of a
// table or view of the model takes the field's Go type and nullability
// from the model (its declared jsonb type, its enum type); any other
// result column is nullable (a pointer, or a slice, whose nil is NULL)
// unless the query says it is not;
// a parameter takes the Go type of its server type, a pointer when it is
// sqlc.narg; enums are the schema's Go enum types, arrays slices; other
// types follow the one SQL-to-Go mapping of internal/goschema. A query the
// server refuses is an error at the file's line and column.
//
// It also owns where such a database comes from (server.go): a scratch
// database it creates on a server and drops after, and a throwaway
// cluster, started from a copy of an initdb kept in a cache directory
// (template.go); and the cache of its answers (cache.go), keyed by what
// they depend on, so that a run with the same inputs needs no server. It
// does not read query files (internal/queryfile does), apply migrations
// (package migrate), write code (package gen) or choose the cache
// directory (the CLI does).
package querytype

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/schema"
)

// Type prepares each query on conn, whose database holds the schema of m,
// and returns the queries typed for gen, in order. Every query the server
// refuses, and every annotation naming no result column, is in the
// returned schema.ErrorList. It prepares unnamed statements only, and
// runs nothing but catalog reads.
func Type(ctx context.Context, conn *pgx.Conn, m *schema.Model, qs []*queryfile.Query) ([]gen.Query, error) {
	var errs schema.ErrorList
	descs := make([]*pgconn.StatementDescription, len(qs))
	var oids []uint32
	var rels []uint32
	for i, q := range qs {
		d, err := conn.PgConn().Prepare(ctx, "", q.SQL, nil)
		if err != nil {
			var pe *pgconn.PgError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: preparing query %s: %w", q.Pos, q.Name, err)
			}
			errs.Add(q.Position(pe.Position), pgMessage(pe))
			continue
		}
		descs[i] = d
		oids = append(oids, d.ParamOIDs...)
		for _, f := range d.Fields {
			oids = append(oids, f.DataTypeOID)
			if f.TableOID != 0 {
				rels = append(rels, f.TableOID)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	cat, err := readCatalog(ctx, conn, oids, rels)
	if err != nil {
		return nil, err
	}
	r := &resolver{model: m, cat: cat}
	out := make([]gen.Query, 0, len(qs))
	for i, q := range qs {
		g, list := r.query(q, descs[i])
		if len(list) == 0 && q.Copy != nil {
			list, err = r.copyTarget(ctx, conn, q, &g)
			if err != nil {
				return nil, err
			}
		}
		errs = append(errs, list...)
		out = append(out, g)
	}
	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	return out, nil
}

// pgMessage is the server's message with its detail and hint, as a user
// fixing the query needs them.
func pgMessage(pe *pgconn.PgError) string {
	msg := pe.Message
	if pe.Detail != "" {
		msg += " (" + pe.Detail + ")"
	}
	if pe.Hint != "" {
		msg += "; hint: " + pe.Hint
	}
	return msg
}

// resolver turns the server's description of a statement into Go types.
type resolver struct {
	model *schema.Model
	cat   *catalog
}

// query types one query.
func (r *resolver) query(q *queryfile.Query, d *pgconn.StatementDescription) (gen.Query, schema.ErrorList) {
	var errs schema.ErrorList
	g := gen.Query{
		Name: q.Name, Command: string(q.Command), Doc: q.Doc, SQL: q.SQL, Limit: q.Limit,
		Source: fmt.Sprintf("%s:%d", q.Pos.Filename, q.Pos.Line), File: strings.TrimSuffix(baseName(q.Pos.Filename), ".sql"),
	}
	if len(d.ParamOIDs) != len(q.Params) {
		// queryfile numbers the parameters as the server counts them; a
		// difference is a bug, reported rather than indexed past.
		errs.Addf(q.Pos, "query %s: the server counts %d parameters, mizzle %d", q.Name, len(d.ParamOIDs), len(q.Params))
		return g, errs
	}
	for i, oid := range d.ParamOIDs {
		t := r.goType(oid)
		if q.Params[i].Nullable {
			t = pointer(t)
		}
		g.Params = append(g.Params, gen.QueryParam{Name: q.Params[i].Name, Type: t})
	}
	names := map[string]bool{}
	for _, f := range d.Fields {
		names[f.Name] = true
	}
	for _, list := range [][]string{q.NotNull, q.Nullable} {
		for _, n := range list {
			if !names[n] {
				errs.Addf(q.Pos, "query %s: the annotation names %q, which is not a result column", q.Name, n)
			}
		}
	}
	if len(errs) > 0 {
		return g, errs
	}
	// The row is a table's or a view's struct when the columns are all of
	// its columns, in order, each read as it is stored.
	var row *relation
	for i, f := range d.Fields {
		col, rel := r.column(f)
		c := gen.QueryColumn{Name: f.Name}
		switch {
		case col != nil:
			c.Type = col.GoType
		case rel != nil && rel.notNull[f.TableAttributeNumber]:
			c.Type = r.goType(f.DataTypeOID)
		default:
			// Nullable: a pointer, but for a slice, whose nil is NULL.
			if c.Type = r.goType(f.DataTypeOID); c.Type.Kind != schema.GoSlice {
				c.Type = pointer(c.Type)
			}
		}
		annotated := slices.Contains(q.NotNull, f.Name) || slices.Contains(q.Nullable, f.Name)
		if slices.Contains(q.NotNull, f.Name) && c.Type.Kind == schema.GoPointer {
			c.Type = *c.Type.Elem
		}
		if slices.Contains(q.Nullable, f.Name) && !nullable(c.Type) {
			c.Type = pointer(c.Type)
		}
		g.Columns = append(g.Columns, c)
		switch {
		case i == 0 && col != nil && !annotated:
			row = rel
		case row != nil && (col == nil || annotated || rel != row):
			row = nil
		}
		if row != nil && (i >= len(row.columns) || row.columns[i].Name != f.Name) {
			row = nil
		}
	}
	if row != nil && len(row.columns) == len(d.Fields) {
		t := row.goType
		g.RowType = &t
		for i := range g.Columns {
			g.Columns[i].Field = row.columns[i].GoField
		}
	}
	return g, nil
}

// copyTarget sets what a :copyfrom query loads: the table its INSERT
// names, as the server resolves it, and its columns. A parameter takes the
// Go type of its column's field when the model declares the table, as the
// table's own inserts send it (its declared jsonb type, a pointer where
// the field is one).
func (r *resolver) copyTarget(ctx context.Context, conn *pgx.Conn, q *queryfile.Query, g *gen.Query) (schema.ErrorList, error) {
	var errs schema.ErrorList
	c := &gen.QueryCopy{Columns: q.Copy.Columns}
	var kind string
	err := conn.QueryRow(ctx, `SELECT n.nspname, c.relname, c.relkind::text
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.to_regclass($1)`, q.Copy.Table).Scan(&c.Schema, &c.Table, &kind)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the table of query %s: %w", q.Pos, q.Name, err)
	}
	if kind != "r" && kind != "p" {
		// A view takes an INSERT through its rules or triggers; COPY
		// refuses it.
		errs.Addf(q.Pos, "query %s: :copyfrom loads with COPY, which takes a table, and %s.%s is not one", q.Name, c.Schema, c.Table)
		return errs, nil
	}
	g.Copy = c
	for _, t := range r.model.Tables {
		if t.Schema != c.Schema || t.Name != c.Table {
			continue
		}
		for i, name := range c.Columns {
			for _, col := range t.Columns {
				if col.Name != name {
					continue
				}
				g.Params[i].Type = col.GoType
				if q.Params[i].Nullable && !nullable(col.GoType) {
					g.Params[i].Type = pointer(col.GoType)
				}
			}
		}
	}
	return errs, nil
}

// column returns the model's column that a result column is, with its
// relation, when the server says the result is a column of a table or
// view; rel alone when the relation is one the model does not declare.
func (r *resolver) column(f pgconn.FieldDescription) (*schema.Column, *relation) {
	if f.TableOID == 0 || f.TableAttributeNumber == 0 {
		return nil, nil
	}
	rel := r.cat.rels[f.TableOID]
	if rel == nil {
		return nil, nil
	}
	if rel.columns == nil && !rel.looked {
		rel.looked = true
		for _, t := range r.model.Tables {
			if t.Schema == rel.schema && t.Name == rel.name {
				rel.columns, rel.goType = t.Columns, t.GoType
			}
		}
		for _, v := range r.model.Views {
			if v.Schema == rel.schema && v.Name == rel.name {
				rel.columns, rel.goType = v.Columns, v.GoType
			}
		}
	}
	name := rel.attnames[f.TableAttributeNumber]
	for _, c := range rel.columns {
		if c.Name == name {
			return c, rel
		}
	}
	return nil, rel
}

// goType is the Go type of a value of the server type oid, not NULL.
func (r *resolver) goType(oid uint32) schema.GoType {
	t := r.cat.types[oid]
	if t == nil {
		return schema.GoType{Kind: schema.GoNamed, Name: "string"}
	}
	switch {
	case t.elem != 0 && t.category == 'A':
		e := r.goType(t.elem)
		return schema.GoType{Kind: schema.GoSlice, Elem: &e}
	case t.kind == 'e':
		for _, e := range r.model.Enums {
			if e.Schema == t.schema && e.Name == t.name && e.GoType.Kind != "" {
				return e.GoType
			}
		}
		return schema.GoType{Kind: schema.GoNamed, Name: "string"}
	case t.kind == 'd' && t.base != 0:
		return r.goType(t.base)
	case t.schema == "pg_catalog":
		st, err := schema.ParseType(t.format)
		if err != nil {
			return schema.GoType{Kind: schema.GoNamed, Name: "string"}
		}
		return goschema.GoTypeOf(st)
	}
	return goschema.GoTypeOf(schema.Type{Schema: t.schema, Name: t.name})
}

func pointer(t schema.GoType) schema.GoType {
	if t.Kind == schema.GoPointer {
		return t
	}
	return schema.GoType{Kind: schema.GoPointer, Elem: &t}
}

// nullable reports a Go type that holds NULL by itself: a pointer, a
// slice or map (nil), or a wrapper such as sql.NullString or pgtype.Text,
// as a model column may have.
func nullable(t schema.GoType) bool {
	switch t.Kind {
	case schema.GoPointer, schema.GoSlice, schema.GoMap, schema.GoAny:
		return true
	}
	return t.NilZero || t.Path == "database/sql" || t.Path == "github.com/jackc/pgx/v5/pgtype" ||
		t.Path == "github.com/shopspring/decimal" && t.Name == "NullDecimal"
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
