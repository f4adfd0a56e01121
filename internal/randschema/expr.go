package randschema

import "strings"

// token is an identifier in an expression: its unquoted name and where it
// stands in the text.
type token struct {
	name       string
	start, end int
}

// identifiers finds the column references of a menu expression: bare or
// double-quoted identifiers that are not a type after "::" and not a
// function name before "(". String constants are skipped. The menu's
// function and keyword names never look like the generator's column names,
// so this is enough to find and rename references without parsing SQL.
func identifiers(expr string) []token {
	var out []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'':
			i++
			for i < len(expr) {
				if expr[i] == '\'' {
					if i+1 < len(expr) && expr[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case c == '"':
			start := i
			var b strings.Builder
			i++
			for i < len(expr) {
				if expr[i] == '"' {
					if i+1 < len(expr) && expr[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(expr[i])
				i++
			}
			i++
			if !afterCast(expr, start) {
				out = append(out, token{b.String(), start, i})
			}
		case isIdentStart(c):
			start := i
			for i < len(expr) && isIdentPart(expr[i]) {
				i++
			}
			if !afterCast(expr, start) && (i >= len(expr) || expr[i] != '(') {
				out = append(out, token{expr[start:i], start, i})
			}
		default:
			i++
		}
	}
	return out
}

// afterCast reports whether the identifier at i names a type: it follows
// "::", or a "." (the menus qualify nothing but types).
func afterCast(expr string, i int) bool {
	return strings.HasSuffix(expr[:i], "::") || strings.HasSuffix(expr[:i], ".")
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// references reports whether expr refers to the column.
func references(expr, col string) bool {
	for _, t := range identifiers(expr) {
		if t.name == col {
			return true
		}
	}
	return false
}

// firstRef returns the first column an expression refers to.
func firstRef(expr string) string {
	if ts := identifiers(expr); len(ts) > 0 {
		return ts[0].name
	}
	return ""
}

// renameRef rewrites references to column from as references to to,
// quoted as PostgreSQL would print them after ALTER TABLE ... RENAME COLUMN.
func renameRef(expr, from, to string) string {
	ts := identifiers(expr)
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].name == from {
			expr = expr[:ts[i].start] + ident(to) + expr[ts[i].end:]
		}
	}
	return expr
}
