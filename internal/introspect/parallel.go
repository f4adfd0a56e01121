package introspect

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// row is one row of a catalog query: a pgx.Rows on its current row, or a
// row read earlier and kept.
type row interface {
	Scan(dest ...any) error
}

// errStopped is the answer of a query not sent because another failed.
var errStopped = errors.New("not read: another query failed")

// step is one of Inspect's catalog queries and what reads its rows.
type step struct {
	what   string
	sql    string
	row    func(row) error
	weight int
}

// answer is the rows of a step's query, kept as the server sent them.
type answer struct {
	fields []pgconn.FieldDescription
	rows   [][][]byte
	err    error
	done   chan struct{}
}

// readParallel runs the steps' queries on conns at once, each connection
// running its share in turn, and hands the rows to the steps in the steps'
// order as their answers come in. It returns once no connection is in use.
func (in *inspector) readParallel(ctx context.Context, conns []Querier, steps []step) error {
	// On a failure the queries still to send are not sent, but those
	// under way finish: cancelling one would make pgx close the
	// connection, which is the caller's.
	var stop atomic.Bool
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop.Store(true)

	answers := make([]*answer, len(steps))
	for i := range answers {
		answers[i] = &answer{done: make(chan struct{})}
	}
	for c, share := range shares(steps, len(conns)) {
		wg.Go(func() {
			for _, i := range share {
				a := answers[i]
				if stop.Load() {
					a.err = errStopped
				} else {
					a.fields, a.rows, a.err = fetch(ctx, conns[c], steps[i].sql, in.schemas)
				}
				close(a.done)
			}
		})
	}

	types := pgtype.NewMap()
	for i, s := range steps {
		a := answers[i]
		<-a.done
		if a.err != nil {
			return fmt.Errorf("introspect: reading %s: %w", s.what, a.err)
		}
		r := &keptRow{types: types, fields: a.fields}
		for _, values := range a.rows {
			r.values = values
			if err := s.row(r); err != nil {
				return fmt.Errorf("introspect: reading %s: %w", s.what, err)
			}
		}
		answers[i] = nil // its rows are read; let them go
	}
	return nil
}

// shares splits the steps over n connections, heaviest first onto the
// least loaded, each share in the steps' order so that the answers needed
// first come first.
func shares(steps []step, n int) [][]int {
	order := make([]int, len(steps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return steps[b].weight - steps[a].weight })
	out := make([][]int, n)
	load := make([]int, n)
	for _, i := range order {
		least := slices.Index(load, slices.Min(load))
		out[least] = append(out[least], i)
		load[least] += steps[i].weight
	}
	for _, share := range out {
		slices.Sort(share)
	}
	return out
}

// fetch runs one query and keeps its rows. pgx reuses the memory of a row
// once the next is read, so each row's values are copied, into one
// allocation per row.
func fetch(ctx context.Context, db Querier, sql string, schemas []string) ([]pgconn.FieldDescription, [][][]byte, error) {
	rows, err := db.Query(ctx, sql, schemas)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	fields := slices.Clone(rows.FieldDescriptions())
	var kept [][][]byte
	for rows.Next() {
		raw := rows.RawValues()
		size := 0
		for _, v := range raw {
			size += len(v)
		}
		buf := make([]byte, 0, size)
		values := make([][]byte, len(raw))
		for j, v := range raw {
			if v != nil {
				start := len(buf)
				buf = append(buf, v...)
				values[j] = buf[start:len(buf):len(buf)]
			}
		}
		kept = append(kept, values)
	}
	return fields, kept, rows.Err()
}

// keptRow is a row fetch kept, scanned as pgx would scan it: with a plan
// per column, made for the first row and kept while the destinations'
// types stay the same, since planning each value is most of the cost.
type keptRow struct {
	types  *pgtype.Map
	fields []pgconn.FieldDescription
	values [][]byte
	plans  []pgtype.ScanPlan
	dests  []reflect.Type
}

func (r *keptRow) Scan(dest ...any) error {
	if len(dest) != len(r.fields) {
		return fmt.Errorf("%d values in the row, %d to scan into", len(r.fields), len(dest))
	}
	if r.plans == nil {
		r.plans = make([]pgtype.ScanPlan, len(r.fields))
		r.dests = make([]reflect.Type, len(r.fields))
	}
	for i, d := range dest {
		f := r.fields[i]
		if t := reflect.TypeOf(d); r.plans[i] == nil || r.dests[i] != t {
			r.plans[i], r.dests[i] = r.types.PlanScan(f.DataTypeOID, f.Format, d), t
		}
		if err := r.plans[i].Scan(r.values[i], d); err != nil {
			return fmt.Errorf("can't scan column %d (%s): %w", i, f.Name, err)
		}
	}
	return nil
}
