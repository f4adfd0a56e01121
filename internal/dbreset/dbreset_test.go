package dbreset

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestCheck(t *testing.T) {
	const dev = "postgres://postgres@127.0.0.1:54321/dev?sslmode=disable"
	for _, c := range []struct {
		url, force string
		ok         bool
	}{
		{"postgres://u:p@localhost/app", "", true},
		{"postgres://u:p@127.0.0.1:5433/app", "", true},
		{"postgres://u:p@[::1]/app", "", true},
		{"host=/var/run/postgresql dbname=app", "", true},
		{dev, "", true},
		{"postgres://u:p@db.example.com/app", "", false},
		{"postgres://u:p@localhost,db.example.com/app", "", false},
		{"postgres://u:p@10.0.0.5/app", "", false},
		{"postgres://u:p@db.example.com/app", "app", true},
		{"postgres://u:p@db.example.com/app", "App", false},
		{"postgres://u:p@localhost/app", "other", false},
	} {
		cfg, err := pgconn.ParseConfig(c.url)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(cfg, dev, c.force)
		var re *RefusedError
		if c.ok != (err == nil) || err != nil && !errors.As(err, &re) {
			t.Errorf("Check(%s, --force %q) = %v, want ok %v", c.url, c.force, err, c.ok)
		}
	}
}

// TestPlanTruncateCascade: the tables the statement reaches (by foreign
// keys, through cycles, and by inheritance) are listed once, partitions
// folded into their table; and Run empties nothing when that list changed
// since the plan.
func TestPlanTruncateCascade(t *testing.T) {
	t.Parallel()
	conn := pgtest.Connect(t)
	ctx := context.Background()
	for _, s := range []string{
		`CREATE TABLE ev (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
		`CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
		`CREATE TABLE log (ev_id int, ev_at date, FOREIGN KEY (ev_id, ev_at) REFERENCES ev) PARTITION BY LIST (ev_at)`,
		`CREATE TABLE log_a PARTITION OF log DEFAULT`,
		`CREATE TABLE self (id int PRIMARY KEY, parent int REFERENCES self, log_at date)`,
		`CREATE TABLE loop_a (id int PRIMARY KEY)`,
		`CREATE TABLE loop_b (id int PRIMARY KEY REFERENCES loop_a)`,
		`ALTER TABLE loop_a ADD FOREIGN KEY (id) REFERENCES loop_b DEFERRABLE`,
		`CREATE TABLE ev_ref (ev_id int, ev_at date, FOREIGN KEY (ev_id, ev_at) REFERENCES ev)`,
		`ALTER TABLE loop_b ADD COLUMN ev_id int, ADD COLUMN ev_at date, ADD FOREIGN KEY (ev_id, ev_at) REFERENCES ev`,
		`CREATE TABLE plain (id int PRIMARY KEY)`,
		`CREATE TABLE plain_child (x int) INHERITS (plain)`,
		`CREATE TABLE untouched (id int REFERENCES self)`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "ev"}, {Schema: "public", Name: "plain"}}}
	tr, err := PlanTruncate(ctx, conn, m)
	if err != nil {
		t.Fatal(err)
	}
	want := []Table{{"public", "ev_ref"}, {"public", "log"}, {"public", "loop_a"}, {"public", "loop_b"}, {"public", "plain_child"}}
	if !slices.Equal(tr.Cascade, want) {
		t.Errorf("Cascade = %v, want %v", tr.Cascade, want)
	}
	if tr.SQL != `TRUNCATE "public"."ev", "public"."plain" RESTART IDENTITY CASCADE` {
		t.Errorf("SQL = %s", tr.SQL)
	}
	// Run empties exactly the tables listed.
	if _, err := conn.Exec(ctx, `BEGIN; SET CONSTRAINTS ALL DEFERRED;
		INSERT INTO ev VALUES (1, '2026-05-01'); INSERT INTO log VALUES (1, '2026-05-01'); INSERT INTO ev_ref VALUES (1, '2026-05-01');
		INSERT INTO loop_a VALUES (1); INSERT INTO loop_b VALUES (1, 1, '2026-05-01');
		INSERT INTO self VALUES (1, NULL, NULL); INSERT INTO untouched VALUES (1);
		INSERT INTO plain VALUES (1); INSERT INTO plain_child VALUES (2, 0); COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT c.relname, c.relkind = 'p' FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	partitioned := map[string]bool{}
	var all []string
	for rows.Next() {
		var n string
		var p bool
		rows.Scan(&n, &p)
		all = append(all, n)
		partitioned[n] = p
	}
	var emptied []Table
	for _, n := range all {
		// A partitioned table's rows are its partitions'; another table's
		// are its own, not its children's.
		only := "ONLY "
		if partitioned[n] {
			only = ""
		}
		var rowsLeft int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+only+Table{"public", n}.String()).Scan(&rowsLeft); err != nil {
			t.Fatal(err)
		}
		if rowsLeft == 0 && n != "ev" && n != "plain" {
			emptied = append(emptied, Table{"public", n})
		}
	}
	if !slices.Equal(emptied, want) {
		t.Errorf("emptied besides the schema's tables: %v, listed %v", emptied, want)
	}

	// A foreign key added between the plan and the run: nothing is
	// emptied.
	if _, err := conn.Exec(ctx, `INSERT INTO ev VALUES (1, '2026-05-01'); ALTER TABLE self ADD FOREIGN KEY (id, log_at) REFERENCES ev`); err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(ctx, conn); err == nil {
		t.Error("Run after the references changed: no error")
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM ev`).Scan(&n); err != nil || n != 1 {
		t.Errorf("ev has %d rows, %v; want 1", n, err)
	}
}
