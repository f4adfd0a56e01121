package migrations_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// planModel is a small model: an enum and a table using it, with a
// column the tests drop or change.
func planModel() *schema.Model {
	return &schema.Model{
		Enums: []*schema.Enum{{Schema: "public", Name: "status", Values: []string{"OPEN", "CLOSED"}}},
		Tables: []*schema.Table{{
			Schema: "public", Name: "orders",
			Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
				{Name: "status", Type: schema.Type{Schema: "public", Name: "status"}, NotNull: true},
				{Name: "note", Type: schema.Type{Name: "text"}},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "orders_pkey", Columns: []string{"id"}},
		}},
	}
}

// TestNewPlan checks what a plan holds without a database: the differ's
// changes, their statements, and one warning risk per warned statement,
// pointing at it.
func TestNewPlan(t *testing.T) {
	from := planModel()
	to := planModel()
	orders := to.Tables[0]
	// note goes, with a warning; memo comes, without one.
	orders.Columns = append(orders.Columns[:2], &schema.Column{Name: "memo", Type: schema.Type{Name: "text"}})
	to.Tables = append(to.Tables, &schema.Table{Schema: "public", Name: "fills", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
	}})

	p, err := migrations.NewPlan(from, to, migrations.Options{DropAndAdd: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Empty() {
		t.Fatal("Empty() = true for a plan with changes")
	}
	if p.From != from || p.To != to {
		t.Error("the plan does not hold the models it was made from")
	}
	changes, err := migrations.Diff(from, to, migrations.Options{DropAndAdd: true})
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(changes, p.Changes); diff != "" {
		t.Errorf("changes differ from Diff's (-Diff +plan):\n%s", diff)
	}
	if diff := cmp.Diff(stmts, p.Statements); diff != "" {
		t.Errorf("statements differ from SQL's (-SQL +plan):\n%s", diff)
	}
	var want []migrations.Risk
	for i, s := range stmts {
		if s.Warning != "" {
			want = append(want, migrations.Risk{Kind: migrations.RiskWarning, Statement: i, Message: s.Warning, Rows: -1})
		}
	}
	if len(want) != 1 || !strings.Contains(want[0].Message, `drops column "note"`) {
		t.Fatalf("the case should warn once, about the dropped column: %v", want)
	}
	if diff := cmp.Diff(want, p.Risks); diff != "" {
		t.Errorf("risks (-want +got):\n%s", diff)
	}
	if got := p.RisksOf(migrations.RiskWarning); len(got) != 1 || got[0].String() != want[0].Message {
		t.Errorf("RisksOf(RiskWarning) = %v", got)
	}
	if got := p.RisksOf(migrations.RiskLoss); len(got) != 0 {
		t.Errorf("RisksOf(RiskLoss) = %v before Assess; want none", got)
	}
}

// TestNewPlanEmpty checks that a model planned against itself is empty,
// and that a nil model is an empty database.
func TestNewPlanEmpty(t *testing.T) {
	m := planModel()
	p, err := migrations.NewPlan(m, m, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() || len(p.Statements) != 0 || len(p.Risks) != 0 {
		t.Errorf("plan of a model against itself: empty %v, %d statements, %d risks", p.Empty(), len(p.Statements), len(p.Risks))
	}

	p, err = migrations.NewPlan(nil, m, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, p.Statements); diff != "" {
		t.Errorf("the plan from nil is not Create's (-Create +plan):\n%s", diff)
	}
	if p.From == nil || len(p.From.Tables) != 0 {
		t.Errorf("From = %v; want an empty model", p.From)
	}
}

// TestNewPlanErrors checks that the differ's errors come back as they
// are: an ambiguity as an *AmbiguityError a command can explain, a model
// the differ cannot match by name as an error naming it.
func TestNewPlanErrors(t *testing.T) {
	from := planModel()
	to := planModel()
	to.Tables[0].Columns[2].Name = "memo"
	_, err := migrations.NewPlan(from, to, migrations.Options{})
	var ae *migrations.AmbiguityError
	if !errors.As(err, &ae) || len(ae.Ambiguities) != 1 || ae.Ambiguities[0].Name.Name != "memo" {
		t.Errorf("NewPlan with a vanished and a new column: %v; want an *AmbiguityError about memo", err)
	}

	bad := planModel()
	bad.Tables = append(bad.Tables, bad.Tables[0])
	if _, err := migrations.NewPlan(from, bad, migrations.Options{}); err == nil || !strings.Contains(err.Error(), "new model") {
		t.Errorf("NewPlan to a model with a table twice: %v; want an error about the new model", err)
	}
}

// assessSetup is the database the Assess tests plan against. The table's
// name needs quoting, so a count that did not quote it would fail.
const assessSetup = `
CREATE TYPE status AS ENUM ('OPEN', 'CLOSED', 'HELD');
CREATE TABLE "Or""ders" (
	id bigint PRIMARY KEY,
	note text,
	sym text,
	qty numeric(18,8) NOT NULL,
	status status NOT NULL,
	tags status[],
	memo text,
	CONSTRAINT orders_qty_check CHECK (qty > 0)
);
CREATE UNIQUE INDEX orders_memo_idx ON "Or""ders" (memo);
CREATE INDEX orders_sym_idx ON "Or""ders" (sym);
CREATE TABLE gone (id integer);
CREATE TABLE empty (id integer);
INSERT INTO gone VALUES (1), (2), (3);
CREATE TABLE log (at integer) PARTITION BY RANGE (at);
CREATE TABLE log_old PARTITION OF log FOR VALUES FROM (0) TO (10);
CREATE TABLE log_new PARTITION OF log FOR VALUES FROM (10) TO (20);
INSERT INTO log VALUES (1), (2), (11);
INSERT INTO "Or""ders" VALUES
	(1, 'a', 'BTC', 1, 'OPEN', '{HELD}', NULL),
	(2, NULL, 'ETH', 2, 'CLOSED', NULL, 'x'),
	(3, NULL, 'SOL', 3, 'CLOSED', '{CLOSED,HELD}', NULL);
`

// TestAssess plans changes against a database with rows and checks what
// Assess makes of each risk: a count where rows are at stake, a refusal
// where the rows cannot take the statement, nothing where no row is at
// stake, and the warnings no count settles left as they are.
func TestAssess(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, assessSetup); err != nil {
		t.Fatal(err)
	}
	db, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const orders = `"public"."Or""ders"`
	col := func(m *schema.Model, name string) *schema.Column { return m.Table("public", `Or"ders`).Column(name) }
	tests := []struct {
		name string
		edit func(m *schema.Model)
		want []migrations.Risk // Statement is not compared
	}{
		{
			name: "drop a table with rows",
			edit: func(m *schema.Model) {
				m.Tables = slices.DeleteFunc(m.Tables, func(t *schema.Table) bool { return t.Name == "gone" })
			},
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: 3, Message: `drops table "public"."gone" with 3 rows`}},
		},
		{
			name: "drop a partition with rows, give one a new bound",
			edit: func(m *schema.Model) {
				p := m.Table("public", "log").Partition
				p.Partitions = slices.DeleteFunc(p.Partitions, func(p schema.Partition) bool { return p.Name == "log_old" })
				p.Partition("log_new").Bound = "FOR VALUES FROM (10) TO (30)"
			},
			want: []migrations.Risk{
				{Kind: migrations.RiskLoss, Rows: 1, Message: `drops partition "public"."log_new" of "public"."log" with 1 row`},
				{Kind: migrations.RiskLoss, Rows: 2, Message: `drops partition "public"."log_old" of "public"."log" with 2 rows`},
			},
		},
		{
			name: "drop an empty table",
			edit: func(m *schema.Model) {
				m.Tables = slices.DeleteFunc(m.Tables, func(t *schema.Table) bool { return t.Name == "empty" })
			},
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: 0, Message: `drops table "public"."empty" with 0 rows`}},
		},
		{
			name: "drop a column holding values",
			edit: func(m *schema.Model) {
				t := m.Table("public", `Or"ders`)
				t.Columns = slices.DeleteFunc(t.Columns, func(c *schema.Column) bool { return c.Name == "note" })
			},
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: 1, Message: `drops column "note" of ` + orders + `, losing the values of 1 row`}},
		},
		{
			name: "set NOT NULL over NULLs",
			edit: func(m *schema.Model) { col(m, "note").NotNull = true },
			want: []migrations.Risk{{Kind: migrations.RiskRefusal, Rows: 2, Message: `cannot set NOT NULL on "note" of ` + orders + `: 2 rows hold NULL there`}},
		},
		{
			name: "set NOT NULL where no row holds NULL",
			edit: func(m *schema.Model) { col(m, "sym").NotNull = true },
		},
		{
			name: "add a NOT NULL column without a default to a table with rows",
			edit: func(m *schema.Model) {
				t := m.Table("public", `Or"ders`)
				t.Columns = append(t.Columns, &schema.Column{Name: "venue", Type: schema.Type{Name: "text"}, NotNull: true})
			},
			want: []migrations.Risk{{Kind: migrations.RiskRefusal, Rows: 3, Message: `cannot add NOT NULL column "venue" without a default to ` + orders + `: it has 3 rows`}},
		},
		{
			name: "add a NOT NULL column without a default to an empty table",
			edit: func(m *schema.Model) {
				t := m.Table("public", "empty")
				t.Columns = append(t.Columns, &schema.Column{Name: "venue", Type: schema.Type{Name: "text"}, NotNull: true})
			},
		},
		{
			name: "narrow a type",
			edit: func(m *schema.Model) { col(m, "qty").Type = schema.Type{Name: "integer"} },
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: 3, Message: `changes the type of "qty" in ` + orders + ` from numeric(18,8) to integer, converting 3 rows`}},
		},
		{
			name: "widen a type",
			edit: func(m *schema.Model) { col(m, "qty").Type = schema.Type{Name: "numeric", Mod: "20,8"} },
		},
		{
			name: "remove an enum value rows use, in a column and in an array",
			edit: func(m *schema.Model) { m.Enum("public", "status").Values = []string{"CLOSED", "HELD"} },
			want: []migrations.Risk{
				{Kind: migrations.RiskRefusal, Rows: 1, Message: `cannot remove 'OPEN' from enum "public"."status": 1 row of ` + orders + ` uses it in "status"`},
			},
		},
		{
			name: "remove enum values arrays use",
			edit: func(m *schema.Model) { m.Enum("public", "status").Values = []string{"OPEN", "CLOSED"} },
			want: []migrations.Risk{
				{Kind: migrations.RiskRefusal, Rows: 2, Message: `cannot remove 'HELD' from enum "public"."status": 2 rows of ` + orders + ` use it in "tags"`},
			},
		},
		{
			name: "reorder an enum's values",
			edit: func(m *schema.Model) { m.Enum("public", "status").Values = []string{"CLOSED", "OPEN", "HELD"} },
			want: []migrations.Risk{{Kind: migrations.RiskWarning, Rows: -1,
				Message: `recreates enum "public"."status" to reorder its values; the columns using it are rewritten`}},
		},
		{
			name: "drop a unique index the schema does not declare",
			edit: func(m *schema.Model) { m.Table("public", `Or"ders`).Indexes = m.Table("public", `Or"ders`).Indexes[1:] },
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: -1,
				Message: `drops unique index "public"."orders_memo_idx" on ` + orders + `, which the schema does not declare`}},
		},
		{
			name: "rebuild an index to another definition",
			edit: func(m *schema.Model) {
				m.Table("public", `Or"ders`).Indexes[1].Elements = []schema.IndexElem{{Column: "sym", Desc: true}}
			},
		},
		{
			name: "drop a check the schema does not declare",
			edit: func(m *schema.Model) { m.Table("public", `Or"ders`).Checks = nil },
			want: []migrations.Risk{{Kind: migrations.RiskLoss, Rows: -1,
				Message: `drops check constraint "orders_qty_check" of ` + orders + `, which the schema does not declare`}},
		},
		{
			name: "rebuild a check to another definition",
			edit: func(m *schema.Model) { m.Table("public", `Or"ders`).Checks[0].Expr = "qty >= 1" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := db.Clone()
			tt.edit(to)
			p, err := migrations.NewPlan(db, to, migrations.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Empty() {
				t.Fatal("the edit changed nothing")
			}
			if err := p.Assess(ctx, conn); err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Risks {
				if r.Statement < 0 || r.Statement >= len(p.Statements) {
					t.Fatalf("risk %q points at statement %d of %d", r, r.Statement, len(p.Statements))
				}
			}
			got := slices.Clone(p.Risks)
			for i := range got {
				got[i].Statement = 0
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("risks after Assess (-want +got):\n%s\nstatements:\n%s", diff, planText(p))
			}
			// Assess starts from the statements: a second call agrees.
			before := slices.Clone(p.Risks)
			if err := p.Assess(ctx, conn); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, p.Risks); diff != "" {
				t.Errorf("a second Assess differs (-first +second):\n%s", diff)
			}
		})
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM "Or""ders" WHERE note IS NULL`).Scan(&n); err != nil || n != 2 {
		t.Errorf("after Assess: %d rows with a NULL note, %v; want the 2 of the setup", n, err)
	}
}

// TestAssessRisksPointAtStatements checks that a risk names the statement
// of its own change when a plan has several.
func TestAssessRisksPointAtStatements(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, assessSetup); err != nil {
		t.Fatal(err)
	}
	db, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	to := db.Clone()
	to.Tables = slices.DeleteFunc(to.Tables, func(t *schema.Table) bool { return t.Name == "gone" })
	orders := to.Table("public", `Or"ders`)
	orders.Column("note").NotNull = true
	orders.Columns = slices.DeleteFunc(orders.Columns, func(c *schema.Column) bool { return c.Name == "memo" })
	orders.Indexes = slices.DeleteFunc(orders.Indexes, func(ix schema.Index) bool { return ix.Name == "orders_memo_idx" })
	p, err := migrations.NewPlan(db, to, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Assess(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if len(p.Risks) != 4 {
		t.Fatalf("%d risks; want 4 (index, table, column, NOT NULL):\n%v\n%s", len(p.Risks), p.Risks, planText(p))
	}
	for _, r := range p.Risks {
		s := p.Statements[r.Statement].SQL
		var want string
		switch {
		case strings.HasPrefix(r.Message, "drops unique index"):
			want = `DROP INDEX "public"."orders_memo_idx"`
		case strings.HasPrefix(r.Message, "drops table"):
			want = `DROP TABLE "public"."gone"`
		case strings.HasPrefix(r.Message, "drops column"):
			want = `DROP COLUMN "memo"`
		case strings.HasPrefix(r.Message, "cannot set NOT NULL"):
			want = `ALTER COLUMN "note" SET NOT NULL`
		}
		if want == "" || !strings.Contains(s, want) {
			t.Errorf("risk %q points at %s", r, s)
		}
	}
	if i := slices.IndexFunc(p.Risks, func(r migrations.Risk) bool { return r.Kind == migrations.RiskRefusal }); i < 0 || p.Risks[i].Rows != 2 {
		t.Errorf("RisksOf(RiskRefusal) = %v; want the NOT NULL one with 2 rows", p.RisksOf(migrations.RiskRefusal))
	}
}

// TestAssessError plans from a model that says a table exists which the
// database does not have: the count fails, Assess says so and the plan's
// risks are left as NewPlan made them.
func TestAssessError(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	from := planModel()
	from.Tables = append(from.Tables, &schema.Table{Schema: "public", Name: "ghost", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}})
	p, err := migrations.NewPlan(from, planModel(), migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(p.Risks)
	err = p.Assess(ctx, conn)
	if err == nil || !strings.Contains(err.Error(), `relation "public.ghost" does not exist`) {
		t.Errorf("Assess counting a missing table: %v; want the server's error", err)
	}
	if diff := cmp.Diff(before, p.Risks); diff != "" {
		t.Errorf("a failed Assess changed the risks (-before +after):\n%s", diff)
	}
}

// TestAssessMismatch checks that a plan whose statements are not those of
// its changes (a plan put together by hand) is refused before anything is
// counted, rather than assessed against the wrong statements.
func TestAssessMismatch(t *testing.T) {
	conn := pgtest.Connect(t)
	p, err := migrations.NewPlan(nil, planModel(), migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*migrations.Plan{
		{Statements: p.Statements},
		{Changes: p.Changes, Statements: p.Statements[1:]},
		{Changes: p.Changes[1:], Statements: p.Statements},
	} {
		if err := bad.Assess(context.Background(), conn); err == nil || !strings.Contains(err.Error(), "do not spell its") {
			t.Errorf("Assess of %d changes and %d statements: %v; want a mismatch", len(bad.Changes), len(bad.Statements), err)
		}
	}
}

func TestRiskKindString(t *testing.T) {
	for k, want := range map[migrations.RiskKind]string{
		migrations.RiskWarning: "warning", migrations.RiskLoss: "loss", migrations.RiskRefusal: "refusal", 0: "RiskKind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("RiskKind(%d).String() = %q; want %q", uint8(k), got, want)
		}
	}
}

func planText(p *migrations.Plan) string {
	var b strings.Builder
	for i, s := range p.Statements {
		fmt.Fprintf(&b, "  %d %s\n", i, s.SQL)
	}
	return b.String()
}

// A plan between two models holds the statements that turn one into the
// other and what they risk. With a database at hand, Plan.Assess would
// count the rows at stake.
func ExampleNewPlan() {
	text := schema.Type{Name: "text"}
	from := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "orders", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
		{Name: "note", Type: text},
	}}}}
	to := from.Clone()
	to.Tables[0].Columns[1] = &schema.Column{Name: "venue", Type: text, NotNull: true, Default: "'NYSE'"}

	p, err := migrations.NewPlan(from, to, migrations.Options{DropAndAdd: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Statements {
		fmt.Println(s.SQL)
	}
	for _, r := range p.Risks {
		fmt.Printf("%s: %s\n", r.Kind, r)
	}
	// Output:
	// ALTER TABLE "public"."orders" DROP COLUMN "note";
	// ALTER TABLE "public"."orders" ADD COLUMN "venue" text DEFAULT 'NYSE' NOT NULL;
	// warning: drops column "note" of "public"."orders" and the data in it
}
