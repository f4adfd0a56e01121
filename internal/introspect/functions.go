package introspect

import (
	"bytes"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// functionsQuery reads the functions and procedures of the selected
// schemas, but those of extensions and those that come with a type (the
// constructors of a range type): their schema and name, whether a
// procedure, their identity arguments (to name them in the report), their
// whole definition as PostgreSQL prints it (read as the loader reads a
// function's file), their language and how many share their name.
// Aggregates and window functions are othersQuery's.
const functionsQuery = `SELECT n.nspname::text, p.proname::text, p.prokind = 'p',
	pg_catalog.pg_get_function_identity_arguments(p.oid),
	pg_catalog.pg_get_functiondef(p.oid),
	l.lanname::text,
	count(*) OVER (PARTITION BY p.pronamespace, p.proname)
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('f', 'p')
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dep.objid = p.oid AND dep.deptype IN ('e', 'i'))
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C", pg_catalog.pg_get_function_identity_arguments(p.oid) COLLATE "C"`

// triggersQuery reads the triggers of the tables columnsQuery reads
// (triggers on other relations are othersQuery's): the table, the name,
// tgtype's bits, the UPDATE OF columns in their order, the function, the
// arguments (tgargs: each one ended by a zero byte), the definition as
// pg_get_triggerdef prints it (for the WHEN condition), and what the
// model cannot hold: a constraint trigger, transition tables, a trigger
// not enabled as created (ALTER TABLE ... DISABLE TRIGGER).
const triggersQuery = `SELECT n.nspname::text, c.relname::text, tg.tgname::text, tg.tgtype::int,
	ARRAY(SELECT a.attname::text FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY AS u(k, i)
		JOIN pg_catalog.pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = u.k ORDER BY u.i),
	fn.nspname::text, p.proname::text, tg.tgargs, pg_catalog.pg_get_triggerdef(tg.oid),
	tg.tgconstraint <> 0, tg.tgoldtable IS NOT NULL OR tg.tgnewtable IS NOT NULL, tg.tgenabled::text
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE NOT tg.tgisinternal AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", tg.tgname COLLATE "C"`

func (in *inspector) functionRow(r row) error {
	var (
		f             schema.Function
		identity, def string
		language      string
		sameName      int64
	)
	if err := r.Scan(&f.Schema, &f.Name, &f.Procedure, &identity, &def, &language, &sameName); err != nil {
		return err
	}
	kind := Function
	if f.Procedure {
		kind = Procedure
	}
	object := quote.Ident(f.Schema, f.Name) + "(" + identity + ")"
	switch {
	case sameName > 1:
		in.report(kind, object, "overloaded: mizzle manages one function of a name")
		return nil
	case language == "c" || language == "internal":
		in.report(kind, object, "LANGUAGE "+language)
		return nil
	}
	rt, err := grammar.ParseRoutine(def)
	if err != nil {
		in.report(kind, object, "its definition does not read back: "+err.Msg)
		return nil
	}
	// Read as the loader reads the file pull writes from it.
	f.Args, f.Signature, f.Definition = rt.Args, rt.Signature, rt.Definition
	in.m.Functions = append(in.m.Functions, &f)
	return nil
}

// Bits of pg_trigger.tgtype.
const (
	tgRow      = 1 << 0
	tgBefore   = 1 << 1
	tgInsert   = 1 << 2
	tgDelete   = 1 << 3
	tgUpdate   = 1 << 4
	tgTruncate = 1 << 5
	tgInstead  = 1 << 6
)

func (in *inspector) triggerRow(r row) error {
	var (
		nsp, rel, enabled            string
		tgtype                       int32
		tg                           schema.Trigger
		args                         []byte
		def                          string
		constraint, transitionTables bool
	)
	if err := r.Scan(&nsp, &rel, &tg.Name, &tgtype, &tg.Columns, &tg.FunctionSchema, &tg.Function, &args, &def,
		&constraint, &transitionTables, &enabled); err != nil {
		return err
	}
	on := quote.Ident(tg.Name) + " on " + quote.Ident(nsp, rel)
	t := in.tables[relKey{schema: nsp, name: rel}]
	switch {
	case t == nil:
		in.report(Trigger, on, "")
		return nil
	case constraint:
		in.report(Trigger, on, "CONSTRAINT TRIGGER")
		return nil
	case transitionTables:
		in.report(Trigger, on, "REFERENCING transition tables")
		return nil
	case tgtype&tgInstead != 0:
		in.report(Trigger, on, "INSTEAD OF")
		return nil
	case enabled != "O":
		in.report(Trigger, on, map[string]string{"D": "disabled", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}[enabled])
		return nil
	}
	tg.Timing = schema.TriggerAfter
	if tgtype&tgBefore != 0 {
		tg.Timing = schema.TriggerBefore
	}
	tg.Row = tgtype&tgRow != 0
	for i, bit := range []int32{tgInsert, tgDelete, tgUpdate, tgTruncate} {
		if tgtype&bit != 0 {
			tg.Events = append(tg.Events, schema.TriggerEvents[i])
		}
	}
	if len(tg.Columns) == 0 {
		tg.Columns = nil
	}
	for len(args) > 0 {
		i := bytes.IndexByte(args, 0)
		if i < 0 {
			i = len(args)
		}
		tg.Args = append(tg.Args, string(args[:i]))
		args = args[min(i+1, len(args)):]
	}
	tg.When = triggerWhen(def)
	t.Triggers = append(t.Triggers, tg)
	return nil
}

// triggerWhen cuts the WHEN condition out of a trigger's definition as
// pg_get_triggerdef prints it, without the parentheses around the whole
// (as a check's); "" when it has none. The first WHEN outside parentheses
// is the clause's: names that are key words come quoted.
func triggerWhen(def string) string {
	depth := 0
	when := false
	for tok := range sqlsplit.Tokens(def) {
		switch {
		case tok.Text == "(" && when:
			end, _ := sqlsplit.ClosingParen(def, tok.Offset)
			if end < 0 {
				return ""
			}
			return unparen(def[tok.Offset : end+1])
		case tok.Text == "(":
			depth++
		case tok.Text == ")":
			depth--
		case depth == 0 && tok.Word && strings.EqualFold(tok.Text, "when"):
			when = true
		case depth == 0 && tok.Word && strings.EqualFold(tok.Text, "execute"):
			return ""
		}
	}
	return ""
}
