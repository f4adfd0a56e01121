package pgtest_test

import (
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestStandby checks what the tests of read replicas rely on: the
// standby is in recovery and the primary is not, a table created and
// filled on the primary is there on the standby once CatchUp returns,
// the standby refuses writes, and StopStandby and StartStandby take it
// away and bring it back.
func TestStandby(t *testing.T) {
	primaryURL, standbyURL := pgtest.NewReplicatedDatabase(t)
	ctx := t.Context()
	primary, standby := connect(t, primaryURL), connect(t, standbyURL)
	var rec bool
	if err := primary.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&rec); err != nil || rec {
		t.Fatalf("primary: pg_is_in_recovery() = %v, %v; want false", rec, err)
	}
	if err := standby.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&rec); err != nil || !rec {
		t.Fatalf("standby: pg_is_in_recovery() = %v, %v; want true", rec, err)
	}
	if _, err := primary.Exec(ctx, "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	pgtest.CatchUp(t)
	var n int
	if err := standby.QueryRow(ctx, "SELECT sum(n) FROM t").Scan(&n); err != nil || n != 6 {
		t.Fatalf("standby after CatchUp: sum = %d, %v; want 6", n, err)
	}
	if _, err := standby.Exec(ctx, "INSERT INTO t VALUES (4)"); err == nil {
		t.Fatal("the standby took an insert")
	}

	pgtest.StopStandby(t)
	if _, err := standby.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a connection to the stopped standby still answers")
	}
	pgtest.StartStandby(t)
	again := connect(t, standbyURL)
	if err := again.QueryRow(ctx, "SELECT sum(n) FROM t").Scan(&n); err != nil || n != 6 {
		t.Fatalf("standby started again: sum = %d, %v; want 6", n, err)
	}
}
