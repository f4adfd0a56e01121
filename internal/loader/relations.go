package loader

import (
	"fmt"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// pendingRel is a field tagged rel:, resolved once every table's foreign
// keys are known.
type pendingRel struct {
	field *types.Var
	value string
	pos   schema.Position // the rel value's
}

// relationField reads a field tagged rel: (a relation, never a column) into
// ti's pending relations. path is the mixin path: a relation belongs to
// the table's own struct, so that generated code sets it on the row.
func (b *tableBuilder) relationField(v *types.Var, val string, pos schema.Position, path []string, dbFound bool, dbVal string) {
	l := b.l
	switch {
	case len(path) > 0:
		l.errs.Addf(pos, "relation field %s is in the embedded struct %s: declare relations in the table's own struct", v.Name(), path[0])
	case !v.Exported():
		l.errs.Addf(pos, "relation field %s is unexported: generated code sets it, so it must be exported", v.Name())
	case dbFound && dbVal != "-":
		l.errs.Addf(pos, "field %s has both a rel and a db tag: a relation is not a column, so it takes no db tag", v.Name())
	case val == "":
		l.errs.Addf(pos, `empty rel tag on field %s; syntax: rel:"Field" (belongs-to), rel:"Type.Field" (has-one, has-many) or rel:"JoinType" (many-to-many)`, v.Name())
	default:
		b.ti.rels = append(b.ti.rels, pendingRel{field: v, value: val, pos: pos})
	}
}

// resolveRelations turns ti's rel: fields into relations along the
// foreign keys of the model. The field's type says which kind: a slice is
// has-many (rel:"Type.Field") or many-to-many (rel:"JoinType"); a struct
// or a pointer to one is has-one (rel:"Type.Field") or belongs-to
// (rel:"Field", this struct's foreign key field).
func (l *loader) resolveRelations(ti *tableInfo) {
	for _, p := range ti.rels {
		if r, ok := l.resolveRelation(ti, p); ok {
			ti.t.Relations = append(ti.t.Relations, r)
		}
	}
}

func (l *loader) resolveRelation(ti *tableInfo, p pendingRel) (schema.Relation, bool) {
	r := schema.Relation{Field: p.field.Name(), Pos: p.pos}
	what := "rel:" + p.value
	typ := types.Unalias(p.field.Type())
	many := false
	switch u := typ.(type) {
	case *types.Slice:
		typ, many = types.Unalias(u.Elem()), true
	case *types.Pointer:
		typ, r.Pointer = types.Unalias(u.Elem()), true
	}
	target := l.tableOf(typ)
	if target == nil {
		l.errs.Addf(p.pos, "%s: field %s is %s, and a relation field holds a table's struct: T or *T for one row, []T for many", what,
			p.field.Name(), types.TypeString(p.field.Type(), types.RelativeTo(l.pkg.Types)))
		return r, false
	}
	r.Schema, r.Table = target.t.Schema, target.t.Name
	typeName, fieldName, dotted := strings.Cut(p.value, ".")
	switch {
	case dotted && many:
		r.Kind = schema.HasMany
	case dotted:
		r.Kind = schema.HasOne
	case many:
		r.Kind = schema.ManyToMany
	default:
		r.Kind = schema.BelongsTo
	}
	switch r.Kind {
	case schema.BelongsTo:
		col := l.columnField(ti, p.value, p.pos, what)
		if col == nil {
			return r, false
		}
		fk, ok := l.oneFK(ti, []string{col.Name}, target, p.pos, what,
			fmt.Sprintf("%s.%s has no foreign key to %s: add ref:%s.Field to it", ti.decl.obj.Name(), p.value, target.decl.obj.Name(), target.decl.obj.Name()))
		if !ok {
			return r, false
		}
		r.Columns, r.RefColumns = fk.Columns, fk.RefColumns
	case schema.HasOne, schema.HasMany:
		child := l.lookupTable(typeName, p.pos, what)
		if child == nil {
			return r, false
		}
		if child != target {
			l.errs.Addf(p.pos, "%s: field %s holds %s, not %s", what, p.field.Name(), target.decl.obj.Name(), typeName)
			return r, false
		}
		col := l.columnField(child, fieldName, p.pos, what)
		if col == nil {
			return r, false
		}
		fk, ok := l.oneFK(child, []string{col.Name}, ti, p.pos, what,
			fmt.Sprintf("%s.%s has no foreign key to %s: add ref:%s.Field to it", typeName, fieldName, ti.decl.obj.Name(), ti.decl.obj.Name()))
		if !ok {
			return r, false
		}
		r.Columns, r.RefColumns = fk.RefColumns, fk.Columns
	case schema.ManyToMany:
		join := l.lookupTable(p.value, p.pos, what)
		if join == nil {
			return r, false
		}
		from, ok := l.oneFK(join, nil, ti, p.pos, what, fmt.Sprintf("join table %s has no foreign key to %s", p.value, ti.decl.obj.Name()))
		if !ok {
			return r, false
		}
		to, ok := l.oneFK(join, nil, target, p.pos, what, fmt.Sprintf("join table %s has no foreign key to %s", p.value, target.decl.obj.Name()))
		if !ok {
			return r, false
		}
		if ti == target {
			l.errs.Addf(p.pos, "%s: join table %s refers to %s twice, so which side is which is ambiguous", what, p.value, ti.decl.obj.Name())
			return r, false
		}
		r.Columns, r.RefColumns = from.RefColumns, to.RefColumns
		r.Through = &schema.Through{Schema: join.t.Schema, Table: join.t.Name, Columns: from.Columns, RefColumns: to.Columns}
		// The join table's key column is read into the key's Go type.
		return r, l.keyable(ti, r, p.pos, what) && l.sameGoKey(ti, r.Columns[0], join, from.Columns[0], p.pos, what)
	}
	return r, l.keyable(ti, r, p.pos, what) && l.sameGoKey(ti, r.Columns[0], target, r.RefColumns[0], p.pos, what)
}

// sameGoKey reports (and complains) when the two ends of a relation hold
// their key in different Go types (int and int64 are both bigint):
// generated code matches them as one map key type.
func (l *loader) sameGoKey(ti *tableInfo, col string, target *tableInfo, refCol string, pos schema.Position, what string) bool {
	a, b := ti.t.Column(col).GoType, target.t.Column(refCol).GoType
	if a.Kind == schema.GoPointer {
		a = *a.Elem
	}
	if b.Kind == schema.GoPointer {
		b = *b.Elem
	}
	if !reflect.DeepEqual(a, b) {
		l.errs.Addf(pos, "%s: the relation's key is %s in %s and %s in %s: give both fields one Go type", what, a, ti.decl.obj.Name(), b, target.decl.obj.Name())
		return false
	}
	return true
}

// tableOf returns the table whose struct is typ, or nil.
func (l *loader) tableOf(typ types.Type) *tableInfo {
	n, ok := typ.(*types.Named)
	if !ok {
		return nil
	}
	return l.tables[n.Obj()]
}

// columnField finds the column of ti that the field name holds.
func (l *loader) columnField(ti *tableInfo, name string, pos schema.Position, what string) *schema.Column {
	var names []string
	for _, c := range ti.cols {
		if c.field.Name() == name {
			return c.col
		}
		names = append(names, c.field.Name())
	}
	msg := fmt.Sprintf("%s: %s has no column field %q", what, ti.decl.obj.Name(), name)
	if s := suggestExact(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	l.errs.Add(pos, msg)
	return nil
}

// oneFK finds the one foreign key of from to the table to, on the columns
// cols when given; none or several is an error (missing says what is
// missing).
func (l *loader) oneFK(from *tableInfo, cols []string, to *tableInfo, pos schema.Position, what, missing string) (schema.ForeignKey, bool) {
	var found []schema.ForeignKey
	for _, fk := range from.t.ForeignKeys {
		if fk.RefSchema == to.t.Schema && fk.RefTable == to.t.Name && (cols == nil || slices.Equal(fk.Columns, cols)) {
			found = append(found, fk)
		}
	}
	switch {
	case len(found) == 0:
		l.errs.Addf(pos, "%s: %s", what, missing)
	case len(found) > 1:
		var names []string
		for _, fk := range found {
			names = append(names, fk.Name)
		}
		l.errs.Addf(pos, "%s: ambiguous: %s has %d foreign keys to %s (%s)", what, from.decl.obj.Name(), len(found), to.decl.obj.Name(), strings.Join(names, ", "))
	case len(found[0].Columns) > 1:
		l.errs.Addf(pos, "%s: the foreign key %s has %d columns, and relations over a composite key are not supported yet: load them with a join", what, found[0].Name, len(found[0].Columns))
	default:
		return found[0], true
	}
	return schema.ForeignKey{}, false
}

// keyable reports (and complains) when a relation's key cannot be a Go map
// key that equals what the database compares: generated code groups the
// loaded rows by it.
func (l *loader) keyable(ti *tableInfo, r schema.Relation, pos schema.Position, what string) bool {
	col := ti.t.Column(r.Columns[0])
	t := col.GoType
	if t.Kind == schema.GoPointer {
		t = *t.Elem
	}
	ok := t.Kind == schema.GoNamed && (t.Path == "" || t.Path == "github.com/google/uuid" && t.Name == "UUID" || t.Path == l.pkg.PkgPath && col.Type.Schema != "")
	if !ok {
		l.errs.Addf(pos, "%s: the relation's key %q is %s; a relation's key must be a string, a number, a bool, a uuid.UUID or an enum, which compare in Go as in PostgreSQL", what, col.Name, t)
	}
	return ok
}
