package goschema

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// SQLHeader starts every SQL file pull writes (a function's statement),
// as Header starts its Go files.
const SQLHeader = "-- Written by mizzle pull from the database's catalog. This is your schema now: edit it freely."

// builtinTriggerFunctions are the functions of pg_catalog a trigger
// marker may name unqualified, as the loader knows them.
var builtinTriggerFunctions = []string{
	"suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column",
}

// functionFiles writes each function as a file sql/NAME.sql holding its
// CREATE OR REPLACE statement, with PostgreSQL's text of it, and returns
// the files and the //mizzle:function markers that read them. The model's
// functions become what the loader reads back from those files.
func (w *writer) functionFiles() ([]File, []string) {
	var files []File
	var markers []string
	used := map[string]bool{}
	for _, f := range w.out.Functions {
		base := fileStemSQL(f.Name)
		if f.Schema != schema.DefaultSchema {
			base = fileStemSQL(f.Schema) + "." + base
		}
		stem := base
		for n := 2; used[stem]; n++ {
			stem = fmt.Sprintf("%s_%d", base, n)
		}
		used[stem] = true
		path := "sql/" + stem + ".sql"
		name := quote.Ident(f.Name)
		if f.Schema != schema.DefaultSchema {
			name = quote.Ident(f.Schema, f.Name)
		}
		stmt := "CREATE OR REPLACE " + f.Keyword() + " " + name + f.Definition + ";\n"
		// As the loader will read it.
		if r, err := grammar.ParseRoutine(stmt); err == nil {
			f.Args, f.Signature, f.Definition = r.Args, r.Signature, r.Definition
		}
		files = append(files, File{Name: path, Data: []byte(SQLHeader + "\n" + stmt)})
		markers = append(markers, "//mizzle:function "+grammar.Name(f.Name)+" file:"+path)
	}
	return files, markers
}

var unsafeFileChars = regexp.MustCompile(`[^a-z0-9_]+`)

// fileStemSQL makes a name a file name's stem: lower case letters, digits
// and underscores.
func fileStemSQL(name string) string {
	s := strings.Trim(unsafeFileChars.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if s == "" {
		s = "function"
	}
	return s
}

// pruneTriggers leaves out, with a warning, the triggers the grammar cannot
// write: one executing a function of a schema the model manages that the
// model does not hold (an overloaded one, say), or whose name a marker
// cannot spell, and one with an argument that holds a line break.
func (w *writer) pruneTriggers() {
	managed := map[string]bool{schema.DefaultSchema: true}
	for _, t := range w.out.Tables {
		managed[t.Schema] = true
	}
	for _, e := range w.out.Enums {
		managed[e.Schema] = true
	}
	for _, f := range w.out.Functions {
		managed[f.Schema] = true
	}
	for _, t := range w.out.Tables {
		t.Triggers = slices.DeleteFunc(t.Triggers, func(tg schema.Trigger) bool {
			what := "trigger " + quote.Ident(tg.Name) + " on " + quote.Ident(t.Schema, t.Name)
			fn := quote.Ident(tg.FunctionSchema, tg.Function)
			switch {
			case w.out.Function(tg.FunctionSchema, tg.Function) != nil:
			case tg.FunctionSchema == "pg_catalog" && slices.Contains(builtinTriggerFunctions, tg.Function):
			case managed[tg.FunctionSchema] || tg.FunctionSchema == "pg_catalog":
				w.warn("%s executes function %s, which the schema does not hold: left out", what, fn)
				return true
			case !grammar.IsBareIdent(tg.FunctionSchema) || !grammar.IsBareIdent(tg.Function):
				w.warn("%s executes function %s, whose name a //mizzle:trigger marker cannot spell: left out", what, fn)
				return true
			}
			for _, a := range tg.Args {
				if strings.ContainsAny(a, "\n\r\x00") {
					w.warn("%s has an argument holding a line break, which a //mizzle:trigger marker cannot hold: left out", what)
					return true
				}
			}
			return false
		})
	}
}

// triggerMarkers writes a table's triggers as //mizzle:trigger markers.
func (w *writer) triggerMarkers(t *schema.Table) []string {
	var out []string
	for i := range t.Triggers {
		tg := &t.Triggers[i]
		s := "//mizzle:trigger " + grammar.Name(tg.Name) + " " + strings.ToUpper(tg.Timing) + " "
		for k, e := range tg.Events {
			if k > 0 {
				s += " OR "
			}
			s += strings.ToUpper(e)
			if e == "update" && len(tg.Columns) > 0 {
				cols := make([]string, len(tg.Columns))
				for j, c := range tg.Columns {
					cols[j] = grammar.Name(c)
				}
				s += " OF " + strings.Join(cols, ", ")
			}
		}
		if tg.Row {
			s += " FOR EACH ROW"
		}
		if tg.When != "" {
			tg.When = w.oneLine(tg.When, "the WHEN condition of trigger "+quote.Ident(tg.Name)+" on "+quote.Ident(t.Schema, t.Name))
			s += " WHEN (" + tg.When + ")"
		}
		fn := grammar.Name(tg.Function)
		switch {
		case tg.FunctionSchema == schema.DefaultSchema:
		case tg.FunctionSchema == "pg_catalog" && slices.Contains(builtinTriggerFunctions, tg.Function):
		default:
			fn = tg.FunctionSchema + "." + tg.Function
		}
		args := make([]string, len(tg.Args))
		for k, a := range tg.Args {
			args[k] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		}
		s += " EXECUTE FUNCTION " + fn + "(" + strings.Join(args, ", ") + ")"
		out = append(out, s)
	}
	return out
}
