package migrations_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestOnlineLocks shows what the online forms are for. A transaction
// that inserted a row and stays open (a slow request) holds a lock on
// the table; the migration runs; another session (the application)
// keeps inserting, each insert giving up after appLockTimeout.
//
// Online, with the migrator's lock timeout: the indexes and the keys are
// built or dropped, and the constraints validated, without blocking the
// inserts; a statement that needs a strong lock waits at most
// lockTimeout, then gives up and is tried again, so no insert waits as
// long as appLockTimeout. Plain, the migration waits for the open transaction
// with no limit, and the next insert queues behind it until it gives
// up. In both cases the migrator is seen waiting for a lock in
// pg_stat_activity, so the open transaction was in its way.
func TestOnlineLocks(t *testing.T) {
	const (
		lockTimeout    = 300 * time.Millisecond
		appLockTimeout = 1500 * time.Millisecond
		base           = `CREATE TABLE refs (id bigint PRIMARY KEY);
CREATE TABLE users (id bigint PRIMARY KEY, email text, qty int, ref bigint);
INSERT INTO users SELECT i, 'u' || i, 1, NULL FROM generate_series(1, 1000) i;
`
	)
	// users as a partitioned table, whose index is built ON ONLY it, then
	// CONCURRENTLY per partition.
	const partitioned = `CREATE TABLE refs (id bigint PRIMARY KEY);
CREATE TABLE users (id bigint PRIMARY KEY, email text, qty int, ref bigint) PARTITION BY HASH (id);
CREATE TABLE users_0 PARTITION OF users FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE users_1 PARTITION OF users FOR VALUES WITH (modulus 2, remainder 1);
INSERT INTO users SELECT i, 'u' || i, 1, NULL FROM generate_series(1, 1000) i;
`
	// users without its primary key, for the case that adds it.
	const noKey = `CREATE TABLE refs (id bigint PRIMARY KEY);
CREATE TABLE users (id bigint NOT NULL, email text, qty int, ref bigint);
INSERT INTO users SELECT i, 'u' || i, 1, NULL FROM generate_series(1, 1000) i;
`
	for _, c := range []struct{ name, change, base string }{
		{"drop_index", "DROP INDEX users_email_idx;", base + "CREATE INDEX users_email_idx ON users (email);\n"},
		{"primary_key", "ALTER TABLE users ADD PRIMARY KEY (id);", noKey},
		{"index", "CREATE INDEX users_email_idx ON users (email);", ""},
		{"partitioned_index", "CREATE INDEX users_email_idx ON users (email);", partitioned},
		{"foreign_key", "ALTER TABLE users ADD CONSTRAINT users_ref_fkey FOREIGN KEY (ref) REFERENCES refs (id);", ""},
		{"check", "ALTER TABLE users ADD CONSTRAINT users_qty_check CHECK (qty > 0);", ""},
		{"not_null", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", ""},
		{"unique", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", ""},
	} {
		for _, online := range []bool{true, false} {
			name := c.name + "/plain"
			if online {
				name = c.name + "/online"
			}
			base := base
			if c.base != "" {
				base = c.base
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				url := pgtest.NewDatabase(t)
				conns := make([]*pgx.Conn, 3)
				for i := range conns {
					conn, err := pgx.Connect(ctx, url)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { conn.Close(context.Background()) })
					conns[i] = conn
				}
				migrator, holder, app := conns[0], conns[1], conns[2]
				if _, err := migrator.Exec(ctx, base); err != nil {
					t.Fatal(err)
				}
				before := inspect(t, migrator)
				after, _ := modelOf(t, base+c.change)
				changes, err := migrations.Diff(before, after, migrations.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var migs []*migrations.Migration
				opts := migrate.Options{Retries: 100, RetryBackoff: 50 * time.Millisecond}
				when := time.Unix(1767225600, 0)
				if online {
					opts.TableLockTimeout = lockTimeout
					tx, noTx, mid, err := migrations.Online(before, after, changes, migrations.OnlineOptions{TableLockTimeout: lockTimeout})
					if err == nil {
						migs, err = (*migrations.Folder)(nil).NextOnline("change", mid, after, tx, noTx, when)
					}
					if err != nil {
						t.Fatal(err)
					}
				} else {
					stmts, err := migrations.SQL(changes)
					if err != nil {
						t.Fatal(err)
					}
					m, err := (*migrations.Folder)(nil).Next("change", after, stmts, when)
					if err != nil {
						t.Fatal(err)
					}
					migs = append(migs, m)
				}
				fsys := fstest.MapFS{}
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
				// The slow request.
				if _, err := holder.Exec(ctx, "BEGIN; INSERT INTO users VALUES (1000000, 'holder', 1, NULL)"); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					_, err := dir.Apply(ctx, migrator, opts)
					done <- err
				}()
				if !migratorWaits(t, app, pid) {
					t.Fatal("the migrator never waited for a lock: the open transaction was not in its way")
				}
				id := 2000
				insert := func() error {
					id++
					_, err := app.Exec(ctx, "INSERT INTO users VALUES ($1, $2, 1, NULL)", id, fmt.Sprint("app", id))
					return err
				}
				if online {
					// The open transaction stays for several lock timeouts; the
					// application's inserts go on.
					for start := time.Now(); time.Since(start) < 4*lockTimeout; {
						if err := insert(); err != nil {
							t.Fatalf("an insert during the online migration: %v", err)
						}
					}
				} else if err := insert(); !lockNotAvailable(err) {
					t.Fatalf("an insert behind the plain migration: %v; want it blocked until its lock_timeout", err)
				}
				if _, err := holder.Exec(ctx, "COMMIT"); err != nil {
					t.Fatal(err)
				}
				if err := <-done; err != nil {
					t.Fatalf("migrate: %v", err)
				}
				if err := insert(); err != nil {
					t.Fatalf("an insert after the migration: %v", err)
				}
				got := inspect(t, migrator)
				// The migrator's history table is not the schema's.
				got.Tables = slices.DeleteFunc(got.Tables, func(t *schema.Table) bool { return t.Schema != "public" })
				got.Schemas = nil
				if diff := gocmp.Diff(comparable(after), comparable(got)); diff != "" {
					t.Errorf("the migrated database differs (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// migratorWaits reports whether the session pid waits for a lock within
// five seconds, as conn sees in pg_stat_activity.
func migratorWaits(t *testing.T, conn *pgx.Conn, pid uint32) bool {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// lockNotAvailable reports whether err is PostgreSQL's lock_not_available:
// the statement gave up waiting for a lock after lock_timeout.
func lockNotAvailable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}
