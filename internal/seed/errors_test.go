package seed_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/schema"
)

// col is a column of type typ ("text", "varchar(1)"...), NOT NULL unless
// typ ends in "?".
func col(name, typ string) *schema.Column {
	nullable := strings.HasSuffix(typ, "?")
	ty, err := schema.ParseType(strings.TrimSuffix(typ, "?"))
	if err != nil {
		panic(err)
	}
	return &schema.Column{Name: name, Type: ty, NotNull: !nullable}
}

func table(name string, cols ...*schema.Column) *schema.Table {
	return &schema.Table{Schema: "public", Name: name, Columns: cols}
}

func pk(t *schema.Table, cols ...string) *schema.Table {
	t.PrimaryKey = &schema.PrimaryKey{Name: t.Name + "_pkey", Columns: cols}
	return t
}

func unique(t *schema.Table, name string, cols ...string) *schema.Table {
	t.Uniques = append(t.Uniques, schema.Unique{Name: name, Columns: cols})
	return t
}

func fk(t *schema.Table, name, column, parent, ref string) *schema.Table {
	t.ForeignKeys = append(t.ForeignKeys, schema.ForeignKey{Name: name, Columns: []string{column}, RefSchema: "public", RefTable: parent, RefColumns: []string{ref}})
	return t
}

func model(tables ...*schema.Table) *schema.Model {
	m := &schema.Model{Tables: tables}
	m.Sort()
	return m
}

// TestImpossibleCounts: a count no unique space can hold is an error
// naming the table, the column and the constraint, from New.
func TestImpossibleCounts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		m     *schema.Model
		count int
		want  []string
	}{
		{"unique bool", model(unique(table("flags", col("on", "boolean")), "flags_on_key", "on")), 3,
			[]string{"table public.flags, column on:", "unique constraint flags_on_key on (on) allows 2 distinct rows", "asks for 3"}},
		{"varchar(1)", model(unique(table("codes", col("code", "varchar(1)")), "codes_code_key", "code")), 1000,
			[]string{"table public.codes, column code:", "codes_code_key", "allows 36 distinct rows", "asks for 1000"}},
		{"composite of small columns", model(unique(table("pairs", col("a", "boolean"), col("b", "boolean")), "pairs_a_b_key", "a", "b")), 5,
			[]string{"table public.pairs:", "pairs_a_b_key on (a, b) allows 4 distinct rows (2 values of a × 2 values of b)"}},
		{"one-to-one beyond the parent", model(
			pk(table("users", col("id", "bigserial")), "id"),
			fk(pk(table("profiles", col("user_id", "bigint")), "user_id"), "profiles_user_fk", "user_id", "users", "id")), 0,
			[]string{"table public.profiles, column user_id:", "profiles_pkey", "allows 5 distinct rows (5 rows of public.users)", "asks for 10"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := seed.Options{Count: tc.count}
			if tc.name == "one-to-one beyond the parent" {
				o.Tables = map[string]seed.Table{"users": {Count: 5}}
			}
			_, err := seed.New(tc.m, o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestBadOptions: options naming what the schema lacks, or contradicting
// it, are errors that name the place.
func TestBadOptions(t *testing.T) {
	m := model(
		pk(table("users", col("id", "bigserial"), col("email", "text"), col("bio", "text?"), col("score", "integer"), col("total", "integer")), "id"),
		fk(pk(table("posts", col("id", "bigserial"), col("user_id", "bigint")), "id"), "posts_user_fk", "user_id", "users", "id"),
	)
	m.Table("public", "users").Column("total").Generated = "score * 2"
	for _, tc := range []struct {
		name string
		o    seed.Options
		want string
	}{
		{"unknown table", seed.Options{Tables: map[string]seed.Table{"people": {}}}, `the seed settings name table "people", which the schema does not declare`},
		{"unknown column", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"mail": {Skip: true}}}}}, `table public.users: the seed settings name column "mail"`},
		{"only unknown", seed.Options{Only: []string{"users", "comments"}}, `"comments" is not a table of the schema`},
		{"negative count", seed.Options{Count: -1}, "count -1 is negative"},
		{"skip not null", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"email": {Skip: true}}}}}, "table public.users, column email: skipped, but it is NOT NULL without a default"},
		{"weights", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"email": {Values: []string{"a"}, Weights: []float64{1, 2}}}}}}, "column email: 2 weights for 1 values"},
		{"range on text", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"email": {Range: &seed.Range{Min: 1, Max: 2}}}}}}, "column email: a range is for number columns, and this one is text"},
		{"range too wide", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"score": {Range: &seed.Range{Min: 1, Max: 1e12}}}}}}, "column score: range 1 to 1e+12 does not fit integer"},
		{"values on generated", seed.Options{Tables: map[string]seed.Table{"users": {Columns: map[string]seed.Column{"total": {Values: []string{"1"}}}}}}, "column total: a generated column takes no values"},
		{"skipped key", seed.Options{Tables: map[string]seed.Table{"posts": {Columns: map[string]seed.Column{"user_id": {Skip: true}}}}}, "column user_id: skipped, but it is NOT NULL"},
		{"with and count", seed.Options{Tables: map[string]seed.Table{"users": {With: map[string][]seed.Weighted{"posts": {{Weight: 1, Min: 1, Max: 2}}}}, "posts": {Count: 3}}}, "table public.posts: both a count and the with of public.users set its rows"},
		{"with bad weight", seed.Options{Tables: map[string]seed.Table{"users": {With: map[string][]seed.Weighted{"posts": {{Weight: 1, Min: 3, Max: 2}}}}}}, "table public.users: with posts: a weighted range needs"},
		{"with no key", seed.Options{Tables: map[string]seed.Table{"posts": {With: map[string][]seed.Weighted{"users": {{Weight: 1, Min: 1, Max: 2}}}}}}, "table public.users: the with of public.posts sets its rows, but no foreign key of it references public.posts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := seed.New(m, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// TestCycles: a cycle of NOT NULL foreign keys is an error naming it; a
// cycle through a nullable key is written with NULLs there, then updated.
func TestCycles(t *testing.T) {
	notNull := model(
		fk(pk(table("a", col("id", "serial"), col("b_id", "integer")), "id"), "a_b_fk", "b_id", "b", "id"),
		fk(pk(table("b", col("id", "serial"), col("a_id", "integer")), "id"), "b_a_fk", "a_id", "a", "id"),
	)
	_, err := seed.New(notNull, seed.Options{})
	if err == nil || !strings.Contains(err.Error(), "a_b_fk (public.a → public.b), b_a_fk (public.b → public.a) form a cycle of NOT NULL columns") {
		t.Errorf("got %v", err)
	}

	nullable := model(
		fk(pk(table("teams", col("id", "serial"), col("lead_id", "integer?")), "id"), "teams_lead_fk", "lead_id", "people", "id"),
		fk(pk(table("people", col("id", "serial"), col("team_id", "integer")), "id"), "people_team_fk", "team_id", "teams", "id"),
	)
	conn := create(t, nullable)
	p, err := seed.New(nullable, seed.Options{Seed: 3, Count: 40})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(context.Background(), conn, p, seed.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	leads := count(t, conn, "SELECT count(*) FROM teams WHERE lead_id IS NOT NULL")
	if leads < 20 || leads == 40 {
		t.Errorf("%d of 40 teams have a lead after the update; want most, not all", leads)
	}
	if n := count(t, conn, "SELECT count(*) FROM people WHERE team_id IS NULL"); n != 0 {
		t.Errorf("%d people without a team", n)
	}
}

// TestCheckViolation: a check the generated rows break is reported by
// name with the columns to override, and the database is left as it was,
// the reset included; values from the options then satisfy it.
func TestCheckViolation(t *testing.T) {
	ctx := context.Background()
	orders := pk(table("orders", col("id", "bigint"), col("qty", "integer"), col("note", "text")), "id")
	orders.Checks = []schema.Check{{Name: "orders_qty_negative", Expr: "qty < 0"}}
	m := model(pk(table("accounts", col("id", "serial"), col("name", "text")), "id"), orders)
	conn := create(t, m)
	exec(t, conn, "INSERT INTO accounts (name) VALUES ('kept')")

	p, err := seed.New(m, seed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = seed.Load(ctx, conn, p, seed.LoadOptions{Reset: resetOf(t, conn, p)})
	var ce *seed.CheckError
	if !errors.As(err, &ce) || ce.Constraint != "orders_qty_negative" || strings.Join(ce.Columns, ",") != "qty" {
		t.Fatalf("got %v", err)
	}
	if want := "table public.orders: a generated row breaks check constraint orders_qty_negative (qty < 0), which mizzle cannot read: give column qty values (a fixed list or a range) in the seed options"; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if n := count(t, conn, "SELECT count(*) FROM accounts WHERE name = 'kept'"); n != 1 {
		t.Error("the failed seed's reset emptied accounts")
	}
	if n := count(t, conn, "SELECT count(*) FROM orders"); n != 0 {
		t.Error("the failed seed left rows")
	}

	p, err = seed.New(m, seed.Options{Tables: map[string]seed.Table{"orders": {Columns: map[string]seed.Column{"qty": {Range: &seed.Range{Min: -9, Max: -1}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, conn, p, seed.LoadOptions{Reset: resetOf(t, conn, p)}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, "SELECT count(*) FROM accounts WHERE name = 'kept'"); n != 0 {
		t.Error("reset kept the old row")
	}
	if n := count(t, conn, "SELECT max(id) FROM accounts"); n != 10 {
		t.Errorf("accounts' ids end at %d after the reset, want 10", n)
	}
}

// TestOnly fills some tables, taking foreign keys from rows already in
// the others; a NOT NULL foreign key to an empty table left out is an
// error before anything is written.
func TestOnly(t *testing.T) {
	ctx := context.Background()
	m := model(
		pk(table("users", col("id", "serial"), col("name", "text")), "id"),
		fk(pk(table("posts", col("id", "serial"), col("user_id", "integer"), col("title", "text")), "id"), "posts_user_fk", "user_id", "users", "id"),
		fk(pk(table("notes", col("id", "serial"), col("user_id", "integer?")), "id"), "notes_user_fk", "user_id", "users", "id"),
	)
	conn := create(t, m)
	p, err := seed.New(m, seed.Options{Only: []string{"posts", "notes"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = seed.Load(ctx, conn, p, seed.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "table public.posts: foreign key posts_user_fk references public.users, which this run does not fill and which holds no rows") {
		t.Fatalf("got %v", err)
	}
	if n := count(t, conn, "SELECT count(*) FROM notes"); n != 0 {
		t.Error("notes were written")
	}

	exec(t, conn, "INSERT INTO users (id, name) VALUES (7, 'a'), (9, 'b')")
	p, err = seed.New(m, seed.Options{Only: []string{"posts"}, Count: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, conn, p, seed.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, "SELECT count(DISTINCT user_id) FROM posts WHERE user_id IN (7, 9)"); n != 2 {
		t.Errorf("posts use %d of the 2 users", n)
	}
	if n := count(t, conn, "SELECT count(*) FROM users"); n != 2 {
		t.Error("users was written")
	}
}

// TestLoadIsAtomic: a table that fails after others were copied leaves
// every table as it was.
func TestLoadIsAtomic(t *testing.T) {
	ctx := context.Background()
	m := model(
		pk(table("a", col("id", "serial")), "id"),
		fk(pk(table("b", col("id", "serial"), col("a_id", "integer")), "id"), "b_a_fk", "a_id", "a", "id"),
	)
	conn := create(t, m)
	// A trigger the model does not know refuses b's rows.
	exec(t, conn, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused'; END$$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION refuse()`)
	p, err := seed.New(m, seed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, conn, p, seed.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "table public.b: ERROR: refused") {
		t.Fatalf("got %v", err)
	}
	if n := count(t, conn, "SELECT count(*) FROM a"); n != 0 {
		t.Errorf("a holds %d rows after the failed run", n)
	}
	if n := count(t, conn, "SELECT nextval(pg_get_serial_sequence('a', 'id'))"); n != 1 {
		t.Errorf("a's sequence moved to %d", n)
	}
}

func exec(t *testing.T, conn *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, s := range sqls {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestPartitionsAndPartialUniques: a row no partition takes is reported
// with the key's columns to set, and values from the options fit; a
// partial unique index is kept unique.
func TestPartitionsAndPartialUniques(t *testing.T) {
	ctx := context.Background()
	events := pk(table("events", col("id", "integer"), col("region", "text"), col("email", "text")), "id", "region")
	events.Partition = &schema.Partitioning{Strategy: schema.PartitionList, Columns: []string{"region"}, Partitions: []schema.Partition{
		{Name: "events_eu", Bound: "FOR VALUES IN ('eu')"}, {Name: "events_us", Bound: "FOR VALUES IN ('us')"},
	}}
	events.Indexes = []schema.Index{{Name: "events_email_live", Unique: true, Elements: []schema.IndexElem{{Column: "email"}, {Column: "region"}}, Where: "id > 0"}}
	m := model(events)
	conn := create(t, m)
	p, err := seed.New(m, seed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = seed.Load(ctx, conn, p, seed.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "table public.events: a generated row falls in no partition of the table: give the partition key's columns (region) values") {
		t.Fatalf("got %v", err)
	}
	p, err = seed.New(m, seed.Options{Count: 200, Tables: map[string]seed.Table{"events": {Columns: map[string]seed.Column{"region": {Values: []string{"eu", "us"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, conn, p, seed.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, "SELECT count(DISTINCT email) FROM events"); n != 200 {
		t.Errorf("%d distinct emails in 200 rows", n)
	}
}

// TestCycleThroughTimestamps: the foreign key filled after the rows are
// written keeps its values whatever the session's time zone, since
// timestamps go with their offset.
func TestCycleThroughTimestamps(t *testing.T) {
	m := model(
		fk(pk(table("teams", col("id", "serial"), col("lead_born", "timestamptz?")), "id"), "teams_lead_fk", "lead_born", "people", "born"),
		unique(fk(pk(table("people", col("id", "serial"), col("team_id", "integer"), col("born", "timestamptz")), "id"), "people_team_fk", "team_id", "teams", "id"), "people_born_key", "born"),
	)
	conn := create(t, m)
	exec(t, conn, "SET TimeZone = 'America/New_York'")
	p, err := seed.New(m, seed.Options{Count: 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(context.Background(), conn, p, seed.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, "SELECT count(*) FROM teams WHERE lead_born IS NOT NULL"); n < 10 {
		t.Errorf("%d of 20 teams have a lead", n)
	}
}

// TestWithThroughCycle: children hung on their parent by With cannot
// take the parent by a later UPDATE, so a cycle through that foreign key
// is refused by name.
func TestWithThroughCycle(t *testing.T) {
	m := model(
		fk(pk(table("teams", col("id", "serial"), col("lead_id", "integer")), "id"), "teams_lead_fk", "lead_id", "people", "id"),
		fk(pk(table("people", col("id", "serial"), col("team_id", "integer?")), "id"), "people_team_fk", "team_id", "teams", "id"),
	)
	_, err := seed.New(m, seed.Options{Tables: map[string]seed.Table{"teams": {With: map[string][]seed.Weighted{"people": {{Weight: 1, Min: 1, Max: 3}}}}}})
	if err == nil || !strings.Contains(err.Error(), "table public.people: the with of public.teams sets its rows, but its foreign key people_team_fk closes a cycle") {
		t.Errorf("got %v", err)
	}
}
