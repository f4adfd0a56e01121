package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

const seedSchema = `package schema

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Status of an order.
type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

//mizzle:table Models
type Model struct {
	ID        string    ` + "`db:\"id,pk\"`" + `
	Variant   string    ` + "`db:\"variant\"`" + `
	CreatedAt time.Time ` + "`db:\"createdAt,default:now()\"`" + `
}

//mizzle:table Orders
//mizzle:check Orders_qty_small (quantity < 10)
type Order struct {
	ID       uuid.UUID       ` + "`db:\"id,pk,default:gen_random_uuid()\"`" + `
	Seq      int64           ` + "`db:\"seq,identity,unique\"`" + `
	ModelID  string          ` + "`db:\"modelId,ref:Model.ID,ondelete:cascade\"`" + `
	Symbol   string          ` + "`db:\"symbol\"`" + `
	Quantity decimal.Decimal ` + "`db:\"quantity,type:numeric(18,8)\"`" + `
	Status   Status          ` + "`db:\"status,default:'OPEN'\"`" + `
	ClosedAt *time.Time      ` + "`db:\"closedAt\"`" + `
}
`

func (p *project) writeConfig(yaml string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, "mizzle.yaml"), []byte(yaml), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// seededProject is a project whose schema is pushed to a fresh database.
func seededProject(t *testing.T) (*project, string) {
	p := newProject(t, seedSchema)
	url := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	return p, url
}

// TestSeed runs mizzle seed end to end: a check the generated values
// break is named with the column to set, mizzle.yaml's range settles it,
// its counts count, and the same seed writes the same rows into another
// database.
func TestSeed(t *testing.T) {
	p, url := seededProject(t)
	code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url)
	if code != exitFailure || !strings.Contains(stderr, "seed failed, nothing was written: table public.Orders: a generated row breaks check constraint Orders_qty_small (quantity < 10), which mizzle cannot read: give column quantity values (a fixed list or a range) in the seed options") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Models"`); n != 0 {
		t.Errorf("the failed seed left %d models", n)
	}

	p.writeConfig("schema: schema\nseed:\n  count: 3\n  tables:\n    Models: 4\n    Orders:\n      count: 25\n      columns:\n        quantity: {min: 0.5, max: 9.5}\n        symbol: {values: [BTC, ETH], weights: [3, 1]}\n")
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--seed", "5")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"Seeded 29 rows in 2 tables in ", "(seed 5):\n", "  public.Models  4 rows\n", "  public.Orders 25 rows\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, stdout)
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Orders" WHERE symbol IN ('BTC', 'ETH') AND quantity BETWEEN 0.5 AND 9.5`); n != 25 {
		t.Errorf("%d of 25 orders follow mizzle.yaml's values", n)
	}
	// The identity's sequence follows the rows.
	if n := queryInt(t, url, `SELECT nextval(pg_get_serial_sequence('"Orders"', 'seq'))`); n != 26 {
		t.Errorf("the sequence of Orders.seq gives %d next, want 26", n)
	}

	// Again without --reset: the same keys are there already.
	code, _, stderr = p.run(".", "seed", "--database-url", url, "--seed", "5")
	if code != exitFailure || !strings.Contains(stderr, "a generated row has the key of a row the table already holds") || !strings.Contains(stderr, "reset it first") {
		t.Errorf("a second seed: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--seed", "5", "--reset")
	if code != exitOK || !strings.HasPrefix(stdout, "Emptied 2 tables first (RESTART IDENTITY CASCADE).\n") {
		t.Fatalf("--reset: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Orders"`); n != 25 {
		t.Errorf("%d orders after --reset, want 25", n)
	}

	// Another database, the same seed: the same rows (but createdAt,
	// which the database's now() fills).
	other := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "push", "--database-url", other); code != exitOK {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := p.run(".", "seed", "--database-url", other, "--seed", "5"); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	const digest = `SELECT md5(string_agg(o::text || m.variant, ',' ORDER BY o.id)) FROM "Orders" o JOIN "Models" m ON m.id = o."modelId"`
	if a, b := queryText(t, url, digest), queryText(t, other, digest); a != b {
		t.Errorf("the same seed wrote other rows into another database: %s, %s", a, b)
	}
	code, stdout, stderr = p.run(".", "seed", "--database-url", other, "--seed", "6", "--reset")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if a, b := queryText(t, url, digest), queryText(t, other, digest); a == b {
		t.Error("seed 6 wrote the rows of seed 5")
	}
}

// TestSeedYAMLWith: mizzle.yaml's with: makes each parent row's children,
// the weight left out being 1, and the children's count follows.
func TestSeedYAMLWith(t *testing.T) {
	p, url := seededProject(t)
	p.writeConfig("schema: schema\nseed:\n  tables:\n    Models:\n      count: 6\n      with:\n        Orders: [{min: 2, max: 2}, {weight: 0.000001, min: 9, max: 9}]\n    Orders:\n      columns:\n        quantity: {min: 1, max: 2}\n")
	code, stdout, stderr := p.run(".", "seed", "--database-url", url)
	if code != exitOK || !strings.Contains(stdout, "  public.Orders 12 rows\n") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM (SELECT "modelId" FROM "Orders" GROUP BY 1 HAVING count(*) = 2) s`); n != 6 {
		t.Errorf("%d of 6 models have 2 orders", n)
	}
}

// TestSeedOnly fills some tables, and refuses names that are not tables
// and a NOT NULL foreign key to an empty table left out.
func TestSeedOnly(t *testing.T) {
	p, url := seededProject(t)
	p.writeConfig("schema: schema\nseed:\n  tables:\n    Orders:\n      columns:\n        quantity: {min: 1, max: 2}\n")
	code, stdout, stderr := p.run(".", "seed", "--database-url", url, "--only", "Orders,Trades")
	if code != exitUsage || !strings.Contains(stderr, `--only: "Trades" is not a table of the schema`) {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--only", "Orders")
	if code != exitFailure || !strings.Contains(stderr, "foreign key Orders_modelId_Models_id_fk references public.Models, which this run does not fill and which holds no rows") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	execAll(t, url, `INSERT INTO "Models" (id, variant) VALUES ('m1', 'a'), ('m2', 'b')`)
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--only", "Orders", "--count", "30")
	if code != exitOK || !strings.Contains(stdout, "Seeded 30 rows in 1 table in ") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(DISTINCT "modelId") FROM "Orders"`); n != 2 {
		t.Errorf("the orders use %d of the 2 models", n)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Models"`); n != 2 {
		t.Errorf("--only Orders wrote models")
	}

	// --reset of the models empties the orders too, and says so.
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--only", "Models", "--reset")
	if code != exitOK || !strings.HasPrefix(stdout, "Emptied 1 table first, and by CASCADE public.Orders (RESTART IDENTITY CASCADE).\n") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Orders"`); n != 0 {
		t.Errorf("%d orders after the models' reset", n)
	}
}

// TestSeedBadInput: flags and mizzle.yaml settings that cannot be right
// are errors naming the flag or the line, and nothing is written.
func TestSeedBadInput(t *testing.T) {
	p, url := seededProject(t)
	code, _, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url, "--count", "0")
	if code != exitUsage || !strings.Contains(stderr, "--count 0: want at least 1 row per table") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"seed:\n  tables:\n    Orders:\n      cout: 3\n", `mizzle.yaml:5: unknown key "cout" (the keys are count, columns, with)`},
		{"seed:\n  tables:\n    Models:\n      with:\n        Orders: [{min: 1}]\n", "mizzle.yaml:6: with: Orders: a range of rows needs both min and max"},
		{"seed:\n  tables:\n    Models:\n      with:\n        Orders: []\n", "mizzle.yaml:6: with: Orders: want a list of ranges of rows"},
		{"seed:\n  tables:\n    Models:\n      with:\n        Orders: [{min: 1, max: 2, wieght: 3}]\n", `mizzle.yaml:6: unknown key "wieght" (the keys are weight, min, max)`},
		{"seed:\n  tables:\n    Models:\n      with:\n        Trades: [{min: 1, max: 2}]\n", `mizzle.yaml:5: seed: Models: with: "Trades" is not a table of the schema`},
		{"seed:\n  tables:\n    Models:\n      with:\n        Orders: [{weight: 0, min: 1, max: 2}]\n", "nothing was written: table public.Models: with Orders: a weighted range needs a weight above 0"},
		{"seed:\n  tables:\n    Orders:\n      columns:\n        symbol: {value: [a]}\n", `mizzle.yaml:6: unknown key "value" (the keys are skip, values, weights, min, max, nulls)`},
		{"seed:\n  tables:\n    Orders:\n      columns:\n        quantity: {min: 1}\n", "mizzle.yaml:6: a range needs both min and max"},
		{"seed:\n  tables:\n    Trades: 3\n", `mizzle.yaml:4: seed: "Trades" is not a table of the schema`},
		{"seed:\n  tables:\n    Orders:\n      columns:\n        price: {skip: true}\n", `nothing was written: table public.Orders: the seed settings name column "price", which the table does not have`},
		{"seed:\n  count: -2\n", "nothing was written: count -2 is negative"},
		{"seed:\n  cuont: 3\n", `mizzle.yaml:3: unknown key "cuont" (the keys are count, seed, tables, fixtures)`},
	} {
		p.writeConfig("schema: schema\n" + tc.yaml)
		code, stdout, stderr := p.run(".", "seed", "--database-url", url)
		if code == exitOK || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d\n%s%s", tc.yaml, code, stdout, stderr)
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Models"`); n != 0 {
		t.Errorf("%d models written", n)
	}
}

// TestSeedResetGuards: --reset empties tables, so it takes mizzle reset's
// guards: a database neither local nor the dev one is refused before
// connecting unless --force names it, and a table the schema does not
// declare that CASCADE would empty is named and kept unless --yes.
func TestSeedResetGuards(t *testing.T) {
	p, url := seededProject(t)
	p.writeConfig("schema: schema\nseed:\n  tables:\n    Orders:\n      columns:\n        quantity: {min: 1, max: 2}\n")

	code, stdout, stderr := p.run(".", "seed", "--database-url", url, "--force", "x")
	if code != exitUsage || !strings.Contains(stderr, "--force and --yes go with --reset") {
		t.Errorf("--force without --reset: exit %d\n%s%s", code, stdout, stderr)
	}
	remote := "postgres://app:s3cret-pw@db.example.com/shop"
	code, stdout, stderr = p.run(".", "seed", "--database-url", remote, "--reset")
	if code != exitFailure || !strings.Contains(stderr, "seed --reset refuses it, and changed nothing; to go ahead anyway, pass --force shop") {
		t.Errorf("remote --reset: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "s3cret-pw") {
		t.Errorf("the password was printed:\n%s%s", stdout, stderr)
	}

	if code, stdout, stderr := p.run(".", "seed", "--database-url", url, "--count", "3"); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	execAll(t, url, `CREATE TABLE audit (id int, model text REFERENCES "Models" (id))`,
		`INSERT INTO audit SELECT 1, id FROM "Models" LIMIT 1`)
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--reset", "--seed", "8")
	if code != exitFailure || !strings.Contains(stderr, `--reset's CASCADE also empties 1 table the schema does not declare, which references the tables seeded by foreign key, directly or through each other: "public"."audit"`) ||
		!strings.Contains(stderr, "Nothing was changed: run again with --yes to go ahead.") {
		t.Errorf("outside table: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM audit"); n != 1 {
		t.Errorf("the refused run emptied audit (%d rows)", n)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM "Models"`); n != 3 {
		t.Errorf("the refused run changed the models (%d rows)", n)
	}
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--reset", "--seed", "8", "--yes")
	if code != exitOK || !strings.HasPrefix(stdout, `Emptied 2 tables first, and by CASCADE "public"."audit" (RESTART IDENTITY CASCADE).`) {
		t.Errorf("--yes: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM audit"); n != 0 {
		t.Errorf("audit kept %d rows", n)
	}
}

func queryText(t *testing.T, url, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}
