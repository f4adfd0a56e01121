package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
)

// counterDB makes a database holding one counter at 0 and returns a pool
// on it and a second connection, which plays the other client.
func counterDB(t *testing.T) (*pgxpool.Pool, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	if _, err := other.Exec(ctx, `CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	return pool, other
}

func show(t *testing.T, db pg.DBTX, setting string) string {
	t.Helper()
	var v string
	if err := db.QueryRow(context.Background(), "SELECT current_setting($1)", setting).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestInTxWith: the options reach the server on a pool and on a
// connection; a read-only transaction refuses writes; on a pgx.Tx, options
// are refused before anything runs and the zero options nest.
func TestInTxWith(t *testing.T) {
	ctx := context.Background()
	pool, conn := counterDB(t)
	opts := pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly, DeferrableMode: pgx.Deferrable}
	for _, db := range []pg.DBTX{pool, conn} {
		ran := false
		err := pg.InTxWith(ctx, db, opts, func(tx pg.DBTX) error {
			ran = true
			if v := show(t, tx, "transaction_isolation"); v != "serializable" {
				t.Errorf("%T: isolation %s, want serializable", db, v)
			}
			if v := show(t, tx, "transaction_read_only"); v != "on" {
				t.Errorf("%T: read only %s, want on", db, v)
			}
			if v := show(t, tx, "transaction_deferrable"); v != "on" {
				t.Errorf("%T: deferrable %s, want on", db, v)
			}
			_, err := tx.Exec(ctx, "UPDATE counter SET n = n + 1")
			return err
		})
		if !ran {
			t.Fatalf("%T: fn did not run: %v", db, err)
		}
		if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
			t.Errorf("%T: a write in a read-only transaction gave %v", db, err)
		}
	}

	err := pg.InTx(ctx, conn, func(tx pg.DBTX) error {
		ran := false
		err := pg.InTxWith(ctx, tx, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(pg.DBTX) error { ran = true; return nil })
		if ran || err == nil || !strings.Contains(err.Error(), "pg: InTxWith with options (ISOLATION LEVEL serializable) on a transaction") {
			t.Errorf("InTxWith with options on a pgx.Tx: ran %v, error %v", ran, err)
		}
		// The zero options make a savepoint, as InTx does.
		if err := pg.InTxWith(ctx, tx, pgx.TxOptions{}, func(tx pg.DBTX) error {
			_, err := tx.Exec(ctx, "UPDATE counter SET n = 7")
			return err
		}); err != nil {
			t.Errorf("InTxWith with no options on a pgx.Tx: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counterValue(t, conn); n != 7 {
		t.Errorf("counter %d after the nested InTxWith, want 7", n)
	}

	// A DBTX of the program's own, without BeginTx.
	ran := false
	err = pg.InTxWith(ctx, noBeginTx{conn}, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(pg.DBTX) error { ran = true; return nil })
	if ran || err == nil || !strings.Contains(err.Error(), "pg_test.noBeginTx, which cannot begin a transaction with options") {
		t.Errorf("InTxWith on a DBTX without BeginTx: ran %v, error %v", ran, err)
	}
}

// noBeginTx is a DBTX that hides its connection's BeginTx.
type noBeginTx struct{ pg.DBTX }

func counterValue(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// conflict makes the transaction tx fail with a serialization failure: it
// reads the counter, another client changes it, and tx writes it.
func conflict(ctx context.Context, t *testing.T, tx pg.DBTX, other *pgx.Conn) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
		return err
	}
	if _, err := other.Exec(ctx, "UPDATE counter SET n = n + 100"); err != nil {
		t.Fatal(err)
	}
	_, err := tx.Exec(ctx, "UPDATE counter SET n = $1", n+1)
	return err
}

// TestRetryTx: a serialization failure runs fn again in a new transaction,
// up to the bound; another error is returned at once; a done context stops
// the waiting; on a pgx.Tx nothing runs.
func TestRetryTx(t *testing.T) {
	ctx := context.Background()
	pool, other := counterDB(t)
	serializable := pgx.TxOptions{IsoLevel: pgx.Serializable}
	fast := pg.Retry{MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}

	// Fails once, then succeeds.
	calls := 0
	err := pg.RetryTx(ctx, pool, serializable, fast, func(tx pg.DBTX) error {
		calls++
		if calls == 1 {
			return conflict(ctx, t, tx, other)
		}
		_, err := tx.Exec(ctx, "UPDATE counter SET n = n + 1")
		return err
	})
	if err != nil || calls != 2 {
		t.Errorf("RetryTx after one failure: %v after %d calls, want nil after 2", err, calls)
	}
	if n := counterValue(t, other); n != 101 {
		t.Errorf("counter %d, want 101: the other client's 100 and the retry's 1", n)
	}

	// Fails every time: the bound holds and the failure is kept.
	calls = 0
	err = pg.RetryTx(ctx, pool, serializable, pg.Retry{Attempts: 3, MinWait: time.Millisecond}, func(tx pg.DBTX) error {
		calls++
		return conflict(ctx, t, tx, other)
	})
	if _, ok := pg.IsSerializationFailure(err); !ok || calls != 3 || !strings.HasPrefix(err.Error(), "pg: transaction failed 3 times: ") {
		t.Errorf("RetryTx failing every time: %v after %d calls, want a serialization failure after 3", err, calls)
	}

	// Another error: no retry, the error as fn returned it.
	calls = 0
	failed := errors.New("failed")
	err = pg.RetryTx(ctx, pool, serializable, fast, func(tx pg.DBTX) error {
		calls++
		return failed
	})
	if err != failed || calls != 1 {
		t.Errorf("RetryTx with fn's own error: %v after %d calls, want %v after 1", err, calls, failed)
	}
	// A failure wrapped with another error is still that failure; an
	// error wrapping a non-retryable server error is not retried.
	calls = 0
	err = pg.RetryTx(ctx, pool, serializable, fast, func(tx pg.DBTX) error {
		calls++
		_, err := tx.Exec(ctx, "SELECT 1/0")
		return err
	})
	if calls != 1 || err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("RetryTx with a server error: %v after %d calls, want division by zero after 1", err, calls)
	}

	// The context ends during the wait.
	wctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = pg.RetryTx(wctx, pool, serializable, pg.Retry{MinWait: time.Hour, MaxWait: time.Hour}, func(tx pg.DBTX) error {
		calls++
		err := conflict(ctx, t, tx, other)
		cancel()
		return err
	})
	if _, ok := pg.IsSerializationFailure(err); !ok || !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("RetryTx canceled while waiting: %v after %d calls, want the failure and context.Canceled after 1", err, calls)
	}

	// Bad input, and a transaction: nothing runs.
	for _, c := range []struct {
		db    pg.DBTX
		retry pg.Retry
		want  string
	}{
		{pool, pg.Retry{Attempts: -1}, "pg: RetryTx: negative Retry"},
		{nil, pg.Retry{}, "pg: RetryTx on a transaction"},
	} {
		db := c.db
		if db == nil {
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			db = tx
		}
		ran := false
		err := pg.RetryTx(ctx, db, serializable, c.retry, func(pg.DBTX) error { ran = true; return nil })
		if ran || err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("RetryTx(%T, %+v): ran %v, error %v, want %q", db, c.retry, ran, err, c.want)
		}
	}
}
