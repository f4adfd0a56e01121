// Package queryfile reads the SQL files of hand-written queries: each
// query introduced by a comment naming it and saying what it returns, in
// sqlc's spelling, so that files written for sqlc read unchanged:
//
//	-- name: TopAuthors :many
//	-- The authors with the most books.
//	-- mizzle:notnull books
//	SELECT a.name, count(*) AS books FROM authors a JOIN books b ON b.author_id = a.id
//	WHERE a.country = @country GROUP BY a.name ORDER BY books DESC LIMIT sqlc.arg(n);
//
// It owns the file format: where a query starts and ends, its name and
// command, its doc comment and mizzle: annotations, and its parameters:
// @name, sqlc.arg(name) and sqlc.narg(name) (a nullable one) become $1,
// $2, ... in the order they first appear, one number per name, or $n as
// written when the query uses no names. It rewrites nothing else, and it
// keeps what it needs to map a position in the statement it sends back to
// the file's line and column (Query.Position), since PostgreSQL reports
// errors at a character of the text it was sent.
//
// It lexes with internal/sqlsplit, the project's one SQL lexer, so an @
// inside a string, a quoted identifier, a dollar quote or a comment, and
// the @ of an operator such as @> or <@, is not a parameter. It does not
// know what a statement means, what types it has or whether it is valid:
// the server decides that (internal/querytype).
package queryfile

import (
	"fmt"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// Command says what a query's method returns.
type Command string

// The commands a query may have, as sqlc spells them after the name.
const (
	One      Command = "one"      // the first row, or pgx.ErrNoRows
	Many     Command = "many"     // every row
	Exec     Command = "exec"     // nothing
	ExecRows Command = "execrows" // the number of rows the statement touched
	// CopyFrom loads many rows with COPY: the statement inserts one row
	// of parameters (INSERT INTO t (a, b) VALUES (@a, @b)), and the
	// method takes a slice of them.
	CopyFrom Command = "copyfrom"
)

// unsupported are sqlc's commands that mizzle does not write methods for,
// with what to do instead.
var unsupported = map[string]string{
	"execresult": "is not supported: use :execrows for the number of rows, or :exec",
	"execlastid": "is MySQL's: in PostgreSQL, add RETURNING id and use :one",
	"batchexec":  "is not supported: use :exec, and pg.Batch for batches",
	"batchmany":  "is not supported: use :many, and pg.Batch for batches",
	"batchone":   "is not supported: use :one, and pg.Batch for batches",
}

// Query is one named query of a file.
type Query struct {
	// Name is the query's name, an exported Go identifier: its method's.
	Name    string
	Command Command
	// Pos is where its "-- name:" comment starts.
	Pos schema.Position
	// Doc is the text of the comment lines between the name and the
	// statement, other than annotations, one line each.
	Doc string
	// SQL is the statement as it is sent: parameters as $n, without the
	// final semicolon.
	SQL string
	// Params are its parameters, the first one being $1.
	Params []Param
	// Limit is the constant of a LIMIT that ends the statement outside
	// any parentheses (LIMIT 100, LIMIT 100 OFFSET $2), which bounds its
	// rows, or 0: the method sizes its slice for it.
	Limit int
	// Copy is what a :copyfrom query loads: the table as written and the
	// columns, the i-th taking the value of Params[i].
	Copy *Copy
	// NotNull and Nullable name result columns whose nullability the
	// query states (-- mizzle:notnull a, b and -- mizzle:nullable c): a
	// computed column the server cannot vouch for, or a table's NOT NULL
	// column read through an outer join.
	NotNull, Nullable []string

	src   string // the file
	start int    // offset of the statement in the file
	edits []edit // what was rewritten, in order
}

// Copy is the table and columns of a :copyfrom query's INSERT.
type Copy struct {
	// Table is the table's name as the statement writes it, quotes and
	// schema included ("app"."Author"), for the server to resolve.
	Table string
	// Columns are the columns' names, unquoted and folded as PostgreSQL
	// reads them.
	Columns []string
}

// Param is a parameter of a query.
type Param struct {
	// Name is the parameter's name as written (author_id), or argN for
	// a query written with $n.
	Name string
	// Nullable is set for sqlc.narg: the value may be NULL.
	Nullable bool
	// Pos is where it is first used.
	Pos schema.Position
}

// edit is a piece of the statement that was rewritten: the bytes at
// from..from+oldLen of the file's statement became the newLen bytes at to
// of SQL.
type edit struct {
	from, oldLen, to, newLen int
}

// Read reads the query files of a folder: every .sql file directly in
// fsys's root, in name order. File names in positions are dir joined with
// the file's name. Every mistake of every file is in the error list.
func Read(fsys fs.FS, dir string) ([]*Query, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var all []*Query
	var errs schema.ErrorList
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		name := e.Name()
		if dir != "" {
			name = dir + "/" + e.Name()
		}
		qs, list := Parse(name, string(data))
		all = append(all, qs...)
		errs = append(errs, list...)
	}
	errs = append(errs, duplicates(all)...)
	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	return all, nil
}

// duplicates reports every query whose name an earlier one has.
func duplicates(qs []*Query) schema.ErrorList {
	var errs schema.ErrorList
	seen := map[string]*Query{}
	for _, q := range qs {
		if first, ok := seen[q.Name]; ok {
			errs.Addf(q.Pos, "query %s is declared twice: first at %s", q.Name, first.Pos)
			continue
		}
		seen[q.Name] = q
	}
	return errs
}

// Parse reads the queries of one file, named file in positions. It
// returns every mistake it finds; the queries are only those without one.
func Parse(file, src string) ([]*Query, schema.ErrorList) {
	var errs schema.ErrorList
	pos := positioner{file: file, src: src}
	if !utf8.ValidString(src) {
		errs.Add(pos.at(invalidUTF8(src)), "the file is not UTF-8")
		return nil, errs
	}
	// The sections start at the name comments; the lexer finds them, so a
	// "-- name:" inside a string or a dollar quote starts nothing.
	var heads []sqlsplit.Token
	first := -1 // the first token that is not a comment
	for t := range sqlsplit.Tokens(src) {
		if t.Comment {
			if _, ok := nameComment(t.Text); ok {
				heads = append(heads, t)
			}
			continue
		}
		if first < 0 {
			first = t.Offset
		}
	}
	if first >= 0 && (len(heads) == 0 || first < heads[0].Offset) {
		errs.Add(pos.at(first), `a statement without a name: start each query with a "-- name: Name :command" line`)
	}
	var qs []*Query
	for i, h := range heads {
		end := len(src)
		if i+1 < len(heads) {
			end = heads[i+1].Offset
		}
		q, list := parseQuery(pos, h, end)
		errs = append(errs, list...)
		if len(list) == 0 {
			qs = append(qs, q)
		}
	}
	errs = append(errs, duplicates(qs)...)
	return qs, errs
}

// nameComment returns the text after "name:" of a comment that names a
// query: "-- name: X :one" or "/* name: X :one */".
func nameComment(c string) (string, bool) {
	var body string
	if b, ok := strings.CutPrefix(c, "--"); ok {
		body = b
	} else {
		body = strings.TrimSuffix(strings.TrimPrefix(c, "/*"), "*/")
	}
	return strings.CutPrefix(strings.TrimSpace(body), "name:")
}

// parseQuery reads the query whose name comment is h and whose section of
// the file ends at end.
func parseQuery(pos positioner, h sqlsplit.Token, end int) (*Query, schema.ErrorList) {
	var errs schema.ErrorList
	src := pos.src
	q := &Query{Pos: pos.at(h.Offset), src: src}
	rest, _ := nameComment(h.Text)
	fields := strings.Fields(rest)
	switch {
	case len(fields) == 0:
		errs.Add(q.Pos, `"-- name:" needs the query's name and a command: -- name: TopAuthors :many`)
	case strings.HasPrefix(fields[0], ":"):
		errs.Addf(q.Pos, `"-- name:" needs the query's name before the command %s`, fields[0])
	default:
		q.Name = fields[0]
		if !token.IsIdentifier(q.Name) || !token.IsExported(q.Name) {
			errs.Addf(q.Pos, "query name %q is not an exported Go identifier: it names the query's method", q.Name)
		}
		switch {
		case len(fields) == 1:
			errs.Addf(q.Pos, "query %s needs a command after its name: :one, :many, :exec, :execrows or :copyfrom", q.Name)
		case !strings.HasPrefix(fields[1], ":"):
			errs.Addf(q.Pos, "query %s: the command %q needs its colon: :one, :many, :exec, :execrows or :copyfrom", q.Name, fields[1])
		default:
			cmd := strings.TrimPrefix(fields[1], ":")
			switch Command(cmd) {
			case One, Many, Exec, ExecRows, CopyFrom:
				q.Command = Command(cmd)
			default:
				if why, ok := unsupported[cmd]; ok {
					errs.Addf(q.Pos, "query %s: :%s %s", q.Name, cmd, why)
				} else {
					errs.Addf(q.Pos, "query %s: unknown command %q: want :one, :many, :exec, :execrows or :copyfrom", q.Name, fields[1])
				}
			}
			if len(fields) > 2 {
				errs.Addf(q.Pos, "query %s: unexpected %q after the command", q.Name, strings.Join(fields[2:], " "))
			}
		}
	}

	// The comments after the name are its doc and annotations, up to the
	// statement.
	section := src[:end]
	stmtFrom := h.Offset + len(h.Text)
	var doc []string
	for t := range sqlsplit.Tokens(section[stmtFrom:]) {
		if !t.Comment {
			break
		}
		text := commentText(t.Text)
		if ann, ok := strings.CutPrefix(text, "mizzle:"); ok {
			q.annotate(ann, pos.at(stmtFrom+t.Offset), &errs)
			continue
		}
		doc = append(doc, text)
	}
	q.Doc = strings.TrimSpace(strings.Join(doc, "\n"))

	stmts := sqlsplit.Split(section[stmtFrom:])
	switch {
	case len(stmts) == 0:
		errs.Addf(q.Pos, "query %s has no statement", q.Name)
		return q, errs
	case len(stmts) > 1:
		errs.Addf(pos.at(stmtFrom+stmts[1].Offset), "query %s holds a second statement: give each its own \"-- name:\" line", q.Name)
	}
	st := stmts[0]
	q.start = stmtFrom + st.Offset
	list := q.rewrite(pos, st.Text)
	q.Limit = limit(q.SQL)
	if len(list) == 0 && q.Command == CopyFrom {
		list = q.copyShape()
	}
	errs = append(errs, list...)
	return q, errs
}

// commentText is a comment's text without its markers and surrounding
// spaces.
func commentText(c string) string {
	if b, ok := strings.CutPrefix(c, "--"); ok {
		return strings.TrimSpace(b)
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(c, "/*"), "*/"))
}

// annotate reads an annotation, the text after "mizzle:".
func (q *Query) annotate(ann string, at schema.Position, errs *schema.ErrorList) {
	word, args, _ := strings.Cut(ann, " ")
	var into *[]string
	switch word {
	case "notnull":
		into = &q.NotNull
	case "nullable":
		into = &q.Nullable
	default:
		errs.Addf(at, "unknown annotation mizzle:%s: want mizzle:notnull or mizzle:nullable", word)
		return
	}
	n := 0
	for _, c := range strings.Split(args, ",") {
		if c = strings.TrimSpace(c); c != "" {
			*into = append(*into, c)
			n++
		}
	}
	if n == 0 {
		errs.Addf(at, "mizzle:%s needs the names of result columns: -- mizzle:%s a, b", word, word)
	}
}

// rewrite turns the parameters of the statement text (at q.start in the
// file) into $n and sets q.SQL and q.Params.
func (q *Query) rewrite(pos positioner, text string) schema.ErrorList {
	var errs schema.ErrorList
	toks := slices.Collect(sqlsplit.Tokens(text))
	index := map[string]int{} // parameter name → its index in q.Params
	var out strings.Builder
	copied := 0 // text[:copied] is in out
	positional, named := -1, -1
	replace := func(from, to int, name string, nullable bool) {
		i, ok := index[name]
		if !ok {
			i = len(q.Params)
			index[name] = i
			q.Params = append(q.Params, Param{Name: name, Pos: pos.at(q.start + from)})
		}
		if nullable {
			q.Params[i].Nullable = true
		}
		out.WriteString(text[copied:from])
		ph := "$" + strconv.Itoa(i+1)
		q.edits = append(q.edits, edit{from: from, oldLen: to - from, to: out.Len(), newLen: len(ph)})
		out.WriteString(ph)
		copied = to
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) (sqlsplit.Token, bool) {
			if i+k < len(toks) {
				return toks[i+k], true
			}
			return sqlsplit.Token{}, false
		}
		switch {
		case t.Comment:
		case t.Text == "@":
			n, ok := next(1)
			if !ok || !n.Word || n.Offset != t.Offset+1 || (i > 0 && isOperatorEnd(toks[i-1], t.Offset)) {
				continue // an operator: @>, <@, @@, or @ x
			}
			if named < 0 {
				named = t.Offset
			}
			replace(t.Offset, n.Offset+len(n.Text), n.Text, false)
			i++
		case t.Word && strings.EqualFold(t.Text, "sqlc"):
			dot, ok1 := next(1)
			fn, ok2 := next(2)
			if !ok1 || !ok2 || dot.Text != "." || dot.Offset != t.Offset+4 || !fn.Word {
				continue
			}
			f := strings.ToLower(fn.Text)
			if f != "arg" && f != "narg" {
				errs.Addf(pos.at(q.start+t.Offset), "query %s: sqlc.%s is not supported: only sqlc.arg and sqlc.narg", q.Name, fn.Text)
				i += 2
				continue
			}
			open, ok3 := next(3)
			arg, ok4 := next(4)
			closing, ok5 := next(5)
			name, nameOK := argName(arg)
			if !ok3 || !ok4 || !ok5 || open.Text != "(" || closing.Text != ")" || !nameOK {
				errs.Addf(pos.at(q.start+t.Offset), "query %s: sqlc.%s takes one name: sqlc.%s(author_id)", q.Name, f, f)
				i += 2
				continue
			}
			if named < 0 {
				named = t.Offset
			}
			replace(t.Offset, closing.Offset+1, name, f == "narg")
			i += 5
		case len(t.Text) > 1 && t.Text[0] == '$' && '0' <= t.Text[1] && t.Text[1] <= '9':
			if positional < 0 {
				positional = t.Offset
			}
		}
	}
	out.WriteString(text[copied:])
	q.SQL = out.String()
	if positional >= 0 && named >= 0 {
		errs.Addf(pos.at(q.start+positional), "query %s mixes $n with named parameters: name them all (@name)", q.Name)
		return errs
	}
	if positional >= 0 {
		// $n as written: the server counts them; each gets the name argN.
		max := 0
		for _, t := range toks {
			if len(t.Text) > 1 && t.Text[0] == '$' && !t.Comment {
				if n, err := strconv.Atoi(t.Text[1:]); err == nil && n > max {
					max = n
				}
			}
		}
		for n := 1; n <= max; n++ {
			q.Params = append(q.Params, Param{Name: "arg" + strconv.Itoa(n), Pos: pos.at(q.start + positional)})
		}
	}
	return errs
}

// limit returns n of the last "LIMIT n" of the statement outside any
// parentheses when n is an integer constant, and 0 otherwise.
func limit(sql string) int {
	depth, n := 0, 0
	var prev sqlsplit.Token
	for t := range sqlsplit.Tokens(sql) {
		switch {
		case t.Comment:
			continue
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
		case depth == 0 && prev.Word && strings.EqualFold(prev.Text, "LIMIT"):
			n = 0
			if v, err := strconv.Atoi(t.Text); err == nil && v > 0 {
				n = v
			}
		}
		prev = t
	}
	return n
}

// argName is the name in sqlc.arg(name) or sqlc.arg('name').
func argName(t sqlsplit.Token) (string, bool) {
	if t.Word {
		return t.Text, true
	}
	if len(t.Text) >= 2 && t.Text[0] == '\'' && t.Text[len(t.Text)-1] == '\'' {
		s := strings.ReplaceAll(t.Text[1:len(t.Text)-1], "''", "'")
		for _, r := range s {
			if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r >= 0x80) {
				return "", false
			}
		}
		return s, s != "" && (s[0] < '0' || s[0] > '9')
	}
	return "", false
}

// isOperatorEnd reports whether t is an operator character that ends right
// at off, so that an @ at off continues an operator (<@, @@).
func isOperatorEnd(t sqlsplit.Token, off int) bool {
	return !t.Word && !t.Comment && t.Offset+len(t.Text) == off && len(t.Text) == 1 &&
		strings.ContainsRune("+-*/<>=~!@#%^&|`?", rune(t.Text[0]))
}

// Position returns the place in the file of the character at position of
// SQL, counting characters from 1 as PostgreSQL's error position does. A
// position inside a rewritten parameter is the parameter's start; 0 or
// less is the statement's start.
func (q *Query) Position(position int32) schema.Position {
	off := 0 // byte offset in SQL
	for n := int32(1); n < position && off < len(q.SQL); n++ {
		_, size := utf8.DecodeRuneInString(q.SQL[off:])
		off += size
	}
	orig := off
	for _, e := range q.edits {
		switch {
		case off < e.to:
		case off < e.to+e.newLen:
			orig = e.from
		default:
			orig = off - (e.to + e.newLen) + e.from + e.oldLen
			continue
		}
		break
	}
	return positioner{file: q.Pos.Filename, src: q.src}.at(q.start + orig)
}

// positioner turns offsets of a file into positions.
type positioner struct {
	file, src string
}

func (p positioner) at(off int) schema.Position {
	off = min(off, len(p.src))
	before := p.src[:off]
	line := strings.Count(before, "\n") + 1
	col := off - (strings.LastIndexByte(before, '\n') + 1) + 1
	return schema.Position{Filename: p.file, Line: line, Column: col}
}

// invalidUTF8 is the offset of the first byte of s that is not UTF-8.
func invalidUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}

// String returns "Name :command", as the name line says.
func (q *Query) String() string { return fmt.Sprintf("%s :%s", q.Name, q.Command) }
