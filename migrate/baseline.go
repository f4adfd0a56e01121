package migrate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Baseline records the migration tag of d as applied without running its
// SQL. It is how a database that already holds a schema adopts a baseline
// migration describing that schema (mizzle pull --baseline): from then on
// Apply applies only what comes after it.
//
// It sets the session up as Apply does (the same lock, settings and
// history table, created when missing) and writes the row Apply would
// write (the file's hash, the journal's when, a zero duration). It
// refuses, changing nothing, what Apply would refuse (a ProblemsError), a
// tag the journal does not list, and a migration with unapplied ones
// before it, which marking would skip. A migration already recorded is
// left as it is. Through a pooler (Options.Pooler) it all happens in one
// transaction holding the lock, as each of Apply's migrations does.
func (d *Dir) Baseline(ctx context.Context, conn *pgx.Conn, tag string, opts Options) error {
	idx := -1
	for i, m := range d.Migrations {
		if m.Tag == tag {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("%s: no migration %q: the journal does not list it", JournalFile, tag)
	}
	pooled, err := opts.throughPooler(ctx, conn)
	if err != nil {
		return err
	}
	if pooled {
		r := newPooledRun(conn, d, opts)
		return r.locked(ctx, func(q querier, st *Status) (*Status, historyMark, error) {
			return nil, historyMark{}, d.baseline(ctx, q, st, idx, r.opts)
		})
	}
	st, end, err := session(ctx, conn, d, opts)
	if err != nil {
		return err
	}
	defer end()
	return d.baseline(ctx, conn, st, idx, opts)
}

// baseline records d.Migrations[idx] as applied with q, given the status.
func (d *Dir) baseline(ctx context.Context, q execer, st *Status, idx int, opts Options) error {
	tag := d.Migrations[idx].Tag
	pos := map[string]int{}
	for i, m := range d.Migrations {
		pos[m.Tag] = i
	}
	var m *Migration
	for i := range st.Pending {
		p := &st.Pending[i]
		if p.Tag == tag {
			m = p
			break
		}
		if pos[p.Tag] > idx {
			continue
		}
		return fmt.Errorf("%s: %s comes before it and is not applied: apply it first (mizzle migrate), since marking %s would skip it", d.Migrations[idx].SQLPath(), p.SQLPath(), tag)
	}
	if m == nil {
		return nil // already recorded
	}
	a := AppliedMigration{Tag: m.Tag, Hash: FileHash(m.SQL), When: m.When}
	if err := record(ctx, q, opts.table(), opts.Drizzle, a); err != nil {
		return fmt.Errorf("%s: recording the migration as applied: %w", m.SQLPath(), err)
	}
	return nil
}
