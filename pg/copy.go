package pg

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CopyFrom loads rows with the COPY protocol, the fastest way to insert
// many rows, and returns how many it loaded. Columns are sent as by
// Insert: the database fills InsertDefault columns unless with names them,
// and InsertNever columns always. COPY returns no rows, so the values the
// database filled in are not read back.
func (t *Table[R]) CopyFrom(ctx context.Context, db DBTX, rows []R, with ...AnyColumn) (int64, error) {
	send, n, err := t.sendMask("copy into", with)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("pg: copy into %q: the database fills every column; use InsertMany", t.sqlName)
	}
	names := make([]string, 0, n)
	for i, s := range send {
		if s {
			names = append(names, t.names[i])
		}
	}
	src := &copySource[R]{t: t, rows: rows, send: send, out: make([]any, 0, n)}
	// Naming no column, the values of the sent fields come straight from
	// InsertValues, without converting the others to any.
	src.fast = len(with) == 0 && t.insertValues != nil
	if !src.fast {
		src.all = make([]any, 0, len(t.cols))
	}
	return db.CopyFrom(ctx, pgx.Identifier{t.schema, t.sqlName}, names, src)
}

// copySource is a pgx.CopyFromSource over rows, sending the columns of
// send. pgx encodes each row's values before asking for the next, so the
// two buffers are reused for every row.
type copySource[R any] struct {
	t        *Table[R]
	rows     []R
	send     []bool
	fast     bool
	i        int
	all, out []any
}

func (s *copySource[R]) Next() bool {
	s.i++
	return s.i <= len(s.rows)
}

func (s *copySource[R]) Values() ([]any, error) {
	if s.fast {
		s.out = s.t.insertValues(&s.rows[s.i-1], s.out[:0])
		return s.out, nil
	}
	s.all = s.t.values(&s.rows[s.i-1], s.all[:0])
	s.out = s.out[:0]
	for j, ok := range s.send {
		if ok {
			s.out = append(s.out, s.all[j])
		}
	}
	return s.out, nil
}

func (s *copySource[R]) Err() error { return nil }
