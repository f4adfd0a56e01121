package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// pullDir holds the databases the pull tests read, shared with
// internal/goschema's tests.
var pullDir, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "pull"))

// newPullProject is a project without a schema package yet, and a database
// built by the named SQL file of testdata/pull (or by sql itself when it
// does not end in .sql).
func newPullProject(t *testing.T, sql string) (*project, string) {
	t.Helper()
	p := newProject(t, usersV1)
	if err := os.RemoveAll(filepath.Join(p.dir, "schema")); err != nil {
		t.Fatal(err)
	}
	url := pgtest.NewDatabase(t)
	if strings.HasSuffix(sql, ".sql") {
		data, err := os.ReadFile(filepath.Join(pullDir, sql))
		if err != nil {
			t.Fatal(err)
		}
		sql = string(data)
	}
	if sql != "" {
		conn := dbConn(t, url)
		if _, err := conn.Exec(context.Background(), sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatal(err)
		}
	}
	return p, url
}

// rebuildPulled applies the migrations pull wrote in p to a fresh
// database and checks that it introspects (with opts) as the pulled
// database at url does: the baseline rebuilds what was pulled. It returns
// the fresh database's URL and the two models.
func rebuildPulled(t *testing.T, p *project, url string, opts introspect.Options) (fresh string, pulled, rebuilt *schema.Model) {
	t.Helper()
	fresh = pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run("", "migrate", "--database-url", fresh); code != exitOK {
		t.Fatalf("migrate on an empty database: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	ctx := context.Background()
	pulled, _, err := introspect.Inspect(ctx, dbConn(t, url), opts)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, _, err = introspect.Inspect(ctx, dbConn(t, fresh), opts)
	if err != nil {
		t.Fatal(err)
	}
	if changes, err := migrations.Diff(pulled, rebuilt, migrations.Options{}); err != nil || len(changes) > 0 {
		t.Errorf("the database built from the pulled migrations differs from the pulled one: %v %v", changes, err)
	}
	return fresh, pulled, rebuilt
}

// TestPullThenGenerate pulls a hand-made database with everything the
// grammar can say and a database as drizzle-kit makes it: generate then
// finds nothing to do.
func TestPullThenGenerate(t *testing.T) {
	for _, tc := range []struct {
		sql        string
		flags      []string
		wantStdout string
		wantStderr string
	}{
		{
			sql:   "rich.sql",
			flags: []string{"--split", "--allow-lossy"},
			wantStdout: "schema: 9 tables and 3 enums written in 10 files.\n" +
				"migrations/0000_baseline.sql: 47 statements written.\n",
		},
		{
			sql:   "drizzle.sql",
			flags: []string{"--strict"}, // nothing to warn about, so nothing to refuse
			wantStdout: "schema/schema.go: 3 tables and 1 enum written.\n" +
				"migrations/0000_baseline.sql: 9 statements written.\n",
		},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			p, url := newPullProject(t, tc.sql)
			args := append([]string{"pull", "--database-url", url}, tc.flags...)
			code, stdout, stderr := p.run("", args...)
			if code != exitOK {
				t.Fatalf("pull: exit %d\n%s", code, stderr)
			}
			if stdout != tc.wantStdout || stderr != tc.wantStderr {
				t.Errorf("pull:\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s\nwant stderr:\n%s", stdout, stderr, tc.wantStdout, tc.wantStderr)
			}
			code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
			if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
				t.Errorf("generate after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if tc.sql == "drizzle.sql" {
				// The baseline migration is drizzle-kit's database as mizzle
				// writes it; drizzle-orm's history table is not in it.
				golden.Check(t, filepath.Join(pullDir, "drizzle_migrations.txtar"), p.archive())
				src, _ := os.ReadFile(filepath.Join(p.dir, "schema", "schema.go"))
				for _, want := range []string{
					"AuthorID  int32   `db:\"author_id,ref:Users.ID,ondelete:cascade\"`",
					"Email     string    `db:\"email,unique\"`",
					"//mizzle:unique posts_author_title_idx USING btree (author_id, title)",
				} {
					if !strings.Contains(string(src), want) {
						t.Errorf("schema.go lacks %q:\n%s", want, src)
					}
				}
			}
		})
	}
}

// TestPullBaseline adopts an existing database: the baseline is recorded
// as applied, so migrate has nothing to do there, while the same folder
// builds the schema on an empty database.
func TestPullBaseline(t *testing.T) {
	p, url := newPullProject(t, "drizzle.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--baseline")
	if code != exitOK {
		t.Fatalf("pull --baseline: exit %d\n%s", code, stderr)
	}
	if want := "0000_baseline recorded as applied: the database is at the baseline.\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("stdout:\n%s\nwant it to end in:\n%s", stdout, want)
	}
	conn := dbConn(t, url)
	sql, err := os.ReadFile(filepath.Join(p.dir, "migrations", "0000_baseline.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := query(t, conn, "SELECT tag || ' ' || hash || ' ' || duration_ms FROM mizzle.__mizzle_migrations"),
		"0000_baseline "+migrate.FileHash(sql)+" 0"; got != want {
		t.Errorf("history = %q, want %q", got, want)
	}
	code, stdout, stderr = p.run("", "migrate", "--database-url", url)
	if code != exitOK || stdout != "Nothing to migrate: the database is up to date.\n" {
		t.Errorf("migrate after pull --baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// Pulling again leaves the history table out, and refuses the folder
	// it wrote, which now has a migration.
	code, stdout, stderr = p.run("", "pull", "--database-url", url, "--out", "again", "--migrations", "again-migrations")
	if want := "again/schema.go: 3 tables and 1 enum written.\n"; code != exitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("second pull: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout to start with:\n%s", code, stdout, stderr, want)
	}
	code, _, stderr = p.run("", "pull", "--database-url", url, "--out", "again2")
	if want := "mizzle: migrations already has 1 migration (0000_baseline is the last): pull writes the first migration of a new folder; point --migrations at an empty folder\n"; code != exitFailure || stderr != want {
		t.Errorf("pull into a folder with migrations: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}

	// The same folder builds the schema on an empty database.
	fresh := pgtest.NewDatabase(t)
	code, stdout, stderr = p.run("", "migrate", "--database-url", fresh)
	if code != exitOK || !strings.HasPrefix(stdout, "applied 0000_baseline") {
		t.Fatalf("migrate on an empty database: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	ctx := context.Background()
	want, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := introspect.Inspect(ctx, dbConn(t, fresh), introspect.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	if changes, err := migrations.Diff(want, got, migrations.Options{}); err != nil || len(changes) > 0 {
		t.Errorf("the database built from the baseline differs from the pulled one: %v %v", changes, err)
	}
}

// TestPullWarnings names each object the grammar cannot hold, and with
// --allow-lossy writes a package that still loads and a baseline generate
// agrees with.
func TestPullWarnings(t *testing.T) {
	p, url := newPullProject(t, `
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE items (id bigint PRIMARY KEY, qty positive NOT NULL, name text COLLATE "C");
CREATE TABLE empty ();
CREATE VIEW item_names AS SELECT name FROM items;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE FUNCTION touch(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
`)
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--allow-lossy")
	if code != exitOK {
		t.Fatalf("pull: exit %d\n%s", code, stderr)
	}
	want := `warning: 1 column has a collation other than its type's, which the schema cannot express yet: "public"."items"."name" (COLLATE "C"); the baseline's columns use their type's collation
warning: 1 column uses a type the schema does not declare, which the schema cannot express yet: "public"."items"."qty" (domain "public"."positive"); the baseline names these types but does not create them: on an empty database, create them first
warning: 2 functions, which the schema cannot express yet: "public"."touch"() (overloaded: mizzle manages one function of a name), "public"."touch"(integer) (overloaded: mizzle manages one function of a name)
warning: 1 domain, which the schema cannot express yet: "public"."positive"
warning: table "public"."empty" has no columns, which a struct cannot declare: left out
warning: trigger "items_touch" on "public"."items" executes function "public"."touch", which the schema does not hold: left out
warning: the schema package, loaded back, does not declare exactly what was read: a database built from it would need 2 more statements to be the one read:
  CREATE TABLE "public"."empty" ( ...
  CREATE TRIGGER "items_touch" BEFORE UPDATE ON "public"."items" FOR EACH ROW EXECUTE FUNCTION "public"."touch"();
The schema package and the baseline migration do not hold what the warnings name, so a database
built from the migrations will lack it; add it with a custom migration (mizzle generate --custom).
`
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if want := "schema/schema.go: 1 table and 1 view written.\nmigrations/0000_baseline.sql: 2 statements written.\n"; stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("generate after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestPullErrors checks each refusal, with its exact message, and that a
// refused pull writes nothing.
func TestPullErrors(t *testing.T) {
	const oneTable = "CREATE TABLE t (id bigint PRIMARY KEY);"
	tests := []struct {
		name     string
		sql      string
		setup    func(t *testing.T, dir string)
		args     []string // after pull; "URL" is the database's
		wantCode int
		want     string
	}{
		{
			name:     "no database",
			sql:      oneTable,
			wantCode: exitUsage,
			want:     "mizzle: no database: pass --database-url, or set DATABASE_URL (in the environment or in .env) or databaseUrl in mizzle.yaml, or start one with mizzle dev\nRun 'mizzle help' for usage.\n",
		},
		{
			name:     "bad package name",
			sql:      oneTable,
			args:     []string{"--database-url", "URL", "--package", "my-schema"},
			wantCode: exitUsage,
			want:     "mizzle: --package \"my-schema\": not a Go package name\nRun 'mizzle help' for usage.\n",
		},
		{
			name:     "keyword as package name",
			sql:      oneTable,
			args:     []string{"--database-url", "URL", "--package", "func"},
			wantCode: exitUsage,
			want:     "mizzle: --package \"func\": not a Go package name\nRun 'mizzle help' for usage.\n",
		},
		{
			name: "migrations folder not empty",
			sql:  oneTable,
			setup: func(t *testing.T, dir string) {
				writeMigrations(t, filepath.Join(dir, "migrations"), "0000_init", "SELECT 1;")
			},
			args:     []string{"--database-url", "URL"},
			wantCode: exitFailure,
			want:     "mizzle: migrations already has 1 migration (0000_init is the last): pull writes the first migration of a new folder; point --migrations at an empty folder\n",
		},
		{
			name: "Go files in --out",
			sql:  oneTable,
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "schema", "models.go"), "package schema\n")
				writeFile(t, filepath.Join(dir, "schema", "models_test.go"), "package schema\n")
			},
			args:     []string{"--database-url", "URL"},
			wantCode: exitFailure,
			want:     "mizzle: schema already holds Go files that pull did not write (models.go): pull writes a whole schema package; use an empty directory, or pass --force to write next to them\n",
		},
		{
			name:     "no tables",
			sql:      "CREATE VIEW v AS SELECT 1 AS one;",
			args:     []string{"--database-url", "URL"},
			wantCode: exitFailure,
			want:     "mizzle: nothing to pull: the database has no tables outside PostgreSQL's own schemas\n",
		},
		{
			name:     "no tables in the schemas asked for",
			sql:      oneTable,
			args:     []string{"--database-url", "URL", "--schemas", "billing,audit"},
			wantCode: exitFailure,
			want:     "mizzle: nothing to pull: the database has no tables in billing, audit\n",
		},
		{
			// Generated query code names tables after their SQL names,
			// which the Go types pull chooses cannot change.
			name:     "tables gen would name alike",
			sql:      `CREATE TABLE "user_id" (id int); CREATE TABLE "userId" (id int); CREATE TABLE "UserID" (id int);`,
			args:     []string{"--database-url", "URL"},
			wantCode: exitFailure,
			want: "mizzle: cannot pull: tables \"public.UserID\" and \"public.user_id\" would both be named UserID in Go " +
				"(the query code names a table after its SQL name); rename one of each in the database first\n",
		},
		{
			name:     "strict with a warning",
			sql:      oneTable + " CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;",
			args:     []string{"--database-url", "URL", "--strict"},
			wantCode: exitFailure,
			want: "warning: 1 rule, which the schema cannot express yet: \"r\" on \"public\".\"t\"\n" +
				"mizzle: pull --strict: the schema package cannot hold all the database holds (1 warning above); nothing was written\n",
		},
		{
			name:     "unwritable column name",
			sql:      `CREATE TABLE t ("a,b" int, "c:d" int);`,
			args:     []string{"--database-url", "URL"},
			wantCode: exitFailure,
			want: "mizzle: cannot write these names in Go source (rename them in the database first):\n" +
				"  column \"public\".\"t\".\"a,b\": a db tag's name cannot hold , : or a line break\n" +
				"  column \"public\".\"t\".\"c:d\": a db tag's name cannot hold , : or a line break\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, url := newPullProject(t, tt.sql)
			if tt.setup != nil {
				tt.setup(t, p.dir)
			}
			before := p.archive()
			args := []string{"pull"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "URL", url))
			}
			code, stdout, stderr := p.run("", args...)
			if code != tt.wantCode || stderr != tt.want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr:\n%s", code, stdout, stderr, tt.wantCode, tt.want)
			}
			if string(p.archive()) != string(before) {
				t.Errorf("a refused pull changed the migrations folder")
			}
			if _, err := os.Stat(filepath.Join(p.dir, "schema", "schema.go")); err == nil {
				t.Errorf("a refused pull wrote schema/schema.go")
			}
		})
	}
}

// TestPullAgain overwrites its own files without --force, but not files
// it did not write; --force writes next to them.
func TestPullAgain(t *testing.T) {
	p, url := newPullProject(t, "CREATE TABLE t (id bigint PRIMARY KEY);")
	if code, _, stderr := p.run("", "pull", "--database-url", url); code != exitOK {
		t.Fatalf("pull: %s", stderr)
	}
	if err := os.RemoveAll(filepath.Join(p.dir, "migrations")); err != nil {
		t.Fatal(err)
	}
	// Its own file is replaced.
	if code, _, stderr := p.run("", "pull", "--database-url", url); code != exitOK {
		t.Fatalf("second pull: %s", stderr)
	}
	src, _ := os.ReadFile(filepath.Join(p.dir, "schema", "schema.go"))
	if !strings.HasPrefix(string(src), goschema.Header+"\n") {
		t.Errorf("schema.go does not start with the header:\n%s", src)
	}
	// Another pull with --split would leave schema.go's tables declared
	// twice: refused.
	if err := os.RemoveAll(filepath.Join(p.dir, "migrations")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(p.dir, "schema", "schema.go"), "package schema\n")
	code, _, stderr := p.run("", "pull", "--database-url", url)
	if want := "mizzle: schema already holds Go files that pull did not write (schema.go): pull writes a whole schema package; use an empty directory, or pass --force to write next to them\n"; code != exitFailure || stderr != want {
		t.Errorf("pull over a file it did not write: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if code, _, stderr := p.run("", "pull", "--database-url", url, "--force"); code != exitOK {
		t.Errorf("pull --force: exit %d: %s", code, stderr)
	}
}

// TestPullFeatures pulls a database with every feature pull was tried on.
// What the schema cannot hold is named in the warnings, by kind and with a
// count (the whole text is testdata/pull/features_warnings.txt); --strict
// refuses it and writes nothing; and after pull --baseline --allow-lossy,
// generate finds no change, check no drift and push nothing to do.
func TestPullFeatures(t *testing.T) {
	p, url := newPullProject(t, "features.sql")
	before := p.archive()
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict")
	if want := "mizzle: pull --strict: the schema package cannot hold all the database holds (23 warnings above); nothing was written\n"; code != exitFailure || stdout != "" || !strings.HasSuffix(stderr, want) {
		t.Errorf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s\nwant it to end in:\n%s", code, stdout, stderr, want)
	}
	if string(p.archive()) != string(before) {
		t.Errorf("pull --strict changed the migrations folder")
	}
	if _, err := os.Stat(filepath.Join(p.dir, "schema")); !os.IsNotExist(err) {
		t.Errorf("pull --strict wrote the schema package (%v)", err)
	}

	code, _, stderr = p.run("", "pull", "--database-url", url, "--baseline", "--allow-lossy")
	if code != exitOK {
		t.Fatalf("pull --baseline --allow-lossy: exit %d\n%s", code, stderr)
	}
	golden.Check(t, filepath.Join(pullDir, "features_warnings.txt"), []byte(stderr))
	// Each loss by name and count, as the review that found them listed
	// them; the golden file has the rest.
	for _, want := range []string{
		`1 table or column has privileges granted, which the schema cannot express yet: "public"."kinds" (SELECT to PUBLIC)`,
		`1 foreign key sets only some of its columns on delete, which the schema cannot express yet: "children_ab_fk" on "public"."children" (ON DELETE SET NULL ("b"))`,
		`1 table has a REPLICA IDENTITY other than DEFAULT, which the schema cannot express yet: "public"."parents" (FULL)`,
		`3 tables or indexes have storage parameters (WITH), which the schema cannot express yet: "public"."parents" (fillfactor=70), index "children_dedup" on "public"."children" (deduplicate_items=off), index "children_tag_idx" on "public"."children" (fillfactor=50)`,
		`1 table is marked for CLUSTER on an index, which the schema cannot express yet: "public"."children" (CLUSTER ON "children_pkey")`,
		`2 columns have storage or statistics settings, which the schema cannot express yet: "public"."kinds"."name" (STATISTICS 500), "public"."kinds"."tv" (STORAGE EXTERNAL)`,
		`1 extended statistics object (CREATE STATISTICS), which the schema cannot express yet: "public"."kinds_stats" (on "public"."kinds")`,
		`1 partitioned table whose key has an expression, a collation or an operator class, which the schema cannot express yet: "public"."names" (PARTITION BY LIST (lower(name))); the baseline has neither them nor their partitions`,
		`1 partition, which the schema cannot express yet: "public"."names_a" (of "public"."names", a table not read)`,
		`1 partition has indexes, constraints or settings of its own, which the schema cannot express yet: "public"."events_2026" (indexes of its own)`,
	} {
		if !strings.Contains(stderr, "warning: "+want) {
			t.Errorf("the warnings lack %q:\n%s", want, stderr)
		}
	}
	// Views and materialized views are pulled, not lost.
	if strings.Contains(stderr, "view") {
		t.Errorf("the warnings name views, which pull writes:\n%s", stderr)
	}
	// Row level security, policies and sequences are pulled, not lost.
	if strings.Contains(stderr, "ROW LEVEL SECURITY") || strings.Contains(stderr, "polic") || strings.Contains(stderr, "sequence") {
		t.Errorf("the warnings name row security, policies or sequences, which pull writes:\n%s", stderr)
	}
	src, err := os.ReadFile(filepath.Join(p.dir, "schema", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"//mizzle:rls force",
		"//mizzle:policy notes_own USING (owner = CURRENT_USER)",
		// Sequences and the options of identity and serial columns' ones,
		// which pull once reported and left out.
		"//mizzle:sequence standalone_seq\n",
		"`db:\"id,pk,type:bigserial,start:5000,increment:10,cache:20\"`",
		"`db:\"small,identity,increment:5,minvalue:100,maxvalue:30000,cache:10,cycle\"`",
		"//mizzle:partition BY RANGE (at)\n//mizzle:partition-of events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')\n",
		// The one-byte "char", not char(1), and the comments, which pull
		// once left out without a word.
		"`db:\"ch,type:\\\"char\\\",comment:'the one-byte \\\"char\\\"'\"`",
		"//mizzle:table kinds\n//mizzle:comment every type\n",
		"`db:\"email,type:\\\"public\\\".\\\"email\\\"\"`", // a domain keeps its schema
		"`db:\"pr,type:\\\"public\\\".\\\"pair\\\"\"`",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("schema.go lacks %s:\n%s", want, src)
		}
	}

	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations", "--query", "../db")
	if code != exitOK || stdout != "../db: query code for 11 tables and 2 views written.\nNo schema changes, nothing to migrate.\n" {
		t.Errorf("generate after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK || strings.Contains(stdout+stderr, "drift") {
		t.Errorf("check after pull --baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if want := "Nothing to push: the database matches the schema.\n"; code != exitOK || stdout != want {
		t.Errorf("push --dry-run after pull --baseline: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}
}
