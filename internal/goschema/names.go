package goschema

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are the words Go spells in capitals (the list golint used),
// so user_id becomes UserID and api_url APIURL, as a Go programmer would
// write them.
var initialisms = map[string]bool{
	"acl": true, "api": true, "ascii": true, "cpu": true, "css": true, "dns": true,
	"eof": true, "guid": true, "html": true, "http": true, "https": true, "id": true,
	"ip": true, "json": true, "lhs": true, "qps": true, "ram": true, "rhs": true,
	"rpc": true, "sla": true, "smtp": true, "sql": true, "ssh": true, "tcp": true,
	"tls": true, "ttl": true, "udp": true, "ui": true, "uid": true, "uuid": true,
	"uri": true, "url": true, "utf8": true, "vm": true, "xml": true, "xmpp": true,
	"xsrf": true, "xss": true,
}

// words splits an SQL name into words: at every character that is neither
// a letter nor a digit, and inside a run of letters where camelCase starts a
// new word ("userId": user, Id; "HTTPServer": HTTP, Server).
func words(s string) []string {
	var out []string
	runes := []rune(s)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, string(runes[start:end]))
		}
		start = -1
	}
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := runes[i-1]
		switch {
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			flush(i)
			start = i
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]) &&
			!(runes[i+1] == 's' && (i+2 == len(runes) || !unicode.IsLower(runes[i+2]))):
			// The last capital of an acronym starts the next word
			// ("HTTPServer"), unless what follows is a plural s ("IDs").
			flush(i)
			start = i
		}
	}
	flush(len(runes))
	return out
}

// camel turns an SQL name into an exported Go identifier: user_id → UserID,
// created_at → CreatedAt, "netPortfolio" → NetPortfolio, OPEN → Open,
// user_ids → UserIDs. A name that would start with a digit or a letter
// without case gets an X in front; a name with no letter or digit at all
// gives "".
func camel(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		lw := strings.ToLower(w)
		switch {
		case initialisms[lw]:
			b.WriteString(strings.ToUpper(lw))
		case len(lw) > 2 && strings.HasSuffix(lw, "s") && initialisms[lw[:len(lw)-1]]:
			b.WriteString(strings.ToUpper(lw[:len(lw)-1]) + "s")
		default:
			r, size := utf8.DecodeRuneInString(lw)
			b.WriteRune(unicode.ToUpper(r))
			b.WriteString(lw[size:])
		}
	}
	id := b.String()
	if r, _ := utf8.DecodeRuneInString(id); id != "" && !unicode.IsUpper(r) {
		id = "X" + id // a digit or an uncased letter cannot start an exported name
	}
	return id
}

// namer hands out distinct identifiers in one Go scope.
type namer struct{ taken map[string]bool }

func newNamer() *namer { return &namer{taken: map[string]bool{}} }

// claim returns the first candidate not yet taken, or else the last one
// with the smallest number suffix that is free, and takes it. Empty
// candidates are skipped; fallback is used when all are empty.
func (n *namer) claim(fallback string, candidates ...string) string {
	var last string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		last = c
		if !n.taken[c] {
			n.taken[c] = true
			return c
		}
	}
	if last == "" {
		last = fallback
		if !n.taken[last] {
			n.taken[last] = true
			return last
		}
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s%d", last, i)
		if !n.taken[c] {
			n.taken[c] = true
			return c
		}
	}
}

// reserved file name suffixes: a Go file named x_linux.go or x_test.go is
// built only on Linux or only in tests, so a table called "x_linux" needs
// another file name.
var reservedSuffixes = map[string]bool{
	"test": true,
	// GOOS values.
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "hurd": true,
	"illumos": true, "ios": true, "js": true, "linux": true, "nacl": true, "netbsd": true,
	"openbsd": true, "plan9": true, "solaris": true, "wasip1": true, "windows": true, "zos": true,
	// GOARCH values.
	"386": true, "amd64": true, "amd64p32": true, "arm": true, "armbe": true, "arm64": true,
	"arm64be": true, "loong64": true, "mips": true, "mipsle": true, "mips64": true, "mips64le": true,
	"mips64p32": true, "mips64p32le": true, "ppc": true, "ppc64": true, "ppc64le": true,
	"riscv": true, "riscv64": true, "s390": true, "s390x": true, "sparc": true, "sparc64": true,
	"wasm": true,
}

// fileStem turns a Go type name into a file name without ".go" that the go
// command builds everywhere: snake_case, never starting with "_" or "." (such
// files are ignored) and never ending in a GOOS, GOARCH or "test" element.
func fileStem(typeName string) string {
	var b strings.Builder
	for _, w := range words(typeName) {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToLower(w))
	}
	s := b.String()
	if s == "" {
		s = "table"
	}
	parts := strings.Split(s, "_")
	if len(parts) > 1 && reservedSuffixes[parts[len(parts)-1]] {
		s += "_table"
	}
	return s
}
