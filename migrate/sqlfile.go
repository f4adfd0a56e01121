package migrate

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// Breakpoint separates the statements of a migration file. drizzle-kit
// writes it at the end of a statement's last line; mizzle writes it on a
// line of its own. Both split wherever it occurs, as drizzle-orm's migrator
// does, so a file means the same statements to either tool.
const Breakpoint = "--> statement-breakpoint"

// Chunk is one statement of a migration file, as the migrator runs it.
type Chunk struct {
	// SQL is the text between two breakpoints with blank space trimmed at
	// both ends; comments (warnings) are kept, PostgreSQL ignores them.
	SQL string
	// Line is the 1-based line of the file on which SQL starts, so that an
	// error at an offset inside SQL can be reported as file:line.
	Line int
	// Offset is the byte offset in the file at which SQL starts.
	Offset int
}

// SplitSQL splits a migration file into its statements at every
// Breakpoint, as drizzle-orm's migrator does. Chunks with nothing but blank
// space are left out; the rest are kept even when they hold only comments.
// A UTF-8 byte-order mark at the start of the file is left out too (Offset
// still counts its bytes): PostgreSQL would take it for part of the first
// statement.
func SplitSQL(data []byte) []Chunk {
	var out []Chunk
	line := 1 // the line at data[start]
	for start := len(data) - len(jsonfile.TrimBOM(data)); start <= len(data); {
		end := bytes.Index(data[start:], []byte(Breakpoint))
		next := 0
		if end < 0 {
			end = len(data)
			next = len(data) + 1
		} else {
			end += start
			next = end + len(Breakpoint)
		}
		part := data[start:end]
		trimmed := bytes.TrimLeftFunc(part, unicode.IsSpace)
		if sql := bytes.TrimRightFunc(trimmed, unicode.IsSpace); len(sql) > 0 {
			skipped := part[:len(part)-len(trimmed)]
			out = append(out, Chunk{SQL: string(sql), Line: line + bytes.Count(skipped, []byte("\n")), Offset: start + len(skipped)})
		}
		line += bytes.Count(data[start:min(next, len(data))], []byte("\n"))
		start = next
	}
	return out
}

// statement is one statement of a migration file.
type statement struct {
	sql               string
	offset, line, col int // of sql in the file's text (after a byte-order mark)
}

// script is a migration file read for running it.
type script struct {
	// text is the file without a byte-order mark: what is split, run and
	// quoted in errors, so that a position is where an editor shows it.
	// The hash is of the file as it is, byte-order mark included, as
	// drizzle-orm's migrator computes it.
	text  string
	stmts []statement
	// noTx says NoTransaction is among the comments before the first
	// statement.
	noTx bool
	// strayMarker is the line and column of a NoTransaction comment after
	// the first statement, where it is not honoured; 0 when there is none.
	strayMarker struct{ line, col int }
}

// readScript splits a migration file at its breakpoints, then each part at
// its top-level semicolons, so a file written by hand runs statement by
// statement too and an error names the one that failed.
func readScript(data []byte) *script {
	text := jsonfile.TrimBOM(data)
	sc := &script{text: string(text)}
	for _, c := range SplitSQL(text) {
		for _, s := range sqlsplit.Split(c.SQL) {
			line, col := s.Line+c.Line-1, s.Column
			if s.Line == 1 {
				col = c.Offset - bytes.LastIndexByte(text[:c.Offset], '\n') + s.Column - 1
			}
			sc.stmts = append(sc.stmts, statement{sql: s.Text, offset: c.Offset + s.Offset, line: line, col: col})
		}
	}
	// The marker may follow blank lines, a licence header or other
	// comments, but not a statement: by then the transaction would have
	// begun.
	first := len(text)
	if len(sc.stmts) > 0 {
		first = sc.stmts[0].offset
	}
	for t := range sqlsplit.Tokens(sc.text) {
		if !t.Comment || !isMarker(t.Text) {
			continue
		}
		if t.Offset < first {
			sc.noTx = true
		} else if sc.strayMarker.line == 0 {
			sc.strayMarker.line, sc.strayMarker.col = jsonfile.LineCol(text, int64(t.Offset))
		}
	}
	return sc
}

// isMarker reports whether a comment is NoTransaction, give or take the
// blank space around its text.
func isMarker(comment string) bool {
	rest, ok := strings.CutPrefix(comment, "--")
	return ok && strings.TrimSpace(rest) == strings.TrimPrefix(NoTransaction, "-- ")
}

// created is a relation a CREATE statement names: what a no-transaction
// migration that failed half-way may have left behind.
type created struct {
	kind string // "index", "table", "view", "materialized view" or "sequence"
	// name is the name as written, quotes and schema included, as
	// to_regclass reads it.
	name string
	// concurrently says CREATE INDEX CONCURRENTLY, which leaves an invalid
	// index behind when it fails.
	concurrently bool
}

// createdBy returns the relation a CREATE INDEX, TABLE, VIEW, MATERIALIZED
// VIEW or SEQUENCE statement names, if it is one and names one (CREATE
// INDEX may leave the name to PostgreSQL).
func createdBy(sql string) (created, bool) {
	var toks []string
	for t := range sqlsplit.Tokens(sql) {
		if !t.Comment {
			toks = append(toks, t.Text)
		}
		if len(toks) == 16 { // enough for the longest prefix and a qualified name
			break
		}
	}
	i := 0
	word := func(ws ...string) bool {
		for _, w := range ws {
			if i < len(toks) && strings.EqualFold(toks[i], w) {
				i++
				return true
			}
		}
		return false
	}
	if !word("create") {
		return created{}, false
	}
	if word("or") && !word("replace") {
		return created{}, false
	}
	var c created
	word("global", "local")
	word("temp", "temporary", "unlogged")
	word("unique")
	word("recursive")
	switch {
	case word("index"):
		c.kind = "index"
		c.concurrently = word("concurrently")
	case word("table"):
		c.kind = "table"
	case word("view"):
		c.kind = "view"
	case word("materialized"):
		if !word("view") {
			return created{}, false
		}
		c.kind = "materialized view"
	case word("sequence"):
		c.kind = "sequence"
	default:
		return created{}, false
	}
	if word("if") && !(word("not") && word("exists")) {
		return created{}, false
	}
	if i < len(toks) && c.kind == "index" && strings.EqualFold(toks[i], "on") {
		return created{}, false // PostgreSQL names it
	}
	name := qualifiedName(toks, &i)
	if name == nil {
		return created{}, false
	}
	c.name = strings.Join(name, "")
	// An index lives in its table's schema, which an unqualified name
	// does not say: to_regclass would look along search_path.
	if c.kind == "index" && len(name) == 1 && word("on") {
		word("only")
		if table := qualifiedName(toks, &i); len(table) > 1 {
			c.name = table[0] + "." + c.name
		}
	}
	return c, true
}

// qualifiedName reads a name, identifiers quoted or not separated by dots,
// from toks[*i] on; it returns its tokens, dots included.
func qualifiedName(toks []string, i *int) []string {
	start := *i
	for *i < len(toks) && isName(toks[*i]) {
		*i++
		if *i+1 < len(toks) && toks[*i] == "." && isName(toks[*i+1]) {
			*i++
			continue
		}
		break
	}
	if *i == start {
		return nil
	}
	return toks[start:*i]
}

// isName reports whether a token is an identifier: a key word or name, or
// a quoted name.
func isName(tok string) bool {
	if tok == "" {
		return false
	}
	if tok[0] == '"' {
		return len(tok) > 1 && tok[len(tok)-1] == '"'
	}
	c := tok[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Script is a migration file as the migrator runs it: the statements it
// sends, one by one and in order, and whether it runs outside a
// transaction. Tools that read migrations (a linter, an editor) use it to
// see exactly what migrate would run.
type Script struct {
	Statements []Statement
	// NoTransaction says the file starts with the NoTransaction marker,
	// among the comments before its first statement.
	NoTransaction bool
}

// Statement is one statement of a migration file.
type Statement struct {
	// SQL is the statement as sent, without its semicolon and the comments
	// around it.
	SQL string
	// Offset is the byte offset of SQL in the file, after a byte-order
	// mark; Line and Column (in bytes, from 1) are its position.
	Offset, Line, Column int
}

// ReadScript splits a migration file as the migrator does: at its
// breakpoints, then each part at its top-level semicolons.
func ReadScript(data []byte) Script {
	sc := readScript(data)
	out := Script{NoTransaction: sc.noTx, Statements: make([]Statement, len(sc.stmts))}
	for i, s := range sc.stmts {
		out.Statements[i] = Statement{SQL: s.sql, Offset: s.offset, Line: s.line, Column: s.col}
	}
	return out
}
