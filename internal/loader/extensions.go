package loader

import (
	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// packageMarkers are the markers that go in the package's doc comment
// (above "package schema", in any of its files) rather than a type's.
var packageMarkers = map[string]bool{"extension": true, "sequence": true, "function": true}

// packageDocMarker checks a marker found in the package's doc comment and
// keeps it when it is one of packageMarkers.
func (l *loader) packageDocMarker(mk *marker) {
	switch {
	case grammar.MarkerSyntax(mk.Name) == "":
		msg := "unknown marker //mizzle:" + mk.Name
		if s := suggest(mk.Name, grammar.MarkerNames()); s != "" {
			msg += " (did you mean //mizzle:" + s + "?)"
		}
		l.errs.Add(mk.pos, msg)
	case !packageMarkers[mk.Name]:
		l.errs.Addf(mk.pos, "//mizzle:%s is in the package's doc comment; it goes in the doc comment of a type declaration", mk.Name)
	default:
		l.pkgMarkers = append(l.pkgMarkers, mk)
	}
}

// extensions reads the //mizzle:extension markers:
// NAME [SCHEMA schema] [VERSION version].
func (l *loader) extensions() []*schema.Extension {
	var out []*schema.Extension
	seen := map[string]*marker{}
	for _, mk := range l.pkgMarkers {
		if mk.Name != "extension" {
			continue
		}
		sc := grammar.NewScanner(mk.Args)
		name, off, err := sc.Name()
		switch {
		case err != nil:
			l.markerError(mk, err)
			continue
		case name == "":
			l.errs.Addf(mk.at(off), "//mizzle:extension needs a name; syntax: %s", grammar.MarkerSyntax("extension"))
			continue
		case name == "plpgsql":
			l.errs.Addf(mk.at(off), "//mizzle:extension plpgsql: PostgreSQL always has it; leave it out")
			continue
		}
		l.checkName(mk.at(off), "extension", name)
		if first := seen[name]; first != nil {
			l.errs.Addf(mk.at(off), "//mizzle:extension %s appears twice (first at line %d)", name, first.pos.Line)
			continue
		}
		seen[name] = mk
		x := &schema.Extension{Name: name, Pos: mk.pos}
		ok := true
		for ok && !sc.EOF() {
			switch {
			case sc.Keyword("schema") && x.Schema == "":
				s, soff, err := sc.Name()
				if err != nil || s == "" {
					if err != nil {
						l.markerError(mk, err)
					} else {
						l.errs.Addf(mk.at(soff), "SCHEMA needs a name; syntax: %s", grammar.MarkerSyntax("extension"))
					}
					ok = false
					break
				}
				l.checkName(mk.at(soff), "schema", s)
				x.Schema = s
				if s == schema.DefaultSchema {
					x.Schema = "" // the default, spelled out
				}
			case sc.Keyword("version") && x.Version == "":
				v, voff, err := sc.Name()
				if err != nil || v == "" {
					if err != nil {
						l.markerError(mk, err)
					} else {
						l.errs.Addf(mk.at(voff), "VERSION needs a version; syntax: %s", grammar.MarkerSyntax("extension"))
					}
					ok = false
					break
				}
				x.Version = v
			default:
				rest, roff := sc.Rest()
				l.errs.Addf(mk.at(roff), "unexpected %q after the extension name; syntax: %s", rest, grammar.MarkerSyntax("extension"))
				ok = false
			}
		}
		if ok {
			out = append(out, x)
		}
	}
	return out
}
