package seed_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/dbreset"
	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const shop = "testdata/shop.txtar"

// shopOptions are the options of the golden run: a few counts and column
// settings, so that each kind of option shows in the rows.
func shopOptions() seed.Options {
	none := 0.0
	return seed.Options{
		Seed:  7,
		Count: 4,
		Tables: map[string]seed.Table{
			"tenants":  {Count: 3, With: map[string][]seed.Weighted{"users": {{Weight: 2, Min: 1, Max: 2}, {Weight: 1, Min: 3, Max: 3}}}},
			"products": {Count: 6, Columns: map[string]seed.Column{"stock": {Range: &seed.Range{Min: -5, Max: 5}}, "title": {Values: []string{"Lamp", "Desk", "Chair"}, Weights: []float64{1, 0, 3}}}},
			"users":    {Columns: map[string]seed.Column{"phone": {Nulls: &none}, "last_ip": {Skip: true}}},
		},
	}
}

// dump makes every row of a plan and writes them as text, table by table.
func dump(t *testing.T, p *seed.Plan) string {
	t.Helper()
	var b strings.Builder
	for _, tp := range p.Tables {
		fmt.Fprintf(&b, "# %s (%d rows): %s\n", tp.Name(), tp.Count, strings.Join(tp.Columns, ", "))
		rows := p.Rows(tp)
		for rows.Next() {
			vals, _ := rows.Values()
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = seed.Text(v)
			}
			b.WriteString(strings.Join(parts, " | ") + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	updates, err := p.Updates()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range updates {
		fmt.Fprintf(&b, "# update %s set %s by %s\n", u.Table.Name(), strings.Join(u.Columns, ", "), strings.Join(u.Key, ", "))
		for i := range u.Keys {
			fmt.Fprintf(&b, "%v -> %v\n", texts(u.Keys[i]), texts(u.Values[i]))
		}
	}
	return b.String()
}

func texts(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = seed.Text(v)
	}
	return strings.Join(s, ", ")
}

// TestGolden pins the values of a fixed schema and seed: the same on every
// machine and every Go release, so any change is a change of the data
// every user's seed makes, and shows here.
func TestGolden(t *testing.T) {
	m := testmod.Load(t, shop)
	p, err := seed.New(m, shopOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, p)
	ar, err := txtar.ParseFile(shop)
	if err != nil {
		t.Fatal(err)
	}
	golden.CheckSection(t, shop, ar, "want", []byte(got))

	// The same seed again gives the same bytes; another seed other data.
	p2, _ := seed.New(m, shopOptions())
	if again := dump(t, p2); again != got {
		t.Error("a second run of the same seed made other data")
	}
	o := shopOptions()
	o.Seed = 8
	p3, _ := seed.New(m, o)
	if dump(t, p3) == got {
		t.Error("seed 8 made the data of seed 7")
	}
}

// TestColumnsAreIndependent adds a column and a table to the schema: the
// values of every other column stay as they were, since each column draws
// from its own stream.
func TestColumnsAreIndependent(t *testing.T) {
	m := testmod.Load(t, shop)
	p, err := seed.New(m, shopOptions())
	if err != nil {
		t.Fatal(err)
	}
	before := columnsOf(t, p)

	m2 := m.Clone()
	tenants := m2.Table("public", "tenants")
	tenants.Columns = append(tenants.Columns[:2], append([]*schema.Column{{Name: "motto", Type: schema.Type{Name: "text"}, NotNull: true}}, tenants.Columns[2:]...)...)
	m2.Tables = append(m2.Tables, &schema.Table{Schema: "public", Name: "aaa_first", Columns: []*schema.Column{{Name: "x", Type: schema.Type{Name: "integer"}, NotNull: true}}})
	m2.Sort()
	p2, err := seed.New(m2, shopOptions())
	if err != nil {
		t.Fatal(err)
	}
	after := columnsOf(t, p2)
	for key, vals := range before {
		if after[key] != vals {
			t.Errorf("%s changed when a column and a table were added:\n%s\n%s", key, vals, after[key])
		}
	}
	if after["public.tenants.motto"] == "" {
		t.Error("the new column has no values")
	}
}

// columnsOf returns each column's values, joined, by "schema.table.column".
func columnsOf(t *testing.T, p *seed.Plan) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tp := range p.Tables {
		rows := p.Rows(tp)
		for rows.Next() {
			vals, _ := rows.Values()
			for i, v := range vals {
				out[tp.Name()+"."+tp.Columns[i]] += seed.Text(v) + "\n"
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// create builds m's tables in a fresh database.
// resetOf plans emptying the tables p fills, as mizzle seed --reset does.
func resetOf(t testing.TB, conn *pgx.Conn, p *seed.Plan) *dbreset.Truncation {
	t.Helper()
	var tables []dbreset.Table
	for _, pt := range p.Tables {
		tables = append(tables, dbreset.Table{Schema: pt.Table.Schema, Name: pt.Table.Name})
	}
	tr, err := dbreset.PlanTruncateTables(context.Background(), conn, tables)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func create(t testing.TB, m *schema.Model) *pgx.Conn {
	t.Helper()
	stmts, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	conn := pgtest.Connect(t)
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s.SQL); err != nil {
			t.Fatalf("%s: %v", s.SQL, err)
		}
	}
	return conn
}

func count(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestLoad writes the golden schema's rows: PostgreSQL takes every value
// and every key, sequences move past the ids written, and the tables are
// analyzed.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	m := testmod.Load(t, shop)
	conn := create(t, m)
	o := shopOptions()
	o.Count = 50
	o.Tables["tenants"] = seed.Table{Count: 30, With: o.Tables["tenants"].With}
	o.Tables["products"] = seed.Table{Count: 300}
	o.Tables["profiles"] = seed.Table{Count: 40}
	o.Tables["product_likes"] = seed.Table{Count: 2000}
	p, err := seed.New(m, o)
	if err != nil {
		t.Fatal(err)
	}
	// An index and a foreign key the load sets aside and makes again,
	// and ones it leaves alone: with a comment, the replica identity.
	exec(t, conn, "CREATE INDEX users_age_idx ON users (age) WHERE age > 18",
		"CREATE INDEX users_born_idx ON users (born DESC NULLS LAST)", "COMMENT ON INDEX users_born_idx IS 'kept'",
		"CREATE INDEX users_lower_email ON users (lower(email))",
		"COMMENT ON CONSTRAINT profiles_user_id_users_id_fk ON profiles IS 'kept too'")
	before := pgtest.Catalog(t, conn)
	written, err := seed.Load(ctx, conn, p, seed.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, pgtest.Catalog(t, conn)); diff != "" {
		t.Errorf("the load changed the catalog (-before +after):\n%s", diff)
	}
	if n := count(t, conn, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('users_age_idx', 'users_born_idx', 'users_lower_email')"); n != 3 {
		t.Errorf("%d of 3 indexes after the load", n)
	}
	if n := count(t, conn, "SELECT count(*) FROM pg_description WHERE description IN ('kept', 'kept too')"); n != 2 {
		t.Errorf("%d of 2 comments after the load", n)
	}
	for _, w := range written {
		schemaName, table, _ := strings.Cut(w.Table, ".")
		if n := count(t, conn, fmt.Sprintf("SELECT count(*) FROM %q.%q", schemaName, table)); int64(n) != w.Rows || n == 0 {
			t.Errorf("%s: %d rows written, %d in the table", w.Table, w.Rows, n)
		}
	}
	// The next ids follow the seeded ones.
	if n := count(t, conn, "INSERT INTO tenants (name, slug, country) VALUES ('x', 'x', 'x') RETURNING id"); n != 31 {
		t.Errorf("the next tenant id is %d, want 31", n)
	}
	if n := count(t, conn, "INSERT INTO products (code, title, price, weight, ratio, opens, shelf_life, seen, stock) SELECT 'ZZ', title, price, weight, ratio, opens, shelf_life, seen, stock FROM products LIMIT 1 RETURNING id"); n != 301 {
		t.Errorf("the next product id is %d, want 301", n)
	}
	if n := count(t, conn, "INSERT INTO categories (name) VALUES ('x') RETURNING id"); n != 51 {
		t.Errorf("the next category id is %d, want 51", n)
	}
	// Generated and defaulted columns are the database's.
	if n := count(t, conn, "SELECT count(*) FROM products WHERE total <> id * 2"); n != 0 {
		t.Errorf("%d generated values are not the database's", n)
	}
	if n := count(t, conn, "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'users' AND last_analyze IS NOT NULL"); n != 1 {
		t.Error("users was not analyzed")
	}
	// Nullable columns hold some NULLs, NOT NULL ones none.
	if n := count(t, conn, "SELECT count(*) FROM users WHERE last_name IS NULL"); n == 0 || n > 30 {
		t.Errorf("%d of the users have no last name", n)
	}
}
