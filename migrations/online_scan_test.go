package migrations_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
)

// TestOnlineScanLocks shows the other half of what the online forms are
// for: the long part of a change (reading every row to validate a check,
// or to build an index) under a lock that blocks writes. A function that
// sleeps a little per row makes the scan of a 1,000-row table last about
// two seconds. Even with the migrator's lock timeout, the plain form
// holds its lock for the whole scan, and an insert in the meantime waits
// until it gives up (appLockTimeout); the online form scans under a lock
// that lets inserts go on, and none waits that long.
func TestOnlineScanLocks(t *testing.T) {
	const (
		lockTimeout    = 300 * time.Millisecond
		appLockTimeout = 1 * time.Second
		base           = `CREATE FUNCTION slow_positive(n int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT pg_sleep(0.002) IS NOT NULL AND n > 0 $$;
CREATE TABLE users (id bigint PRIMARY KEY, email text, qty int);
INSERT INTO users SELECT i, 'u' || i, 1 FROM generate_series(1, 1000) i;
`
	)
	for _, c := range []struct{ name, change, scanning string }{
		{"check", "ALTER TABLE users ADD CONSTRAINT users_qty_check CHECK (slow_positive(qty));", "ALTER TABLE"},
		{"index", "CREATE INDEX users_slow_idx ON users (slow_positive(qty));", "CREATE INDEX"},
	} {
		for _, online := range []bool{true, false} {
			name := c.name + "/plain"
			if online {
				name = c.name + "/online"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				url := pgtest.NewDatabase(t)
				conns := make([]*pgx.Conn, 2)
				for i := range conns {
					conn, err := pgx.Connect(ctx, url)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { conn.Close(context.Background()) })
					conns[i] = conn
				}
				migrator, app := conns[0], conns[1]
				if _, err := migrator.Exec(ctx, base); err != nil {
					t.Fatal(err)
				}
				before := inspect(t, migrator)
				after, _ := modelOf(t, base+c.change)
				changes, err := migrations.Diff(before, after, migrations.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var stmts []migrations.Statement
				fsys := fstest.MapFS{}
				when := time.Unix(1767225600, 0)
				var migs []*migrations.Migration
				if online {
					tx, noTx, mid, err := migrations.Online(before, after, changes, migrations.OnlineOptions{TableLockTimeout: lockTimeout})
					if err == nil {
						migs, err = (*migrations.Folder)(nil).NextOnline("change", mid, after, tx, noTx, when)
					}
					if err != nil {
						t.Fatal(err)
					}
				} else {
					if stmts, err = migrations.SQL(changes); err != nil {
						t.Fatal(err)
					}
					m, err := (*migrations.Folder)(nil).Next("change", after, stmts, when)
					if err != nil {
						t.Fatal(err)
					}
					migs = append(migs, m)
				}
				for _, m := range migs {
					for _, f := range m.Files() {
						fsys[f.Path] = &fstest.MapFile{Data: f.Data}
					}
				}
				dir, err := migrate.Open(fsys)
				if err != nil {
					t.Fatal(err)
				}
				var pid uint32
				if err := migrator.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
					t.Fatal(err)
				}
				if _, err := app.Exec(ctx, "SET lock_timeout = '"+appLockTimeout.String()+"'"); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					_, err := dir.Apply(ctx, migrator, migrate.Options{TableLockTimeout: lockTimeout, Retries: 3, RetryBackoff: 50 * time.Millisecond})
					done <- err
				}()
				// Insert while the migrator runs its scanning statement.
				scanned, blocked := 0, 0
				for id := 2000; ; id++ {
					var scanning bool
					if err := app.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND starts_with(query, $2)`,
						pid, c.scanning).Scan(&scanning); err != nil {
						t.Fatal(err)
					}
					select {
					case err := <-done:
						if err != nil {
							t.Fatalf("migrate: %v", err)
						}
						t.Logf("%d inserts during the scan, %d of them gave up waiting", scanned, blocked)
						if scanned == 0 {
							t.Fatal("no insert ran while the migration scanned the table")
						}
						if online && blocked > 0 {
							t.Errorf("%d of %d inserts during the online scan waited longer than %s", blocked, scanned, appLockTimeout)
						}
						if !online && blocked == 0 {
							t.Errorf("no insert during the plain scan waited longer than %s", appLockTimeout)
						}
						return
					default:
					}
					// A hundred inserts make the point; more would only make
					// the index's scans longer (each row costs the function's
					// sleep).
					if !scanning || scanned >= 100 {
						time.Sleep(5 * time.Millisecond)
						continue
					}
					scanned++
					if _, err := app.Exec(ctx, "INSERT INTO users VALUES ($1, $2, 1)", id, fmt.Sprint("app", id)); lockNotAvailable(err) {
						blocked++
					} else if err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}
