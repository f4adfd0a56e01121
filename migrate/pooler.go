package migrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
)

// Pooler says whether the migrator talks to PostgreSQL through a
// transaction pooler (PgBouncer in transaction mode, or a managed pooler
// working the same way), which gives a client's transactions to whichever
// server connection is free: session state (a session advisory lock, a
// session setting, a named prepared statement) is left on a server
// connection other clients then use.
type Pooler int

const (
	// PoolerDetect, the zero value, asks the migrator to find out: a
	// connection whose backend key is not the serving process's (see
	// DetectPooler) is taken to go through a pooler.
	PoolerDetect Pooler = iota
	// PoolerOn says the connection goes through a transaction pooler, as
	// the migrator cannot always tell (mizzle migrate --pooler).
	PoolerOn
	// PoolerOff says the connection is a session of its own from start to
	// end, whatever detection would say: a direct connection, or a pooler
	// in session mode (mizzle migrate --pooler=false). The migrator then
	// holds its session lock for the whole run, as without a pooler.
	PoolerOff
)

// DetectPooler reports whether conn reaches PostgreSQL through a pooler.
// PostgreSQL gives a client its own process id in the backend key of the
// connection's start-up; PgBouncer gives a random key of its own, since
// the server connections behind a client change, so a key that is not
// pg_backend_pid() means something between the two hands out server
// connections. A pooler that passed the server's key on would not be
// seen: tell the migrator with PoolerOn.
func DetectPooler(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var pid int32
	// The unnamed statement, which outlives no round trip, whatever is
	// between. (pgx refuses the simple protocol for a query when the
	// session's standard_conforming_strings is off, as a database's
	// default may be.)
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_backend_pid()", pgx.QueryExecModeExec).Scan(&pid); err != nil {
		return false, fmt.Errorf("reading the server's process id: %w", err)
	}
	return uint32(pid) != conn.PgConn().PID(), nil
}

// throughPooler resolves o.Pooler for conn, reporting EventPoolerDetected
// when it detected one.
func (o *Options) throughPooler(ctx context.Context, conn *pgx.Conn) (bool, error) {
	switch o.Pooler {
	case PoolerOn:
		return true, nil
	case PoolerOff:
		return false, nil
	case PoolerDetect:
	default:
		return false, fmt.Errorf("migrate: Options.Pooler %d is none of PoolerDetect, PoolerOn and PoolerOff", o.Pooler)
	}
	pooled, err := DetectPooler(ctx, conn)
	if pooled && o.Events != nil {
		o.Events(Event{Kind: EventPoolerDetected})
	}
	return pooled, err
}

// querier is a connection or a transaction, to read and write with.
type querier interface {
	execer
	Query(context.Context, string, ...any) (pgx.Rows, error)
	QueryRow(context.Context, string, ...any) pgx.Row
}

// unprepared sends every statement of q with pgx's exec mode: the unnamed
// statement, parsed, bound and run in one round trip, which a transaction
// pooler keeps on one server connection; pgx's default names a prepared
// statement on the first server connection and uses it on the next.
type unprepared struct{ q querier }

func (u unprepared) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return u.q.Exec(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

func (u unprepared) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return u.q.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

func (u unprepared) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return u.q.QueryRow(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

// pooledRun is a run of the migrator through a transaction pooler. No state
// outlives a transaction: each migration is applied in a transaction that
// first takes the history table's lock with pg_advisory_xact_lock (the key
// of LockKey, so that it also waits for, and holds off, migrators holding
// the session lock on direct connections), sets the pinned settings for
// itself (SET LOCAL), and reads the history again, since another migrator
// may have applied what was pending while this one did not hold the lock.
// Migrators running at once thus take turns, each migration still applied
// once, in journal order.
type pooledRun struct {
	conn *pgx.Conn
	d    *Dir
	opts Options
	// wait is the EventLockWait reporter, nil once it has reported.
	wait func()
	// history says the history table exists: a transaction that created
	// it committed.
	history bool
	// known is the status the last transaction left, when it gave one,
	// and mark the history's mark then: while the mark is the same, no
	// one else recorded anything, and the next transaction goes on from
	// known instead of reading the whole history and checking every
	// pending file again, which would make a run quadratic in the number
	// of migrations.
	known *Status
	mark  historyMark
}

// historyMark is what tells that the history table changed: its number of
// rows and its last id. Migrators only ever add rows.
type historyMark struct{ rows, last int64 }

func newPooledRun(conn *pgx.Conn, d *Dir, opts Options) *pooledRun {
	opts.pooled = true
	return &pooledRun{conn: conn, d: d, opts: opts, wait: opts.lockWait()}
}

// begin opens a transaction that tries to take the lock of key and sets
// pinnedSettings for itself, and, with mark, reads the history's mark
// once it holds the lock, all in one round trip: the simple protocol runs
// each statement of the string with a snapshot of its own, so the mark is
// read after the lock is taken, never before. Every value in the text is
// the migrator's own (the key, the settings, the history table's quoted
// name). ok false means another migrator holds the lock; the transaction
// is still open either way.
func (r *pooledRun) begin(ctx context.Context, key int64, mark bool) (ok bool, m historyMark, err error) {
	table := r.opts.table()
	var sql strings.Builder
	fmt.Fprintf(&sql, "BEGIN; SELECT pg_catalog.pg_try_advisory_xact_lock(%d)", key)
	for _, s := range pinnedSettings {
		fmt.Fprintf(&sql, " AND pg_catalog.set_config(%s, %s, true) IS NOT NULL", quote.Literal(s.name), quote.Literal(s.value))
	}
	if mark {
		sql.WriteString("; " + markSQL(table))
	}
	results, err := r.conn.PgConn().Exec(ctx, sql.String()).ReadAll()
	if err != nil {
		return false, m, fmt.Errorf("taking the migration lock: %w", err)
	}
	ok = len(results) > 1 && len(results[1].Rows) == 1 && string(results[1].Rows[0][0]) == "t"
	if mark && len(results) > 2 && len(results[2].Rows) == 1 {
		row := results[2].Rows[0]
		m.rows, err = strconv.ParseInt(string(row[0]), 10, 64)
		if err == nil {
			m.last, err = strconv.ParseInt(string(row[1]), 10, 64)
		}
		if err != nil {
			return false, m, fmt.Errorf("reading the history table %s: %w", quote.Ident(table.Schema, table.Name), err)
		}
	}
	return ok, m, nil
}

// markSQL reads the history table's mark.
func markSQL(t TableName) string {
	return "SELECT count(*), coalesce(max(id), 0)::bigint FROM " + quote.Ident(t.Schema, t.Name)
}

// commit commits the transaction begin opened, and says so when the
// server rolled it back instead (COMMIT of a failed transaction).
func (r *pooledRun) commit(ctx context.Context) error {
	tag, err := r.conn.Exec(ctx, "COMMIT")
	if err == nil && tag.String() != "COMMIT" {
		err = fmt.Errorf("the migration's transaction was rolled back (%s)", tag)
	}
	return err
}

// rollback ends the transaction begin opened; an error is a broken
// connection, which ended it too.
func (r *pooledRun) rollback(ctx context.Context) {
	r.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
}

// errBusy rolls back a transaction that did not get the lock.
var errBusy = errors.New("the migration lock is taken")

// locked runs f in a transaction holding the lock, after the session set
// up as Apply's is (settings, history table, status without problems),
// polling for the lock as AcquireLock does. Between tries no transaction
// is open, so a waiting migrator holds none of the pooler's few server
// connections. f may return the status it leaves and the history's mark
// then, for the next transaction to go on from (see known).
func (r *pooledRun) locked(ctx context.Context, f func(q querier, st *Status) (*Status, historyMark, error)) error {
	table := r.opts.table()
	key := LockKey(table)
	timeout := r.opts.lockTimeout()
	deadline := time.Now().Add(timeout)
	pause := 20 * time.Millisecond
	for {
		created := false
		var next *Status
		var nextMark historyMark
		err := func() error {
			ok, m, err := r.begin(ctx, key, r.known != nil)
			if err != nil {
				r.rollback(ctx)
				return err
			}
			if !ok {
				r.rollback(ctx)
				return errBusy
			}
			q := unprepared{r.conn}
			if !r.history {
				if err := createHistory(ctx, q, table, r.opts.Drizzle); err != nil {
					r.rollback(ctx)
					return err
				}
				created = true
			}
			var st *Status
			if r.known != nil && m == r.mark {
				st = r.known
			}
			if st == nil {
				var err error
				if st, err = status(ctx, q, r.d, r.opts); err != nil {
					r.rollback(ctx)
					return err
				}
				if len(st.Problems) > 0 {
					r.rollback(ctx)
					return ProblemsError(st.Problems)
				}
			}
			if next, nextMark, err = f(q, st); err != nil {
				r.rollback(ctx)
				return err
			}
			return r.commit(ctx)
		}()
		if !errors.Is(err, errBusy) {
			r.known, r.mark = nil, historyMark{}
			if err == nil {
				r.history = r.history || created
				r.known, r.mark = next, nextMark
			}
			return err
		}
		if r.wait != nil {
			r.wait()
			r.wait = nil
		}
		if time.Now().After(deadline) {
			return lockGaveUp(timeout, table, key)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// apply is Dir.Apply through a pooler: one locked transaction per
// migration, until one finds nothing pending.
func (r *pooledRun) apply(ctx context.Context) ([]AppliedMigration, error) {
	opts := r.opts
	var done []AppliedMigration
	first := true
	// The migration being tried again after a lock timeout, and how many
	// tries of it failed.
	var retrying string
	attempt := 0
	wait := cmp.Or(opts.RetryBackoff, time.Second)
	for {
		var m *Migration
		var a AppliedMigration
		err := r.locked(ctx, func(q querier, st *Status) (*Status, historyMark, error) {
			if first && opts.Events != nil {
				for _, a := range st.Ahead {
					opts.Events(Event{Kind: EventAhead, Migration: appliedName(a)})
				}
			}
			first = false
			if len(st.Pending) == 0 {
				return nil, historyMark{}, nil
			}
			m = &st.Pending[0]
			if m.Tag != retrying {
				retrying, attempt, wait = m.Tag, 0, cmp.Or(opts.RetryBackoff, time.Second)
				if opts.Events != nil {
					opts.Events(Event{Kind: EventApplying, Migration: m.Tag})
				}
			}
			var mark historyMark
			var err error
			if a, mark, err = applyInTx(ctx, q, opts, *m); err != nil {
				return nil, mark, err
			}
			// What the next transaction needs: the migrations left.
			return &Status{Pending: st.Pending[1:]}, mark, nil
		})
		switch {
		case err == nil && m == nil:
			return done, nil
		case err == nil:
			done = append(done, a)
			if opts.Events != nil {
				opts.Events(Event{Kind: EventApplied, Migration: m.Tag, Duration: a.Duration})
			}
			continue
		case m == nil || attempt >= opts.Retries || !lockNotAvailable(err):
			return done, err
		}
		attempt++
		if opts.Events != nil {
			opts.Events(Event{Kind: EventLockRetry, Migration: m.Tag, Attempt: attempt, Wait: wait, Err: err})
		}
		select {
		case <-ctx.Done():
			return done, err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// applyInTx runs a transactional migration's statements in q, a
// transaction, and records it there, returning the history's mark with
// the new row, read in the same round trip.
func applyInTx(ctx context.Context, q querier, opts Options, e Migration) (AppliedMigration, historyMark, error) {
	start := time.Now()
	sc := readScript(e.SQL)
	a := AppliedMigration{Tag: e.Tag, Hash: FileHash(e.SQL), When: e.When}
	if sc.noTx {
		// status refused it already; this is the last guard.
		return a, historyMark{}, fmt.Errorf("%s: %s", e.SQLPath(), noTxThroughPooler)
	}
	if opts.TableLockTimeout > 0 {
		if _, err := q.Exec(ctx, "SELECT pg_catalog.set_config('lock_timeout', $1, true)", opts.tableLockTimeout()); err != nil {
			return a, historyMark{}, fmt.Errorf("%s: setting lock_timeout: %w", e.SQLPath(), err)
		}
	}
	for i, s := range sc.stmts {
		// The simple protocol, as psql sends a script.
		if _, err := q.Exec(ctx, s.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return a, historyMark{}, statementError(e, sc, i+1, s, err)
		}
	}
	a.Duration = time.Since(start)
	// The count does not see the row its own statement inserts.
	t := opts.table()
	insert, args := recordSQL(t, opts.Drizzle, a)
	var mark historyMark
	err := q.QueryRow(ctx, "WITH ins AS ("+insert+" RETURNING id) SELECT (SELECT count(*) FROM "+quote.Ident(t.Schema, t.Name)+") + 1, (SELECT id FROM ins)::bigint",
		args...).Scan(&mark.rows, &mark.last)
	if err != nil {
		return a, mark, fmt.Errorf("%s: recording the migration: %w", e.SQLPath(), err)
	}
	a.AppliedAt = time.Now()
	return a, mark, nil
}

// noTxThroughPooler is the refusal of a no-transaction migration through
// a pooler.
const noTxThroughPooler = "a no-transaction migration cannot be applied through a transaction pooler: " +
	"outside a transaction no lock keeps another migrator from running its statements too, and each statement may run on another server connection; " +
	"apply the migrations on a direct connection to PostgreSQL, one that does not go through the pooler (and without --pooler)"
