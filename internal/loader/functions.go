package loader

import (
	"go/constant"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// builtinTriggerFunctions are PostgreSQL's own trigger functions, in
// pg_catalog, which a trigger may execute without the schema declaring
// them.
var builtinTriggerFunctions = []string{
	"suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column",
}

// functions reads the //mizzle:function markers:
// NAME file:PATH, or NAME AS constName. The statement (a file next to the
// schema's Go files, or a Go string constant of the package) is one CREATE
// [OR REPLACE] FUNCTION or PROCEDURE statement naming the function NAME;
// its schema is the name's qualifier, else public.
func (l *loader) functions() []*schema.Function {
	var out []*schema.Function
	seen := map[[2]string]*marker{}
	syntax := grammar.MarkerSyntax("function")
	for _, mk := range l.pkgMarkers {
		if mk.Name != "function" {
			continue
		}
		sc := grammar.NewScanner(mk.Args)
		name, off, err := sc.Name()
		switch {
		case err != nil:
			l.markerError(mk, err)
			continue
		case name == "":
			l.errs.Addf(mk.at(off), "//mizzle:function needs a name; syntax: %s", syntax)
			continue
		}
		l.checkName(mk.at(off), "function", name)
		var src, from, file string
		srcAt := sc.Offset()
		switch {
		case sc.Keyword("as"):
			cname, coff, err := sc.Name()
			if err != nil || cname == "" {
				l.errs.Addf(mk.at(coff), "//mizzle:function: AS needs the name of a string constant; syntax: %s", syntax)
				continue
			}
			c, _ := l.pkg.Types.Scope().Lookup(cname).(*types.Const)
			if c == nil || c.Val().Kind() != constant.String {
				l.errs.Addf(mk.at(coff), "//mizzle:function %s: %s is not a string constant of package %s", name, cname, l.pkg.Name)
				continue
			}
			src, from = constant.StringVal(c.Val()), "constant "+cname
		default:
			rest, roff := sc.Rest()
			p, ok := strings.CutPrefix(rest, "file:")
			if !ok || p == "" {
				l.errs.Addf(mk.at(roff), "//mizzle:function %s needs file:PATH or AS constName; syntax: %s", name, syntax)
				continue
			}
			if i := strings.IndexAny(p, " \t"); i >= 0 {
				extra := strings.TrimLeft(p[i:], " \t")
				l.errs.Addf(mk.at(roff+len(rest)-len(extra)), "//mizzle:function: unexpected %q; syntax: %s", extra, syntax)
				continue
			}
			if filepath.IsAbs(p) || strings.Contains(p, `\`) {
				l.errs.Addf(mk.at(roff), "//mizzle:function %s: file:%s must be a path relative to the schema package's directory, with / between its parts", name, p)
				continue
			}
			data, err := l.readFile(filepath.Join(filepath.Dir(mk.pos.Filename), filepath.FromSlash(p)))
			if err != nil {
				l.errs.Addf(mk.at(roff), "//mizzle:function %s: cannot read %s: %v", name, p, unwrapPath(err))
				continue
			}
			src, from, file = string(data), p, p
		}
		if !sc.EOF() {
			rest, roff := sc.Rest()
			l.errs.Addf(mk.at(roff), "//mizzle:function: unexpected %q; syntax: %s", rest, syntax)
			continue
		}
		// The migration file is cut at every breakpoint line, even inside
		// a function's body: the statement would arrive in two pieces.
		if at := strings.Index(src, migrate.Breakpoint); at >= 0 {
			l.errs.Addf(mk.at(srcAt), "//mizzle:function %s: %s: holds %q, which would cut the migration file there: write it otherwise (a space after the dashes is enough)",
				name, where(from, src, at, file != ""), migrate.Breakpoint)
			continue
		}
		r, perr := grammar.ParseRoutine(src)
		if perr != nil {
			l.errs.Addf(mk.at(srcAt), "//mizzle:function %s: %s: %s", name, where(from, src, perr.Off, file != ""), perr.Msg)
			continue
		}
		if r.Name != name {
			l.errs.Addf(mk.at(srcAt), "//mizzle:function %s: %s: the statement creates %q, not %q", name, where(from, src, r.NameOff, file != ""), r.Name, name)
			continue
		}
		f := &schema.Function{
			Schema: r.Schema, Name: r.Name, Procedure: r.Procedure, Args: r.Args, Signature: r.Signature,
			Definition: r.Definition, File: file, Pos: mk.pos,
		}
		if f.Schema == "" {
			f.Schema = schema.DefaultSchema
		}
		if isTriggerType(r.Returns) && r.Args != "" {
			l.errs.Addf(mk.at(srcAt), "//mizzle:function %s: a trigger function takes no declared arguments (it reads its trigger's in TG_ARGV): PostgreSQL refuses them", name)
			continue
		}
		k := [2]string{f.Schema, f.Name}
		if first := seen[k]; first != nil {
			l.errs.Addf(mk.at(off), "//mizzle:function %s appears twice (first at line %d); overloaded functions are not managed", name, first.pos.Line)
			continue
		}
		seen[k] = mk
		out = append(out, f)
	}
	return out
}

// functionFile returns the path a comment's //mizzle:function NAME
// file:PATH marker reads, for the model cache.
func functionFile(comment string) (string, bool) {
	name, args, _, ok := grammar.CutMarker(comment)
	if !ok || name != "function" {
		return "", false
	}
	sc := grammar.NewScanner(args)
	if n, _, err := sc.Name(); err != nil || n == "" {
		return "", false
	}
	rest, _ := sc.Rest()
	p, ok := strings.CutPrefix(rest, "file:")
	return p, ok && p != "" && !filepath.IsAbs(p) && !strings.ContainsAny(p, " \t")
}

// where names a place in a function's source for an error: the file with
// its line and column, or the constant.
func where(from, src string, off int, isFile bool) string {
	if !isFile {
		return from
	}
	line, col := 1, 1
	for _, c := range []byte(src[:min(off, len(src))]) {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return from + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// triggerRef is a trigger's function as the marker names it, resolved
// once the functions are read.
type triggerRef struct {
	t         *schema.Table
	name      string
	qualified bool
	written   string // the function's name as the marker writes it
	pos       schema.Position
}

// resolveTriggers sets each trigger's function schema: the schema's own
// function of that name (in public when unqualified), one of PostgreSQL's
// trigger functions, or, qualified with a schema the model does not
// manage, a function mizzle does not manage.
func (l *loader) resolveTriggers(m *schema.Model) {
	managed := map[string]bool{schema.DefaultSchema: true}
	for _, t := range m.Tables {
		managed[t.Schema] = true
	}
	for _, e := range m.Enums {
		managed[e.Schema] = true
	}
	for _, f := range m.Functions {
		managed[f.Schema] = true
	}
	for _, ref := range l.triggerRefs {
		i := slices.IndexFunc(ref.t.Triggers, func(tg schema.Trigger) bool { return tg.Name == ref.name })
		if i < 0 {
			continue
		}
		tg := &ref.t.Triggers[i]
		fs := tg.FunctionSchema
		if !ref.qualified {
			fs = schema.DefaultSchema
		}
		f := m.Function(fs, tg.Function)
		switch {
		case f != nil && f.Procedure:
			l.errs.Addf(ref.pos, "//mizzle:trigger %s: %s is a procedure; a trigger executes a function", tg.Name, tg.Function)
			continue
		case f != nil && !returnsTrigger(f):
			l.errs.Addf(ref.pos, "//mizzle:trigger %s: function %s does not return trigger", tg.Name, tg.Function)
			continue
		case f != nil:
		case (!ref.qualified || fs == "pg_catalog") && slices.Contains(builtinTriggerFunctions, tg.Function):
			fs = "pg_catalog"
		case ref.qualified && !managed[fs]:
			// A function of a schema mizzle does not manage.
		default:
			l.errs.Addf(ref.pos, "//mizzle:trigger %s: unknown function %s: declare it with //mizzle:function in the package's doc comment", tg.Name, ref.written)
			continue
		}
		tg.FunctionSchema = fs
	}
}

// returnsTrigger reports whether f's signature ends in RETURNS trigger.
func returnsTrigger(f *schema.Function) bool {
	_, ret, ok := strings.Cut(f.Signature, " RETURNS ")
	return ok && isTriggerType(ret)
}

// isTriggerType reports whether a RETURNS clause's type, as ParseRoutine
// spells it, is trigger.
func isTriggerType(ret string) bool {
	switch strings.ToLower(strings.ReplaceAll(ret, " ", "")) {
	case "trigger", `"trigger"`, "pg_catalog.trigger", `pg_catalog."trigger"`, `"pg_catalog"."trigger"`, `"pg_catalog".trigger`:
		return true
	}
	return false
}

// readFile reads a file the schema names, from the overlay when it holds
// the file.
func (l *loader) readFile(path string) ([]byte, error) {
	if data, ok := l.overlay[path]; ok {
		return data, nil
	}
	return os.ReadFile(path)
}
