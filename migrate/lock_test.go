package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// connectTwice opens two sessions on one fresh database.
func connectTwice(t *testing.T) (a, b *pgx.Conn) {
	t.Helper()
	c := connectN(t, 2)
	return c[0], c[1]
}

// TestLock: one session at a time holds the lock of a history table, under
// the key LockKey documents, until it releases it or ends.
func TestLock(t *testing.T) {
	ctx := t.Context()
	a, b := connectTwice(t)
	table := migrate.DefaultTable
	la, err := migrate.AcquireLock(ctx, a, table, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if la.Key() != migrate.LockKey(table) {
		t.Errorf("Key() = %d, want LockKey = %d", la.Key(), migrate.LockKey(table))
	}
	// pg_locks shows the key as the documentation says, held by a.
	var n int
	key := uint64(la.Key())
	if err := b.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND classid = $1 AND objid = $2 AND objsubid = 1 AND pid = $3`,
		uint32(key>>32), uint32(key), a.PgConn().PID()).Scan(&n); err != nil || n != 1 {
		t.Errorf("pg_locks rows for the lock held by a: %d, %v; want 1", n, err)
	}

	// Another session gives up at once with a zero timeout, after saying
	// it would wait.
	waits := 0
	_, err = migrate.AcquireLock(ctx, b, table, 0, func() { waits++ })
	if err == nil || !strings.Contains(err.Error(), `gave up after waiting 0s for another migration of "mizzle"."__mizzle_migrations" to finish`) || waits != 1 {
		t.Errorf("AcquireLock while held: %v, %d waits; want a refusal after 1", err, waits)
	}
	// Another table's lock is another lock.
	lo, err := migrate.AcquireLock(ctx, b, migrate.DrizzleTable, 0, nil)
	if err != nil {
		t.Fatalf("the lock of another table: %v", err)
	}
	if err := lo.Release(ctx); err != nil {
		t.Fatal(err)
	}

	// Released, it is b's, while b waits for it.
	go func() {
		time.Sleep(100 * time.Millisecond)
		la.Release(context.Background())
	}()
	lb, err := migrate.AcquireLock(ctx, b, table, 10*time.Second, nil)
	if err != nil {
		t.Fatalf("AcquireLock after release: %v", err)
	}
	if err := lb.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lb.Release(ctx); err == nil || !strings.Contains(err.Error(), "this session did not hold it") {
		t.Errorf("second Release = %v, want it refused", err)
	}

	// A session that ends releases its lock.
	if _, err := migrate.AcquireLock(ctx, a, table, 0, nil); err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)
	lb, err = migrate.AcquireLock(ctx, b, table, 10*time.Second, nil)
	if err != nil {
		t.Fatalf("AcquireLock after the holder's session ended: %v", err)
	}
	lb.Release(ctx)
}

// TestLockCancelled: a wait ends with its context.
func TestLockCancelled(t *testing.T) {
	a, b := connectTwice(t)
	if _, err := migrate.AcquireLock(t.Context(), a, migrate.DefaultTable, 0, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := migrate.AcquireLock(ctx, b, migrate.DefaultTable, time.Minute, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("AcquireLock with a context that ends = %v, want context.DeadlineExceeded", err)
	}
}

// TestBaselineWaitsForLock: Baseline sets the session up as Apply does, so
// it waits for a running migrator, and says so, rather than recording a
// migration under it.
func TestBaselineWaitsForLock(t *testing.T) {
	ctx := t.Context()
	a, b := connectTwice(t)
	fsys := folder("0000_baseline", "CREATE TABLE users (id bigint PRIMARY KEY);")
	d, err := migrate.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	l, err := migrate.AcquireLock(ctx, a, migrate.DefaultTable, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var events []migrate.EventKind
	opts := migrate.Options{LockTimeout: -1, Events: func(e migrate.Event) { events = append(events, e.Kind) }}
	err = d.Baseline(ctx, b, "0000_baseline", opts)
	if err == nil || !strings.Contains(err.Error(), "gave up after waiting") || len(events) != 1 || events[0] != migrate.EventLockWait {
		t.Errorf("Baseline under another migrator's lock = %v, events %v; want a refusal after EventLockWait", err, events)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Baseline(ctx, b, "0000_baseline", migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	// The lock is given back: Apply finds the baseline recorded.
	if done, err := d.Apply(ctx, a, migrate.Options{LockTimeout: -1}); err != nil || len(done) != 0 {
		t.Errorf("Apply after Baseline = %v, %v; want nothing to do", tags(done), err)
	}
}

// TestDirReused: a Dir read once applies to several databases, and reports
// each as it stands.
func TestDirReused(t *testing.T) {
	ctx := t.Context()
	d, err := migrate.Open(folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		conn := pgtest.Connect(t)
		if st, err := d.Status(ctx, conn, migrate.Options{}); err != nil || len(st.Pending) != 2 {
			t.Fatalf("database %d: status before = %+v, %v", i, st, err)
		}
		if done, err := d.Apply(ctx, conn, migrate.Options{}); err != nil || len(done) != 2 {
			t.Fatalf("database %d: Apply = %v, %v", i, tags(done), err)
		}
		if st, err := d.Status(ctx, conn, migrate.Options{}); err != nil || len(st.Applied) != 2 || len(st.Pending) != 0 {
			t.Errorf("database %d: status after = %+v, %v", i, st, err)
		}
	}
	if len(d.Migrations) != 2 || d.Migrations[0].Tag != "0000_a" {
		t.Errorf("the Dir changed with its runs: %+v", d.Migrations)
	}
}
