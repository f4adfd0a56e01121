package schema

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type is a column type in canonical form: the spelling PostgreSQL's
// format_type() uses, split into parts. Aliases are expanded when a Type is
// parsed (int8 is bigint, varchar is character varying, timestamptz is
// timestamp with time zone), so two spellings of one type compare equal and
// an unchanged schema never diffs.
type Type struct {
	// Schema is set for user-defined types (enums, domains, composite
	// and range types) and empty for built-in and extension types.
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	// Mod is the type modifier without parentheses or spaces: "18,8" for
	// numeric(18,8), "255" for character varying(255).
	Mod   string `json:"mod,omitempty"`
	Array bool   `json:"array,omitempty"`
}

// String returns the type as SQL would spell it, with an enum's name as is
// (quoting is the SQL emitter's job).
func (t Type) String() string {
	var b strings.Builder
	if t.Schema != "" && t.Schema != DefaultSchema {
		b.WriteString(t.Schema + ".")
	}
	name, suffix := t.Name, ""
	for _, tz := range []string{" with time zone", " without time zone"} {
		if n, ok := strings.CutSuffix(name, tz); ok {
			name, suffix = n, tz
		}
	}
	b.WriteString(name)
	if t.Mod != "" {
		b.WriteString("(" + t.Mod + ")")
	}
	b.WriteString(suffix)
	if t.Array {
		b.WriteString("[]")
	}
	return b.String()
}

// IsInteger reports whether values of the type are integers (identity
// columns need one).
func (t Type) IsInteger() bool {
	if t.Array || t.Schema != "" {
		return false
	}
	switch t.Name {
	case "smallint", "integer", "bigint":
		return true
	}
	return false
}

// IsSerial reports whether the type is one of the serial pseudo-types, which
// PostgreSQL expands to an integer column with a sequence default.
func (t Type) IsSerial() bool {
	if t.Array || t.Schema != "" {
		return false
	}
	switch t.Name {
	case "smallserial", "serial", "bigserial":
		return true
	}
	return false
}

// Storage returns the type a column of this type really has: the serial
// pseudo-types become their integer types, which is also the type a foreign
// key referencing such a column needs.
func (t Type) Storage() Type {
	switch {
	case !t.IsSerial():
		return t
	case t.Name == "smallserial":
		return Type{Name: "smallint"}
	case t.Name == "serial":
		return Type{Name: "integer"}
	}
	return Type{Name: "bigint"}
}

// typeAliases maps every accepted spelling of a built-in type to the name
// format_type() prints.
var typeAliases = map[string]string{
	"int": "integer", "int4": "integer", "integer": "integer",
	"int8": "bigint", "bigint": "bigint",
	"int2": "smallint", "smallint": "smallint",
	"serial4": "serial", "serial": "serial",
	"serial8": "bigserial", "bigserial": "bigserial",
	"serial2": "smallserial", "smallserial": "smallserial",
	"float8": "double precision", "double precision": "double precision",
	"float4": "real", "real": "real",
	"bool": "boolean", "boolean": "boolean",
	"varchar": "character varying", "character varying": "character varying",
	"char": "character", "character": "character", "bpchar": "character", // bare bpchar: see ParseType
	"varbit": "bit varying", "bit varying": "bit varying",
	"decimal": "numeric", "numeric": "numeric",
	"timestamptz":                 "timestamp with time zone",
	"timestamp with time zone":    "timestamp with time zone",
	"timestamp":                   "timestamp without time zone",
	"timestamp without time zone": "timestamp without time zone",
	"timetz":                      "time with time zone",
	"time with time zone":         "time with time zone",
	"time":                        "time without time zone",
	"time without time zone":      "time without time zone",
}

// ParseType parses a type as a user writes it in a type: option (or as
// format_type prints it) into canonical form. Names are case-insensitive
// unless double-quoted; unknown names (extension types such as citext or
// vector) are kept, lower-cased. A quoted schema before the name sets
// Schema ("auth"."email"); an unquoted one stays part of the name.
func ParseType(s string) (Type, error) {
	src := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Type{}, fmt.Errorf("empty type")
	}
	var t Type
	// Array suffixes: "[]", "[3]", "[][]", or the SQL-standard "ARRAY".
	for {
		trimmed := strings.TrimSpace(s)
		if strings.HasSuffix(trimmed, "]") {
			open := strings.LastIndexByte(trimmed, '[')
			if open < 0 {
				return Type{}, fmt.Errorf("type %q: unbalanced brackets", src)
			}
			dim := strings.TrimSpace(trimmed[open+1 : len(trimmed)-1])
			if strings.Trim(dim, "0123456789") != "" {
				return Type{}, fmt.Errorf("type %q: array bound %q is not a number", src, dim)
			}
			t.Array = true
			s = trimmed[:open]
			continue
		}
		if len(trimmed) > 6 && strings.EqualFold(trimmed[len(trimmed)-6:], " array") {
			t.Array = true
			s = trimmed[:len(trimmed)-6]
			continue
		}
		s = trimmed
		break
	}
	// The modifier: the first parenthesised group. "timestamp(3) with time
	// zone" keeps its zone words after it.
	if open := strings.IndexByte(s, '('); open >= 0 {
		closing := strings.IndexByte(s[open:], ')')
		if closing < 0 {
			return Type{}, fmt.Errorf("type %q: unbalanced parentheses", src)
		}
		closing += open
		var mod []string
		for _, part := range strings.Split(s[open+1:closing], ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				return Type{}, fmt.Errorf("type %q: empty type modifier", src)
			}
			mod = append(mod, part)
		}
		t.Mod = strings.Join(mod, ",")
		s = strings.TrimSpace(s[:open]) + " " + strings.TrimSpace(s[closing+1:])
		if strings.ContainsAny(s, "()") {
			return Type{}, fmt.Errorf("type %q: more than one type modifier", src)
		}
	}
	if q := strings.TrimSpace(s); strings.HasPrefix(q, `"`) {
		// A quoted name is kept exactly, white space included. A quoted
		// schema may qualify it ("auth"."email", "auth".email): how a
		// domain or composite type names its schema.
		if schemaPart, namePart, ok := cutQualified(q); ok {
			sch, ok := unquoteIdent(schemaPart)
			if !ok || sch == "" {
				return Type{}, fmt.Errorf("type %q: bad schema name %s", src, schemaPart)
			}
			name := strings.ToLower(namePart)
			if strings.HasPrefix(namePart, `"`) {
				name, ok = unquoteIdent(namePart)
			} else {
				ok = namePart != "" && strings.IndexFunc(namePart, func(r rune) bool {
					return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_$", r)
				}) < 0
			}
			if !ok || name == "" {
				return Type{}, fmt.Errorf("type %q: bad type name %s after the schema", src, namePart)
			}
			t.Schema, t.Name = sch, name
			return t, nil
		}
		unq, ok := unquoteIdent(q)
		if !ok {
			return Type{}, fmt.Errorf("type %q: unbalanced quotes", src)
		}
		if unq == "" {
			return Type{}, fmt.Errorf("type %q: zero-length quoted name", src)
		}
		t.Name = unq
		return t, nil
	}
	name := strings.Join(strings.Fields(s), " ")
	if name == "" {
		return Type{}, fmt.Errorf("type %q: missing type name", src)
	}
	if i := strings.IndexFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_$. ", r)
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return Type{}, fmt.Errorf("type %q: unexpected %q in type name", src, r)
	}
	name = strings.ToLower(name)
	bare := name
	if canon, ok := typeAliases[name]; ok {
		name = canon
	}
	switch {
	case bare == "bpchar" && t.Mod == "":
		// bpchar without a length is blank-padded text of any length, not
		// character(1); format_type prints it as bpchar.
		name = "bpchar"
	case name == "character" && t.Mod == "":
		t.Mod = "1" // char means char(1) in PostgreSQL
	case name == "bit" && t.Mod == "":
		t.Mod = "1"
	case name == "float":
		name = "double precision"
		if t.Mod != "" {
			// Unsigned, as PostgreSQL's grammar has it: no sign.
			p, err := strconv.ParseUint(t.Mod, 10, 64)
			if err != nil || p < 1 || p > 53 {
				return Type{}, fmt.Errorf("type %q: the precision of float is 1 to 53 bits", src)
			}
			if p <= 24 {
				name = "real"
			}
		}
		t.Mod = ""
	}
	t.Name = name
	return t, nil
}

// cutQualified splits `"schema".name` after the quoted identifier it
// starts with, when a dot follows it.
func cutQualified(q string) (schemaPart, namePart string, ok bool) {
	for i := 1; i < len(q); i++ {
		if q[i] != '"' {
			continue
		}
		if i+1 < len(q) && q[i+1] == '"' {
			i++ // a doubled quote
			continue
		}
		if i+1 < len(q) && q[i+1] == '.' {
			return q[:i+1], q[i+2:], true
		}
		return "", "", false
	}
	return "", "", false
}

// unquoteIdent removes SQL double quotes from a quoted identifier, undoubling
// embedded quotes.
func unquoteIdent(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
		return "", false // a quote that is not doubled ends the name early
	}
	return strings.ReplaceAll(inner, `""`, `"`), true
}
