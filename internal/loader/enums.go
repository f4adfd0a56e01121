package loader

import (
	"fmt"
	"go/constant"
	"go/types"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// enumInfo is a named string type of the schema package that has constants
// or an //mizzle:enum marker. It becomes an enum of the model when a column
// uses it or the marker asks for it.
type enumInfo struct {
	e      *schema.Enum
	marked bool
	used   bool
}

// collectEnums finds every named string type with constants, reading the
// values from go/types (never from source text) in declaration order, which
// is the order PostgreSQL sorts enum values by.
func (l *loader) collectEnums() {
	scope := l.pkg.Types.Scope()
	consts := map[*types.TypeName][]*types.Const{}
	for _, name := range scope.Names() {
		c, ok := scope.Lookup(name).(*types.Const)
		if !ok {
			continue
		}
		n, ok := types.Unalias(c.Type()).(*types.Named)
		if !ok || n.Obj().Pkg() != l.pkg.Types || !isStringType(n) {
			continue
		}
		consts[n.Obj()] = append(consts[n.Obj()], c)
	}
	for _, d := range l.decls {
		mk := d.marker("enum")
		cs := consts[d.obj]
		if mk == nil && len(cs) == 0 {
			continue
		}
		if !isStringType(d.obj.Type()) {
			if mk != nil {
				l.errs.Addf(mk.pos, "//mizzle:enum on %s, whose underlying type is %s, not string", d.obj.Name(), d.obj.Type().Underlying())
			}
			continue
		}
		if d.marker("table") != nil {
			continue
		}
		e := &schema.Enum{
			Schema: schema.DefaultSchema,
			Name:   schema.SnakeCase(d.obj.Name()),
			GoType: schema.GoType{Kind: schema.GoNamed, Path: l.pkg.PkgPath, Name: d.obj.Name()},
			Pos:    l.pos(d.spec.Name.Pos()),
		}
		if mk != nil {
			sc := grammar.NewScanner(mk.Args)
			name, off, err := sc.Name()
			if err != nil {
				l.markerError(mk, err)
			} else if name != "" {
				e.Name = name
				l.checkName(mk.at(off), "enum", name)
			} else {
				l.checkName(e.Pos, "enum", e.Name)
			}
			if rest, roff := sc.Rest(); rest != "" {
				l.errs.Addf(mk.at(roff), "unexpected %q after the enum name; syntax: %s", rest, grammar.MarkerSyntax("enum"))
			}
		}
		if mk == nil {
			l.checkName(e.Pos, "enum", e.Name)
		}
		l.applySchemaAndWas(d, "enum", e.Name, &e.Schema, &e.Was)
		e.Comment = l.typeComment(d)
		slices.SortFunc(cs, func(a, b *types.Const) int { return int(a.Pos() - b.Pos()) })
		seen := map[string]bool{}
		for _, c := range cs {
			v := constant.StringVal(c.Val())
			switch {
			case seen[v]:
				continue // an alias constant such as StatusDefault = StatusOpen
			case v == "":
				l.errs.Addf(l.pos(c.Pos()), "enum %s: constant %s has an empty value; PostgreSQL enum labels are 1 to 63 bytes", e.Name, c.Name())
			case len(v) > schema.MaxIdentifierLength:
				l.errs.Addf(l.pos(c.Pos()), "enum %s: value %q of constant %s is %d bytes; PostgreSQL enum labels are at most 63 bytes", e.Name, v, c.Name(), len(v))
			case badText(v) != "":
				l.errs.Addf(l.pos(c.Pos()), "enum %s: value %q of constant %s %s", e.Name, v, c.Name(), badText(v))
			}
			seen[v] = true
			e.Values = append(e.Values, v)
		}
		if mk != nil && len(e.Values) == 0 {
			l.errs.Addf(mk.pos, "enum %s has no values: declare them as constants of type %s", e.Name, d.obj.Name())
		}
		l.enums[d.obj] = &enumInfo{e: e, marked: mk != nil}
	}
}

func isStringType(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

// enumOf returns the enum a named type stands for, marking it used.
func (l *loader) enumOf(n *types.Named) *schema.Enum {
	ei := l.enums[n.Obj()]
	if ei == nil || len(ei.e.Values) == 0 {
		return nil
	}
	ei.used = true
	return ei.e
}

// applySchemaAndWas reads the //mizzle:schema and //mizzle:was markers of a
// table or enum; what says which, and name is its SQL name.
func (l *loader) applySchemaAndWas(d *typeDecl, what, name string, schemaName, was *string) {
	self := name
	for _, kind := range []string{"schema", "was"} {
		mk := d.marker(kind)
		if mk == nil {
			continue
		}
		sc := grammar.NewScanner(mk.Args)
		name, off, err := sc.Name()
		switch {
		case err != nil:
			l.markerError(mk, err)
			continue
		case name == "":
			l.errs.Addf(mk.at(off), "//mizzle:%s needs a name; syntax: %s", kind, grammar.MarkerSyntax(kind))
			continue
		}
		if rest, roff := sc.Rest(); rest != "" {
			l.errs.Addf(mk.at(roff), "unexpected %q after the name; syntax: %s", rest, grammar.MarkerSyntax(kind))
		}
		l.checkName(mk.at(off), kind, name)
		switch {
		case kind == "schema":
			*schemaName = name
		case name == self:
			// The differ already pairs an object with the one of the same
			// name, in its schema or in another: the hint does nothing.
			l.errs.Addf(mk.at(off), "//mizzle:was %s names the %s's own name: it gives the name the %s had before a rename (remove it once the rename is applied)", name, what, what)
		default:
			*was = name
		}
	}
}

// markerError reports a parse error of a marker's arguments.
func (l *loader) markerError(mk *marker, err error) {
	if oe, ok := err.(*grammar.OffsetError); ok {
		l.errs.Addf(mk.at(oe.Off), "//mizzle:%s: %s", mk.Name, oe.Msg)
		return
	}
	l.errs.Addf(mk.pos, "//mizzle:%s: %v", mk.Name, err)
}

// checkLength reports a name PostgreSQL would truncate.
func (l *loader) checkName(pos schema.Position, what, name string) {
	if len(name) > schema.MaxIdentifierLength {
		l.errs.Addf(pos, "%s name %q is %d bytes; PostgreSQL truncates identifiers longer than 63 bytes", what, name, len(name))
	}
	if msg := badText(name); msg != "" {
		l.errs.Addf(pos, "%s name %q %s", what, name, msg)
	}
}

// badText says what makes s impossible as a PostgreSQL name or label, or
// returns "": a NUL byte (the server's strings end at one) or bytes that
// are not UTF-8 (which a database in UTF8 refuses, and generated Go code
// could not hold in a comment).
func badText(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Sprintf("holds a NUL byte (at byte %d), which PostgreSQL names and labels cannot", i)
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}
