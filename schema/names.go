package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SnakeCase turns a Go identifier into the snake_case name mizzle gives
// columns, tables and enums by default: ModelID → model_id, HTTPServer →
// http_server, CreatedAt → created_at, UserIDs → user_ids.
func SnakeCase(s string) string {
	runes := []rune(s)
	var b strings.Builder
	for i, r := range runes {
		if unicode.IsUpper(r) {
			// A capital starts a word when it follows a lower-case letter or
			// digit, or when it ends an acronym ("HTTPServer": the S), unless
			// what follows is only a plural s ("URLs", "UserIDs").
			if i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
				(unicode.IsUpper(runes[i-1]) && i+1 < len(runes) && unicode.IsLower(runes[i+1]) && !pluralS(runes, i+1))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pluralS reports whether runes[i] is an "s" that ends a word on its own,
// the plural of the acronym before it.
func pluralS(runes []rune, i int) bool {
	return runes[i] == 's' && (i+1 == len(runes) || !unicode.IsLower(runes[i+1]))
}

// AutoName builds the name of an object mizzle names itself from its parts,
// joined with "_" (for example table, columns and "fk"). A name longer than
// PostgreSQL's 63-byte limit is cut and given a short hash of the whole name,
// so it stays unique, deterministic and unchanged by the server.
func AutoName(parts ...string) string {
	name := strings.Join(parts, "_")
	if len(name) <= MaxIdentifierLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "_" + hex.EncodeToString(sum[:4])
	keep := MaxIdentifierLength - len(suffix)
	for keep > 0 && !utf8.RuneStart(name[keep]) {
		keep-- // never cut a multi-byte character in half
	}
	return name[:keep] + suffix
}
