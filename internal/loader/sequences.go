package loader

import (
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// seqClause is an option of a sequence as written, with where it is.
type seqClause struct {
	set bool
	n   int64
	off int // of its keyword (marker) or its option (tag)
}

// seqInput are the options a //mizzle:sequence marker or a column's tag
// gives.
type seqInput struct {
	start, increment, min, max, cache seqClause
	noMin, noMax                      bool
	cycle                             bool
}

// options returns the options as the model holds them (only those that are
// not defaults) for a sequence of type typ, or the first reason PostgreSQL
// would refuse them with the offset of the option at fault (fallback when
// none is).
func (in *seqInput) options(typ string, fallback int) (*schema.SequenceOptions, string, int) {
	o := &schema.SequenceOptions{Cycle: in.cycle}
	if in.increment.set {
		if in.increment.n == 0 {
			return nil, "INCREMENT must not be zero", in.increment.off
		}
		o.Increment = in.increment.n
	}
	if in.cache.set {
		o.Cache = in.cache.n
		if in.cache.n < 1 {
			return nil, "CACHE must be at least 1", in.cache.off
		}
	}
	if in.start.set {
		o.Start = &in.start.n
	}
	if in.min.set {
		o.MinValue = &in.min.n
	}
	if in.max.set {
		o.MaxValue = &in.max.n
	}
	if err := o.Check(typ); err != nil {
		msg := err.Error()
		off := fallback
		for _, c := range []struct {
			word string
			c    seqClause
		}{{"MINVALUE", in.min}, {"MAXVALUE", in.max}, {"START", in.start}} {
			if strings.HasPrefix(msg, c.word) && c.c.set {
				off = c.c.off
				break
			}
		}
		if off == fallback && strings.HasPrefix(msg, "START") && in.min.set {
			off = in.min.off // START is the default, and MINVALUE moved it
		}
		return nil, msg, off
	}
	return schema.NormalizeSequence(typ, o.Values(typ)), "", 0
}

// sequences reads the //mizzle:sequence markers:
// [schema.]NAME [AS type] [START [WITH] n] [INCREMENT [BY] n]
// [MINVALUE n | NO MINVALUE] [MAXVALUE n | NO MAXVALUE] [CACHE n]
// [[NO] CYCLE] [WAS OLDNAME].
func (l *loader) sequences() []*schema.Sequence {
	var out []*schema.Sequence
	seen := map[[2]string]*marker{}
	syntax := grammar.MarkerSyntax("sequence")
	for _, mk := range l.pkgMarkers {
		if mk.Name != "sequence" {
			continue
		}
		sc := grammar.NewScanner(mk.Args)
		schemaName, name, off, err := sc.QualifiedName()
		switch {
		case err != nil:
			l.markerError(mk, err)
			continue
		case name == "":
			l.errs.Addf(mk.at(off), "//mizzle:sequence needs a name; syntax: %s", syntax)
			continue
		}
		if schemaName == "" {
			schemaName = schema.DefaultSchema
		} else {
			l.checkName(mk.at(off), "schema", schemaName)
		}
		l.checkName(mk.at(off), "sequence", name)
		key := [2]string{schemaName, name}
		if first := seen[key]; first != nil {
			l.errs.Addf(mk.at(off), "//mizzle:sequence %s appears twice (first at line %d)", name, first.pos.Line)
			continue
		}
		seen[key] = mk
		s := &schema.Sequence{Schema: schemaName, Name: name, Type: "bigint", Pos: mk.pos}
		var in seqInput
		given := map[string]int{}
		once := func(what string, at int) bool {
			if first, dup := given[what]; dup {
				l.errs.Addf(mk.at(at), "%s is given twice in //mizzle:sequence %s (first at column %d)", what, name, mk.at(first).Column)
				return false
			}
			given[what] = at
			return true
		}
		number := func(what string, c *seqClause, at int) bool {
			n, text, noff, ok := sc.Int()
			if !ok {
				if text == "" {
					l.errs.Addf(mk.at(noff), "%s needs a whole number; syntax: %s", what, syntax)
				} else {
					l.errs.Addf(mk.at(noff), "%s %s: not a whole number between -9223372036854775808 and 9223372036854775807", what, text)
				}
				return false
			}
			*c = seqClause{set: true, n: n, off: at}
			return once(what, at)
		}
		ok := true
		for ok && !sc.EOF() {
			at := sc.Offset()
			switch {
			case sc.Keyword("as"):
				w, woff, err := sc.Name()
				t, perr := schema.ParseType(w)
				switch {
				case err != nil:
					l.markerError(mk, err)
					ok = false
				case w == "":
					l.errs.Addf(mk.at(woff), "AS needs a type: smallint, integer or bigint")
					ok = false
				case perr != nil || !t.IsInteger():
					l.errs.Addf(mk.at(woff), "AS %s: a sequence is smallint, integer or bigint", w)
					ok = false
				default:
					s.Type = t.Name
					ok = once("AS", at)
				}
			case sc.Keyword("start"):
				sc.Keyword("with")
				ok = number("START", &in.start, at)
			case sc.Keyword("increment"):
				sc.Keyword("by")
				ok = number("INCREMENT", &in.increment, at)
			case sc.Keyword("minvalue"):
				ok = number("MINVALUE", &in.min, at)
			case sc.Keyword("no", "minvalue"):
				in.noMin = true
				ok = once("MINVALUE", at)
			case sc.Keyword("maxvalue"):
				ok = number("MAXVALUE", &in.max, at)
			case sc.Keyword("no", "maxvalue"):
				in.noMax = true
				ok = once("MAXVALUE", at)
			case sc.Keyword("cache"):
				ok = number("CACHE", &in.cache, at)
			case sc.Keyword("no", "cycle"):
				ok = once("CYCLE", at)
			case sc.Keyword("cycle"):
				in.cycle = true
				ok = once("CYCLE", at)
			case sc.Keyword("was"):
				w, woff, err := sc.Name()
				switch {
				case err != nil:
					l.markerError(mk, err)
					ok = false
				case w == "":
					l.errs.Addf(mk.at(woff), "WAS needs the sequence's old name; syntax: %s", syntax)
					ok = false
				case w == name:
					l.errs.Addf(mk.at(woff), "WAS %s names the sequence's own name: WAS gives the name it had before a rename (remove it once the rename is applied)", w)
					ok = false
				default:
					s.Was = w
					ok = once("WAS", at)
				}
			default:
				rest, roff := sc.Rest()
				word, _, _ := strings.Cut(rest, " ")
				l.errs.Addf(mk.at(roff), "unexpected %q in //mizzle:sequence %s; syntax: %s", word, name, syntax)
				ok = false
			}
		}
		if !ok {
			continue
		}
		opts, msg, at := in.options(s.Type, off)
		if msg != "" {
			l.errs.Addf(mk.at(at), "//mizzle:sequence %s: %s", name, msg)
			continue
		}
		s.Options = opts
		out = append(out, s)
	}
	return out
}

// sequenceTagOptions are the column options that set the options of an
// identity or serial column's sequence.
var sequenceTagOptions = []string{"start", "increment", "minvalue", "maxvalue", "cache", "cycle"}

// columnSequence reads a column's sequence options (start:, increment:,
// minvalue:, maxvalue:, cache:, cycle) into col.Sequence.
func (l *loader) columnSequence(col *schema.Column, given map[string]grammar.TagOption, at func(int) schema.Position) {
	var in seqInput
	first := -1
	bad := false
	for _, key := range sequenceTagOptions {
		o, ok := given[key]
		if !ok {
			continue
		}
		if first < 0 || o.Off < first {
			first = o.Off
		}
		c := map[string]*seqClause{"start": &in.start, "increment": &in.increment, "minvalue": &in.min, "maxvalue": &in.max, "cache": &in.cache}[key]
		if c == nil {
			in.cycle = true
			continue
		}
		n, _, _, ok := grammar.NewScanner(o.Value).Int()
		if !ok || strings.ContainsAny(o.Value, " \t") {
			l.errs.Addf(at(o.ValOff), "%s:%s: not a whole number between -9223372036854775808 and 9223372036854775807", key, o.Value)
			bad = true
			continue
		}
		*c = seqClause{set: true, n: n, off: o.Off}
	}
	switch {
	case first < 0 || bad:
		return
	case col.Identity == schema.IdentityNone && !col.Type.IsSerial():
		l.errs.Addf(at(first), "column %q has sequence options but no sequence: they go with identity, identity:always or type:serial, bigserial or smallserial", col.Name)
		return
	case !col.Type.Storage().IsInteger():
		return // reported as an identity column of another type
	}
	opts, msg, off := in.options(col.Type.Storage().Name, first)
	if msg != "" {
		l.errs.Addf(at(off), "column %q: %s", col.Name, msg)
		return
	}
	col.Sequence = opts
}
