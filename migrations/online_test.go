package migrations_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/randschema"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

var onlinePairs = flag.Int("online-pairs", 60, "how many random schema pairs TestOnlineEquivalence checks")

// TestOnline runs each testdata/online archive: before.sql and after.sql
// build two databases, whose models are diffed; the online migrations of
// that diff are compared with the archive's tx.sql and notx.sql, then
// applied to the before database (tx.sql in a transaction, notx.sql
// statement by statement, twice where the archive's comment says "notx.sql
// runs twice"), which must then hold exactly the after schema and pass
// lint.
func TestOnline(t *testing.T) {
	files, err := filepath.Glob("testdata/online/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no online cases: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			section := func(name string) string {
				for _, f := range ar.Files {
					if f.Name == name {
						return string(f.Data)
					}
				}
				return ""
			}
			ctx := context.Background()
			before, conn := modelOf(t, section("before.sql"))
			after, _ := modelOf(t, section("after.sql"))
			changes, err := migrations.Diff(before, after, migrations.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tx, noTx, mid, err := migrations.Online(before, after, changes, migrations.OnlineOptions{})
			if err != nil {
				t.Fatal(err)
			}
			txSQL, noTxSQL := migrations.FormatSQL(tx), migrations.FormatNoTransactionSQL(noTx)
			if len(tx) == 0 {
				txSQL = nil
			}
			if len(noTx) == 0 {
				noTxSQL = nil
			}
			golden.CheckSection(t, path, ar, "tx.sql", txSQL)
			golden.CheckSection(t, path, ar, "notx.sql", noTxSQL)

			for _, f := range slices.Concat(lintErrors("tx.sql", txSQL, before), lintErrors("notx.sql", noTxSQL, mid)) {
				t.Errorf("lint: %s", f)
			}
			if err := run(ctx, conn, txSQL); err != nil {
				t.Fatalf("tx.sql: %v", err)
			}
			if got := inspect(t, conn); len(noTx) > 0 {
				if diff := gocmp.Diff(comparable(mid), comparable(got)); diff != "" {
					t.Errorf("after tx.sql the database differs from mid (-mid +database):\n%s", diff)
				}
			}
			if err := run(ctx, conn, noTxSQL); err != nil {
				t.Fatalf("notx.sql: %v", err)
			}
			// An archive whose comment says so has a notx.sql that runs
			// again without harm, as after a failure half-way.
			if strings.Contains(string(ar.Comment), "notx.sql runs twice") {
				if err := run(ctx, conn, noTxSQL); err != nil {
					t.Fatalf("notx.sql again: %v", err)
				}
			}
			if diff := gocmp.Diff(comparable(after), comparable(inspect(t, conn))); diff != "" {
				t.Errorf("the database differs from after.sql's (-after +database):\n%s", diff)
			}
		})
	}
}

// modelOf builds sql in a new database and returns its model and a
// connection to it.
func modelOf(t *testing.T, sql string) (*schema.Model, *pgx.Conn) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
	return inspect(t, conn), conn
}

func inspect(t *testing.T, conn *pgx.Conn) *schema.Model {
	t.Helper()
	m, _, err := introspect.Inspect(t.Context(), conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lintErrors are the lint errors in sql, but for the rules online
// migrations cannot follow: drops, renames, rewrites, required columns
// and an enum value's position are the schema's own choices, which need
// other migrations or the application's help.
func lintErrors(name string, sql []byte, before *schema.Model) []migrations.Finding {
	var out []migrations.Finding
	for _, f := range migrations.LintSQL(name, sql, before, migrations.LintOptions{}) {
		switch f.Code {
		case "drop", "rename", "table-rewrite", "add-required-column", "enum-value-position":
			continue
		}
		if f.Failing() {
			out = append(out, f)
		}
	}
	return out
}

// TestOnlineEquivalence is the online mode's property test: for random
// schema pairs A and B (as TestRoundTrip makes them), with A's rows in
// the database, the online migrations applied as the migrator applies
// them (the first in a transaction, the second statement by statement
// outside one) leave exactly the schema and the rows the plain migration
// leaves; the database between the two is the first's snapshot (mid);
// and lint finds no error in either but those of the rules online
// migrations cannot follow (see lintClean).
//
// A failure names its seed; rerun just that pair with
// go test ./migrations -run TestOnlineEquivalence -seed N -online-pairs 1.
func TestOnlineEquivalence(t *testing.T) {
	const workers = 2
	for w := range workers {
		t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
			t.Parallel()
			conn := pgtest.Connect(t)
			for i := w; i < *onlinePairs; i += workers {
				if !onlineEquivalent(t, conn, *seed+uint64(i)) {
					return
				}
			}
		})
	}
}

func onlineEquivalent(t *testing.T, conn *pgx.Conn, s uint64) bool {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(s, 0x6d697a7a6c65))
	a := randschema.Model(r)
	b, descs := randschema.Change(r, a)
	fail := func(format string, args ...any) bool {
		t.Helper()
		t.Errorf("seed %d (changes: %s): %s", s, strings.Join(descs, "; "), fmt.Sprintf(format, args...))
		return false
	}
	changes, err := migrations.Diff(a, b, migrations.Options{DropAndAdd: true})
	if err != nil {
		return fail("Diff(A, B): %v", err)
	}
	plain, err := migrations.SQL(changes)
	if err != nil {
		return fail("%v", err)
	}
	tx, noTx, mid, err := migrations.Online(a, b, changes, migrations.OnlineOptions{})
	if err != nil {
		return fail("Online: %v", err)
	}
	txSQL, noTxSQL := migrations.FormatSQL(tx), migrations.FormatNoTransactionSQL(noTx)
	both := func() string { return string(txSQL) + "\n" + string(noTxSQL) }
	if len(noTx) == 0 {
		noTxSQL = nil
	}
	if fs := slices.Concat(lintErrors("tx.sql", txSQL, a), lintErrors("notx.sql", noTxSQL, mid)); len(fs) > 0 {
		return fail("lint: %s\n%s", fs[0], both())
	}

	rows := randschema.Rows(a)
	setUp := func() error {
		if err := emptyDatabase(ctx, conn); err != nil {
			return err
		}
		create, err := migrations.SQL(migrations.Create(a))
		if err != nil {
			return err
		}
		for _, st := range create {
			if _, err := conn.Exec(ctx, st.SQL); err != nil {
				return fmt.Errorf("%s: %w", st.SQL, err)
			}
		}
		if ins := randschema.Insert(rows); ins != "" {
			if _, err := conn.Exec(ctx, ins); err != nil {
				return fmt.Errorf("inserting rows: %w", err)
			}
		}
		return nil
	}

	if err := setUp(); err != nil {
		return fail("creating A: %v", err)
	}
	if len(plain) > 0 {
		if err := run(ctx, conn, migrations.FormatSQL(plain)); err != nil {
			return fail("plain migration: %v\n%s", err, joinSQL(plain))
		}
	}
	want, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		return fail("introspecting: %v", err)
	}

	if err := setUp(); err != nil {
		return fail("creating A: %v", err)
	}
	if len(tx) > 0 {
		if err := run(ctx, conn, txSQL); err != nil {
			return fail("online tx part: %v\n%s", err, both())
		}
	}
	got, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		return fail("introspecting: %v", err)
	}
	if diff := gocmp.Diff(comparable(mid), comparable(got)); diff != "" {
		return fail("after the tx part the database differs from mid (-mid +database):\n%s\n%s", diff, both())
	}
	if len(noTx) > 0 {
		if err := run(ctx, conn, noTxSQL); err != nil {
			return fail("online no-transaction part: %v\n%s", err, both())
		}
	}
	got, _, err = introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		return fail("introspecting: %v", err)
	}
	if diff := gocmp.Diff(comparable(want), comparable(got)); diff != "" {
		return fail("the online migrations give another schema than the plain one (-plain +online):\n%s\n%s", diff, both())
	}
	for _, row := range randschema.Expect(b, rows) {
		if len(row.Columns) == 0 {
			continue
		}
		var n int
		if err := conn.QueryRow(ctx, row.Count()).Scan(&n); err != nil || n != 1 {
			return fail("row of %s.%s: %s found %d times (%v), want once", row.Schema, row.Table, row.Count(), n, err)
		}
	}
	return true
}

// TestNextOnline: the two migrations follow each other in the journal
// and the snapshot chain, the first with the model between them, the
// second named _online, starting with the no-transaction marker, with
// the model after; with one part empty, one migration is written.
func TestNextOnline(t *testing.T) {
	users := &schema.Table{Schema: "public", Name: "users", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}}
	mid := &schema.Model{Tables: []*schema.Table{users}}
	after := mid.Clone()
	after.Tables[0].Indexes = []schema.Index{{Name: "users_id_idx", Elements: []schema.IndexElem{{Column: "id"}}}}
	tx := []migrations.Statement{{SQL: "SELECT 1;"}}
	noTx := []migrations.Statement{{SQL: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_id_idx" ON "public"."users" ("id");`}}
	when := time.Unix(1767225600, 0)

	migs, err := (*migrations.Folder)(nil).NextOnline("idx", mid, after, tx, noTx, when)
	if err != nil || len(migs) != 2 {
		t.Fatalf("NextOnline = %v, %v; want two migrations", migs, err)
	}
	first, second := migs[0], migs[1]
	if first.Tag != "0000_idx" || second.Tag != "0001_idx_online" || !strings.HasPrefix(string(second.SQL), migrate.NoTransaction+"\n") {
		t.Errorf("tags %s, %s; second SQL:\n%s", first.Tag, second.Tag, second.SQL)
	}
	s1, err1 := migrations.ParseSnapshot(first.Snapshot)
	s2, err2 := migrations.ParseSnapshot(second.Snapshot)
	if err1 != nil || err2 != nil || s2.PrevID != s1.ID || len(s1.Model.Tables[0].Indexes) != 0 || len(s2.Model.Tables[0].Indexes) != 1 {
		t.Errorf("snapshots: %v, %v, %+v, %+v", err1, err2, s1, s2)
	}
	j, err := migrate.ParseJournal(second.Journal)
	if err != nil || len(j.Entries) != 2 || j.Entries[0].Tag != first.Tag || j.Entries[1].When <= j.Entries[0].When {
		t.Errorf("journal: %v\n%s", err, second.Journal)
	}

	for _, tt := range []struct {
		tx, noTx []migrations.Statement
		tag      string
	}{{tx, nil, "0000_idx"}, {nil, noTx, "0000_idx"}} {
		migs, err := (*migrations.Folder)(nil).NextOnline("idx", mid, after, tt.tx, tt.noTx, when)
		if err != nil || len(migs) != 1 || migs[0].Tag != tt.tag || strings.HasPrefix(string(migs[0].SQL), migrate.NoTransaction) != (tt.tx == nil) {
			t.Errorf("NextOnline with one part = %v, %v", migs, err)
		}
	}

	// A journal whose tags do not follow their indexes clashes with the
	// first migration's tag, or with the second's.
	entry := func(idx int, tag string) migrations.Entry {
		return migrations.Entry{Migration: migrate.Migration{JournalEntry: migrate.JournalEntry{Idx: idx, Tag: tag}}}
	}
	for _, f := range []*migrations.Folder{
		{Entries: []migrations.Entry{entry(0, "0001_a")}},
		{Entries: []migrations.Entry{entry(0, "0000_a"), entry(1, "0003_b")}},
	} {
		if _, err := f.NextOnline("idx", mid, after, tx, noTx, when); err == nil || !strings.Contains(err.Error(), "clashes with entry") {
			t.Errorf("NextOnline after %v: %v; want a clash", f.Entries, err)
		}
	}
}

// TestOnlineRenamedMatview: an index dropped from a materialized view
// that the migration also renames stays in the transaction, as for a
// renamed table: moved after the rename, its view would be under another
// name in mid. The index the renamed view gains is built CONCURRENTLY on
// it under its new name. Applied, the two parts give the model after, and
// the database between them is mid.
func TestOnlineRenamedMatview(t *testing.T) {
	ctx := t.Context()
	before, conn := modelOf(t, `CREATE TABLE users (id bigint PRIMARY KEY, name text);
CREATE MATERIALIZED VIEW user_names AS SELECT id, name FROM users;
CREATE INDEX user_names_name_idx ON user_names (name);
INSERT INTO users VALUES (1, 'a');
REFRESH MATERIALIZED VIEW user_names;`)
	after := before.Clone()
	v := after.Views[0]
	v.Was, v.Name = v.Name, "people_names"
	v.Indexes = []schema.Index{{Name: "people_names_id_idx", Elements: []schema.IndexElem{{Column: "id"}}}}
	changes, err := migrations.Diff(before, after, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tx, noTx, mid, err := migrations.Online(before, after, changes, migrations.OnlineOptions{})
	if err != nil {
		t.Fatalf("Online: %v", err)
	}
	txSQL, noTxSQL := migrations.FormatSQL(tx), migrations.FormatNoTransactionSQL(noTx)
	if !strings.Contains(string(txSQL), `DROP INDEX "public"."user_names_name_idx";`) ||
		!strings.Contains(string(noTxSQL), `CREATE INDEX CONCURRENTLY IF NOT EXISTS "people_names_id_idx" ON "public"."people_names"`) {
		t.Errorf("tx:\n%s\nnotx:\n%s", txSQL, noTxSQL)
	}
	for _, f := range slices.Concat(lintErrors("tx.sql", txSQL, before), lintErrors("notx.sql", noTxSQL, mid)) {
		t.Errorf("lint: %s", f)
	}
	if err := run(ctx, conn, txSQL); err != nil {
		t.Fatalf("tx: %v\n%s", err, txSQL)
	}
	if diff := gocmp.Diff(comparable(mid), comparable(inspect(t, conn))); diff != "" {
		t.Errorf("after tx the database differs from mid (-mid +database):\n%s", diff)
	}
	if err := run(ctx, conn, noTxSQL); err != nil {
		t.Fatalf("notx: %v\n%s", err, noTxSQL)
	}
	if diff := gocmp.Diff(comparable(after), comparable(inspect(t, conn))); diff != "" {
		t.Errorf("the database differs from after (-after +database):\n%s", diff)
	}
}
