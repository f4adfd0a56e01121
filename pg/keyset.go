package pg

import "fmt"

// keyset is what Keyset2 and Keyset3 share: the columns, quoted, and the
// direction.
type keyset struct {
	cols []colRef
	desc bool
	err  error
}

func newKeyset(cols ...AnyColumn) keyset {
	k := keyset{cols: make([]colRef, len(cols))}
	for i, c := range cols {
		k.cols[i] = c.ref()
		if n, ok := c.(interface{ nullable() bool }); ok && n.nullable() && k.err == nil {
			// (a, b) < (x, y) is NULL where a or b is: those rows would
			// be on no page, in silence.
			k.err = fmt.Errorf("pg: keyset on the nullable column %s: a row comparison with NULL is NULL, so its rows would be on no page; order by NOT NULL columns (a unique one last)", k.cols[i].qual)
		}
	}
	return k
}

func (Column[T]) nullable() bool     { return false }
func (NullColumn[T]) nullable() bool { return true }

func (k keyset) order() []Order {
	out := make([]Order, len(k.cols))
	for i, c := range k.cols {
		out[i] = Order{col: c.qual, desc: k.desc}
	}
	return out
}

// cmp is (cols) op (vals): after the cursor in the keyset's order when
// after is true, before it otherwise.
func (k keyset) cmp(after bool, vals ...any) Expr {
	if k.err != nil {
		return failExpr{k.err}
	}
	op := " > "
	if after == k.desc {
		op = " < "
	}
	vs := make([]any, len(vals))
	for i, v := range vals {
		vs[i] = k.cols[i].arg(v)
	}
	return rowCmpExpr{k.cols, op, vs}
}

// rowCmpExpr is the row comparison (a, b) op ($1, $2).
type rowCmpExpr struct {
	cols []colRef
	op   string
	vals []any
}

func (e rowCmpExpr) appendSQL(b *builder) {
	b.writeSQL("(")
	for i, c := range e.cols {
		if i > 0 {
			b.writeSQL(", ")
		}
		b.writeCol(c.qual)
	}
	b.writeSQL(")")
	b.writeSQL(e.op)
	b.writeSQL("(")
	for i, v := range e.vals {
		if i > 0 {
			b.writeSQL(", ")
		}
		b.writeArg(v)
	}
	b.writeSQL(")")
}

// Keyset2 pages through rows ordered by two columns, both ascending or
// both descending, with the last row of a page as the cursor of the next:
// keyset pagination, which reads only the rows of the page (an index on
// the two columns serves it) where OFFSET reads and drops every row
// before them. The last column should be unique, such as the primary
// key, so that no two rows tie:
//
//	ks := pg.NewKeyset2(db.Posts.CreatedAt, db.Posts.ID).Desc()
//	page, err := q.Posts.Select().OrderBy(ks.Order()...).Limit(20).All(ctx)
//	last := page[len(page)-1]
//	next, err := q.Posts.Select().Where(ks.After(last.CreatedAt, last.ID)).OrderBy(ks.Order()...).Limit(20).All(ctx)
//
// After writes the row comparison ("created_at", "id") < ($1, $2), in the
// direction of the order. The columns must be NOT NULL: a row comparison
// with NULL is NULL, and its rows would be on no page, so a nullable
// column makes the statement fail.
type Keyset2[A, B any] struct{ k keyset }

// NewKeyset2 returns the keyset ordered by a then b, ascending.
func NewKeyset2[A, B any](a ColumnOf[A], b ColumnOf[B]) Keyset2[A, B] {
	return Keyset2[A, B]{newKeyset(a, b)}
}

// Desc returns the keyset ordered by both columns descending.
func (k Keyset2[A, B]) Desc() Keyset2[A, B] { k.k.desc = true; return k }

// Order is the keyset's ORDER BY, for OrderBy(k.Order()...).
func (k Keyset2[A, B]) Order() []Order { return k.k.order() }

// After is the condition of the rows after (a, b) in the keyset's order:
// the next page after the row with those values.
func (k Keyset2[A, B]) After(a A, b B) Expr { return k.k.cmp(true, a, b) }

// Before is the condition of the rows before (a, b) in the keyset's
// order: with the reversed order, the page before.
func (k Keyset2[A, B]) Before(a A, b B) Expr { return k.k.cmp(false, a, b) }

// Keyset3 is [Keyset2] over three columns.
type Keyset3[A, B, C any] struct{ k keyset }

// NewKeyset3 returns the keyset ordered by a, b then c, ascending.
func NewKeyset3[A, B, C any](a ColumnOf[A], b ColumnOf[B], c ColumnOf[C]) Keyset3[A, B, C] {
	return Keyset3[A, B, C]{newKeyset(a, b, c)}
}

// Desc returns the keyset ordered by every column descending.
func (k Keyset3[A, B, C]) Desc() Keyset3[A, B, C] { k.k.desc = true; return k }

// Order is the keyset's ORDER BY, for OrderBy(k.Order()...).
func (k Keyset3[A, B, C]) Order() []Order { return k.k.order() }

// After is the condition of the rows after (a, b, c) in the keyset's
// order.
func (k Keyset3[A, B, C]) After(a A, b B, c C) Expr { return k.k.cmp(true, a, b, c) }

// Before is the condition of the rows before (a, b, c) in the keyset's
// order.
func (k Keyset3[A, B, C]) Before(a A, b B, c C) Expr { return k.k.cmp(false, a, b, c) }
