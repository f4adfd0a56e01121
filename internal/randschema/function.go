package randschema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// Functions and triggers. Random functions live in public and are written
// as PostgreSQL prints them back (pg_get_functiondef after the name), so
// that introspection reads exactly the model: trigger functions that
// return the row they get, SQL functions of an integer, and procedures.
// Triggers execute a trigger function of the model or PostgreSQL's
// suppress_redundant_updates_trigger; their WHEN condition is "new.c IS
// NOT NULL" on a column of the table, which reads the same whatever the
// column's type.

// triggerBody is the body of a trigger function; n varies it, so that a
// function can change while its signature stays.
func triggerBody(n int) string {
	return fmt.Sprintf("()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN PERFORM %d; RETURN COALESCE(NEW, OLD); END$function$", n)
}

// sqlFunction is an SQL function of an integer returning typ.
func sqlFunction(typ string, n int) string {
	return fmt.Sprintf("(n %s)\n RETURNS %s\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT n + %d$function$", typ, typ, n)
}

// procedure is a procedure; n varies its body.
func procedure(n int) string {
	return fmt.Sprintf("(INOUT n integer)\n LANGUAGE plpgsql\nAS $procedure$BEGIN n := n + %d; END$procedure$", n)
}

// setDefinition sets f's definition and what the loader derives from it.
func setDefinition(f *schema.Function, def string) {
	r, err := grammar.ParseRoutine("CREATE " + f.Keyword() + " f" + def)
	if err != nil {
		panic("randschema: " + err.Msg)
	}
	f.Definition, f.Args, f.Signature = r.Definition, r.Args, r.Signature
}

// newFunction adds a random function (a trigger function half the time)
// in public.
func (g *gen) newFunction() *schema.Function {
	f := &schema.Function{Schema: schema.DefaultSchema, Name: g.objectName()}
	switch k := g.r.IntN(4); {
	case k < 2:
		setDefinition(f, triggerBody(g.r.IntN(100)))
	case k == 2:
		setDefinition(f, sqlFunction(pick(g, []string{"integer", "bigint"}), g.r.IntN(100)))
	default:
		f.Procedure = true
		setDefinition(f, procedure(g.r.IntN(100)))
	}
	g.m.Functions = append(g.m.Functions, f)
	return f
}

func isTriggerFunction(f *schema.Function) bool {
	return strings.HasSuffix(f.Signature, "RETURNS trigger")
}

// newTrigger adds a random trigger to t, if a trigger function is there
// to execute.
func (g *gen) newTrigger(t *schema.Table) (schema.Trigger, bool) {
	var fns []*schema.Function
	for _, f := range g.m.Functions {
		if isTriggerFunction(f) {
			fns = append(fns, f)
		}
	}
	tg := schema.Trigger{Name: g.objectName()}
	if len(fns) == 0 || g.chance(0.15) {
		tg.Timing, tg.Events, tg.Row = schema.TriggerBefore, []string{"update"}, true
		tg.FunctionSchema, tg.Function = "pg_catalog", "suppress_redundant_updates_trigger"
		t.Triggers = append(t.Triggers, tg)
		return tg, true
	}
	f := pick(g, fns)
	tg.FunctionSchema, tg.Function = f.Schema, f.Name
	tg.Timing = pick(g, []string{schema.TriggerBefore, schema.TriggerAfter})
	tg.Row = g.chance(0.7)
	for _, e := range []string{"insert", "delete", "update"} {
		if g.chance(0.5) {
			tg.Events = append(tg.Events, e)
		}
	}
	if !tg.Row && g.chance(0.2) {
		tg.Events = append(tg.Events, "truncate")
	}
	if len(tg.Events) == 0 {
		tg.Events = []string{"update"}
	}
	var plain []*schema.Column
	for _, c := range t.Columns {
		if c.Generated == "" {
			plain = append(plain, c)
		}
	}
	if slices.Contains(tg.Events, "update") && len(plain) > 0 && g.chance(0.3) {
		for range 1 + g.r.IntN(2) {
			if c := pick(g, plain).Name; !slices.Contains(tg.Columns, c) {
				tg.Columns = append(tg.Columns, c)
			}
		}
	}
	if tg.Row && !slices.Contains(tg.Events, "delete") && !slices.Contains(tg.Events, "truncate") && len(plain) > 0 && g.chance(0.3) {
		tg.When = "new." + ident(pick(g, plain).Name) + " IS NOT NULL"
	}
	if g.chance(0.3) {
		tg.Args = []string{"a", "it's"}
	}
	t.Triggers = append(t.Triggers, tg)
	return tg, true
}

// triggers gives t random triggers.
func (g *gen) triggers(t *schema.Table) {
	for range []int{0, 0, 0, 1, 2}[g.r.IntN(5)] {
		g.newTrigger(t)
	}
}

// triggersOnColumn drops the triggers of t that name the column, as a user
// dropping the column must.
func triggersOnColumn(t *schema.Table, name string) {
	t.Triggers = slices.DeleteFunc(t.Triggers, func(tg schema.Trigger) bool {
		return slices.Contains(tg.Columns, name) || references(whenColumns(tg.When), name)
	})
}

// renameTriggerRefs follows a column rename in t's triggers.
func renameTriggerRefs(t *schema.Table, from, to string) {
	for i := range t.Triggers {
		tg := &t.Triggers[i]
		for k, c := range tg.Columns {
			if c == from {
				tg.Columns[k] = to
			}
		}
		if tg.When != "" {
			tg.When = "new." + renameRef(whenColumns(tg.When), from, to)
		}
	}
}

// functionMutation and triggerMutation each stand for the changes of
// their kind in the list of mutations, so that the kinds there before
// keep their chances.
func (c *changer) functionMutation() (string, bool) {
	return pick(&c.gen, []mutation{c.createFunction, c.dropFunction, c.changeFunction, c.changeFunction})()
}

func (c *changer) triggerMutation() (string, bool) {
	return pick(&c.gen, []mutation{c.addTrigger, c.dropTrigger, c.changeTrigger})()
}

func (c *changer) createFunction() (string, bool) {
	f := c.newFunction()
	return "create function " + f.Name, true
}

func (c *changer) dropFunction() (string, bool) {
	if len(c.m.Functions) == 0 {
		return "", false
	}
	f := pick(&c.gen, c.m.Functions)
	c.m.Functions = slices.DeleteFunc(c.m.Functions, func(o *schema.Function) bool { return o == f })
	// Its triggers go with it, as a user removing it must remove them.
	for _, t := range c.m.Tables {
		t.Triggers = slices.DeleteFunc(t.Triggers, func(tg schema.Trigger) bool {
			return tg.FunctionSchema == f.Schema && tg.Function == f.Name
		})
	}
	return "drop function " + f.Name, true
}

// changeFunction changes a function's body (replaced in place) or, for an
// SQL function, its types (dropped and created again).
func (c *changer) changeFunction() (string, bool) {
	if len(c.m.Functions) == 0 {
		return "", false
	}
	f := pick(&c.gen, c.m.Functions)
	n := 100 + c.r.IntN(100)
	switch {
	case f.Procedure:
		setDefinition(f, procedure(n))
	case isTriggerFunction(f):
		setDefinition(f, triggerBody(n))
	case c.chance(0.5):
		typ := "bigint"
		if strings.Contains(f.Signature, "bigint") {
			typ = "integer"
		}
		setDefinition(f, sqlFunction(typ, n))
		return "change signature of function " + f.Name, true
	default:
		typ := "integer"
		if strings.Contains(f.Signature, "bigint") {
			typ = "bigint"
		}
		setDefinition(f, sqlFunction(typ, n))
	}
	return "change body of function " + f.Name, true
}

func (c *changer) addTrigger() (string, bool) {
	t := c.randomTable()
	if t == nil {
		return "", false
	}
	tg, ok := c.newTrigger(t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("add trigger %s on %s", tg.Name, t.Name), true
}

func (c *changer) dropTrigger() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Triggers) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Triggers))
	name := t.Triggers[i].Name
	t.Triggers = slices.Delete(t.Triggers, i, i+1)
	return fmt.Sprintf("drop trigger %s of %s", name, t.Name), true
}

// changeTrigger replaces a trigger by another of the same name.
func (c *changer) changeTrigger() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Triggers) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Triggers))
	name := t.Triggers[i].Name
	t.Triggers = slices.Delete(t.Triggers, i, i+1)
	tg, ok := c.newTrigger(t)
	if !ok {
		return "", false
	}
	t.Triggers[len(t.Triggers)-1].Name = name
	return fmt.Sprintf("change trigger %s of %s to %+v", name, t.Name, tg), true
}

// whenColumns is a WHEN condition the generator wrote, new.col IS NOT
// NULL, without its "new.": the expression helpers take a name after a
// dot for a type's, so they would not see the column.
func whenColumns(when string) string { return strings.TrimPrefix(when, "new.") }
