package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

const poolerDetected = "Connected through a connection pooler (detected): each migration takes the migration lock in its own transaction, as with --pooler.\n"

// TestConcurrentMigrateProcessesThroughPooler starts eight mizzle migrate
// processes at once through PgBouncer in transaction mode, which has fewer
// server connections than they are, with migrations that would fail
// (CREATE TABLE) or count twice (INSERT) if any ran twice: all succeed,
// each migration is applied by exactly one of them, in journal order.
func TestConcurrentMigrateProcessesThroughPooler(t *testing.T) {
	mizzleBinary(t)
	dir := t.TempDir()
	db := pgtest.NewDatabase(t)
	pooled := pgtest.PoolerURL(t, db)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_log", "CREATE TABLE log (tag text NOT NULL, at bigint GENERATED ALWAYS AS IDENTITY);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0000');",
		// Slow enough that the other processes find the lock taken.
		"0001_a", "CREATE TABLE a (id int);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0001');\n--> statement-breakpoint\nSELECT pg_sleep(1);",
		"0002_b", "ALTER TABLE a ADD COLUMN b int;\n--> statement-breakpoint\nINSERT INTO log VALUES ('0002');",
		"0003_c", "CREATE TABLE c (id int);\nINSERT INTO log VALUES ('0003');",
		"0004_index", "CREATE INDEX a_b ON a (b);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0004');",
	)
	const n = 8
	procs := runMigrators(t, dir, slices.Repeat([]string{"migrations"}, n), "--database-url", pooled)
	appliedLine := regexp.MustCompile(`^applied (\S+) \(DUR\)$`)
	applied := map[string]int{}
	waited := 0
	for i, p := range procs {
		err := p.err
		if err != nil {
			t.Errorf("process %d: %v\n%s%s", i, err, p.out, p.stderr)
			continue
		}
		lines := strings.Split(strings.TrimSuffix(normalize(p.out.String()), "\n"), "\n")
		last := lines[len(lines)-1]
		if !regexp.MustCompile(`^\d+ migrations? applied in DUR\.$`).MatchString(last) && last != "Nothing to migrate: the database is up to date." {
			t.Errorf("process %d ended with %q", i, last)
		}
		for _, l := range lines[:len(lines)-1] {
			m := appliedLine.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("process %d printed %q", i, l)
				continue
			}
			applied[m[1]]++
		}
		switch stderr := p.stderr.String(); stderr {
		case poolerDetected + "Another migration is running; waiting for it to finish...\n":
			waited++
		case poolerDetected:
		default:
			t.Errorf("process %d: stderr %q", i, stderr)
		}
	}
	if got := query(t, conn, "SELECT string_agg(tag, ',' ORDER BY at) FROM log"); got != "0000,0001,0002,0003,0004" {
		t.Errorf("migrations run, in order: %s; want each once", got)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); got != "0000_log,0001_a,0002_b,0003_c,0004_index" {
		t.Errorf("history = %s, want each migration once", got)
	}
	for _, tag := range []string{"0000_log", "0001_a", "0002_b", "0003_c", "0004_index"} {
		if applied[tag] != 1 {
			t.Errorf("%s reported applied by %d processes, want 1", tag, applied[tag])
		}
	}
	if waited == 0 {
		t.Errorf("no process waited for the lock: the processes did not run at the same time")
	}
}

// TestMigratePoolerSettings: --pooler and pooler: in mizzle.yaml are
// honoured, the flag over the file, and a no-transaction migration is
// refused through a pooler, named, with the way out.
func TestMigratePoolerSettings(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.NewDatabase(t)
	pooled := pgtest.PoolerURL(t, db)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_users", "CREATE TABLE users (id int, name text);",
		"0001_index", "-- mizzle:no-transaction\nCREATE INDEX CONCURRENTLY users_name ON users (name);",
	)
	refusal := filepath.Join("migrations", "0001_index.sql") + ": a no-transaction migration cannot be applied through a transaction pooler"
	refused := func(what string, code int, stdout, stderr string) {
		t.Helper()
		if code != exitFailure || stdout != "" || !strings.Contains(stderr, refusal) || !strings.Contains(stderr, "apply the migrations on a direct connection to PostgreSQL") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want the refusal", what, code, stdout, stderr)
		}
		if got := query(t, conn, userTables); got != "" {
			t.Errorf("%s: tables after the refusal: %s", what, got)
		}
	}
	// Detected.
	code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", pooled)
	refused("through the pooler", code, stdout, strings.TrimPrefix(stderr, poolerDetected))
	if !strings.HasPrefix(stderr, poolerDetected) {
		t.Errorf("through the pooler: stderr %q does not say the pooler was detected", stderr)
	}
	// Told, on a direct connection.
	code, stdout, stderr = runIn(t, dir, "migrate", "--database-url", db, "--pooler")
	refused("--pooler", code, stdout, stderr)
	writeFile(t, filepath.Join(dir, "mizzle.yaml"), "pooler: true\n")
	code, stdout, stderr = runIn(t, dir, "migrate", "--database-url", db)
	refused("pooler: true", code, stdout, stderr)
	code, stdout, stderr = runIn(t, dir, "status", "--database-url", db)
	if code != exitFailure || !strings.Contains(stderr, refusal) {
		t.Errorf("status with pooler: true: exit %d, stdout %q, stderr %q; want the refusal as a problem", code, stdout, stderr)
	}
	// --pooler=false over the file: the session lock, on a direct
	// connection, and the index is built.
	code, stdout, stderr = runIn(t, dir, "migrate", "--database-url", db, "--pooler=false")
	if code != exitOK || normalize(stdout) != "applied 0000_users (DUR)\napplied 0001_index (DUR)\n2 migrations applied in DUR.\n" || stderr != "" {
		t.Errorf("--pooler=false: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := query(t, conn, "SELECT to_regclass('users_name')::text"); got != "users_name" {
		t.Errorf("index after --pooler=false: %s", got)
	}
}

// TestMigrateThroughPoolerTimeouts: --lock-timeout and --table-lock-timeout
// bound the waits through the pooler as on a direct connection.
func TestMigrateThroughPoolerTimeouts(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.NewDatabase(t)
	pooled := pgtest.PoolerURL(t, db)
	holder := dbConn(t, db)
	ctx := context.Background()
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_users", "CREATE TABLE users (id int);")
	if code, _, stderr := runIn(t, dir, "migrate", "--database-url", pooled); code != exitOK {
		t.Fatalf("first migrate: %s", stderr)
	}
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_users", "CREATE TABLE users (id int);", "0001_name", "ALTER TABLE users ADD COLUMN name text;")

	// Another migrator's lock, held on a direct connection.
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", migrate.LockKey(migrate.DefaultTable)); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", pooled, "--lock-timeout", "300ms")
	if code != exitFailure || stdout != "" || !strings.Contains(stderr, "gave up after waiting 300ms for another migration") {
		t.Errorf("migrate --lock-timeout while another holds the lock: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_unlock($1)", migrate.LockKey(migrate.DefaultTable)); err != nil {
		t.Fatal(err)
	}

	// A long read holding the table.
	if _, err := holder.Exec(ctx, "BEGIN; SELECT count(*) FROM users"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runIn(t, dir, "migrate", "--database-url", pooled, "--table-lock-timeout", "100ms", "--retries", "1")
	if code != exitFailure || stdout != "" || strings.Count(stderr, "canceling statement due to lock timeout") != 2 || !strings.Contains(stderr, "try 2 of 2") {
		t.Errorf("migrate --table-lock-timeout behind a long read: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := holder.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runIn(t, dir, "migrate", "--database-url", pooled, "--table-lock-timeout", "100ms")
	if code != exitOK || normalize(stdout) != "applied 0001_name (DUR)\n1 migration applied in DUR.\n" {
		t.Errorf("migrate once the read ended: exit %d, stdout %q", code, stdout)
	}
}
