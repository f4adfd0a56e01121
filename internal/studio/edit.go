package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
)

// editRoutes registers the API of staged edits: inserts, updates and deletes previewed as SQL and saved in one transaction.
func (s *Server) editRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/preview", s.api(s.handlePreview))
	mux.HandleFunc("POST /api/save", s.api(s.handleSave))
}

// maxEdits bounds the edits of one request: a page stages what a person
// types, not a bulk load.
const maxEdits = 10000

// Edit is one staged change of a row, as the page sends it.
type Edit struct {
	Op     string               `json:"op"` // insert, update or delete
	Schema string               `json:"schema"`
	Name   string               `json:"name"`
	Key    map[string]*string   `json:"key"`    // the primary key's text values: update and delete
	Values map[string]EditValue `json:"values"` // insert and update
}

// EditValue is what an edit writes to a column: exactly one of a value
// in PostgreSQL's text form, NULL or the column's DEFAULT.
type EditValue struct {
	Value   *string `json:"value,omitempty"`
	Null    bool    `json:"null,omitempty"`
	Default bool    `json:"default,omitempty"`
}

// Statement is a statement the studio runs for an edit, with its
// arguments in text form (nil is NULL).
type Statement struct {
	SQL  string    `json:"sql"`
	Args []*string `json:"args"`
	// AppDefaults says which arguments app-side defaults computed: save
	// computes them again, so a preview's values are examples.
	AppDefaults []appDefaultArg `json:"app_defaults,omitempty"`
}

// appDefaultArg is an argument an app-side default computed.
type appDefaultArg struct {
	Arg    int    `json:"arg"` // $n
	Column string `json:"column"`
	Func   string `json:"func"`
}

// editResult is what saving one edit did.
type editResult struct {
	RowsAffected int64              `json:"rows_affected"`
	Row          map[string]*string `json:"row"` // the row as written (RETURNING), null for a delete
}

// editTable is what the edits need to know of a table: read from the
// catalog, never from the request, so that every name the page sends is
// checked before it is written into SQL.
type editTable struct {
	schema, name string
	columns      []editColumn // in the table's order
	byName       map[string]int
	pk           []string
}

type editColumn struct {
	name      string
	cast      string // the type without its modifier: see loadEditTable
	generated bool   // GENERATED ALWAYS AS (...) STORED
	always    bool   // GENERATED ALWAYS AS IDENTITY
	json      bool   // json or jsonb, or a domain over one
}

// editKinds names relkinds for the error that refuses them.
var editKinds = map[string]string{
	"v": "a view", "m": "a materialized view", "f": "a foreign table", "S": "a sequence",
	"i": "an index", "I": "an index", "c": "a composite type", "t": "a TOAST table",
}

// loadEditTable reads schema.name's columns and primary key from the
// catalog, refusing anything but a table with a primary key.
//
// A value is cast to the column's type without its modifier
// (format_type with -1): the assignment then applies the modifier as
// an INSERT would, so a varchar(3) refuses 'abcd' where the explicit
// cast ::varchar(3) would cut it to 'abc' in silence, and bit and
// bpchar are spelled so that they do not mean bit(1) and char(1).
func (s *Server) loadEditTable(ctx context.Context, schemaName, name string) (*editTable, error) {
	const q = `SELECT c.relkind::text, a.attname, format_type(a.atttypid, -1), a.attgenerated <> '', a.attidentity = 'a',
       coalesce(nullif(t.typbasetype, 0), t.oid) IN ('json'::regtype, 'jsonb'::regtype),
       EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)),
       coalesce(array_position((SELECT i.indkey::int2[] FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), a.attnum), 0)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relname = $2
ORDER BY a.attnum`
	res, err := s.collect(ctx, s.pool, q, []any{schemaName, name}, 10000, 16<<20)
	if err != nil {
		return nil, err
	}
	qname := quote.Ident(schemaName, name)
	if len(res.Rows) == 0 {
		return nil, badRequest("no table %s", qname)
	}
	kind := *res.Rows[0][0]
	if kind != "r" && kind != "p" {
		what := editKinds[kind]
		if what == "" {
			what = "not a table"
		}
		return nil, badRequest("%s is %s: the studio edits rows of tables that have a primary key", qname, what)
	}
	t := &editTable{schema: schemaName, name: name, byName: map[string]int{}}
	pkPos := map[string]int{}
	for _, r := range res.Rows {
		if r[1] == nil { // a table without columns
			continue
		}
		c := editColumn{name: *r[1], cast: *r[2], generated: *r[3] == "t", always: *r[4] == "t", json: *r[5] == "t"}
		t.byName[c.name] = len(t.columns)
		t.columns = append(t.columns, c)
		if *r[6] == "t" {
			n, _ := strconv.Atoi(*r[7])
			pkPos[c.name] = n
			t.pk = append(t.pk, c.name)
		}
	}
	if len(t.pk) == 0 {
		return nil, badRequest("table %s has no primary key: the studio finds the rows it edits by their primary key, so it edits only tables that have one", qname)
	}
	// The key's columns in the key's order, not the table's.
	slices.SortFunc(t.pk, func(a, b string) int { return pkPos[a] - pkPos[b] })
	return t, nil
}

// plannedEdit is an edit turned into its statement.
type plannedEdit struct {
	Statement
	args []any  // Args as the driver gets them
	what string // "edit 2 (update of "public"."t" where id = 5)", for errors
	op   string
}

// planEdits checks the edits against the catalog and writes their
// statements. Every mistake is a 400 naming the edit and, where there
// is one, the column; nothing runs.
func (s *Server) planEdits(ctx context.Context, edits []Edit) ([]plannedEdit, error) {
	if len(edits) == 0 {
		return nil, badRequest("no edits")
	}
	if len(edits) > maxEdits {
		return nil, badRequest("%d edits: the studio saves at most %d at once", len(edits), maxEdits)
	}
	tables := map[[2]string]*editTable{}
	for i, e := range edits {
		k := [2]string{e.Schema, e.Name}
		if _, ok := tables[k]; ok {
			continue
		}
		t, err := s.loadEditTable(ctx, e.Schema, e.Name)
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				c := *ae
				c.Message = fmt.Sprintf("edit %d: %s", i+1, ae.Message)
				return nil, &c
			}
			return nil, err
		}
		tables[k] = t
	}
	// Mistakes first: the helper that computes app-side defaults runs
	// only for edits that are otherwise sound.
	for i, e := range edits {
		if _, err := s.planEdit(i+1, tables[[2]string{e.Schema, e.Name}], e, nil); err != nil {
			return nil, err
		}
	}
	needs := s.genNeeds(edits, tables)
	if err := s.fillAppDefaults(ctx, needs); err != nil {
		return nil, &apiError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
	}
	out := make([]plannedEdit, len(edits))
	for i, e := range edits {
		p, err := s.planEdit(i+1, tables[[2]string{e.Schema, e.Name}], e, needs[i])
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// planEdit writes the statement of edit number n on t, an insert's
// unset app-side defaults given the values of gens.
func (s *Server) planEdit(n int, t *editTable, e Edit, gens []appDefault) (plannedEdit, error) {
	p := plannedEdit{op: e.Op, Statement: Statement{Args: []*string{}}}
	qname := quote.Ident(t.schema, t.name)
	p.what = fmt.Sprintf("edit %d (%s of %s", n, e.Op, qname)
	switch e.Op {
	case "update", "delete":
		if err := t.checkKey(e.Key); err != nil {
			return p, badRequest("%s): %v", p.what, err)
		}
		p.what += " where " + t.describeKey(e.Key)
	case "insert":
		if len(e.Key) > 0 {
			return p, badRequest("%s): an insert has no key: give the new row's columns in values", p.what)
		}
	default:
		return p, badRequest("edit %d: op %q: want insert, update or delete", n, e.Op)
	}
	p.what += ")"
	bad := func(format string, args ...any) error {
		return badRequest("%s: %s", p.what, fmt.Sprintf(format, args...))
	}

	// The values' columns, in the table's order so that the SQL does not
	// depend on the order of a JSON object.
	var cols []int
	for name, v := range e.Values {
		i, ok := t.byName[name]
		if !ok {
			return p, bad("table %s has no column %q", qname, name)
		}
		c := t.columns[i]
		set := 0
		for _, b := range []bool{v.Value != nil, v.Null, v.Default} {
			if b {
				set++
			}
		}
		if set != 1 {
			return p, bad("column %q: give exactly one of value, null or default", name)
		}
		if !v.Default && c.generated {
			return p, bad("column %q is generated: the database computes it, and it cannot be written", name)
		}
		if !v.Default && c.always {
			return p, bad("column %q is an identity column GENERATED ALWAYS: the database numbers it, and it cannot be written", name)
		}
		if v.Value != nil && c.json && !json.Valid([]byte(*v.Value)) {
			return p, bad("column %q: not valid JSON: %s", name, jsonError(*v.Value))
		}
		cols = append(cols, i)
	}
	slices.Sort(cols)

	arg := func(v *string) string {
		p.Args = append(p.Args, v)
		if v == nil {
			p.args = append(p.args, nil)
		} else {
			p.args = append(p.args, *v)
		}
		return "$" + strconv.Itoa(len(p.Args))
	}
	value := func(c editColumn, v EditValue) string {
		switch {
		case v.Default:
			return "DEFAULT"
		case v.Null:
			return arg(nil) + "::text::" + c.cast
		default:
			return arg(v.Value) + "::text::" + c.cast
		}
	}
	where := func() string {
		var b strings.Builder
		for i, name := range t.pk {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(quote.Ident(name) + " = " + arg(e.Key[name]) + "::text::" + t.columns[t.byName[name]].cast)
		}
		return b.String()
	}

	var b strings.Builder
	switch e.Op {
	case "insert":
		for _, g := range gens {
			cols = append(cols, g.column)
		}
		slices.Sort(cols)
		if len(cols) == 0 {
			b.WriteString("INSERT INTO " + qname + " DEFAULT VALUES RETURNING *")
			break
		}
		var names, values []string
		for _, i := range cols {
			c := t.columns[i]
			names = append(names, quote.Ident(c.name))
			v, ok := e.Values[c.name]
			if !ok {
				g := gens[slices.IndexFunc(gens, func(g appDefault) bool { return g.column == i })]
				v = EditValue{Value: g.value, Null: g.value == nil}
				p.AppDefaults = append(p.AppDefaults, appDefaultArg{Arg: len(p.Args) + 1, Column: c.name, Func: g.fn})
			}
			values = append(values, value(c, v))
		}
		b.WriteString("INSERT INTO " + qname + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(values, ", ") + ") RETURNING *")
	case "update":
		if len(cols) == 0 {
			return p, bad("no values to set")
		}
		var sets []string
		for _, i := range cols {
			c := t.columns[i]
			sets = append(sets, quote.Ident(c.name)+" = "+value(c, e.Values[c.name]))
		}
		b.WriteString("UPDATE " + qname + " SET " + strings.Join(sets, ", "))
		b.WriteString(" WHERE " + where() + " RETURNING *")
	case "delete":
		if len(e.Values) > 0 {
			return p, bad("a delete sets no values")
		}
		b.WriteString("DELETE FROM " + qname + " WHERE " + where())
	}
	p.SQL = b.String()
	return p, nil
}

// checkKey checks that key names the primary key's columns, all of them
// and nothing else.
func (t *editTable) checkKey(key map[string]*string) error {
	if len(key) == 0 {
		return fmt.Errorf("no key: give the row's primary key (%s)", strings.Join(t.pk, ", "))
	}
	for name, v := range key {
		if !slices.Contains(t.pk, name) {
			return fmt.Errorf("key column %q is not in the primary key (%s)", name, strings.Join(t.pk, ", "))
		}
		if v == nil {
			return fmt.Errorf("key column %q is null: a primary key is never NULL", name)
		}
	}
	for _, name := range t.pk {
		if _, ok := key[name]; !ok {
			return fmt.Errorf("the key lacks the primary key's column %q", name)
		}
	}
	return nil
}

// describeKey writes key for a message: id = 5, or a = 'x' AND b = 2.
func (t *editTable) describeKey(key map[string]*string) string {
	var parts []string
	for _, name := range t.pk {
		parts = append(parts, quote.Ident(name)+" = "+quote.Literal(*key[name]))
	}
	return strings.Join(parts, " AND ")
}

// jsonError says where s stops being JSON.
func jsonError(s string) string {
	var v any
	err := json.Unmarshal([]byte(s), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	if err != nil {
		return err.Error()
	}
	return "not one JSON value"
}

func (s *Server) readEdits(r *http.Request) ([]plannedEdit, error) {
	if s.opts.ReadOnly {
		return nil, &apiError{Status: http.StatusForbidden, Message: "the studio is read-only: editing is off"}
	}
	var in struct {
		Edits []Edit `json:"edits"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	return s.planEdits(r.Context(), in.Edits)
}

// handlePreview answers the statements that saving the edits would run,
// exactly: the same SQL and the same arguments, but for app-side
// defaults, which the application computes again when saving.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) (any, error) {
	plan, err := s.readEdits(r)
	if err != nil {
		return nil, err
	}
	out := make([]Statement, len(plan))
	for i, p := range plan {
		out[i] = p.Statement
	}
	return map[string]any{"statements": out}, nil
}

// handleSave runs the edits' statements in one transaction: each must
// change exactly one row, or nothing is saved.
func (s *Server) handleSave(w http.ResponseWriter, r *http.Request) (any, error) {
	plan, err := s.readEdits(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit, a no-op
	results := make([]editResult, len(plan))
	for i, p := range plan {
		var res editResult
		if p.op == "delete" {
			var tag pgconn.CommandTag
			tag, err = s.exec(ctx, tx, p.SQL, p.args...)
			res.RowsAffected = tag.RowsAffected()
		} else {
			var rr *Result
			rr, err = s.collect(ctx, tx, p.SQL, p.args, 2, 64<<20)
			if err == nil {
				res.RowsAffected = int64(len(rr.Rows))
				if len(rr.Rows) == 1 {
					res.Row = map[string]*string{}
					for j, c := range rr.Columns {
						res.Row[c.Name] = rr.Rows[0][j]
					}
				}
			}
		}
		if err != nil {
			return nil, editFailed(p.what, err)
		}
		switch {
		case res.RowsAffected == 0 && p.op == "insert":
			return nil, &apiError{Status: http.StatusConflict, Message: p.what + ": no row was inserted (a trigger skipped it?): nothing was saved"}
		case res.RowsAffected == 0:
			return nil, &apiError{Status: http.StatusConflict, Message: p.what + ": no row has this key (deleted, or its key changed, since the page read it): nothing was saved"}
		case res.RowsAffected > 1:
			return nil, &apiError{Status: http.StatusConflict, Message: fmt.Sprintf("%s: the key matches more than one row: nothing was saved", p.what)}
		}
		results[i] = res
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return map[string]any{"results": results}, nil
}

// editFailed names the edit in a database error, which keeps its code,
// detail and hint.
func editFailed(what string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return &apiError{Status: http.StatusUnprocessableEntity, Message: what + ": " + pe.Message + ": nothing was saved", Code: pe.Code, Detail: pe.Detail, Hint: pe.Hint}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, pgx.ErrTxClosed) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
