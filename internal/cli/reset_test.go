package cli

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

const resetSchema = `package schema

//mizzle:table users
type User struct {
	ID   int64  ` + "`db:\"id,pk,identity\"`" + `
	Name string ` + "`db:\"name\"`" + `
}

//mizzle:table posts
//mizzle:schema app
type Post struct {
	ID     int64 ` + "`db:\"id,pk,identity\"`" + `
	UserID int64 ` + "`db:\"user_id,ref:User.ID\"`" + `
}
`

// resetProject is a project whose migrations are generated from
// resetSchema and applied to a new database, with rows in its tables and
// in three tables the schema does not declare: audit references users,
// audit_note references audit, and other references nothing.
func resetProject(t *testing.T) (*project, string) {
	t.Helper()
	p := newProject(t, resetSchema)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema", "--migrations", "migrations"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", url, "--migrations", "migrations"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}
	execAll(t, url,
		`INSERT INTO users (name) VALUES ('a'), ('b')`,
		`INSERT INTO app.posts (user_id) VALUES (1), (2)`,
		`CREATE SCHEMA side`,
		`CREATE TABLE side.audit (id int PRIMARY KEY, user_id bigint REFERENCES public.users)`,
		`CREATE TABLE audit_note (audit_id int REFERENCES side.audit)`,
		`CREATE TABLE other (x int)`,
		`INSERT INTO side.audit VALUES (1, 1)`, `INSERT INTO audit_note VALUES (1)`, `INSERT INTO other VALUES (1)`)
	return p, url
}

// rowCounts counts the rows of every table outside the system schemas and
// the history's.
func rowCounts(t *testing.T, url string) map[string]int {
	t.Helper()
	conn := dbConn(t, url)
	rows, err := conn.Query(context.Background(), `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'mizzle') AND n.nspname NOT LIKE 'pg\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	out := map[string]int{}
	for _, n := range names {
		out[n] = queryInt(t, url, "SELECT count(*) FROM "+n)
	}
	return out
}

// TestResetTruncate: reset lists the schema's tables and, as CASCADE
// reaches them, the two tables outside the schema that reference them; it
// refuses to go on without --yes off a terminal, or when the answer is no,
// changing nothing; with --yes it empties exactly the tables it listed,
// and identity starts again.
func TestResetTruncate(t *testing.T) {
	p, url := resetProject(t)
	before := rowCounts(t, url)

	code, stdout, stderr := p.run(".", "reset", "--schema", "schema", "--database-url", url)
	wantCascade := `CASCADE also empties 2 tables the schema does not declare, which reference them by foreign key, directly or through each other: "public"."audit_note", "side"."audit"`
	if code != exitFailure || !strings.Contains(stderr, wantCascade) || !strings.Contains(stderr, "--yes") {
		t.Errorf("without --yes: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "Emptying 2 tables of the schema:\n  \"app\".\"posts\"\n  \"public\".\"users\"\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	p.answers = []string{"n"}
	if code, _, stderr := p.run(".", "reset", "--schema", "schema", "--database-url", url); code != exitFailure || !strings.Contains(stderr, "Empty them too? [y/N] Nothing was changed.") {
		t.Errorf("answered no: exit %d\n%s", code, stderr)
	}
	p.answers = nil
	if after := rowCounts(t, url); !mapsEqual(before, after) {
		t.Fatalf("a refused reset changed rows: %v, then %v", before, after)
	}

	code, stdout, stderr = p.run(".", "reset", "--schema", "schema", "--database-url", url, "--yes")
	if code != exitOK || !strings.HasSuffix(stdout, "Emptied 4 tables; identity columns and owned sequences start again.\n") {
		t.Fatalf("with --yes: exit %d\n%s%s", code, stdout, stderr)
	}
	// What was emptied is exactly what was listed.
	after := rowCounts(t, url)
	var emptied []string
	for n, c := range before {
		if c > 0 && after[n] == 0 {
			emptied = append(emptied, n)
		}
	}
	slices.Sort(emptied)
	if want := []string{"app.posts", "public.audit_note", "public.users", "side.audit"}; !slices.Equal(emptied, want) {
		t.Errorf("emptied %q, want %q (other keeps its row: %d)", emptied, want, after["public.other"])
	}
	execAll(t, url, `INSERT INTO users (name) VALUES ('c')`)
	if id := queryInt(t, url, `SELECT id FROM users`); id != 1 {
		t.Errorf("the first user after reset has id %d, want 1", id)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestResetRefusesRemote: a database that is neither local nor the dev
// database is refused before any connection, naming --force and the
// database, never the password; --force naming another database is a
// usage error; --force naming the URL's database is accepted.
func TestResetRefusesRemote(t *testing.T) {
	p := newProject(t, resetSchema)
	const secret = "s3cr3t-pa55"
	for _, remote := range []string{
		"postgres://app:" + secret + "@db.example.com:5432/shop",
		"postgres://app:" + secret + "@localhost,db.example.com/shop",
		"host=10.1.2.3 user=app password=" + secret + " dbname=shop",
	} {
		code, stdout, stderr := p.run(".", "reset", "--schema", "schema", "--database-url", remote)
		if code != exitFailure || !strings.Contains(stderr, `database "shop" on `) || !strings.Contains(stderr, "neither local nor the project's dev database") ||
			!strings.Contains(stderr, "--force shop") || strings.Contains(stdout+stderr, secret) {
			t.Errorf("%s: exit %d\n%s%s", strings.ReplaceAll(remote, secret, "x"), code, stdout, stderr)
		}
		code, stdout, stderr = p.run(".", "reset", "--schema", "schema", "--database-url", remote, "--force", "shop2", "--recreate")
		if code != exitUsage || !strings.Contains(stderr, `--force "shop2": the database of the URL is "shop", not "shop2"`) || strings.Contains(stdout+stderr, secret) {
			t.Errorf("--force shop2: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	// A local database with --force naming it goes ahead.
	url := pgtest.NewDatabase(t)
	name := url[strings.LastIndex(url, "/")+1:]
	name = name[:strings.IndexByte(name, '?')]
	if code, stdout, stderr := p.run(".", "reset", "--schema", "schema", "--database-url", url, "--force", name); code != exitFailure ||
		!strings.Contains(stderr, `the database has no table "app"."posts", "public"."users": apply the migrations first`) {
		t.Errorf("--force %s: exit %d\n%s%s", name, code, stdout, stderr)
	}
}

// TestResetRecreate: --recreate lists what outside the managed schemas
// depends on them and refuses without --yes, changing nothing; with --yes
// it drops the schemas and the history and applies every migration again,
// keeping public's owner and privileges; a migration that fails leaves the
// database as it was.
func TestResetRecreate(t *testing.T) {
	p, url := resetProject(t)
	execAll(t, url, `CREATE ROLE reset_reader`, `GRANT USAGE ON SCHEMA public TO reset_reader`,
		`CREATE VIEW side.user_names AS SELECT name FROM public.users`)
	t.Cleanup(func() { execAll(t, url, `DROP OWNED BY reset_reader`, `DROP ROLE reset_reader`) })
	conn := dbConn(t, url)
	before := pgtest.Catalog(t, conn)
	beforeRows := rowCounts(t, url)
	acl := query(t, conn, `SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'`)
	unchanged := func(what string) {
		t.Helper()
		if after := pgtest.Catalog(t, conn); !slices.Equal(before, after) {
			t.Fatalf("%s changed the database:\nbefore %q\nafter  %q", what, before, after)
		}
		if after := rowCounts(t, url); !mapsEqual(beforeRows, after) {
			t.Fatalf("%s changed rows: %v, then %v", what, beforeRows, after)
		}
	}

	code, stdout, stderr := p.run(".", "reset", "--schema", "schema", "--database-url", url, "--recreate")
	for _, want := range []string{"constraint audit_user_id_fkey on table side.audit", "view side.user_names", "--yes"} {
		if code != exitFailure || !strings.Contains(stderr, want) {
			t.Errorf("without --yes: exit %d, want %q in\n%s%s", code, want, stdout, stderr)
		}
	}
	if want := "Dropping schemas app, public with everything in them, and the history table mizzle.__mizzle_migrations; then applying 1 migration from migrations.\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	unchanged("a refused recreate")

	// A migration that fails: nothing changes.
	var tag, sql string
	for name, data := range p.files() {
		if strings.HasSuffix(name, ".sql") {
			tag, sql = strings.TrimSuffix(name, ".sql"), data
		}
	}
	dir := p.dir + "/migrations"
	writeMigrations(t, dir, tag, sql, "0001_broken", "CREATE TABLE x (id int);\n--> statement-breakpoint\nSELECT 1/0;")
	code, stdout, stderr = p.run(".", "reset", "--schema", "schema", "--database-url", url, "--recreate", "--yes")
	if code != exitFailure || !strings.Contains(stderr, "reset failed, nothing was changed: migrations/0001_broken.sql:3:") ||
		!strings.Contains(stderr, "statement 2: ERROR: division by zero") {
		t.Errorf("a failing migration: exit %d\n%s%s", code, stdout, stderr)
	}
	unchanged("a failed recreate")

	// A migration that cannot run in the transaction: refused.
	writeMigrations(t, dir, tag, sql, "0001_concurrently", "-- mizzle:no-transaction\nCREATE INDEX CONCURRENTLY users_name ON users (name);")
	code, stdout, stderr = p.run(".", "reset", "--schema", "schema", "--database-url", url, "--recreate", "--yes")
	if code != exitFailure || !strings.Contains(stderr, "migrations/0001_concurrently.sql: runs outside a transaction") {
		t.Errorf("a no-transaction migration: exit %d\n%s%s", code, stdout, stderr)
	}
	unchanged("a refused no-transaction recreate")

	writeMigrations(t, dir, tag, sql)
	code, stdout, stderr = p.run(".", "reset", "--schema", "schema", "--database-url", url, "--recreate", "--yes")
	if code != exitOK || !strings.HasSuffix(stdout, "applied "+tag+"\nRecreated the database: 1 migration applied.\n") {
		t.Fatalf("with --yes: exit %d\n%s%s", code, stdout, stderr)
	}
	rows := rowCounts(t, url)
	if rows["public.users"] != 0 || rows["app.posts"] != 0 || rows["public.other"] != 0 || rows["side.audit"] != 1 {
		t.Errorf("rows after recreate: %v", rows)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM mizzle.__mizzle_migrations`); n != 1 {
		t.Errorf("history: %d rows, want 1", n)
	}
	if got := query(t, conn, `SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'`); got != acl {
		t.Errorf("public's privileges: %s, were %s", got, acl)
	}
	// The managed schemas are as a fresh migrate makes them.
	fresh := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", fresh, "--migrations", "migrations"); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	managed := func(lines []string) []string {
		return slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return strings.Contains(l, "side.") || strings.Contains(l, "schema side") })
	}
	if got, want := managed(pgtest.Catalog(t, conn)), managed(pgtest.Catalog(t, dbConn(t, fresh))); !slices.Equal(got, want) {
		t.Errorf("after recreate:\n%q\nfresh:\n%q", got, want)
	}
}
