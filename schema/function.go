package schema

import (
	"cmp"
	"slices"
	"strconv"
)

// Function is a function or procedure the schema manages (CREATE
// FUNCTION): its statement is the user's, kept as text, and compared as
// text, or as PostgreSQL prints it back when the model knows that (the
// Parsed fields, which introspection's Normalize sets). Overloads are not
// managed: a schema holds one function of a name.
type Function struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Procedure says it is a procedure (CREATE PROCEDURE).
	Procedure bool `json:"procedure,omitempty"`
	// Args is the argument list DROP FUNCTION takes, without the
	// parentheses: modes, names and types, no defaults.
	Args string `json:"args"`
	// Signature is what PostgreSQL cannot change in place: the argument
	// list as declared (defaults included) and the result type. A function
	// whose signature changes is dropped and created again; one whose
	// signature stays is replaced (CREATE OR REPLACE).
	Signature string `json:"signature"`
	// Definition is the statement after the function's name, from the "("
	// of its arguments to its end, without the semicolon: what CREATE OR
	// REPLACE FUNCTION "schema"."name" is followed by.
	Definition string `json:"definition"`
	// ParsedSignature and ParsedDefinition are Signature and Definition
	// as PostgreSQL prints them back (pg_get_function_arguments,
	// pg_get_function_result and pg_get_functiondef), when known; never
	// in snapshots.
	ParsedSignature  string `json:"-"`
	ParsedDefinition string `json:"-"`
	// File is the file the definition was read from, relative to the
	// schema package's directory; empty for a Go constant or a model read
	// from a database. Never in snapshots.
	File string   `json:"-"`
	Pos  Position `json:"pos,omitzero"`
}

// Keyword is FUNCTION or PROCEDURE, as CREATE and DROP spell it.
func (f *Function) Keyword() string {
	if f.Procedure {
		return "PROCEDURE"
	}
	return "FUNCTION"
}

// Function returns the function of the given schema and name, or nil.
func (m *Model) Function(schemaName, name string) *Function {
	for _, f := range m.Functions {
		if f.Schema == schemaName && f.Name == name {
			return f
		}
	}
	return nil
}

// Trigger timings, spelled as CREATE TRIGGER has them, lower case.
const (
	TriggerBefore = "before"
	TriggerAfter  = "after"
)

// Trigger events, in the order PostgreSQL prints them, lower case.
var TriggerEvents = []string{"insert", "delete", "update", "truncate"}

// Trigger is a trigger on a table (CREATE TRIGGER).
type Trigger struct {
	Name string `json:"name"`
	// Timing is TriggerBefore or TriggerAfter.
	Timing string `json:"timing"`
	// Events are the events that fire it, in the order of TriggerEvents.
	Events []string `json:"events"`
	// Columns are UPDATE OF's columns, as declared; none means any.
	Columns []string `json:"columns,omitempty"`
	// Row is FOR EACH ROW; the default is FOR EACH STATEMENT.
	Row bool `json:"row,omitempty"`
	// When is the WHEN condition without its parentheses; empty means
	// none. ParsedWhen is it as PostgreSQL prints it back, when known
	// (see Check.Parsed); never in snapshots.
	When       string `json:"when,omitempty"`
	ParsedWhen string `json:"-"`
	// FunctionSchema and Function name the function it executes.
	FunctionSchema string `json:"functionSchema"`
	Function       string `json:"function"`
	// Args are the strings the function gets in TG_ARGV.
	Args []string `json:"args,omitempty"`
	Pos  Position `json:"pos,omitzero"`
}

func sortFunctions(fs []*Function) {
	slices.SortFunc(fs, func(a, b *Function) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
}

func (t *Table) sortTriggers() {
	slices.SortFunc(t.Triggers, func(a, b Trigger) int { return cmp.Compare(a.Name, b.Name) })
}

func cloneFunctions(fs []*Function) []*Function {
	if fs == nil {
		return nil
	}
	out := make([]*Function, len(fs))
	for i, f := range fs {
		f := *f
		out[i] = &f
	}
	return out
}

func (t *Table) cloneTriggers() []Trigger {
	ts := slices.Clone(t.Triggers)
	for i := range ts {
		ts[i].Events = slices.Clone(ts[i].Events)
		ts[i].Columns = slices.Clone(ts[i].Columns)
		ts[i].Args = slices.Clone(ts[i].Args)
	}
	return ts
}

// validateFunctions reports functions without a name or a definition, and
// names declared twice.
func (m *Model) validateFunctions(add func(format string, args ...any)) {
	type key struct{ schema, name string }
	seen := map[key]bool{}
	for _, f := range m.Functions {
		k := key{f.Schema, f.Name}
		switch {
		case f.Schema == "" || f.Name == "":
			add("function %q.%q: empty schema or name", f.Schema, f.Name)
		case seen[k]:
			add("function %q.%q appears twice", f.Schema, f.Name)
		case f.Definition == "":
			add("function %q.%q has no definition", f.Schema, f.Name)
		}
		seen[k] = true
	}
}

// validateTriggers reports what is wrong with t's triggers to add.
func (t *Table) validateTriggers(what string, add func(format string, args ...any)) {
	seen := map[string]bool{}
	for _, tg := range t.Triggers {
		if tg.Name == "" {
			add("%s: a trigger has no name", what)
			continue
		}
		if seen[tg.Name] {
			add("%s: trigger %q appears twice", what, tg.Name)
		}
		seen[tg.Name] = true
		if tg.Timing != TriggerBefore && tg.Timing != TriggerAfter {
			add("%s: trigger %q has timing %q, not before or after", what, tg.Name, tg.Timing)
		}
		if len(tg.Events) == 0 {
			add("%s: trigger %q has no event", what, tg.Name)
		}
		last := -1
		for _, e := range tg.Events {
			i := slices.Index(TriggerEvents, e)
			if i <= last {
				add("%s: trigger %q has event %s unknown, repeated or out of order", what, tg.Name, strconv.Quote(e))
			}
			last = i
		}
		if len(tg.Columns) > 0 && !slices.Contains(tg.Events, "update") {
			add("%s: trigger %q has UPDATE OF columns but no update event", what, tg.Name)
		}
		for _, c := range tg.Columns {
			if t.Column(c) == nil {
				add("%s: trigger %q is on column %q, which the table does not have", what, tg.Name, c)
			}
		}
		if tg.Function == "" || tg.FunctionSchema == "" {
			add("%s: trigger %q names no function", what, tg.Name)
		}
	}
}
