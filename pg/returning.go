package pg

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// Changes is an update or a delete, whose RETURNING list [Returning1] to
// [Returning3] choose: an UpdateQuery or a DeleteQuery.
type Changes interface {
	// changes writes the statement with sel as its RETURNING list, and
	// says what runs it and how to name it in errors.
	changes(sel []Expr) (s *stmt, db DBTX, op, table string)
}

func (q UpdateQuery[R]) changes(sel []Expr) (*stmt, DBTX, string, string) {
	s := q.stmt(false)
	q.build(&s.b, false)
	writeReturning(&s.b, sel, "update of", q.t.Name)
	return s, q.db, opUpdate, q.t.Name
}

func (q DeleteQuery[R]) changes(sel []Expr) (*stmt, DBTX, string, string) {
	s := q.stmt(false)
	q.build(&s.b, false)
	writeReturning(&s.b, sel, "delete from", q.t.Name)
	return s, q.db, opDelete, q.t.Name
}

// writeReturning writes RETURNING and the values, checking that their
// columns are the statement's.
func writeReturning(b *builder, sel []Expr, what, name string) {
	b.writeSQL(" RETURNING ")
	for i, e := range sel {
		if i > 0 {
			b.writeSQL(", ")
		}
		e.appendSQL(b)
	}
	b.checkScope(what, fmt.Sprintf(" (in the RETURNING list of %q)", name))
}

// Returning1 runs an update or delete and returns one value of each row
// it changed, instead of the whole row: the new version of a column, an
// expression over the row's columns.
//
//	ids, err := pg.Returning1(ctx, q.Orders.Update().Set(...).Where(...), db.Orders.ID) // []uuid.UUID
func Returning1[A any](ctx context.Context, q Changes, a Value[A]) ([]A, error) {
	return returning(ctx, q, func(r *A, dst []any) []any { return append(dst, r) }, a)
}

// Returning2 is Returning1 with two values a row, as a Tuple2.
func Returning2[A, B any](ctx context.Context, q Changes, a Value[A], b Value[B]) ([]Tuple2[A, B], error) {
	return returning(ctx, q, func(r *Tuple2[A, B], dst []any) []any { return append(dst, &r.A, &r.B) }, a, b)
}

// Returning3 is Returning1 with three values a row, as a Tuple3.
func Returning3[A, B, C any](ctx context.Context, q Changes, a Value[A], b Value[B], c Value[C]) ([]Tuple3[A, B, C], error) {
	return returning(ctx, q, func(r *Tuple3[A, B, C], dst []any) []any { return append(dst, &r.A, &r.B, &r.C) }, a, b, c)
}

func returning[T any](ctx context.Context, q Changes, targets func(*T, []any) []any, sel ...Expr) ([]T, error) {
	s, db, op, name := q.changes(sel)
	defer s.release()
	b := &s.b
	if b.err != nil {
		return nil, b.err
	}
	rows, err := db.Query(ctx, b.finish(), b.args...)
	if err != nil {
		return nil, wrap(op, name, err)
	}
	var out []T
	dst := make([]any, 0, len(sel))
	err = table.ScanRows(rows, func(rows pgx.Rows) error {
		var v T
		if err := rows.Scan(targets(&v, dst[:0])...); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, wrap(op, name, err)
	}
	return out, nil
}
