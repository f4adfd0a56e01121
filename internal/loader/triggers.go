package loader

import (
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// triggerMarker reads //mizzle:trigger NAME BEFORE|AFTER event [OR event
// ...] [FOR [EACH] ROW|STATEMENT] [WHEN (condition)] EXECUTE FUNCTION
// name(args), as CREATE TRIGGER has it after its name; an event is INSERT,
// UPDATE [OF column, ...], DELETE or TRUNCATE. The function is resolved
// once every function is read (resolveTriggers).
func (b *tableBuilder) triggerMarker(mk *marker) {
	t := b.ti.t
	l := b.l
	syntax := grammar.MarkerSyntax("trigger")
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	tg := schema.Trigger{Name: name, Pos: mk.pos}
	fail := func(format string, args ...any) {
		_, off := sc.Rest()
		l.errs.Addf(mk.at(off), "//mizzle:trigger %s: "+format+"; syntax: %s", append(append([]any{name}, args...), syntax)...)
	}
	switch {
	case sc.Keyword("before"):
		tg.Timing = schema.TriggerBefore
	case sc.Keyword("after"):
		tg.Timing = schema.TriggerAfter
	case sc.Keyword("instead", "of"):
		l.errs.Addf(mk.at(sc.Offset()), "//mizzle:trigger %s: INSTEAD OF triggers are for views; a table's trigger is BEFORE or AFTER", name)
		return
	default:
		fail("expected BEFORE or AFTER")
		return
	}
	events := map[string]bool{}
	for {
		at := sc.Offset()
		ev := ""
		for _, e := range schema.TriggerEvents {
			if sc.Keyword(e) {
				ev = e
				break
			}
		}
		if ev == "" {
			fail("expected INSERT, UPDATE, DELETE or TRUNCATE")
			return
		}
		if events[ev] {
			l.errs.Addf(mk.at(at), "//mizzle:trigger %s: %s is named twice", name, strings.ToUpper(ev))
			return
		}
		events[ev] = true
		if ev == "update" && sc.Keyword("of") {
			cols, offs, err := sc.NameList()
			if err != nil {
				l.markerError(mk, err)
				return
			}
			for i, c := range cols {
				if t.Column(c) == nil {
					l.errs.Addf(mk.at(offs[i]), "//mizzle:trigger %s: UPDATE OF names column %q, which table %q does not have", name, c, t.Name)
					return
				}
				if slices.Contains(tg.Columns, c) {
					l.errs.Addf(mk.at(offs[i]), "//mizzle:trigger %s: column %q is named twice", name, c)
					return
				}
				tg.Columns = append(tg.Columns, c)
			}
		}
		if !sc.Keyword("or") {
			break
		}
	}
	for _, e := range schema.TriggerEvents {
		if events[e] {
			tg.Events = append(tg.Events, e)
		}
	}
	if sc.Keyword("for") {
		sc.Keyword("each")
		switch {
		case sc.Keyword("row"):
			tg.Row = true
		case sc.Keyword("statement"):
		default:
			fail("FOR needs ROW or STATEMENT")
			return
		}
	}
	if events["truncate"] && tg.Row {
		l.errs.Addf(mk.pos, "//mizzle:trigger %s: TRUNCATE triggers are FOR EACH STATEMENT only: PostgreSQL refuses FOR EACH ROW", name)
		return
	}
	if sc.Keyword("when") {
		inside, off, err := sc.Group("the WHEN condition")
		if err != nil {
			l.markerError(mk, err)
			return
		}
		if strings.TrimSpace(inside) == "" {
			l.errs.Addf(mk.at(off), "//mizzle:trigger %s: the WHEN condition is empty", name)
			return
		}
		if !l.checkExpr("//mizzle:trigger: WHEN:", inside, func(o int) schema.Position { return mk.at(off + o) }) {
			return
		}
		tg.When = strings.TrimSpace(inside)
	}
	if !sc.Keyword("execute", "function") && !sc.Keyword("execute", "procedure") {
		fail("expected EXECUTE FUNCTION name()")
		return
	}
	fnAt := sc.Offset()
	fn, _, err := sc.Name()
	if err != nil {
		l.markerError(mk, err)
		return
	}
	if fn == "" {
		fail("EXECUTE FUNCTION needs the function's name")
		return
	}
	ref := triggerRef{t: t, name: name, written: fn, pos: mk.at(fnAt)}
	if s, f, ok := strings.Cut(fn, "."); ok && !strings.HasPrefix(mk.Args[fnAt:], `"`) {
		tg.FunctionSchema, fn, ref.qualified = s, f, true
	}
	tg.Function = fn
	inside, off, err := sc.Group("the function's arguments")
	if err != nil {
		l.markerError(mk, err)
		return
	}
	if strings.TrimSpace(inside) != "" {
		for _, part := range sqlsplit.SplitList(inside) {
			arg, ok := triggerArg(strings.TrimSpace(part.Text))
			if !ok {
				l.errs.Addf(mk.at(off+part.Offset+grammar.LeadingSpace(part.Text)),
					"//mizzle:trigger %s: an argument is a string constant ('text'), a number or a name; found %q", name, strings.TrimSpace(part.Text))
				return
			}
			tg.Args = append(tg.Args, arg)
		}
	}
	b.extra(mk, sc)
	if i := slices.IndexFunc(t.Triggers, func(o schema.Trigger) bool { return o.Name == name }); i >= 0 {
		l.errs.Addf(mk.pos, "//mizzle:trigger: trigger %q on table %q declared twice (first at line %d)", name, t.Name, t.Triggers[i].Pos.Line)
		return
	}
	t.Triggers = append(t.Triggers, tg)
	l.triggerRefs = append(l.triggerRefs, ref)
}

// triggerArg reads one argument of a trigger's function as PostgreSQL
// keeps it, a string: a string constant ('it”s'), a number or a name.
func triggerArg(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		inner := s[1 : len(s)-1]
		// Every quote inside comes doubled.
		if strings.Count(inner, "'") != 2*strings.Count(inner, "''") {
			return "", false
		}
		return strings.ReplaceAll(inner, "''", "'"), true
	}
	if s == "" {
		return "", false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return "", false
		}
	}
	return s, true
}
