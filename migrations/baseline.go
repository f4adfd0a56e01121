package migrations

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
)

// MarkApplied records the migration tag of the folder fsys as applied
// without running its SQL. It is how a database that already holds a
// schema adopts a baseline migration describing that schema (mizzle pull
// --baseline): from then on Migrate applies only what comes after it.
//
// It works as Migrate does: under the same advisory lock, creating the
// history table when missing, writing the row Migrate would write (the
// file's hash, the journal's when, a zero duration). It refuses, changing
// nothing, what Migrate would refuse (a ProblemsError), a tag the journal
// does not list, and a migration with unapplied ones before it, which
// marking would skip. A migration already recorded is left as it is.
func MarkApplied(ctx context.Context, conn *pgx.Conn, fsys fs.FS, tag string, opts MigrateOptions) error {
	folder, err := ReadMigrations(fsys)
	if err != nil {
		return err
	}
	idx := -1
	pos := map[string]int{}
	for i, e := range folder.Entries {
		pos[e.Tag] = i
		if e.Tag == tag {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("%s: no migration %q: the journal does not list it", JournalFile, tag)
	}
	table := opts.table()
	unlock, err := lock(ctx, conn, table, opts)
	if err != nil {
		return err
	}
	defer unlock()
	if err := createHistory(ctx, conn, table, opts.Drizzle); err != nil {
		return err
	}
	st, err := status(ctx, conn, folder, opts)
	if err != nil {
		return err
	}
	if len(st.Problems) > 0 {
		return ProblemsError(st.Problems)
	}
	var e *Entry
	for i := range st.Pending {
		p := &st.Pending[i]
		if p.Tag == tag {
			e = p
			break
		}
		if pos[p.Tag] > idx {
			continue
		}
		return fmt.Errorf("%s: %s comes before it and is not applied: apply it first (mizzle migrate), since marking %s would skip it", folder.Entries[idx].SQLPath(), p.SQLPath(), tag)
	}
	if e == nil {
		return nil // already recorded
	}
	hash := FileHash(e.SQL)
	if opts.Drizzle {
		_, err = conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s (hash, created_at) VALUES ($1, $2)", quote.Ident(table.Schema, table.Name)), hash, e.When)
	} else {
		_, err = conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s (tag, hash, created_at, duration_ms) VALUES ($1, $2, $3, 0)",
			quote.Ident(table.Schema, table.Name)), e.Tag, hash, e.When)
	}
	if err != nil {
		return fmt.Errorf("%s: recording the migration as applied: %w", e.SQLPath(), err)
	}
	return nil
}
