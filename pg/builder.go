package pg

import (
	"fmt"
	"strconv"
	"unsafe"

	"github.com/mizzle/mizzle/internal/quote"
)

// Builder writes one SQL statement and collects its arguments. Text comes
// from the statement builders and from generated code, never from values:
// a value is always written as a $n placeholder with the value appended to
// Args.
//
// The zero Builder is ready to use.
type Builder struct {
	buf  []byte
	args []any
	err  error
}

// WriteSQL appends SQL text as is. Only pass text the program itself wrote
// (keywords, already quoted names), never a value.
func (b *Builder) WriteSQL(s string) { b.buf = append(b.buf, s...) }

// WriteIdent appends an identifier, quoted; several parts are joined with
// dots.
func (b *Builder) WriteIdent(parts ...string) { b.buf = append(b.buf, quote.Ident(parts...)...) }

// WriteArg appends a $n placeholder for v. A statement takes at most
// 65535 parameters; past that, WriteArg records an error (see Err).
func (b *Builder) WriteArg(v any) {
	b.args = append(b.args, v)
	if len(b.args) == maxParams+1 {
		b.fail(fmt.Errorf("pg: the statement needs more than the %d parameters PostgreSQL takes in one statement: send long lists of values with InArray or NotInArray, which take one parameter each", maxParams))
	}
	b.buf = append(b.buf, '$')
	b.buf = strconv.AppendInt(b.buf, int64(len(b.args)), 10)
}

// String returns the SQL written so far.
func (b *Builder) String() string { return string(b.buf) }

// reset readies a Builder kept inside a query for one statement: buf to
// write it into (nil for a build that sizes its own; see stmtBuf), and the
// arguments over args, the query's own small backing array, cleared so
// that it keeps no value of an earlier run alive. Sizing both up front
// spares the appends their growth.
func (b *Builder) reset(buf []byte, args []any) {
	clear(args)
	*b = Builder{buf: buf, args: args[:0]}
}

// stmtBuf returns an empty buffer for a statement of about size bytes.
// The first time, and when it is large enough, that is own: an array
// inside the query, so that the usual query, built and run once, needs no
// buffer of its own (*used records that it was handed out). It is handed
// out once only: finish returns a string over its bytes, which pgx may
// keep (as a key of its statement cache, which then keeps the query
// alive too), so they must never be written again. Later runs, and
// longer statements, get a new buffer.
func stmtBuf(own []byte, used *bool, size int) []byte {
	if !*used && size <= len(own) {
		*used = true
		return own[:0]
	}
	return make([]byte, 0, size)
}

// finish returns the finished statement without copying it, and gives up
// the buffer: the string shares its bytes, so they must never be written
// again (pgx keeps statement texts as keys of its statement cache). Any
// later write starts a new buffer, so the bytes behind the string stay as
// they are. The statement builders call it once they are done writing;
// String, which copies, stays the way to read a Builder that may grow.
func (b *Builder) finish() string {
	s := unsafe.String(unsafe.SliceData(b.buf), len(b.buf))
	b.buf = nil
	return s
}

// Args returns the arguments of the placeholders written so far, in order.
func (b *Builder) Args() []any { return b.args }

// Err returns the first mistake found while writing, such as a fragment
// whose ? marks do not match its arguments. A statement with a mistake is
// never sent.
func (b *Builder) Err() error { return b.err }

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}
