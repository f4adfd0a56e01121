package migrations

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// Views and materialized views.
type (
	// CreateView creates a view or a materialized view (its indexes are
	// CreateIndex changes that follow).
	CreateView struct{ View *schema.View }
	// ReplaceView replaces a view's query and options with CREATE OR
	// REPLACE VIEW: the new query returns the old columns first, with
	// their names and types, so the views that use it stay.
	ReplaceView struct{ View *schema.View }
	// DropView drops a view or a materialized view. Recreated says one of
	// the same name is created again later in the migration (its query
	// changed, or a column it uses is retyped).
	DropView struct {
		Schema, Name string
		Materialized bool
		Recreated    bool
	}
	// RenameView renames a view within its schema (Aside: see
	// RenameSchema).
	RenameView struct {
		Schema, From, To string
		Materialized     bool
		Aside            bool
	}
	// SetViewSchema moves a view to another schema.
	SetViewSchema struct {
		From, Name, To string
		Materialized   bool
	}
	// AlterViewOptions sets and resets a view's options (ALTER VIEW ...
	// SET (...), RESET (...)); Set holds name=value pairs, Reset names.
	AlterViewOptions struct {
		Schema, Name string
		Set, Reset   []string
	}
)

func (CreateView) change()       {}
func (ReplaceView) change()      {}
func (DropView) change()         {}
func (RenameView) change()       {}
func (SetViewSchema) change()    {}
func (AlterViewOptions) change() {}

// viewState is what the differ knows about views between its steps.
type viewState struct {
	// origTable holds the name each table of cur had before the
	// migration's renames, which is how an old view's query names it.
	origTable map[*schema.Table]string
	// kept maps a new view to the one of cur it stays (renamed, replaced
	// or with new options, maybe); the others of cur are dropped and the
	// new ones without a counterpart created.
	kept map[*schema.View]*schema.View
}

// viewsBegin records the tables' names before any rename.
func (d *differ) viewsBegin() {
	d.views.origTable = map[*schema.Table]string{}
	for _, t := range d.cur.Tables {
		d.views.origTable[t] = t.Name
	}
}

// sqlNames returns the identifiers an SQL text uses, as PostgreSQL folds
// them (unquoted ones in lower case): a view's query names the tables,
// views and types it uses among them. It errs on the side of more names
// (a column or alias named like a table counts).
func sqlNames(sql string) map[string]bool {
	names := map[string]bool{}
	for tok := range sqlsplit.Tokens(sql) {
		switch {
		case tok.Word:
			names[strings.ToLower(tok.Text)] = true
		case len(tok.Text) >= 2 && tok.Text[0] == '"' && tok.Text[len(tok.Text)-1] == '"':
			names[strings.ReplaceAll(tok.Text[1:len(tok.Text)-1], `""`, `"`)] = true
		}
	}
	return names
}

// viewQueryChanged reports whether two views' queries differ, as
// PostgreSQL prints them back when known.
func viewQueryChanged(a, b *schema.View) bool {
	return parsed(a.Definition, a.ParsedDefinition) != parsed(b.Definition, b.ParsedDefinition)
}

// replaceable reports whether CREATE OR REPLACE VIEW turns old into v:
// plain views both, with the old columns first in v, names and types
// unchanged.
func replaceable(old, v *schema.View) bool {
	if old.Materialized || v.Materialized || len(v.Columns) < len(old.Columns) {
		return false
	}
	for i, c := range old.Columns {
		if v.Columns[i].Name != c.Name || v.Columns[i].Type != c.Type {
			return false
		}
	}
	return true
}

// viewTouchedNames are the names an old view must not use for it to stay
// through the migration: tables that are dropped or have a column dropped,
// recreated or retyped (PostgreSQL refuses those under a view; with SELECT
// * a query names no column, so the table is what counts), and enums that
// are rebuilt or dropped, by their names before and after the migration.
func (d *differ) viewTouchedNames() map[string]bool {
	names := map[string]bool{}
	for _, o := range d.cur.Tables {
		if d.dropped[o] {
			names[d.views.origTable[o]] = true
		}
	}
	rebuilt := map[QName]bool{}
	for ne, old := range d.rebuilt {
		rebuilt[QName{ne.Schema, ne.Name}], rebuilt[QName{old.Schema, old.Name}] = true, true
		names[ne.Name], names[old.Name] = true, true
	}
	for _, e := range d.cur.Enums {
		if d.to.Enum(e.Schema, e.Name) == nil {
			names[e.Name] = true
		}
	}
	for t, c := range d.tables {
		for _, col := range c.Columns {
			if t.Column(col.Name) == nil || d.recreated[c][col.Name] || d.typeChanged[objKey{c, col.Name}] ||
				rebuilt[QName{col.Type.Schema, col.Type.Name}] {
				names[d.views.origTable[c]], names[c.Name] = true, true
				break
			}
		}
	}
	return names
}

func uses(names, touched map[string]bool) bool {
	for n := range names {
		if touched[n] {
			return true
		}
	}
	return false
}

// dropViews pairs the new views with the old ones (by name, then by
// rename hint; a view holds no data, so one that is gone is simply
// dropped), decides which stay, and emits the drops, dependants first,
// then the renames and moves of those that stay. It runs before any
// table or column is dropped or changed.
func (d *differ) dropViews() {
	d.views.kept = map[*schema.View]*schema.View{}
	curBy := map[QName]*schema.View{}
	var olds, news []QName
	for _, o := range d.cur.Views {
		curBy[QName{o.Schema, o.Name}] = o
		olds = append(olds, QName{o.Schema, o.Name})
	}
	for _, v := range d.to.Views {
		news = append(news, QName{v.Schema, v.Name})
	}
	taken := map[*schema.View]bool{}
	pair := map[*schema.View]*schema.View{}
	for _, v := range d.to.Views {
		if o := curBy[QName{v.Schema, v.Name}]; o != nil {
			pair[v], taken[o] = o, true
		}
	}
	for _, v := range d.to.Views {
		if pair[v] != nil || v.Was == "" {
			continue
		}
		h := d.hintAcrossSchemas(olds, news, v.Schema, v.Name, v.Was)
		if o := curBy[h]; o != nil && !taken[o] {
			pair[v], taken[o] = o, true
		}
	}

	touched := d.viewTouchedNames()
	oldNames := map[*schema.View]map[string]bool{}
	for _, o := range d.cur.Views {
		oldNames[o] = sqlNames(o.Definition)
	}
	for _, v := range d.to.Views {
		o := pair[v]
		if o == nil || o.Materialized != v.Materialized || uses(oldNames[o], touched) {
			continue
		}
		// WITH NO DATA says how a materialized view is created: once
		// refreshed it holds rows like any other, so a change of it alone
		// changes nothing.
		changed := viewQueryChanged(o, v)
		if o.Materialized && changed || changed && !replaceable(o, v) {
			continue
		}
		d.views.kept[v] = o
	}
	stays := map[*schema.View]bool{}
	for _, o := range d.views.kept {
		stays[o] = true
	}
	// A view that stays must not use one that goes: the names of those
	// that go grow until no view that stays names one.
	goneNames := map[string]bool{}
	for _, g := range d.cur.Views {
		if !stays[g] {
			goneNames[g.Name] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for v, o := range d.views.kept {
			if uses(oldNames[o], goneNames) {
				delete(d.views.kept, v)
				stays[o], changed = false, true
				goneNames[o.Name] = true
			}
		}
	}
	var gone []*schema.View
	for _, o := range d.cur.Views {
		if !stays[o] {
			gone = append(gone, o)
		}
	}
	recreated := map[*schema.View]bool{}
	for v, o := range pair {
		if d.views.kept[v] == nil {
			recreated[o] = true
		}
	}
	// Dependants first: the reverse of the order of creation.
	order := viewOrder(gone, oldNames)
	for i := len(order) - 1; i >= 0; i-- {
		o := order[i]
		d.emit(DropView{Schema: o.Schema, Name: o.Name, Materialized: o.Materialized, Recreated: recreated[o]})
	}
	d.cur.Views = slices.DeleteFunc(d.cur.Views, func(o *schema.View) bool { return !stays[o] })

	// Indexes of materialized views that stay: those that go or change.
	for v, o := range d.views.kept {
		for _, ix := range o.Indexes {
			if i := slices.IndexFunc(v.Indexes, func(n schema.Index) bool { return n.Name == ix.Name }); i < 0 || !sameIndex(ix, v.Indexes[i]) {
				d.emit(DropIndex{Schema: o.Schema, Name: ix.Name})
			}
		}
	}
	d.renameViews()
}

// renameViews moves and renames the views that stay under another name.
func (d *differ) renameViews() {
	var rs []rename
	mat := map[QName]bool{}
	for _, v := range sortedViews(d.to.Views) {
		o := d.views.kept[v]
		if o == nil {
			continue
		}
		if o.Schema != v.Schema {
			d.emit(SetViewSchema{From: o.Schema, Name: o.Name, To: v.Schema, Materialized: o.Materialized})
			o.Schema = v.Schema
		}
		if o.Name != v.Name {
			rs = append(rs, rename{from: QName{o.Schema, o.Name}, to: QName{v.Schema, v.Name}})
			mat[QName{o.Schema, o.Name}] = o.Materialized
		}
	}
	inUse := map[QName]bool{}
	for _, o := range d.cur.Views {
		inUse[QName{o.Schema, o.Name}] = true
	}
	for _, t := range d.cur.Tables {
		inUse[QName{t.Schema, t.Name}] = true
	}
	for _, r := range sequence(rs, inUse) {
		o := d.cur.View(r.from.Schema, r.from.Name)
		d.emit(RenameView{Schema: o.Schema, From: o.Name, To: r.to.Name, Materialized: o.Materialized, Aside: r.aside})
		o.Name = r.to.Name
	}
}

// createViews creates the new views, dependencies first, with the
// indexes of materialized views, and replaces or alters those that stay:
// after the tables, columns and indexes, before the policies, which may
// read a view.
func (d *differ) createViews() {
	names := map[*schema.View]map[string]bool{}
	for _, v := range d.to.Views {
		names[v] = sqlNames(v.Definition)
	}
	for _, v := range viewOrder(d.to.Views, names) {
		o := d.views.kept[v]
		switch {
		case o == nil:
			d.emit(CreateView{View: v})
		case viewQueryChanged(o, v):
			d.emit(ReplaceView{View: v})
		case o.Options != v.Options:
			set, reset := optionChanges(o.Options, v.Options)
			d.emit(AlterViewOptions{Schema: v.Schema, Name: v.Name, Set: set, Reset: reset})
		}
		for _, ix := range v.Indexes {
			if o != nil {
				if i := slices.IndexFunc(o.Indexes, func(n schema.Index) bool { return n.Name == ix.Name }); i >= 0 && sameIndex(o.Indexes[i], ix) {
					continue
				}
			}
			d.emit(CreateIndex{Table: TableName{v.Schema, v.Name}, Index: ix})
		}
	}
}

// viewComments sets the comments of views and their columns, as comments
// does for tables.
func (d *differ) viewComments() {
	for _, v := range d.to.Views {
		o := d.views.kept[v]
		prev := ""
		if o != nil {
			prev = o.Comment
		}
		if prev != v.Comment {
			d.emit(SetComment{Kind: v.Kind(), Schema: v.Schema, Name: v.Name, Text: v.Comment})
		}
		for _, col := range v.Columns {
			prev := ""
			if o != nil {
				if oc := o.Column(col.Name); oc != nil {
					prev = oc.Comment
				}
			}
			if prev != col.Comment {
				d.emit(SetComment{Kind: CommentColumn, Schema: v.Schema, Name: v.Name, Column: col.Name, Text: col.Comment})
			}
		}
	}
}

func sortedViews(vs []*schema.View) []*schema.View {
	return slices.SortedFunc(slices.Values(vs), func(a, b *schema.View) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
}

// viewOrder sorts views so that each comes after those its query names
// (names[v]), else by schema and name. Names that form a cycle (a
// column named like another view, say) are taken in name order.
func viewOrder(vs []*schema.View, names map[*schema.View]map[string]bool) []*schema.View {
	sorted := sortedViews(vs)
	// Kahn's algorithm, taking the first ready view in sorted order each
	// time, and when a cycle leaves none ready the first left: what
	// picking the first view that names no view left gives, without
	// comparing every view with every other (a million pairs at 1,000).
	byName := map[string][]int{}
	for i, v := range sorted {
		byName[v.Name] = append(byName[v.Name], i)
	}
	waits := make([]int, len(sorted)) // views left that i's query names
	dependants := make([][]int, len(sorted))
	for i, v := range sorted {
		for name := range names[v] {
			for _, j := range byName[name] {
				if j != i {
					waits[i]++
					dependants[j] = append(dependants[j], i)
				}
			}
		}
	}
	ready := &indexHeap{}
	for i := range sorted {
		if waits[i] == 0 {
			heap.Push(ready, i)
		}
	}
	placed := make([]bool, len(sorted))
	out := make([]*schema.View, 0, len(sorted))
	first := 0 // no view before it is left
	for len(out) < len(sorted) {
		var i int
		if ready.Len() > 0 {
			i = heap.Pop(ready).(int)
		} else {
			for placed[first] {
				first++
			}
			i = first
		}
		if placed[i] {
			continue // taken in a cycle, and ready since
		}
		placed[i] = true
		out = append(out, sorted[i])
		for _, d := range dependants[i] {
			if waits[d]--; waits[d] == 0 && !placed[d] {
				heap.Push(ready, d)
			}
		}
	}
	return out
}

// indexHeap is a min-heap of indexes, for container/heap.
type indexHeap []int

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *indexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// optionChanges spells what ALTER VIEW sets and resets to turn options a
// into b.
func optionChanges(a, b schema.ViewOptions) (set, reset []string) {
	flag := func(name string, was, is bool) {
		switch {
		case is && !was:
			set = append(set, name+"=true")
		case was && !is:
			reset = append(reset, name)
		}
	}
	flag("security_invoker", a.SecurityInvoker, b.SecurityInvoker)
	flag("security_barrier", a.SecurityBarrier, b.SecurityBarrier)
	switch {
	case b.CheckOption != "" && b.CheckOption != a.CheckOption:
		set = append(set, "check_option="+b.CheckOption)
	case b.CheckOption == "" && a.CheckOption != "":
		reset = append(reset, "check_option")
	}
	return set, reset
}

// viewOptions spells a view's WITH (...) list, "" for none.
func viewOptions(o schema.ViewOptions) string {
	set, _ := optionChanges(schema.ViewOptions{}, o)
	if len(set) == 0 {
		return ""
	}
	return " WITH (" + strings.Join(set, ", ") + ")"
}

func viewKeyword(materialized bool) string {
	if materialized {
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

// viewStatements spells the view changes; ok is false for any other
// change. The query is written as the schema has it, on a line of its
// own.
func viewStatements(c Change) (sql []string, warning string, ok bool) {
	switch c := c.(type) {
	case CreateView:
		v := c.View
		if v.Materialized {
			s := fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS\n%s", quote.Ident(v.Schema, v.Name), v.Definition)
			if v.WithNoData {
				s += "\nWITH NO DATA"
			}
			return []string{s + ";"}, "", true
		}
		return []string{fmt.Sprintf("CREATE VIEW %s%s AS\n%s;", quote.Ident(v.Schema, v.Name), viewOptions(v.Options), v.Definition)}, "", true
	case ReplaceView:
		v := c.View
		return []string{fmt.Sprintf("CREATE OR REPLACE VIEW %s%s AS\n%s;", quote.Ident(v.Schema, v.Name), viewOptions(v.Options), v.Definition)}, "", true
	case DropView:
		if !c.Recreated {
			warning = fmt.Sprintf("drops %s %s: what reads it fails from now on", strings.ToLower(viewKeyword(c.Materialized)), quote.Ident(c.Schema, c.Name))
		}
		return []string{fmt.Sprintf("DROP %s %s;", viewKeyword(c.Materialized), quote.Ident(c.Schema, c.Name))}, warning, true
	case RenameView:
		return []string{fmt.Sprintf("ALTER %s %s RENAME TO %s;", viewKeyword(c.Materialized), quote.Ident(c.Schema, c.From), quote.Ident(c.To))}, swapWarning(c.Aside), true
	case SetViewSchema:
		return []string{fmt.Sprintf("ALTER %s %s SET SCHEMA %s;", viewKeyword(c.Materialized), quote.Ident(c.From, c.Name), quote.Ident(c.To))}, "", true
	case AlterViewOptions:
		var out []string
		if len(c.Set) > 0 {
			out = append(out, fmt.Sprintf("ALTER VIEW %s SET (%s);", quote.Ident(c.Schema, c.Name), strings.Join(c.Set, ", ")))
		}
		if len(c.Reset) > 0 {
			out = append(out, fmt.Sprintf("ALTER VIEW %s RESET (%s);", quote.Ident(c.Schema, c.Name), strings.Join(c.Reset, ", ")))
		}
		return out, "", true
	}
	return nil, "", false
}

// describeView names a view change for a migration's name; ok is false
// for any other change.
func describeView(c Change) (name string, create, ok bool) {
	switch c := c.(type) {
	case CreateView:
		return "create_" + c.View.Name, true, true
	case ReplaceView:
		return "replace_" + c.View.Name, false, true
	case DropView:
		return "drop_" + c.Name, false, true
	case RenameView:
		return "rename_" + c.From, false, true
	case SetViewSchema:
		return "move_" + c.Name, false, true
	case AlterViewOptions:
		return "alter_" + c.Name, false, true
	}
	return "", false, false
}
