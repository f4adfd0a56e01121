package seed

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// Plan is what a run writes: the tables in load order, parents before
// children, each with its row count, the columns it writes and how each
// column's values are made. New checks everything a run can know before
// it writes; a Plan's rows are made while they are written (Rows), and
// only the values that foreign keys refer to are kept.
type Plan struct {
	model *schema.Model
	opts  Options
	// Tables are the tables the run fills, in load order.
	Tables []*TablePlan
	// External are the tables foreign keys point to that the run does not
	// fill: their keys are read from the database before anything is
	// written (SetExisting).
	External []*TablePlan
}

// TablePlan is one table of a Plan.
type TablePlan struct {
	Table *schema.Table
	// Count is the number of rows.
	Count int
	// Columns are the columns the rows hold, in the table's order; the
	// others are left to the database (identity ALWAYS, generated
	// columns, columns with a default that nothing needs to know).
	Columns []string
	// Sequences are the identity and serial columns whose sequences must
	// move past the values written.
	Sequences []string

	cols   []*colPlan
	fks    []*fkPlan
	tuples []*tuplePlan
	// store keeps the values of the columns foreign keys refer to, by
	// column, one per row.
	store    map[string][]any
	stored   []int // indexes into cols of the stored columns
	external bool
	done     bool
	// withCounts, when a parent's With drives this table, is the number of
	// rows per parent row, and withFK the foreign key they hang on.
	withCounts []int
	withFK     *fkPlan
	// indexes are parent rows by the values of some of their columns, for
	// a foreign key that shares columns with another (see fkPlan.overlap).
	indexes map[string]map[string][]int
}

// Name is the table's name as messages print it: schema.table.
func (t *TablePlan) Name() string { return t.Table.Schema + "." + t.Table.Name }

type colPlan struct {
	col *schema.Column
	gen *valueGen
	// fn and rnd make the values of a column with a Func.
	fn    func(r *rand.Rand, row int) any
	rnd   *rand.Rand
	s     *stream
	nulls float64
	// seq makes row i's value i+1: identity and serial columns.
	seq bool
	// carrier makes the column unique on its own: row i takes value
	// number perm(i).
	carrier *perm
	// fk is the foreign key that sets the column; tuple and dim the
	// unique tuple it is a dimension of.
	fk    *fkPlan
	tuple *tuplePlan
	dim   int
}

type fkPlan struct {
	fk     schema.ForeignKey
	owner  *TablePlan
	parent *TablePlan
	cols   []int // indexes into the child's cols
	// nullable: every column of the key may be NULL, so NULL rows are
	// drawn and a cycle can be broken here.
	nullable bool
	self     bool
	deferred bool
	s        *stream
	nulls    float64
	tuple    *tuplePlan
	dim      int
	// overlap are positions in cols already set by an earlier foreign
	// key of the row: the parent row must agree with them.
	overlap []int
}

// tuplePlan makes a unique constraint unique when no column can carry it
// alone: row i takes tuple number perm(i) of the product of its
// dimensions' sizes (parent rows for a foreign key, values for a column).
type tuplePlan struct {
	name  string
	sizes []uint64
	p     perm
	cur   []uint64
}

// Error is a problem with the schema or the options that New finds
// before anything is written.
type Error struct {
	Table  string // schema.table, or "" for the whole run
	Column string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Table != "" {
		fmt.Fprintf(&b, "table %s", e.Table)
		if e.Column != "" {
			fmt.Fprintf(&b, ", column %s", e.Column)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// New plans a run over model m.
func New(m *schema.Model, opts Options) (*Plan, error) {
	if opts.Count < 0 {
		return nil, &Error{Msg: fmt.Sprintf("count %d is negative", opts.Count)}
	}
	if opts.Count == 0 {
		opts.Count = DefaultCount
	}
	p := &Plan{model: m, opts: opts}
	byName := map[*schema.Table]*TablePlan{}
	tableOpts := map[*schema.Table]Table{}
	for _, key := range slices.Sorted(mapKeys(opts.Tables)) {
		t := lookup(m, key)
		if t == nil {
			return nil, &Error{Msg: fmt.Sprintf("the seed settings name table %q, which the schema does not declare", key)}
		}
		if _, dup := tableOpts[t]; dup {
			return nil, &Error{Msg: fmt.Sprintf("the seed settings name table %s twice", t.Schema+"."+t.Name)}
		}
		tableOpts[t] = opts.Tables[key]
	}
	seeded := m.Tables
	if len(opts.Only) > 0 {
		seeded = nil
		for _, name := range opts.Only {
			t := lookup(m, name)
			if t == nil {
				return nil, &Error{Msg: fmt.Sprintf("%q is not a table of the schema", name)}
			}
			if !slices.Contains(seeded, t) {
				seeded = append(seeded, t)
			}
		}
	}
	for _, t := range seeded {
		tp := &TablePlan{Table: t, Count: opts.Count, store: map[string][]any{}}
		o := tableOpts[t]
		if o.Count < 0 {
			return nil, &Error{Table: tp.Name(), Msg: fmt.Sprintf("count %d is negative", o.Count)}
		}
		if o.Count > 0 {
			tp.Count = o.Count
		}
		byName[t] = tp
	}
	// Children's counts from their parents' With.
	for _, t := range seeded {
		parent := byName[t]
		o := tableOpts[t]
		for _, childName := range slices.Sorted(mapKeys(o.With)) {
			ct := lookup(m, childName)
			child := byName[ct]
			if child == nil {
				return nil, &Error{Table: parent.Name(), Msg: fmt.Sprintf("with names %q, which is not a table this run fills", childName)}
			}
			if child.withCounts != nil {
				return nil, &Error{Table: child.Name(), Msg: "more than one table's with sets its rows"}
			}
			if tableOpts[ct].Count > 0 {
				return nil, &Error{Table: child.Name(), Msg: fmt.Sprintf("both a count and the with of %s set its rows", parent.Name())}
			}
			ws := o.With[childName]
			if err := checkWeights(ws); err != nil {
				return nil, &Error{Table: parent.Name(), Msg: fmt.Sprintf("with %s: %v", childName, err)}
			}
			s := newStream(opts.Seed, parent.Name()+".with."+child.Name())
			child.withCounts = make([]int, parent.Count)
			total := 0
			weights := make([]float64, len(ws))
			for i, w := range ws {
				weights[i] = w.Weight
			}
			for i := range child.withCounts {
				w := ws[s.pick(len(ws), weights)]
				n := int(s.between(int64(w.Min), int64(w.Max)))
				child.withCounts[i] = n
				total += n
			}
			child.Count = total
		}
	}
	for _, t := range seeded {
		if err := p.planColumns(byName[t], tableOpts[t], byName); err != nil {
			return nil, err
		}
	}
	for _, t := range seeded {
		if err := p.planForeignKeys(byName[t], tableOpts[t], byName); err != nil {
			return nil, err
		}
	}
	if err := p.order(seeded, byName); err != nil {
		return nil, err
	}
	for _, tp := range p.Tables {
		if err := p.planUniques(tp); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// lookup finds a table by "name" (in public, or the only table of that
// name) or "schema.name".
func lookup(m *schema.Model, name string) *schema.Table {
	if t := m.Table(schema.DefaultSchema, name); t != nil {
		return t
	}
	if s, n, ok := strings.Cut(name, "."); ok {
		if t := m.Table(s, n); t != nil {
			return t
		}
	}
	var found *schema.Table
	for _, t := range m.Tables {
		if t.Name == name {
			if found != nil {
				return nil // ambiguous: the schema must be named
			}
			found = t
		}
	}
	return found
}

func checkWeights(ws []Weighted) error {
	if len(ws) == 0 {
		return fmt.Errorf("no weighted ranges")
	}
	for _, w := range ws {
		if w.Weight <= 0 || w.Min < 0 || w.Max < w.Min {
			return fmt.Errorf("a weighted range needs a weight above 0 and 0 <= min <= max, not weight %g, %d to %d", w.Weight, w.Min, w.Max)
		}
	}
	return nil
}

// keyColumns are the columns of t that some key or foreign key names:
// their values matter beyond the row, so the database's default is not
// used for them.
func keyColumns(m *schema.Model, t *schema.Table) map[string]bool {
	keys := map[string]bool{}
	for _, set := range uniqueSets(t) {
		for _, c := range set.cols {
			keys[c] = true
		}
	}
	for _, fk := range t.ForeignKeys {
		for _, c := range fk.Columns {
			keys[c] = true
		}
	}
	for _, o := range m.Tables {
		for _, fk := range o.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
				for _, c := range fk.RefColumns {
					keys[c] = true
				}
			}
		}
	}
	return keys
}

type uniqueSet struct {
	name             string
	cols             []string
	nullsNotDistinct bool
}

// uniqueSets are t's primary key, unique constraints and unique indexes
// on plain columns. A partial index counts as if it had no predicate:
// rows unique over the whole table are unique over any part of it.
func uniqueSets(t *schema.Table) []uniqueSet {
	var sets []uniqueSet
	if t.PrimaryKey != nil {
		sets = append(sets, uniqueSet{t.PrimaryKey.Name, t.PrimaryKey.Columns, true})
	}
	for _, u := range t.Uniques {
		sets = append(sets, uniqueSet{u.Name, u.Columns, u.NullsNotDistinct})
	}
next:
	for _, ix := range t.Indexes {
		if !ix.Unique {
			continue
		}
		var cols []string
		for _, e := range ix.Elements {
			if e.Column == "" {
				continue next
			}
			cols = append(cols, e.Column)
		}
		sets = append(sets, uniqueSet{ix.Name, cols, ix.NullsNotDistinct})
	}
	return sets
}

// constantDefault matches a default that is a constant, possibly cast:
// the seeder makes varied values instead of repeating it.
var constantDefault = regexp.MustCompile(`^\s*(?:'(?:[^']|'')*'|-?[0-9.]+|true|false|TRUE|FALSE)\s*(?:::[\w ."\[\]()]+)?\s*$`)

func (p *Plan) planColumns(tp *TablePlan, o Table, byName map[*schema.Table]*TablePlan) error {
	t := tp.Table
	for name := range o.Columns {
		if t.Column(name) == nil {
			return &Error{Table: tp.Name(), Msg: fmt.Sprintf("the seed settings name column %q, which the table does not have", name)}
		}
	}
	keys := keyColumns(p.model, t)
	referenced := map[string]bool{}
	for _, other := range p.model.Tables {
		if byName[other] == nil {
			continue
		}
		for _, fk := range other.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
				for _, c := range fk.RefColumns {
					referenced[c] = true
				}
			}
		}
	}
	// The key of a row a deferred foreign key is filled by is stored too.
	if t.PrimaryKey != nil {
		for _, c := range t.PrimaryKey.Columns {
			referenced[c] = true
		}
	}
	for _, c := range t.Columns {
		co := o.Columns[c.Name]
		given := len(co.Values) > 0 || co.Range != nil || co.Func != nil
		if co.Func != nil && (len(co.Values) > 0 || co.Range != nil || co.Nulls != nil) {
			return &Error{Table: tp.Name(), Column: c.Name, Msg: "a Func and values, a range or a share of NULLs at once: the function makes every value"}
		}
		if len(co.Weights) > 0 && len(co.Weights) != len(co.Values) {
			return &Error{Table: tp.Name(), Column: c.Name, Msg: fmt.Sprintf("%d weights for %d values", len(co.Weights), len(co.Values))}
		}
		for _, w := range co.Weights {
			if w < 0 {
				return &Error{Table: tp.Name(), Column: c.Name, Msg: "a weight is negative"}
			}
		}
		if co.Nulls != nil && (*co.Nulls < 0 || *co.Nulls > 1) {
			return &Error{Table: tp.Name(), Column: c.Name, Msg: fmt.Sprintf("nulls %g is not between 0 and 1", *co.Nulls)}
		}
		if co.Skip && given {
			return &Error{Table: tp.Name(), Column: c.Name, Msg: "skipped and given values at once"}
		}
		switch {
		case c.Generated != "":
			if given {
				return &Error{Table: tp.Name(), Column: c.Name, Msg: "a generated column takes no values"}
			}
			continue
		case co.Skip:
			if c.NotNull && c.Default == "" && c.Identity == schema.IdentityNone && !c.Type.IsSerial() {
				return &Error{Table: tp.Name(), Column: c.Name, Msg: "skipped, but it is NOT NULL without a default, so no row could be written"}
			}
			continue
		case c.Identity == schema.IdentityAlways && !referenced[c.Name] && !given:
			tp.Sequences = append(tp.Sequences, c.Name)
			continue
		case c.Default != "" && !keys[c.Name] && !given && !constantDefault.MatchString(c.Default):
			continue
		}
		cp := &colPlan{col: c, s: newStream(p.opts.Seed, tp.Name()+"."+c.Name)}
		if !c.NotNull {
			cp.nulls = 0.1
			if co.Nulls != nil {
				cp.nulls = *co.Nulls
			}
		}
		if co.Func != nil {
			// The function's values are written as they are.
			cp.fn, cp.rnd, cp.nulls = co.Func, rand.New(cp.s.pcg), 0
		} else if (c.Identity != schema.IdentityNone || c.Type.IsSerial()) && !given {
			cp.seq = true
			tp.Sequences = append(tp.Sequences, c.Name)
		} else {
			g, err := newValueGen(p.model, t, c, co)
			if err != nil {
				var ue *unsupportedError
				if isUnsupported(err, &ue) && !c.NotNull && !keys[c.Name] {
					continue // the database puts NULL there
				}
				if ue != nil {
					err = fmt.Errorf("%v: give it values in the seed options, or skip it", err)
				}
				return &Error{Table: tp.Name(), Column: c.Name, Msg: err.Error()}
			}
			cp.gen = g
		}
		if referenced[c.Name] {
			tp.stored = append(tp.stored, len(tp.cols))
		}
		tp.Columns = append(tp.Columns, c.Name)
		tp.cols = append(tp.cols, cp)
	}
	return nil
}

// planForeignKeys plans tp's foreign keys, in the table's order: an
// earlier one sets shared columns first. Every table's columns are
// planned by then.
func (p *Plan) planForeignKeys(tp *TablePlan, o Table, byName map[*schema.Table]*TablePlan) error {
	t := tp.Table
	set := map[int]*fkPlan{}
	for _, fk := range t.ForeignKeys {
		pt := p.model.Table(fk.RefSchema, fk.RefTable)
		if pt == nil {
			return &Error{Table: tp.Name(), Msg: fmt.Sprintf("foreign key %s references %s.%s, which the schema does not declare", fk.Name, fk.RefSchema, fk.RefTable)}
		}
		parent := byName[pt]
		if parent == nil {
			parent = p.external(pt)
		}
		fp := &fkPlan{fk: fk, owner: tp, parent: parent, nullable: true, self: pt == t, nulls: 0.1}
		for _, name := range fk.Columns {
			i := tp.colIndex(name)
			if i < 0 {
				return &Error{Table: tp.Name(), Column: name, Msg: fmt.Sprintf("foreign key %s needs the column's values, and the options skip it", fk.Name)}
			}
			cp := tp.cols[i]
			if cp.seq || cp.fn != nil || cp.gen != nil && len(o.Columns[name].Values) > 0 {
				return &Error{Table: tp.Name(), Column: name, Msg: fmt.Sprintf("foreign key %s sets the column, so it takes no values of its own", fk.Name)}
			}
			if cp.col.NotNull {
				fp.nullable = false
			}
			if prev := set[i]; prev != nil {
				fp.overlap = append(fp.overlap, len(fp.cols))
			} else {
				set[i] = fp
				cp.fk = fp
				cp.gen = nil
			}
			fp.cols = append(fp.cols, i)
		}
		if n := o.Columns[fk.Columns[0]].Nulls; n != nil {
			fp.nulls = *n
		}
		if !fp.nullable {
			fp.nulls = 0
		}
		fp.s = newStream(p.opts.Seed, tp.Name()+"."+strings.Join(fk.Columns, ","))
		for _, rc := range fk.RefColumns {
			if parent.external {
				if !slices.Contains(parent.Columns, rc) {
					parent.Columns = append(parent.Columns, rc)
				}
				continue
			}
			if parent.colIndex(rc) < 0 {
				return &Error{Table: parent.Name(), Column: rc, Msg: fmt.Sprintf("foreign key %s of %s needs the column's values, and the options skip it", fk.Name, tp.Name())}
			}
		}
		if fp.self && len(fp.overlap) > 0 {
			return &Error{Table: tp.Name(), Msg: fmt.Sprintf("foreign key %s refers to the table itself and shares columns with another foreign key, which the seeder cannot fill", fk.Name)}
		}
		tp.fks = append(tp.fks, fp)
	}
	return nil
}

func isUnsupported(err error, target **unsupportedError) bool {
	ue, ok := err.(*unsupportedError)
	if ok {
		*target = ue
	}
	return ok
}

func (tp *TablePlan) colIndex(name string) int {
	return slices.IndexFunc(tp.cols, func(c *colPlan) bool { return c.col.Name == name })
}

func (p *Plan) external(t *schema.Table) *TablePlan {
	for _, e := range p.External {
		if e.Table == t {
			return e
		}
	}
	e := &TablePlan{Table: t, external: true, store: map[string][]any{}}
	p.External = append(p.External, e)
	return e
}

// order puts the tables in load order: a table after every table its
// foreign keys reference. A cycle is broken at a foreign key whose columns
// may be NULL: its rows are written with NULL there, then updated once
// the parent is written. A cycle of NOT NULL foreign keys is an error.
func (p *Plan) order(seeded []*schema.Table, byName map[*schema.Table]*TablePlan) error {
	// The foreign key a parent's With hangs children on.
	for _, t := range seeded {
		tp := byName[t]
		if tp.withCounts == nil {
			continue
		}
		parent := tp.withParent(p, byName)
		for _, f := range tp.fks {
			if f.parent == parent && !f.self && len(f.overlap) == 0 && (tp.withFK == nil || tp.withFK.nullable && !f.nullable) {
				tp.withFK = f
			}
		}
		if tp.withFK == nil {
			return &Error{Table: tp.Name(), Msg: fmt.Sprintf("the with of %s sets its rows, but no foreign key of it references %s", parent.Name(), parent.Name())}
		}
		if len(tp.withCounts) != parent.Count {
			panic("seed: with counts out of step")
		}
	}
	remaining := slices.Clone(seeded)
	done := map[*TablePlan]bool{}
	ready := func(tp *TablePlan, nullableToo bool) bool {
		for _, f := range tp.fks {
			if f.self || f.parent.external || done[f.parent] || f.deferred {
				continue
			}
			if nullableToo && f.nullable {
				continue
			}
			return false
		}
		return true
	}
	for len(remaining) > 0 {
		i := slices.IndexFunc(remaining, func(t *schema.Table) bool { return ready(byName[t], false) })
		if i < 0 {
			i = slices.IndexFunc(remaining, func(t *schema.Table) bool { return ready(byName[t], true) })
			if i < 0 {
				return &Error{Msg: "the foreign keys " + p.cycle(remaining, byName) + " form a cycle of NOT NULL columns, so no table of it can be written first; make one of them nullable, or seed a table of it apart (Only)"}
			}
			tp := byName[remaining[i]]
			for _, f := range tp.fks {
				if !f.self && !f.parent.external && !done[f.parent] {
					f.deferred = true
					if tp.Table.PrimaryKey == nil {
						return &Error{Table: tp.Name(), Msg: fmt.Sprintf("foreign key %s closes a cycle, so it is filled after the rows are written, which needs a primary key the table does not have", f.fk.Name)}
					}
					if f == tp.withFK {
						return &Error{Table: tp.Name(), Msg: fmt.Sprintf("the with of %s sets its rows, but its foreign key %s closes a cycle", f.parent.Name(), f.fk.Name)}
					}
				}
			}
		}
		tp := byName[remaining[i]]
		done[tp] = true
		p.Tables = append(p.Tables, tp)
		remaining = slices.Delete(remaining, i, i+1)
	}
	return nil
}

// withParent is the table whose With sets tp's rows.
func (tp *TablePlan) withParent(p *Plan, byName map[*schema.Table]*TablePlan) *TablePlan {
	for t, o := range p.opts.Tables {
		for child := range o.With {
			if lookup(p.model, child) == tp.Table {
				return byName[lookup(p.model, t)]
			}
		}
	}
	return nil
}

// cycle names a cycle of NOT NULL foreign keys among tables, which exists
// when order finds no table to write.
func (p *Plan) cycle(tables []*schema.Table, byName map[*schema.Table]*TablePlan) string {
	in := map[*TablePlan]bool{}
	for _, t := range tables {
		in[byName[t]] = true
	}
	// Walk NOT NULL edges from the first table until a table repeats.
	seen := map[*TablePlan]int{}
	var path []*fkPlan
	tp := byName[tables[0]]
	for {
		if at, ok := seen[tp]; ok {
			var names []string
			for _, f := range path[at:] {
				names = append(names, fmt.Sprintf("%s (%s → %s)", f.fk.Name, f.owner.Name(), f.parent.Name()))
			}
			return strings.Join(names, ", ")
		}
		seen[tp] = len(path)
		var next *fkPlan
		for _, f := range tp.fks {
			if !f.nullable && !f.self && in[f.parent] {
				next = f
				break
			}
		}
		if next == nil {
			return "among " + tp.Name()
		}
		path = append(path, next)
		tp = next.parent
	}
}

// planUniques makes every unique constraint of tp hold: a column that can
// be unique on its own carries it, else the constraint's columns take
// distinct tuples. A count no choice can hold is an error.
func (p *Plan) planUniques(tp *TablePlan) error {
	n := uint64(tp.Count)
	for _, u := range uniqueSets(tp.Table) {
		var cols []*colPlan
		satisfied, skipped := false, false
		for _, name := range u.cols {
			i := tp.colIndex(name)
			if i < 0 {
				c := tp.Table.Column(name)
				if c != nil && (c.Identity != schema.IdentityNone || c.Type.IsSerial()) {
					satisfied = true // the database numbers it
				} else {
					skipped = true // skipped by the options, or generated: the database's to judge
				}
				continue
			}
			cp := tp.cols[i]
			if cp.seq || cp.carrier != nil {
				satisfied = true
			}
			if cp.fn != nil {
				skipped = true // the function's to keep unique, the database's to judge
			}
			cols = append(cols, cp)
		}
		if satisfied || skipped || n <= 1 {
			continue
		}
		// The widest free column carries the constraint alone.
		var best *colPlan
		for _, cp := range cols {
			if cp.fk == nil && cp.tuple == nil && cp.gen != nil && cp.gen.size >= n && (best == nil || cp.gen.size > best.gen.size) {
				best = cp
			}
		}
		if best != nil {
			// Values from a space ten times the count, not the type's
			// whole: short numbers read better (ada.berg37@example.com),
			// and a unique column stays unique whatever the space.
			pm := newPerm(best.s, min(best.gen.size, max(10*n, 1000)))
			best.carrier = &pm
			best.nulls = 0
			continue
		}
		// Else distinct tuples over the columns' value spaces.
		tu := &tuplePlan{name: u.name}
		var dims []string
		for _, cp := range cols {
			switch {
			case cp.fk != nil:
				f := cp.fk
				if f.tuple != nil {
					continue // a dimension already
				}
				for _, ci := range f.cols {
					if !slices.Contains(u.cols, tp.cols[ci].col.Name) {
						return p.uniqueShape(tp, u, fmt.Sprintf("foreign key %s has columns outside it", f.fk.Name))
					}
				}
				if f.parent.external || f.self || f.deferred || len(f.overlap) > 0 || tp.withFK == f {
					return p.uniqueShape(tp, u, fmt.Sprintf("its foreign key %s does not pick a parent row freely", f.fk.Name))
				}
				f.tuple, f.dim = tu, len(tu.sizes)
				f.nulls = 0
				tu.sizes = append(tu.sizes, uint64(f.parent.Count))
				dims = append(dims, fmt.Sprintf("%d rows of %s", f.parent.Count, f.parent.Name()))
			case cp.tuple != nil:
				return p.uniqueShape(tp, u, fmt.Sprintf("column %s is part of unique constraint %s already", cp.col.Name, cp.tuple.name))
			case cp.gen == nil || cp.gen.size == 0:
				return &Error{Table: tp.Name(), Column: cp.col.Name, Msg: fmt.Sprintf("unique constraint %s needs distinct values of type %s, which mizzle cannot make: give the column values in the seed options", u.name, cp.col.Type)}
			default:
				cp.tuple, cp.dim = tu, len(tu.sizes)
				cp.nulls = 0
				tu.sizes = append(tu.sizes, cp.gen.size)
				dims = append(dims, fmt.Sprintf("%d values of %s", cp.gen.size, cp.col.Name))
			}
		}
		size := uint64(1)
		for _, d := range tu.sizes {
			size = mulSat(size, d)
		}
		if size < n {
			col := ""
			if len(u.cols) == 1 {
				col = u.cols[0]
			}
			return &Error{Table: tp.Name(), Column: col, Msg: fmt.Sprintf("unique constraint %s on (%s) allows %d distinct rows (%s), and the count asks for %d: lower the count, or give the columns more values", u.name, strings.Join(u.cols, ", "), size, strings.Join(dims, " × "), n)}
		}
		tu.p = newPerm(newStream(p.opts.Seed, tp.Name()+"."+u.name), size)
		tu.cur = make([]uint64, len(tu.sizes))
		tp.tuples = append(tp.tuples, tu)
	}
	return nil
}

func (p *Plan) uniqueShape(tp *TablePlan, u uniqueSet, why string) error {
	return &Error{Table: tp.Name(), Msg: fmt.Sprintf("unique constraint %s on (%s) cannot be generated: %s; give one of its columns values in the seed options", u.name, strings.Join(u.cols, ", "), why)}
}
