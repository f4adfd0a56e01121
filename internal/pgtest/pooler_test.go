package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestPoolerTransactionMode checks what the tests through the pooler rely
// on: PgBouncer in transaction mode, where a client's session state stays
// on the server connection it was made on, which the next transaction of
// another client gets (PgBouncer reuses the last server connection
// released), while the client itself moves on to another one; and a
// backend key that is PgBouncer's, not the server's.
func TestPoolerTransactionMode(t *testing.T) {
	t.Parallel()
	pooled := pgtest.PoolerURL(t, pgtest.NewDatabase(t))
	ctx := t.Context()
	a, b := connect(t, pooled), connect(t, pooled)

	var pidA int32
	if err := a.QueryRow(ctx, "SELECT pg_backend_pid() FROM (SELECT set_config('mizzle.owner', 'a', false)) s", pgx.QueryExecModeSimpleProtocol).Scan(&pidA); err != nil {
		t.Fatal(err)
	}
	if uint32(pidA) == a.PgConn().PID() {
		t.Errorf("the backend key's process id is the server's (%d): the connection does not go through PgBouncer", pidA)
	}
	tx, err := b.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var pidB int32
	var owner string
	if err := tx.QueryRow(ctx, "SELECT pg_backend_pid(), current_setting('mizzle.owner', true)", pgx.QueryExecModeSimpleProtocol).Scan(&pidB, &owner); err != nil {
		t.Fatal(err)
	}
	if pidB != pidA || owner != "a" {
		t.Errorf("client b's transaction runs on backend %d with mizzle.owner %q; want a's backend %d, with a's setting", pidB, owner, pidA)
	}
	var pidA2 int32
	owner = ""
	if err := a.QueryRow(ctx, "SELECT pg_backend_pid(), coalesce(current_setting('mizzle.owner', true), '')", pgx.QueryExecModeSimpleProtocol).Scan(&pidA2, &owner); err != nil {
		t.Fatal(err)
	}
	if pidA2 == pidA || owner != "" {
		t.Errorf("client a's next statement runs on backend %d with mizzle.owner %q; want another backend than %d, without the setting", pidA2, owner, pidA)
	}
}
