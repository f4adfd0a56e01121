package migrate_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// connectN opens n sessions on one fresh database.
func connectN(t *testing.T, n int) []*pgx.Conn {
	t.Helper()
	url := pgtest.NewDatabase(t)
	out := make([]*pgx.Conn, n)
	for i := range out {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		out[i] = conn
	}
	return out
}

// holdLock starts, on conn, a transaction that reads users and stays open,
// as a long report does: it holds ACCESS SHARE on the table, which an
// ALTER TABLE must wait for.
func holdLock(t *testing.T, conn *pgx.Conn) (release func()) {
	t.Helper()
	ctx := t.Context()
	if _, err := conn.Exec(ctx, "BEGIN; SELECT count(*) FROM users"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
			t.Error(err)
		}
	}
}

// waitingOnLock waits until a session of the database waits for a lock
// with a query starting with prefix, and reports whether one did within
// the time given.
func waitingOnLock(t *testing.T, conn *pgx.Conn, prefix string, within time.Duration) bool {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n int
		err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND starts_with(query, $1)`, prefix).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return true
		}
	}
	return false
}

const createUsers = "CREATE TABLE users (id bigint PRIMARY KEY, name text)"

// TestWithoutTableLockTimeoutTheAppQueues shows why the timeout matters:
// an ALTER TABLE waiting for its lock behind a long read makes a plain
// SELECT that comes after it wait too, for as long as the read lasts.
func TestWithoutTableLockTimeoutTheAppQueues(t *testing.T) {
	c := connectN(t, 3)
	migrator, report, app := c[0], c[1], c[2]
	ctx := t.Context()
	fsys := folder("0000_users", createUsers, "0001_bio", "ALTER TABLE users ADD COLUMN bio text")
	if _, err := up(ctx, migrator, folder("0000_users", createUsers), migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, report)
	done := make(chan error, 1)
	go func() {
		_, err := up(ctx, migrator, fsys, migrate.Options{})
		done <- err
	}()
	if !waitingOnLock(t, app, "ALTER TABLE users", 10*time.Second) {
		t.Fatal("the migration never waited for its lock")
	}
	appDone := make(chan error, 1)
	go func() {
		conn, err := pgx.Connect(ctx, app.Config().ConnString())
		if err != nil {
			appDone <- err
			return
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, "SELECT count(*) FROM users")
		appDone <- err
	}()
	if !waitingOnLock(t, app, "SELECT count(*) FROM users", 10*time.Second) {
		t.Fatal("the application's SELECT did not queue behind the waiting ALTER TABLE")
	}
	select {
	case err := <-appDone:
		t.Fatalf("the application's SELECT finished while the ALTER TABLE waited: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-appDone; err != nil {
		t.Fatal(err)
	}
}

// TestTableLockTimeout: with a bound, the migration gives up its place in
// the queue, so the application's queries go on; it is tried again as
// Retries says, reporting each try, and applied once the long read ends.
func TestTableLockTimeout(t *testing.T) {
	c := connectN(t, 3)
	migrator, report, app := c[0], c[1], c[2]
	ctx := t.Context()
	if _, err := up(ctx, migrator, folder("0000_users", createUsers), migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	fsys := folder("0000_users", createUsers, "0001_bio", "ALTER TABLE users ADD COLUMN bio text")

	// No retry: the migration fails with the statement and PostgreSQL's
	// message, applies nothing, and the application's reads run while
	// the report still holds its lock.
	release := holdLock(t, report)
	_, err := up(ctx, migrator, fsys, migrate.Options{TableLockTimeout: 100 * time.Millisecond})
	var se *migrate.StatementError
	var pe *pgconn.PgError
	if !errors.As(err, &se) || !errors.As(err, &pe) || pe.Code != "55P03" || !strings.Contains(err.Error(), "0001_bio.sql:1:1: statement 1: ERROR: canceling statement due to lock timeout") {
		t.Fatalf("migrate with a lock timeout behind a long read: %v", err)
	}
	if _, err := app.Exec(ctx, "SELECT count(*) FROM users"); err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := migrator.QueryRow(ctx, "SHOW lock_timeout").Scan(&setting); err != nil || setting != "0" {
		t.Errorf("lock_timeout after the migration: %q, %v; want the session's own 0", setting, err)
	}

	// Retries: the report ends during the second pause; the third try
	// applies the migration.
	applyOnThirdTry(t, migrator, fsys, release)
}

// TestTableLockTimeoutRetriesRunOut: after the last try, the error is the
// statement's, and nothing is recorded.
func TestTableLockTimeoutRetriesRunOut(t *testing.T) {
	c := connectN(t, 2)
	migrator, report := c[0], c[1]
	ctx := t.Context()
	if _, err := up(ctx, migrator, folder("0000_users", createUsers), migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, report)
	defer release()
	tries := 1
	fsys := folder("0000_users", createUsers, "0001_bio", "ALTER TABLE users ADD COLUMN bio text")
	_, err := up(ctx, migrator, fsys, migrate.Options{TableLockTimeout: 50 * time.Millisecond, Retries: 2, RetryBackoff: time.Millisecond,
		Events: func(e migrate.Event) {
			if e.Kind == migrate.EventLockRetry {
				tries++
			}
		}})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "55P03" || tries != 3 {
		t.Fatalf("after %d tries: %v", tries, err)
	}
	st, err := status(ctx, migrator, fsys, migrate.Options{})
	if err != nil || len(st.Pending) != 1 {
		t.Errorf("status after the tries ran out: %+v, %v", st, err)
	}
}

// TestTableLockTimeoutNoTransaction: a no-transaction migration goes on
// from the statement that could not get its lock, so the statements
// before it are not run twice, and the session's lock_timeout is put
// back after it.
func TestTableLockTimeoutNoTransaction(t *testing.T) {
	c := connectN(t, 2)
	migrator, report := c[0], c[1]
	ctx := t.Context()
	if _, err := up(ctx, migrator, folder("0000_users", createUsers+"; CREATE TABLE log (n int)"), migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	fsys := folder("0000_users", createUsers+"; CREATE TABLE log (n int)", "0001_bio",
		"-- mizzle:no-transaction\nINSERT INTO log VALUES (1);\nALTER TABLE users ADD COLUMN bio text;\nINSERT INTO log VALUES (2);")
	release := holdLock(t, report)
	opts := migrate.Options{TableLockTimeout: 50 * time.Millisecond, Retries: 3, RetryBackoff: 10 * time.Millisecond,
		Events: func(e migrate.Event) {
			if e.Kind == migrate.EventLockRetry && e.Attempt == 1 {
				release()
			}
		}}
	if _, err := up(ctx, migrator, fsys, opts); err != nil {
		t.Fatal(err)
	}
	var rows string
	if err := migrator.QueryRow(ctx, "SELECT string_agg(n::text, ',' ORDER BY n) FROM log").Scan(&rows); err != nil || rows != "1,2" {
		t.Errorf("log after the retried no-transaction migration: %q, %v; want each statement once", rows, err)
	}
	var setting string
	if err := migrator.QueryRow(ctx, "SHOW lock_timeout").Scan(&setting); err != nil || setting != "0" {
		t.Errorf("lock_timeout after the migration: %q, %v; want the session's own 0", setting, err)
	}
}

// applyOnThirdTry applies fsys, whose one pending migration 0001_bio waits
// for a lock release frees, with a table lock timeout and retries: release
// is called during the second pause, so the third try applies it, after
// two retry events that report the lock timeout and back off 50 then
// 100 ms.
func applyOnThirdTry(t *testing.T, migrator *pgx.Conn, fsys fs.FS, release func()) {
	t.Helper()
	var events []migrate.Event
	opts := migrate.Options{TableLockTimeout: 100 * time.Millisecond, Retries: 5, RetryBackoff: 50 * time.Millisecond,
		Events: func(e migrate.Event) {
			if e.Kind == migrate.EventLockRetry {
				events = append(events, e)
				if e.Attempt == 2 {
					release()
				}
			}
		}}
	done, err := up(t.Context(), migrator, fsys, opts)
	if err != nil || len(done) != 1 {
		t.Fatalf("migrate with retries: %v, %v", tags(done), err)
	}
	var pe *pgconn.PgError
	if len(events) != 2 || events[0].Wait != 50*time.Millisecond || events[1].Wait != 100*time.Millisecond ||
		events[0].Migration != "0001_bio" || !errors.As(events[0].Err, &pe) || pe.Code != "55P03" {
		t.Errorf("retry events: %+v", events)
	}
}
