package loader

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// Seed settings written in Go.
//
// A schema package may declare one package-level variable of type
// seed.Config (seedPkgPath). Its declaration is read like the rest of the
// schema, from the syntax and go/types, without running code: composite
// literals, constants and &seed.Range{...}; anything else is an error at
// its position saying what is allowed. The settings are then checked
// against the model (tables, columns, enum labels, number columns, weights)
// and kept in Model.Seed. Code that assigns to the variable is an error
// too: it would never run, so what it sets would be lost in silence.

// seedPkgPath is the package of the settings' types.
const seedPkgPath = "github.com/mizzle/mizzle/seed"

// seedVar is a package-level variable of type seed.Config.
type seedVar struct {
	obj   *types.Var
	name  *ast.Ident
	value ast.Expr // nil when the declaration has none
}

// isSeedType reports whether t is the named type seed.NAME.
func isSeedType(t types.Type, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == seedPkgPath
}

// seedSettings finds the package's seed.Config variable, reads it and
// checks it against m; nil when there is none or it has mistakes.
func (l *loader) seedSettings(m *schema.Model) *schema.SeedSettings {
	info := l.pkg.TypesInfo
	var vars []seedVar
	reported := map[*ast.ValueSpec]bool{}
	for _, f := range l.pkg.Syntax {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					obj, _ := info.Defs[name].(*types.Var)
					if obj == nil {
						continue
					}
					if p, ok := types.Unalias(obj.Type()).(*types.Pointer); ok && isSeedType(p.Elem(), "Config") {
						l.errs.Addf(l.pos(name.Pos()), "%s is a *seed.Config: declare the seed settings as a seed.Config value, which mizzle reads from its declaration", name.Name)
						continue
					}
					if !isSeedType(obj.Type(), "Config") {
						continue
					}
					v := seedVar{obj: obj, name: name}
					switch {
					case len(vs.Values) == len(vs.Names):
						v.value = vs.Values[i]
					case len(vs.Values) == 1:
						if !reported[vs] {
							reported[vs] = true
							l.errs.Addf(l.pos(vs.Values[0].Pos()), "the seed settings %s come from a function call, which mizzle does not run: write them as a seed.Config{...} literal", name.Name)
						}
						continue
					}
					vars = append(vars, v)
				}
			}
		}
	}
	if len(vars) == 0 {
		return nil
	}
	for _, v := range vars[1:] {
		first := l.pos(vars[0].name.Pos())
		l.errs.Addf(l.pos(v.name.Pos()), "a second seed.Config variable, %s (the first is %s at %s:%d:%d): a schema package declares its seed settings once",
			v.name.Name, vars[0].name.Name, filepath.Base(first.Filename), first.Line, first.Column)
	}
	v := vars[0]
	l.seedWrites(v.obj)
	n := len(l.errs)
	r := &seedReader{l: l, m: m, s: &schema.SeedSettings{Var: v.name.Name, Pos: l.pos(v.name.Pos())}}
	if v.value != nil {
		r.config(v.value)
	}
	if len(l.errs) > n {
		return nil
	}
	return r.s
}

// seedWrites reports every statement of the package that changes the
// variable: it would never run when mizzle reads the settings.
func (l *loader) seedWrites(obj *types.Var) {
	info := l.pkg.TypesInfo
	check := func(e ast.Expr, what string) {
		root := e
		for {
			switch x := root.(type) {
			case *ast.ParenExpr:
				root = x.X
				continue
			case *ast.SelectorExpr:
				root = x.X
				continue
			case *ast.IndexExpr:
				root = x.X
				continue
			case *ast.StarExpr:
				root = x.X
				continue
			}
			break
		}
		if id, ok := root.(*ast.Ident); ok && info.Uses[id] == obj {
			l.errs.Addf(l.pos(e.Pos()), "this %s the seed settings %s, but mizzle reads them from their declaration without running code: put the value there", what, obj.Name())
		}
	}
	for _, f := range l.pkg.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, e := range n.Lhs {
					check(e, "changes")
				}
			case *ast.IncDecStmt:
				check(n.X, "changes")
			case *ast.RangeStmt:
				if n.Tok == token.ASSIGN {
					if n.Key != nil {
						check(n.Key, "changes")
					}
					if n.Value != nil {
						check(n.Value, "changes")
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					check(n.X, "lets code change")
				}
			}
			return true
		})
	}
}

// seedReader reads one seed.Config literal.
type seedReader struct {
	l *loader
	m *schema.Model
	s *schema.SeedSettings
}

func (r *seedReader) errorf(p token.Pos, format string, args ...any) {
	r.l.errs.Addf(r.l.pos(p), format, args...)
}

// notStatic reports an expression the reader cannot evaluate.
func (r *seedReader) notStatic(e ast.Expr) {
	what := "this expression"
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		what = "a function call"
	case *ast.FuncLit:
		what = "a function literal"
	case *ast.Ident:
		if _, ok := r.l.pkg.TypesInfo.Uses[x].(*types.Var); ok {
			what = "the variable " + x.Name
		}
	case *ast.SelectorExpr:
		if _, ok := r.l.pkg.TypesInfo.Uses[x.Sel].(*types.Var); ok {
			what = "the variable " + types.ExprString(x)
		}
	}
	r.errorf(e.Pos(), "seed settings are read without running code: %s is not allowed here; write literals, constants and composite literals", what)
}

// literal returns the composite literal e is (through parentheses and a
// leading &), or nil with ok for nil, which stands for nothing written.
func (r *seedReader) literal(e ast.Expr) (lit *ast.CompositeLit, ok bool) {
	x := ast.Unparen(e)
	if r.l.pkg.TypesInfo.Types[x].IsNil() {
		return nil, true
	}
	if u, isAddr := x.(*ast.UnaryExpr); isAddr && u.Op == token.AND {
		x = ast.Unparen(u.X)
	}
	if lit, isLit := x.(*ast.CompositeLit); isLit {
		return lit, true
	}
	r.notStatic(e)
	return nil, false
}

// constant returns e's constant value, or reports it.
func (r *seedReader) constant(e ast.Expr) (constant.Value, bool) {
	if v := r.l.pkg.TypesInfo.Types[e].Value; v != nil {
		return v, true
	}
	r.notStatic(e)
	return nil, false
}

func (r *seedReader) int(e ast.Expr) (int, bool) {
	v, ok := r.constant(e)
	if !ok {
		return 0, false
	}
	// The fields are ints: the type checker took only integers.
	n, _ := constant.Int64Val(constant.ToInt(v))
	return int(n), true
}

func (r *seedReader) float(e ast.Expr) (float64, bool) {
	v, ok := r.constant(e)
	if !ok {
		return 0, false
	}
	f, _ := constant.Float64Val(constant.ToFloat(v))
	return f, true
}

// field is a field written in a struct literal.
type field struct {
	name  string
	key   token.Pos // the field's name, or the value for an unkeyed literal
	value ast.Expr
}

// fields returns the fields written in a struct literal, reporting a field
// of the seed package this mizzle does not know (a newer seed package than
// the running mizzle) unless it is in known.
func (r *seedReader) fields(lit *ast.CompositeLit, known ...string) []field {
	st, _ := r.l.pkg.TypesInfo.TypeOf(lit).Underlying().(*types.Struct)
	var out []field
	for i, elt := range lit.Elts {
		f := field{key: elt.Pos(), value: elt}
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			id, _ := kv.Key.(*ast.Ident)
			if id == nil {
				continue // the type checker reported it
			}
			f.name, f.value = id.Name, kv.Value
		} else if st != nil && i < st.NumFields() {
			f.name = st.Field(i).Name()
		}
		if !slices.Contains(known, f.name) {
			r.errorf(f.key, "this mizzle does not know the seed setting %s: update mizzle to the version of the seed package the module requires", f.name)
			continue
		}
		out = append(out, f)
	}
	return out
}

// entry is an entry of a map literal with a string key.
type entry struct {
	key   string
	pos   token.Pos
	value ast.Expr
}

func (r *seedReader) entries(e ast.Expr) []entry {
	lit, ok := r.literal(e)
	if lit == nil || !ok {
		return nil
	}
	var out []entry
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue // not a map literal: the type checker reported it
		}
		v, ok := r.constant(kv.Key)
		if !ok {
			continue
		}
		out = append(out, entry{key: constant.StringVal(v), pos: kv.Key.Pos(), value: kv.Value})
	}
	return out
}

// elements returns the elements of a slice literal.
func (r *seedReader) elements(e ast.Expr) ([]ast.Expr, bool) {
	lit, ok := r.literal(e)
	if lit == nil {
		return nil, ok
	}
	return lit.Elts, true
}

func (r *seedReader) config(e ast.Expr) {
	lit, ok := r.literal(e)
	if lit == nil || !ok {
		return
	}
	var tables ast.Expr
	for _, f := range r.fields(lit, "Seed", "Count", "Tables", "Fixtures") {
		switch f.name {
		case "Fixtures":
			r.fixtures(f.value)
		case "Seed":
			if v, ok := r.constant(f.value); ok {
				n, _ := constant.Uint64Val(constant.ToInt(v))
				r.s.Seed, r.s.HasSeed = n, true
			}
		case "Count":
			if n, ok := r.count(f); ok {
				r.s.Count = n
			}
		case "Tables":
			tables = f.value
		}
	}
	if tables == nil {
		return
	}
	seen := map[*schema.Table]token.Pos{}
	for _, en := range r.entries(tables) {
		t := r.table(en.key, en.pos)
		if t == nil {
			continue
		}
		if p, dup := seen[t]; dup {
			r.errorf(en.pos, "table %s.%s has settings already, at line %d", t.Schema, t.Name, r.l.pos(p).Line)
			continue
		}
		seen[t] = en.pos
		st := schema.SeedTable{Name: en.key, Schema: t.Schema, Table: t.Name, Pos: r.l.pos(en.pos)}
		r.tableSettings(t, en.value, &st)
		r.s.Tables = append(r.s.Tables, st)
	}
	slices.SortFunc(r.s.Tables, func(a, b schema.SeedTable) int { return strings.Compare(a.Name, b.Name) })
	r.children()
}

// count reads a Count field, which is at least 1 when written.
func (r *seedReader) count(f field) (int, bool) {
	n, ok := r.int(f.value)
	if ok && n < 1 {
		r.errorf(f.key, "Count %d: a table gets at least 1 row; leave Count out for the default", n)
		return 0, false
	}
	return n, ok
}

// table finds the table a key names, as mizzle seed does: a table of
// public, "schema.table", or the one table of that name in any schema.
func (r *seedReader) table(name string, p token.Pos) *schema.Table {
	if t := r.m.Table(schema.DefaultSchema, name); t != nil {
		return t
	}
	if s, n, ok := strings.Cut(name, "."); ok {
		if t := r.m.Table(s, n); t != nil {
			return t
		}
	}
	var found []*schema.Table
	var names []string
	for _, t := range r.m.Tables {
		if t.Name == name {
			found = append(found, t)
		}
		names = append(names, t.Name)
	}
	switch len(found) {
	case 1:
		return found[0]
	case 0:
		msg := fmt.Sprintf("seed settings for %q, which is not a table of the schema", name)
		if s := suggest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		r.l.errs.Add(r.l.pos(p), msg)
	default:
		r.errorf(p, "%q names tables in schemas %s and %s: write \"schema.%s\"", name, found[0].Schema, found[1].Schema, name)
	}
	return nil
}

func (r *seedReader) tableSettings(t *schema.Table, e ast.Expr, st *schema.SeedTable) {
	lit, ok := r.literal(e)
	if lit == nil || !ok {
		return
	}
	for _, f := range r.fields(lit, "Count", "Columns", "With") {
		switch f.name {
		case "Count":
			if n, ok := r.count(f); ok {
				st.Count = n
			}
		case "Columns":
			for _, en := range r.entries(f.value) {
				c := t.Column(en.key)
				if c == nil {
					names := make([]string, len(t.Columns))
					for i, c := range t.Columns {
						names[i] = c.Name
					}
					msg := fmt.Sprintf("table %s.%s has no column %q", t.Schema, t.Name, en.key)
					if s := suggest(en.key, names); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					}
					r.l.errs.Add(r.l.pos(en.pos), msg)
					continue
				}
				sc := schema.SeedColumn{Name: en.key, Pos: r.l.pos(en.pos)}
				r.column(t, c, en.value, &sc)
				st.Columns = append(st.Columns, sc)
			}
			slices.SortFunc(st.Columns, func(a, b schema.SeedColumn) int { return strings.Compare(a.Name, b.Name) })
		case "With":
			for _, en := range r.entries(f.value) {
				child := r.table(en.key, en.pos)
				if child == nil {
					continue
				}
				if !slices.ContainsFunc(child.ForeignKeys, func(fk schema.ForeignKey) bool {
					return fk.RefSchema == t.Schema && fk.RefTable == t.Name
				}) {
					r.errorf(en.pos, "table %s.%s has no foreign key to %s.%s, so its rows cannot be made per row of it", child.Schema, child.Name, t.Schema, t.Name)
					continue
				}
				sc := schema.SeedChildren{Name: en.key, Schema: child.Schema, Table: child.Name, Pos: r.l.pos(en.pos)}
				elems, ok := r.elements(en.value)
				if ok && len(elems) == 0 {
					r.errorf(en.pos, "no ranges of rows for %s: write at least one seed.Weighted{Min: ..., Max: ...}", en.key)
				}
				for _, el := range elems {
					if w, ok := r.weighted(el); ok {
						sc.Counts = append(sc.Counts, w)
					}
				}
				st.With = append(st.With, sc)
			}
			slices.SortFunc(st.With, func(a, b schema.SeedChildren) int { return strings.Compare(a.Name, b.Name) })
		}
	}
}

func (r *seedReader) weighted(e ast.Expr) (schema.SeedWeighted, bool) {
	w := schema.SeedWeighted{Weight: 1}
	lit, _ := r.literal(e)
	if lit == nil {
		return w, false // not a literal (reported); a struct is never nil
	}
	good := true
	for _, f := range r.fields(lit, "Weight", "Min", "Max") {
		switch f.name {
		case "Weight":
			v, ok := r.float(f.value)
			if ok && v <= 0 {
				r.errorf(f.key, "Weight %g: a weight is above 0 (left out, it is 1)", v)
				ok = false
			}
			w.Weight, good = v, good && ok
		case "Min":
			v, ok := r.int(f.value)
			w.Min, good = v, good && ok
		case "Max":
			v, ok := r.int(f.value)
			w.Max, good = v, good && ok
		}
	}
	if good && (w.Min < 0 || w.Max < w.Min) {
		r.errorf(lit.Pos(), "%d to %d rows: want 0 <= Min <= Max", w.Min, w.Max)
		good = false
	}
	return w, good
}

// isNumberType reports whether the seeder takes a Range for type t: the
// types of internal/seed's number generators.
func isNumberType(t schema.Type) bool {
	t = t.Storage()
	if t.Schema != "" {
		return false
	}
	switch t.Name {
	case "smallint", "integer", "bigint", "numeric", "real", "double precision":
		return true
	}
	return false
}

func (r *seedReader) column(t *schema.Table, c *schema.Column, e ast.Expr, sc *schema.SeedColumn) {
	lit, ok := r.literal(e)
	if lit == nil || !ok {
		return
	}
	var skip, values, weights, rng, nulls token.Pos
	// broken: an element of Values or Weights could not be read, so
	// their lengths say nothing.
	nValues, broken := 0, false
	var fn token.Pos
	for _, f := range r.fields(lit, "Skip", "Values", "Weights", "Range", "Nulls", "Func") {
		switch f.name {
		case "Func":
			if r.l.pkg.TypesInfo.Types[f.value].IsNil() {
				continue // nothing written
			}
			fn = f.key
			if name, ok := r.columnFunc(t, c, f.value); ok {
				sc.Func = name
			}
		case "Skip":
			if v, ok := r.constant(f.value); ok {
				sc.Skip = constant.BoolVal(v)
				if sc.Skip {
					skip = f.key
				}
			}
		case "Values":
			values = f.key
			elems, ok := r.elements(f.value)
			if !ok {
				broken = true
				continue
			}
			if len(elems) == 0 {
				r.errorf(f.key, "Values is empty: leave it out, or list the values column %s takes", c.Name)
			}
			nValues = len(elems)
			for _, el := range elems {
				if s, ok := r.value(c, el); ok {
					sc.Values = append(sc.Values, s)
				}
			}
		case "Weights":
			weights = f.key
			elems, ok := r.elements(f.value)
			if !ok {
				broken = true
				continue
			}
			sum := 0.0
			for _, el := range elems {
				w, ok := r.float(el)
				if !ok {
					broken = true
					continue
				}
				if w < 0 {
					r.errorf(el.Pos(), "weight %g is negative", w)
				}
				sc.Weights = append(sc.Weights, w)
				sum += w
			}
			if len(elems) > 0 && sum <= 0 && !broken {
				r.errorf(f.key, "the weights add up to %g: at least one is above 0", sum)
			}
		case "Range":
			rng = f.key
			lit, ok := r.literal(f.value)
			if lit == nil || !ok {
				continue
			}
			var rg schema.SeedRange
			for _, rf := range r.fields(lit, "Min", "Max") {
				v, _ := r.float(rf.value)
				if rf.name == "Min" {
					rg.Min = v
				} else {
					rg.Max = v
				}
			}
			sc.Range = &rg
			switch {
			case !isNumberType(c.Type):
				r.errorf(f.key, "Range is for number columns, and column %s is %s", c.Name, c.Type)
			case rg.Min > rg.Max:
				r.errorf(f.key, "Range from %g to %g: Min is above Max", rg.Min, rg.Max)
			}
		case "Nulls":
			nulls = f.key
			v, ok := r.float(f.value)
			if !ok {
				continue
			}
			sc.Nulls = &v
			switch {
			case v < 0 || v > 1:
				r.errorf(f.key, "Nulls %g: a share of rows is from 0 to 1", v)
			case v > 0 && c.NotNull:
				r.errorf(f.key, "Nulls %g: column %s is NOT NULL", v, c.Name)
			}
		}
	}
	if fn.IsValid() {
		for _, other := range []struct {
			pos  token.Pos
			name string
		}{{skip, "Skip"}, {values, "Values"}, {rng, "Range"}, {weights, "Weights"}, {nulls, "Nulls"}} {
			if other.pos.IsValid() {
				r.errorf(fn, "column %s has a Func and %s: the function makes every value, NULLs included (a nil pointer), so give one", c.Name, other.name)
				break
			}
		}
	}
	switch {
	case skip.IsValid() && (values.IsValid() || rng.IsValid()):
		r.errorf(skip, "column %s is skipped and given values at once: the database fills a skipped column", c.Name)
	case values.IsValid() && rng.IsValid():
		r.errorf(rng, "column %s has both Values and a Range: give one", c.Name)
	}
	switch {
	case broken:
	case weights.IsValid() && !values.IsValid():
		r.errorf(weights, "Weights without Values: a weight goes with each value")
	case weights.IsValid() && len(sc.Weights) != nValues && nValues > 0:
		r.errorf(weights, "%d weights for %d values: one weight per value", len(sc.Weights), nValues)
	}
}

// value reads an element of Values as PostgreSQL's text form, and checks
// it against column c: an enum's label, a number for a number column.
func (r *seedReader) value(c *schema.Column, e ast.Expr) (string, bool) {
	if r.l.pkg.TypesInfo.Types[e].IsNil() {
		r.errorf(e.Pos(), "nil is not a value: the share of NULLs is Nulls")
		return "", false
	}
	v, ok := r.constant(e)
	if !ok {
		return "", false
	}
	var s string
	switch v.Kind() {
	case constant.String:
		s = constant.StringVal(v)
	case constant.Int:
		s = v.ExactString()
	case constant.Float:
		f, _ := constant.Float64Val(v)
		s = strconv.FormatFloat(f, 'f', -1, 64)
	case constant.Bool:
		s = strconv.FormatBool(constant.BoolVal(v))
	default:
		r.errorf(e.Pos(), "%s is not a value a column takes", v)
		return "", false
	}
	typ := c.Type.Storage()
	if typ.Array {
		return s, true // the whole array's text form: PostgreSQL judges it
	}
	if typ.Schema != "" {
		if en := r.m.Enum(typ.Schema, typ.Name); en != nil {
			if v.Kind() != constant.String || !slices.Contains(en.Values, s) {
				r.errorf(e.Pos(), "%s is not a label of enum %s.%s, the type of column %s (its labels: %s)", v, en.Schema, en.Name, c.Name, strings.Join(en.Values, ", "))
				return "", false
			}
		}
		return s, true
	}
	if isNumberType(typ) {
		var err error
		switch typ.Name {
		case "smallint", "integer", "bigint":
			_, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		default:
			_, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
		}
		if err != nil || v.Kind() == constant.Bool {
			r.errorf(e.Pos(), "%s is not a value of column %s, which is %s", v, c.Name, c.Type)
			return "", false
		}
	}
	return s, true
}

// children checks that no table gets its rows from two places: two
// parents' With, or a With and its own Count.
func (r *seedReader) children() {
	type source struct {
		parent string
		pos    schema.Position
	}
	from := map[[2]string]source{}
	for _, t := range r.s.Tables {
		for _, w := range t.With {
			key := [2]string{w.Schema, w.Table}
			if first, dup := from[key]; dup {
				r.l.errs.Addf(w.Pos, "table %s.%s gets its rows from the With of %s already, at line %d: one parent's With sets a table's rows", w.Schema, w.Table, first.parent, first.pos.Line)
				continue
			}
			from[key] = source{t.Schema + "." + t.Table, w.Pos}
		}
	}
	for _, t := range r.s.Tables {
		if src, ok := from[[2]string{t.Schema, t.Table}]; ok && t.Count > 0 {
			r.l.errs.Addf(t.Pos, "table %s.%s has a Count, and the With of %s (line %d) sets its rows too: give one", t.Schema, t.Table, src.parent, src.pos.Line)
		}
	}
}

// columnFunc reads a column's Func: an exported function of the schema
// package, written by name, of the form func(*rand.Rand, int) T with rand
// math/rand/v2 and T assignable to the column's field. It returns the
// function's name.
func (r *seedReader) columnFunc(t *schema.Table, c *schema.Column, e ast.Expr) (string, bool) {
	info := r.l.pkg.TypesInfo
	id, _ := ast.Unparen(e).(*ast.Ident)
	var fn *types.Func
	if id != nil {
		fn, _ = info.Uses[id].(*types.Func)
	}
	field := r.l.seedColumnField(t, c)
	want := "T"
	if field != nil {
		want = types.TypeString(field.Type(), types.RelativeTo(r.l.pkg.Types))
	}
	form := fmt.Sprintf("func(r *rand.Rand, row int) %s, rand being math/rand/v2", want)
	if fn == nil || fn.Pkg() != r.l.pkg.Types || fn.Parent() != r.l.pkg.Types.Scope() {
		r.errorf(e.Pos(), "Func of column %s names a function of the schema package by its name, of the form %s; %s is not one", c.Name, form, types.ExprString(e))
		return "", false
	}
	if !fn.Exported() {
		r.errorf(e.Pos(), "Func of column %s: function %s is unexported, and the program mizzle seed builds calls it from another package: export it", c.Name, fn.Name())
		return "", false
	}
	sig := fn.Type().(*types.Signature)
	ok := sig.TypeParams().Len() == 0 && sig.Params().Len() == 2 && sig.Results().Len() == 1 && !sig.Variadic()
	if ok {
		p, isPtr := sig.Params().At(0).Type().(*types.Pointer)
		ok = isPtr && isNamed(p.Elem(), "math/rand/v2", "Rand") &&
			types.Identical(sig.Params().At(1).Type(), types.Typ[types.Int])
	}
	if ok && field != nil && !types.AssignableTo(sig.Results().At(0).Type(), field.Type()) {
		r.errorf(e.Pos(), "Func of column %s: %s returns %s, which is not assignable to %s, the type of the column's field", c.Name, fn.Name(),
			types.TypeString(sig.Results().At(0).Type(), types.RelativeTo(r.l.pkg.Types)), want)
		return "", false
	}
	if !ok {
		r.errorf(e.Pos(), "Func of column %s: %s is %s; it must be %s", c.Name, fn.Name(),
			types.TypeString(sig, types.RelativeTo(r.l.pkg.Types)), form)
		return "", false
	}
	return fn.Name(), true
}

// isNamed reports whether t is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path
}

// seedColumnField is the struct field column c of table t comes from, nil
// when the loader did not read it from a field.
func (l *loader) seedColumnField(t *schema.Table, c *schema.Column) *types.Var {
	for _, ti := range l.tables {
		if ti.t != t {
			continue
		}
		for _, ci := range ti.cols {
			if ci.col == c {
				return ci.field
			}
		}
	}
	return nil
}

// fixtures reads Config.Fixtures: "import/path.Name" strings. Only their
// form is checked here: the packages may import code generated from the
// schema, which need not exist when the schema is loaded, so mizzle seed
// loads and checks them when it runs them.
func (r *seedReader) fixtures(e ast.Expr) {
	elems, ok := r.elements(e)
	if !ok {
		return
	}
	seen := map[string]token.Pos{}
	for _, el := range elems {
		v, ok := r.constant(el)
		if !ok {
			continue
		}
		if v.Kind() != constant.String {
			r.errorf(el.Pos(), "a fixture is named by a string, \"import/path.Function\"")
			continue
		}
		ref := constant.StringVal(v)
		fx, err := ParseFixture(ref)
		if err != nil {
			r.errorf(el.Pos(), "%v", err)
			continue
		}
		if p, dup := seen[ref]; dup {
			r.errorf(el.Pos(), "fixture %s is listed already, at line %d: it would run twice", ref, r.l.pos(p).Line)
			continue
		}
		seen[ref] = el.Pos()
		fx.Pos = r.l.pos(el.Pos())
		r.s.Fixtures = append(r.s.Fixtures, fx)
	}
}

// ParseFixture reads a fixture's reference, "import/path.Function": an
// import path, a dot, and an exported function name.
func ParseFixture(ref string) (schema.SeedFixture, error) {
	i := strings.LastIndex(ref, ".")
	if i <= strings.LastIndex(ref, "/") {
		return schema.SeedFixture{}, fmt.Errorf("fixture %q: want \"import/path.Function\", the function's package and its name", ref)
	}
	path, name := ref[:i], ref[i+1:]
	if path == "" || strings.ContainsAny(path, " \t\"\\") || !token.IsIdentifier(name) || !token.IsExported(name) {
		return schema.SeedFixture{}, fmt.Errorf("fixture %q: want \"import/path.Function\", an import path and an exported function name", ref)
	}
	return schema.SeedFixture{Path: path, Name: name}, nil
}
