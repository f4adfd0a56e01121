// Package quote is the one place in mizzle that writes quotes around SQL
// identifiers and string literals. Everything that emits SQL goes through it,
// so no name or value reaches PostgreSQL unquoted.
package quote

import "strings"

// Ident quotes an identifier, doubling any embedded double quote. Several
// parts are joined with dots: Ident("auth", "users") is "auth"."users".
func Ident(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(p, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// Literal quotes a string constant, doubling embedded single quotes. It
// writes a standard-conforming literal: backslashes are not escapes, as in
// PostgreSQL's default standard_conforming_strings=on.
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
