package mizzletest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	iseed "github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/schema"
	"github.com/mizzle/mizzle/seed"
)

// tickets has an enum column, a nullable one and a unique one, in a
// schema of its own, beside public's customers.
var tickets = folder("",
	"0000_init", `CREATE SCHEMA help;
--> statement-breakpoint
CREATE TYPE help.status AS ENUM ('open', 'waiting', 'closed');
--> statement-breakpoint
CREATE TABLE customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, city text);
--> statement-breakpoint
CREATE TABLE help.ticket (
	id serial PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customer,
	status help.status NOT NULL,
	priority int NOT NULL,
	subject varchar(40) NOT NULL,
	opened_at timestamptz NOT NULL DEFAULT now()
);`)

// status stands for a schema's enum type, whose constants seed settings
// name.
type status string

const (
	statusOpen   status = "open"
	statusClosed status = "closed"
)

func ticketSettings(n int) seed.Config {
	return seed.Config{
		Seed: 11,
		Tables: map[string]seed.Table{
			"customer": {Count: n, With: map[string][]seed.Weighted{"help.ticket": {{Min: 2, Max: 2}}}},
			"help.ticket": {Columns: map[string]seed.Column{
				"status":   {Values: []any{statusOpen, statusClosed}, Weights: []float64{3, 1}},
				"priority": {Range: &seed.Range{Min: 1, Max: 3}},
			}},
		},
	}
}

// rowsOf returns every row of the customers and tickets as text, in key
// order.
func rowsOf(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := pool.Query(ctx, `SELECT format('%s %s %s', id, email, coalesce(city, 'NULL')) FROM customer ORDER BY id`)
	customers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = pool.Query(ctx, `SELECT format('%s %s %s %s %s', id, customer_id, status, priority, subject) FROM help.ticket ORDER BY id`)
	tickets, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return append(customers, tickets...)
}

// TestSeed: Seed's rows are in every copy, the same in each, as the
// settings ask (counts, children per parent, enum values by their Go
// constants, a range), with the identity and serial sequences past them
// and the history table untouched; tests running at once each change
// only their own copy.
func TestSeed(t *testing.T) {
	t.Parallel()
	cfg := ticketSettings(5)
	var first []string
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				pool := New(t, tickets, Seed(cfg))
				ctx := context.Background()
				var customers, tickets, open, closed, outside int
				if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM customer), count(*),
					count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'closed'),
					count(*) FILTER (WHERE priority NOT BETWEEN 1 AND 3)
					FROM help.ticket`).Scan(&customers, &tickets, &open, &closed, &outside); err != nil {
					t.Fatal(err)
				}
				if customers != 5 || tickets != 10 || open+closed != 10 || outside != 0 {
					t.Errorf("%d customers, %d tickets (%d open, %d closed, %d outside priorities 1 to 3); want 5, 10, open or closed, none outside",
						customers, tickets, open, closed, outside)
				}
				var perCustomer []int
				rows, _ := pool.Query(ctx, `SELECT count(*)::int FROM help.ticket GROUP BY customer_id`)
				perCustomer, err := pgx.CollectRows(rows, pgx.RowTo[int])
				if err != nil {
					t.Fatal(err)
				}
				if len(perCustomer) != 5 || slices.ContainsFunc(perCustomer, func(n int) bool { return n != 2 }) {
					t.Errorf("tickets per customer: %v; want 2 for each of 5", perCustomer)
				}
				var applied int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM mizzle.__mizzle_migrations`).Scan(&applied); err != nil || applied != 1 {
					t.Errorf("history: %d rows, %v; want 1", applied, err)
				}
				seeded := rowsOf(t, pool)
				// The sequences are past the seeded keys.
				var id, ticket int64
				if err := pool.QueryRow(ctx, `INSERT INTO customer (email) VALUES ($1) RETURNING id`, fmt.Sprintf("test%d@example.com", i)).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if err := pool.QueryRow(ctx, `INSERT INTO help.ticket (customer_id, status, priority, subject) VALUES ($1, 'waiting', 9, 'mine') RETURNING id`, id).Scan(&ticket); err != nil {
					t.Fatal(err)
				}
				if id != 6 || ticket != 11 {
					t.Errorf("a new customer's id %d and ticket's %d; want 6 and 11", id, ticket)
				}
				if _, err := pool.Exec(ctx, `DELETE FROM help.ticket WHERE customer_id = 1`); err != nil {
					t.Fatal(err)
				}
				var mine int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM help.ticket`).Scan(&mine); err != nil || mine != 9 {
					t.Errorf("tickets after this test's changes: %d, %v; want 9", mine, err)
				}
				if i == 0 {
					first = seeded
					return
				}
			})
		}
	})
	// Every copy started from the same rows: a fresh one has them too.
	again := rowsOf(t, New(t, tickets, Seed(ticketSettings(5))))
	if first == nil || !slices.Equal(again, first) {
		t.Errorf("a later copy's rows differ from the first test's:\n%s\nwant\n%s", strings.Join(again, "\n"), strings.Join(first, "\n"))
	}
}

// TestSeedTwoSettings: two settings get two templates, each with its own
// rows, and neither changes the folder's plain template; equal settings,
// written twice, share one.
func TestSeedTwoSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	count := func(pool *pgxpool.Pool) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM customer`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	three, four, plain := New(t, tickets, Seed(ticketSettings(3))), New(t, tickets, Seed(ticketSettings(4))), New(t, tickets)
	if a, b, c := count(three), count(four), count(plain); a != 3 || b != 4 || c != 0 {
		t.Errorf("customers: %d, %d and %d; want 3, 4 and 0", a, b, c)
	}
	d, _ := open(tickets, "")
	key := func(opts ...Option) string {
		var cfg config
		for _, o := range opts {
			o(&cfg)
		}
		return templateKey(d, &cfg)
	}
	k3, k4, k0 := key(Seed(ticketSettings(3))), key(Seed(ticketSettings(4))), key()
	if k3 == k4 || k3 == k0 || k4 == k0 {
		t.Errorf("template keys %s, %s, %s: want three different ones", k3, k4, k0)
	}
	if k := key(Seed(ticketSettings(3))); k != k3 {
		t.Errorf("the same settings give the keys %s and %s", k3, k)
	}
	// The seed is part of the settings.
	other := ticketSettings(3)
	other.Seed = 12
	if k := key(Seed(other)); k == k3 {
		t.Error("another seed gives the same template key")
	}
}

// TestSeedHistoryTable: the history table, wherever it is, is not
// seeded.
func TestSeedHistoryTable(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{Drizzle(), HistoryTable("public", "applied")} {
		pool := New(t, tickets, opt, Seed(ticketSettings(2)))
		var cfg config
		opt(&cfg)
		h := historyTable(cfg.migrate)
		history := h.Schema + "." + h.Name
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+history).Scan(&n); err != nil || n != 1 {
			t.Errorf("history table %s: %d rows, %v; want 1", history, n, err)
		}
	}
}

// TestSeedMistakes: settings that do not fit the schema fail the test
// with what is wrong and where, and leave no template behind; those
// wrong whatever the schema fail before the server is asked.
func TestSeedMistakes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		cfg  seed.Config
		want []string
	}{
		{"unknown table", seed.Config{Tables: map[string]seed.Table{"tickets": {Count: 2}}},
			[]string{`table "tickets"`, "does not declare"}},
		{"unknown column", seed.Config{Tables: map[string]seed.Table{"help.ticket": {Columns: map[string]seed.Column{"state": {Skip: true}}}}},
			[]string{"help.ticket", `column "state"`}},
		{"not an enum label", seed.Config{Tables: map[string]seed.Table{"help.ticket": {Columns: map[string]seed.Column{"status": {Values: []any{status("lost")}}}}}},
			[]string{"help.ticket, column status", `"lost" is not a label of enum help.status`, "open, waiting, closed"}},
		{"not a number", seed.Config{Tables: map[string]seed.Table{"help.ticket": {Columns: map[string]seed.Column{"priority": {Values: []any{"high"}}}}}},
			[]string{"help.ticket, column priority", `"high" is not a value of the column, which is integer`}},
		{"a range on text", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"city": {Range: &seed.Range{Min: 1, Max: 2}}}}}},
			[]string{"customer, column city", "Range is for number columns", "text"}},
		{"NULLs in a NOT NULL column", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"email": {Nulls: 0.5}}}}},
			[]string{"customer, column email", "Nulls 0.5", "NOT NULL"}},
		{"a unique column with too few values", seed.Config{Tables: map[string]seed.Table{"customer": {Count: 3, Columns: map[string]seed.Column{"email": {Values: []any{"a@example.com", "b@example.com"}}}}}},
			[]string{"customer", "email", "allows 2 distinct rows", "asks for 3"}},
		{"nil value", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"city": {Values: []any{"Lyon", nil}}}}}},
			[]string{"mizzletest: seed settings: ", "table customer, column city: Values[1]", "Nulls"}},
		{"a value that is not a constant", seed.Config{Tables: map[string]seed.Table{"help.ticket": {Columns: map[string]seed.Column{"opened_at": {Values: []any{time.Unix(0, 0)}}}}}},
			[]string{"column opened_at: Values[0]", "time.Time", "string (in PostgreSQL's text form)"}},
		{"empty values", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"city": {Values: []any{}}}}}},
			[]string{"column city", "Values is empty"}},
		{"weights without values", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"city": {Weights: []float64{1}}}}}},
			[]string{"column city", "Weights without Values"}},
		{"a column function", seed.Config{Tables: map[string]seed.Table{"customer": {Columns: map[string]seed.Column{"city": {Func: func(*rand.Rand, int) string { return "Lyon" }}}}}},
			[]string{"table customer, column city", "Func is run by mizzle seed, not here"}},
		{"fixtures", seed.Config{Fixtures: []string{"example.com/app/fixtures.Load"}},
			[]string{"the fixtures are run by mizzle seed", "call the fixture on the pool"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := fatalOf(t, func(tb testing.TB) { New(tb, tickets, Seed(c.cfg)) })
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("failure %q does not say %q", msg, w)
				}
			}
			var cfg config
			Seed(c.cfg)(&cfg)
			if cfg.err != nil {
				return // found before any template was asked for
			}
			d, _ := open(tickets, "")
			name := "mizzletest_" + templateKey(d, &cfg)[:24]
			s, _ := server()
			var left int
			if err := s.QueryRow(context.Background(), `SELECT count(*) FROM pg_database WHERE datname LIKE $1 || '%'`, []any{name}, &left); err != nil {
				t.Fatal(err)
			}
			if left != 0 {
				t.Errorf("%d databases named %s... left behind", left, name)
			}
		})
	}
}

// TestSeedKnowsEveryField: Seed reads every field of the seed settings.
// A field added to them (a column function, fixtures) fails here until
// seedOptions passes it to the seeder or refuses it, since a setting
// Seed left out would be dropped in silence.
func TestSeedKnowsEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[seed.Config]():   {"Seed", "Count", "Tables", "Fixtures"},
		reflect.TypeFor[seed.Table]():    {"Count", "Columns", "With"},
		reflect.TypeFor[seed.Column]():   {"Skip", "Values", "Weights", "Range", "Nulls", "Func"},
		reflect.TypeFor[seed.Range]():    {"Min", "Max"},
		reflect.TypeFor[seed.Weighted](): {"Weight", "Min", "Max"},
	}
	for typ, fields := range known {
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !slices.Equal(got, fields) {
			t.Errorf("%s has the fields %v; seedOptions reads %v", typ, got, fields)
		}
	}
}

// TestSeedTradingExample: the example application's migrations, seeded
// as its README section does (models with orders per model, a quantity
// range for the check that wants it positive, the enum's constants): the
// rows are there in every copy; without the range, the check PostgreSQL
// judges fails the test, named.
func TestSeedTradingExample(t *testing.T) {
	t.Parallel()
	fsys := os.DirFS("../examples/trading")
	cfg := seed.Config{
		Seed: 42,
		Tables: map[string]seed.Table{
			"Models": {Count: 4, With: map[string][]seed.Weighted{"Orders": {{Weight: 3, Min: 1, Max: 2}, {Weight: 1, Min: 5, Max: 6}}}},
			"Orders": {Columns: map[string]seed.Column{
				"quantity": {Range: &seed.Range{Min: 0.01, Max: 100}},
				"status":   {Values: []any{"OPEN", "CLOSED"}, Weights: []float64{1, 4}},
			}},
		},
	}
	pool := New(t, fsys, Dir("migrations"), Seed(cfg))
	var models, orders, bad int
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM "Models"), count(*),
		count(*) FILTER (WHERE quantity NOT BETWEEN 0.01 AND 100 OR "modelId" NOT IN (SELECT id FROM "Models"))
		FROM "Orders"`).Scan(&models, &orders, &bad); err != nil {
		t.Fatal(err)
	}
	if models != 4 || orders < 4 || orders > 24 || bad != 0 {
		t.Errorf("%d models, %d orders, %d out of range or orphaned; want 4, 4 to 24, none", models, orders, bad)
	}

	delete(cfg.Tables, "Orders")
	cfg.Tables["Orders"] = seed.Table{Columns: map[string]seed.Column{"quantity": {Range: &seed.Range{Min: -100, Max: -1}}}}
	msg := fatalOf(t, func(tb testing.TB) { New(tb, fsys, Dir("migrations"), Seed(cfg)) })
	if !strings.Contains(msg, "Orders_qty_positive") {
		t.Errorf("seeding rows the check refuses fails with %q; want it to name the check Orders_qty_positive", msg)
	}
}

// TestSeedRowsAreMizzleSeeds: the rows Seed writes are those mizzle seed
// writes with the same settings, though Seed plans from the migrated
// template read back and mizzle seed from the schema package loaded:
// both plans make the same values, table by table, column by column.
func TestSeedRowsAreMizzleSeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := seed.Config{
		Seed: 7,
		Tables: map[string]seed.Table{
			"Models": {Count: 3, With: map[string][]seed.Weighted{"Orders": {{Min: 1, Max: 3}}}},
			"Orders": {Columns: map[string]seed.Column{"quantity": {Range: &seed.Range{Min: 1, Max: 5}}}},
		},
	}
	loaded, err := loader.Load(ctx, loader.Config{Dir: "../examples/trading/schema"})
	if err != nil {
		t.Fatal(err)
	}
	pool := New(t, os.DirFS("../examples/trading"), Dir("migrations"), Seed(cfg))
	read, _, err := introspect.Inspect(ctx, pool, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	read.Tables = slices.DeleteFunc(read.Tables, func(t *schema.Table) bool { return t.Schema == "mizzle" })
	o, err := seedOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dump := func(m *schema.Model) string {
		p, err := iseed.New(m, o)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, tp := range p.Tables {
			fmt.Fprintf(&b, "# %s (%d rows): %s\n", tp.Name(), tp.Count, strings.Join(tp.Columns, ", "))
			rows := p.Rows(tp)
			for rows.Next() {
				vals, _ := rows.Values()
				for i, v := range vals {
					vals[i] = iseed.Text(v)
				}
				fmt.Fprintln(&b, vals...)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	if want, got := dump(loaded), dump(read); got != want {
		t.Errorf("Seed's rows:\n%s\nmizzle seed's:\n%s", got, want)
	}
	// And they are the rows in the database.
	var orders int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM "Orders"`).Scan(&orders); err != nil || !strings.Contains(dump(read), fmt.Sprintf("# public.Orders (%d rows)", orders)) {
		t.Errorf("%d orders in the database, %v; the plan says\n%s", orders, err, dump(read))
	}
}
