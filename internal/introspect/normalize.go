package introspect

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// shadowPrefix starts the names of the scratch schemas Normalize builds a
// model in.
const shadowPrefix = "mizzle_shadow_"

// scratch names the scratch schemas of one call of Normalize:
// mizzle_shadow_<run>_<n>, with run random for each call, so that no
// schema already in the database (a user's, or one left by an older
// mizzle that could be made to commit) is ever in the way or touched, and
// n numbering the schemas of the model, so that a name stays short
// whatever the length of the schema's own.
type scratch struct {
	prefix  string         // mizzle_shadow_<run>_
	number  map[string]int // a schema of the model → n
	real    []string       // n → the schema of the model
	printed []string       // n → the schema's name as PostgreSQL prints it in an expression
	token   *regexp.Regexp // a scratch schema's name, as it appears in an expression
}

func newScratch() (*scratch, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	prefix := shadowPrefix + hex.EncodeToString(b[:]) + "_"
	return &scratch{
		prefix: prefix,
		number: map[string]int{},
		token:  regexp.MustCompile(regexp.QuoteMeta(prefix) + "[0-9]+"),
	}, nil
}

// name returns the scratch schema standing for the model's schema s. Being
// lower case, it prints without quotes.
func (sc *scratch) name(s string) string {
	n, ok := sc.number[s]
	if !ok {
		n = len(sc.real)
		sc.number[s] = n
		sc.real = append(sc.real, s)
	}
	return sc.prefix + strconv.Itoa(n)
}

// names returns every scratch schema, in order.
func (sc *scratch) names() []string {
	out := make([]string, len(sc.real))
	for n, s := range sc.real {
		out[n] = sc.name(s)
	}
	return out
}

// fix writes the real schemas' names in place of the scratch ones in an
// expression printed by PostgreSQL.
func (sc *scratch) fix(expr string) string {
	return sc.token.ReplaceAllStringFunc(expr, func(tok string) string {
		if n, err := strconv.Atoi(tok[len(sc.prefix):]); err == nil && n < len(sc.printed) {
			return sc.printed[n]
		}
		return tok
	})
}

// TxStarter is what Normalize needs: a connection that can open a
// transaction (*pgx.Conn, *pgxpool.Pool and pgx.Tx do).
type TxStarter interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Normalize returns a copy of m that knows how this database prints its
// expressions back: each default, generated column, check, predicate and
// index expression keeps its text and gets, in its Parsed field, the text
// Inspect would read for it ('OPEN'::status for 'OPEN', (qty >
// (0)::numeric) for qty > 0, never pretty-printed), so that a model
// written by hand compares equal to an introspected one while the
// statements planned from it still carry the text as written. Structure
// (names, types, keys) is kept from m, but for the operator classes and
// null orders of index elements, which PostgreSQL keeps only when they
// are not the defaults. A policy's USING and WITH CHECK, a trigger's
// WHEN and a partition's bound are expressions like the others, and a
// function gets its signature and definition as PostgreSQL prints them
// back (ParsedSignature, ParsedDefinition).
//
// It builds m, with the statements migrations.NewPlan plans for an empty
// database (the DDL migrations are made of), in scratch schemas
// (mizzle_shadow_<run>_<n>, with run random for each call and n numbering
// m's schemas) inside a transaction that it always rolls back, with those
// schemas first on the search path so unqualified names resolve as they
// would in the real ones, then introspects them. The database is left
// exactly as it was; the role needs the CREATE privilege on the database.
//
// m may come from anywhere (a snapshot in a pull request, say), so its
// expressions are not trusted to be one expression each: every statement
// goes in a message of its own over the extended protocol, which the
// server refuses to run as more than one statement, so no text in m can
// end the transaction or run anything after it.
func Normalize(ctx context.Context, db TxStarter, m *schema.Model) (*schema.Model, error) {
	return NormalizeCached(ctx, db, m, "")
}

// NormalizeCached is Normalize keeping its answers in cacheDir/normalize
// (no cache when cacheDir is empty): a table or view whose answers an
// earlier call kept under the same key is not built again, and when every
// one is kept nothing is built at all, which at 1,000 tables is most of a
// push with nothing to do. The key hashes the statements that build the
// table or view, those of what its expressions may name, mizzle's build
// and the server's version, search path and extensions; normalize_cache.go
// says exactly what. The normalized model is kept whole as well, under a
// hash of m itself (normalize_whole.go), so that a call on the same model
// neither builds nor plans. The result is Normalize's. A cache that cannot be
// read or written is no cache, never an error.
func NormalizeCached(ctx context.Context, db TxStarter, m *schema.Model, cacheDir string) (*schema.Model, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var cache *answerCache
	var whole string
	if cacheDir != "" {
		server, err := serverFacts(ctx, tx)
		if err != nil {
			return nil, fmt.Errorf("normalize: %w", err)
		}
		whole = wholePath(cacheDir, m, server)
		if out := readWhole(whole); out != nil {
			return out, nil
		}
		cache = openAnswerCache(m, cacheDir, server)
	}
	var out *schema.Model
	var columns map[relKey][]*schema.Column
	only := cache.misses(m) // nil without a cache: build everything
	if only == nil || !only.empty() {
		if out, columns, err = build(ctx, tx, m, only); err != nil {
			return nil, err
		}
		cache.store(out, columns)
	} else {
		out, columns = m.Clone(), map[relKey][]*schema.Column{}
	}
	cache.apply(out, columns)
	if err := checkViewColumns(out, columns); err != nil {
		return nil, err
	}
	writeWhole(whole, out)
	return out, nil
}

// build builds m's objects (those only selects, or all when nil) in
// scratch schemas inside tx, reads them back, and returns m's copy with
// what was built normalized, and the columns each view built returns.
func build(ctx context.Context, tx pgx.Tx, m *schema.Model, only *unitSet) (*schema.Model, map[relKey][]*schema.Column, error) {
	sc, err := newScratch()
	if err != nil {
		return nil, nil, fmt.Errorf("normalize: %w", err)
	}
	shadow, defaults := shadowModel(m, sc, only)
	plan, err := migrations.NewPlan(nil, shadow, migrations.Options{})
	if err != nil {
		return nil, nil, err
	}
	// A schema's name in an expression is what quote_ident makes of it:
	// quoted only when it must be (upper case, a key word, ...).
	var path string
	if err := tx.QueryRow(ctx, `SELECT current_setting('search_path'),
		ARRAY(SELECT quote_ident(s) FROM unnest($1::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n)`, sc.real).Scan(&path, &sc.printed); err != nil {
		return nil, nil, fmt.Errorf("normalize: %w", err)
	}
	// The shadow of public goes first, so what resolves to public in the
	// real schema resolves to its shadow here, and prints unqualified.
	// Literals are written for standard_conforming_strings = on (and
	// quote.Literal's E'' strings read the same either way), so a server
	// or role set to off must not read them differently.
	// A LANGUAGE sql function's body is not checked: it may read tables
	// that are not built here.
	if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true), set_config('standard_conforming_strings', 'on', true), set_config('check_function_bodies', 'off', true)",
		quote.Ident(sc.name(schema.DefaultSchema))+", "+path); err != nil {
		return nil, nil, fmt.Errorf("normalize: %w", err)
	}
	// The plan creates the scratch schemas too (shadowModel lists them).
	if err := execEach(ctx, tx, plan.Statements); err != nil {
		return nil, nil, fmt.Errorf("the schema does not build on this database (tried in scratch schemas, rolled back): %w", err)
	}
	got, _, err := Inspect(ctx, tx, Options{Schemas: sc.names()})
	if err != nil {
		return nil, nil, err
	}
	out := unshadow(m, got, defaults, sc)
	return out, unshadowViews(out, got, sc), nil
}

// execEach runs stmts in order, each in a message of its own over the
// extended protocol, all in one round trip. The extended protocol is
// chosen here, on the wire, whatever the connection's default query mode:
// a Parse message holding two statements is an error, where a simple
// query would run them both.
func execEach(ctx context.Context, tx pgx.Tx, stmts []migrations.Statement) error {
	if len(stmts) == 0 {
		return nil
	}
	b := &pgconn.Batch{}
	for _, s := range stmts {
		b.ExecParams(s.SQL, nil, nil, nil, nil)
	}
	results, err := tx.Conn().PgConn().ExecBatch(ctx, b).ReadAll()
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// shadowModel moves every object of m into its scratch schema, references
// included; of the tables and views, only those only holds (all when nil).
func shadowModel(m *schema.Model, sc *scratch, only *unitSet) (*schema.Model, map[string]string) {
	c := m.Clone()
	if only != nil {
		c.Tables = slices.DeleteFunc(c.Tables, func(t *schema.Table) bool { return !only.has(relKey{schema: t.Schema, name: t.Name}) })
		c.Views = slices.DeleteFunc(c.Views, func(v *schema.View) bool { return !only.has(relKey{schema: v.Schema, name: v.Name}) })
	}
	sc.name(schema.DefaultSchema) // first: the search path starts with it
	for _, s := range m.Schemas {
		sc.name(s.Name)
	}
	for _, e := range c.Enums {
		e.Schema = sc.name(e.Schema)
	}
	// Sequences are built, for the defaults that draw from them.
	for _, s := range c.Sequences {
		s.Schema, s.Was = sc.name(s.Schema), ""
	}
	seqs := shadowSequences(m, sc)
	// Functions are built whole: what PostgreSQL prints back for one is
	// what a changed one is compared by.
	for _, f := range c.Functions {
		f.Schema = sc.name(f.Schema)
	}
	// Only what PostgreSQL rewrites is built: defaults, generated columns,
	// checks, and indexes with expressions, predicates or operator
	// classes. Keys, identities, serial sequences and plain indexes would
	// cost time (creating a table is most of it) and change no text.
	// Defaults depend on nothing but the column's type, so each distinct
	// (type, default) pair is built once, as a column of one table of
	// defaults; a table is built only for what depends on its columns.
	defaults := &schema.Table{Schema: sc.name(schema.DefaultSchema), Name: defaultsTable(m)}
	seen := map[string]string{} // default key → column of the defaults table
	// A policy's expressions may name any table: with a policy in the
	// model, every table is built.
	// So may a view's query, which may also need a primary key (to group
	// by it).
	views := len(c.Views) > 0
	policies := views || slices.ContainsFunc(c.Tables, func(t *schema.Table) bool { return len(t.Policies) > 0 })
	tables := c.Tables[:0]
	for _, t := range c.Tables {
		t.Schema = sc.name(t.Schema)
		t.Comment = "" // comments are not expressions: nothing to read back
		if !views {
			t.PrimaryKey = nil
		}
		t.Uniques, t.ForeignKeys = nil, nil
		t.RowSecurity = schema.RowSecurity{}
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix schema.Index) bool { return !rewritten(ix) })
		// Only a trigger's WHEN condition is rewritten.
		t.Triggers = slices.DeleteFunc(t.Triggers, func(tg schema.Trigger) bool { return tg.When == "" })
		for i := range t.Triggers {
			if m.Function(t.Triggers[i].FunctionSchema, t.Triggers[i].Function) != nil {
				t.Triggers[i].FunctionSchema = sc.name(t.Triggers[i].FunctionSchema)
			}
		}
		// A partition's bound becomes constants of the key's types.
		keep := len(t.Checks) > 0 || len(t.Indexes) > 0 || len(t.Triggers) > 0 || policies ||
			t.Partition != nil && len(t.Partition.Partitions) > 0
		for _, col := range t.Columns {
			col.Type = shadowType(m, col.Type, sc)
			col.Identity, col.Sequence, col.Comment = "", nil, ""
			if col.Default != "" {
				expr := seqs.Replace(col.Default)
				if k := defaultKey(col.Type, expr); seen[k] == "" {
					seen[k] = fmt.Sprintf("d%d", len(defaults.Columns))
					defaults.Columns = append(defaults.Columns, &schema.Column{Name: seen[k], Type: col.Type, Default: expr})
				}
				col.Default = ""
			}
			keep = keep || col.Generated != ""
		}
		if keep {
			tables = append(tables, t)
		}
	}
	c.Tables = tables
	shadowViews(c, m, sc)
	if len(defaults.Columns) > 0 {
		c.Tables = append(c.Tables, defaults)
	}
	// Last, as types may name schemas the model does not list.
	c.Schemas = nil
	for _, name := range sc.names() {
		c.Schemas = append(c.Schemas, &schema.Schema{Name: name})
	}
	return c, seen
}

// shadowType is the type a column of m has in the scratch schemas: an
// enum of m's is built there, other types (domains) are the real ones.
func shadowType(m *schema.Model, t schema.Type, sc *scratch) schema.Type {
	if t.Schema != "" && m.Enum(t.Schema, t.Name) != nil {
		t.Schema = sc.name(t.Schema)
	}
	return t.Storage()
}

// defaultsTable names the scratch table holding one column per distinct
// default: mizzle_defaults, or with a number when public has a table or
// type of that name, which its shadow would hold too.
func defaultsTable(m *schema.Model) string {
	name := "mizzle_defaults"
	for n := 1; m.Table(schema.DefaultSchema, name) != nil || m.Enum(schema.DefaultSchema, name) != nil; n++ {
		name = fmt.Sprintf("mizzle_defaults_%d", n)
	}
	return name
}

// defaultKey identifies a default by what its spelling depends on. The type
// is the scratch one (enums in scratch schemas), as in the defaults table.
func defaultKey(t schema.Type, expr string) string {
	return t.Schema + "\x00" + t.Name + "\x00" + t.Mod + "\x00" + fmt.Sprint(t.Array) + "\x00" + expr
}

// rewritten reports whether PostgreSQL may print an index differently from
// the model: an expression, a predicate or an operator class.
func rewritten(ix schema.Index) bool {
	if ix.Where != "" {
		return true
	}
	// Null orders need no check: the loader already drops the defaults,
	// and PostgreSQL keeps the rest as written.
	return slices.ContainsFunc(ix.Elements, func(e schema.IndexElem) bool { return e.Expr != "" || e.Opclass != "" })
}

// unshadow takes the expression texts of the introspected shadow and puts
// them into the Parsed fields of a copy of m, with the scratch schemas'
// names taken out of them.
func unshadow(m, got *schema.Model, defaults map[string]string, sc *scratch) *schema.Model {
	c := m.Clone()
	fix := sc.fix
	for _, f := range c.Functions {
		if gf := got.Function(sc.name(f.Schema), f.Name); gf != nil {
			f.ParsedSignature, f.ParsedDefinition = fix(gf.Signature), fix(gf.Definition)
		}
	}
	dt := got.Table(sc.name(schema.DefaultSchema), defaultsTable(m))
	seqs := shadowSequences(m, sc)
	for _, t := range c.Tables {
		for _, col := range t.Columns {
			if col.Default == "" || col.Type.IsSerial() || dt == nil {
				continue
			}
			if dc := dt.Column(defaults[defaultKey(shadowType(m, col.Type, sc), seqs.Replace(col.Default))]); dc != nil {
				col.ParsedDefault = fix(dc.Default)
			}
		}
		g := got.Table(sc.name(t.Schema), t.Name)
		if g == nil {
			continue
		}
		for _, col := range t.Columns {
			if gc := g.Column(col.Name); gc != nil && col.Generated != "" {
				col.ParsedGenerated = fix(gc.Generated)
			}
		}
		for i := range t.Checks {
			for _, gk := range g.Checks {
				if gk.Name == t.Checks[i].Name {
					t.Checks[i].Parsed = fix(gk.Expr)
				}
			}
		}
		for i := range t.Triggers {
			for _, gt := range g.Triggers {
				if gt.Name == t.Triggers[i].Name && t.Triggers[i].When != "" {
					t.Triggers[i].ParsedWhen = fix(gt.When)
				}
			}
		}
		if p, gp := t.Partition, g.Partition; p != nil && gp != nil {
			for i := range p.Partitions {
				if got := gp.Partition(p.Partitions[i].Name); got != nil {
					p.Partitions[i].ParsedBound = fix(got.Bound)
				}
			}
		}
		for i := range t.Policies {
			for _, gp := range g.Policies {
				if gp.Name == t.Policies[i].Name {
					t.Policies[i].ParsedUsing, t.Policies[i].ParsedWithCheck = fix(gp.Using), fix(gp.WithCheck)
				}
			}
		}
		for i := range t.Indexes {
			for _, gx := range g.Indexes {
				if gx.Name != t.Indexes[i].Name {
					continue
				}
				ix := &t.Indexes[i]
				if ix.Where != "" {
					ix.ParsedWhere = fix(gx.Where)
				}
				for k := range ix.Elements {
					if k < len(gx.Elements) && ix.Elements[k].Expr != "" {
						ix.Elements[k].ParsedExpr = fix(gx.Elements[k].Expr)
					}
				}
				// Opclasses and null orders PostgreSQL does not keep.
				for k := range ix.Elements {
					if k < len(gx.Elements) {
						ix.Elements[k].Opclass = gx.Elements[k].Opclass
						ix.Elements[k].Nulls = gx.Elements[k].Nulls
					}
				}
			}
		}
	}
	return c
}
