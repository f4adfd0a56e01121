package cli

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// writeMigrations replaces the migrations folder dir with one holding the
// given tags and SQL, listed in the journal in that order ("when" growing
// from 1000).
func writeMigrations(t *testing.T, dir string, files ...string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "meta"), 0o755); err != nil {
		t.Fatal(err)
	}
	var entries []string
	for i := 0; i < len(files); i += 2 {
		tag, sql := files[i], files[i+1]
		writeFile(t, filepath.Join(dir, tag+".sql"), sql)
		entries = append(entries, fmt.Sprintf(`{"idx": %d, "version": "7", "when": %d, "tag": %q, "breakpoints": true}`, i/2, 1000+i, tag))
	}
	writeFile(t, filepath.Join(dir, migrate.JournalFile),
		`{"version": "7", "dialect": "postgresql", "entries": [`+strings.Join(entries, ",\n")+"]}\n")
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// migrateProject is an empty directory to run migrate and status in, with
// no database named by the environment.
func migrateProject(t *testing.T) string {
	t.Helper()
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PGSSLMODE", "")
	return t.TempDir()
}

// runIn runs mizzle in-process in dir.
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(dir)
	return runArgs(args...)
}

var (
	durationRE  = regexp.MustCompile(`\b\d+(\.\d+)?(µs|ms|ns|s|m|h)(\d+(\.\d+)?(µs|ms|ns|s|m))*\b`)
	timestampRE = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	appliedAtRE = regexp.MustCompile(`"appliedAt": "[^"]+"`)
	durationMS  = regexp.MustCompile(`"durationMs": \d+`)
)

// normalize replaces what changes from run to run in migrate and status
// output (durations, times) with fixed words.
func normalize(s string) string {
	s = appliedAtRE.ReplaceAllString(s, `"appliedAt": "TIME"`)
	s = durationMS.ReplaceAllString(s, `"durationMs": MS`)
	s = timestampRE.ReplaceAllString(s, "TIME")
	return durationRE.ReplaceAllString(s, "DUR")
}

// dbConn connects to url for the test's checks.
func dbConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// query returns the rows of a one-column query joined by commas.
func query(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	vals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var v *string
		err := r.Scan(&v)
		if v == nil {
			return "NULL", err
		}
		return *v, err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(vals, ",")
}

// userTables lists the tables of the database outside the system schemas.
const userTables = `SELECT schemaname || '.' || tablename FROM pg_tables
	WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`

// deadURL is a URL to a loopback port where nothing listens, and that port.
func deadURL(t *testing.T, userinfo string) (string, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return fmt.Sprintf("postgres://%s127.0.0.1:%d/app", userinfo, port), port
}

const (
	usersSQL = "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n--> statement-breakpoint\nINSERT INTO users VALUES (1, 'a');\n"
	postsSQL = "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);\n"
	indexSQL = migrate.NoTransaction + "\nCREATE INDEX CONCURRENTLY posts_user_id ON posts (user_id);\n"
)

// TestMigrateCommand applies a folder, applies it again (nothing to do),
// and applies a migration added later: one line per migration, a summary,
// and a no-transaction migration with CREATE INDEX CONCURRENTLY.
func TestMigrateCommand(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_users", usersSQL, "0001_posts", postsSQL, "0002_index", indexSQL)

	steps := []struct {
		name   string
		more   bool // add 0003_more before running
		stdout string
	}{
		{"first", false, "applied 0000_users (DUR)\napplied 0001_posts (DUR)\napplied 0002_index (DUR)\n3 migrations applied in DUR.\n"},
		{"again", false, "Nothing to migrate: the database is up to date.\n"},
		{"one more", true, "applied 0003_more (DUR)\n1 migration applied in DUR.\n"},
		{"again after it", false, "Nothing to migrate: the database is up to date.\n"},
	}
	for _, s := range steps {
		if s.more {
			writeMigrations(t, filepath.Join(dir, "migrations"), "0000_users", usersSQL, "0001_posts", postsSQL, "0002_index", indexSQL,
				"0003_more", "INSERT INTO users VALUES (2, 'b');")
		}
		code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db)
		if code != exitOK || stderr != "" {
			t.Fatalf("%s: exit %d, stderr:\n%s", s.name, code, stderr)
		}
		if got := normalize(stdout); got != s.stdout {
			t.Errorf("%s: stdout:\n%s\nwant:\n%s", s.name, got, s.stdout)
		}
	}
	if got := query(t, conn, "SELECT id::text FROM users ORDER BY id"); got != "1,2" {
		t.Errorf("users ids = %s, want 1,2: a migration ran twice or not at all", got)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); got != "0000_users,0001_posts,0002_index,0003_more" {
		t.Errorf("history = %s", got)
	}
	// CONCURRENTLY only runs outside a transaction, and an index it built
	// is valid only when it finished.
	if got := query(t, conn, "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'posts_user_id'::regclass"); got != "true" {
		t.Errorf("posts_user_id valid = %q", got)
	}
}

// TestStatusCommand prints status as text and JSON before, during and
// after migrating, and checks that it changes nothing.
func TestStatusCommand(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	mig := filepath.Join(dir, "migrations")
	writeMigrations(t, mig, "0000_users", usersSQL, "0001_posts", postsSQL)

	code, stdout, stderr := runIn(t, dir, "status", "--database-url", db)
	if code != exitOK || stderr != "" {
		t.Fatalf("status: exit %d, stderr:\n%s", code, stderr)
	}
	if want := "pending  0000_users\npending  0001_posts\n0 applied, 2 pending.\n"; stdout != want {
		t.Errorf("status before migrating:\n%q\nwant:\n%q", stdout, want)
	}
	if got := query(t, conn, "SELECT count(*)::text FROM pg_namespace WHERE nspname = 'mizzle'"); got != "0" {
		t.Errorf("status created the mizzle schema")
	}

	if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}
	writeMigrations(t, mig, "0000_users", usersSQL, "0001_posts", postsSQL, "0002_index", indexSQL)
	before := query(t, conn, "SELECT tag || applied_at FROM mizzle.__mizzle_migrations ORDER BY id")

	code, stdout, stderr = runIn(t, dir, "status", "--database-url", db)
	if code != exitOK || stderr != "" {
		t.Fatalf("status: exit %d, stderr:\n%s", code, stderr)
	}
	want := "applied  0000_users  TIME  DUR\n" +
		"applied  0001_posts  TIME  DUR\n" +
		"pending  0002_index\n" +
		"2 applied, 1 pending.\n"
	if got := normalize(stdout); got != want {
		t.Errorf("status text:\n%q\nwant:\n%q", got, want)
	}

	code, stdout, stderr = runIn(t, dir, "status", "--database-url", db, "--json")
	if code != exitOK || stderr != "" {
		t.Fatalf("status --json: exit %d, stderr:\n%s", code, stderr)
	}
	wantJSON := `{
  "applied": [
    {
      "tag": "0000_users",
      "hash": "` + migrate.FileHash([]byte(usersSQL)) + `",
      "when": 1000,
      "appliedAt": "TIME",
      "durationMs": MS
    },
    {
      "tag": "0001_posts",
      "hash": "` + migrate.FileHash([]byte(postsSQL)) + `",
      "when": 1002,
      "appliedAt": "TIME",
      "durationMs": MS
    }
  ],
  "pending": [
    {
      "tag": "0002_index",
      "when": 1004
    }
  ],
  "problems": []
}
`
	if got := normalize(stdout); got != wantJSON {
		t.Errorf("status --json:\n%s\nwant:\n%s", got, wantJSON)
	}
	// appliedAt is an RFC 3339 time in UTC.
	if m := regexp.MustCompile(`"appliedAt": "([^"]+)"`).FindStringSubmatch(stdout); m == nil {
		t.Errorf("no appliedAt in %s", stdout)
	} else if at, err := time.Parse(time.RFC3339Nano, m[1]); err != nil || at.Location() != time.UTC || time.Since(at) > time.Hour {
		t.Errorf("appliedAt %q: %v, %v", m[1], at, err)
	}

	after := query(t, conn, "SELECT tag || applied_at FROM mizzle.__mizzle_migrations ORDER BY id")
	if before != after || query(t, conn, "SELECT to_regclass('posts_user_id')::text") != "NULL" {
		t.Errorf("status changed the database")
	}

	// A problem: exit 1, the problem on stderr, in the JSON with its path.
	writeMigrations(t, mig, "0000_users", usersSQL+"-- edited\n", "0001_posts", postsSQL, "0002_index", indexSQL)
	code, stdout, stderr = runIn(t, dir, "status", "--database-url", db, "--json")
	if code != exitFailure || stderr != "" {
		t.Errorf("status --json with a problem: exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	if !strings.Contains(stdout, `"problems": [
    {
      "file": "migrations/0000_users.sql",
      "message": "changed since it was applied (applied sha256 `) {
		t.Errorf("status --json does not report the changed file:\n%s", stdout)
	}
}

// TestMigrateRefusals checks each reason migrate refuses to run: the
// message names the file under the migrations folder, the exit code is 1,
// status reports the same, and the database is left as it was.
func TestMigrateRefusals(t *testing.T) {
	a, b, c := "CREATE TABLE a ();", "CREATE TABLE b ();", "CREATE TABLE c ();"
	tests := []struct {
		name    string
		folder  string // --migrations, when not the default
		config  bool   // the folder comes from mizzle.yaml instead
		applied []string
		then    []string
		// unlisted is a file written without a journal entry, remove one
		// removed after the journal was written: problems of the folder
		// itself, found before the database is read.
		unlisted, remove string
		want             []string // stderr lines, each a prefix of its line
	}{
		{
			name:    "changed after it was applied",
			applied: []string{"0000_a", a, "0001_b", b},
			then:    []string{"0000_a", "CREATE TABLE a (id int);", "0001_b", b},
			want: []string{"migrations/0000_a.sql: changed since it was applied (applied sha256 " + migrate.FileHash([]byte(a)) +
				", file sha256 " + migrate.FileHash([]byte("CREATE TABLE a (id int);")) + "): restore the file as it was applied"},
		},
		{
			name:    "history the journal does not list",
			folder:  "db/migrations",
			applied: []string{"0000_a", a, "0001_b", b},
			then:    []string{"0000_a", a},
			want:    []string{`db/migrations/meta/_journal.json: the database has a migration applied ("0001_b") that the journal does not list`},
		},
		{
			name:    "inserted before applied ones",
			folder:  "db/mig",
			config:  true,
			applied: []string{"0000_a", a, "0002_b", b},
			then:    []string{"0000_a", a, "0001_c", c, "0002_b", b},
			want:    []string{"db/mig/0001_c.sql: not applied, but 0002_b after it is: it was inserted before migrations that already ran"},
		},
		{
			name:    "two problems",
			applied: []string{"0000_a", a, "0001_b", b},
			then:    []string{"0000_a", a + "\n", "0002_c", c},
			want: []string{
				"migrations/0000_a.sql: changed since it was applied",
				`migrations/meta/_journal.json: the database has a migration applied ("0001_b") that the journal does not list`,
				"2 errors", // migrate's count; status says so in its summary
			},
		},
		{
			name:    "COMMIT inside a pending migration",
			applied: []string{"0000_a", a},
			then:    []string{"0000_a", a, "0001_b", b, "0002_c", "CREATE TABLE c1 (x int);\nCOMMIT;\nCREATE TABLE c2 (x int);\n"},
			want:    []string{"migrations/0002_c.sql:2:1: statement 2 (COMMIT) would end the transaction the migration runs in"},
		},
		{
			name:     "a file the journal does not list",
			applied:  []string{"0000_a", a},
			then:     []string{"0000_a", a},
			unlisted: "0001_b.sql",
			want:     []string{"migrations/0001_b.sql: not listed in meta/_journal.json"},
		},
		{
			name:    "a journal entry without its file",
			applied: []string{"0000_a", a},
			then:    []string{"0000_a", a, "0001_b", b},
			remove:  "0001_b.sql",
			want:    []string{"migrations/0001_b.sql: missing, but meta/_journal.json lists it (entry 1)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := migrateProject(t)
			db := pgtest.NewDatabase(t)
			conn := dbConn(t, db)
			folder := tt.folder
			if folder == "" {
				folder = "migrations"
			}
			mig := filepath.Join(dir, folder)
			writeMigrations(t, mig, tt.applied...)
			flags := []string{"--database-url", db, "--migrations", folder}
			if tt.config {
				writeFile(t, filepath.Join(dir, configName), "migrations: "+folder+"\n")
				flags = flags[:2]
			}
			if code, _, stderr := runIn(t, dir, append([]string{"migrate"}, flags...)...); code != exitOK {
				t.Fatalf("first migrate: exit %d\n%s", code, stderr)
			}
			writeMigrations(t, mig, tt.then...)
			if tt.unlisted != "" {
				writeFile(t, filepath.Join(mig, tt.unlisted), b)
			}
			if tt.remove != "" {
				if err := os.Remove(filepath.Join(mig, tt.remove)); err != nil {
					t.Fatal(err)
				}
			}
			state := func() string {
				return query(t, conn, userTables) + " | " + query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id")
			}
			before := state()

			for _, cmd := range []string{"migrate", "status"} {
				code, stdout, stderr := runIn(t, dir, append([]string{cmd}, flags...)...)
				if code != exitFailure {
					t.Errorf("%s: exit %d, want 1", cmd, code)
				}
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				want := tt.want
				if cmd == "status" && len(want) > 1 {
					want = want[:len(want)-1]
				}
				if len(lines) != len(want) {
					t.Errorf("%s: stderr:\n%s\nwant %d lines starting:\n%s", cmd, stderr, len(want), strings.Join(want, "\n"))
				} else {
					for i, w := range want {
						if !strings.HasPrefix(lines[i], w) {
							t.Errorf("%s: stderr line %d:\n%s\nwant it to start:\n%s", cmd, i+1, lines[i], w)
						}
					}
				}
				// status lists the migrations, unless the folder itself is
				// broken; migrate prints nothing when it refuses.
				folderBroken := tt.unlisted != "" || tt.remove != ""
				if (cmd == "migrate" || folderBroken) && stdout != "" {
					t.Errorf("%s printed %q", cmd, stdout)
				}
				if cmd == "status" && !folderBroken && !strings.HasSuffix(stdout, " pending.\n") {
					t.Errorf("status printed no summary: %q", stdout)
				}
			}
			// status --json lists the same problems, by the same paths.
			code, stdout, _ := runIn(t, dir, append([]string{"status", "--json"}, flags...)...)
			if code != exitFailure {
				t.Errorf("status --json: exit %d, want 1", code)
			}
			if tt.unlisted == "" && tt.remove == "" {
				for _, w := range tt.want {
					file, _, ok := strings.Cut(w, ": ")
					file = regexp.MustCompile(`(:\d+)+$`).ReplaceAllString(file, "") // the JSON has line and column apart
					if ok && !strings.Contains(stdout, `"file": "`+file+`"`) {
						t.Errorf("status --json does not name %s:\n%s", file, stdout)
					}
				}
			}
			if after := state(); after != before {
				t.Errorf("a refused migrate changed the database: %s, then %s", before, after)
			}
		})
	}

	t.Run("allow ahead", func(t *testing.T) {
		dir := migrateProject(t)
		db := pgtest.NewDatabase(t)
		mig := filepath.Join(dir, "migrations")
		writeMigrations(t, mig, "0000_a", a, "0001_b", b)
		if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
			t.Fatalf("first migrate: exit %d\n%s", code, stderr)
		}
		// The previous release of the application: its folder stops at
		// 0000_a.
		writeMigrations(t, mig, "0000_a", a)
		code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db, "--allow-ahead")
		if code != exitOK || stdout != "Nothing to migrate: the database is up to date.\n" ||
			stderr != "warning: the database has 0001_b applied, which the folder does not have: it is ahead of this release (--allow-ahead)\n" {
			t.Errorf("--allow-ahead: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		code, stdout, stderr = runIn(t, dir, "status", "--database-url", db, "--allow-ahead")
		want := "applied  0000_a  TIME  DUR\nahead    0001_b  TIME  DUR\n2 applied (1 of them newer than the folder), 0 pending.\n"
		if code != exitOK || normalize(stdout) != want || stderr != "" {
			t.Errorf("status --allow-ahead: exit %d, stdout:\n%s\nwant:\n%s\nstderr %q", code, normalize(stdout), want, stderr)
		}
		code, stdout, _ = runIn(t, dir, "status", "--database-url", db, "--allow-ahead", "--json")
		if code != exitOK || !strings.Contains(stdout, `"ahead": [
    {
      "tag": "0001_b",`) {
			t.Errorf("status --allow-ahead --json: exit %d:\n%s", code, stdout)
		}
	})

	t.Run("allow out of order", func(t *testing.T) {
		dir := migrateProject(t)
		db := pgtest.NewDatabase(t)
		mig := filepath.Join(dir, "migrations")
		writeMigrations(t, mig, "0000_a", a, "0002_b", b)
		if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
			t.Fatalf("first migrate: exit %d\n%s", code, stderr)
		}
		writeMigrations(t, mig, "0000_a", a, "0001_c", c, "0002_b", b)
		code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db, "--allow-out-of-order")
		if code != exitOK || normalize(stdout) != "applied 0001_c (DUR)\n1 migration applied in DUR.\n" {
			t.Errorf("--allow-out-of-order: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// TestMigrateStatementError runs a migration PostgreSQL refuses: the
// message gives file:line:col, the statement's number, the SQLSTATE and a
// caret; the migrations before it stay applied, the failed one leaves
// nothing behind.
func TestMigrateStatementError(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_ok", "CREATE TABLE a (id int);",
		"0001_bad", "CREATE TABLE b (id int);\n--> statement-breakpoint\nINSERT INTO a VALUES (1);\n--> statement-breakpoint\nALTER TABLE a\n\tADD COLUMN c intt;\n",
		"0002_never", "CREATE TABLE never ();",
	)
	code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db)
	if code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if got, want := normalize(stdout), "applied 0000_ok (DUR)\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	want := "mizzle: migrations/0001_bad.sql:6:15: statement 3: ERROR: type \"intt\" does not exist (SQLSTATE 42704)\n" +
		"    \tADD COLUMN c intt;\n" +
		"    \t             ^\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if got := query(t, conn, userTables); got != "mizzle.__mizzle_migrations,public.a" {
		t.Errorf("tables after the failure: %s; want the failed migration's table gone", got)
	}
	if got := query(t, conn, "SELECT count(*)::text FROM a"); got != "0" {
		t.Errorf("a has %s rows: the failed migration's INSERT stayed", got)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations"); got != "0000_ok" {
		t.Errorf("history = %s, want 0000_ok", got)
	}
	_, stdout, _ = runIn(t, dir, "status", "--database-url", db)
	if got := normalize(stdout); !strings.HasSuffix(got, "pending  0001_bad\npending  0002_never\n1 applied, 2 pending.\n") {
		t.Errorf("status after the failure:\n%s", got)
	}

	// An error without a position is placed at the statement's start.
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_ok", "CREATE TABLE a (id int);",
		"0001_bad", "CREATE TABLE b (id int);\n--> statement-breakpoint\n  SELECT 1 / (SELECT count(*) FROM b);\n")
	_, _, stderr = runIn(t, dir, "migrate", "--database-url", db)
	if want := "mizzle: migrations/0001_bad.sql:3:3: statement 2: ERROR: division by zero (SQLSTATE 22012)\n"; stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
}

// TestMigrateSplitsStatements applies a migration written by hand, without
// breakpoints, whose semicolons hide in function bodies, DO blocks,
// strings and comments: each statement runs whole, and an error names the
// statement by its number in the file.
func TestMigrateSplitsStatements(t *testing.T) {
	const script = `-- a comment; with a semicolon
CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL);
/* a block comment; with /* a nested one; */ and a semicolon */
CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN i + 1; -- inside the body; a comment
END;
$$;
DO $tag$
BEGIN
  INSERT INTO t VALUES (1, 'from a DO block; with $$ inside');
END
$tag$;
INSERT INTO t VALUES (2, 'semi;colon'); INSERT INTO t VALUES (3, E'it\'s; escaped\\');
CREATE FUNCTION two() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
  SELECT 2;
END;
`
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_by_hand", script)
	if code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	checks := []struct{ sql, want string }{
		{"SELECT string_agg(id || '=' || note, '|' ORDER BY id) FROM t", `1=from a DO block; with $$ inside|2=semi;colon|3=it's; escaped\`},
		{"SELECT add_one(41)::text", "42"},
		{"SELECT two()::text", "2"},
	}
	for _, c := range checks {
		if got := query(t, conn, c.sql); got != c.want {
			t.Errorf("%s = %q, want %q", c.sql, got, c.want)
		}
	}

	// The same script and one more statement, which fails, in a fresh
	// database: it is the script's seventh statement, on line 20.
	db2 := pgtest.NewDatabase(t)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_by_hand", script+"SELECT 1 / (SELECT count(*) - 3 FROM t);\n")
	code, _, stderr := runIn(t, dir, "migrate", "--database-url", db2)
	want := "mizzle: migrations/0000_by_hand.sql:20:1: statement 7: ERROR: division by zero (SQLSTATE 22012)\n"
	if code != exitFailure || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, want)
	}
}

func TestMigrateUsageErrors(t *testing.T) {
	dead, port := deadURL(t, "")
	tests := []struct {
		args   []string
		code   int
		stderr string // the whole of it, or a prefix when it ends in "..."
	}{
		{[]string{"migrate"}, exitUsage, "mizzle: no database: pass --database-url, or set DATABASE_URL (in the environment or in .env) or databaseUrl in mizzle.yaml, or start one with mizzle dev\nRun 'mizzle help' for usage.\n"},
		{[]string{"status"}, exitUsage, "mizzle: no database: pass --database-url, or set DATABASE_URL (in the environment or in .env) or databaseUrl in mizzle.yaml, or start one with mizzle dev\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--database-url", dead, "--table", "a.b.c"}, exitUsage, "mizzle: --table \"a.b.c\": want schema.table or table\nRun 'mizzle help' for usage.\n"},
		{[]string{"status", "--database-url", dead, "--table", ".history"}, exitUsage, "mizzle: --table \".history\": want schema.table or table\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--database-url", dead, "--table", "app."}, exitUsage, "mizzle: --table \"app.\": want schema.table or table\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--database-url", dead, "extra"}, exitUsage, "mizzle: mizzle migrate takes no arguments, got extra\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--lock-timeout", "soon"}, exitUsage, "mizzle: invalid argument \"soon\" for \"--lock-timeout\" flag..."},
		{[]string{"migrate", "--database-url", dead, "--retries", "2"}, exitUsage, "mizzle: --retries needs --table-lock-timeout (or tableLockTimeout in mizzle.yaml): without it a migration waits for its locks as long as it takes, and never fails to get one\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--database-url", dead, "--table-lock-timeout", "1s", "--retries", "-1"}, exitUsage, "mizzle: --retries -1: give 0 or more\nRun 'mizzle help' for usage.\n"},
		{[]string{"migrate", "--table-lock-timeout", "0s"}, exitUsage, "mizzle: invalid argument \"0s\" for \"--table-lock-timeout\" flag: must be more than zero..."},
		{[]string{"migrate", "--database-url", dead, "--migrations", "nowhere"}, exitFailure, "mizzle: --migrations nowhere: no such directory\n"},
		{[]string{"migrate", "--database-url", dead}, exitFailure, fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ...", port)},
		{[]string{"status", "--database-url", dead}, exitFailure, fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ...", port)},
	}
	dir := migrateProject(t)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a ();")
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if w, ok := strings.CutSuffix(tt.stderr, "..."); ok {
				if !strings.HasPrefix(stderr, w) {
					t.Errorf("stderr:\n%s\nwant it to start:\n%s", stderr, w)
				}
			} else if stderr != tt.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, tt.stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

// TestDatabaseURLPrecedence puts a database URL in every place mizzle looks
// (--database-url, $DATABASE_URL, .env, mizzle.yaml) and checks which one
// is used: the one that wins is a live database and the others lead
// nowhere, and then the other way round.
func TestDatabaseURLPrecedence(t *testing.T) {
	db := pgtest.NewDatabase(t)
	sources := []string{"flag", "env", "dotenv", "config"}
	for i, winner := range sources {
		for _, live := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s live=%v", winner, live), func(t *testing.T) {
				dir := migrateProject(t)
				writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a ();")
				// The winner and the sources below it are set; those above
				// it are not.
				urls := map[string]string{}
				var winnerPort int
				for _, s := range sources[i:] {
					u, port := deadURL(t, "")
					if (s == winner) == live {
						u = db
					}
					if s == winner {
						winnerPort = port
					}
					urls[s] = u
				}
				args := []string{"status"}
				if u, ok := urls["flag"]; ok {
					args = append(args, "--database-url", u)
				}
				if u, ok := urls["env"]; ok {
					t.Setenv("DATABASE_URL", u)
				}
				if u, ok := urls["dotenv"]; ok {
					writeFile(t, filepath.Join(dir, ".env"), "# the app's settings\nOTHER=1\nDATABASE_URL=\""+u+"\"\n")
				} else {
					writeFile(t, filepath.Join(dir, ".env"), "OTHER=1\n") // a .env without it does not stop the search
				}
				if u, ok := urls["config"]; ok {
					writeFile(t, filepath.Join(dir, configName), "databaseUrl: \""+u+"\"\n")
				}
				code, stdout, stderr := runIn(t, dir, args...)
				if live {
					if code != exitOK || stdout != "pending  0000_a\n0 applied, 1 pending.\n" {
						t.Errorf("exit %d, stdout %q, stderr %q; want the live database from %s", code, stdout, stderr, winner)
					}
				} else {
					want := fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ", winnerPort)
					if code != exitFailure || !strings.HasPrefix(stderr, want) {
						t.Errorf("exit %d, stderr %q; want 1 and %q...: the URL from %s", code, stderr, want, winner)
					}
				}
			})
		}
	}
}

// TestMigrateHistoryTable records migrations in mizzle's table, drizzle-orm's
// table, or one named by --table or the config file, each in its layout.
func TestMigrateHistoryTable(t *testing.T) {
	const mizzleCols = "id bigint, tag text, hash text, created_at bigint, applied_at timestamp with time zone, duration_ms bigint"
	const drizzleCols = "id integer, hash text, created_at bigint"
	tests := []struct {
		name   string
		args   []string
		config string
		table  string
		cols   string
	}{
		{"default", nil, "", "mizzle.__mizzle_migrations", mizzleCols},
		{"--drizzle", []string{"--drizzle"}, "", "drizzle.__drizzle_migrations", drizzleCols},
		{"--table schema.table", []string{"--table", "app.history"}, "", "app.history", mizzleCols},
		{"--table table", []string{"--table", "history"}, "", "mizzle.history", mizzleCols},
		{"--drizzle --table table", []string{"--drizzle", "--table", "history"}, "", "drizzle.history", drizzleCols},
		{"config", nil, "drizzle: true\nmigrationsTable: ops.migs\n", "ops.migs", drizzleCols},
		{"flags over config", []string{"--drizzle=false", "--table", "app.h"}, "drizzle: true\nmigrationsTable: ops.migs\n", "app.h", mizzleCols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := migrateProject(t)
			db := pgtest.NewDatabase(t)
			conn := dbConn(t, db)
			writeMigrations(t, filepath.Join(dir, "migrations"), "0000_users", usersSQL, "0001_posts", postsSQL)
			if tt.config != "" {
				writeFile(t, filepath.Join(dir, configName), tt.config)
			}
			args := append([]string{"migrate", "--database-url", db}, tt.args...)
			if code, _, stderr := runIn(t, dir, args...); code != exitOK {
				t.Fatalf("migrate: exit %d\n%s", code, stderr)
			}
			got := query(t, conn, `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
				FROM pg_attribute WHERE attrelid = '`+tt.table+`'::regclass AND attnum > 0 AND NOT attisdropped`)
			if got != tt.cols {
				t.Errorf("%s columns: %s, want %s", tt.table, got, tt.cols)
			}
			hashes := query(t, conn, "SELECT hash FROM "+tt.table+" ORDER BY id")
			if want := migrate.FileHash([]byte(usersSQL)) + "," + migrate.FileHash([]byte(postsSQL)); hashes != want {
				t.Errorf("%s hashes: %s, want %s", tt.table, hashes, want)
			}
			if got := query(t, conn, userTables); strings.Count(got, ",") != 2 {
				t.Errorf("tables: %s; want users, posts and the history table only", got)
			}
			// status reads the same table; migrate again finds nothing.
			_, stdout, _ := runIn(t, dir, append([]string{"status", "--database-url", db}, tt.args...)...)
			if !strings.HasSuffix(stdout, "2 applied, 0 pending.\n") {
				t.Errorf("status:\n%s", stdout)
			}
			if tt.cols == drizzleCols && !strings.Contains(stdout, "applied  sha256:"+migrate.FileHash([]byte(usersSQL))[:12]) {
				t.Errorf("status of a drizzle history does not name the migrations by hash:\n%s", stdout)
			}
			_, stdout, _ = runIn(t, dir, args...)
			if stdout != "Nothing to migrate: the database is up to date.\n" {
				t.Errorf("second migrate: %q", stdout)
			}
		})
	}
}

// TestMigratePasswordRedaction checks that the database password appears
// in no message: connection failures (which name host and port), bad
// URLs, and statement errors.
func TestMigratePasswordRedaction(t *testing.T) {
	const pw = "S3cr3t-pw"
	dir := migrateProject(t)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a ();")

	urlDead, port := deadURL(t, "app:"+pw+"@")
	encDead, encPort := deadURL(t, url.UserPassword("app", pw+"@/ %").String()+"@")
	tests := []struct {
		name, url, want string
		secrets         []string
	}{
		{"URL", urlDead, fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ", port), []string{pw}},
		{"escaped URL", encDead, fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ", encPort), []string{pw, url.PathEscape(pw + "@/ %"), url.QueryEscape(pw + "@/ %")}},
		{"key=value", fmt.Sprintf("host=127.0.0.1 port=%d user=app password=%s dbname=app", port, pw), fmt.Sprintf("mizzle: connecting to 127.0.0.1:%d: ", port), []string{pw}},
		{"bad port", "postgres://app:" + pw + "@127.0.0.1:notaport/app", "mizzle: database URL from --database-url: cannot parse: invalid port", []string{pw}},
		{"bad escape", "postgres://app:" + pw + "%zz@127.0.0.1/app", "mizzle: database URL from --database-url: cannot parse: a bad %-escape in the password", []string{pw}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cmd := range []string{"migrate", "status"} {
				code, _, stderr := runIn(t, dir, cmd, "--database-url", tt.url)
				if code != exitFailure || !strings.HasPrefix(stderr, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want 1 and %q...", cmd, code, stderr, tt.want)
				}
				for _, s := range tt.secrets {
					if strings.Contains(stderr, s) {
						t.Errorf("%s: the password (%q) is in the message: %s", cmd, s, stderr)
					}
				}
			}
		})
	}

	t.Run("statement error", func(t *testing.T) {
		// The test server trusts every connection, so any password works.
		u, err := url.Parse(pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), pw)
		writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "SELECT '"+pw+"'::int;")
		code, _, stderr := runIn(t, dir, "migrate", "--database-url", u.String())
		want := "mizzle: migrations/0000_a.sql:1:8: statement 1: ERROR: invalid input syntax for type integer: \"xxxxx\" (SQLSTATE 22P02)\n" +
			"    SELECT 'xxxxx'::int;\n" +
			"           ^\n"
		if code != exitFailure || stderr != want {
			t.Errorf("exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, want)
		}
	})
}

// TestWithSSLMode gives a connection string without sslmode one that fits
// its hosts, and leaves one with sslmode as it is: the inserted setting
// comes first, and pgx, like libpq, keeps the last.
func TestWithSSLMode(t *testing.T) {
	tests := []struct {
		name, in, pgsslmode, want, mode string
	}{
		{"URL localhost", "postgres://u@localhost/db", "", "postgres://u@localhost/db?sslmode=disable", "disable"},
		{"URL 127.0.0.1", "postgres://u:pw@127.0.0.1:5433/db", "", "postgres://u:pw@127.0.0.1:5433/db?sslmode=disable", "disable"},
		{"URL 127.0.0.2", "postgresql://u@127.0.0.2/db", "", "postgresql://u@127.0.0.2/db?sslmode=disable", "disable"},
		{"URL ::1", "postgres://u@[::1]:5432/db", "", "postgres://u@[::1]:5432/db?sslmode=disable", "disable"},
		{"URL socket", "postgres://u@/db?host=/tmp", "", "postgres://u@/db?sslmode=disable&host=/tmp", "disable"},
		{"URL remote", "postgres://u:pw@db.example.com/db", "", "postgres://u:pw@db.example.com/db?sslmode=require", "require"},
		{"URL remote IP", "postgres://u@10.0.0.5/db?application_name=x", "", "postgres://u@10.0.0.5/db?sslmode=require&application_name=x", "require"},
		{"URL escaped password kept", "postgres://u:p%40ss%2Fw@db.example.com/db", "", "postgres://u:p%40ss%2Fw@db.example.com/db?sslmode=require", "require"},
		{"URL ? and # in the password", "postgres://u:p?a#ss@db.example.com/db", "", "postgres://u:p?a#ss@db.example.com/db?sslmode=require", "require"},
		{"URL ? in an IPv6 address", "postgres://u@[::1?]/db", "", "postgres://u@[::1?]/db?sslmode=require", "require"},
		{"URL no database", "postgres://u@db.example.com", "", "postgres://u@db.example.com?sslmode=require", "require"},
		{"URL local hosts", "postgres://u@localhost:5432,127.0.0.1:5433/db", "", "postgres://u@localhost:5432,127.0.0.1:5433/db?sslmode=disable", "disable"},
		{"URL local then remote host", "postgres://u@localhost:5432,db.example.com:5432/db", "", "postgres://u@localhost:5432,db.example.com:5432/db?sslmode=require", "require"},
		{"URL sslmode kept", "postgres://u@db.example.com/db?sslmode=verify-full", "", "postgres://u@db.example.com/db?sslmode=require&sslmode=verify-full", "verify-full"},
		{"URL sslmode disable kept", "postgres://u@db.example.com/db?sslmode=disable", "", "postgres://u@db.example.com/db?sslmode=require&sslmode=disable", "disable"},
		{"URL ssl=true kept", "postgres://u@localhost/db?ssl=true", "", "postgres://u@localhost/db?sslmode=disable&ssl=true", "require"},
		{"URL local sslmode kept", "postgres://u@localhost/db?sslmode=require", "", "postgres://u@localhost/db?sslmode=disable&sslmode=require", "require"},
		{"URL PGSSLMODE", "postgres://u@db.example.com/db", "verify-ca", "postgres://u@db.example.com/db", "verify-ca"},
		{"URL local PGSSLMODE", "postgres://u@localhost/db", "require", "postgres://u@localhost/db", "require"},
		{"kv localhost", "host=localhost dbname=db", "", "sslmode=disable host=localhost dbname=db", "disable"},
		{"kv 127.0.0.1", "host=127.0.0.1 port=5433 dbname=db", "", "sslmode=disable host=127.0.0.1 port=5433 dbname=db", "disable"},
		{"kv ::1", "host=::1 dbname=db", "", "sslmode=disable host=::1 dbname=db", "disable"},
		{"kv socket", "host=/tmp dbname=db", "", "sslmode=disable host=/tmp dbname=db", "disable"},
		{"kv remote", "host=db.example.com user=u password='a b' dbname=db", "", "sslmode=require host=db.example.com user=u password='a b' dbname=db", "require"},
		{"kv local then remote host", "host=localhost,db.example.com dbname=db", "", "sslmode=require host=localhost,db.example.com dbname=db", "require"},
		{"kv sslmode kept", "host=db.example.com sslmode=verify-full dbname=db", "", "sslmode=require host=db.example.com sslmode=verify-full dbname=db", "verify-full"},
		{"kv sslmode with spaces kept", "host=db.example.com sslmode = allow", "", "sslmode=require host=db.example.com sslmode = allow", "allow"},
		{"kv PGSSLMODE", "host=db.example.com dbname=db", "prefer", "host=db.example.com dbname=db", "prefer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PGSSLMODE", tt.pgsslmode)
			cfg, err := parseConnString(tt.in, "test")
			if err != nil {
				t.Fatal(err)
			}
			got := tt.in
			if tt.pgsslmode == "" {
				got = withSSLMode(tt.in, sslMode(&cfg.Config))
			}
			if got != tt.want {
				t.Errorf("withSSLMode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// The mode in effect, as pgx sets up TLS for it.
			want, err := pgconn.ParseConfig("host=h sslmode=" + tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err = parseConnString(got, "test")
			if err != nil {
				t.Fatal(err)
			}
			if tlsMode(&cfg.Config) != tlsMode(want) {
				t.Errorf("%q connects with %s, want %s (sslmode=%s)", got, tlsMode(&cfg.Config), tlsMode(want), tt.mode)
			}
		})
	}
}

// tlsMode describes how pgx will use TLS for a config's first host.
func tlsMode(cfg *pgconn.Config) string {
	first := "plain"
	if cfg.TLSConfig != nil {
		first = fmt.Sprintf("TLS (verify %v)", !cfg.TLSConfig.InsecureSkipVerify || cfg.TLSConfig.VerifyPeerCertificate != nil)
	}
	for _, fb := range cfg.Fallbacks {
		if fb.Host == cfg.Host && fb.Port == cfg.Port {
			if fb.TLSConfig == nil {
				return first + ", then plain"
			}
			return first + ", then TLS"
		}
	}
	return first
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name, s, conn, want string
	}{
		{"URL", "password hunter2 in a message", "postgres://u:hunter2@h/db", "password xxxxx in a message"},
		{"every occurrence", "hunter2/hunter2", "postgres://u:hunter2@h/db", "xxxxx/xxxxx"},
		{"URL escaped", "raw p@ss/w%rd, path p%40ss%2Fw%25rd, query p%40ss%2Fw%25rd", "postgres://u:p%40ss%2Fw%25rd@h/db", "raw xxxxx, path xxxxx, query xxxxx"},
		{"query escaping", "got p+s", "postgres://u:p%20s@h/db", "got xxxxx"},
		{"password parameter", "saw s3cret", "postgres://u@h/db?password=s3cret", "saw xxxxx"},
		{"key=value", "saw s3cret", "host=h user=u password=s3cret", "saw xxxxx"},
		{"key=value quoted", "saw it's here", "host=h password='it\\'s here'", "saw xxxxx"},
		{"unparsable URL", "cannot parse postgres://u:hunter2@h:notaport/db", "postgres://u:hunter2@h:notaport/db", "cannot parse postgres://u:xxxxx@h:notaport/db"},
		{"unparsable URL, escaped", "raw p%40ss@, plain p@ss", "postgres://u:p%40ss@h:notaport/db", "raw xxxxx@, plain xxxxx"},
		{"unparsable URL, bad escape", "saw hunter2%zz", "postgres://u:hunter2%zz@h/db", "saw xxxxx"},
		{"unparsable URL, @ in password", "saw p@ss", "postgres://u:p@ss@h:notaport/db", "saw xxxxx"},
		{"no password", "nothing to hide", "postgres://u@h/db", "nothing to hide"},
		{"not a connection string", "nothing to hide", "%%%", "nothing to hide"},
	}
	t.Setenv("PGPASSWORD", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact(tt.s, tt.conn); got != tt.want {
				t.Errorf("redact(%q, %q) = %q, want %q", tt.s, tt.conn, got, tt.want)
			}
		})
	}
}

// TestHostPort names a server as connection errors do.
func TestHostPort(t *testing.T) {
	for _, tt := range []struct {
		host string
		port uint16
		want string
	}{
		{"db.example.com", 5432, "db.example.com:5432"},
		{"::1", 5433, "[::1]:5433"},
		{"/var/run/postgresql", 5432, "/var/run/postgresql (port 5432)"},
	} {
		if got := hostPort(tt.host, tt.port); got != tt.want {
			t.Errorf("hostPort(%q, %d) = %q, want %q", tt.host, tt.port, got, tt.want)
		}
	}
}

// TestMigrateNoTransactionRepair: a no-transaction migration whose unique
// index fails on duplicate rows says it ran outside a transaction and how
// to repair; once the rows are fixed, the next run drops the invalid index
// the failure left, with a warning, and builds it.
func TestMigrateNoTransactionRepair(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_t", "CREATE TABLE t (a int, b int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1, 1), (1, 2);",
		"0001_u", "-- one index at a time\n"+migrate.NoTransaction+"\nCREATE UNIQUE INDEX CONCURRENTLY t_u ON t (a);\n",
	)
	code, _, stderr := runIn(t, dir, "migrate", "--database-url", db)
	if code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{
		"mizzle: migrations/0001_u.sql:3:1: statement 1: ERROR: could not create unique index \"t_u\" (SQLSTATE 23505)\n",
		"This migration runs outside a transaction",
		"    index \"public\".\"t_u\" (statement 1), invalid: a CREATE INDEX CONCURRENTLY that failed left it\n",
		"    DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_u\";\n",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr:\n%s\nwant it to contain:\n%s", stderr, w)
		}
	}
	query(t, conn, "DELETE FROM t WHERE b = 2")
	code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db)
	if code != exitOK || normalize(stdout) != "applied 0001_u (DUR)\n1 migration applied in DUR.\n" ||
		stderr != "warning: 0001_u: dropped the invalid index \"public\".\"t_u\" that a failed run left, to build it again\n" {
		t.Errorf("rerun: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := query(t, conn, "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_u'::regclass"); got != "true" {
		t.Errorf("t_u valid = %s", got)
	}
}

// TestMigrateTableLockTimeout: behind a long read, migrate with a table
// lock timeout gives up its place in the lock queue, says so at each try,
// and fails with PostgreSQL's message after the last one, applying
// nothing; tableLockTimeout in mizzle.yaml does the same as the flag.
func TestMigrateTableLockTimeout(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a (id int);")
	if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a (id int);", "0001_b", "ALTER TABLE a ADD COLUMN b int;")
	if _, err := conn.Exec(t.Context(), "BEGIN; SELECT count(*) FROM a"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runIn(t, dir, "migrate", "--database-url", db, "--table-lock-timeout", "100ms", "--retries", "1")
	want := "warning: 0001_b: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03); try 2 of 2 in 1s\n" +
		"mizzle: migrations/0001_b.sql:1:1: statement 1: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03)\n"
	if code != exitFailure || stderr != want {
		t.Errorf("migrate behind a long read: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}

	writeFile(t, filepath.Join(dir, "mizzle.yaml"), "tableLockTimeout: 100ms\n")
	code, _, stderr = runIn(t, dir, "migrate", "--database-url", db)
	if code != exitFailure || !strings.Contains(stderr, "canceling statement due to lock timeout") {
		t.Errorf("migrate with tableLockTimeout in mizzle.yaml: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := conn.Exec(t.Context(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
		t.Errorf("migrate once the read ended: exit %d\n%s", code, stderr)
	}

	writeFile(t, filepath.Join(dir, "mizzle.yaml"), "tableLockTimeout: soon\n")
	code, _, stderr = runIn(t, dir, "migrate", "--database-url", db)
	if code != exitFailure || !strings.HasSuffix(stderr, "mizzle.yaml:1: not a duration of more than zero, such as 2s or 500ms\n") {
		t.Errorf("migrate with a bad tableLockTimeout: exit %d, stderr:\n%s", code, stderr)
	}
}
