package randschema

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const (
	seeds   = 200
	workers = 8 // databases used in parallel
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6d697a7a6c65)) }

// TestOnPostgres checks, for many seeds, that a model and its change are
// valid (Validate), that PostgreSQL creates them, takes their rows and
// prints every expression back exactly as the model spells it, that Change
// leaves its input alone, and that the rows of A, as Expect says they read
// in B, satisfy every constraint of B.
func TestOnPostgres(t *testing.T) {
	var mu sync.Mutex
	kinds := map[string]int{}
	for w := range workers {
		t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
			t.Parallel()
			conn := pgtest.Connect(t)
			for seed := uint64(w); seed < seeds; seed += workers {
				descs := checkSeed(t, conn, seed)
				mu.Lock()
				for _, d := range descs {
					kinds[strings.Fields(d)[0]+" "+strings.Fields(d)[1]]++
				}
				mu.Unlock()
				if t.Failed() {
					return
				}
			}
		})
	}
	t.Cleanup(func() {
		if testing.Verbose() {
			t.Logf("changes made: %v", kinds)
		}
	})
}

func checkSeed(t *testing.T, conn *pgx.Conn, seed uint64) []string {
	t.Helper()
	r := newRand(seed)
	a := Model(r)
	if err := Validate(a); err != nil {
		t.Errorf("seed %d: Model is invalid:\n%v", seed, err)
		return nil
	}
	rows := Rows(a)
	if !apply(t, conn, seed, "A", a, Insert(rows)) {
		return nil
	}

	before := a.Clone()
	b, descs := Change(r, a)
	if diff := cmp.Diff(before, a); diff != "" {
		t.Errorf("seed %d: Change modified its input (-before +after):\n%s", seed, diff)
	}
	if len(descs) == 0 {
		t.Errorf("seed %d: Change made no change", seed)
	}
	if err := Validate(b); err != nil {
		t.Errorf("seed %d: Change gave an invalid model after %q:\n%v", seed, descs, err)
		return descs
	}
	// The rows of A, as they read after the migration, must satisfy every
	// constraint of B: inserted into an empty B, new columns take what ADD
	// COLUMN would give them (default, NULL, identity, generated).
	expect := Expect(b, rows)
	if !apply(t, conn, seed, fmt.Sprintf("B after %q", descs), b, Insert(Rows(b)), Insert(expect)) {
		return descs
	}
	for _, row := range expect {
		var n int
		if err := conn.QueryRow(context.Background(), row.Count()).Scan(&n); err != nil || n != 1 {
			t.Errorf("seed %d: %s: %d rows, %v", seed, row.Count(), n, err)
		}
	}
	return descs
}

// apply creates m in an empty database and checks it; each of inserts
// must then succeed on the empty tables.
func apply(t *testing.T, conn *pgx.Conn, seed uint64, what string, m *schema.Model, inserts ...string) bool {
	t.Helper()
	ctx := context.Background()
	reset(t, conn)
	stmts, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s.SQL); err != nil {
			t.Errorf("seed %d: %s: %s\n%v", seed, what, s.SQL, err)
			return false
		}
	}
	for i, ins := range inserts {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, ins)
		if err != nil {
			t.Errorf("seed %d: %s: rows do not insert:\n%s\n%v", seed, what, ins, err)
			tx.Rollback(ctx)
			return false
		}
		if i == len(inserts)-1 {
			err = tx.Commit(ctx) // the last rows stay for the caller's queries
		} else {
			err = tx.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	checkCanonical(t, conn, seed, what, m)
	return !t.Failed()
}

// reset empties the database: every schema but the system ones goes.
func reset(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace
		WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var sql strings.Builder
	for _, n := range names {
		sql.WriteString("DROP SCHEMA " + quote.Ident(n) + " CASCADE;")
	}
	sql.WriteString("CREATE SCHEMA public;")
	if _, err := conn.Exec(ctx, sql.String()); err != nil {
		t.Fatal(err)
	}
}

// checkCanonical reads every expression, type and name back from the
// database and compares it with the model's text, byte for byte, as
// introspection reads it: never pretty-printed (a check or predicate
// without the pair of parentheses PostgreSQL adds around the whole).
// Defaults and generated expressions, which pretty-printing does not
// change, are also read pretty.
func checkCanonical(t *testing.T, conn *pgx.Conn, seed uint64, what string, m *schema.Model) {
	t.Helper()
	ctx := context.Background()
	fail := func(format string, args ...any) {
		t.Errorf("seed %d: %s: %s", seed, what, fmt.Sprintf(format, args...))
	}
	for _, tbl := range m.Tables {
		rel := quote.Ident(tbl.Schema, tbl.Name)
		rows, err := conn.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
				a.attidentity::text, a.attgenerated::text,
				coalesce(pg_get_expr(d.adbin, d.adrelid), ''), coalesce(pg_get_expr(d.adbin, d.adrelid, true), '')
			FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, rel)
		if err != nil {
			t.Fatal(err)
		}
		type col struct {
			name, typ           string
			notNull             bool
			identity, generated string
			expr, pretty        string
		}
		cols, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (col, error) {
			var c col
			err := row.Scan(&c.name, &c.typ, &c.notNull, &c.identity, &c.generated, &c.expr, &c.pretty)
			return c, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) != len(tbl.Columns) {
			fail("table %s has %d columns, the model %d", rel, len(cols), len(tbl.Columns))
			continue
		}
		for i, c := range tbl.Columns {
			got := cols[i]
			wantDefault, wantGen := c.Default, ""
			if c.Generated != "" {
				wantDefault, wantGen = c.Generated, "s"
			}
			wantIdentity := map[schema.Identity]string{"": "", schema.IdentityByDefault: "d", schema.IdentityAlways: "a"}[c.Identity]
			if got.name != c.Name || got.typ != typeExpr(c.Type) || got.notNull != c.NotNull ||
				got.identity != wantIdentity || got.generated != wantGen ||
				got.expr != wantDefault || got.pretty != wantDefault {
				fail("column %s.%s reads back as %+v; model: name %s, type %s, not null %v, identity %q, default %q, generated %q",
					rel, c.Name, got, c.Name, typeExpr(c.Type), c.NotNull, c.Identity, c.Default, c.Generated)
			}
		}

		rows, err = conn.Query(ctx, `SELECT conname, contype::text, pg_get_constraintdef(oid)
			FROM pg_constraint WHERE conrelid = $1::regclass AND conparentid = 0 ORDER BY conname COLLATE "C"`, rel)
		if err != nil {
			t.Fatal(err)
		}
		type con struct{ name, typ, def string }
		cons, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (con, error) {
			var c con
			err := row.Scan(&c.name, &c.typ, &c.def)
			return c, err
		})
		if err != nil {
			t.Fatal(err)
		}
		var gotNames, wantNames []string
		checkExpr := map[string]string{}
		for _, c := range tbl.Checks {
			checkExpr[c.Name] = c.Expr
		}
		for _, c := range cons {
			gotNames = append(gotNames, c.name)
			if c.typ != "c" {
				continue
			}
			want := checkExpr[c.name]
			plain := stripParens(strings.TrimSuffix(strings.TrimPrefix(c.def, "CHECK ("), ")"))
			if plain != want {
				fail("check %s on %s reads back as %q; model: %q", c.name, rel, plain, want)
			}
		}
		if tbl.PrimaryKey != nil {
			wantNames = append(wantNames, tbl.PrimaryKey.Name)
		}
		for _, u := range tbl.Uniques {
			wantNames = append(wantNames, u.Name)
		}
		for _, c := range tbl.Checks {
			wantNames = append(wantNames, c.Name)
		}
		for _, fk := range tbl.ForeignKeys {
			wantNames = append(wantNames, fk.Name)
		}
		if !sameSet(gotNames, wantNames) {
			fail("table %s has constraints %q, the model %q", rel, gotNames, wantNames)
		}

		checkPartitions(t, conn, fail, tbl)
		for _, ix := range tbl.Indexes {
			var def, plain string
			var elems []string
			err := conn.QueryRow(ctx, `SELECT pg_get_indexdef(x.indexrelid),
					coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
					array(SELECT pg_get_indexdef(x.indexrelid, k, false) FROM generate_series(1, x.indnatts) k)
				FROM pg_index x WHERE x.indexrelid = $1::regclass`, quote.Ident(tbl.Schema, ix.Name)).Scan(&def, &plain, &elems)
			if err != nil {
				fail("index %s: %v", ix.Name, err)
				continue
			}
			if want := indexDef(tbl, ix); def != want {
				fail("index reads back as\n\t%s\nmodel:\n\t%s", def, want)
			}
			if stripParens(plain) != ix.Where {
				fail("index %s: predicate reads back as %q; model: %q", ix.Name, plain, ix.Where)
			}
			var want []string
			for _, e := range ix.Elements {
				if e.Column != "" {
					want = append(want, ident(e.Column))
				} else {
					want = append(want, e.Expr)
				}
			}
			if !cmp.Equal(elems, want) {
				fail("index %s: elements read back as %q; model: %q", ix.Name, elems, want)
			}
		}
	}
}

// indexDef is what pg_get_indexdef prints for an index of the model.
func indexDef(t *schema.Table, ix schema.Index) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	only := ""
	if t.Partition != nil {
		only = "ONLY " // pg_get_indexdef's spelling for a partitioned table's index
	}
	fmt.Fprintf(&b, "INDEX %s ON %s%s.%s USING %s (", ident(ix.Name), only, ident(t.Schema), ident(t.Name), method)
	for i, e := range ix.Elements {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.Column != "" {
			b.WriteString(ident(e.Column))
		} else {
			b.WriteString(e.Expr)
		}
		if e.Opclass != "" {
			b.WriteString(" " + e.Opclass)
		}
		if e.Desc {
			b.WriteString(" DESC")
		}
		if e.Nulls != "" {
			b.WriteString(" NULLS " + strings.ToUpper(e.Nulls))
		}
	}
	b.WriteString(")")
	if ix.NullsNotDistinct {
		b.WriteString(" NULLS NOT DISTINCT")
	}
	if ix.Where != "" {
		if strings.Contains(ix.Where, " ") {
			b.WriteString(" WHERE (" + ix.Where + ")")
		} else {
			b.WriteString(" WHERE " + ix.Where)
		}
	}
	return b.String()
}

// stripParens removes one pair of parentheses around the whole of s.
func stripParens(s string) string {
	if strings.HasPrefix(s, "(") {
		if end, _ := sqlsplit.ClosingParen(s, 0); end == len(s)-1 {
			return s[1 : len(s)-1]
		}
	}
	return s
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkPartitions reads a table's partition key and its partitions' bounds
// back and compares them with the model's text.
func checkPartitions(t *testing.T, conn *pgx.Conn, fail func(string, ...any), tbl *schema.Table) {
	t.Helper()
	ctx := context.Background()
	rel := quote.Ident(tbl.Schema, tbl.Name)
	var key string
	if err := conn.QueryRow(ctx, `SELECT coalesce(pg_get_partkeydef($1::regclass), '')`, rel).Scan(&key); err != nil {
		t.Fatal(err)
	}
	want := ""
	if p := tbl.Partition; p != nil {
		cols := make([]string, len(p.Columns))
		for i, c := range p.Columns {
			cols[i] = ident(c)
		}
		want = p.Strategy.SQL() + " (" + strings.Join(cols, ", ") + ")"
	}
	if key != want {
		fail("table %s has partition key %q, the model %q", rel, key, want)
	}
	rows, err := conn.Query(ctx, `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits h
		JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = $1::regclass AND c.relkind = 'r' ORDER BY 1`, rel)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (schema.Partition, error) {
		var p schema.Partition
		err := row.Scan(&p.Name, &p.Bound)
		return p, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var wantParts []schema.Partition
	if tbl.Partition != nil {
		wantParts = tbl.Partition.Partitions
	}
	sortParts := func(ps []schema.Partition) []schema.Partition {
		ps = slices.Clone(ps)
		slices.SortFunc(ps, func(a, b schema.Partition) int { return strings.Compare(a.Name, b.Name) })
		return ps
	}
	if !cmp.Equal(sortParts(got), sortParts(wantParts), cmpopts.EquateEmpty()) {
		fail("table %s has partitions %+v, the model %+v", rel, got, wantParts)
	}
}
