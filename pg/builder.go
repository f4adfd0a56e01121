package pg

import (
	"strconv"

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

// WriteArg appends a $n placeholder for v.
func (b *Builder) WriteArg(v any) {
	b.args = append(b.args, v)
	b.buf = append(b.buf, '$')
	b.buf = strconv.AppendInt(b.buf, int64(len(b.args)), 10)
}

// String returns the SQL written so far.
func (b *Builder) String() string { return string(b.buf) }

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
