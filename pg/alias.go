package pg

import (
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
)

// as returns r qualified with table (unquoted) instead of its table's
// name: the column as a query names it when its table is read under
// another name.
func (r colRef) as(table string) colRef {
	r.table = quote.Ident(table)
	r.qual = r.table + "." + r.name
	return r
}

// As returns the column of the table read under the name alias (see
// SelectQuery.As): its conditions, orderings and values name it as
// "alias"."column". Generated code's As method of a table's columns calls
// it for each.
func (c Column[T]) As(alias string) Column[T] {
	r := c.c.as(alias)
	c.c = &r
	return c
}

// As returns the column of the table read under the name alias; see
// Column.As.
func (c NullColumn[T]) As(alias string) NullColumn[T] {
	return NullColumn[T]{c.Column.As(alias)}
}

// As returns the column of the table read under the name alias; see
// Column.As.
func (c TextColumn[T]) As(alias string) TextColumn[T] {
	return TextColumn[T]{c.Column.As(alias)}
}

// As returns the column of the table read under the name alias; see
// Column.As.
func (c NullTextColumn[T]) As(alias string) NullTextColumn[T] {
	return NullTextColumn[T]{c.NullColumn.As(alias)}
}

// As reads the table under another name, FROM "table" AS "alias", so
// that it can be joined with itself: its columns are then those of the
// generated columns' As method, such as db.Users.As("manager").Name.
// Call it first: conditions and orderings added before name the table by
// its own name, which the query no longer reads, and the query fails
// before it is sent.
//
//	manager := db.Users.As("manager")
//	q.Users.Select().Join(q.Users.Select().As("manager"), db.Users.ManagerID.EqCol(manager.ID))
func (q SelectQuery[R]) As(alias string) SelectQuery[R] {
	a := quote.Ident(alias)
	base := q.c.base
	if base == "" && q.c.sub == nil {
		base = q.t.From
	}
	q.c.from = base + " AS " + a
	q.c.alias = a
	q.c.list = qualifiedList(a, q.t.Cols)
	return q
}

// qualifiedList is the select list of cols (quoted) qualified with alias
// (quoted).
func qualifiedList(alias string, cols []string) string {
	var sb strings.Builder
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(alias)
		sb.WriteByte('.')
		sb.WriteString(c)
	}
	return sb.String()
}

// As returns the column of the table read under the name alias, its
// operators naming it so too; see Column.As.
func (c ArrayColumn[E]) As(alias string) ArrayColumn[E] {
	col := c.Column.As(alias)
	return ArrayColumn[E]{col, ArrayOps[E]{col.ref()}}
}

// As returns the column of the table read under the name alias, its
// operators naming it so too; see Column.As.
func (c NullArrayColumn[E]) As(alias string) NullArrayColumn[E] {
	col := c.NullColumn.As(alias)
	return NullArrayColumn[E]{col, ArrayOps[E]{col.ref()}}
}

// As returns the column of the table read under the name alias, its
// operators naming it so too; see Column.As.
func (c JSONColumn[T]) As(alias string) JSONColumn[T] {
	col := c.Column.As(alias)
	return JSONColumn[T]{col, JSONOps{colExpr(col.c.qual)}}
}

// As returns the column of the table read under the name alias, its
// operators naming it so too; see Column.As.
func (c NullJSONColumn[T]) As(alias string) NullJSONColumn[T] {
	col := c.NullColumn.As(alias)
	return NullJSONColumn[T]{col, JSONOps{colExpr(col.c.qual)}}
}

// As returns the column of the table read under the name alias; see
// Column.As.
func (c RangeColumn[E]) As(alias string) RangeColumn[E] {
	return RangeColumn[E]{c.Column.As(alias)}
}
