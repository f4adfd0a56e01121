package gen

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// relationInfo is one foreign key seen from one of its ends. The child
// holds the foreign key; the parent holds the referenced key. Each foreign
// key gives two relations: belongs-to on the child (q.Orders.LoadModel)
// and has-many on the parent (q.Models.LoadOrders).
type relationInfo struct {
	fk       *schema.ForeignKey
	child    *tableInfo
	parent   *tableInfo
	childK   []*columnInfo // the foreign key's columns, in the child
	parentK  []*columnInfo // the referenced columns, in the parent
	owner    *tableInfo    // the table whose Queries has the method
	method   string        // LoadModel
	many     bool          // has-many: the method returns map[K][]child
	key      *keyInfo
	sqlConst string // sqlOrdersLoadModel
}

// keyInfo is the Go type of a relation's key: the referenced column's type,
// or a generated struct for a composite key.
type keyInfo struct {
	name  string // struct name for a composite key: MembershipKey; "" for one column
	table *tableInfo
	cols  []*columnInfo // the parent's columns
}

// typ spells the key type.
func (k *keyInfo) typ() *jen.Statement {
	if k.name != "" {
		return jen.Id(k.name)
	}
	return typeArg(k.cols[0].c)
}

// addRelations finds every foreign key whose two ends generated code can
// load by key, and names its two relations. A key whose Go type does not
// make a sound map key (time.Time, decimal.Decimal, slices) gets no
// relation: a join or a Select with In loads it instead.
func (p *packageInfo) addRelations() {
	byName := map[[2]string]*tableInfo{}
	for _, t := range p.tables {
		byName[[2]string{t.t.Schema, t.t.Name}] = t
	}
	keys := map[string]*keyInfo{}
	for _, child := range p.tables {
		for i := range child.t.ForeignKeys {
			fk := &child.t.ForeignKeys[i]
			parent := byName[[2]string{fk.RefSchema, fk.RefTable}]
			if parent == nil {
				continue
			}
			r := &relationInfo{fk: fk, child: child, parent: parent, childK: child.colsNamed(fk.Columns), parentK: parent.colsNamed(fk.RefColumns)}
			if len(r.childK) != len(fk.Columns) || len(r.parentK) != len(fk.RefColumns) || !p.keyable(r) {
				continue
			}
			id := parent.name + "\x00" + strings.Join(fk.RefColumns, "\x00")
			r.key = keys[id]
			if r.key == nil {
				r.key = &keyInfo{table: parent, cols: r.parentK}
				if len(r.parentK) > 1 {
					// MembershipKey for the primary key, else the columns
					// spelled out: MembershipOrgUserIDKey.
					r.key.name = parent.name
					if !parent.isPK(r.parentK) {
						for _, c := range r.parentK {
							r.key.name += c.field
						}
					}
					r.key.name += "Key"
					parent.keys = append(parent.keys, r.key)
				}
				keys[id] = r.key
			}
			child.belongsTo = append(child.belongsTo, r)
		}
	}
	// Names: belongs-to from the foreign key's column (ModelID is Model,
	// ParentID is Parent), else the parent's name; has-many from the
	// child's name, with the belongs-to name added when the child refers to
	// the parent more than once or to itself (NodeByParent).
	for _, child := range p.tables {
		taken := map[string]bool{}
		refs := map[*tableInfo]int{}
		for _, r := range child.belongsTo {
			refs[r.parent]++
		}
		for _, r := range child.belongsTo {
			name := r.parent.name
			if len(r.childK) == 1 {
				f := r.childK[0].path[len(r.childK[0].path)-1]
				for _, suffix := range []string{"ID", "Id"} {
					if n, ok := strings.CutSuffix(f, suffix); ok && n != "" {
						f = n
						break
					}
				}
				name = f
			}
			for base, i := name, 2; taken[name]; i++ {
				name = base + strconv.Itoa(i)
			}
			taken[name] = true
			r.owner, r.method = child, "Load"+name
			r.sqlConst = "sql" + child.name + r.method
		}
		for _, r := range child.belongsTo {
			m := &relationInfo{fk: r.fk, child: child, parent: r.parent, childK: r.childK, parentK: r.parentK, owner: r.parent, many: true, key: r.key}
			name := child.name
			if refs[r.parent] > 1 || r.parent == child {
				name += "By" + strings.TrimPrefix(r.method, "Load")
			}
			m.method = "Load" + name
			m.sqlConst = "sql" + r.parent.name + m.method
			r.parent.hasMany = append(r.parent.hasMany, m)
		}
	}
	// Two children of one parent could still meet on a name (tables "a_b"
	// and "ab" are both AB): number the later ones.
	for _, t := range p.tables {
		taken := map[string]bool{}
		for _, r := range t.belongsTo {
			taken[r.method] = true
		}
		for _, r := range t.hasMany {
			for base, i := r.method, 2; taken[r.method]; i++ {
				r.method = base + strconv.Itoa(i)
				r.sqlConst = "sql" + t.name + r.method
			}
			taken[r.method] = true
		}
	}
}

// keyable reports whether both ends of a relation have the same Go types
// and those make sound map keys.
func (p *packageInfo) keyable(r *relationInfo) bool {
	for i := range r.childK {
		a, b := elem(r.childK[i].c.GoType), elem(r.parentK[i].c.GoType)
		if !reflect.DeepEqual(a, b) || !p.mapKey(a) {
			return false
		}
	}
	return true
}

func elem(t schema.GoType) schema.GoType {
	if t.Kind == schema.GoPointer {
		return *t.Elem
	}
	return t
}

// mapKey reports a type whose == is equality of the values it holds:
// booleans, numbers, strings, UUIDs and the schema's enums.
func (p *packageInfo) mapKey(t schema.GoType) bool {
	switch t.Kind {
	case schema.GoNamed:
		if t.Path == "" {
			return true // predeclared: string, int64, bool, ...
		}
		if t.Path == "github.com/google/uuid" && t.Name == "UUID" {
			return true
		}
		for _, e := range p.model.Enums {
			if e.GoType.Path == t.Path && e.GoType.Name == t.Name {
				return true
			}
		}
	case schema.GoArray:
		return p.mapKey(*t.Elem)
	}
	return false
}

func (t *tableInfo) colsNamed(names []string) []*columnInfo {
	var out []*columnInfo
	for _, n := range names {
		for _, c := range t.cols {
			if c.c.Name == n {
				out = append(out, c)
			}
		}
	}
	return out
}

func (t *tableInfo) isPK(cols []*columnInfo) bool {
	return reflect.DeepEqual(cols, t.pk)
}

// loadSQL selects the rows a relation loads: the parent's rows by their
// referenced columns, or the child's by its foreign key, in the child's
// primary key order.
//
//	SELECT ... FROM "public"."Models" WHERE "Models"."id" = ANY($1)
//	SELECT ... FROM "public"."m" WHERE ("m"."org", "m"."user_id") IN (SELECT * FROM unnest($1::text[], $2::bigint[]))
func (r *relationInfo) loadSQL() string {
	t, cols := r.parent, r.parentK
	if r.many {
		t, cols = r.child, r.childK
	}
	alias := quote.Ident(t.t.Name)
	s := "SELECT " + t.selectList() + " FROM " + t.from() + " WHERE "
	if len(cols) == 1 {
		s += alias + "." + quote.Ident(cols[0].c.Name) + " = ANY($1" + enumCast(cols[0].c.Type) + ")"
	} else {
		var names, arrays []string
		for i, c := range cols {
			names = append(names, alias+"."+quote.Ident(c.c.Name))
			arrays = append(arrays, "$"+strconv.Itoa(i+1)+arrayCast(c.c.Type))
		}
		s += "(" + strings.Join(names, ", ") + ") IN (SELECT * FROM unnest(" + strings.Join(arrays, ", ") + "))"
	}
	if r.many && len(t.pk) > 0 {
		var order []string
		for _, c := range t.pk {
			order = append(order, alias+"."+quote.Ident(c.c.Name))
		}
		s += " ORDER BY " + strings.Join(order, ", ")
	}
	return s
}

// enumCast is the cast an array of enum values needs: pgx sends it as
// text[] (it does not know the enum's array type unless registered), and
// PostgreSQL converts that to the enum's array.
func enumCast(t schema.Type) string {
	if t.Schema == "" {
		return ""
	}
	return "::text[]::" + quote.Ident(t.Schema, t.Name) + "[]"
}

// arrayCast types an array parameter, which unnest needs.
func arrayCast(t schema.Type) string {
	if t.Schema != "" {
		return enumCast(t)
	}
	t = t.Storage()
	t.Array = true
	return "::" + t.String()
}

// castType spells the cast UpdateMany gives a column's values in its
// VALUES list, where PostgreSQL would otherwise take them for text. The
// type modifier is left out: an explicit cast to character varying(3) or
// character(1) would cut a longer value in silence, where the assignment
// to the column refuses it. Bare character and bit mean length one, so
// they become text and bit varying, and the column's own type still
// applies when the value is assigned.
func castType(t schema.Type) string {
	if t.Schema != "" {
		if t.Array {
			return "text[]::" + quote.Ident(t.Schema, t.Name) + "[]"
		}
		return quote.Ident(t.Schema, t.Name)
	}
	t = t.Storage()
	t.Mod = ""
	switch t.Name {
	case "character":
		t.Name = "text"
	case "bit":
		t.Name = "bit varying"
	case "char":
		// The one-byte "char" stays quoted: bare char is character(1).
		t.Name = `"char"`
	}
	return t.String()
}

// genRelation writes one Load method:
//
//	func (q OrdersQueries) LoadModel(ctx context.Context, rows []schema.Order) (map[string]schema.Model, error) {
//		keys := make([]string, 0, len(rows))
//		for i := range rows {
//			keys = append(keys, rows[i].ModelID)
//		}
//		keys = pgimpl.Distinct(keys)
//		return pgimpl.LoadOne(ctx, q.db, tableModels, sqlOrdersLoadModel, keys, []any{keys}, func(r *schema.Model) (string, bool) {
//			return r.ID, true
//		})
//	}
func genRelation(f *jen.File, p *packageInfo, r *relationInfo) {
	from, to := r.child, r.parent // rows given, rows loaded
	fromK, toK := r.childK, r.parentK
	if r.many {
		from, to, fromK, toK = r.parent, r.child, r.parentK, r.childK
	}
	key := r.key.typ()
	result := jen.Map(key.Clone()).Add(p.rowType(to))
	loader := "LoadOne"
	if r.many {
		result = jen.Map(key.Clone()).Index().Add(p.rowType(to))
		loader = "LoadMany"
	}
	comment(f, relationDoc(p, r))
	f.Func().Params(jen.Id("q").Id(r.owner.name+"Queries")).Id(r.method).Params(
		jen.Id("ctx").Qual(ctxPath, "Context"), jen.Id("rows").Index().Add(p.rowType(from)),
	).Params(result, jen.Error()).BlockFunc(func(g *jen.Group) {
		g.Id("keys").Op(":=").Make(jen.Index().Add(key.Clone()), jen.Lit(0), jen.Len(jen.Id("rows")))
		g.For(jen.Id("i").Op(":=").Range().Id("rows")).BlockFunc(func(g *jen.Group) {
			k, guard := keyOf(r.key, jen.Id("rows").Index(jen.Id("i")), fromK)
			app := jen.Id("keys").Op("=").Append(jen.Id("keys"), k)
			if guard != nil {
				g.If(guard).Block(app)
			} else {
				g.Add(app)
			}
		})
		g.Id("keys").Op("=").Qual(pgimplPath, "Distinct").Call(jen.Id("keys"))
		var args []jen.Code
		if len(toK) == 1 {
			args = append(args, jen.Id("keys"))
		} else {
			for i, c := range r.key.cols {
				col := "col" + strconv.Itoa(i)
				g.Id(col).Op(":=").Make(jen.Index().Add(typeArg(c.c)), jen.Len(jen.Id("keys")))
				args = append(args, jen.Id(col))
			}
			g.For(jen.List(jen.Id("i"), jen.Id("k")).Op(":=").Range().Id("keys")).BlockFunc(func(g *jen.Group) {
				for i, c := range r.key.cols {
					g.Id("col" + strconv.Itoa(i)).Index(jen.Id("i")).Op("=").Id("k").Dot(c.field)
				}
			})
		}
		k, guard := keyOf(r.key, jen.Id("r"), toK)
		g.Return(jen.Qual(pgimplPath, loader).Call(
			jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Id("table"+to.name), jen.Id(r.sqlConst), jen.Id("keys"),
			jen.Index().Any().Values(args...),
			jen.Func().Params(jen.Id("r").Op("*").Add(p.rowType(to))).Do(func(s *jen.Statement) {
				if guard != nil {
					s.Params(jen.Id("k").Add(key.Clone()), jen.Id("ok").Bool())
				} else {
					s.Params(key.Clone(), jen.Bool())
				}
			}).BlockFunc(func(g *jen.Group) {
				if guard != nil {
					g.If(jen.Op("!").Parens(guard)).Block(jen.Return(jen.Id("k"), jen.False()))
				}
				g.Return(k, jen.True())
			}),
		))
	})
	f.Line()
}

// keyOf is the key of a row (v) read from its columns cols, and the
// condition under which it has one: every nullable column is set. A
// foreign key with a NULL column refers to nothing (MATCH SIMPLE).
func keyOf(k *keyInfo, v *jen.Statement, cols []*columnInfo) (key, guard *jen.Statement) {
	var guards []jen.Code
	field := func(c *columnInfo) *jen.Statement {
		s := v.Clone()
		for _, part := range c.path {
			s = s.Dot(part)
		}
		if c.c.GoType.Kind == schema.GoPointer {
			guards = append(guards, s.Clone().Op("!=").Nil())
			return jen.Op("*").Add(s)
		}
		return s
	}
	if k.name == "" {
		key = field(cols[0])
	} else {
		key = jen.Id(k.name).ValuesFunc(func(g *jen.Group) {
			for i, c := range cols {
				g.Id(k.cols[i].field).Op(":").Add(field(c))
			}
		})
	}
	for i, gd := range guards {
		if i == 0 {
			guard = jen.Add(gd)
		} else {
			guard = guard.Op("&&").Add(gd)
		}
	}
	return key, guard
}

// relationDoc documents a Load method, with the foreign key it follows.
func relationDoc(p *packageInfo, r *relationInfo) string {
	var childCols, parentCols []string
	for _, c := range r.childK {
		childCols = append(childCols, strconv.Quote(c.c.Name))
	}
	for _, c := range r.parentK {
		parentCols = append(parentCols, strconv.Quote(c.c.Name))
	}
	keyDoc := "the referenced " + plural(len(parentCols), "column", "columns") + " " + strings.Join(parentCols, ", ")
	if r.key.name != "" {
		keyDoc = r.key.name + " (" + strings.Join(parentCols, ", ") + ")"
	}
	fk := fmt.Sprintf("It follows the foreign key %s (%s of %q).", r.fk.Name, strings.Join(childCols, ", "), r.child.t.Name)
	if !r.many {
		return fmt.Sprintf(`%s loads, in one query, the %q rows that rows refer to, by
%s. Rows that refer to none (NULL) are skipped.
%s

	parents, err := q.%s.%s(ctx, rows)
	parent, ok := parents[key] // key: a row's %s`,
			r.method, r.parent.t.Name, keyDoc, fk, r.owner.name, r.method, strings.Join(childCols, ", "))
	}
	return fmt.Sprintf(`%s loads, in one query, the %q rows that refer to rows, grouped
by %s, each group in primary key order. A row
nothing refers to has no entry.
%s

	children, err := q.%s.%s(ctx, rows)
	for _, c := range children[key] { ... } // key: a row's %s`,
		r.method, r.child.t.Name, keyDoc, fk, r.owner.name, r.method, strings.Join(parentCols, ", "))
}

// genKey writes the struct of a composite key:
//
//	// MembershipKey is the key of a "membership" row: "org", "user_id".
//	type MembershipKey struct {
//		Org    string
//		UserID int64
//	}
func genKey(f *jen.File, k *keyInfo) {
	var names []string
	for _, c := range k.cols {
		names = append(names, strconv.Quote(c.c.Name))
	}
	comment(f, fmt.Sprintf(`%s is the key of a %q row, its columns %s: the key
of the maps that Load methods return for relations that refer to them.`, k.name, k.table.t.Name, strings.Join(names, ", ")))
	f.Type().Id(k.name).StructFunc(func(g *jen.Group) {
		for _, c := range k.cols {
			g.Id(c.field).Add(typeArg(c.c))
		}
	})
	f.Line()
}
