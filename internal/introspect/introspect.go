// Package introspect reads a live PostgreSQL database into a schema.Model,
// the same value the Go loader produces, so that a database and a schema
// package can be compared by one differ.
//
// It owns the catalog queries and the conventions that turn catalog rows
// into the model: canonical types, serial columns recognised from their
// owned sequences, default operator classes and null orderings left out,
// constraints and their indexes told apart. It issues a fixed number of
// queries (Queries), each reading one kind of object for every table at
// once, so the cost does not grow with round trips per table.
//
// It does not know about Go source, migrations, snapshots or how the result
// is used; it never writes to the database. Objects the model cannot hold
// (triggers, functions, partitioned tables, ...) are not read but
// named in a list for the caller to warn about. Objects that belong to an
// extension are neither read nor reported: CREATE EXTENSION owns them.
//
// The queries are separate statements. For a consistent picture of a
// database that is being changed, pass a pgx.Tx opened with REPEATABLE READ
// isolation: every query then sees the same snapshot.
package introspect

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// Querier is what Inspect needs from a connection; *pgx.Conn,
// *pgxpool.Pool and pgx.Tx satisfy it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Options says what Inspect reads.
type Options struct {
	// Schemas lists the schemas to read. Empty means every schema except
	// PostgreSQL's own (pg_catalog, information_schema, pg_toast*,
	// pg_temp_*) and those created by extensions. A named schema that does
	// not exist is read as empty.
	Schemas []string
	// Parallel are more connections to the same database. Inspect spreads
	// its queries over db and these and runs them at once: the server
	// answers them side by side, on as many cores as it has, while the
	// answers already in are read. Each query is its own statement either
	// way; for one snapshot, open a REPEATABLE READ transaction on each
	// connection with the same exported snapshot (SET TRANSACTION
	// SNAPSHOT) and pass the transactions. Inspect uses them only until it
	// returns.
	Parallel []Querier
}

// Queries is the number of queries Inspect issues, whatever the size of the
// database.
const Queries = 12

// Inspect reads the extensions, tables, columns, constraints, indexes,
// enums and views of the selected schemas into a sorted model.
//
// The second result lists, sorted, what was found but cannot be represented
// in the model: objects (a trigger, a function), left out of the model, and
// settings of what the model holds (grants, sequence options, storage
// parameters, comments on indexes and constraints, a collation), of which
// the model has the defaults. A column of a type the model cannot create (a domain) is kept,
// with the type's schema and name, and listed. Summary words the list.
//
// The model follows the loader's conventions, so that a schema loaded from
// Go, created with the migrations package and read back compares equal:
// Model.Schemas lists the schemas other than public that hold tables or
// enums; a serial column is typed serial (or bigserial, smallserial) with no
// default; an index's method is empty for btree, and an element's operator
// class and null ordering are set only when they are not the default.
//
// Expressions (defaults, generated columns, checks, index expressions and
// predicates) are PostgreSQL's deparsed text, which is equivalent to but
// rarely the same as what a user wrote ('OPEN'::status for 'OPEN'), never
// pretty-printed: every operation in parentheses, so that the text parses
// back to the tree it was printed from (a pretty a AND (b AND c) would
// parse back as a flat a AND b AND c). Defaults and generated expressions
// are as pg_get_expr prints them; checks, index expressions and predicates
// without the parentheses around the whole. Deparsed text qualifies names
// that are not on the session's search_path, so read with the search_path
// the schema is used with.
func Inspect(ctx context.Context, db Querier, opts Options) (*schema.Model, []Lost, error) {
	in := &inspector{
		db:     db,
		m:      &schema.Model{},
		tables: map[relKey]*schema.Table{},
		unread: map[relKey]bool{},
		views:  map[relKey]*schema.View{},
	}
	requested := opts.Schemas
	if requested == nil {
		requested = []string{} // an empty array, not NULL
	}
	var version int
	err := in.query(ctx, "schemas", schemasQuery, []any{requested}, func(r row) error {
		return r.Scan(&version, &in.schemas)
	})
	if err != nil {
		return nil, nil, err
	}
	// The steps are read in this order: a table's columns before its
	// constraints, indexes and policies. The weights are each query's
	// share of the server's time, in percent, read side by side at 1,000
	// tables with a view, a policy and comments each; parallel reading
	// balances them.
	steps := []step{
		{"extensions", extensionsQuery, in.extensionRow, 1},
		{"enums", enumsQuery, in.enumRow, 1},
		{"tables and columns", columnsQuery, in.columnRow, 30},
		{"sequences", sequencesQuery, in.sequenceRow, 3},
		{"views", viewsQuery, in.viewRow, 30},
		{"constraints", queryText(constraintsQuery, version), in.constraintRow, 15},
		{"indexes", queryText(indexesQuery, version), in.indexRow, 7},
		{"policies", policiesQuery, in.policyRow, 2},
		{"functions", functionsQuery, in.functionRow, 1},
		{"triggers", triggersQuery, in.triggerRow, 1},
		{"other objects", othersQuery, in.otherRow, 7},
	}
	if len(opts.Parallel) == 0 {
		for _, s := range steps {
			if err := in.query(ctx, s.what, s.sql, []any{in.schemas}, s.row); err != nil {
				return nil, nil, err
			}
		}
	} else if err := in.readParallel(ctx, append([]Querier{db}, opts.Parallel...), steps); err != nil {
		return nil, nil, err
	}

	used := map[string]bool{}
	for _, t := range in.m.Tables {
		used[t.Schema] = true
	}
	for _, e := range in.m.Enums {
		used[e.Schema] = true
	}
	for _, x := range in.m.Extensions {
		used[x.Schema] = true
	}
	for _, s := range in.m.Sequences {
		used[s.Schema] = true
	}
	for _, f := range in.m.Functions {
		used[f.Schema] = true
	}
	for _, v := range in.m.Views {
		used[v.Schema] = true
	}
	// Like the loader: the schemas other than public that hold something.
	for _, name := range in.schemas {
		if used[name] && name != schema.DefaultSchema {
			in.m.Schemas = append(in.m.Schemas, &schema.Schema{Name: name})
		}
	}
	in.m.Sort()
	slices.SortFunc(in.lost, func(a, b Lost) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Object, b.Object), cmp.Compare(a.Detail, b.Detail))
	})
	return in.m, slices.Compact(in.lost), nil
}

// queryText fills in the parts of a query that depend on the server
// version. pg_index.indnullsnotdistinct and pg_constraint.confdelsetcols
// exist from PostgreSQL 15 (version number 150000); before, NULLS NOT
// DISTINCT and ON DELETE SET NULL (columns) do not exist either.
func queryText(sql string, version int) string {
	nnd, setCols := "false", "'{}'::int2[]"
	if version >= 150000 {
		nnd, setCols = "x.indnullsnotdistinct", "k.confdelsetcols"
	}
	return strings.NewReplacer("{{nullsNotDistinct}}", nnd, "{{delSetCols}}", setCols).Replace(sql)
}

// relKey identifies a table, or with index set one of its indexes.
type relKey struct{ schema, name, index string }

type inspector struct {
	db      Querier
	schemas []string // the schemas to read, from schemasQuery
	m       *schema.Model
	tables  map[relKey]*schema.Table
	views   map[relKey]*schema.View
	lost    []Lost
	// unread are the tables columnsQuery returned that the model cannot
	// hold (a partition key with an expression), reported instead.
	unread map[relKey]bool

	// attnames are the tables' column names by attribute number.
	attnames map[relKey][]string

	lastIndex relKey // the index indexRow is adding keys to
	// serials are the sequences serial columns draw from.
	serials map[serialKey][2]string
}

// query runs one catalog query and hands each row to row. Errors say which
// query failed; pgx often reports a failed query only once the rows are
// read, hence the check of Err.
func (in *inspector) query(ctx context.Context, what, sql string, args []any, row func(row) error) error {
	rows, err := in.db.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("introspect: reading %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return fmt.Errorf("introspect: reading %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("introspect: reading %s: %w", what, err)
	}
	return nil
}

func (in *inspector) report(kind Kind, object, detail string) {
	in.lost = append(in.lost, Lost{Kind: kind, Object: object, Detail: detail})
}

func (in *inspector) extensionRow(r row) error {
	x := &schema.Extension{}
	if err := r.Scan(&x.Name, &x.Schema, &x.Version); err != nil {
		return err
	}
	if x.Schema == schema.DefaultSchema {
		x.Schema = "" // as the loader has it
	}
	in.m.Extensions = append(in.m.Extensions, x)
	return nil
}

func (in *inspector) enumRow(r row) error {
	e := &schema.Enum{}
	if err := r.Scan(&e.Schema, &e.Name, &e.Values, &e.Comment); err != nil {
		return err
	}
	in.m.Enums = append(in.m.Enums, e)
	return nil
}

func (in *inspector) columnRow(r row) error {
	var (
		nsp, rel, persistence     string
		attnum                    int32
		name                      string
		notNull                   bool
		identity, generated, expr string
		ct                        catalogType
		seqSchema, seqName        string
		serial                    bool
		collation, storage        string
		statistics                int32
		rowSecurity               schema.RowSecurity
		tableComment, comment     string
		partKey                   string
	)
	err := r.Scan(&nsp, &rel, &persistence, &attnum, &name, &notNull, &identity, &generated, &expr,
		&ct.array, &ct.typtype, &ct.schema, &ct.name, &ct.format, &ct.quotedSchema, &ct.extension,
		&seqSchema, &seqName, &serial, &collation, &storage, &statistics,
		&rowSecurity.Enabled, &rowSecurity.Forced, &tableComment, &comment, &partKey)
	if err != nil {
		return err
	}
	key := relKey{schema: nsp, name: rel}
	t := in.tables[key]
	if in.unread[key] {
		return nil
	}
	if t == nil {
		t = &schema.Table{Schema: nsp, Name: rel, Columns: []*schema.Column{}, RowSecurity: rowSecurity, Comment: tableComment}
		if partKey != "" {
			p, ok := partitionKey(partKey)
			if !ok {
				// Neither it nor its partitions are read.
				in.report(PartitionedTable, quote.Ident(nsp, rel), "PARTITION BY "+partKey)
				in.unread[key] = true
				return nil
			}
			t.Partition = p
		}
		in.tables[key] = t
		in.m.Tables = append(in.m.Tables, t)
		if persistence == "u" {
			in.report(Unlogged, quote.Ident(nsp, rel), "")
		}
	}
	if attnum == 0 {
		return nil // a table without columns
	}
	col := &schema.Column{Name: name, NotNull: notNull, Comment: comment}
	var why string
	col.Type, why = ct.modelType()
	if why == "" && ct.typtype == "e" && !slices.Contains(in.schemas, ct.schema) {
		// The model reads enums of the schemas read only: the baseline
		// would name this one without creating it, like a domain.
		why = fmt.Sprintf("enum %s, in a schema not read", quote.Ident(ct.schema, ct.name))
	}
	if why != "" {
		in.report(TypeColumn, quote.Ident(nsp, rel, name), why)
	}
	switch identity {
	case "d":
		col.Identity = schema.IdentityByDefault
	case "a":
		col.Identity = schema.IdentityAlways
	}
	// Like the loader, which trims what it reads: the deparse of a CASE
	// starts with a line break.
	expr = strings.TrimSpace(expr)
	switch generated {
	case "":
		col.Default = expr
	case "s":
		col.Generated = expr
	default:
		// PostgreSQL 18's virtual generated columns: the model's are stored.
		col.Generated = expr
		in.report(Virtual, quote.Ident(nsp, rel, name), "")
	}
	if serial {
		if s, ok := serialTypes[col.Type]; ok {
			col.Type, col.Default = s, ""
			if in.serials == nil {
				in.serials = map[serialKey][2]string{}
			}
			in.serials[serialKey{nsp, rel, name}] = [2]string{seqSchema, seqName}
			seqName = ""
		}
	}
	if seqName != "" {
		in.report(OwnedSequence, quote.Ident(seqSchema, seqName), "owned by "+quote.Ident(nsp, rel, name))
	}
	if collation != "" {
		in.report(Collation, quote.Ident(nsp, rel, name), "COLLATE "+quote.Ident(collation))
	}
	var settings []string
	if storage != "" {
		settings = append(settings, "STORAGE "+storage)
	}
	if statistics >= 0 {
		settings = append(settings, fmt.Sprintf("STATISTICS %d", statistics))
	}
	if len(settings) > 0 {
		in.report(ColumnStorage, quote.Ident(nsp, rel, name), strings.Join(settings, ", "))
	}
	t.Columns = append(t.Columns, col)
	names := in.attnames[key]
	for len(names) <= int(attnum) {
		names = append(names, "")
	}
	names[attnum] = name
	if in.attnames == nil {
		in.attnames = map[relKey][]string{}
	}
	in.attnames[key] = names
	return nil
}

// columnNames names a table's columns by their attribute numbers.
func (in *inspector) columnNames(k relKey, nums []int16) ([]string, error) {
	if len(nums) == 0 {
		return nil, nil
	}
	names := in.attnames[k]
	out := make([]string, len(nums))
	for i, n := range nums {
		if n <= 0 || int(n) >= len(names) || names[n] == "" {
			return nil, fmt.Errorf("column number %d was not read: the table changed while it was read; run again", n)
		}
		out[i] = names[n]
	}
	return out, nil
}

// serialTypes maps the integer types to the serial pseudo-types that create
// them, which is how the loader spells a serial column.
var serialTypes = map[schema.Type]schema.Type{
	{Name: "smallint"}: {Name: "smallserial"},
	{Name: "integer"}:  {Name: "serial"},
	{Name: "bigint"}:   {Name: "bigserial"},
}

// actions maps pg_constraint.confdeltype and confupdtype to the model.
var actions = map[string]schema.Action{
	"a": schema.NoAction,
	"r": schema.Restrict,
	"c": schema.Cascade,
	"n": schema.SetNull,
	"d": schema.SetDefault,
}

func (in *inspector) constraintRow(r row) error {
	var (
		nsp, rel, name, contype        string
		keys, setKeys                  []int16
		check                          string
		refSchema, refTable            string
		refCols                        []string
		onDelete, onUpdate, match      string
		deferrable, validated, noInher bool
		nullsNotDistinct               bool
	)
	err := r.Scan(&nsp, &rel, &name, &contype, &keys, &check, &refSchema, &refTable, &refCols,
		&onDelete, &onUpdate, &match, &deferrable, &validated, &noInher, &nullsNotDistinct, &setKeys)
	if err != nil {
		return err
	}
	key := relKey{schema: nsp, name: rel}
	t := in.tables[key]
	if t == nil {
		return nil // created after the tables were read
	}
	on := fmt.Sprintf("%s on %s", quote.Ident(name), quote.Ident(nsp, rel))
	cols, err := in.columnNames(key, keys)
	if err != nil {
		return fmt.Errorf("%s: %w", on, err)
	}
	setCols, err := in.columnNames(key, setKeys)
	if err != nil {
		return fmt.Errorf("%s: %w", on, err)
	}
	switch contype {
	case "p":
		t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: cols}
	case "u":
		t.Uniques = append(t.Uniques, schema.Unique{Name: name, Columns: cols, NullsNotDistinct: nullsNotDistinct})
	case "c":
		t.Checks = append(t.Checks, schema.Check{Name: name, Expr: unparen(check)})
		if noInher {
			in.report(NoInherit, on, "")
		}
	case "f":
		del, ok1 := actions[onDelete]
		upd, ok2 := actions[onUpdate]
		if !ok1 || !ok2 {
			return fmt.Errorf("foreign key %s: unknown referential action %q/%q", on, onDelete, onUpdate)
		}
		t.ForeignKeys = append(t.ForeignKeys, schema.ForeignKey{
			Name: name, Columns: cols,
			RefSchema: refSchema, RefTable: refTable, RefColumns: refCols,
			OnDelete: del, OnUpdate: upd,
		})
		if len(setCols) > 0 {
			in.report(SetColumns, on, fmt.Sprintf("ON DELETE %s (%s)", strings.ToUpper(string(del)), identList(setCols)))
		}
		if match != "s" { // s is MATCH SIMPLE, the default
			in.report(MatchFull, on, "")
		}
	case "x":
		in.report(Exclusion, on, "")
		return nil
	}
	if deferrable {
		in.report(Deferrable, on, "")
	}
	if !validated {
		in.report(NotValid, on, "")
	}
	return nil
}

// Bits of pg_index.indoption.
const (
	indoptionDesc       = 1
	indoptionNullsFirst = 2
)

func (in *inspector) indexRow(r row) error {
	var (
		nsp, rel, name        string
		unique, valid         bool
		method, where         string
		nullsNotDistinct      bool
		include               bool
		column, expr, opclass string
		option                int32
	)
	err := r.Scan(&nsp, &rel, &name, &unique, &valid, &method, &where, &nullsNotDistinct,
		&include, &column, &expr, &opclass, &option)
	if err != nil {
		return err
	}
	// A materialized view's indexes are read as a table's.
	var indexes *[]schema.Index
	if t := in.tables[relKey{schema: nsp, name: rel}]; t != nil {
		indexes = &t.Indexes
	} else if v := in.views[relKey{schema: nsp, name: rel}]; v != nil {
		indexes = &v.Indexes
	} else {
		return nil
	}
	on := fmt.Sprintf("%s on %s", quote.Ident(name), quote.Ident(nsp, rel))
	key := relKey{schema: nsp, name: rel, index: name}
	if key != in.lastIndex {
		in.lastIndex = key
		if method == "btree" {
			method = "" // the model's default
		}
		*indexes = append(*indexes, schema.Index{
			Name: name, Unique: unique, Method: method, Where: unparen(where),
			NullsNotDistinct: nullsNotDistinct, Elements: []schema.IndexElem{},
		})
		if !valid {
			in.report(InvalidIndex, on, "")
		}
	}
	ix := &(*indexes)[len(*indexes)-1]
	if include {
		in.report(Include, on, "")
		return nil
	}
	e := schema.IndexElem{Column: column, Opclass: opclass, Desc: option&indoptionDesc != 0}
	if column == "" {
		e.Expr = unparen(expr)
	}
	// Nulls sort last ascending and first descending unless told otherwise;
	// the model records only the exception.
	nullsFirst := option&indoptionNullsFirst != 0
	switch {
	case e.Desc && !nullsFirst:
		e.Nulls = "last"
	case !e.Desc && nullsFirst:
		e.Nulls = "first"
	}
	ix.Elements = append(ix.Elements, e)
	return nil
}

func (in *inspector) otherRow(r row) error {
	var kind, nsp, name, sub, detailSchema, detail string
	if err := r.Scan(&kind, &nsp, &name, &sub, &detailSchema, &detail); err != nil {
		return err
	}
	k := Kind(kind)
	object := quote.Ident(nsp, name)
	on := quote.Ident(sub) + " on " + object
	switch k {
	case Partition:
		in.partitionRow(nsp, name, detailSchema, sub, detail)
	case Inheritance:
		in.report(k, object, "from "+quote.Ident(detailSchema, detail))
	case Trigger, Rule, Policy:
		in.report(k, on, "")
	case Function, Procedure, Aggregate:
		in.report(k, object+"("+detail+")", "")
	case Statistics:
		in.report(k, object, "on "+quote.Ident(detailSchema, detail))
	case ClusterOn:
		in.report(k, object, "CLUSTER ON "+quote.Ident(sub))
	case Comment:
		// detail is what the comment is on.
		switch detail {
		case "column":
			object = quote.Ident(nsp, name, sub)
		case "index", "constraint":
			object = on
		}
		in.report(k, detail+" "+object, "")
	case StorageParameters:
		if sub != "" {
			object = "index " + on
		}
		in.report(k, object, detail)
	case Grant, SequenceOptions, ColumnStorage:
		if sub != "" {
			object = quote.Ident(nsp, name, sub)
		}
		in.report(k, object, detail)
	default:
		in.report(k, object, detail)
	}
	return nil
}

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote.Ident(n)
	}
	return strings.Join(q, ", ")
}

// unparen removes blanks and the parentheses around the whole of a
// deparsed check, predicate or index expression: pg_get_expr writes
// "(score > 0)" and pg_get_indexdef "((score + 1))" where the model, like
// the loader, has "score > 0" and "score + 1" (the SQL emitter puts back
// what CHECK, WHERE and CREATE INDEX need). Parentheses around the whole
// make no node of the tree, so taking them off changes nothing that
// PostgreSQL parses.
func unparen(expr string) string {
	expr = strings.TrimSpace(expr)
	for strings.HasPrefix(expr, "(") {
		end, _ := sqlsplit.ClosingParen(expr, 0)
		if end != len(expr)-1 {
			break
		}
		expr = strings.TrimSpace(expr[1:end])
	}
	return expr
}

// catalogType describes a column's type as columnsQuery reads it: for an
// array, its element type.
type catalogType struct {
	array        bool
	typtype      string // pg_type.typtype: b base, e enum, d domain, c composite, r range, ...
	schema, name string
	format       string // format_type with the column's modifier
	quotedSchema string // quote_ident(schema), as format_type writes a qualified name
	extension    bool   // the type belongs to an extension
}

// modelType turns a catalog type into the model's canonical form. For a
// type the model cannot express it returns the best approximation (the
// type's schema and name, like an enum) and a phrase saying why.
func (ct catalogType) modelType() (schema.Type, string) {
	switch {
	case ct.schema == "pg_catalog":
		// Built-in types: format_type's spelling is the model's, once
		// ParseType has split off the modifier ("timestamp(3) with time
		// zone").
		t, err := schema.ParseType(ct.format)
		if err != nil {
			return schema.Type{Name: ct.name, Array: ct.array}, fmt.Sprintf("type %q: %v", ct.format, err)
		}
		t.Array = ct.array
		return t, ""
	case ct.typtype == "e":
		return schema.Type{Schema: ct.schema, Name: ct.name, Array: ct.array}, ""
	case ct.extension:
		// Extension types are spelled without a schema, as the loader
		// does; format_type qualifies them when their schema is not on the
		// search path, and keeps any modifier (vector(3)).
		f, _ := strings.CutPrefix(ct.format, ct.quotedSchema+".")
		t, err := schema.ParseType(f)
		if err != nil {
			return schema.Type{Name: ct.name, Array: ct.array}, fmt.Sprintf("type %q: %v", ct.format, err)
		}
		t.Array = ct.array
		return t, ""
	}
	kind := cmp.Or(map[string]string{
		"d": "domain", "c": "composite type", "r": "range type", "m": "multirange type",
	}[ct.typtype], "type")
	return schema.Type{Schema: ct.schema, Name: ct.name, Array: ct.array},
		fmt.Sprintf("%s %s", kind, quote.Ident(ct.schema, ct.name))
}

// policyCommands maps pg_policy.polcmd to the model.
var policyCommands = map[string]schema.PolicyCommand{
	"*": schema.CommandAll,
	"r": schema.CommandSelect,
	"a": schema.CommandInsert,
	"w": schema.CommandUpdate,
	"d": schema.CommandDelete,
}

func (in *inspector) policyRow(r row) error {
	var (
		nsp, rel, cmd string
		permissive    bool
		p             schema.Policy
	)
	if err := r.Scan(&nsp, &rel, &p.Name, &permissive, &cmd, &p.Roles, &p.Using, &p.WithCheck); err != nil {
		return err
	}
	t := in.tables[relKey{schema: nsp, name: rel}]
	if t == nil {
		return fmt.Errorf("policy %s on %s, a table not read", quote.Ident(p.Name), quote.Ident(nsp, rel))
	}
	c, ok := policyCommands[cmd]
	if !ok {
		return fmt.Errorf("policy %s on %s: unknown command %q", quote.Ident(p.Name), quote.Ident(nsp, rel), cmd)
	}
	p.Command, p.Restrictive = c, !permissive
	if len(p.Roles) == 0 {
		p.Roles = nil
	}
	// Like a check's: the model holds the expression without the
	// parentheses around the whole, which CREATE POLICY adds back.
	p.Using, p.WithCheck = unparen(strings.TrimSpace(p.Using)), unparen(strings.TrimSpace(p.WithCheck))
	t.Policies = append(t.Policies, p)
	return nil
}
