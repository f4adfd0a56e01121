package pgtest_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestConnectRoundTrip(t *testing.T) {
	t.Parallel()
	conn := pgtest.Connect(t)
	ctx := t.Context()

	if _, err := conn.Exec(ctx, `CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	want := []string{"alpha", "beta", "gamma"}
	for i, name := range want {
		if _, err := conn.Exec(ctx, `INSERT INTO item (id, name) VALUES ($1, $2)`, i, name); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := conn.Query(ctx, `SELECT name FROM item ORDER BY id`)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	urlA, urlB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if urlA == urlB {
		t.Fatalf("two NewDatabase calls returned the same URL %s", urlA)
	}
	a, b := connect(t, urlA), connect(t, urlB)
	ctx := t.Context()

	nameA, nameB := currentDatabase(t, a), currentDatabase(t, b)
	if nameA == nameB {
		t.Fatalf("both URLs connect to database %s", nameA)
	}

	// An object made in one database must not be visible from the other.
	if _, err := a.Exec(ctx, `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	var found bool
	if err := b.QueryRow(ctx, `SELECT to_regclass('only_in_a') IS NOT NULL`).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found {
		t.Errorf("table only_in_a, created in %s, is visible in %s", nameA, nameB)
	}
}

func TestDatabaseDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		name = currentDatabase(t, pgtest.Connect(t))
	})
	if t.Failed() {
		return
	}

	// Any database of the same server can see pg_database.
	observer := pgtest.Connect(t)
	var exists bool
	err := observer.QueryRow(t.Context(), `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test's cleanup", name)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	// Close before NewDatabase's cleanup drops the database, as Connect does.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

func currentDatabase(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var name string
	if err := conn.QueryRow(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}
