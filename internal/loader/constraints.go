package loader

import (
	"fmt"
	"go/types"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// markerName reads the required name that starts most table markers.
func (b *tableBuilder) markerName(mk *marker, sc *grammar.Scanner) (string, bool) {
	name, off, err := sc.Name()
	if err != nil {
		b.l.markerError(mk, err)
		return "", false
	}
	if name == "" {
		b.l.errs.Addf(mk.at(off), "//mizzle:%s needs a name; syntax: %s", mk.Name, grammar.MarkerSyntax(mk.Name))
		return "", false
	}
	b.l.checkName(mk.at(off), mk.Name, name)
	return name, true
}

// elements reads a parenthesised element list and checks that its plain
// columns exist. columnsOnly rejects expressions and per-column options.
func (b *tableBuilder) elements(mk *marker, sc *grammar.Scanner, what string, columnsOnly bool, t *schema.Table) ([]grammar.Element, bool) {
	inside, off, err := sc.Group(what)
	if err != nil {
		b.l.markerError(mk, err)
		return nil, false
	}
	at := func(o int) schema.Position { return mk.at(off + o) }
	if !b.l.checkExpr("//mizzle:"+mk.Name+":", inside, at) {
		return nil, false
	}
	els, err := grammar.ParseElements(inside, off)
	if err != nil {
		b.l.markerError(mk, err)
		return nil, false
	}
	ok := true
	for _, e := range els {
		// Each expression is written on its own too, in parentheses: a
		// comma inside a comment or dollar quote, which splits the list
		// here, must not leave half of one open.
		if e.Expr != "" && !b.l.checkExpr("//mizzle:"+mk.Name+":", e.Expr, func(int) schema.Position { return mk.at(e.Off) }) {
			ok = false
			continue
		}
		if columnsOnly && (e.Column == "" || e.Opclass != "" || e.Desc || e.Nulls != "") {
			b.l.errs.Addf(mk.at(e.Off), "//mizzle:%s: %s lists plain column names only", mk.Name, what)
			ok = false
			continue
		}
		if e.Column != "" && t.Column(e.Column) == nil {
			b.l.errs.Add(mk.at(e.Off), noColumn(mk.Name, e.Column, t))
			ok = false
		}
	}
	return els, ok
}

func noColumn(markerName, col string, t *schema.Table) string {
	msg := fmt.Sprintf("//mizzle:%s: no column %q in table %q", markerName, col, t.Name)
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	if s := suggestExact(col, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// suggestExact is suggest for names whose case matters (SQL column names).
func suggestExact(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist && d < len(c) {
			best, bestDist = c, d
		}
	}
	return best
}

func (b *tableBuilder) extra(mk *marker, sc *grammar.Scanner) {
	if rest, off := sc.Rest(); rest != "" {
		b.l.errs.Addf(mk.at(off), "//mizzle:%s: unexpected %q; syntax: %s", mk.Name, rest, grammar.MarkerSyntax(mk.Name))
	}
}

func (b *tableBuilder) pkMarker(mk *marker) {
	t := b.ti.t
	sc := grammar.NewScanner(mk.Args)
	name, noff, err := sc.Name()
	if err != nil {
		b.l.markerError(mk, err)
		return
	}
	els, ok := b.elements(mk, sc, "primary key column", true, t)
	if !ok {
		return
	}
	b.extra(mk, sc)
	if t.PrimaryKey != nil {
		b.l.errs.Addf(mk.pos, "primary key of %q declared twice: by pk options (line %d) and by //mizzle:pk", t.Name, t.PrimaryKey.Pos.Line)
		return
	}
	pk := &schema.PrimaryKey{Name: name, Pos: mk.pos}
	for _, e := range els {
		pk.Columns = append(pk.Columns, e.Column)
		if c := t.Column(e.Column); !c.NotNull {
			b.l.errs.Addf(mk.at(e.Off), "//mizzle:pk: column %q is nullable (%s): primary key columns need a non-pointer type", c.Name, c.GoType)
		}
	}
	if name == "" {
		pk.Name = pkName(t.Name, pk.Columns)
	} else {
		b.l.checkName(mk.at(noff), "primary key", name)
	}
	t.PrimaryKey = pk
}

func (b *tableBuilder) indexMarker(mk *marker) {
	t := b.ti.t
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	ix := schema.Index{Name: name, Pos: mk.pos}
	if _, ok := b.using(mk, sc, &ix.Method); !ok {
		return
	}
	els, ok := b.elements(mk, sc, "index element", false, t)
	if !ok {
		return
	}
	for _, e := range els {
		ix.Elements = append(ix.Elements, e.IndexElem)
	}
	if !b.where(mk, sc, &ix.Where) {
		return
	}
	t.Indexes = append(t.Indexes, ix)
}

// using reads an optional USING method into dst, the model's spelling:
// btree, the default, is "". given reports whether USING was there.
func (b *tableBuilder) using(mk *marker, sc *grammar.Scanner, dst *string) (given, ok bool) {
	if !sc.Keyword("using") {
		return false, true
	}
	method, off, err := sc.Name()
	if err != nil || method == "" || !grammar.IsBareIdent(method) {
		b.l.errs.Addf(mk.at(off), "//mizzle:%s: USING needs an access method name (btree, hash, gin, gist, brin, ...)", mk.Name)
		return true, false
	}
	if *dst = strings.ToLower(method); *dst == "btree" {
		*dst = ""
	}
	return true, true
}

// where reads an optional WHERE predicate, which runs to the end of the line.
func (b *tableBuilder) where(mk *marker, sc *grammar.Scanner, dst *string) bool {
	if sc.EOF() {
		return true
	}
	if !sc.Keyword("where") {
		b.extra(mk, sc)
		return false
	}
	pred, off := sc.Rest()
	if pred == "" {
		b.l.errs.Addf(mk.at(off), "//mizzle:%s: WHERE needs a predicate", mk.Name)
		return false
	}
	if !b.l.checkExpr("//mizzle:"+mk.Name+": WHERE:", pred, func(o int) schema.Position { return mk.at(off + o) }) {
		return false
	}
	*dst = pred
	return true
}

func (b *tableBuilder) uniqueMarker(mk *marker) {
	t := b.ti.t
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	var method string
	using, ok := b.using(mk, sc, &method)
	if !ok {
		return
	}
	els, ok := b.elements(mk, sc, "unique element", false, t)
	if !ok {
		return
	}
	nnd := sc.Keyword("nulls", "not", "distinct")
	var where string
	if !b.where(mk, sc, &where) {
		return
	}
	// USING names an index method, so it asks for a unique index even on
	// plain columns: the way to declare CREATE UNIQUE INDEX (drizzle-kit's
	// uniqueIndex) rather than a constraint.
	plain := where == "" && !using
	for _, e := range els {
		if e.Column == "" || e.Opclass != "" || e.Desc || e.Nulls != "" {
			plain = false
		}
	}
	// A constraint when PostgreSQL allows one (plain columns, no
	// predicate), else a unique index, as the grammar promises.
	if plain {
		u := schema.Unique{Name: name, NullsNotDistinct: nnd, Pos: mk.pos}
		for _, e := range els {
			u.Columns = append(u.Columns, e.Column)
		}
		t.Uniques = append(t.Uniques, u)
		return
	}
	ix := schema.Index{Name: name, Unique: true, Method: method, Where: where, NullsNotDistinct: nnd, Pos: mk.pos}
	for _, e := range els {
		ix.Elements = append(ix.Elements, e.IndexElem)
	}
	t.Indexes = append(t.Indexes, ix)
}

func (b *tableBuilder) checkMarker(mk *marker) {
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	expr, off, err := sc.Group("the check expression")
	if err != nil {
		b.l.markerError(mk, err)
		return
	}
	if strings.TrimSpace(expr) == "" {
		b.l.errs.Addf(mk.at(off), "//mizzle:check: the expression is empty")
		return
	}
	if !b.l.checkExpr("//mizzle:check:", expr, func(o int) schema.Position { return mk.at(off + o) }) {
		return
	}
	b.extra(mk, sc)
	b.ti.t.Checks = append(b.ti.t.Checks, schema.Check{Name: name, Expr: strings.TrimSpace(expr), Pos: mk.pos})
}

func (b *tableBuilder) fkMarker(mk *marker) {
	t := b.ti.t
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	els, ok := b.elements(mk, sc, "foreign key column", true, t)
	if !ok {
		return
	}
	if !sc.Keyword("references") {
		_, off := sc.Rest()
		b.l.errs.Addf(mk.at(off), "//mizzle:fk: expected REFERENCES Type (columns); syntax: %s", grammar.MarkerSyntax("fk"))
		return
	}
	typeName, toff, err := sc.Name()
	if err != nil || typeName == "" {
		b.l.errs.Addf(mk.at(toff), "//mizzle:fk: REFERENCES needs the referenced struct type's name")
		return
	}
	inside, roff, err := sc.Group("referenced column")
	if err != nil {
		b.l.markerError(mk, err)
		return
	}
	refs, err := grammar.ParseElements(inside, roff)
	if err != nil {
		b.l.markerError(mk, err)
		return
	}
	p := pendingFK{fk: schema.ForeignKey{Name: name, Pos: mk.pos}, typeName: typeName, mk: mk, typeOff: toff}
	for _, e := range els {
		p.fk.Columns = append(p.fk.Columns, e.Column)
		p.colOffs = append(p.colOffs, e.Off)
	}
	for _, e := range refs {
		if e.Column == "" || e.Opclass != "" || e.Desc || e.Nulls != "" {
			b.l.errs.Addf(mk.at(e.Off), "//mizzle:fk: referenced columns are plain column names only")
			return
		}
		p.fk.RefColumns = append(p.fk.RefColumns, e.Column)
		p.refOffs = append(p.refOffs, e.Off)
	}
	for !sc.EOF() {
		var dst *schema.Action
		switch {
		case sc.Keyword("on", "delete"):
			dst = &p.fk.OnDelete
		case sc.Keyword("on", "update"):
			dst = &p.fk.OnUpdate
		default:
			b.extra(mk, sc)
			return
		}
		a, ok := grammar.ParseAction(sc)
		if !ok {
			_, off := sc.Rest()
			b.l.errs.Addf(mk.at(off), "//mizzle:fk: the action is one of CASCADE, RESTRICT, SET NULL, SET DEFAULT, NO ACTION")
			return
		}
		*dst = a
	}
	if len(p.fk.Columns) != len(p.fk.RefColumns) {
		b.l.errs.Addf(mk.at(roff-1), "//mizzle:fk: the foreign key has %d columns but references %d", len(p.fk.Columns), len(p.fk.RefColumns))
		return
	}
	b.ti.fks = append(b.ti.fks, p)
}

// resolveRefs turns ref: options and //mizzle:fk markers into foreign keys
// now that every table is known.
func (l *loader) resolveRefs(ti *tableInfo) {
	t := ti.t
	for _, r := range ti.refs {
		target := l.lookupTable(r.typeName, r.pos, "ref:"+r.typeName+"."+r.field)
		if target == nil {
			continue
		}
		var refCol *schema.Column
		var fieldNames []string
		for _, c := range target.cols {
			fieldNames = append(fieldNames, c.field.Name())
			if c.field.Name() == r.field {
				refCol = c.col
			}
		}
		if refCol == nil {
			msg := fmt.Sprintf("ref:%s.%s: %s has no column field %q", r.typeName, r.field, r.typeName, r.field)
			if s := suggestExact(r.field, fieldNames); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			l.errs.Add(r.pos, msg)
			continue
		}
		what := "ref:" + r.typeName + "." + r.field
		if !l.sameType(r.col.col, refCol, target.t, r.pos) || !l.isKey(what, target.t, []string{refCol.Name}, r.pos) {
			continue
		}
		t.ForeignKeys = append(t.ForeignKeys, schema.ForeignKey{
			Name:       schema.AutoName(t.Name, r.col.col.Name, target.t.Name, refCol.Name, "fk"),
			Columns:    []string{r.col.col.Name},
			RefSchema:  target.t.Schema,
			RefTable:   target.t.Name,
			RefColumns: []string{refCol.Name},
			OnDelete:   r.onDelete,
			OnUpdate:   r.onUpdate,
			Pos:        r.pos,
		})
	}
	for _, p := range ti.fks {
		target := l.lookupTable(p.typeName, p.mk.at(p.typeOff), "//mizzle:fk")
		if target == nil {
			continue
		}
		ok := true
		for i, col := range p.fk.RefColumns {
			if target.t.Column(col) == nil {
				l.errs.Add(p.mk.at(p.refOffs[i]), noColumn("fk", col, target.t))
				ok = false
				continue
			}
			ok = l.sameType(t.Column(p.fk.Columns[i]), target.t.Column(col), target.t, p.mk.at(p.colOffs[i])) && ok
		}
		if !ok || !l.isKey("//mizzle:fk", target.t, p.fk.RefColumns, p.mk.at(p.typeOff)) {
			continue
		}
		p.fk.RefSchema, p.fk.RefTable = target.t.Schema, target.t.Name
		t.ForeignKeys = append(t.ForeignKeys, p.fk)
	}
}

// lookupTable finds the table declared by a Go type name of the schema
// package.
func (l *loader) lookupTable(typeName string, pos schema.Position, what string) *tableInfo {
	obj, _ := l.pkg.Types.Scope().Lookup(typeName).(*types.TypeName)
	if obj == nil {
		msg := fmt.Sprintf("%s: no type %q in package %s", what, typeName, l.pkg.Name)
		var names []string
		for _, ti := range l.order {
			names = append(names, ti.decl.obj.Name())
		}
		if s := suggestExact(typeName, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		l.errs.Add(pos, msg)
		return nil
	}
	ti := l.tables[obj]
	if ti == nil {
		l.errs.Addf(pos, "%s: type %s is not a table (it has no //mizzle:table marker)", what, typeName)
	}
	return ti
}

// sameType reports (and complains) when a foreign key column's type differs
// from the referenced column's, which PostgreSQL would reject or, worse,
// accept with implicit casts on every join.
func (l *loader) sameType(from, to *schema.Column, target *schema.Table, pos schema.Position) bool {
	if from.Type.Storage() != to.Type.Storage() {
		l.errs.Addf(pos, "column %q is %s but it references %s.%s, which is %s", from.Name, from.Type, target.Name, to.Name, to.Type.Storage())
		return false
	}
	return true
}

// isKey reports whether cols are the primary key or a unique key of t;
// PostgreSQL requires one for a foreign key to reference them.
func (l *loader) isKey(what string, t *schema.Table, cols []string, pos schema.Position) bool {
	if t.HasKey(cols) {
		return true
	}
	l.errs.Addf(pos, "%s: %s (%s) is neither the primary key nor unique; PostgreSQL needs one of them on referenced columns", what, t.Name, strings.Join(cols, ", "))
	return false
}
