package migrate_test

import (
	"context"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// TestBaseline records a baseline without running it; Apply then
// applies only what follows.
func TestBaseline(t *testing.T) {
	for _, drizzle := range []bool{false, true} {
		name := "mizzle"
		if drizzle {
			name = "drizzle"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			conn := pgtest.Connect(t)
			fsys := folder(
				"0000_baseline", "CREATE TABLE users (id bigint PRIMARY KEY);",
				"0001_posts", "CREATE TABLE posts (id bigint PRIMARY KEY);",
			)
			opts := migrate.Options{Drizzle: drizzle}
			if _, err := conn.Exec(ctx, "CREATE TABLE users (id bigint PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second call finds it recorded and does nothing
				if err := baseline(ctx, conn, fsys, "0000_baseline", opts); err != nil {
					t.Fatal(err)
				}
			}
			st, err := status(ctx, conn, fsys, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Applied) != 1 || len(st.Pending) != 1 || st.Pending[0].Tag != "0001_posts" || len(st.Problems) > 0 {
				t.Errorf("status after Baseline: %+v", st)
			}
			done, err := up(ctx, conn, fsys, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(done) != 1 || done[0].Tag != "0001_posts" {
				t.Errorf("Apply after Baseline applied %+v, want 0001_posts only", done)
			}
		})
	}
}

func TestBaselineRefuses(t *testing.T) {
	fsys := folder(
		"0000_init", "CREATE TABLE a (id int);",
		"0001_more", "CREATE TABLE b (id int);",
	)
	tests := []struct {
		name, tag, want string
	}{
		{"unknown tag", "0002_nope", `meta/_journal.json: no migration "0002_nope": the journal does not list it`},
		{"skips a pending one", "0001_more", "0001_more.sql: 0000_init.sql comes before it and is not applied: apply it first (mizzle migrate), since marking 0001_more would skip it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := pgtest.Connect(t)
			err := baseline(context.Background(), conn, fsys, tt.tag, migrate.Options{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			var n int
			if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM mizzle.__mizzle_migrations").Scan(&n); err == nil && n > 0 {
				t.Errorf("a refused Baseline recorded %d rows", n)
			}
		})
	}
}
