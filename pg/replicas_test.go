package pg_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
)

// replicatedAccounts gives a test the accounts table (two rows) on a
// primary, a pool on it and a pool on a streaming standby of it, once
// the standby has the rows.
func replicatedAccounts(t *testing.T) (primary, standby *pgxpool.Pool) {
	t.Helper()
	primaryURL, standbyURL := pgtest.NewReplicatedDatabase(t)
	primary, standby = newPool(t, primaryURL), newPool(t, standbyURL)
	for _, s := range []string{
		`CREATE TABLE accounts (id bigint PRIMARY KEY, email text, balance bigint NOT NULL)`,
		`INSERT INTO accounts VALUES (1, 'a@x', 10), (2, 'b@x', 10)`,
		`CREATE SEQUENCE ids`,
		`CREATE TABLE log (n int)`,
		// A function that writes, which the router cannot tell from a
		// read by the statement that calls it.
		`CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'INSERT INTO log VALUES (1) RETURNING 1'`,
	} {
		if _, err := primary.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	pgtest.CatchUp(t)
	return primary, standby
}

func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	// Closed before the database is dropped.
	t.Cleanup(pool.Close)
	return pool
}

// inRecovery runs sql, which returns pg_is_in_recovery() (true on the
// standby), through db with QueryRow and with Query.
func inRecovery(t *testing.T, ctx context.Context, db pg.DBTX, sql string) bool {
	t.Helper()
	var one bool
	if err := db.QueryRow(ctx, sql).Scan(&one); err != nil {
		t.Fatalf("QueryRow %s: %v", sql, err)
	}
	rows, err := db.Query(ctx, sql)
	if err != nil {
		t.Fatalf("Query %s: %v", sql, err)
	}
	all, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil || len(all) != 1 || all[0] != one {
		t.Fatalf("Query %s: %v, %v; QueryRow gave %v", sql, all, err, one)
	}
	return one
}

// TestReplicasRouteByStatement: through pg.WithReplicas, a statement
// that only reads runs on the standby (pg_is_in_recovery() is true there),
// and a write, a lock, a data-modifying WITH, a call of a function that
// writes, the statements of a transaction and a read asked of the
// primary run on the primary. The statements are those of the generated
// methods and of typed SQL methods (:one with QueryRow, :many with Query).
func TestReplicasRouteByStatement(t *testing.T) {
	primary, standby := replicatedAccounts(t)
	r := pg.WithReplicas(primary, standby)
	ctx := t.Context()

	for _, c := range []struct {
		sql     string
		standby bool
	}{
		{`SELECT pg_is_in_recovery()`, true},
		{`select pg_is_in_recovery() from accounts where id = 1`, true},
		{`/* a comment: INSERT */ SELECT pg_is_in_recovery() AS "update"`, true},
		{`SELECT bool_and(pg_is_in_recovery()) FROM accounts GROUP BY balance`, true},
		{`WITH a AS (SELECT id FROM accounts) SELECT pg_is_in_recovery() FROM a WHERE id = 2`, true},
		{`VALUES (pg_is_in_recovery())`, true},
		{`(SELECT pg_is_in_recovery()) UNION ALL (SELECT pg_is_in_recovery() WHERE false)`, true},
		{`SELECT pg_is_in_recovery() WHERE 'delete' <> ''`, true},
		{`SELECT pg_is_in_recovery() FROM accounts WHERE id = 1 FOR UPDATE`, false},
		{`SELECT pg_is_in_recovery() FROM accounts WHERE id = 1 FOR NO KEY UPDATE SKIP LOCKED`, false},
		{`SELECT pg_is_in_recovery() FROM accounts WHERE id = 1 FOR SHARE`, false},
		{`SELECT pg_is_in_recovery() FROM accounts WHERE id = 1 FOR KEY SHARE`, false},
		{`INSERT INTO log VALUES (2) RETURNING pg_is_in_recovery()`, false},
		{`UPDATE accounts SET balance = balance WHERE id = 1 RETURNING pg_is_in_recovery()`, false},
		{`WITH d AS (DELETE FROM log WHERE n = 99 RETURNING n) SELECT pg_is_in_recovery() FROM (SELECT count(*) FROM d) s`, false},
		{`SELECT nextval('ids') > 0 AND pg_is_in_recovery()`, false},
		{`SELECT pg_try_advisory_xact_lock(1) AND pg_is_in_recovery()`, false},
	} {
		if got := inRecovery(t, ctx, r, c.sql); got != c.standby {
			t.Errorf("%s: ran on the standby: %v, want %v", c.sql, got, c.standby)
		}
	}

	// Asked of the primary, a read runs there.
	if inRecovery(t, pg.OnPrimary(ctx), r, `SELECT pg_is_in_recovery()`) {
		t.Error("a read with pg.OnPrimary ran on the standby")
	}
	if inRecovery(t, ctx, pg.WithReplicas(primary), `SELECT pg_is_in_recovery()`) {
		t.Error("a router without replicas read from the standby")
	}
	if inRecovery(t, ctx, r.Primary(), `SELECT pg_is_in_recovery()`) {
		t.Error("Primary() is the standby")
	}
	// Transactions, with and without options, run on the primary.
	for name, begin := range map[string]func(fn func(tx pg.DBTX) error) error{
		"InTx": func(fn func(tx pg.DBTX) error) error { return pg.InTx(ctx, r, fn) },
		"InTxWith": func(fn func(tx pg.DBTX) error) error {
			return pg.InTxWith(ctx, r, pgx.TxOptions{AccessMode: pgx.ReadOnly}, fn)
		},
		"RetryTx": func(fn func(tx pg.DBTX) error) error {
			return pg.RetryTx(ctx, r, pgx.TxOptions{IsoLevel: pgx.Serializable}, pg.Retry{}, fn)
		},
	} {
		err := begin(func(tx pg.DBTX) error {
			if inRecovery(t, ctx, tx, `SELECT pg_is_in_recovery()`) {
				return errors.New("a read in the transaction ran on the standby")
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// The builder's queries: a condition true only on the standby counts
	// every row there and none on the primary.
	onStandby := pg.SQL("pg_is_in_recovery()")
	if n, err := accountsTable.Select(r).Where(onStandby).Count(ctx); err != nil || n != 2 {
		t.Errorf("Count through the router: %d, %v; want 2 (the standby's)", n, err)
	}
	if ok, err := accountsTable.Select(r).Where(onStandby).Exists(ctx); err != nil || !ok {
		t.Errorf("Exists through the router: %v, %v; want true (the standby's)", ok, err)
	}
	if rows, err := accountsTable.Select(r).Where(onStandby).All(ctx); err != nil || len(rows) != 2 {
		t.Errorf("All through the router: %v, %v; want 2 rows (the standby's)", rows, err)
	}
	if rows, err := accountsTable.Select(r).Where(onStandby).ForUpdate().All(ctx); err != nil || len(rows) != 0 {
		t.Errorf("All ... FOR UPDATE through the router: %v, %v; want none (the primary's)", rows, err)
	}
	if n, err := accountsTable.Select(r).Where(onStandby).Count(pg.OnPrimary(ctx)); err != nil || n != 0 {
		t.Errorf("Count with OnPrimary: %d, %v; want 0 (the primary's)", n, err)
	}
	// Writes go to the primary, which the standby would refuse.
	if _, err := accountsTable.Insert(ctx, r, []account{{ID: 3, Balance: 5}}); err != nil {
		t.Errorf("Insert through the router: %v", err)
	}
	if n, err := accountsTable.Update(r).Set(pg.NewColumn[int64]("accounts", "balance").Set(7)).Where(pg.SQL("id = 3")).Exec(ctx); err != nil || n != 1 {
		t.Errorf("Update through the router: %d, %v", n, err)
	}
	if _, err := r.CopyFrom(ctx, pgx.Identifier{"log"}, []string{"n"}, pgx.CopyFromRows([][]any{{5}})); err != nil {
		t.Errorf("CopyFrom through the router: %v", err)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO log VALUES (6)`)
	if err := r.SendBatch(ctx, b).Close(); err != nil {
		t.Errorf("SendBatch through the router: %v", err)
	}
	// What the program wrote is on the primary at once.
	if n, err := accountsTable.Select(r).Count(pg.OnPrimary(ctx)); err != nil || n != 3 {
		t.Errorf("Count with OnPrimary after the insert: %d, %v; want 3", n, err)
	}
}

// TestReplicasWriteInASelectIsNotRetried: a SELECT that calls a function
// of the program's own that writes goes to the standby, which refuses it
// (25006); the error is returned, and the write is not run again on the
// primary behind the caller's back. With OnPrimary it runs.
func TestReplicasWriteInASelectIsNotRetried(t *testing.T) {
	primary, standby := replicatedAccounts(t)
	r := pg.WithReplicas(primary, standby)
	ctx := t.Context()
	var n int
	err := r.QueryRow(ctx, `SELECT bump()`).Scan(&n)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("SELECT bump() through the router: %v; want the standby's read-only error (25006)", err)
	}
	if err := primary.QueryRow(ctx, `SELECT count(*) FROM log`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the log after the refused call: %d rows, %v; want none", n, err)
	}
	if err := r.QueryRow(pg.OnPrimary(ctx), `SELECT bump()`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT bump() with OnPrimary: %d, %v", n, err)
	}
}

// TestReplicaDownFallsBackToPrimary: reads through a standby that stops
// run on the primary, without an error, for QueryRow, Query and the
// builder's queries; writes keep working; once the standby runs again
// and the back-off is over, reads go back to it. A replica that refuses
// connections from the start falls back the same way.
func TestReplicaDownFallsBackToPrimary(t *testing.T) {
	primary, standby := replicatedAccounts(t)
	r := pg.WithReplicas(primary, standby).WithBackoff(20*time.Millisecond, 100*time.Millisecond)
	ctx := t.Context()
	const sql = `SELECT pg_is_in_recovery()`
	if !inRecovery(t, ctx, r, sql) {
		t.Fatal("a read before the standby stopped ran on the primary")
	}

	pgtest.StopStandby(t)
	for i := range 5 {
		if inRecovery(t, ctx, r, sql) {
			t.Fatalf("read %d with the standby stopped: ran on the standby", i)
		}
		if rows, err := accountsTable.Select(r).All(ctx); err != nil || len(rows) != 2+i {
			t.Fatalf("All with the standby stopped: %v, %v", rows, err)
		}
		if _, err := accountsTable.Insert(ctx, r, []account{{ID: int64(10 + i), Balance: 1}}); err != nil {
			t.Fatalf("Insert with the standby stopped: %v", err)
		}
		time.Sleep(30 * time.Millisecond)
	}

	pgtest.StartStandby(t)
	deadline := time.Now().Add(30 * time.Second)
	for !inRecovery(t, ctx, r, sql) {
		if time.Now().After(deadline) {
			t.Fatal("reads have not gone back to the standby 30s after it started again")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A replica nobody listens on (pgxpool connects on first use) falls
	// back too, and is tried again only once its back-off is over: one
	// connection attempt for the reads of the first wait, one more after.
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", port))
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { attempts.Add(1); return nil }
	closed, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closed.Close()
	down := pg.WithReplicas(primary, closed).WithBackoff(time.Second, time.Second)
	for range 3 {
		if inRecovery(t, ctx, down, sql) {
			t.Fatal("a read through a replica that refuses connections ran on the standby")
		}
	}
	if n, err := accountsTable.Select(down).Count(ctx); err != nil || n != 7 {
		t.Fatalf("Count through a replica that refuses connections: %d, %v; want the primary's 7", n, err)
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("connection attempts to the replica that is down, within its back-off: %d, want 1", n)
	}
	time.Sleep(1100 * time.Millisecond)
	if inRecovery(t, ctx, down, sql) {
		t.Fatal("a read through a replica that refuses connections ran on the standby")
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("connection attempts to the replica that is down, after its back-off: %d, want 2", n)
	}
}

// BenchmarkReplicatedGet is what WithReplicas adds to a read: a select of
// one row by key on a pool, and the same through a router whose primary
// and replica are that pool (reading the statement's words, picking the
// replica, the wrapped row).
//
//	go test ./pg -run '^$' -bench BenchmarkReplicatedGet -benchmem -count 10
func BenchmarkReplicatedGet(b *testing.B) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE accounts (id bigint PRIMARY KEY, email text, balance bigint NOT NULL);
		INSERT INTO accounts SELECT i, 'u' || i || '@x', i FROM generate_series(1, 1000) i`); err != nil {
		b.Fatal(err)
	}
	id := pg.NewColumn[int64]("accounts", "id")
	for _, h := range []struct {
		name string
		db   pg.DBTX
	}{{"pool", pool}, {"replicated", pg.WithReplicas(pool, pool)}} {
		b.Run("handle="+h.name, func(b *testing.B) {
			b.ReportAllocs()
			n := int64(0)
			for b.Loop() {
				n = n%1000 + 1
				if _, err := accountsTable.Select(h.db).Where(id.Eq(n)).First(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
