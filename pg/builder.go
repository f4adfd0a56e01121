package pg

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/mizzle/mizzle/internal/quote"
)

// builder writes one SQL statement and collects its arguments. Text comes
// from this package's statement builders, never from values: a value is
// always written as a $n placeholder with the value appended to args. It
// is unexported because every expression it writes is sealed: SQL is the
// one way to write SQL by hand.
//
// The zero builder is ready to use.
type builder struct {
	buf  []byte
	args []any
	err  error
	// scope holds the tables, quoted as columns are qualified, whose
	// columns the statement may name; with none, any column goes (a
	// fragment read on its own). stray is the first column written that
	// is of none of them: the statement's builder turns it into an error
	// naming the statement, since PostgreSQL would only answer "missing
	// FROM-clause entry" after the round trip.
	scope []string
	stray string
	depth int // how many selects are being written, one in another
	// scopeBuf holds the scope of the usual statement, of up to four
	// tables, so that it needs no slice of its own.
	scopeBuf [4]string
}

// writeSQL appends SQL text as is. Only pass text the program itself wrote
// (keywords, already quoted names), never a value.
func (b *builder) writeSQL(s string) { b.buf = append(b.buf, s...) }

// writeIdent appends an identifier, quoted; several parts are joined with
// dots.
func (b *builder) writeIdent(parts ...string) { b.buf = append(b.buf, quote.Ident(parts...)...) }

// writeCol appends a qualified, quoted column, "table"."name", and
// notes it when its table is not in the statement's scope. Every column
// reference the package writes goes through it.
func (b *builder) writeCol(qual string) {
	if len(b.scope) > 0 && b.stray == "" && !b.inScope(qual) {
		b.stray = qual
	}
	b.buf = append(b.buf, qual...)
}

// inScope reports whether qual is a column of one of the scope's tables.
// A quoted table name ends with its closing quote, so the dot after it
// cannot be part of the name.
func (b *builder) inScope(qual string) bool {
	for _, t := range b.scope {
		if t != "" && len(qual) > len(t) && qual[len(t)] == '.' && qual[:len(t)] == t {
			return true
		}
	}
	return false
}

// checkScope fails the statement when it names a column of a table it
// does not read or write. what names the statement ("select from", ...),
// hint says what to do.
func (b *builder) checkScope(what, hint string) {
	if b.stray == "" {
		return
	}
	b.fail(fmt.Errorf("pg: %s %s: column %s belongs to none of the statement's tables (%s)%s", what, b.scope[0], b.stray, strings.Join(b.scope, ", "), hint))
}

// writeArg appends a $n placeholder for v. A statement takes at most
// 65535 parameters; past that, writeArg records an error (see fail).
func (b *builder) writeArg(v any) {
	b.args = append(b.args, v)
	if len(b.args) == maxParams+1 {
		b.fail(fmt.Errorf("pg: the statement needs more than the %d parameters PostgreSQL takes in one statement: send long lists of values with InArray or NotInArray, which take one parameter each", maxParams))
	}
	b.buf = append(b.buf, '$')
	b.buf = strconv.AppendInt(b.buf, int64(len(b.args)), 10)
}

// enter adds tables to the scope of what is written until leave is
// called with what it returns: the tables of a subquery, whose columns it
// may name besides those of the statements around it.
func (b *builder) enter(tables []string) []string {
	saved := b.scope
	if len(saved) > 0 {
		// With no scope, a fragment read on its own, any column goes.
		b.scope = append(slices.Clip(saved), tables...)
	}
	return saved
}

// leave restores the scope enter saved.
func (b *builder) leave(saved []string) { b.scope = saved }

// stmt is what one run of a statement writes with: its builder, and room
// for its text and first arguments, in one allocation. Queries are values
// that may be copied and run any number of times, even at once, so
// nothing of a run is kept in them; and the builder must be on the heap
// anyway, since the expressions it is handed to are interfaces.
type stmt struct {
	b    builder
	args [4]any
	sql  [256]byte
}

// newStmt returns the builder of a new run, for a statement of about size
// bytes (0 when unknown) that may name the columns of the tables in scope.
// The statement's text goes into the stmt's own array when it fits: finish
// returns a string over those bytes, which pgx may keep as a key of its
// statement cache, keeping the stmt alive with it; so the run calls
// release once the statement is sent.
func newStmt(size int, scope ...string) *stmt {
	s := new(stmt)
	s.b.args = s.args[:0]
	if size <= len(s.sql) {
		s.b.buf = s.sql[:0]
	} else {
		s.b.buf = make([]byte, 0, size)
	}
	s.b.scope = append(s.b.scopeBuf[:0], scope...)
	return s
}

// result is what the SQL methods return: the statement, its arguments
// (nil for none) and the first mistake found while writing it.
func (s *stmt) result() (string, []any, error) {
	var args []any
	if len(s.b.args) > 0 {
		args = s.b.args
	}
	return s.b.finish(), args, s.b.err
}

// release drops the run's arguments, so that a statement text kept by pgx
// keeps none of the values it was sent with alive.
func (s *stmt) release() {
	clear(s.args[:])
	s.b.args = nil
}

// finish returns the finished statement without copying it, and gives up
// the buffer: the string shares its bytes, so they must never be written
// again (pgx keeps statement texts as keys of its statement cache). Any
// later write starts a new buffer, so the bytes behind the string stay as
// they are. The statement builders call it once they are done writing.
func (b *builder) finish() string {
	s := unsafe.String(unsafe.SliceData(b.buf), len(b.buf))
	b.buf = nil
	return s
}

// fail records the first mistake found while writing, such as a fragment
// whose ? marks do not match its arguments: a statement with a mistake is
// never sent.
func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}
