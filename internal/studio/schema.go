package studio

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/schema"
)

// schemaRoutes registers the API of the schema view: the tables and
// their foreign keys, the ER diagram as SVG (er.go), and drift against
// the mizzle schema with the migrations' status (drift.go). A table's
// structure comes from /api/table, which the catalog owns.
func (s *Server) schemaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/schema", s.api(s.handleSchema))
	mux.HandleFunc("GET /api/er.svg", s.api(s.handleER))
	mux.HandleFunc("GET /api/drift", s.api(s.handleDrift))
}

// dbSchema is what the schema view draws: the relations of some schemas
// and the foreign keys between them.
type dbSchema struct {
	Schemas []string   `json:"schemas"` // those read, sorted
	Tables  []*dbTable `json:"tables"`  // sorted by schema, then name
	Edges   []dbEdge   `json:"edges"`   // sorted by table, then constraint
}

// dbTable is a relation of the diagram.
type dbTable struct {
	Schema  string     `json:"schema"`
	Name    string     `json:"name"`
	Kind    string     `json:"kind"` // table, view, matview, partitioned or foreign, as /api/relations says
	Columns []dbColumn `json:"columns"`
	// External marks a table of another schema than those read, which
	// a foreign key of theirs references: it lists only the referenced
	// columns, without their types.
	External bool `json:"external,omitempty"`
}

// dbColumn is a column of a dbTable.
type dbColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	PK       bool   `json:"pk"`
	FK       bool   `json:"fk"`
}

// dbEdge is a foreign key, from the referencing table to the referenced
// one.
type dbEdge struct {
	Name string `json:"name"`
	From dbRef  `json:"from"`
	To   dbRef  `json:"to"`
	// Cardinality is "one-to-one" when the referencing columns are
	// unique (a key of their table holds no column outside them), so at
	// most one row references a given row; else "many-to-one".
	Cardinality string `json:"cardinality"`
	// Optional says a referencing column is nullable: a row may
	// reference nothing.
	Optional bool `json:"optional"`
}

// dbRef names a table and some of its columns.
type dbRef struct {
	Schema  string   `json:"schema"`
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.readSchema(r.Context(), r.URL.Query().Get("schema"))
}

// schemasSQL lists the schemas to read: the one named in $1 when it is
// not null, else the sidebar's (userSchemas).
const schemasSQL = `SELECT n.nspname FROM pg_catalog.pg_namespace n
WHERE CASE WHEN $1::text IS NOT NULL THEN n.nspname = $1 ELSE ` + userSchemas + ` END
ORDER BY n.nspname COLLATE "C"`

// otherRelationsSQL reads, one row per column, the relations
// introspect.Inspect may leave out of its model: views, materialized
// views, partitioned tables (those the model holds are skipped) and
// foreign tables (partitions are their parents' rows).
const otherRelationsSQL = `SELECT n.nspname, c.relname, ` + relKinds + `, a.attname,
	pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey))
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('v', 'm', 'p', 'f') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", a.attnum`

// Caps on what readSchema reads: far above any schema people draw, they
// keep a runaway catalog from exhausting the server.
const (
	maxSchemaRows  = 500_000
	maxSchemaBytes = 64 << 20
)

// readSchema reads the relations of the schema named name (every user
// schema when name is empty) and their foreign keys, in one read-only
// transaction so that every query sees the same catalog.
func (s *Server) readSchema(ctx context.Context, name string) (*dbSchema, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var arg any
	if name != "" {
		arg = name
	}
	res, err := s.collect(ctx, tx, schemasSQL, []any{arg}, maxSchemaRows, maxSchemaBytes)
	if err != nil {
		return nil, err
	}
	out := &dbSchema{Schemas: []string{}, Tables: []*dbTable{}, Edges: []dbEdge{}}
	for _, row := range res.Rows {
		out.Schemas = append(out.Schemas, *row[0])
	}
	if name != "" && len(out.Schemas) == 0 {
		return nil, &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("no schema named %s in the database", quoteForText(name))}
	}
	if len(out.Schemas) == 0 {
		return out, nil
	}
	// Inspect asked for these schemas by name reads nothing else.
	model, _, err := introspect.Inspect(ctx, loggedQuerier{s, tx}, introspect.Options{Schemas: out.Schemas})
	if err != nil {
		return nil, err
	}
	res, err = s.collect(ctx, tx, otherRelationsSQL, []any{out.Schemas}, maxSchemaRows, maxSchemaBytes)
	if err != nil {
		return nil, err
	}
	if res.Truncated {
		return nil, fmt.Errorf("the schema has more than %d columns in views and partitioned or foreign tables: too many to draw", maxSchemaRows)
	}
	out.fromModel(model)
	inModel := map[[2]string]bool{}
	for _, t := range model.Tables {
		inModel[[2]string{t.Schema, t.Name}] = true
	}
	var last *dbTable
	for _, row := range res.Rows {
		sch, rel := *row[0], *row[1]
		if inModel[[2]string{sch, rel}] {
			continue // a partitioned table the model holds
		}
		if last == nil || last.Schema != sch || last.Name != rel {
			last = &dbTable{Schema: sch, Name: rel, Kind: *row[2], Columns: []dbColumn{}}
			out.Tables = append(out.Tables, last)
		}
		if row[3] == nil {
			continue // a relation without columns
		}
		last.Columns = append(last.Columns, dbColumn{Name: *row[3], Type: *row[4], Nullable: *row[5] != "t", PK: *row[6] == "t"})
	}
	out.addExternal()
	slices.SortFunc(out.Tables, func(a, b *dbTable) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// fromModel adds the tables of m, which the schemas read hold, and their
// foreign keys.
func (d *dbSchema) fromModel(m *schema.Model) {
	for _, t := range m.Tables {
		fk := map[string]bool{}
		for _, k := range t.ForeignKeys {
			for _, c := range k.Columns {
				fk[c] = true
			}
		}
		pk := map[string]bool{}
		if t.PrimaryKey != nil {
			for _, c := range t.PrimaryKey.Columns {
				pk[c] = true
			}
		}
		dt := &dbTable{Schema: t.Schema, Name: t.Name, Kind: "table", Columns: []dbColumn{}}
		if t.Partition != nil {
			dt.Kind = "partitioned"
		}
		nullable := map[string]bool{}
		for _, c := range t.Columns {
			dt.Columns = append(dt.Columns, dbColumn{Name: c.Name, Type: c.Type.String(), Nullable: !c.NotNull, PK: pk[c.Name], FK: fk[c.Name]})
			nullable[c.Name] = !c.NotNull
		}
		d.Tables = append(d.Tables, dt)
		keys := uniqueKeys(t)
		for _, k := range t.ForeignKeys {
			e := dbEdge{
				Name:        k.Name,
				From:        dbRef{Schema: t.Schema, Table: t.Name, Columns: k.Columns},
				To:          dbRef{Schema: k.RefSchema, Table: k.RefTable, Columns: k.RefColumns},
				Cardinality: "many-to-one",
			}
			for _, key := range keys {
				if isSubset(key, k.Columns) {
					e.Cardinality = "one-to-one"
					break
				}
			}
			for _, c := range k.Columns {
				e.Optional = e.Optional || nullable[c]
			}
			d.Edges = append(d.Edges, e)
		}
	}
}

// uniqueKeys lists the column sets t holds unique: its primary key, its
// unique constraints and its unique indexes on plain columns without a
// predicate.
func uniqueKeys(t *schema.Table) [][]string {
	var keys [][]string
	if t.PrimaryKey != nil {
		keys = append(keys, t.PrimaryKey.Columns)
	}
	for _, u := range t.Uniques {
		keys = append(keys, u.Columns)
	}
next:
	for _, x := range t.Indexes {
		if !x.Unique || x.Where != "" {
			continue
		}
		var cols []string
		for _, e := range x.Elements {
			if e.Column == "" {
				continue next // an expression: unique values of it say nothing of the columns'
			}
			cols = append(cols, e.Column)
		}
		keys = append(keys, cols)
	}
	return keys
}

// isSubset reports whether every element of a is in b.
func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return len(a) > 0
}

// addExternal adds a stub for every table the edges reference outside the
// schemas read, listing the columns referenced.
func (d *dbSchema) addExternal() {
	type key struct{ schema, name string }
	known := map[key]*dbTable{}
	for _, t := range d.Tables {
		known[key{t.Schema, t.Name}] = t
	}
	for _, e := range d.Edges {
		k := key{e.To.Schema, e.To.Table}
		t := known[k]
		if t == nil {
			t = &dbTable{Schema: k.schema, Name: k.name, Kind: "table", External: true, Columns: []dbColumn{}}
			known[k] = t
			d.Tables = append(d.Tables, t)
		}
		if !t.External {
			continue
		}
		for _, c := range e.To.Columns {
			if !slices.ContainsFunc(t.Columns, func(x dbColumn) bool { return x.Name == c }) {
				t.Columns = append(t.Columns, dbColumn{Name: c})
			}
		}
	}
}

// loggedQuerier records in the operation log the queries of code that
// queries the database itself (introspect), as collect does for the
// studio's own: each entry is written when its rows are closed, with the
// number of rows read.
type loggedQuerier struct {
	s *Server
	q introspect.Querier
}

func (l loggedQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	start := time.Now()
	rows, err := l.q.Query(ctx, sql, args...)
	if err != nil {
		l.s.log.add(sql, args, start, -1, err)
		return nil, err
	}
	return &loggedRows{Rows: rows, s: l.s, sql: sql, args: args, start: start}, nil
}

// loggedRows counts the rows read and logs the query once, when closed.
type loggedRows struct {
	pgx.Rows
	s      *Server
	sql    string
	args   []any
	start  time.Time
	n      int64
	logged bool
}

func (r *loggedRows) Next() bool {
	ok := r.Rows.Next()
	if ok {
		r.n++
	} else {
		r.Close()
	}
	return ok
}

func (r *loggedRows) Close() {
	r.Rows.Close()
	if r.logged {
		return
	}
	r.logged = true
	n := r.n
	err := r.Rows.Err()
	if err != nil {
		n = -1
	}
	r.s.log.add(r.sql, r.args, r.start, n, err)
}
