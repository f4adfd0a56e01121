package grammar

import (
	"fmt"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// ViewSpec is what a //mizzle:view or //mizzle:materialized-view marker
// says, with the offsets (in the marker's arguments) of its parts for
// errors.
type ViewSpec struct {
	Schema, Name string // Schema is empty when the marker names none
	Options      schema.ViewOptions
	WithNoData   bool
	// Const names the Go string constant holding the query.
	Const              string
	NameOff, ConstOff  int
	SchemaOff, OptsOff int
}

// ParseView reads the arguments of a view marker:
//
//	//mizzle:view [schema.]NAME [WITH (security_invoker[, security_barrier][, check_option=local|cascaded])] AS constName
//	//mizzle:materialized-view [schema.]NAME [WITH NO DATA] AS constName
//
// Errors are *OffsetError.
func ParseView(args string, materialized bool) (ViewSpec, error) {
	marker := "view"
	if materialized {
		marker = "materialized-view"
	}
	syntax := MarkerSyntax(marker)
	var v ViewSpec
	sc := NewScanner(args)
	first, off, err := sc.qualifiedPart()
	if err != nil {
		return v, err
	}
	if first == "" || strings.EqualFold(first, "as") && !strings.HasPrefix(args[off:], `"`) {
		return v, &OffsetError{off, "needs the view's name; syntax: " + syntax}
	}
	v.Name, v.NameOff = first, off
	if sc.off < len(sc.s) && sc.s[sc.off] == '.' {
		sc.off++
		if sc.off >= len(sc.s) || sc.s[sc.off] == ' ' || sc.s[sc.off] == '\t' {
			return v, &OffsetError{sc.off, "expected a name after the schema's \".\""}
		}
		second, off2, err := sc.qualifiedPart()
		if err != nil {
			return v, err
		}
		v.Schema, v.SchemaOff = v.Name, v.NameOff
		v.Name, v.NameOff = second, off2
	}
	if sc.off < len(sc.s) && sc.s[sc.off] == '.' {
		return v, &OffsetError{sc.off, "a view's name is [schema.]NAME: double-quote a name that holds a dot"}
	}
	if sc.Keyword("with") {
		v.OptsOff = sc.Offset()
		if materialized {
			if !sc.Keyword("no", "data") {
				return v, &OffsetError{v.OptsOff, "a materialized view takes WITH NO DATA only; syntax: " + syntax}
			}
			v.WithNoData = true
		} else {
			inside, ioff, err := sc.Group("the view's options")
			if err != nil {
				return v, err
			}
			if v.Options, err = parseViewOptions(inside, ioff); err != nil {
				return v, err
			}
		}
	}
	asOff := sc.Offset()
	if !sc.Keyword("as") {
		rest, roff := sc.Rest()
		if rest == "" {
			return v, &OffsetError{asOff, "needs AS and the Go constant holding the query; syntax: " + syntax}
		}
		return v, &OffsetError{roff, fmt.Sprintf("unexpected %q: expected AS constName; syntax: %s", firstWord(rest), syntax)}
	}
	name, noff, err := sc.Name()
	if err != nil {
		return v, err
	}
	if name == "" || !IsBareIdent(name) || strings.Contains(name, "$") {
		return v, &OffsetError{noff, "AS needs the name of a Go string constant of the package holding the query; syntax: " + syntax}
	}
	v.Const, v.ConstOff = name, noff
	if rest, roff := sc.Rest(); rest != "" {
		return v, &OffsetError{roff, fmt.Sprintf("unexpected %q after the constant's name; syntax: %s", rest, syntax)}
	}
	return v, nil
}

// qualifiedPart reads one part of a [schema.]NAME: a double-quoted name,
// or a bare one up to a blank, a parenthesis or a dot.
func (sc *Scanner) qualifiedPart() (string, int, error) {
	sc.skipSpace()
	start := sc.off
	if start < len(sc.s) && sc.s[start] == '"' {
		return sc.Name()
	}
	for sc.off < len(sc.s) && !strings.ContainsRune(" \t().", rune(sc.s[sc.off])) {
		sc.off++
	}
	return sc.s[start:sc.off], start, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i > 0 {
		return s[:i]
	}
	return s
}

// parseViewOptions reads the inside of WITH (...): security_invoker and
// security_barrier, alone or =true/false, and check_option=local|cascaded.
func parseViewOptions(inside string, base int) (schema.ViewOptions, error) {
	var o schema.ViewOptions
	seen := map[string]bool{}
	off := 0
	for _, part := range strings.Split(inside, ",") {
		at := base + off + LeadingSpace(part)
		off += len(part) + 1
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.ToLower(strings.TrimSpace(val))
		if key == "" {
			return o, &OffsetError{at, "empty option in WITH (...)"}
		}
		if seen[key] {
			return o, &OffsetError{at, fmt.Sprintf("option %s given twice", key)}
		}
		seen[key] = true
		switch key {
		case "security_invoker", "security_barrier":
			on := true
			if hasVal {
				switch val {
				case "true", "on":
				case "false", "off":
					on = false
				default:
					return o, &OffsetError{at, fmt.Sprintf("%s=%s: the value is true or false", key, val)}
				}
			}
			if key == "security_invoker" {
				o.SecurityInvoker = on
			} else {
				o.SecurityBarrier = on
			}
		case "check_option":
			if val != schema.CheckLocal && val != schema.CheckCascaded {
				return o, &OffsetError{at, "check_option needs =local or =cascaded"}
			}
			o.CheckOption = val
		default:
			return o, &OffsetError{at, fmt.Sprintf("unknown view option %q: the options are security_invoker, security_barrier and check_option=local|cascaded", key)}
		}
	}
	return o, nil
}

// FormatView writes a view marker's arguments, which ParseView reads back.
func FormatView(v *schema.View, constName string) string {
	var b strings.Builder
	if v.Schema != "" && v.Schema != schema.DefaultSchema {
		b.WriteString(viewNamePart(v.Schema) + ".")
	}
	b.WriteString(viewNamePart(v.Name))
	var opts []string
	if v.Options.SecurityInvoker {
		opts = append(opts, "security_invoker")
	}
	if v.Options.SecurityBarrier {
		opts = append(opts, "security_barrier")
	}
	if v.Options.CheckOption != "" {
		opts = append(opts, "check_option="+v.Options.CheckOption)
	}
	if len(opts) > 0 {
		b.WriteString(" WITH (" + strings.Join(opts, ", ") + ")")
	}
	if v.WithNoData {
		b.WriteString(" WITH NO DATA")
	}
	b.WriteString(" AS " + constName)
	return b.String()
}

// viewNamePart writes one part of a view's [schema.]NAME: bare when
// qualifiedPart reads it back whole, else double-quoted.
func viewNamePart(name string) string {
	if name != "" && !strings.ContainsAny(name, " \t().\"") && !strings.EqualFold(name, "as") && !strings.EqualFold(name, "with") {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
