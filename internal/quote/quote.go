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

// Literal quotes a string constant, doubling embedded single quotes. A
// string holding a backslash is written as an escape string, E'...', with
// its backslashes doubled too: a plain '...' would read differently when
// standard_conforming_strings is off (a backslash before a quote would end
// the constant early and turn the rest into SQL), while E'...' reads the
// same under either setting. Other strings keep the plain form, which is
// how PostgreSQL prints them back.
func Literal(s string) string {
	if !strings.Contains(s, `\`) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

// Spellings returns the ways an expression may spell s as a string
// constant: Literal(s) and, when it holds a backslash, the plain '...'
// form that PostgreSQL prints (with standard_conforming_strings on) and
// people write. Code that looks for a value in an expression's text looks
// for each.
func Spellings(s string) []string {
	plain := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if lit := Literal(s); lit != plain {
		return []string{lit, plain}
	}
	return []string{plain}
}
