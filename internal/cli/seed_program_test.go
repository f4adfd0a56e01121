package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// seedFuncSchema has a column made by a Go function and a fixture.
const seedFuncSchema = `package schema

import (
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/mizzle/mizzle/seed"
)

//mizzle:table models
type Model struct {
	ID   int64  ` + "`db:\"id,pk,identity\"`" + `
	Name string ` + "`db:\"name,unique\"`" + `
}

//mizzle:table trades
type Trade struct {
	ID      int64   ` + "`db:\"id,pk,identity\"`" + `
	ModelID int64   ` + "`db:\"model_id,ref:Model.ID\"`" + `
	Ticket  string  ` + "`db:\"ticket\"`" + `
	Memo    *string ` + "`db:\"memo\"`" + `
}

// Ticket makes a trade's ticket from its row and the column's stream.
func Ticket(r *rand.Rand, row int) string {
	if row == 2 && os.Getenv("TICKET_PANIC") != "" {
		panic("no ticket for row 2")
	}
	return fmt.Sprintf("T%03d-%d", row, r.IntN(1000000))
}

// NoMemo leaves every memo NULL.
func NoMemo(r *rand.Rand, row int) *string { return nil }

var Seed = seed.Config{
	Count: 3,
	Tables: map[string]seed.Table{
		"trades": {Count: 5, Columns: map[string]seed.Column{"ticket": {Func: Ticket}, "memo": {Func: NoMemo}}},
	},
	Fixtures: []string{"example.com/app/fixtures.DefaultModels", "example.com/app/fixtures.Trades"},
}
`

// seedFixtures are the fixtures' package: DefaultModels adds models
// after the generated ones (their ids follow), Trades reads what is
// there, and Fail and Panic fail when $FIXTURE_FAIL says so.
const seedFixtures = `package fixtures

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"
)

func DefaultModels(ctx context.Context, tx pgx.Tx) error {
	for _, name := range []string{"gpt-default", "claude-default"} {
		if _, err := tx.Exec(ctx, "INSERT INTO models (name) VALUES ($1)", name); err != nil {
			return err
		}
	}
	fmt.Println("default models written")
	return nil
}

func Trades(ctx context.Context, tx pgx.Tx) error {
	switch os.Getenv("FIXTURE_FAIL") {
	case "error":
		return errors.New("no trades file")
	case "panic":
		var m map[string]int
		m["x"] = 1
	case "url":
		fmt.Println("url:", os.Getenv("MIZZLE_SEED_DATABASE_URL"))
	}
	_, err := tx.Exec(ctx, "INSERT INTO trades (model_id, ticket) SELECT id, 'FIXTURE-' || name FROM models WHERE name LIKE '%-default'")
	return err
}

func NotAFixture(ctx context.Context) error { return nil }
`

// treeOf lists the files under dir.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// TestSeedGoFunctions runs mizzle seed with a column's Func and fixtures:
// the program built in the module writes the Func's values (the same for
// the same seed) and runs the fixtures after the rows, in the same
// transaction; nothing is left in the module; a fixture's error or panic
// rolls everything back and names the fixture at its reference; the URL
// never reaches the user code; --fixtures-only runs the fixtures alone.
func TestSeedGoFunctions(t *testing.T) {
	p, url := fixturesProject(t, seedFixtures)
	before := treeOf(t, p.dir)
	code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url, "--seed", "4")
	if code != exitOK {
		t.Fatalf("seed: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"Seeded 8 rows in 2 tables", "  public.trades 5 rows\n",
		"Ran 2 fixtures after them:\n  example.com/app/fixtures.DefaultModels\n  example.com/app/fixtures.Trades\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "default models written") {
		t.Errorf("the fixture's output is not on stderr:\n%s", stderr)
	}
	if after := treeOf(t, p.dir); !slices.Equal(before, after) {
		t.Errorf("seed changed the module's files:\n%v\n%v", before, after)
	}
	for _, c := range []struct {
		sql  string
		want int
	}{
		{`SELECT count(*) FROM trades WHERE ticket ~ '^T00[0-4]-[0-9]+$' AND memo IS NULL`, 5},
		{`SELECT count(*) FROM models WHERE name LIKE '%-default' AND id > 3`, 2},
		{`SELECT count(*) FROM trades WHERE ticket LIKE 'FIXTURE-%' AND id > 5`, 2},
	} {
		if n := queryInt(t, url, c.sql); n != c.want {
			t.Errorf("%s: %d, want %d", c.sql, n, c.want)
		}
	}
	const digest = `SELECT string_agg(ticket, ',' ORDER BY id) FROM trades WHERE id <= 5`
	first := queryText(t, url, digest)
	if code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url, "--seed", "4", "--reset"); code != exitOK {
		t.Fatalf("seed --reset: exit %d\n%s%s", code, stdout, stderr)
	}
	if again := queryText(t, url, digest); again != first {
		t.Errorf("the same seed gave the Func other values: %s, then %s", first, again)
	}

	// A fixture's error or panic rolls everything back, the reset
	// included, and names the fixture at its reference.
	for _, tc := range []struct{ fail, want string }{
		{"error", "schema/schema.go:41:63: seed failed, nothing was written: fixture example.com/app/fixtures.Trades: no trades file"},
		{"panic", "schema/schema.go:41:63: seed failed, nothing was written: fixture example.com/app/fixtures.Trades: panic: assignment to entry in nil map"},
	} {
		t.Setenv("FIXTURE_FAIL", tc.fail)
		code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url, "--seed", "9", "--reset")
		if code != exitFailure || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want %q\n%s%s", tc.fail, code, tc.want, stdout, stderr)
		}
		if got := queryText(t, url, digest); got != first {
			t.Errorf("%s: the failed run changed the trades: %s", tc.fail, got)
		}
	}
	// The URL is not in the program's environment by the time user code
	// runs.
	t.Setenv("FIXTURE_FAIL", "url")
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--reset")
	if code != exitOK || !strings.Contains(stderr, "url: \n") || strings.Contains(stdout+stderr, url) {
		t.Errorf("the URL reached the fixture or the output: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Setenv("FIXTURE_FAIL", "")

	// A Func's panic is an error at the column's setting.
	t.Setenv("TICKET_PANIC", "1")
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--reset")
	if want := "schema/schema.go:39:56: seed failed, nothing was written: table public.trades, column ticket: its Func panicked at row 2: no ticket for row 2"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("a Func's panic: exit %d, want %q\n%s%s", code, want, stdout, stderr)
	}
	t.Setenv("TICKET_PANIC", "")

	// --fixtures-only: the reset, then the fixtures alone.
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--fixtures-only", "--reset")
	if code != exitOK || !strings.HasPrefix(stdout, "Emptied 2 tables first (RESTART IDENTITY CASCADE).\nRan 2 fixtures in ") || strings.Contains(stdout, "Seeded") {
		t.Fatalf("--fixtures-only: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM trades`); n != 2 {
		t.Errorf("%d trades after --fixtures-only --reset, want the fixture's 2", n)
	}
	for _, args := range [][]string{{"--count", "3"}, {"--only", "trades"}, {"--seed", "1"}} {
		code, _, stderr := p.run(".", append([]string{"seed", "--schema", "schema", "--database-url", url, "--fixtures-only"}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "--fixtures-only writes no generated rows, so "+args[0]+" would do nothing") {
			t.Errorf("--fixtures-only %s: exit %d\n%s", args, code, stderr)
		}
	}
}

// fixturesProject is a project of seedFuncSchema whose package fixtures
// holds src, pushed to a new database, whose URL it returns.
func fixturesProject(t *testing.T, src string) (*project, string) {
	t.Helper()
	p := newProject(t, seedFuncSchema)
	if err := os.MkdirAll(filepath.Join(p.dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "fixtures", "fixtures.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	url := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	return p, url
}

// TestSeedFixtureChecks: a fixture that does not exist, is not a function
// or has another signature is an error at its reference before anything is
// built or written, from the Go settings and from mizzle.yaml.
func TestSeedFixtureChecks(t *testing.T) {
	p, url := fixturesProject(t, seedFixtures+"\nvar Value = 3\n")
	p.writeSchema(strings.Replace(seedFuncSchema, `"example.com/app/fixtures.Trades"}`,
		`"example.com/app/fixtures.NotAFixture", "example.com/app/fixtures.Missing", "example.com/app/fixtures.Value", "example.com/app/nowhere.Run"}`, 1))
	code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url)
	for _, want := range []string{
		"schema/schema.go:41:63: fixture example.com/app/fixtures.NotAFixture is func(ctx context.Context) error; it must be a func(ctx context.Context, tx pgx.Tx) error, pgx being github.com/jackc/pgx/v5",
		"schema/schema.go:41:103: fixture example.com/app/fixtures.Missing: package example.com/app/fixtures has no Missing",
		"schema/schema.go:41:139: fixture example.com/app/fixtures.Value: Value is not a function",
		"schema/schema.go:41:173: fixture example.com/app/nowhere.Run: package example.com/app/nowhere does not load: cannot find module providing package",
	} {
		if code != exitFailure || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, want %q\n%s%s", code, want, stdout, stderr)
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM models`); n != 0 {
		t.Errorf("%d models written", n)
	}

	// From mizzle.yaml, with a schema without Go settings.
	noSettings, _, _ := strings.Cut(seedFuncSchema, "// Ticket makes")
	p.writeSchema(strings.Replace(noSettings, "\t\"fmt\"\n\t\"math/rand/v2\"\n\t\"os\"\n\n\t\"github.com/mizzle/mizzle/seed\"\n", "", 1))
	p.writeConfig("schema: schema\nseed:\n  fixtures:\n    - example.com/app/fixtures.DefaultModels\n    - example.com/app/fixtures.Missing\n")
	code, stdout, stderr = p.run(".", "seed", "--database-url", url)
	if code != exitFailure || !strings.Contains(stderr, "mizzle.yaml:5: fixture example.com/app/fixtures.Missing: package example.com/app/fixtures has no Missing") {
		t.Errorf("mizzle.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
	p.writeConfig("schema: schema\nseed:\n  fixtures:\n    - example.com/app/fixtures.DefaultModels\n")
	code, stdout, stderr = p.run(".", "seed", "--database-url", url)
	if code != exitOK || !strings.Contains(stdout, "Ran 1 fixture after them:\n  example.com/app/fixtures.DefaultModels\n") {
		t.Errorf("mizzle.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM models WHERE name LIKE '%-default'`); n != 2 {
		t.Errorf("%d default models after the fixture from mizzle.yaml", n)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"seed:\n  fixtures:\n    - fixtures.Run\n    - fixtures.Run\n", "mizzle.yaml:5: fixture fixtures.Run is listed already, at line 4"},
		{"seed:\n  fixtures:\n    - Run\n", `mizzle.yaml:4: fixture "Run": want "import/path.Function"`},
		{"seed:\n  fixtures:\n    - {a: b}\n", "mizzle.yaml:4: a fixture is named by a string"},
	} {
		p.writeConfig("schema: schema\n" + tc.yaml)
		code, stdout, stderr := p.run(".", "seed", "--database-url", url)
		if code == exitOK || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d\n%s%s", tc.yaml, code, stdout, stderr)
		}
	}
}

// TestSeedProgramSkew: a module whose mizzle has no seed/seedrun, or one
// that speaks another protocol, is an error saying how to align the two
// versions, and nothing is written.
func TestSeedProgramSkew(t *testing.T) {
	seedSrc, err := os.ReadFile(filepath.Join("..", "..", "seed", "seed.go"))
	if err != nil {
		t.Fatal(err)
	}
	p, url := fixturesProject(t, seedFixtures)
	// Another mizzle: its seed package, and a seedrun or none.
	other := filepath.Join(p.dir, "othermizzle")
	write := func(name, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(other, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module github.com/mizzle/mizzle\n\ngo 1.26\n")
	write("seed/seed.go", string(seedSrc))
	gomod := filepath.Join(p.dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(data), "replace github.com/mizzle/mizzle => ")
	if !ok {
		t.Fatalf("go.mod does not replace mizzle:\n%s", data)
	}
	if err := os.WriteFile(gomod, []byte(head+"replace github.com/mizzle/mizzle => ./othermizzle\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := p.run(".", "seed", "--schema", "schema", "--database-url", url, "--no-cache")
	if code != exitFailure || !strings.Contains(stderr, "nothing was written: the module's mizzle is another version than this mizzle's: it has no github.com/mizzle/mizzle/seed/seedrun this mizzle builds on") ||
		!strings.Contains(stderr, `run "go get github.com/mizzle/mizzle@`) {
		t.Errorf("no seedrun: exit %d\n%s%s", code, stdout, stderr)
	}

	// A seedrun of another protocol answers with its own.
	write("seed/seedrun/seedrun.go", `package seedrun

import "os"

type Program struct{}

func New() *Program { return &Program{} }

func Column[F any](p *Program, table, column string, f F) {}

func (p *Program) Fixture(ref string, f any) {}

func (p *Program) Main() {
	os.WriteFile(os.Getenv("MIZZLE_SEED_RESULT"), []byte(`+"`"+`{"Protocol": 0, "Error": "what?"}`+"`"+`), 0o600)
}
`)
	write("seed/seedrun/tx.go", "package seedrun\n")
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--no-cache")
	if code != exitFailure || !strings.Contains(stderr, "the module's mizzle is another version than this mizzle's: its seed program speaks protocol 0, and this mizzle 1") {
		t.Errorf("another protocol: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM models`); n != 0 {
		t.Errorf("%d models written", n)
	}
}

// TestSeedFixtureTypedQueries is the case fixtures are for: a fixture in
// its own package writes default rows with the typed query package
// generated from the schema, which imports the schema package, itself
// naming the fixture; mizzle seed builds it all and runs it after the
// generated rows.
func TestSeedFixtureTypedQueries(t *testing.T) {
	p := newProject(t, `package schema

import "github.com/mizzle/mizzle/seed"

//mizzle:table models
type Model struct {
	ID      string `+"`db:\"id,pk\"`"+`
	Variant string `+"`db:\"variant\"`"+`
}

var Seed = seed.Config{Count: 3, Fixtures: []string{"example.com/app/fixtures.DefaultModels"}}
`)
	p.writeConfig("schema: schema\nmigrations: migrations\nquery: db\n")
	if code, stdout, stderr := p.run(".", "generate"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := os.MkdirAll(filepath.Join(p.dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	fixtures := `package fixtures

import (
	"context"

	"github.com/jackc/pgx/v5"

	"example.com/app/db"
	"example.com/app/schema"
)

// DefaultModels writes the models every installation starts with.
func DefaultModels(ctx context.Context, tx pgx.Tx) error {
	q := db.New(tx)
	for _, m := range []schema.Model{{ID: "gpt-default", Variant: "base"}, {ID: "claude-default", Variant: "base"}} {
		if _, err := q.Models.Insert(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
`
	if err := os.WriteFile(filepath.Join(p.dir, "fixtures", "fixtures.go"), []byte(fixtures), 0o644); err != nil {
		t.Fatal(err)
	}
	url := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := p.run(".", "seed", "--database-url", url)
	if code != exitOK || !strings.Contains(stdout, "  public.models 3 rows\nRan 1 fixture after them:\n  example.com/app/fixtures.DefaultModels\n") {
		t.Fatalf("seed: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM models`); n != 5 {
		t.Errorf("%d models, want 3 generated and 2 from the fixture", n)
	}
}
