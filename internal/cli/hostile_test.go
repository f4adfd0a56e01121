package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// hostileSchema is the schema package of TestHostileIdentifiers.
var hostileSchema, _ = filepath.Abs(filepath.Join("testdata", "hostile", "schema.txtar"))

// newHostileProject is a project with the schema package of the archive at
// file, whose generated query code imports this checkout's pg package.
func newHostileProject(t *testing.T, file string) *project {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t, string(ar.Files[0].Data))
	f, err := os.OpenFile(filepath.Join(p.dir, "go.mod"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\nrequire github.com/mizzle/mizzle v0.0.0\n\nreplace github.com/mizzle/mizzle => " + repoRoot + "\n"); err != nil {
		t.Fatal(err)
	}
	return p
}

// withoutHistory drops the history table's lines from a fingerprint.
func withoutHistory(fp string) string {
	var keep []string
	for _, l := range strings.Split(fp, "\n") {
		if !strings.Contains(l, "mizzle") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestHostileIdentifiers takes a schema whose names need quoting in every
// way (see testdata/hostile) through every step: generate writes the
// migration and the query package, migrate applies it and the names and
// enum labels in the database are exactly the Go ones, the generated code
// vets, check finds no drift, pull writes a package that generate finds
// nothing to add to, and its baseline builds the same database, where
// check finds no drift either.
func TestHostileIdentifiers(t *testing.T) {
	p := newHostileProject(t, hostileSchema)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)

	step := func(name, wantStdout string, args ...string) string {
		t.Helper()
		code, stdout, stderr := p.run(".", args...)
		if code != exitOK || (wantStdout != "" && stdout != wantStdout) {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", name, code, stdout, stderr, wantStdout)
		}
		return stdout
	}
	step("generate", "db: query code for 6 tables written.\nmigrations/0000_init.sql: 10 statements written.\n",
		"generate", "--schema", "schema", "--migrations", "migrations", "--query", "db", "--name", "init")
	step("migrate", "", "migrate", "--database-url", db)

	checks := []struct{ sql, want string }{
		{`SELECT string_agg(enumlabel, '|' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = '"mood ""quoted"" type"'::regtype`,
			`it's|a,b|say "hi"|back\slash|café ☕|an enum value of exactly sixty-three bytes, it's 63 bytes long!| padded |x'); DROP TABLE "user"; --`},
		{`SELECT string_agg(relname, '|' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
			`MixedCaseTable|a_table_name_of_exactly_sixty_three_bytes_for_the_limit_checks_|order|user|we"ird 'tbl' name|éééééééééééééééééééééééééééééééx`},
		{`SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '"user"'::regclass AND attnum > 0`,
			`id|select|from|Mixed Case|col with space|prix_€_ñ|mood|moods`},
		{`SELECT string_agg(conname, '|' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
			`MixedCaseTable_OtherID_a_table_name_of_exactly_sixty_t_cfa7a850|MixedCaseTable_pkey|a_table_name_of_exactly_sixty_three_bytes_for_the_limi_151036c9|` +
				`a_table_name_of_exactly_sixty_three_bytes_for_the_limi_ef98db43|order_pkey|order_user id_user_id_fk|user's check|user_pkey|` +
				`we"ird 'tbl' name_pkey|weird "unique" key|ééééééééééééééééééééééééééé_9179d50e`},
		{`SELECT pg_get_indexdef('"user ""name"" idx"'::regclass)`,
			`CREATE INDEX "user ""name"" idx" ON public."user" USING btree ("Mixed Case", "col with space")`},
		{`SELECT column_default FROM information_schema.columns WHERE table_name = 'user' AND column_name IN ('col with space', 'mood') ORDER BY column_name`,
			`'a, b'::text,'it''s'::"mood ""quoted"" type"`},
	}
	for _, c := range checks {
		if got := query(t, conn, c.sql); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
	// The injection label is a label, not a statement.
	if got := query(t, conn, `SELECT (to_regclass('"user"') IS NOT NULL)::text`); got != "true" {
		t.Errorf("table user is gone")
	}

	vet := exec.Command("go", "vet", "./db")
	vet.Dir = p.dir
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet of the generated query package: %v\n%s", err, out)
	}

	step("check", "OK: 1 migration, and the schema has nothing left to generate.\n",
		"check", "--schema", "schema", "--database-url", db)

	step("pull", "", "pull", "--database-url", db, "--out", "pulled", "--migrations", "pulled_migrations")
	// Against its own baseline: against the original migrations, checks
	// and defaults would differ in spelling (PostgreSQL's, with casts),
	// which generate compares as written.
	step("generate from the pulled package", "No schema changes, nothing to migrate.\n",
		"generate", "--schema", "pulled", "--migrations", "pulled_migrations", "--no-query")

	// The baseline pull wrote builds the same database, where check finds
	// no drift.
	fresh := pgtest.NewDatabase(t)
	step("migrate the baseline", "", "migrate", "--database-url", fresh, "--migrations", "pulled_migrations")
	if want, got := withoutHistory(fingerprint(t, conn)), withoutHistory(fingerprint(t, dbConn(t, fresh))); got != want {
		t.Errorf("the database built from pull's baseline differs:\n%s", lineDiff(want, got))
	}
	step("check of the pulled package", "OK: 1 migration, and the schema has nothing left to generate.\n",
		"check", "--schema", "pulled", "--migrations", "pulled_migrations", "--database-url", fresh)

	// And check does look at these names: an index dropped by hand is drift.
	if _, err := conn.Exec(context.Background(), `DROP INDEX "user ""name"" idx"`); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := p.run(".", "check", "--schema", "schema", "--database-url", db)
	if want := "drift: the database differs from its migrations: DROP INDEX \"public\".\"user \"\"name\"\" idx\";\n1 problem\n"; code != exitFailure || stderr != want {
		t.Errorf("check after dropping an index: exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, want)
	}
}

// TestHostileNameLimits loads a schema with a name of every kind one byte
// over PostgreSQL's 63 (one where the 63rd byte falls inside a two-byte
// letter), an empty enum label and a repeated column: each is an error at
// its file:line:col, and generate writes nothing.
func TestHostileNameLimits(t *testing.T) {
	p := newHostileProject(t, filepath.Join(filepath.Dir(hostileSchema), "limits.txtar"))
	const want = `schema/schema.go:5:15: enum name "an_enum_name_of_exactly_sixty_four_bytes_for_the_limit_checks_xx" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:9:2: enum an_enum_name_of_exactly_sixty_four_bytes_for_the_limit_checks_xx: value "an enum value of exactly sixty-four bytes, it's 64 bytes long!!!" of constant BigLong is 64 bytes; PostgreSQL enum labels are at most 63 bytes
schema/schema.go:10:2: enum an_enum_name_of_exactly_sixty_four_bytes_for_the_limit_checks_xx: constant BigEmpty has an empty value; PostgreSQL enum labels are 1 to 63 bytes
schema/schema.go:16:16: table name "a_table_name_of_exactly_sixty_four_bytes_for_the_limit_checks_xx" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:17:16: index name "an_index_name_of_exactly_sixty_four_bytes_for_the_limit_checks_x" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:18:16: check name "a_check_name_of_exactly_sixty_four_bytes_for_the_limit_checks_xx" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:21:18: column name "a_column_name_of_exactly_sixty_four_bytes_for_the_limit_checks_x" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:27:16: table name "xxééééééééééééééééééééééééééééééé" is 64 bytes; PostgreSQL truncates identifiers longer than 63 bytes
schema/schema.go:30:2: duplicate column "id" in table "xxééééééééééééééééééééééééééééééé" (first from field ID at schema.go:29)
9 errors
`
	for _, args := range [][]string{
		{"schema", "--schema", "schema"},
		{"generate", "--schema", "schema", "--migrations", "migrations", "--query", "db"},
	} {
		code, stdout, stderr := p.run(".", args...)
		if code != exitFailure || stdout != "" || stderr != want {
			t.Errorf("mizzle %s: exit %d, stdout %q, stderr:\n%s\nwant 1, nothing and:\n%s", args[0], code, stdout, stderr, want)
		}
	}
	for _, dir := range []string{"migrations", "db"} {
		if _, err := os.Stat(filepath.Join(p.dir, dir)); err == nil {
			t.Errorf("a refused generate wrote %s", dir)
		}
	}
}
