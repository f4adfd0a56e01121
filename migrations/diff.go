package migrations

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Options control how Diff settles what it cannot know from the models
// alone: whether an object that disappeared and one that appeared are the
// same object renamed.
type Options struct {
	// Resolve answers an ambiguity with the old name the new object was
	// renamed from, or "" when it is a new object. It is asked once per new
	// object, in a stable order. When Resolve is nil and DropAndAdd is
	// false, Diff returns an *AmbiguityError listing every ambiguity.
	Resolve func(Ambiguity) (string, error)
	// DropAndAdd answers every ambiguity with "a new object": the old one
	// is dropped, with its data.
	DropAndAdd bool
}

// An Ambiguity is a new object that may be an old one renamed: a table
// lost a column and gained one, say, and no rename hint tells which.
type Ambiguity struct {
	Kind  string // "schema", "enum", "table" or "column"
	Table string // for a column, the qualified table it belongs to
	Name  string // the new object's name (qualified for tables and enums)
	// Candidates are the names of the vanished objects of the same kind
	// (qualified for tables and enums), sorted.
	Candidates []string
}

// AmbiguityError reports renames Diff would have had to guess.
type AmbiguityError struct {
	Ambiguities []Ambiguity
}

func (e *AmbiguityError) Error() string {
	var b strings.Builder
	for i, a := range e.Ambiguities {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// String describes the ambiguity in one sentence.
func (a Ambiguity) String() string {
	gone := make([]string, len(a.Candidates))
	for i, c := range a.Candidates {
		gone[i] = fmt.Sprintf("%q", c)
	}
	where := ""
	if a.Table != "" {
		where = " in table " + a.Table
	}
	return fmt.Sprintf("%s %q%s is new and %s %s gone: renamed or new?",
		a.Kind, a.Name, where, strings.Join(gone, ", "), plural(len(gone), "is", "are"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Diff returns the changes that turn a database in state from into state
// to, in an order PostgreSQL accepts. It is pure and deterministic: neither
// model is modified and equal inputs give equal outputs. Diff(m, m) is
// empty for every model m.
//
// Objects are matched by name; a rename hint (Was) matches a new name to
// an old one that is gone. A table that keeps its name but changes schema
// is moved. Any other object that vanished while one of its kind appeared
// is an ambiguity, settled by opts.
func Diff(from, to *schema.Model, opts Options) ([]Change, error) {
	d := &differ{cur: from.Clone(), to: to, opts: opts}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.out, nil
}

// differ walks from the old model to the new one, keeping cur, a copy of
// the old model, in step with the changes it has emitted: after a rename,
// cur uses the new name everywhere, so later steps compare like with like.
type differ struct {
	cur  *schema.Model
	to   *schema.Model
	opts Options
	amb  []Ambiguity
	out  []Change

	// tables maps each new table to its counterpart in cur; tables in cur
	// with no counterpart are dropped.
	tables  map[*schema.Table]*schema.Table
	dropped map[*schema.Table]bool
	// recreated holds, per table, the columns dropped and added again
	// (a generated column whose expression changed, say); everything on
	// them goes with them.
	recreated map[*schema.Table]map[string]bool
	// rebuilt are the new enums whose values were removed or reordered.
	rebuilt       map[*schema.Enum]*schema.Enum
	rebuiltForUse map[*schema.Enum]bool
	// keep holds the constraints and indexes of cur that stay as they are,
	// keyed by table and name.
	keep map[objKey]bool
	// colRenames holds, per table in cur, its column renames as new → old.
	colRenames map[*schema.Table]map[string]string
	// typeChanged holds the columns of cur whose type changes, keyed by
	// table and name.
	typeChanged map[objKey]bool
	resolveErr  error
	// reverse maps a table of cur to its new counterpart.
	reverse map[*schema.Table]*schema.Table
}

type objKey struct {
	table *schema.Table // in cur
	name  string
}

func (d *differ) emit(c ...Change) { d.out = append(d.out, c...) }

func (d *differ) run() error {
	d.schemas()
	d.enums()
	d.matchTables()
	d.matchColumns()
	if len(d.amb) > 0 {
		return &AmbiguityError{Ambiguities: d.amb}
	}
	if d.opts.Resolve != nil && d.resolveErr != nil {
		return d.resolveErr
	}
	d.renameTables()
	d.renameColumns()
	d.planEnums()
	// Constraints renamed along with their table or column are then judged
	// under their new names, so they are kept, not dropped and added.
	d.renameConstraints()
	d.planKeeps()
	d.dropForeignKeys()
	d.dropIndexes()
	d.dropTables()
	d.dropConstraints()
	d.columns()
	d.dropEnums()
	d.dropSchemas()
	d.createTables()
	d.addConstraints()
	d.addForeignKeys()
	d.createIndexes()
	return nil
}

// pairNames matches new names to old ones: rename hints that form a swap
// or a chain first, then equal names, then the other hints, then opts for
// whatever is left on both sides. It returns the renames as new → old.
func (d *differ) pairNames(kind, table string, olds, news []string, hint func(string) string) map[string]string {
	// A hint may point at a name that stays in use (two columns swapping
	// names, a chain a→b→c): it wins over the equal name only when the
	// object now holding the old name is itself renamed away, and the new
	// name's old owner is renamed too. A stale hint next to an object that
	// kept its name is ignored.
	oldSet, newSet := namesOf(olds), namesOf(news)
	active := map[string]string{}
	for _, n := range news {
		if h := hint(n); h != "" && h != n && oldSet[h] && (newSet[h] || oldSet[n]) {
			active[n] = h
		}
	}
	for changed := true; changed; {
		changed = false
		claimed := map[string]bool{}
		for _, h := range active {
			claimed[h] = true
		}
		for n, h := range active {
			if _, moved := active[h]; newSet[h] && !moved || oldSet[n] && !claimed[n] {
				delete(active, n)
				changed = true
			}
		}
	}
	oldLeft := namesOf(olds)
	renames := map[string]string{}
	for _, n := range news {
		if h, ok := active[n]; ok && oldLeft[h] {
			renames[n] = h
			delete(oldLeft, h)
		}
	}
	var newLeft []string
	for _, n := range news {
		if _, ok := renames[n]; ok {
			continue
		}
		if oldLeft[n] {
			delete(oldLeft, n)
		} else {
			newLeft = append(newLeft, n)
		}
	}
	var unhinted []string
	for _, n := range newLeft {
		if h := hint(n); h != "" && oldLeft[h] {
			renames[n] = h
			delete(oldLeft, h)
			continue
		}
		unhinted = append(unhinted, n)
	}
	d.settle(kind, table, oldLeft, unhinted, renames)
	return renames
}

// settle asks about each new object while old ones of its kind are left.
//
// Schemas are never asked about: without a hint, a schema that appears is
// created and one that disappears is dropped once empty (DROP SCHEMA
// refuses otherwise), while its tables and enums move one by one, so no
// data is at stake.
func (d *differ) settle(kind, table string, oldLeft map[string]bool, news []string, renames map[string]string) {
	if len(oldLeft) == 0 || len(news) == 0 || d.opts.DropAndAdd || kind == "schema" {
		return
	}
	for _, n := range news {
		cands := sortedKeys(oldLeft)
		if len(cands) == 0 {
			return
		}
		a := Ambiguity{Kind: kind, Table: table, Name: n, Candidates: cands}
		if d.opts.Resolve == nil {
			d.amb = append(d.amb, a)
			continue
		}
		old, err := d.opts.Resolve(a)
		if err != nil {
			if d.resolveErr == nil {
				d.resolveErr = err
			}
			return
		}
		if old == "" {
			continue
		}
		if !oldLeft[old] {
			if d.resolveErr == nil {
				d.resolveErr = fmt.Errorf("%s %q: %q is not one of the candidates %q", kind, n, old, cands)
			}
			return
		}
		renames[n] = old
		delete(oldLeft, old)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// schemas creates and renames schemas; dropping waits until nothing is in
// them any more.
func (d *differ) schemas() {
	var olds, news []string
	for _, s := range d.cur.Schemas {
		olds = append(olds, s.Name)
	}
	for _, s := range d.to.Schemas {
		news = append(news, s.Name)
	}
	hints := map[string]string{}
	for _, s := range d.to.Schemas {
		hints[s.Name] = s.Was
	}
	renames := d.pairNames("schema", "", olds, news, func(n string) string { return hints[n] })
	for _, r := range sequence(renamePairs(renames), namesOf(olds)) {
		d.emit(RenameSchema{From: r.from, To: r.to, Aside: r.aside})
		d.renameSchema(r.from, r.to)
	}
	for _, s := range d.to.Schemas {
		if !slices.ContainsFunc(d.cur.Schemas, func(c *schema.Schema) bool { return c.Name == s.Name }) {
			d.emit(CreateSchema{Name: s.Name})
		}
	}
}

func (d *differ) renameSchema(from, to string) {
	for _, s := range d.cur.Schemas {
		if s.Name == from {
			s.Name = to
		}
	}
	for _, e := range d.cur.Enums {
		if e.Schema == from {
			e.Schema = to
		}
	}
	for _, t := range d.cur.Tables {
		if t.Schema == from {
			t.Schema = to
		}
		for _, c := range t.Columns {
			if c.Type.Schema == from {
				c.Type.Schema = to
			}
		}
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefSchema == from {
				t.ForeignKeys[i].RefSchema = to
			}
		}
	}
}

func qualified(schemaName, name string) string { return schemaName + "." + name }

// enums creates, renames, moves and extends enums. Rebuilds and drops
// happen later, around the columns that use them.
func (d *differ) enums() {
	curBy := map[string]*schema.Enum{}
	var olds, news []string
	for _, e := range d.cur.Enums {
		curBy[qualified(e.Schema, e.Name)] = e
		olds = append(olds, qualified(e.Schema, e.Name))
	}
	toBy := map[string]*schema.Enum{}
	for _, e := range d.to.Enums {
		toBy[qualified(e.Schema, e.Name)] = e
		news = append(news, qualified(e.Schema, e.Name))
	}
	renames := d.pairNames("enum", "", olds, news, func(n string) string {
		e := toBy[n]
		if o := curBy[n]; o != nil && o.Was == e.Was {
			return "" // applied already (see matchColumns)
		}
		return d.hintAcrossSchemas(olds, news, e.Schema, e.Name, e.Was)
	})
	// Moves first, then renames within the new schema.
	var rs []rename
	for _, ne := range d.to.Enums {
		n := qualified(ne.Schema, ne.Name)
		o, ok := renames[n]
		if !ok {
			continue
		}
		oe := curBy[o]
		if oe.Schema != ne.Schema {
			d.emit(SetEnumSchema{From: oe.Schema, Name: oe.Name, To: ne.Schema})
			d.renameEnum(oe, ne.Schema, oe.Name)
		}
		if oe.Name != ne.Name {
			rs = append(rs, rename{from: qualified(ne.Schema, oe.Name), to: n})
		}
	}
	inUse := map[string]bool{}
	for _, e := range d.cur.Enums {
		inUse[qualified(e.Schema, e.Name)] = true
	}
	for _, r := range sequence(rs, inUse) {
		e := d.cur.Enum(splitQualified(r.from))
		sch, name := splitQualified(r.to)
		d.emit(RenameEnum{Schema: sch, From: e.Name, To: name, Aside: r.aside})
		d.renameEnum(e, sch, name)
	}
	d.rebuilt = map[*schema.Enum]*schema.Enum{}
	d.rebuiltForUse = map[*schema.Enum]bool{}
	for _, e := range d.to.Enums {
		old := d.cur.Enum(e.Schema, e.Name)
		if old == nil {
			d.emit(CreateEnum{Enum: e})
			continue
		}
		switch {
		case !isSubsequence(old.Values, e.Values):
			d.rebuilt[e] = old
		case d.usesNewValue(old, e):
			// A value added by ALTER TYPE ... ADD VALUE cannot be used in
			// the transaction that adds it, and a migration is one
			// transaction: a new type can.
			d.rebuilt[e] = old
			d.rebuiltForUse[e] = true
		default:
			d.addEnumValues(old, e)
		}
	}
}

// usesNewValue reports whether an expression of the new model (a
// default, check, predicate or generated column) may use a value of e that
// old lacks.
func (d *differ) usesNewValue(old, e *schema.Enum) bool {
	var lits []string
	for _, v := range e.Values {
		if !slices.Contains(old.Values, v) {
			lits = append(lits, quote.Spellings(v)...)
		}
	}
	uses := func(expr string) bool {
		return expr != "" && slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(expr, l) })
	}
	for _, t := range d.to.Tables {
		for _, c := range t.Columns {
			if uses(c.Default) || uses(c.Generated) {
				return true
			}
		}
		for _, k := range t.Checks {
			if uses(k.Expr) {
				return true
			}
		}
		for _, ix := range t.Indexes {
			if uses(ix.Where) || slices.ContainsFunc(ix.Elements, func(el schema.IndexElem) bool { return uses(el.Expr) }) {
				return true
			}
		}
	}
	return false
}

// hintAcrossSchemas returns the qualified old name a new object (named
// schemaName.name, with rename hint was) comes from: the hint in its own
// schema, else the hint or its own name in exactly one other schema whose
// object is gone (a move).
func (d *differ) hintAcrossSchemas(olds, news []string, schemaName, name, was string) string {
	gone := func(q string) bool { return slices.Contains(olds, q) && !slices.Contains(news, q) }
	// The hint in its own schema may name an object that stays (a swap):
	// pairNames decides.
	if was != "" && slices.Contains(olds, qualified(schemaName, was)) {
		return qualified(schemaName, was)
	}
	var found []string
	for _, o := range olds {
		s, n := splitQualified(o)
		if s != schemaName && (n == name || (was != "" && n == was)) && gone(o) {
			found = append(found, o)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

func splitQualified(q string) (string, string) {
	s, n, _ := strings.Cut(q, ".")
	return s, n
}

func (d *differ) renameEnum(e *schema.Enum, schemaName, name string) {
	for _, t := range d.cur.Tables {
		for _, c := range t.Columns {
			if c.Type.Schema == e.Schema && c.Type.Name == e.Name {
				c.Type.Schema, c.Type.Name = schemaName, name
			}
		}
	}
	e.Schema, e.Name = schemaName, name
}

func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, v := range seq {
		if i < len(sub) && sub[i] == v {
			i++
		}
	}
	return i == len(sub)
}

// addEnumValues adds the new values of an enum whose old values keep
// their order, each placed next to a neighbour that already exists.
func (d *differ) addEnumValues(old, e *schema.Enum) {
	have := slices.Clone(old.Values)
	for i, v := range e.Values {
		if slices.Contains(have, v) {
			continue
		}
		c := AddEnumValue{Schema: e.Schema, Enum: e.Name, Value: v}
		if i > 0 {
			c.After = e.Values[i-1]
		} else {
			c.Before = have[0]
		}
		d.emit(c)
		at := 0
		if c.After != "" {
			at = slices.Index(have, c.After) + 1
		}
		have = slices.Insert(have, at, v)
	}
	old.Values = have
}

// matchTables pairs the new model's tables with the old one's.
func (d *differ) matchTables() {
	curBy := map[string]*schema.Table{}
	var olds, news []string
	for _, t := range d.cur.Tables {
		q := qualified(t.Schema, t.Name)
		curBy[q] = t
		olds = append(olds, q)
	}
	toBy := map[string]*schema.Table{}
	for _, t := range d.to.Tables {
		q := qualified(t.Schema, t.Name)
		toBy[q] = t
		news = append(news, q)
	}
	renames := d.pairNames("table", "", olds, news, func(n string) string {
		t := toBy[n]
		if o := curBy[n]; o != nil && o.Was == t.Was {
			return "" // applied already (see matchColumns)
		}
		return d.hintAcrossSchemas(olds, news, t.Schema, t.Name, t.Was)
	})
	d.tables = map[*schema.Table]*schema.Table{}
	d.dropped = map[*schema.Table]bool{}
	matched := map[*schema.Table]bool{}
	for _, t := range d.to.Tables {
		q := qualified(t.Schema, t.Name)
		if o, ok := renames[q]; ok {
			d.tables[t] = curBy[o]
		} else if c := curBy[q]; c != nil {
			d.tables[t] = c
		}
		if c := d.tables[t]; c != nil {
			matched[c] = true
		}
	}
	for _, c := range d.cur.Tables {
		if !matched[c] {
			d.dropped[c] = true
		}
	}
}

// matchColumns pairs the columns of each matched table; the renames are
// emitted later, after the tables' own.
func (d *differ) matchColumns() {
	d.colRenames = map[*schema.Table]map[string]string{}
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		var olds, news []string
		for _, col := range c.Columns {
			olds = append(olds, col.Name)
		}
		for _, col := range t.Columns {
			news = append(news, col.Name)
		}
		r := d.pairNames("column", qualified(t.Schema, t.Name), olds, news, func(n string) string {
			// An old column that carries the same hint is the result of
			// that rename (a model diffed with itself): in a swap, the
			// hint would otherwise apply again.
			if o := c.Column(n); o != nil && o.Was == t.Column(n).Was {
				return ""
			}
			return t.Column(n).Was
		})
		if len(r) > 0 {
			d.colRenames[c] = r
		}
	}
}

// renameTables moves and renames the matched tables whose name changed.
func (d *differ) renameTables() {
	var rs []rename
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		if c.Schema != t.Schema {
			d.emit(SetTableSchema{Table: nameOf(c), To: t.Schema})
			d.renameTable(c, t.Schema, c.Name)
		}
		if c.Name != t.Name {
			rs = append(rs, rename{from: qualified(c.Schema, c.Name), to: qualified(t.Schema, t.Name)})
		}
	}
	inUse := map[string]bool{}
	for _, c := range d.cur.Tables {
		inUse[qualified(c.Schema, c.Name)] = true
	}
	for _, r := range sequence(rs, inUse) {
		c := d.cur.Table(splitQualified(r.from))
		_, name := splitQualified(r.to)
		d.emit(RenameTable{Table: nameOf(c), To: name, Aside: r.aside})
		d.renameTable(c, c.Schema, name)
	}
}

func (d *differ) renameTable(c *schema.Table, schemaName, name string) {
	for _, t := range d.cur.Tables {
		for i := range t.ForeignKeys {
			fk := &t.ForeignKeys[i]
			if fk.RefSchema == c.Schema && fk.RefTable == c.Name {
				fk.RefSchema, fk.RefTable = schemaName, name
			}
		}
	}
	c.Schema, c.Name = schemaName, name
}

// renameColumns emits the column renames settled by matchColumns.
func (d *differ) renameColumns() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		renames := d.colRenames[c]
		if len(renames) == 0 {
			continue
		}
		inUse := map[string]bool{}
		for _, col := range c.Columns {
			inUse[col.Name] = true
		}
		var rs []rename
		for n, o := range renames {
			rs = append(rs, rename{from: o, to: n})
		}
		for _, r := range sequence(rs, inUse) {
			d.emit(RenameColumn{Table: nameOf(c), From: r.from, To: r.to, Aside: r.aside})
			d.renameColumn(c, r.from, r.to)
		}
	}
}

func (d *differ) renameColumn(t *schema.Table, from, to string) {
	re := func(names []string) {
		for i, n := range names {
			if n == from {
				names[i] = to
			}
		}
	}
	t.Column(from).Name = to
	if t.PrimaryKey != nil {
		re(t.PrimaryKey.Columns)
	}
	for _, u := range t.Uniques {
		re(u.Columns)
	}
	for _, fk := range t.ForeignKeys {
		re(fk.Columns)
	}
	for _, ix := range t.Indexes {
		for i := range ix.Elements {
			if ix.Elements[i].Column == from {
				ix.Elements[i].Column = to
			}
		}
	}
	for _, o := range d.cur.Tables {
		for _, fk := range o.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
				re(fk.RefColumns)
			}
		}
	}
}

// rename is one rename within a namespace. aside marks the move to a
// temporary name that breaks a cycle.
type rename struct {
	from, to string
	aside    bool
}

func renamePairs(m map[string]string) []rename {
	var rs []rename
	for n, o := range m {
		rs = append(rs, rename{from: o, to: n})
	}
	return rs
}

func namesOf(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// sequence orders renames so that none targets a name still in use: in a
// chain (a→b, b→c) the last link goes first, and a cycle (a→b, b→a) passes
// through a temporary name. inUse holds the names taken now.
func sequence(rs []rename, inUse map[string]bool) []rename {
	slices.SortFunc(rs, func(a, b rename) int { return cmp.Compare(a.from, b.from) })
	inUse = maps(inUse)
	var out []rename
	for len(rs) > 0 {
		i := slices.IndexFunc(rs, func(r rename) bool { return !inUse[r.to] })
		if i < 0 {
			// Every target is taken by another source: a cycle. Move the
			// first source aside.
			r := rs[0]
			tmp := tempName(r.from, inUse)
			out = append(out, rename{from: r.from, to: tmp, aside: true})
			delete(inUse, r.from)
			inUse[tmp] = true
			rs[0].from = tmp
			continue
		}
		r := rs[i]
		out = append(out, r)
		delete(inUse, r.from)
		inUse[r.to] = true
		rs = slices.Delete(rs, i, i+1)
	}
	return out
}

func maps(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// tempName returns a free name for a rename cycle, qualified like name.
func tempName(name string, inUse map[string]bool) string {
	for i := 0; ; i++ {
		suffix := "__tmp"
		if i > 0 {
			suffix = fmt.Sprintf("__tmp%d", i)
		}
		base := name
		if s, n, ok := strings.Cut(name, "."); ok {
			base = s + "." + truncate(n, schema.MaxIdentifierLength-len(suffix))
		} else {
			base = truncate(base, schema.MaxIdentifierLength-len(suffix))
		}
		if t := base + suffix; !inUse[t] {
			return t
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
