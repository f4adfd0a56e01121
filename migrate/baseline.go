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
// left as it is.
func (d *Dir) Baseline(ctx context.Context, conn *pgx.Conn, tag string, opts Options) error {
	idx := -1
	pos := map[string]int{}
	for i, m := range d.Migrations {
		pos[m.Tag] = i
		if m.Tag == tag {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("%s: no migration %q: the journal does not list it", JournalFile, tag)
	}
	st, end, err := session(ctx, conn, d, opts)
	if err != nil {
		return err
	}
	defer end()
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
	if err := record(ctx, conn, opts.table(), opts.Drizzle, a); err != nil {
		return fmt.Errorf("%s: recording the migration as applied: %w", m.SQLPath(), err)
	}
	return nil
}
