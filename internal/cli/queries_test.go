package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/devdb"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
)

// queriesProject writes the archive testdata/queries/NAME.txtar as a
// module that builds against this checkout of mizzle.
func queriesProject(t *testing.T, name string) (dir string, env []string) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", "queries", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	dir, env = testmod.Write(t, ar)
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "GOFLAGS" || k == "GOPROXY" || k == "GOWORK") {
			t.Setenv(k, v)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600")
	t.Setenv("DATABASE_URL", "")
	// A cache of its own: each test says which server types its queries.
	t.Setenv("MIZZLE_CACHE", t.TempDir())
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "\nrequire github.com/mizzle/mizzle v0.0.0\n\nreplace github.com/mizzle/mizzle => "+root+"\n"...)
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, env
}

// TestGenerateQueriesEndToEnd generates a project's query package with
// its SQL files, typed on a scratch database of the server that
// --database-url names, then vets the module and runs its test, which
// calls every query method on a database migrated by mizzle migrate, then
// over that database as a primary with a streaming standby (pg.WithReplicas).
// The database --database-url names is left as it was, and a second run
// writes nothing.
func TestGenerateQueriesEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir, env := queriesProject(t, "e2e")
	t.Chdir(dir)

	appURL := pgtest.NewDatabase(t)
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	if _, err := app.Exec(ctx, "CREATE TABLE untouched (id int)"); err != nil {
		t.Fatal(err)
	}
	before := pgtest.Catalog(t, app)
	databases := func() []string {
		rows, _ := app.Query(ctx, "SELECT datname FROM pg_database ORDER BY 1")
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	dbsBefore := databases()

	args := []string{"generate", "--schema", "schema", "--query", "db", "--queries", "queries", "--database-url", appURL}
	code, stdout, stderr := runArgs(args...)
	if code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "db: query code for 2 tables and 7 SQL queries written.") || stderr != "Typing 7 SQL queries in a scratch database on the server of --database-url\n" {
		t.Errorf("stdout:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, appURL) {
		t.Errorf("the URL is printed:\n%s%s", stdout, stderr)
	}
	if diff := cmp.Diff(before, pgtest.Catalog(t, app)); diff != "" {
		t.Errorf("generate changed the database of --database-url (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(dbsBefore, databases()); diff != "" {
		t.Errorf("databases after generate (-before +after):\n%s", diff)
	}
	gen1, err := os.ReadFile(filepath.Join(dir, "db", "authors_sql.gen.go"))
	if err != nil {
		t.Fatal(err)
	}

	// Again, with the memo off: the same bytes, nothing written.
	code, stdout, stderr = runArgs(append(args, "--no-cache")...)
	if code != 0 || strings.Contains(stdout, "written") {
		t.Fatalf("second generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if gen2, _ := os.ReadFile(filepath.Join(dir, "db", "authors_sql.gen.go")); !bytes.Equal(gen1, gen2) {
		t.Error("a second run wrote other bytes")
	}

	runURL := pgtest.NewDatabase(t)
	if code, stdout, stderr := runArgs("migrate", "--database-url", runURL); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	goRun(t, dir, env, "vet", "./...")
	goRun(t, dir, append(env, "MIZZLE_E2E_DATABASE_URL="+runURL), "test", "-count=1", "-skip", "TestReplicas", "./...")

	// The methods over a primary and its streaming standby.
	primaryURL, standbyURL := pgtest.NewReplicatedDatabase(t)
	if code, stdout, stderr := runArgs("migrate", "--database-url", primaryURL); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	pgtest.CatchUp(t)
	goRun(t, dir, append(env, "MIZZLE_E2E_DATABASE_URL="+primaryURL, "MIZZLE_E2E_STANDBY_URL="+standbyURL), "test", "-count=1", "-run", "TestReplicas", "./...")

	// A run that writes nothing is remembered: the next one with the same
	// files needs no server (this one names none that answers), and one
	// whose query file changed does.
	if code, stdout, stderr := runArgs(args...); code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	noServer := append(args[:len(args)-1:len(args)-1], "postgres://postgres:s3cretpw@127.0.0.1:1/none?connect_timeout=5")
	code, stdout, stderr = runArgs(noServer...)
	if code != 0 || stdout != noChanges+"\n" {
		t.Errorf("generate with nothing changed: exit %d\n%s%s", code, stdout, stderr)
	}
	f, err := os.OpenFile(filepath.Join(dir, "queries", "authors.sql"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n-- name: CountAuthors :one\nSELECT count(*) FROM author;\n")
	f.Close()
	if code, stdout, stderr := runArgs(noServer...); code == 0 || !strings.Contains(stderr, "creating a scratch database") || strings.Contains(stdout+stderr, "s3cretpw") {
		t.Errorf("generate with a new query and no server: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestGenerateQueriesErrors: a query the server refuses is an error at the
// file's line and column, every query's at once, and nothing is written,
// neither the query code nor the migration. No --database-url, no dev
// database: the queries are typed on a throwaway cluster.
func TestGenerateQueriesErrors(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	t.Chdir(dir)
	bad := `-- name: Typo :many
SELECT id,
       nmae FROM author WHERE name = @name;

-- name: Fine :one
SELECT count(*) AS n FROM author;

-- name: BadType :many
SELECT id FROM author WHERE mood = @mood AND id = 'x';
`
	if err := os.WriteFile(filepath.Join(dir, "queries", "authors.sql"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runArgs("generate", "--schema", "schema", "--query", "db", "--queries", "queries")
	if code == 0 {
		t.Fatalf("generate succeeded:\n%s", stdout)
	}
	for _, want := range []string{
		"Typing 5 SQL queries in a scratch database on a throwaway cluster\n",
		`queries/authors.sql:3:8: column "nmae" does not exist`,
		`queries/authors.sql:9:51: invalid input syntax for type bigint: "x"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %s:\n%s", want, stderr)
		}
	}
	for _, d := range []string{"db", "migrations"} {
		if _, err := os.Stat(filepath.Join(dir, d)); !os.IsNotExist(err) {
			t.Errorf("%s was written: %v", d, err)
		}
	}

	// A mistake in the file itself stops generate before any server.
	os.WriteFile(filepath.Join(dir, "queries", "authors.sql"), []byte("-- name: lower :one\nSELECT 1\n"), 0o644)
	code, _, stderr = runArgs("generate", "--schema", "schema", "--query", "db", "--queries", "queries")
	if code == 0 || !strings.Contains(stderr, `queries/authors.sql:1:1: query name "lower" is not an exported Go identifier`) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

func TestGenerateQueriesUsage(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	t.Chdir(dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--queries", "queries"}, "--queries: the queries become methods of the query package: give --query DIR or set query: in mizzle.yaml"},
		{[]string{"--queries", "queries", "--no-query"}, "--queries and --no-query: choose one"},
		{[]string{"--query", "db", "--queries", "nowhere"}, "--queries nowhere: not a directory"},
	} {
		code, _, stderr := runArgs(append([]string{"generate", "--schema", "schema"}, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s", tc.args, code, stderr)
		}
	}
}

func goRun(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out.String())
	}
}

// TestGenerateQueriesOnDevCluster: with the dev database running, the
// queries are typed in a scratch database of its cluster, set up by
// queries: in mizzle.yaml; the dev database itself gets nothing, and no
// scratch database is left.
func TestGenerateQueriesOnDevCluster(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "mizzle.yaml"), []byte("schema: schema\nquery: db\nqueries: queries\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Cleanup(func() { pgtest.StopServer(t, filepath.Join(dir, devdb.Folder, "dev", "data")) })
	url, _, _ := startDev(t)
	conn := devConnect(t, url)
	before := pgtest.Catalog(t, conn)

	code, stdout, stderr := runArgs("generate")
	if code != 0 || !strings.Contains(stdout, "and 7 SQL queries written") || stderr != "Typing 7 SQL queries in a scratch database on the dev cluster\n" {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if diff := cmp.Diff(before, pgtest.Catalog(t, conn)); diff != "" {
		t.Errorf("generate changed the dev database (-before +after):\n%s", diff)
	}
	var left int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_database WHERE datname LIKE 'mizzle\\_queries\\_%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d scratch databases left (%v)", left, err)
	}
}

// TestGenerateQueriesOnly: with --no-migrations, the queries are typed on
// the schema as it is, which the migrations folder (empty here) does not
// hold yet: no migration is written, the query code is.
func TestGenerateQueriesOnly(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	t.Chdir(dir)
	code, stdout, stderr := runArgs("generate", "--schema", "schema", "--query", "db", "--queries", "queries", "--no-migrations")
	if code != 0 || stdout != "db: query code for 2 tables and 7 SQL queries written.\n" {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations")); !os.IsNotExist(err) {
		t.Errorf("a migration was written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "authors_sql.gen.go")); err != nil {
		t.Error(err)
	}
}
