package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestPreparedStatementThroughPooler: through PgBouncer in transaction
// mode, pgx's default prepares a statement on one server connection and
// runs it on another; the error says which setting to connect with, and
// is still the server's error underneath. With that setting, the same
// sequence works.
func TestPreparedStatementThroughPooler(t *testing.T) {
	url, _ := accountsDB(t)
	pooled := pgtest.PoolerURL(t, url)
	ctx := context.Background()

	// run reads the accounts twice on app, while another client holds,
	// in a transaction, the server connection app prepared the read on:
	// PgBouncer gives the last server connection released to the next
	// transaction.
	run := func(app *pgx.Conn) error {
		other := connectURL(t, pooled)
		if _, err := accountsTable.Select(app).All(ctx); err != nil {
			t.Fatalf("first read: %v", err)
		}
		tx, err := other.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		_, err = accountsTable.Select(app).All(ctx)
		return err
	}

	err := run(connectURL(t, pooled))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "26000" || !strings.HasPrefix(err.Error(), `select from "accounts": ERROR: prepared statement "stmtcache_`) ||
		!strings.HasSuffix(err.Error(), "add default_query_exec_mode=cache_describe to the database URL (pgx.QueryExecModeCacheDescribe in its ConnConfig)") {
		t.Errorf("second read through the pooler with pgx's default: %v", err)
	}
	if err := run(connectURL(t, pooled+"&default_query_exec_mode=cache_describe")); err != nil {
		t.Errorf("second read through the pooler with cache_describe: %v", err)
	}
}

// TestDatabaseTestsThroughPooler runs this package's tests again through
// PgBouncer in transaction mode, with the setting the README gives for it:
// every query, builder, COPY, batch and transaction they make works there
// too. (TestPreparedStatementThroughPooler connects through the pooler
// itself; the TestReplica tests connect to a primary and its standby.)
func TestDatabaseTestsThroughPooler(t *testing.T) {
	pgtest.RunThroughPooler(t, "cache_describe", "^(TestPreparedStatementThroughPooler|TestReplica.*)$")
}
