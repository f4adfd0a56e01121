// Package randschema makes random schema models, random changes to them and
// rows to put in their tables, for property tests of the migration differ:
// apply the SQL that creates a model A, insert the rows, apply the SQL that
// migrates A to B = Change(A), read the database back and compare it with B.
//
// Every model is valid for PostgreSQL and for the model's own invariants
// (Validate checks them), and every expression in it is spelled exactly as
// PostgreSQL prints it back, so an introspected database equals the model
// byte for byte. Everything depends only on the *rand.Rand it is given.
//
// # Names
//
// Every name the package makes is fresh: tables t1, T2, columns c3, enums
// e4, schemas s5, explicitly named constraints and indexes x6, enum values
// l7 (with an occasional space, quote or capital), numbered from one
// counter per model. A change never reuses a name that the model had, so a
// differ that matches objects by name (or by the Was rename hints) pairs
// exactly the objects the change meant to keep.
//
// Constraints and indexes are either named explicitly (x6) or carry the name
// the loader would give them (<t>_pkey, <t>_<cols>_pk, <t>_<cols>_unique,
// <t>_<cols>_index, <t>_<col>_check, <t>_<col>_<rt>_<rc>_fk, all through
// schema.AutoName). As with the loader, auto-names follow the current table
// and column names: renaming a table or a column renames the constraints and
// indexes whose names were derived from the old names, in the table itself
// and in the foreign keys of tables that reference it. Explicit names are
// kept.
//
// # Rows
//
// Rows gives two rows per table whose values depend only on each column's
// type (see value), never NULL; Insert makes one statement of them. Change
// only makes changes that the rows of A survive: every table of A that B
// keeps still holds them, and Expect says how they read in B (Row.Count
// finds each). The invariants behind that are documented on value, on
// rowState and on the mutations in change.go.
//
// A table moved to another schema keeps its name and gets no rename hint;
// a renamed one gets Was, as do renamed columns, enums and schemas. Rename
// hints of the input model are cleared by Change: they belong to the
// migration that made it.
package randschema

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"

	"github.com/mizzle/mizzle/schema"
)

// gen holds what building and changing a model share: the random source,
// the model and the counter that makes names fresh.
type gen struct {
	r *rand.Rand
	m *schema.Model
	n int
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// pick returns a random element of a non-empty slice.
func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *gen) num() int { g.n++; return g.n }

// Name makers. Upper-case and long variants make the emitter quote, the
// expressions quote, and auto-names overflow 63 bytes and get hashed.
func (g *gen) tableName() string {
	n := g.num()
	switch x := g.r.IntN(10); {
	case x == 0:
		return fmt.Sprintf("T%d", n)
	case x == 1:
		return fmt.Sprintf("t%dwithaverylongnamethatfillsmostofthelimit", n)
	}
	return fmt.Sprintf("t%d", n)
}

func (g *gen) columnName() string {
	n := g.num()
	switch x := g.r.IntN(12); {
	case x == 0:
		return fmt.Sprintf("C%d", n)
	case x == 1:
		return fmt.Sprintf("c%dlongcolumnname", n)
	}
	return fmt.Sprintf("c%d", n)
}

func (g *gen) enumName() string {
	if g.chance(0.2) {
		return fmt.Sprintf("E%d", g.num())
	}
	return fmt.Sprintf("e%d", g.num())
}

func (g *gen) schemaName() string {
	if g.chance(0.2) {
		return fmt.Sprintf("S%d", g.num())
	}
	return fmt.Sprintf("s%d", g.num())
}

func (g *gen) objectName() string { return fmt.Sprintf("x%d", g.num()) }

// explicitName matches the names objectName makes.
var explicitName = regexp.MustCompile(`^x[0-9]+$`)

func (g *gen) label() string {
	n := g.num()
	switch g.r.IntN(8) {
	case 0:
		return fmt.Sprintf("L%d x", n)
	case 1:
		return fmt.Sprintf("l%d'q", n)
	}
	return fmt.Sprintf("l%d", n)
}

var numbered = regexp.MustCompile(`^[A-Za-z]+([0-9]+)`)

// continueCounter sets the counter past every number in m's names, so that
// names made for a change are new to m.
func (g *gen) continueCounter() {
	see := func(name string) {
		if sm := numbered.FindStringSubmatch(name); sm != nil {
			var n int
			fmt.Sscan(sm[1], &n)
			g.n = max(g.n, n)
		}
	}
	for _, s := range g.m.Schemas {
		see(s.Name)
	}
	for _, s := range g.m.Sequences {
		see(s.Name)
	}
	for _, f := range g.m.Functions {
		see(f.Name)
	}
	for _, e := range g.m.Enums {
		see(e.Name)
		for _, v := range e.Values {
			see(v)
		}
	}
	for _, t := range g.m.Tables {
		see(t.Name)
		for _, c := range t.Columns {
			see(c.Name)
		}
		if t.PrimaryKey != nil {
			see(t.PrimaryKey.Name)
		}
		for _, u := range t.Uniques {
			see(u.Name)
		}
		for _, c := range t.Checks {
			see(c.Name)
		}
		for _, fk := range t.ForeignKeys {
			see(fk.Name)
		}
		for _, ix := range t.Indexes {
			see(ix.Name)
		}
		for _, p := range t.Policies {
			see(p.Name)
		}
		for _, tg := range t.Triggers {
			see(tg.Name)
		}
		if t.Partition != nil {
			for _, p := range t.Partition.Partitions {
				see(p.Name)
			}
		}
	}
	for _, v := range g.m.Views {
		see(v.Name)
		for _, ix := range v.Indexes {
			see(ix.Name)
		}
	}
}

// Model returns a random valid model: up to two schemas besides public, up
// to two enums, one to six tables of one to eight columns (plus foreign key
// columns), with keys, checks, foreign keys and indexes of every kind the
// model knows. The model is sorted.
func Model(r *rand.Rand) *schema.Model {
	g := &gen{r: r, m: &schema.Model{}}
	schemas := []string{schema.DefaultSchema}
	for range []int{0, 0, 0, 1, 1, 2}[r.IntN(6)] {
		schemas = append(schemas, g.schemaName())
	}
	for range []int{0, 0, 1, 2}[r.IntN(4)] {
		g.newExtension(nil)
	}
	for range r.IntN(3) {
		g.newEnum(pick(g, schemas))
	}
	for range []int{0, 0, 1, 2}[r.IntN(4)] {
		g.newSequence(pick(g, schemas))
	}
	for range 1 + r.IntN(6) {
		g.newTable(pick(g, schemas), nil)
	}
	for _, t := range g.m.Tables {
		for range []int{0, 0, 1, 1, 2}[r.IntN(5)] {
			g.newForeignKey(t, pick(g, g.m.Tables), nil)
		}
	}
	for _, t := range g.m.Tables {
		g.rowSecurity(t)
	}
	for range []int{0, 1, 2, 2}[r.IntN(4)] {
		g.newFunction()
	}
	for _, t := range g.m.Tables {
		g.triggers(t)
	}
	srcs := map[*schema.View]*viewSource{}
	for range []int{0, 0, 1, 2, 3}[r.IntN(5)] {
		g.newView(srcs)
	}
	normalize(g.m, nil)
	return g.m
}

func (g *gen) newEnum(schemaName string) *schema.Enum {
	e := &schema.Enum{Schema: schemaName, Name: g.enumName()}
	// Three or more values: rows use the first two, so the others may be
	// removed.
	for range 3 + g.r.IntN(3) {
		e.Values = append(e.Values, g.label())
	}
	e.Comment = g.maybeComment()
	g.m.Enums = append(g.m.Enums, e)
	return e
}

// randomType picks a column type: a built-in one or, when there are enums,
// sometimes an enum or an array of one.
func (g *gen) randomType() schema.Type {
	if len(g.m.Enums) > 0 && g.chance(0.2) {
		e := pick(g, g.m.Enums)
		return schema.Type{Schema: e.Schema, Name: e.Name, Array: g.chance(0.3)}
	}
	return pick(g, builtinTypes)
}

func (g *gen) enumValues(t schema.Type) []string {
	if t.Schema == "" {
		return nil
	}
	return g.m.Enum(t.Schema, t.Name).Values
}

// newTable adds a table with random columns, keys, checks and indexes (but
// no foreign keys: those come once every table exists). ok, when not nil,
// says which columns may carry a new key; a new table has no rows, so Model
// and Change pass nil and any column will do.
func (g *gen) newTable(schemaName string, ok func(*schema.Table, *schema.Column, need) bool) *schema.Table {
	t := &schema.Table{Schema: schemaName, Name: g.tableName()}
	t.Comment = g.maybeComment()
	g.m.Tables = append(g.m.Tables, t)
	for range 1 + g.r.IntN(8) {
		g.newColumn(t, false)
	}
	if g.chance(0.8) {
		g.newPrimaryKey(t, ok)
	}
	for range g.r.IntN(3) {
		g.newUnique(t, ok)
	}
	for range g.r.IntN(3) {
		g.newCheck(t, ok)
	}
	for range g.r.IntN(4) {
		g.newIndex(t, ok)
	}
	if g.chance(0.2) {
		g.partitionTable(t)
	}
	return t
}

// newColumn adds a column with random attributes. withRows says the table
// has rows, so a NOT NULL column needs a value for them: a default, an
// identity or a generated expression.
func (g *gen) newColumn(t *schema.Table, withRows bool) *schema.Column {
	c := &schema.Column{Name: g.columnName(), Type: g.randomType()}
	c.NotNull = g.chance(0.5)
	switch x := g.r.Float64(); {
	case x < 0.15 && c.Type.IsInteger():
		c.Identity = pick(g, []schema.Identity{schema.IdentityByDefault, schema.IdentityAlways})
		c.NotNull = true
		if g.chance(0.4) {
			c.Sequence = g.columnSequenceOptions(c.Type.Name)
		}
	case x < 0.3:
		if src := g.generatedSource(t); src != nil {
			c.Type = src.Type
			c.Generated = pick(g, generatedExprs(src.Type, src.Name))
			c.NotNull = c.NotNull && src.NotNull
		}
	case x < 0.6:
		c.Default = pick(g, defaults(c.Type, g.enumValues(c.Type)))
	}
	if withRows && c.NotNull && c.Default == "" && c.Identity == "" && c.Generated == "" {
		c.NotNull = false
	}
	c.Comment = g.maybeComment()
	t.Columns = append(t.Columns, c)
	return c
}

// generatedSource returns a column a generated column can be computed
// from, or nil. A generated column may not refer to another one.
func (g *gen) generatedSource(t *schema.Table) *schema.Column {
	var srcs []*schema.Column
	for _, c := range t.Columns {
		if c.Generated == "" && len(generatedExprs(c.Type, c.Name)) > 0 {
			srcs = append(srcs, c)
		}
	}
	if len(srcs) == 0 {
		return nil
	}
	return pick(g, srcs)
}

// need says what a new constraint or index asks of the rows already in a
// column.
type need int

const (
	needAny      need = iota // NULL or anything: checks (other than IS NOT NULL), plain indexes
	needNotNull              // no NULL: NOT NULL, IS NOT NULL
	needDistinct             // no NULL and different in the two rows: keys, unique indexes
	needValues               // exactly value(type, k): the source or target of a new foreign key
)

// keyColumns picks one or two distinct, non-generated columns that ok
// allows for need, or nil.
func (g *gen) keyColumns(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool, n need, max int) []string {
	var cands []string
	for _, c := range t.Columns {
		if c.Generated == "" && (ok == nil || ok(t, c, n)) {
			cands = append(cands, c.Name)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	k := 1
	if max > 1 && len(cands) > 1 && g.chance(0.3) {
		k = 2
	}
	return cands[:k]
}

// isKeySet reports whether cols are already the primary key or a unique
// constraint: a second key on the same columns would only be noise.
func isKeySet(t *schema.Table, cols []string) bool {
	if t.PrimaryKey != nil && slices.Equal(t.PrimaryKey.Columns, cols) {
		return true
	}
	for _, u := range t.Uniques {
		if slices.Equal(u.Columns, cols) {
			return true
		}
	}
	return false
}

func (g *gen) newPrimaryKey(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool) bool {
	cols := g.keyColumns(t, ok, needDistinct, 2)
	if cols == nil || isKeySet(t, cols) {
		return false
	}
	pk := &schema.PrimaryKey{Columns: cols}
	t.PrimaryKey = pk
	pk.Name = autoPK(t)
	if g.chance(0.2) {
		pk.Name = g.objectName()
	}
	for _, c := range cols {
		t.Column(c).NotNull = true
	}
	return true
}

func (g *gen) newUnique(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool) bool {
	cols := g.keyColumns(t, ok, needDistinct, 2)
	if cols == nil || isKeySet(t, cols) {
		return false
	}
	u := schema.Unique{Columns: cols, NullsNotDistinct: g.chance(0.2)}
	u.Name = autoUnique(t, u)
	if u.Name == "" || g.chance(0.3) {
		u.Name = g.objectName()
	}
	t.Uniques = append(t.Uniques, u)
	return true
}

func (g *gen) newCheck(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool) bool {
	c := pick(g, t.Columns)
	exprs := checks(c.Type, c.Name)
	if ok != nil && !ok(t, c, needNotNull) {
		exprs = exprs[1:] // all but IS NOT NULL hold for NULL
	}
	if len(exprs) == 0 {
		return false
	}
	ck := schema.Check{Expr: pick(g, exprs)}
	ck.Name = autoCheck(t, ck)
	if g.chance(0.4) || slices.ContainsFunc(t.Checks, func(o schema.Check) bool { return o.Name == ck.Name }) {
		ck.Name = g.objectName()
	}
	t.Checks = append(t.Checks, ck)
	return true
}

// newIndex adds a random index: plain, with sort options or operator
// classes, on expressions, GIN, hash, unique, partial.
func (g *gen) newIndex(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool) bool {
	ix, good := g.randomIndex(t, ok)
	if !good {
		return false
	}
	ix.Name = autoIndex(t, ix)
	if ix.Name == "" || g.chance(0.3) || slices.ContainsFunc(t.Indexes, func(o schema.Index) bool { return o.Name == ix.Name }) {
		ix.Name = g.objectName()
	}
	t.Indexes = append(t.Indexes, ix)
	return true
}

func (g *gen) randomIndex(t *schema.Table, ok func(*schema.Table, *schema.Column, need) bool) (schema.Index, bool) {
	var ix schema.Index
	col := pick(g, t.Columns)
	switch g.r.IntN(7) {
	case 0: // one plain column, as the index tag option makes
		ix.Elements = []schema.IndexElem{{Column: col.Name}}
	case 1: // btree with sort options and operator classes
		for _, c := range g.twoColumns(t) {
			e := schema.IndexElem{Column: c.Name, Desc: g.chance(0.4)}
			// Only the non-default null order is printed back.
			if e.Desc && g.chance(0.4) {
				e.Nulls = "last"
			} else if !e.Desc && g.chance(0.3) {
				e.Nulls = "first"
			}
			if ops := opclasses(c.Type); len(ops) > 0 && g.chance(0.5) {
				e.Opclass = pick(g, ops)
			}
			ix.Elements = append(ix.Elements, e)
		}
	case 2: // an expression, sometimes with a plain column after it
		exprs := indexExprs(col.Type, col.Name)
		if len(exprs) == 0 {
			return ix, false
		}
		ix.Elements = []schema.IndexElem{{Expr: pick(g, exprs), Desc: g.chance(0.3)}}
		if g.chance(0.3) {
			ix.Elements = append(ix.Elements, schema.IndexElem{Column: pick(g, t.Columns).Name})
		}
	case 3:
		if !ginOK(col.Type) {
			return ix, false
		}
		ix.Method = "gin"
		e := schema.IndexElem{Column: col.Name}
		if col.Type.Name == "jsonb" && g.chance(0.5) {
			e.Opclass = "jsonb_path_ops"
		}
		ix.Elements = []schema.IndexElem{e}
	case 4:
		if !hashOK(col.Type) {
			return ix, false
		}
		ix.Method = "hash"
		ix.Elements = []schema.IndexElem{{Column: col.Name}}
	case 5: // unique, maybe partial, maybe NULLS NOT DISTINCT
		cols := g.keyColumns(t, ok, needDistinct, 2)
		if cols == nil {
			return ix, false
		}
		ix.Unique = true
		for _, c := range cols {
			ix.Elements = append(ix.Elements, schema.IndexElem{Column: c})
		}
		if exprs := indexExprs(t.Column(cols[0]).Type, cols[0]); len(exprs) > 0 && g.chance(0.3) {
			ix.Elements[0] = schema.IndexElem{Expr: pick(g, exprs)}
		}
		ix.NullsNotDistinct = g.chance(0.3)
		if g.chance(0.3) {
			w := pick(g, t.Columns)
			ix.Where = pick(g, predicates(w.Type, w.Name))
		}
	case 6: // partial
		ix.Elements = []schema.IndexElem{{Column: col.Name}}
		w := pick(g, t.Columns)
		ix.Where = pick(g, predicates(w.Type, w.Name))
	}
	return ix, true
}

// twoColumns returns one or two distinct columns of t.
func (g *gen) twoColumns(t *schema.Table) []*schema.Column {
	cols := slices.Clone(t.Columns)
	g.r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	return cols[:min(len(cols), 1+g.r.IntN(2))]
}

// newForeignKey adds a foreign key from t to a key of target, with new
// columns of the key's types or existing columns of t of those types.
// colOK, when not nil, says which existing columns of t may take part;
// without it (no rows in t) any may, and new columns are NOT NULL at random.
func (g *gen) newForeignKey(t, target *schema.Table, colOK func(*schema.Column) bool) (schema.ForeignKey, bool) {
	var keys [][]string
	if target.PrimaryKey != nil {
		keys = append(keys, target.PrimaryKey.Columns)
	}
	for _, u := range target.Uniques {
		keys = append(keys, u.Columns)
	}
	if len(keys) == 0 {
		return schema.ForeignKey{}, false
	}
	key := pick(g, keys)
	fk := schema.ForeignKey{
		RefSchema: target.Schema, RefTable: target.Name, RefColumns: slices.Clone(key),
		OnDelete: pick(g, actions), OnUpdate: pick(g, actions),
	}
	used := map[string]bool{}
	for _, rc := range key {
		typ := target.Column(rc).Type
		var src *schema.Column
		if g.chance(0.5) {
			for _, c := range t.Columns {
				if c.Type == typ && c.Generated == "" && !used[c.Name] && (colOK == nil || colOK(c)) {
					src = c
					break
				}
			}
		}
		if src == nil {
			src = &schema.Column{Name: g.columnName(), Type: typ, NotNull: colOK == nil && g.chance(0.4)}
			t.Columns = append(t.Columns, src)
		}
		used[src.Name] = true
		fk.Columns = append(fk.Columns, src.Name)
	}
	fk.Name = autoFK(t, fk)
	if fk.Name == "" || g.chance(0.3) || slices.ContainsFunc(t.ForeignKeys, func(o schema.ForeignKey) bool { return o.Name == fk.Name }) {
		fk.Name = g.objectName()
	}
	t.ForeignKeys = append(t.ForeignKeys, fk)
	return fk, true
}

var actions = []schema.Action{schema.NoAction, schema.NoAction, schema.Restrict, schema.Cascade, schema.SetNull, schema.SetDefault}

// Auto-names, as the loader makes them from tag options. Each returns ""
// for an object the loader would only make from a marker, which always
// names it.

func autoPK(t *schema.Table) string {
	pk := t.PrimaryKey
	if len(pk.Columns) == 1 {
		return schema.AutoName(t.Name, "pkey")
	}
	return schema.AutoName(append(append([]string{t.Name}, pk.Columns...), "pk")...)
}

func autoUnique(t *schema.Table, u schema.Unique) string {
	if u.NullsNotDistinct {
		return ""
	}
	return schema.AutoName(append(append([]string{t.Name}, u.Columns...), "unique")...)
}

func autoCheck(t *schema.Table, c schema.Check) string {
	return schema.AutoName(t.Name, firstRef(c.Expr), "check")
}

func autoFK(t *schema.Table, fk schema.ForeignKey) string {
	if len(fk.Columns) != 1 {
		return ""
	}
	return schema.AutoName(t.Name, fk.Columns[0], fk.RefTable, fk.RefColumns[0], "fk")
}

func autoIndex(t *schema.Table, ix schema.Index) string {
	if ix.Unique || ix.Method != "" || ix.Where != "" || len(ix.Elements) != 1 {
		return ""
	}
	if e := ix.Elements[0]; e.Column != "" && e.Opclass == "" && !e.Desc && e.Nulls == "" {
		return schema.AutoName(t.Name, e.Column, "index")
	}
	return ""
}

// normalize makes Schemas list exactly the schemas other than public that
// tables and enums use (renamed maps a renamed schema's new name to its old
// one), makes empty lists nil (as Clone and JSON decoding do, so models
// compare equal with go-cmp) and sorts the model.
func normalize(m *schema.Model, renamed map[string]string) {
	used := map[string]bool{}
	for _, e := range m.Enums {
		used[e.Schema] = true
	}
	for _, t := range m.Tables {
		used[t.Schema] = true
	}
	for _, s := range m.Sequences {
		used[s.Schema] = true
	}
	for _, v := range m.Views {
		used[v.Schema] = true
	}
	delete(used, schema.DefaultSchema)
	m.Schemas = nil
	for name := range used {
		m.Schemas = append(m.Schemas, &schema.Schema{Name: name, Was: renamed[name]})
	}
	m.Extensions = nilIfEmpty(m.Extensions)
	m.Sequences = nilIfEmpty(m.Sequences)
	m.Enums = nilIfEmpty(m.Enums)
	m.Tables = nilIfEmpty(m.Tables)
	for _, t := range m.Tables {
		t.Uniques = nilIfEmpty(t.Uniques)
		t.Checks = nilIfEmpty(t.Checks)
		t.ForeignKeys = nilIfEmpty(t.ForeignKeys)
		t.Indexes = nilIfEmpty(t.Indexes)
		t.Policies = nilIfEmpty(t.Policies)
		t.Triggers = nilIfEmpty(t.Triggers)
	}
	m.Functions = nilIfEmpty(m.Functions)
	m.Sort()
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
