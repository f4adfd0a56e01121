package pg

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Field is one value of a [SelectInto]: what to select, and the field of
// the row struct it is read into. Make one with [Into].
type Field struct {
	v    Expr
	dst  unsafe.Pointer
	size uintptr
	// at is dst's type: it turns the address of the field in any row into
	// the *T that pgx scans into.
	at func(unsafe.Pointer) any
}

// Into pairs a value to select (a column, an aggregate, a window function,
// a subquery, or SQL given a type with [As]) with the field of the row it
// is read into. The compiler checks that they agree: a Column[string]
// goes into a string, a NullColumn[string] into a *string.
func Into[T any](dst *T, v Value[T]) Field {
	return Field{v: v, dst: unsafe.Pointer(dst), size: unsafe.Sizeof(*dst), at: func(p unsafe.Pointer) any { return (*T)(p) }}
}

// SelectInto selects the values fields lists from src's tables, under its
// clauses (as [Select1] does), into rows of a struct of the program's own:
// the partial select of one table, of a join or of an aggregate.
//
//	type orderLine struct {
//		ID     uuid.UUID
//		Symbol string
//		Model  string
//	}
//	lines, err := pg.SelectInto(q.Orders.Select().Join(q.Models.Select(), db.Orders.ModelID.EqCol(db.Models.ID)),
//		func(r *orderLine) []pg.Field {
//			return []pg.Field{pg.Into(&r.ID, db.Orders.ID), pg.Into(&r.Symbol, db.Orders.Symbol), pg.Into(&r.Model, db.Models.Variant)}
//		}).All(ctx)
//
// fields is called once, here, on a row of its own: what it returns is the
// query's plan, the offset of each field in R, so reading a row takes no
// reflection and no call of fields. So it must return pointers into the
// row it is given (fields of structs it holds included, not through
// pointers), never elsewhere; a query that lists another pointer, or none,
// fails before it is sent. The query
// groups, orders and limits as Select1's does.
func SelectInto[R any](src Source, fields func(r *R) []Field) ValuesQuery[R] {
	row := new(R)
	fs := fields(row)
	base, size := uintptr(unsafe.Pointer(row)), unsafe.Sizeof(*row)
	sel := make([]Expr, len(fs))
	offs := make([]uintptr, len(fs))
	ats := make([]func(unsafe.Pointer) any, len(fs))
	for i, f := range fs {
		p := uintptr(f.dst)
		switch {
		case f.v == nil:
			sel[i] = failExpr{fmt.Errorf("pg: SelectInto: field %d of %d is the zero Field; make each with pg.Into", i+1, len(fs))}
			continue
		case p < base || p+f.size > base+size || f.dst == nil:
			sel[i] = failExpr{fmt.Errorf("pg: SelectInto: field %d of %d does not point into the row the function is given; return pointers to that row's fields, such as &r.Name", i+1, len(fs))}
			continue
		}
		sel[i], offs[i], ats[i] = f.v, p-base, f.at
	}
	runtime.KeepAlive(row)
	if len(fs) == 0 {
		sel = []Expr{failExpr{fmt.Errorf("pg: SelectInto: the function lists no field to select")}}
	}
	targets := func(r *R, dst []any) []any {
		p := unsafe.Pointer(r)
		for i, at := range ats {
			if at != nil {
				dst = append(dst, at(unsafe.Add(p, offs[i])))
			}
		}
		return dst
	}
	return newValues(src, targets, sel...)
}

// Where adds conditions on the rows the values are read from, after the
// source's; all of them must hold. A query made once, with SelectInto or
// Select1, is so the base of each call's own.
func (q ValuesQuery[T]) Where(conds ...Expr) ValuesQuery[T] {
	q.c.where = q.c.where.add(conds)
	return q
}
