package pg

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CopyFrom loads rows with the COPY protocol, the fastest way to insert
// many rows, and returns how many it loaded. Columns are sent as by
// Insert, with one difference: COPY has no DEFAULT, so a defaulted column
// that some rows set and others leave zero is refused before anything is
// sent (name the column in with to send the zero values, or copy the two
// kinds of rows in two calls); it never drops a value. COPY returns no
// rows, so the values the database filled in are not read back.
func (t *Table[R]) CopyFrom(ctx context.Context, db DBTX, rows []R, with ...AnyColumn) (int64, error) {
	p, err := t.planInsert("copy into", rows, with)
	if err != nil {
		return 0, err
	}
	send, n := p.send, p.n
	if n == 0 {
		return 0, fmt.Errorf("pg: copy into %q: the database fills every column; use InsertMany", t.Name)
	}
	if p.any != p.all {
		if err := t.mixedCopy(rows, &p); err != nil {
			return 0, err
		}
	}
	names := make([]string, 0, n)
	for i, s := range send {
		if s {
			names = append(names, t.Names[i])
		}
	}
	src := &copySource[R]{t: t, rows: rows, send: send, out: make([]any, 0, n)}
	// Naming no column and setting no defaulted field, the values of the
	// sent fields come straight from InsertValues, without converting the
	// others to any.
	src.fast = p.named == nil
	if !src.fast {
		src.all = make([]any, 0, len(t.Cols))
	}
	loaded, err := db.CopyFrom(ctx, pgx.Identifier{t.Schema, t.Name}, names, src)
	return loaded, wrap("copy into", t.Name, err)
}

// mixedCopy is the error of a copy whose rows disagree on a defaulted
// column not named in with: the first row that sets it and the first that
// leaves it zero.
func (t *Table[R]) mixedCopy(rows []R, p *insertPlan) error {
	for k, i := range t.Defaults {
		bit := uint64(1) << k
		if p.any&bit == 0 || p.all&bit != 0 || p.named[i] {
			continue
		}
		set, unset := -1, -1
		for r := range rows {
			if t.NonZero(&rows[r])&bit != 0 {
				if set < 0 {
					set = r
				}
			} else if unset < 0 {
				unset = r
			}
		}
		return fmt.Errorf("pg: copy into %q: column %s has a default, and rows[%d] sets it while rows[%d] leaves it zero for the default; COPY cannot send DEFAULT for some rows only: name the column in the call to send the zero values too, or copy the rows that leave it zero in a separate call (or use InsertMany, which sends DEFAULT row by row)",
			t.Name, t.Names[i], set, unset)
	}
	return nil
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
		s.out = s.t.InsertValues(&s.rows[s.i-1], s.out[:0])
		return s.out, nil
	}
	s.all = s.t.Values(&s.rows[s.i-1], s.all[:0])
	s.out = s.out[:0]
	for j, ok := range s.send {
		if ok {
			s.out = append(s.out, s.all[j])
		}
	}
	return s.out, nil
}

func (s *copySource[R]) Err() error { return nil }
