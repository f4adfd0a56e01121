package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// pooled returns a connection to a fresh database straight to the server
// and n through PgBouncer in transaction mode. The pooled ones keep pgx's
// default, a cache of named prepared statements, as an application's
// connection would: the migrator must not depend on it.
func pooled(t *testing.T, n int) (direct *pgx.Conn, through []*pgx.Conn) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	purl := pgtest.PoolerURL(t, url)
	connect := func(url string) *pgx.Conn {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		return conn
	}
	direct = connect(url)
	for range n {
		through = append(through, connect(purl))
	}
	return direct, through
}

func scalar(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(t.Context(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

const advisoryLocks = "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"

func TestDetectPooler(t *testing.T) {
	direct, through := pooled(t, 1)
	for _, c := range []struct {
		conn *pgx.Conn
		want bool
	}{{direct, false}, {through[0], true}} {
		if got, err := migrate.DetectPooler(t.Context(), c.conn); err != nil || got != c.want {
			t.Errorf("DetectPooler = %v, %v; want %v", got, err, c.want)
		}
	}
}

// TestApplyThroughPooler: detected, the pooler is reported before anything
// else, the migrations are applied and recorded, no lock is left on a
// server connection, and the pinned settings hold in each migration's
// transaction though the database's default differs.
func TestApplyThroughPooler(t *testing.T) {
	direct, through := pooled(t, 1)
	ctx := t.Context()
	if _, err := direct.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{scalar(t, direct, "SELECT current_database()")}.Sanitize()+" SET standard_conforming_strings = off"); err != nil {
		t.Fatal(err)
	}
	fsys := folder(
		"0000_users", `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL); CREATE TYPE e AS ENUM ('back\slash');`,
		"0001_rows", `INSERT INTO users VALUES (1, 'a\b');`,
	)
	var events []string
	opts := migrate.Options{Events: func(e migrate.Event) { events = append(events, fmt.Sprintf("%d %s", e.Kind, e.Migration)) }}
	done, err := up(ctx, through[0], fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0000_users", "0001_rows"}, tags(done)); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	want := []string{fmt.Sprintf("%d ", migrate.EventPoolerDetected), "1 0000_users", "2 0000_users", "1 0001_rows", "2 0001_rows"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got := scalar(t, direct, "SELECT string_agg(tag || ' ' || hash, ',' ORDER BY id) FROM mizzle.__mizzle_migrations"); got !=
		"0000_users "+migrate.FileHash(fsys["0000_users.sql"].Data)+",0001_rows "+migrate.FileHash(fsys["0001_rows.sql"].Data) {
		t.Errorf("history: %s", got)
	}
	if got := scalar(t, direct, "SELECT (SELECT enumlabel FROM pg_enum WHERE enumtypid = 'e'::regtype) || ' ' || (SELECT name FROM users)"); got != `back\slash a\b` {
		t.Errorf("values written with standard_conforming_strings on: %s", got)
	}
	if got := scalar(t, direct, advisoryLocks); got != "0" {
		t.Errorf("%s advisory locks held after the run", got)
	}
	events = nil
	if done, err := up(ctx, through[0], fsys, opts); err != nil || len(done) != 0 {
		t.Errorf("second Apply = %v, %v; want nothing", tags(done), err)
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("%d ", migrate.EventPoolerDetected)}, events); diff != "" {
		t.Errorf("second run's events (-want +got):\n%s", diff)
	}
}

// TestApplyThroughPoolerConcurrently: eight migrators through the pooler
// at once, sharing its five server connections, apply each migration
// exactly once between them, in journal order.
func TestApplyThroughPoolerConcurrently(t *testing.T) {
	direct, through := pooled(t, 8)
	fsys := folder(
		"0000_log", "CREATE TABLE log (tag text NOT NULL, at bigint GENERATED ALWAYS AS IDENTITY);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0000');",
		"0001_a", "CREATE TABLE a (id int);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0001');\n--> statement-breakpoint\nSELECT pg_sleep(0.2);",
		"0002_b", "ALTER TABLE a ADD COLUMN b int;\n--> statement-breakpoint\nINSERT INTO log VALUES ('0002');",
		"0003_c", "CREATE TABLE c (id int);\nINSERT INTO log VALUES ('0003');",
		"0004_d", "INSERT INTO log VALUES ('0004');",
	)
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := map[string]int{}
	waited := 0
	for i, conn := range through {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := up(t.Context(), conn, fsys, migrate.Options{Events: func(e migrate.Event) {
				if e.Kind == migrate.EventLockWait {
					mu.Lock()
					waited++
					mu.Unlock()
				}
			}})
			if err != nil {
				t.Errorf("migrator %d: %v", i, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, a := range done {
				applied[a.Tag]++
			}
		}()
	}
	wg.Wait()
	if diff := cmp.Diff(map[string]int{"0000_log": 1, "0001_a": 1, "0002_b": 1, "0003_c": 1, "0004_d": 1}, applied); diff != "" {
		t.Errorf("times each migration was reported applied (-want +got):\n%s", diff)
	}
	if waited == 0 {
		t.Errorf("no migrator waited for the lock: they did not run at the same time")
	}
	if got := scalar(t, direct, "SELECT string_agg(tag, ',' ORDER BY at) FROM log"); got != "0000,0001,0002,0003,0004" {
		t.Errorf("migrations run, in order: %s; want each once", got)
	}
	if got := scalar(t, direct, "SELECT string_agg(tag, ',' ORDER BY id) FROM mizzle.__mizzle_migrations"); got != "0000_log,0001_a,0002_b,0003_c,0004_d" {
		t.Errorf("history: %s", got)
	}
}

// TestApplyThroughPoolerNoTransaction: a pending no-transaction migration
// is refused through a pooler, detected or told, naming it and saying to
// use a direct connection, before anything runs; Status reports it. On a
// direct connection it is applied as always.
func TestApplyThroughPoolerNoTransaction(t *testing.T) {
	direct, through := pooled(t, 1)
	ctx := t.Context()
	fsys := folder(
		"0000_users", createUsers,
		"0001_index", migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY users_name ON users (name);",
	)
	const msg = "0001_index.sql: a no-transaction migration cannot be applied through a transaction pooler"
	for _, c := range []struct {
		name string
		conn *pgx.Conn
		opts migrate.Options
	}{
		{"detected", through[0], migrate.Options{}},
		{"told", direct, migrate.Options{Pooler: migrate.PoolerOn}},
	} {
		_, err := up(ctx, c.conn, fsys, c.opts)
		var probs migrate.ProblemsError
		if !errors.As(err, &probs) || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "on a direct connection to PostgreSQL") {
			t.Errorf("%s: Apply = %v; want the refusal of 0001_index", c.name, err)
		}
		if got := scalar(t, direct, "SELECT coalesce(to_regclass('users')::text, '') || coalesce(to_regclass('mizzle.__mizzle_migrations')::text, '')"); got != "" {
			t.Errorf("%s: the refused run left %s", c.name, got)
		}
		st, err := status(ctx, c.conn, fsys, c.opts)
		if err != nil || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Error(), msg) {
			t.Errorf("%s: Status = %+v, %v; want the refusal as its problem", c.name, st, err)
		}
	}
	if done, err := up(ctx, direct, fsys, migrate.Options{}); err != nil || len(done) != 2 {
		t.Errorf("on a direct connection: %v, %v", tags(done), err)
	}
}

// TestLockThroughPooler: a migrator through the pooler waits for one that
// holds the session lock on a direct connection, and gives up after
// LockTimeout; and the other way round, the pooled one's transaction lock
// holds off the direct one.
func TestLockThroughPooler(t *testing.T) {
	direct, through := pooled(t, 2)
	ctx := t.Context()
	fsys := folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();")
	for _, c := range []struct {
		name           string
		holder, waiter *pgx.Conn
	}{
		{"pooled waits for direct", direct, through[0]},
		{"direct waits for pooled", through[0], direct},
		{"pooled waits for pooled", through[0], through[1]},
	} {
		if _, err := direct.Exec(ctx, "DROP TABLE IF EXISTS a, b, mizzle.__mizzle_migrations"); err != nil {
			t.Fatal(err)
		}
		release, locked, finished := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			_, err := up(ctx, c.holder, fsys, migrate.Options{Events: func(e migrate.Event) {
				if e.Kind == migrate.EventApplying && e.Migration == "0000_a" {
					close(locked)
					<-release
				}
			}})
			finished <- err
		}()
		<-locked
		var waited bool
		start := time.Now()
		_, err := up(ctx, c.waiter, fsys, migrate.Options{LockTimeout: 300 * time.Millisecond,
			Events: func(e migrate.Event) { waited = waited || e.Kind == migrate.EventLockWait }})
		close(release)
		if err := <-finished; err != nil {
			t.Errorf("%s: the holder: %v", c.name, err)
		}
		if err == nil || !strings.Contains(err.Error(), `gave up after waiting 300ms for another migration of "mizzle"."__mizzle_migrations" to finish`) {
			t.Errorf("%s: Apply while locked: %v", c.name, err)
		}
		if !waited || time.Since(start) < 300*time.Millisecond {
			t.Errorf("%s: no wait reported, or gave up early (%s)", c.name, time.Since(start))
		}
		if got := scalar(t, direct, "SELECT string_agg(tag, ',' ORDER BY id) FROM mizzle.__mizzle_migrations"); got != "0000_a,0001_b" {
			t.Errorf("%s: history %s", c.name, got)
		}
	}
}

// TestTableLockTimeoutThroughPooler: TableLockTimeout and Retries work
// through the pooler as on a direct connection.
func TestTableLockTimeoutThroughPooler(t *testing.T) {
	direct, through := pooled(t, 1)
	migrator := through[0]
	ctx := t.Context()
	if _, err := up(ctx, migrator, folder("0000_users", createUsers), migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	fsys := folder("0000_users", createUsers, "0001_bio", "ALTER TABLE users ADD COLUMN bio text")
	release := holdLock(t, direct)
	_, err := up(ctx, migrator, fsys, migrate.Options{TableLockTimeout: 100 * time.Millisecond})
	var se *migrate.StatementError
	var pe *pgconn.PgError
	if !errors.As(err, &se) || !errors.As(err, &pe) || pe.Code != "55P03" || !strings.Contains(err.Error(), "0001_bio.sql:1:1: statement 1: ERROR: canceling statement due to lock timeout") {
		t.Fatalf("migrate with a lock timeout behind a long read: %v", err)
	}
	applyOnThirdTry(t, migrator, fsys, release)
	if got := scalar(t, direct, "SELECT string_agg(tag, ',' ORDER BY id) FROM mizzle.__mizzle_migrations"); got != "0000_users,0001_bio" {
		t.Errorf("history: %s", got)
	}
}

// TestBaselineThroughPooler records a baseline through the pooler; Apply
// then applies only what follows it.
func TestBaselineThroughPooler(t *testing.T) {
	direct, through := pooled(t, 1)
	ctx := t.Context()
	if _, err := direct.Exec(ctx, createUsers); err != nil {
		t.Fatal(err)
	}
	fsys := folder("0000_baseline", createUsers, "0001_bio", "ALTER TABLE users ADD COLUMN bio text")
	if err := baseline(ctx, through[0], fsys, "0000_baseline", migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	if done, err := up(ctx, through[0], fsys, migrate.Options{}); err != nil || len(done) != 1 || done[0].Tag != "0001_bio" {
		t.Errorf("Apply after the baseline: %v, %v", tags(done), err)
	}
	if got := scalar(t, direct, "SELECT string_agg(tag || ' ' || duration_ms, ',' ORDER BY id) FROM mizzle.__mizzle_migrations"); !strings.HasPrefix(got, "0000_baseline 0,0001_bio ") {
		t.Errorf("history: %s", got)
	}
}

func TestPoolerOptionInvalid(t *testing.T) {
	_, through := pooled(t, 1)
	_, err := up(t.Context(), through[0], folder("0000_a", "CREATE TABLE a ();"), migrate.Options{Pooler: 7})
	if err == nil || !strings.Contains(err.Error(), "Options.Pooler 7") {
		t.Errorf("Apply with Pooler 7: %v", err)
	}
}
