package migrate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// TestApplyInTx: prepare and every migration commit together, or nothing
// does: a failing statement, or a no-transaction migration, leaves the
// database as it was, history table included.
func TestApplyInTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dropOld := func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DROP TABLE old")
		return err
	}
	for _, c := range []struct {
		name    string
		fsys    map[string]string
		wantErr []string
	}{
		{"applies", nil, nil},
		{"a statement fails", map[string]string{"0001_b": "CREATE TABLE b (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);"},
			[]string{"0001_b.sql:3:1: statement 2", `relation "b" already exists`}},
		{"no-transaction", map[string]string{"0001_b": migrate.NoTransaction + "\nCREATE INDEX CONCURRENTLY a_id ON a (id);"},
			[]string{"0001_b.sql", "runs outside a transaction"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conn, other := connectTwice(t)
			if _, err := conn.Exec(ctx, "CREATE TABLE old (id int)"); err != nil {
				t.Fatal(err)
			}
			files := []string{"0000_a", "CREATE TABLE a (id int);"}
			for tag, sql := range c.fsys {
				files = append(files, tag, sql)
			}
			d, err := migrate.Open(folder(files...))
			if err != nil {
				t.Fatal(err)
			}
			before := pgtest.Catalog(t, conn)
			var events []string
			done, err := d.ApplyInTx(ctx, conn, migrate.Options{Events: func(e migrate.Event) {
				if e.Kind == migrate.EventApplied {
					events = append(events, e.Migration)
				}
			}}, dropOld)
			if c.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				var tags []string
				for _, a := range done {
					tags = append(tags, a.Tag)
				}
				if !slices.Equal(tags, []string{"0000_a"}) || !slices.Equal(events, tags) {
					t.Errorf("applied %q, events %q; want 0000_a", tags, events)
				}
				var old, a bool
				if err := conn.QueryRow(ctx, "SELECT to_regclass('old') IS NOT NULL, to_regclass('a') IS NOT NULL").Scan(&old, &a); err != nil || old || !a {
					t.Errorf("old there %v, a there %v, %v; want false, true", old, a, err)
				}
				st, err := d.Status(ctx, conn, migrate.Options{})
				if err != nil || len(st.Pending) != 0 || len(st.Applied) != 1 {
					t.Errorf("status after: %+v, %v", st, err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if len(done) != 0 || len(events) != 0 {
				t.Errorf("failed run reports %v applied, events %q", done, events)
			}
			if after := pgtest.Catalog(t, conn); !slices.Equal(before, after) {
				t.Errorf("the database changed:\nbefore %q\nafter  %q", before, after)
			}
			// The lock is free again for another session.
			var free bool
			if err := other.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", migrate.LockKey(migrate.DefaultTable)).Scan(&free); err != nil || !free {
				t.Errorf("the migration lock is still held: %v %v", free, err)
			}
		})
	}
}
