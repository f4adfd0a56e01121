package loader

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// tableInfo is a table being built, with what the loader still needs to
// resolve once every table is known.
type tableInfo struct {
	t    *schema.Table
	decl *typeDecl
	cols []*colInfo // parallel to t.Columns
	refs []pendingRef
	fks  []pendingFK
	rels []pendingRel
}

// colInfo is where a column came from.
type colInfo struct {
	col   *schema.Column
	field *types.Var
	// site is the field of the table's own struct that brought the column
	// in: the field itself, or the embedded mixin.
	site schema.Position
}

// pendingRef is a ref: option, resolved after all tables are built.
type pendingRef struct {
	col      *colInfo
	typeName string
	field    string
	pos      schema.Position
	onDelete schema.Action
	onUpdate schema.Action
}

// pendingFK is a //mizzle:fk marker, resolved after all tables are built.
type pendingFK struct {
	fk       schema.ForeignKey
	typeName string
	mk       *marker
	typeOff  int
	colOffs  []int
	refOffs  []int
}

// columnOptions are the options a db tag accepts after the column name.
var columnOptions = []string{"pk", "unique", "index", "type", "default", "identity", "generated", "ref", "ondelete", "onupdate", "check", "was", "gen", "comment",
	"start", "increment", "minvalue", "maxvalue", "cache", "cycle"}

// optionValue says whether an option takes a value: required, optional or
// none.
var optionValue = map[string]string{
	"pk": "none", "unique": "optional", "index": "optional", "identity": "optional",
	"type": "type:SQLTYPE", "default": "default:SQLEXPR", "generated": "generated:SQLEXPR",
	"ref": "ref:Type.Field", "ondelete": "ondelete:ACTION", "onupdate": "onupdate:ACTION (with ref:), onupdate:SQLEXPR or onupdate:gen:Func",
	"gen":   "gen:Func",
	"check": "check:SQLEXPR", "was": "was:OLDNAME",
	"comment": "comment:'TEXT'",
	"start":   "start:N", "increment": "increment:N", "minvalue": "minvalue:N", "maxvalue": "maxvalue:N", "cache": "cache:N", "cycle": "none",
}

func (l *loader) buildTable(d *typeDecl) *tableInfo {
	t := &schema.Table{
		Schema: schema.DefaultSchema,
		Name:   schema.SnakeCase(d.obj.Name()),
		GoType: schema.GoType{Kind: schema.GoNamed, Path: l.pkg.PkgPath, Name: d.obj.Name()},
		Pos:    l.pos(d.spec.Name.Pos()),
	}
	if d.doc != nil {
		t.Doc = strings.TrimSpace(d.doc.Text())
	}
	mk := d.marker("table")
	sc := grammar.NewScanner(mk.Args)
	if name, off, err := sc.Name(); err != nil {
		l.markerError(mk, err)
	} else if name != "" {
		t.Name = name
		l.checkName(mk.at(off), "table", name)
	} else {
		l.checkName(t.Pos, "table", t.Name)
	}
	if rest, off := sc.Rest(); rest != "" {
		l.errs.Addf(mk.at(off), "unexpected %q after the table name; syntax: %s", rest, grammar.MarkerSyntax("table"))
	}
	l.applySchemaAndWas(d, "table", t.Name, &t.Schema, &t.Was)
	t.Comment = l.typeComment(d)
	ti := &tableInfo{t: t, decl: d}

	b := &tableBuilder{l: l, ti: ti, uniques: map[string]*namedGroup{}, indexes: map[string]*namedGroup{}}
	before := len(l.errs)
	b.fields(d.obj.Type().Underlying().(*types.Struct), nil, nil)
	if fs, ok := goFields(d.obj.Type().Underlying().(*types.Struct)); ok {
		t.GoFields = fs
	}
	// A table whose fields had mistakes may have no columns because of
	// them; saying so too would only be noise.
	if len(t.Columns) == 0 && len(l.errs) == before {
		l.errs.Addf(t.Pos, "table %q has no columns: give %s at least one exported field", t.Name, d.obj.Name())
	}
	b.keysFromOptions()
	for _, m := range d.markers {
		switch m.Name {
		case "pk":
			b.pkMarker(m)
		case "index":
			b.indexMarker(m)
		case "unique":
			b.uniqueMarker(m)
		case "check":
			b.checkMarker(m)
		case "fk":
			b.fkMarker(m)
		case "rls":
			b.rlsMarker(m)
		case "policy":
			b.policyMarker(m)
		case "trigger":
			b.triggerMarker(m)
		}
	}
	b.partitionMarkers()
	return ti
}

// namedGroup gathers the fields that share a unique:NAME or index:NAME.
type namedGroup struct {
	name  string
	cols  []string
	pos   schema.Position
	order int
}

type tableBuilder struct {
	l       *loader
	ti      *tableInfo
	pkCols  []*colInfo
	pkPos   schema.Position
	uniques map[string]*namedGroup
	indexes map[string]*namedGroup
	groups  int
	// view says the struct is a view's row type (see view.go).
	view bool
}

// fields adds the columns of a struct, recursing into embedded structs
// (mixins). site is the position of the table's own field that embeds the
// struct being read, nil at the top.
func (b *tableBuilder) fields(st *types.Struct, path []string, site *schema.Position) {
	l := b.l
	for i := range st.NumFields() {
		v := st.Field(i)
		fieldPos := l.pos(v.Pos())
		here := fieldPos
		if site != nil {
			here = *site
		}
		astField := l.fields[v.Pos()]
		tagPos := func(int) schema.Position { return fieldPos }
		if astField != nil && astField.Tag != nil {
			tagPos = l.tagPositioner(astField.Tag)
		}
		val, offs, found, err := grammar.LookupTag(st.Tag(i), "db")
		if err != nil {
			l.errs.Add(tagPos(-1), err.Error())
			continue
		}
		if rel, roffs, rfound, rerr := grammar.LookupTag(st.Tag(i), "rel"); rerr != nil {
			l.errs.Add(tagPos(-1), rerr.Error())
			continue
		} else if rfound && b.view {
			l.errs.Addf(tagPos(roffs[0]), "rel: on %s: relation fields are for tables, not views (tag it db:\"-\" to leave it out)", v.Name())
			continue
		} else if rfound {
			b.relationField(v, rel, tagPos(roffs[0]), path, found, val)
			continue
		}
		if found && val == "-" {
			continue
		}
		valPos := func(off int) schema.Position {
			if off < 0 || off >= len(offs) {
				return tagPos(-1)
			}
			return tagPos(offs[off])
		}
		if v.Embedded() {
			if mixin, ok := b.mixinStruct(v, fieldPos); ok {
				if found && val != "" {
					l.errs.Addf(valPos(0), "embedded struct %s takes no db options (only db:\"-\" to leave it out)", v.Name())
					continue
				}
				if mixin != nil {
					b.fields(mixin, append(path, v.Name()), &here)
				}
				continue
			}
		}
		if !v.Exported() {
			// Untagged, an unexported field is the struct's own business;
			// tagged, it was meant as a column that generated code could
			// never read or set.
			if found {
				l.errs.Addf(fieldPos, "field %s has a db tag but is unexported: a column's field must be exported (or tagged db:\"-\" to leave it out)", v.Name())
			}
			continue
		}
		b.column(v, val, valPos, path, here)
	}
}

// goFields lists every field of st, and those of its mixins, for the
// staleness check of generated code. ok is false when generated code could
// not spell a field: an unexported one, or one of an unexported type.
func goFields(st *types.Struct) (fs []schema.GoField, ok bool) {
	for i := range st.NumFields() {
		v := st.Field(i)
		if !v.Exported() {
			return nil, false
		}
		t, ok := goType(v.Type())
		if !ok || !exportedGoType(t) {
			return nil, false
		}
		f := schema.GoField{Name: v.Name(), Type: t, Embedded: v.Embedded()}
		if v.Embedded() {
			val, _, found, _ := grammar.LookupTag(st.Tag(i), "db")
			sub, isStruct := types.Unalias(v.Type()).Underlying().(*types.Struct)
			if isStruct && !isKnownValueType(v.Type()) && !(found && val == "-") {
				if f.Fields, ok = goFields(sub); !ok {
					return nil, false
				}
			}
		}
		fs = append(fs, f)
	}
	return fs, true
}

// exportedGoType reports whether another package can name t.
func exportedGoType(t schema.GoType) bool {
	if t.Kind == schema.GoNamed && t.Path != "" && !token.IsExported(t.Name) {
		return false
	}
	for _, a := range t.TypeArgs {
		if !exportedGoType(a) {
			return false
		}
	}
	if t.Key != nil && !exportedGoType(*t.Key) {
		return false
	}
	return t.Elem == nil || exportedGoType(*t.Elem)
}

// mixinStruct reports whether an embedded field is a mixin (a struct whose
// fields become columns) and returns its struct type; known value types such
// as time.Time are columns, not mixins.
func (b *tableBuilder) mixinStruct(v *types.Var, pos schema.Position) (*types.Struct, bool) {
	t := types.Unalias(v.Type())
	if p, ok := t.(*types.Pointer); ok {
		if _, ok := p.Elem().Underlying().(*types.Struct); ok && !isKnownValueType(p.Elem()) {
			b.l.errs.Addf(pos, "embedded *%s: embed mixins by value (a nil pointer would make scanning rows panic)", types.TypeString(p.Elem(), types.RelativeTo(b.l.pkg.Types)))
			return nil, true
		}
		return nil, false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || isKnownValueType(t) {
		return nil, false
	}
	return st, true
}

// isKnownValueType reports whether a struct type has a column mapping of its
// own (time.Time, sql.NullString, pgtype.Numeric, ...).
func isKnownValueType(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	if _, ok := namedSQLTypes[namedKey(n)]; ok {
		return true
	}
	_, _, ok = nullableWrapper(n)
	return ok
}

// tagPositioner maps an offset in a struct tag's text to a position. Only a
// raw string literal (the usual `...`) maps exactly; for an interpreted
// string the tag's start is the best the loader can do.
func (l *loader) tagPositioner(lit *ast.BasicLit) func(int) schema.Position {
	return func(off int) schema.Position {
		if off < 0 || !strings.HasPrefix(lit.Value, "`") {
			return l.pos(lit.Pos())
		}
		return l.pos(lit.Pos() + token.Pos(1+off))
	}
}

func (b *tableBuilder) column(v *types.Var, tagVal string, at func(int) schema.Position, path []string, site schema.Position) {
	l, t := b.l, b.ti.t
	fieldPos := l.pos(v.Pos())
	col := &schema.Column{Name: schema.SnakeCase(v.Name()), Pos: fieldPos}
	ci := &colInfo{col: col, field: v, site: site}
	col.GoField = b.goField(v, path)
	if g, ok := goType(v.Type()); ok {
		col.GoType = g
	}
	opts, err := grammar.SplitOptions(tagVal)
	if err != nil {
		l.errs.Addf(at(err.Off), "db tag of %s: %s", v.Name(), err.Msg)
		return
	}
	if tagVal != "" && opts[0].Key != "" {
		col.Name = opts[0].Key
		if strings.Contains(col.Name, ":") {
			l.errs.Addf(at(opts[0].Off), "column name %q looks like an option: the name comes first, so write db:\",%s\" to keep the default name", col.Name, col.Name)
			return
		}
	}
	nameAt := fieldPos
	if tagVal != "" && opts[0].Key != "" {
		nameAt = at(opts[0].Off)
	}
	l.checkName(nameAt, "column", col.Name)

	// Options, each once.
	given := map[string]grammar.TagOption{}
	bad := false
	for _, o := range opts[1:] {
		if o.Key == "" {
			l.errs.Addf(at(o.Off), "empty option in db tag of %s", v.Name())
			bad = true
			continue
		}
		need, known := optionValue[o.Key]
		if !known {
			msg := fmt.Sprintf("unknown column option %q", o.Key)
			if s := suggest(o.Key, columnOptions); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			l.errs.Add(at(o.Off), msg)
			bad = true
			continue
		}
		if !b.viewOption(o.Key, at(o.Off)) {
			bad = true
			continue
		}
		if _, dup := given[o.Key]; dup {
			l.errs.Addf(at(o.Off), "option %q given twice", o.Key)
			bad = true
			continue
		}
		switch {
		case need == "none" && o.HasValue:
			l.errs.Addf(at(o.Off), "option %q takes no value", o.Key)
			bad = true
			continue
		case need != "none" && need != "optional" && o.Value == "":
			l.errs.Addf(at(o.Off), "option %q needs a value: %s", o.Key, need)
			bad = true
			continue
		}
		given[o.Key] = o
	}
	if bad {
		return
	}

	// The type: nullability from the Go type, the SQL type from type: or the
	// default mapping.
	base := v.Type()
	nullable := false
	wrapperSQL := ""
	if inner, name, ok := nullableWrapper(base); ok {
		nullable = true
		wrapperSQL = name
		base = inner
	}
	if o, ok := given["type"]; ok {
		typ, err := schema.ParseType(o.Value)
		if err != nil {
			l.errs.Addf(at(o.ValOff), "invalid type: %v", err)
			return
		}
		col.Type = typ
	} else if wrapperSQL != "" {
		col.Type = schema.Type{Name: wrapperSQL}
	} else if typ, ok := sqlTypeOf(base, l.enumOf); ok {
		col.Type = typ
	} else if msg := b.relationHint(v); msg != "" {
		l.errs.Add(fieldPos, msg)
		return
	} else {
		l.errs.Addf(fieldPos, "unsupported Go type %s for column %q: add type:SQLTYPE to its db tag (type:jsonb for a struct stored as JSON)",
			types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types)), col.Name)
		return
	}
	col.NotNull = !nullable

	// Expressions are written into DDL as they are: each must stay inside
	// its statement. One that does not is reported and left out, and the
	// column stays, so that nothing else is reported about it.
	for _, key := range []string{"default", "generated", "check"} {
		if o, ok := given[key]; ok && !l.checkExpr(key+":", o.Value, func(off int) schema.Position { return at(o.ValOff + off) }) {
			delete(given, key)
		}
	}
	if o, ok := given["default"]; ok {
		col.Default = o.Value
		l.checkEnumDefault(col, at(o.ValOff))
	}
	if o, ok := given["generated"]; ok {
		col.Generated = o.Value
		if _, hasDefault := given["default"]; hasDefault {
			l.errs.Addf(at(o.Off), "column %q is generated and cannot also have a default", col.Name)
		}
	}
	if o, ok := given["identity"]; ok {
		switch strings.ToLower(o.Value) {
		case "", "by default", "bydefault":
			col.Identity = schema.IdentityByDefault
		case "always":
			col.Identity = schema.IdentityAlways
		default:
			l.errs.Addf(at(o.ValOff), "identity:%s: the value is \"always\" or nothing (identity means BY DEFAULT)", o.Value)
		}
		switch {
		case !col.Type.IsInteger():
			l.errs.Addf(at(o.Off), "identity column %q must be smallint, integer or bigint, not %s", col.Name, col.Type)
		case nullable:
			l.errs.Addf(at(o.Off), "identity column %q cannot be nullable (%s): identity columns are NOT NULL", col.Name, types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types)))
		case col.Default != "":
			l.errs.Addf(at(o.Off), "identity column %q cannot also have a default", col.Name)
		case col.Generated != "":
			l.errs.Addf(at(o.Off), "identity column %q cannot also be generated", col.Name)
		}
	}
	if col.Type.IsSerial() {
		switch {
		case nullable:
			l.errs.Addf(fieldPos, "%s column %q cannot be nullable: serial columns are NOT NULL", col.Type.Name, col.Name)
		case col.Default != "":
			l.errs.Addf(at(given["default"].Off), "%s column %q cannot have a default: its sequence is the default", col.Type.Name, col.Name)
		}
	}
	l.columnSequence(col, given, at)
	if o, ok := given["was"]; ok {
		if o.Value == col.Name {
			// The differ pairs a column with its own name anyway: such a
			// hint does nothing, and was most likely meant to name the
			// old column.
			l.errs.Addf(at(o.ValOff), "was:%s names the column's own name: was: gives the name the column had before a rename (remove it once the rename is applied)", o.Value)
		} else {
			col.Was = o.Value
		}
	}
	if o, ok := given["comment"]; ok {
		col.Comment, _ = l.columnComment(o, at)
	}
	if o, ok := given["check"]; ok {
		t.Checks = append(t.Checks, schema.Check{Name: schema.AutoName(t.Name, col.Name, "check"), Expr: o.Value, Pos: at(o.Off)})
	}
	if o, ok := given["pk"]; ok {
		if nullable {
			l.errs.Addf(at(o.Off), "primary key column %q is nullable (%s): use a non-pointer type", col.Name, types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types)))
		}
		if len(b.pkCols) == 0 {
			b.pkPos = at(o.Off)
		}
		b.pkCols = append(b.pkCols, ci)
	}
	for _, kind := range []string{"unique", "index"} {
		o, ok := given[kind]
		if !ok {
			continue
		}
		groups := b.uniques
		if kind == "index" {
			groups = b.indexes
		}
		key := o.Value
		if key == "" {
			key = "\x00" + col.Name // unnamed: a group of its own
		} else {
			l.checkName(at(o.ValOff), kind, o.Value)
		}
		g := groups[key]
		if g == nil {
			g = &namedGroup{name: o.Value, pos: at(o.Off), order: b.groups}
			b.groups++
			groups[key] = g
		}
		g.cols = append(g.cols, col.Name)
	}
	if o, ok := given["ref"]; ok {
		typeName, field, found := strings.Cut(o.Value, ".")
		if !found || typeName == "" || field == "" || strings.Contains(field, ".") {
			l.errs.Addf(at(o.ValOff), "ref:%s: write ref:Type.Field, naming the referenced struct and its field", o.Value)
		} else {
			r := pendingRef{col: ci, typeName: typeName, field: field, pos: at(o.ValOff)}
			for _, kind := range []string{"ondelete", "onupdate"} {
				if ao, ok := given[kind]; ok {
					a, valid := grammar.ActionFromTag(ao.Value)
					if !valid {
						l.errs.Addf(at(ao.ValOff), "%s:%s: the action is one of cascade, restrict, set null, set default, no action", kind, ao.Value)
					}
					if kind == "ondelete" {
						r.onDelete = a
					} else {
						r.onUpdate = a
					}
				}
			}
			b.ti.refs = append(b.ti.refs, r)
		}
	} else {
		if ao, ok := given["ondelete"]; ok {
			l.errs.Addf(at(ao.Off), "option %q needs a ref: on the same field", "ondelete")
		}
		// Without ref:, onupdate: is what generated updates set the column
		// to (drizzle's $onUpdate): SQL, or gen:Func.
		if o, ok := given["onupdate"]; ok {
			b.onUpdate(v, col, o, at)
		}
	}
	if o, ok := given["gen"]; ok {
		b.genDefault(v, col, o, at, given)
	}

	for _, other := range b.ti.cols {
		if other.col.Name == col.Name {
			l.errs.Addf(site, "duplicate column %q in table %q (first from field %s at %s:%d)",
				col.Name, t.Name, other.col.GoField, filepath.Base(other.col.Pos.Filename), other.col.Pos.Line)
			return
		}
	}
	t.Columns = append(t.Columns, col)
	b.ti.cols = append(b.ti.cols, ci)
}

// relationHint explains a field whose type is a table struct, or a pointer,
// slice or array of one, as ORMs with relations would have it: mizzle
// models a relation as a foreign key column, so "add type:SQLTYPE" would
// point the wrong way. It returns "" for any other field.
func (b *tableBuilder) relationHint(v *types.Var) string {
	l := b.l
	t, many := types.Unalias(v.Type()), false
	for {
		switch u := t.(type) {
		case *types.Pointer:
			t = types.Unalias(u.Elem())
			continue
		case *types.Slice:
			t, many = types.Unalias(u.Elem()), true
			continue
		case *types.Array:
			t, many = types.Unalias(u.Elem()), true
			continue
		}
		break
	}
	n, ok := t.(*types.Named)
	if !ok {
		return ""
	}
	var target *typeDecl
	for _, d := range l.decls {
		if d.obj == n.Obj() && d.marker("table") != nil && l.isStruct(d) {
			target = d
		}
	}
	if target == nil {
		return ""
	}
	msg := fmt.Sprintf("field %s of type %s looks like a relation to table %s, and a relation is not a column: ",
		v.Name(), types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types)), target.obj.Name())
	if many {
		// One row here, many there: the key column belongs to the other
		// table and references this one.
		msg += fmt.Sprintf("store this table's key in %s, %s", target.obj.Name(), fkAdvice(b.ti.decl))
	} else {
		msg += fmt.Sprintf("store %s's key in this table, %s", target.obj.Name(), fkAdvice(target))
	}
	// Then how to load it: a rel: tag naming that key.
	if many {
		msg += fmt.Sprintf(`; to load it, tag it rel:"%s.Field" naming that key field`, target.obj.Name())
	} else {
		msg += `; to load it, tag it rel:"Field" naming that key field`
	}
	return msg + `; or tag this field db:"-" to leave it out`
}

// fkAdvice says how to reference the table d: ref: naming its key field
// when one field is tagged pk, a //mizzle:fk marker when several are.
func fkAdvice(d *typeDecl) string {
	name := d.obj.Name()
	switch keys := keyFields(d); len(keys) {
	case 0: // a //mizzle:pk marker, or no key yet
		return fmt.Sprintf("with ref:%s.Field naming its key field (a foreign key)", name)
	case 1:
		return fmt.Sprintf("with ref:%s.%s (a foreign key)", name, keys[0])
	default:
		return fmt.Sprintf("with a //mizzle:fk NAME (cols) REFERENCES %s (cols) marker (a composite foreign key)", name)
	}
}

// keyFields names the fields of a table's struct, and of its mixins, tagged
// pk.
func keyFields(d *typeDecl) []string {
	var names []string
	var walk func(st *types.Struct)
	walk = func(st *types.Struct) {
		for i := range st.NumFields() {
			f := st.Field(i)
			val, _, found, err := grammar.LookupTag(st.Tag(i), "db")
			if err != nil || (found && val == "-") {
				continue
			}
			if sub, ok := types.Unalias(f.Type()).Underlying().(*types.Struct); ok && f.Embedded() && !isKnownValueType(f.Type()) {
				walk(sub)
				continue
			}
			opts, serr := grammar.SplitOptions(val)
			if serr != nil || !f.Exported() {
				continue
			}
			for _, o := range opts[1:] {
				if o.Key == "pk" {
					names = append(names, f.Name())
				}
			}
		}
	}
	walk(d.obj.Type().Underlying().(*types.Struct))
	return names
}

// goField returns how generated code reaches the field: its own name when Go
// promotes it to the table's struct, else the path through the mixins.
func (b *tableBuilder) goField(v *types.Var, path []string) string {
	if len(path) == 0 {
		return v.Name()
	}
	obj, _, _ := types.LookupFieldOrMethod(b.ti.decl.obj.Type(), false, b.l.pkg.Types, v.Name())
	if obj == v {
		return v.Name()
	}
	return strings.Join(append(slices.Clone(path), v.Name()), ".")
}

// checkEnumDefault reports a quoted default that is not a value of the
// column's enum, which PostgreSQL would only reject when the DDL runs.
func (l *loader) checkEnumDefault(col *schema.Column, pos schema.Position) {
	if col.Type.Schema == "" || col.Type.Array {
		return
	}
	d := col.Default
	if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' || strings.Count(d, "'") != 2 {
		return
	}
	for _, ei := range l.enums {
		if ei.e.Schema == col.Type.Schema && ei.e.Name == col.Type.Name {
			if !slices.Contains(ei.e.Values, d[1:len(d)-1]) {
				l.errs.Addf(pos, "default %s is not a value of enum %s (values: %s)", d, ei.e.Name, strings.Join(ei.e.Values, ", "))
			}
			return
		}
	}
}

// keysFromOptions turns pk, unique and index options into the table's
// primary key, unique constraints and indexes.
func (b *tableBuilder) keysFromOptions() {
	t := b.ti.t
	if len(b.pkCols) > 0 {
		pk := &schema.PrimaryKey{Pos: b.pkPos}
		for _, c := range b.pkCols {
			pk.Columns = append(pk.Columns, c.col.Name)
		}
		pk.Name = pkName(t.Name, pk.Columns)
		t.PrimaryKey = pk
	}
	for _, g := range sortedGroups(b.uniques) {
		name := g.name
		if name == "" {
			name = schema.AutoName(append(append([]string{t.Name}, g.cols...), "unique")...)
		}
		t.Uniques = append(t.Uniques, schema.Unique{Name: name, Columns: g.cols, Pos: g.pos})
	}
	for _, g := range sortedGroups(b.indexes) {
		name := g.name
		if name == "" {
			name = schema.AutoName(append(append([]string{t.Name}, g.cols...), "index")...)
		}
		ix := schema.Index{Name: name, Pos: g.pos}
		for _, c := range g.cols {
			ix.Elements = append(ix.Elements, schema.IndexElem{Column: c})
		}
		t.Indexes = append(t.Indexes, ix)
	}
}

// pkName follows PostgreSQL for a one-column key (which drizzle-kit leaves to
// the server) and drizzle-kit for a composite one.
func pkName(table string, cols []string) string {
	if len(cols) == 1 {
		return schema.AutoName(table, "pkey")
	}
	return schema.AutoName(append(append([]string{table}, cols...), "pk")...)
}

func sortedGroups(m map[string]*namedGroup) []*namedGroup {
	return slices.SortedFunc(maps.Values(m), func(a, b *namedGroup) int { return a.order - b.order })
}

// checkExpr reports an expression of the schema that would not stay inside
// the statement it is written into (sqlsplit.CheckEmbeddable says why:
// a semicolon, a parenthesis it did not open, a quote or comment left
// open, a -- comment). at gives the position of a byte of expr.
func (l *loader) checkExpr(what, expr string, at func(off int) schema.Position) bool {
	err := sqlsplit.CheckEmbeddable(expr)
	if err == nil {
		return true
	}
	var ee *sqlsplit.EmbedError
	if !errors.As(err, &ee) {
		l.errs.Addf(at(0), "%s %v", what, err)
		return false
	}
	l.errs.Addf(at(ee.Offset), "%s %s", what, ee.Msg)
	return false
}
