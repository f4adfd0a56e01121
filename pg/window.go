package pg

// Window is the window of a window function, OVER (PARTITION BY ...
// ORDER BY ...): the rows it computes over, and their order. Make one
// with [PartitionBy] or [OrderedBy] (or use the zero Window, every row in
// one partition). Like queries, a Window is a value: its methods return a
// new one.
type Window struct {
	partition []Expr
	order     []Order
}

// PartitionBy returns a window whose rows are split into partitions of
// equal exprs.
func PartitionBy(exprs ...Expr) Window { return Window{partition: exprs} }

// OrderedBy returns a window of every row, in the order given.
func OrderedBy(orders ...Order) Window { return Window{order: orders} }

// PartitionBy adds partitioning expressions.
func (w Window) PartitionBy(exprs ...Expr) Window {
	w.partition = appendClipped(w.partition, exprs...)
	return w
}

// OrderBy adds orderings of the rows in each partition.
func (w Window) OrderBy(orders ...Order) Window {
	w.order = appendClipped(w.order, orders...)
	return w
}

// overExpr is "fn OVER (window)".
type overExpr[T any] struct {
	fn Expr
	w  Window
}

func (overExpr[T]) scanInto(*T) {}

func (e overExpr[T]) appendSQL(b *builder) {
	e.fn.appendSQL(b)
	b.writeSQL(" OVER (")
	for i, x := range e.w.partition {
		if i == 0 {
			b.writeSQL("PARTITION BY ")
		} else {
			b.writeSQL(", ")
		}
		x.appendSQL(b)
	}
	for i, o := range e.w.order {
		switch {
		case i > 0:
			b.writeSQL(", ")
		case len(e.w.partition) > 0:
			b.writeSQL(" ORDER BY ")
		default:
			b.writeSQL("ORDER BY ")
		}
		o.appendSQL(b)
	}
	b.writeSQL(")")
}

// Over computes fn over a window, fn OVER (...): a window function
// (RowNumber, Rank, DenseRank, Lag, Lead) or an aggregate (Sum, Count,
// ...), for each row, of the same type. A running total per symbol:
//
//	pg.Over(pg.Sum(db.Orders.Quantity), pg.PartitionBy(db.Orders.Symbol).OrderBy(db.Orders.ID.Asc()))
func Over[T any](fn Value[T], w Window) Value[T] { return overExpr[T]{fn, w} }

// RowNumber is row_number(): the row's number in its partition, from 1.
// Use it with Over.
func RowNumber() Value[int64] { return typed[int64]{"row_number()"} }

// Rank is rank(): the row's rank in its partition, with gaps after ties.
// Use it with Over.
func Rank() Value[int64] { return typed[int64]{"rank()"} }

// DenseRank is dense_rank(): Rank without gaps. Use it with Over.
func DenseRank() Value[int64] { return typed[int64]{"dense_rank()"} }

// Lag is lag(column): the column's value in the previous row of the
// partition, nil on its first row. Use it with Over.
func Lag[T any](c ColumnOf[T]) Value[*T] { return aggregate[*T]("lag(", c) }

// Lead is lead(column): the column's value in the next row of the
// partition, nil on its last row. Use it with Over.
func Lead[T any](c ColumnOf[T]) Value[*T] { return aggregate[*T]("lead(", c) }
