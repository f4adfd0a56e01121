package migrate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ApplyInTx is Apply with every pending migration in one transaction,
// after prepare (when not nil), which runs first in that transaction: all
// of it is committed, or, when anything fails, nothing is. It is for runs
// that must not leave a database half done, such as rebuilding one from
// scratch (prepare drops what is there, then every migration is pending).
//
// A pending migration that runs outside a transaction (NoTransaction) is
// refused, with a ProblemsError naming its file, and nothing changes. The
// history table is created in the transaction when missing, and the Lock
// is held from before it starts until it ends. conn must not be in a
// transaction.
func (d *Dir) ApplyInTx(ctx context.Context, conn *pgx.Conn, opts Options, prepare func(context.Context, pgx.Tx) error) ([]AppliedMigration, error) {
	table := opts.table()
	lock, err := opts.lock(ctx, conn, table)
	if err != nil {
		return nil, err
	}
	// After the transaction, committed or rolled back: in an aborted one
	// the unlock would fail.
	defer lock.Release(ctx)
	restore, err := pinSettings(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer restore()

	var done []AppliedMigration
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if prepare != nil {
			if err := prepare(ctx, tx); err != nil {
				return err
			}
		}
		if err := createHistory(ctx, conn, table, opts.Drizzle); err != nil {
			return err
		}
		st, err := status(ctx, conn, d, opts)
		if err != nil {
			return err
		}
		problems := st.Problems
		for _, m := range st.Pending {
			if readScript(m.SQL).noTx {
				problems = append(problems, problem(m.SQLPath(), 0, 0, fmt.Sprintf(
					"runs outside a transaction (%q), so it cannot be applied together with the others in one", NoTransaction)))
			}
		}
		if len(problems) > 0 {
			return ProblemsError(problems)
		}
		if opts.Events != nil {
			for _, a := range st.Ahead {
				opts.Events(Event{Kind: EventAhead, Migration: appliedName(a)})
			}
		}
		for _, m := range st.Pending {
			if opts.Events != nil {
				opts.Events(Event{Kind: EventApplying, Migration: m.Tag})
			}
			a, err := apply(ctx, conn, opts, m, tx)
			if err != nil {
				return err
			}
			done = append(done, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Applied only now that the transaction is committed.
	if opts.Events != nil {
		for _, a := range done {
			opts.Events(Event{Kind: EventApplied, Migration: a.Tag, Duration: a.Duration})
		}
	}
	return done, nil
}
