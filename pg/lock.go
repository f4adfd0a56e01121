package pg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
)

// ForNoKeyUpdate locks the rows read as an update that changes no key
// does (FOR NO KEY UPDATE): it lets other transactions insert rows whose
// foreign keys refer to them, which FOR UPDATE blocks.
func (q SelectQuery[R]) ForNoKeyUpdate() SelectQuery[R] {
	q.c.lock = " FOR NO KEY UPDATE"
	return q
}

// ForKeyShare takes the weakest lock on the rows read (FOR KEY SHARE): it
// only keeps their keys from changing and the rows from being deleted.
func (q SelectQuery[R]) ForKeyShare() SelectQuery[R] {
	q.c.lock = " FOR KEY SHARE"
	return q
}

// Of limits the lock to the rows of the tables named, as the query names
// them (a table's name, or the name As gave it): FOR UPDATE OF "Orders"
// locks the orders of a join, not the rows it joins. It implies ForUpdate
// when no lock was asked for. A name the query does not read makes it
// fail before it is sent.
func (q SelectQuery[R]) Of(tables ...string) SelectQuery[R] {
	if q.c.lock == "" {
		q.c.lock = " FOR UPDATE"
	}
	for _, t := range tables {
		q.c.lockOf = appendClipped(q.c.lockOf, quote.Ident(t))
	}
	return q
}

// writeLockOf writes " OF ..." of the lock.
func (c *selectCore) writeLockOf(b *builder) {
	if len(c.lockOf) == 0 {
		return
	}
	tables := c.tables()
	b.writeSQL(" OF ")
	for i, t := range c.lockOf {
		if !slices.Contains(tables, t) {
			b.fail(fmt.Errorf("pg: select from %s: the lock is of %s, which the query does not read (it reads %s)", c.alias, t, strings.Join(tables, ", ")))
		}
		if i > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL(t)
	}
}

// Distinct returns each row once (SELECT DISTINCT).
func (q SelectQuery[R]) Distinct() SelectQuery[R] {
	q.c.distinct = true
	return q
}

// DistinctOn returns, of each set of rows equal on exprs, the first in
// the query's order (SELECT DISTINCT ON): the latest order of each
// symbol, with OrderBy(db.Orders.Symbol.Asc(), db.Orders.ClosedAt.Desc()).
// PostgreSQL wants the ordering to start with exprs.
func (q SelectQuery[R]) DistinctOn(exprs ...Expr) SelectQuery[R] {
	q.c.distinctOn = appendClipped(q.c.distinctOn, exprs...)
	return q
}

// Distinct returns each row of values once (SELECT DISTINCT).
func (q ValuesQuery[T]) Distinct() ValuesQuery[T] {
	q.c.distinct = true
	return q
}

// DistinctOn returns, of each set of rows equal on exprs, the first in
// the query's order (SELECT DISTINCT ON); see SelectQuery.DistinctOn.
func (q ValuesQuery[T]) DistinctOn(exprs ...Expr) ValuesQuery[T] {
	q.c.distinctOn = appendClipped(q.c.distinctOn, exprs...)
	return q
}
