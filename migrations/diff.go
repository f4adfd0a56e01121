package migrations

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Options control how Diff settles what it cannot know from the models
// alone: whether an object that disappeared and one that appeared are the
// same object renamed.
type Options struct {
	// Resolve answers an ambiguity with the candidate the new object was
	// renamed from, or the zero QName when it is a new object. It is asked
	// once per new object, in a stable order. When Resolve is nil and
	// DropAndAdd is false, Diff returns an *AmbiguityError listing every
	// ambiguity.
	Resolve func(Ambiguity) (QName, error)
	// DropAndAdd answers every ambiguity with "a new object": the old one
	// is dropped, with its data.
	DropAndAdd bool
}

// An Ambiguity is a new object that may be an old one renamed: a table
// lost a column and gained one, say, and no rename hint tells which.
type Ambiguity struct {
	Kind  string // "enum", "sequence", "table" or "column"
	Table QName  // for a column, the table it belongs to
	Name  QName  // the new object
	// Candidates are the vanished objects of the same kind, sorted.
	// Resolve answers with one of them.
	Candidates []QName
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
		gone[i] = c.String()
	}
	where := ""
	if a.Table != (QName{}) {
		where = " in table " + a.Table.String()
	}
	return fmt.Sprintf("%s %s%s is new and %s %s gone: renamed or new?",
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
// is an ambiguity, settled by opts. A model that fails
// schema.Model.Validate is an error.
func Diff(from, to *schema.Model, opts Options) ([]Change, error) {
	// The differ matches objects by name: a name declared twice or a key
	// on a missing column would make it guess, or panic.
	if err := from.Validate(); err != nil {
		return nil, fmt.Errorf("old model: %w", err)
	}
	if err := to.Validate(); err != nil {
		return nil, fmt.Errorf("new model: %w", err)
	}
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
	colRenames map[*schema.Table]map[QName]QName
	// typeChanged holds the columns of cur whose type changes, keyed by
	// table and name.
	typeChanged map[objKey]bool
	resolveErr  error
	// reverse maps a table of cur to its new counterpart.
	reverse map[*schema.Table]*schema.Table
	// policyKept holds the policies of cur that stay, altered or not,
	// keyed by table and name.
	policyKept map[objKey]bool
	// triggerKept holds the triggers of cur that stay, keyed by table and
	// name.
	triggerKept map[objKey]bool
	// views is what the differ knows about views (diff_views.go).
	views viewState
}

// QName names an object within its namespace: a table or enum by schema
// and name, a schema or a column by name alone (Schema is empty). The
// differ keys objects by it. Names are never joined into one string, as a
// dot is an ordinary character in a PostgreSQL name.
type QName struct{ Schema, Name string }

// String spells q for messages, each part quoted so that a dot inside one
// stays readable: "a.b"."t", or "t" for a name alone.
func (q QName) String() string {
	if q.Schema == "" {
		return strconv.Quote(q.Name)
	}
	return strconv.Quote(q.Schema) + "." + strconv.Quote(q.Name)
}

func (q QName) compare(o QName) int {
	return cmp.Or(cmp.Compare(q.Schema, o.Schema), cmp.Compare(q.Name, o.Name))
}

type objKey struct {
	table *schema.Table // in cur
	name  string
}

func (d *differ) emit(c ...Change) { d.out = append(d.out, c...) }

func (d *differ) run() error {
	d.viewsBegin()
	d.schemas()
	d.createExtensions()
	d.sequences()
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
	if err := d.checkPartitioning(); err != nil {
		return err
	}
	d.dropViews()
	d.dropTriggers()
	d.functions()
	d.dropPolicies()
	d.dropForeignKeys()
	d.dropIndexes()
	d.dropPartitions()
	d.dropTables()
	d.dropConstraints()
	d.columns()
	d.dropFunctions()
	d.dropEnums()
	d.dropSequences()
	d.dropExtensions()
	d.dropSchemas()
	d.createTables()
	d.createPartitions()
	d.addConstraints()
	d.addForeignKeys()
	d.createIndexes()
	d.createViews()
	d.createPolicies()
	d.createTriggers()
	d.comments()
	d.viewComments()
	return nil
}

// pairNames matches new names to old ones: rename hints that form a swap
// or a chain first, then equal names, then the other hints, then opts for
// whatever is left on both sides. It returns the renames as new → old.
func (d *differ) pairNames(kind string, table QName, olds, news []QName, hint func(QName) QName) map[QName]QName {
	// A hint may point at a name that stays in use (two columns swapping
	// names, a chain a→b→c): it wins over the equal name only when the
	// object now holding the old name is itself renamed away, and the new
	// name's old owner is renamed too. A stale hint next to an object that
	// kept its name is ignored.
	oldSet, newSet := namesOf(olds), namesOf(news)
	active := map[QName]QName{}
	for _, n := range news {
		if h := hint(n); h != (QName{}) && h != n && oldSet[h] && (newSet[h] || oldSet[n]) {
			active[n] = h
		}
	}
	for changed := true; changed; {
		changed = false
		claimed := map[QName]bool{}
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
	renames := map[QName]QName{}
	for _, n := range news {
		if h, ok := active[n]; ok && oldLeft[h] {
			renames[n] = h
			delete(oldLeft, h)
		}
	}
	var newLeft []QName
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
	var unhinted []QName
	for _, n := range newLeft {
		if h := hint(n); h != (QName{}) && oldLeft[h] {
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
func (d *differ) settle(kind string, table QName, oldLeft map[QName]bool, news []QName, renames map[QName]QName) {
	if len(oldLeft) == 0 || len(news) == 0 || d.opts.DropAndAdd || kind == "schema" {
		return
	}
	for _, n := range news {
		cands := slices.SortedFunc(maps.Keys(oldLeft), QName.compare)
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
		if old == (QName{}) {
			continue
		}
		if !oldLeft[old] {
			if d.resolveErr == nil {
				d.resolveErr = fmt.Errorf("%s %s: %s is not one of the candidates", kind, n, old)
			}
			return
		}
		renames[n] = old
		delete(oldLeft, old)
	}
}

// schemas creates and renames schemas; dropping waits until nothing is in
// them any more.
func (d *differ) schemas() {
	var olds, news []QName
	for _, s := range d.cur.Schemas {
		olds = append(olds, QName{Name: s.Name})
	}
	hints := map[QName]QName{}
	for _, s := range d.to.Schemas {
		news = append(news, QName{Name: s.Name})
		if s.Was != "" {
			hints[QName{Name: s.Name}] = QName{Name: s.Was}
		}
	}
	renames := d.pairNames("schema", QName{}, olds, news, func(n QName) QName { return hints[n] })
	for _, r := range sequence(renamePairs(renames), namesOf(olds)) {
		d.emit(RenameSchema{From: r.from.Name, To: r.to.Name, Aside: r.aside})
		d.renameSchema(r.from.Name, r.to.Name)
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
	for _, s := range d.cur.Sequences {
		if s.Schema == from {
			s.Schema = to
		}
	}
	for _, v := range d.cur.Views {
		if v.Schema == from {
			v.Schema = to
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

// enums creates, renames, moves and extends enums. Rebuilds and drops
// happen later, around the columns that use them.
func (d *differ) enums() {
	curBy := map[QName]*schema.Enum{}
	var olds, news []QName
	for _, e := range d.cur.Enums {
		curBy[QName{e.Schema, e.Name}] = e
		olds = append(olds, QName{e.Schema, e.Name})
	}
	toBy := map[QName]*schema.Enum{}
	for _, e := range d.to.Enums {
		toBy[QName{e.Schema, e.Name}] = e
		news = append(news, QName{e.Schema, e.Name})
	}
	renames := d.pairNames("enum", QName{}, olds, news, func(n QName) QName {
		e := toBy[n]
		if o := curBy[n]; o != nil && o.Was == e.Was {
			return QName{} // applied already (see matchColumns)
		}
		return d.hintAcrossSchemas(olds, news, e.Schema, e.Name, e.Was)
	})
	// Moves first, then renames within the new schema.
	var rs []rename
	for _, ne := range d.to.Enums {
		n := QName{ne.Schema, ne.Name}
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
			rs = append(rs, rename{from: QName{ne.Schema, oe.Name}, to: n})
		}
	}
	inUse := map[QName]bool{}
	for _, e := range d.cur.Enums {
		inUse[QName{e.Schema, e.Name}] = true
	}
	for _, r := range sequence(rs, inUse) {
		e := d.cur.Enum(r.from.Schema, r.from.Name)
		d.emit(RenameEnum{Schema: r.to.Schema, From: e.Name, To: r.to.Name, Aside: r.aside})
		d.renameEnum(e, r.to.Schema, r.to.Name)
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

// hintAcrossSchemas returns the old name a new object (named
// schemaName.name, with rename hint was) comes from: the hint in its own
// schema, else the hint or its own name in exactly one other schema whose
// object is gone (a move).
func (d *differ) hintAcrossSchemas(olds, news []QName, schemaName, name, was string) QName {
	gone := func(q QName) bool { return slices.Contains(olds, q) && !slices.Contains(news, q) }
	// The hint in its own schema may name an object that stays (a swap):
	// pairNames decides.
	if was != "" && slices.Contains(olds, QName{schemaName, was}) {
		return QName{schemaName, was}
	}
	var found []QName
	for _, o := range olds {
		if o.Schema != schemaName && (o.Name == name || (was != "" && o.Name == was)) && gone(o) {
			found = append(found, o)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return QName{}
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
		switch {
		case i > 0:
			c.After = e.Values[i-1]
		case len(have) > 0:
			c.Before = have[0]
		default:
			// The enum had no values (PostgreSQL allows that, and pull
			// reads one): the first needs no neighbour.
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
	curBy := map[QName]*schema.Table{}
	var olds, news []QName
	for _, t := range d.cur.Tables {
		q := QName{t.Schema, t.Name}
		curBy[q] = t
		olds = append(olds, q)
	}
	toBy := map[QName]*schema.Table{}
	for _, t := range d.to.Tables {
		q := QName{t.Schema, t.Name}
		toBy[q] = t
		news = append(news, q)
	}
	renames := d.pairNames("table", QName{}, olds, news, func(n QName) QName {
		t := toBy[n]
		if o := curBy[n]; o != nil && o.Was == t.Was {
			return QName{} // applied already (see matchColumns)
		}
		return d.hintAcrossSchemas(olds, news, t.Schema, t.Name, t.Was)
	})
	d.tables = map[*schema.Table]*schema.Table{}
	d.dropped = map[*schema.Table]bool{}
	matched := map[*schema.Table]bool{}
	for _, t := range d.to.Tables {
		q := QName{t.Schema, t.Name}
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
	d.colRenames = map[*schema.Table]map[QName]QName{}
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		var olds, news []QName
		for _, col := range c.Columns {
			olds = append(olds, QName{Name: col.Name})
		}
		for _, col := range t.Columns {
			news = append(news, QName{Name: col.Name})
		}
		r := d.pairNames("column", QName{t.Schema, t.Name}, olds, news, func(n QName) QName {
			// An old column that carries the same hint is the result of
			// that rename (a model diffed with itself): in a swap, the
			// hint would otherwise apply again.
			if o := c.Column(n.Name); o != nil && o.Was == t.Column(n.Name).Was {
				return QName{}
			}
			return QName{Name: t.Column(n.Name).Was}
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
			d.movePartitions(c, t.Schema)
			d.renameTable(c, t.Schema, c.Name)
		}
		if c.Name != t.Name {
			rs = append(rs, rename{from: QName{c.Schema, c.Name}, to: QName{t.Schema, t.Name}})
		}
	}
	inUse := map[QName]bool{}
	for _, c := range d.cur.Tables {
		inUse[QName{c.Schema, c.Name}] = true
	}
	for _, r := range sequence(rs, inUse) {
		c := d.cur.Table(r.from.Schema, r.from.Name)
		d.emit(RenameTable{Table: nameOf(c), To: r.to.Name, Aside: r.aside})
		d.renameTable(c, c.Schema, r.to.Name)
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
		inUse := map[QName]bool{}
		for _, col := range c.Columns {
			inUse[QName{Name: col.Name}] = true
		}
		for _, r := range sequence(renamePairs(renames), inUse) {
			d.emit(RenameColumn{Table: nameOf(c), From: r.from.Name, To: r.to.Name, Aside: r.aside})
			d.renameColumn(c, r.from.Name, r.to.Name)
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
	if t.Partition != nil {
		re(t.Partition.Columns)
	}
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
	from, to QName
	aside    bool
}

func renamePairs(m map[QName]QName) []rename {
	var rs []rename
	for n, o := range m {
		rs = append(rs, rename{from: o, to: n})
	}
	return rs
}

func namesOf(names []QName) map[QName]bool {
	m := map[QName]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// sequence orders renames so that none targets a name still in use: in a
// chain (a→b, b→c) the last link goes first, and a cycle (a→b, b→a) passes
// through a temporary name. inUse holds the names taken now.
func sequence(rs []rename, inUse map[QName]bool) []rename {
	slices.SortFunc(rs, func(a, b rename) int { return a.from.compare(b.from) })
	inUse = maps.Clone(inUse)
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

// tempName returns a free name for a rename cycle, in name's namespace.
func tempName(name QName, inUse map[QName]bool) QName {
	for i := 0; ; i++ {
		suffix := "__tmp"
		if i > 0 {
			suffix = fmt.Sprintf("__tmp%d", i)
		}
		t := QName{name.Schema, truncate(name.Name, schema.MaxIdentifierLength-len(suffix)) + suffix}
		if !inUse[t] {
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
