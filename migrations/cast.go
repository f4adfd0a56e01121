package migrations

import (
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Type categories, after pg_type.typcategory, for the cast rules below.
const (
	catNumeric  = 'N'
	catString   = 'S'
	catDateTime = 'D'
	catBitStr   = 'V'
	catJSON     = 'J'
	catOther    = 'U'
)

func category(t schema.Type) byte {
	if t.Schema != "" {
		return 'E'
	}
	switch t.Name {
	case "smallint", "integer", "bigint", "numeric", "real", "double precision":
		return catNumeric
	case "text", "character varying", "character", "citext", "name":
		return catString
	case "date", "timestamp without time zone", "timestamp with time zone",
		"time without time zone", "time with time zone":
		return catDateTime
	case "bit", "bit varying":
		return catBitStr
	case "json", "jsonb":
		return catJSON
	}
	return catOther
}

// castUsing returns the USING expression ALTER COLUMN ... TYPE needs to
// go from one type to another, or "" when PostgreSQL has an assignment
// cast (the rule ALTER COLUMN applies without USING): between numeric
// types, between string types, from anything to a string type, between
// date and time types, between json and jsonb, and a type to itself with
// another modifier. Everything else is cast explicitly, which also covers
// text to a number, uuid, jsonb or an enum.
func castUsing(column string, from, to schema.Type) string {
	col := quote.Ident(column)
	if from.Array != to.Array {
		if to.Array {
			return "ARRAY[" + col + "::" + typeSQL(schema.Type{Schema: to.Schema, Name: to.Name, Mod: to.Mod}) + "]"
		}
		return col + "[1]::" + typeSQL(to)
	}
	if assignable(from, to) {
		return ""
	}
	if from.Schema != "" && to.Schema != "" {
		// Enum to enum has no cast: go through text.
		text := schema.Type{Name: "text", Array: from.Array}
		return col + "::" + typeSQL(text) + "::" + typeSQL(to)
	}
	return col + "::" + typeSQL(to)
}

func assignable(from, to schema.Type) bool {
	if from.Schema == to.Schema && from.Name == to.Name {
		return true
	}
	fc, tc := category(from), category(to)
	switch {
	case tc == catString && to.Name != "citext":
		return true // every type has an I/O cast to the string types
	case fc == tc && (fc == catNumeric || fc == catString || fc == catBitStr || fc == catJSON):
		return true
	case fc == catDateTime && tc == catDateTime:
		// Dates and timestamps convert among themselves; times only to
		// times.
		return strings.HasPrefix(from.Name, "time ") == strings.HasPrefix(to.Name, "time ")
	}
	return false
}

// widens reports whether every value of type from fits in type to
// unchanged, so the change cannot fail or lose anything.
func widens(from, to schema.Type) bool {
	if from.Array != to.Array {
		return false
	}
	if from == to {
		return true
	}
	if from.Schema != "" {
		return category(to) == catString && to.Name != "character" && (to.Mod == "" || to.Name == "citext")
	}
	rank := map[string]int{"smallint": 1, "integer": 2, "bigint": 3}
	switch {
	case rank[from.Name] > 0 && rank[to.Name] > 0:
		return rank[from.Name] <= rank[to.Name]
	case rank[from.Name] > 0 && to.Name == "numeric":
		digits := map[string]int{"smallint": 5, "integer": 10, "bigint": 19}[from.Name]
		p, s, ok := numericMod(to.Mod)
		return !ok || p-s >= digits
	case from.Name == "numeric" && to.Name == "numeric":
		fp, fs, fok := numericMod(from.Mod)
		tp, ts, tok := numericMod(to.Mod)
		return !tok || (fok && ts >= fs && tp-ts >= fp-fs)
	case from.Name == "real" && to.Name == "double precision":
		return true
	case category(from) == catString && category(to) == catString:
		if to.Name == "text" || (to.Name == "character varying" && to.Mod == "") {
			return from.Name != "character" // char(n) → text drops trailing blanks
		}
		return from.Name == to.Name && from.Mod != "" && to.Mod != "" && atoi(from.Mod) <= atoi(to.Mod)
	case category(to) == catString && to.Mod == "" && to.Name != "character":
		return true // any value prints as text
	case from.Name == "json" && to.Name == "jsonb":
		return false // duplicate keys and key order are lost
	case from.Name == "date" && strings.HasPrefix(to.Name, "timestamp"):
		return true
	case from.Name == "timestamp without time zone" && to.Name == "timestamp with time zone":
		return false // the session's time zone decides the instants
	case from.Name == "bit varying" && to.Name == "bit varying":
		return to.Mod == "" || (from.Mod != "" && atoi(from.Mod) <= atoi(to.Mod))
	}
	return false
}

func numericMod(mod string) (p, s int, ok bool) {
	if mod == "" {
		return 0, 0, false
	}
	ps, ss, _ := strings.Cut(mod, ",")
	return atoi(ps), atoi(ss), true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
