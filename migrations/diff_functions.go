package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Functions and triggers.
type (
	// CreateFunction creates a function or procedure, or with Replace
	// replaces the one of that name and signature (CREATE OR REPLACE).
	CreateFunction struct {
		Function *schema.Function
		Replace  bool
	}
	// DropFunction drops a function or procedure, without CASCADE: a
	// default, check or trigger that still uses it makes the statement
	// fail. Recreated says it is created again in the migration (its
	// signature changed).
	DropFunction struct {
		Schema, Name, Args string
		Procedure          bool
		Recreated          bool
	}
	// CreateTrigger creates a trigger on a table.
	CreateTrigger struct {
		Table   TableName
		Trigger schema.Trigger
	}
	// DropTrigger drops a trigger. Recreated says a trigger of the same
	// name is created again later in the migration.
	DropTrigger struct {
		Table     TableName
		Name      string
		Recreated bool
	}
)

func (CreateFunction) change() {}
func (DropFunction) change()   {}
func (CreateTrigger) change()  {}
func (DropTrigger) change()    {}

// sameSignature reports whether CREATE OR REPLACE can turn a into b: the
// same arguments (names, defaults and all) and result type, and the same
// kind of routine.
func sameSignature(a, b *schema.Function) bool {
	return a.Procedure == b.Procedure && parsed(a.Signature, a.ParsedSignature) == parsed(b.Signature, b.ParsedSignature)
}

func sameDefinition(a, b *schema.Function) bool {
	return parsed(a.Definition, a.ParsedDefinition) == parsed(b.Definition, b.ParsedDefinition)
}

// functionRecreated reports whether the function of cur named s.n is
// dropped by the migration: gone from the new model, or dropped to be
// created again with another signature.
func (d *differ) functionRecreated(s, n string) bool {
	old := d.cur.Function(s, n)
	if old == nil {
		return false
	}
	f := d.to.Function(s, n)
	return f == nil || !sameSignature(old, f)
}

func sameTrigger(a, b schema.Trigger) bool {
	return a.Timing == b.Timing && slices.Equal(a.Events, b.Events) && slices.Equal(a.Columns, b.Columns) &&
		a.Row == b.Row && parsed(a.When, a.ParsedWhen) == parsed(b.When, b.ParsedWhen) &&
		a.FunctionSchema == b.FunctionSchema && a.Function == b.Function && slices.Equal(a.Args, b.Args)
}

// dropTriggers decides which triggers of the kept tables stay and drops
// the others, before any function or column they depend on changes: those
// that go or change, that execute a function dropped or created again, or
// whose columns or WHEN condition name a column that is dropped,
// recreated or retyped (see touchedNames; it errs towards dropping).
func (d *differ) dropTriggers() {
	d.triggerKept = map[objKey]bool{}
	touched := d.touchedNames()
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		for _, old := range c.Triggers {
			i := slices.IndexFunc(t.Triggers, func(tg schema.Trigger) bool { return tg.Name == old.Name })
			if i >= 0 && sameTrigger(old, t.Triggers[i]) && !d.functionRecreated(old.FunctionSchema, old.Function) &&
				!slices.ContainsFunc(old.Columns, func(col string) bool { return touched[col] }) && !mentions(old.When, touched) {
				d.triggerKept[objKey{c, old.Name}] = true
				continue
			}
			d.emit(DropTrigger{Table: nameOf(c), Name: old.Name, Recreated: i >= 0})
		}
	}
}

// functions creates the new functions, replaces those whose definition
// changed, and drops and creates again those whose signature changed
// (CREATE OR REPLACE cannot change it): after the extensions and types,
// before the tables, whose defaults and checks may call them.
func (d *differ) functions() {
	for _, f := range d.to.Functions {
		old := d.cur.Function(f.Schema, f.Name)
		switch {
		case old == nil:
			d.emit(CreateFunction{Function: f})
		case !sameSignature(old, f):
			d.emit(DropFunction{Schema: old.Schema, Name: old.Name, Args: old.Args, Procedure: old.Procedure, Recreated: true},
				CreateFunction{Function: f})
		case !sameDefinition(old, f):
			d.emit(CreateFunction{Function: f, Replace: true})
		}
	}
}

// dropFunctions drops the functions the new model lacks, once the tables
// and columns that used them are gone.
func (d *differ) dropFunctions() {
	for _, f := range d.cur.Functions {
		if d.to.Function(f.Schema, f.Name) == nil {
			d.emit(DropFunction{Schema: f.Schema, Name: f.Name, Args: f.Args, Procedure: f.Procedure})
		}
	}
}

// createTriggers creates the triggers that are new or were dropped, once
// their tables, columns and functions are in place.
func (d *differ) createTriggers() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		for _, tg := range t.Triggers {
			if c == nil || !d.triggerKept[objKey{c, tg.Name}] {
				d.emit(CreateTrigger{Table: nameOf(t), Trigger: tg})
			}
		}
	}
}

// functionStatements spells the function and trigger changes; ok is false
// for any other change.
func functionStatements(c Change) (sql []string, warning string, ok bool) {
	switch c := c.(type) {
	case CreateFunction:
		create := "CREATE "
		if c.Replace {
			create = "CREATE OR REPLACE "
		}
		f := c.Function
		return []string{create + f.Keyword() + " " + quote.Ident(f.Schema, f.Name) + f.Definition + ";"}, "", true
	case DropFunction:
		kw := "FUNCTION"
		if c.Procedure {
			kw = "PROCEDURE"
		}
		if !c.Recreated {
			warning = fmt.Sprintf("drops %s %s; this fails while a default, check or trigger still uses it", strings.ToLower(kw), quote.Ident(c.Schema, c.Name))
		}
		return []string{fmt.Sprintf("DROP %s %s(%s);", kw, quote.Ident(c.Schema, c.Name), c.Args)}, warning, true
	case CreateTrigger:
		return []string{createTrigger(c.Table, c.Trigger)}, "", true
	case DropTrigger:
		if !c.Recreated {
			warning = fmt.Sprintf("drops trigger %s of %s: what it did on each change no longer happens", quote.Ident(c.Name), c.Table)
		}
		return []string{fmt.Sprintf("DROP TRIGGER %s ON %s;", quote.Ident(c.Name), c.Table)}, warning, true
	}
	return nil, "", false
}

// createTrigger spells CREATE TRIGGER:
//
//	CREATE TRIGGER "t" BEFORE UPDATE OF "a" ON "public"."x" FOR EACH ROW WHEN (cond) EXECUTE FUNCTION "public"."f"('arg');
func createTrigger(table TableName, tg schema.Trigger) string {
	var b strings.Builder
	b.WriteString("CREATE TRIGGER " + quote.Ident(tg.Name) + " " + strings.ToUpper(tg.Timing) + " ")
	for i, e := range tg.Events {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(strings.ToUpper(e))
		if e == "update" && len(tg.Columns) > 0 {
			b.WriteString(" OF " + identList(tg.Columns))
		}
	}
	b.WriteString(" ON " + table.String())
	if tg.Row {
		b.WriteString(" FOR EACH ROW")
	} else {
		b.WriteString(" FOR EACH STATEMENT")
	}
	if tg.When != "" {
		b.WriteString(" WHEN (" + tg.When + ")")
	}
	args := make([]string, len(tg.Args))
	for i, a := range tg.Args {
		args[i] = quote.Literal(a)
	}
	b.WriteString(" EXECUTE FUNCTION " + quote.Ident(tg.FunctionSchema, tg.Function) + "(" + strings.Join(args, ", ") + ");")
	return b.String()
}

// describeFunction names a function or trigger change for a migration's
// name.
func describeFunction(c Change) string {
	switch c := c.(type) {
	case CreateFunction:
		if c.Replace {
			return "replace_" + c.Function.Name
		}
		return "create_" + c.Function.Name
	case DropFunction:
		return "drop_" + c.Name
	case CreateTrigger:
		return "add_" + c.Trigger.Name
	case DropTrigger:
		return "drop_" + c.Name
	}
	return ""
}
