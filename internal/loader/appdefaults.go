package loader

import (
	"fmt"
	"go/types"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// genDefault reads gen:Func, an app-side default: the function of the
// schema package whose result generated inserts send when the field is
// zero.
func (b *tableBuilder) genDefault(v *types.Var, col *schema.Column, o grammar.TagOption, at func(int) schema.Position, given map[string]grammar.TagOption) {
	l := b.l
	for _, other := range []string{"default", "identity", "generated"} {
		if _, ok := given[other]; ok {
			l.errs.Addf(at(o.Off), "column %q has gen: and %s:, a value from the application and one from the database: keep one", col.Name, other)
			return
		}
	}
	if col.GoType.Incomparable {
		l.errs.Addf(at(o.Off), "gen:%s: the field %s is %s, which has no zero value to test, so an insert could not tell when to call %s",
			o.Value, v.Name(), types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types)), o.Value)
		return
	}
	if l.checkGenFunc("gen:", o.Value, v, at(o.ValOff)) {
		col.Gen = o.Value
	}
}

// onUpdate reads onupdate: on a field without ref:: an SQL expression, or
// gen:Func, that generated updates set the column to.
func (b *tableBuilder) onUpdate(v *types.Var, col *schema.Column, o grammar.TagOption, at func(int) schema.Position) {
	l := b.l
	if fn, ok := strings.CutPrefix(o.Value, "gen:"); ok {
		if l.checkGenFunc("onupdate:gen:", fn, v, at(o.ValOff+len("gen:"))) {
			col.OnUpdate, col.OnUpdateGen = fn, true
		}
		return
	}
	if _, isAction := grammar.ActionFromTag(o.Value); isAction {
		l.errs.Addf(at(o.Off), "onupdate:%s is a referential action, which needs a ref: on the same field; without ref:, onupdate: is what updates set the column to (SQL, or gen:Func)", o.Value)
		return
	}
	if l.checkExpr("onupdate:", o.Value, func(off int) schema.Position { return at(o.ValOff + off) }) {
		col.OnUpdate = o.Value
	}
}

// checkGenFunc reports (and complains) when name is not a function of the
// schema package taking nothing and returning the field's type.
func (l *loader) checkGenFunc(what, name string, v *types.Var, pos schema.Position) bool {
	obj := l.pkg.Types.Scope().Lookup(name)
	if obj == nil {
		msg := fmt.Sprintf("%s%s: no function %q in package %s", what, name, name, l.pkg.Name)
		var names []string
		for _, n := range l.pkg.Types.Scope().Names() {
			if _, ok := l.pkg.Types.Scope().Lookup(n).(*types.Func); ok {
				names = append(names, n)
			}
		}
		if s := suggestExact(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		l.errs.Add(pos, msg)
		return false
	}
	fn, ok := obj.(*types.Func)
	want := types.TypeString(v.Type(), types.RelativeTo(l.pkg.Types))
	if !ok {
		l.errs.Addf(pos, "%s%s: %s is not a function: name a func %s() %s of package %s", what, name, name, name, want, l.pkg.Name)
		return false
	}
	if !fn.Exported() {
		l.errs.Addf(pos, "%s%s: function %s is unexported, and the generated package calls it: export it", what, name, name)
		return false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || sig.Recv() != nil || sig.TypeParams().Len() != 0 ||
		!types.Identical(sig.Results().At(0).Type(), v.Type()) {
		l.errs.Addf(pos, "%s%s: %s is %s; it must be func() %s, the field's type", what, name, name,
			types.TypeString(sig, types.RelativeTo(l.pkg.Types)), want)
		return false
	}
	return true
}
