package migrations_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/randschema"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

var (
	seed  = flag.Uint64("seed", 1, "first seed of TestRoundTrip's random schema pairs")
	pairs = flag.Int("pairs", 500, "how many random schema pairs TestRoundTrip checks")
)

// TestRoundTrip is the differ's property test. For random pairs of models
// A and B (B is A with a few random changes, renames given by hints), on a
// real database: create A and insert rows, apply Diff(A, B) in one
// transaction as the migrator does, then check that introspection reads
// exactly B back (column order aside, since ADD COLUMN appends), that the
// rows of every kept table survived with their values, and that B diffs
// to nothing against itself and against what the database holds.
//
// A failure names its seed; rerun just that pair with
// go test ./migrations -run TestRoundTrip -seed N -pairs 1.
func TestRoundTrip(t *testing.T) {
	const workers = 4
	for w := range workers {
		t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
			t.Parallel()
			conn := pgtest.Connect(t)
			for i := w; i < *pairs; i += workers {
				s := *seed + uint64(i)
				if !roundTrip(t, conn, s) {
					return
				}
			}
		})
	}
}

func roundTrip(t *testing.T, conn *pgx.Conn, s uint64) bool {
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

	if err := emptyDatabase(ctx, conn); err != nil {
		return fail("resetting the database: %v", err)
	}
	create, err := migrations.SQL(migrations.Create(a))
	if err != nil {
		return fail("%v", err)
	}
	for _, st := range create {
		if _, err := conn.Exec(ctx, st.SQL); err != nil {
			return fail("creating A: %s\n%v", st.SQL, err)
		}
	}
	rows := randschema.Rows(a)
	if ins := randschema.Insert(rows); ins != "" {
		if _, err := conn.Exec(ctx, ins); err != nil {
			return fail("inserting rows: %v", err)
		}
	}

	// Renames in B come with hints; anything else that vanished was
	// dropped. Without DropAndAdd such a pair may only be reported as an
	// ambiguity.
	if _, err := migrations.Diff(a, b, migrations.Options{}); err != nil {
		if _, ok := err.(*migrations.AmbiguityError); !ok {
			return fail("Diff(A, B): %v", err)
		}
	}
	changes, err := migrations.Diff(a, b, migrations.Options{DropAndAdd: true})
	if err != nil {
		return fail("Diff(A, B): %v", err)
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		return fail("%v", err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fail("%v", err)
	}
	for _, st := range stmts {
		if _, err := tx.Exec(ctx, st.SQL); err != nil {
			tx.Rollback(ctx)
			return fail("migrating A to B: %s\n%v\nthe whole migration:\n%s", st.SQL, err, joinSQL(stmts))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail("committing: %v", err)
	}

	got, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		return fail("introspecting: %v", err)
	}
	if diff := gocmp.Diff(comparable(b), comparable(got)); diff != "" {
		return fail("the database differs from B (-B +database):\n%s\nmigration:\n%s", diff, joinSQL(stmts))
	}
	for _, row := range randschema.Expect(b, rows) {
		if len(row.Columns) == 0 {
			continue // every column it had was dropped: nothing to tell the rows apart
		}
		var n int
		if err := conn.QueryRow(ctx, row.Count()).Scan(&n); err != nil || n != 1 {
			return fail("row of %s.%s: %s found %d times (%v), want once", row.Schema, row.Table, row.Count(), n, err)
		}
	}
	if cs, err := migrations.Diff(b, b, migrations.Options{}); err != nil || len(cs) != 0 {
		return fail("Diff(B, B) = %v, %v; want nothing", cs, err)
	}
	if cs, err := migrations.Diff(got, comparable(b), migrations.Options{}); err != nil || len(cs) != 0 {
		return fail("Diff(database, B) = %v, %v; want nothing", cs, err)
	}
	return true
}

// comparable returns m as the database can hold it (migrations.Strip),
// with columns in name order, since ADD COLUMN appends.
func comparable(m *schema.Model) *schema.Model {
	c := migrations.Strip(m)
	for _, t := range c.Tables {
		slices.SortFunc(t.Columns, func(a, b *schema.Column) int { return cmp.Compare(a.Name, b.Name) })
	}
	return c
}

func joinSQL(stmts []migrations.Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(s.SQL + "\n")
	}
	return b.String()
}
