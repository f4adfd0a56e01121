package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mizzle/mizzle/internal/pgtest"
)

var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	binaryErr  error
)

// mizzleBinary builds the mizzle command once per test binary, for the
// tests that need separate processes.
func mizzleBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "mizzle-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "mizzle")
		cmd := exec.Command("go", "build", "-o", binaryPath, ".")
		cmd.Dir = filepath.Join(repoRoot, "cmd", "mizzle")
		if out, err := cmd.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// removeBinary removes what mizzleBinary built; TestMain calls it.
func removeBinary() {
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
}

// mizzleCmd prepares a run of the mizzle binary in dir.
func mizzleCmd(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(mizzleBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "PGSSLMODE=", "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// TestConcurrentMigrateProcesses starts eight mizzle migrate processes at
// once on one database, with migrations that would fail (CREATE TABLE) or
// count twice (INSERT) if any ran twice: all succeed, one applies
// everything, the others wait for it and find nothing to do.
func TestConcurrentMigrateProcesses(t *testing.T) {
	mizzleBinary(t)
	dir := t.TempDir()
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_log", "CREATE TABLE log (tag text NOT NULL);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0000');",
		// Slow enough that the other processes find the lock taken.
		"0001_a", "CREATE TABLE a (id int);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0001');\n--> statement-breakpoint\nSELECT pg_sleep(1);",
		"0002_b", "ALTER TABLE a ADD COLUMN b int;\n--> statement-breakpoint\nINSERT INTO log VALUES ('0002');",
		"0003_c", "CREATE TABLE c (id int);\nINSERT INTO log VALUES ('0003');",
		"0004_index", "CREATE INDEX a_b ON a (b);\n--> statement-breakpoint\nINSERT INTO log VALUES ('0004');",
	)
	const n = 8
	procs := runMigrators(t, dir, slices.Repeat([]string{"migrations"}, n), "--database-url", db)
	applied, nothing, waited := 0, 0, 0
	for i, p := range procs {
		err := p.err
		out := normalize(p.out.String())
		switch {
		case err != nil:
			t.Errorf("process %d: %v\n%s%s", i, err, out, p.stderr)
		case out == "applied 0000_log (DUR)\napplied 0001_a (DUR)\napplied 0002_b (DUR)\napplied 0003_c (DUR)\napplied 0004_index (DUR)\n5 migrations applied in DUR.\n":
			applied++
		case out == "Nothing to migrate: the database is up to date.\n":
			nothing++
		default:
			t.Errorf("process %d printed:\n%s", i, out)
		}
		if p.stderr.String() == "Another migration is running; waiting for it to finish...\n" {
			waited++
		} else if p.stderr.Len() > 0 {
			t.Errorf("process %d: stderr %q", i, p.stderr)
		}
	}
	if applied != 1 || nothing != n-1 {
		t.Errorf("%d processes applied the migrations and %d found nothing to do; want 1 and %d", applied, nothing, n-1)
	}
	if waited == 0 {
		t.Errorf("no process waited for the lock: the processes did not run at the same time")
	}
	if got := query(t, conn, "SELECT string_agg(tag || ':' || n, ',' ORDER BY tag) FROM (SELECT tag, count(*) n FROM log GROUP BY tag) s"); got != "0000:1,0001:1,0002:1,0003:1,0004:1" {
		t.Errorf("migrations applied (tag:times) = %s, want each once", got)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); got != "0000_log,0001_a,0002_b,0003_c,0004_index" {
		t.Errorf("history = %s, want each migration once", got)
	}
}

// TestMigrateKilled kills a migrate process with SIGKILL in the middle of a
// migration: nothing of it stays, the lock goes with the connection, and
// the next run applies it.
func TestMigrateKilled(t *testing.T) {
	mizzleBinary(t)
	dir := t.TempDir()
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	writeMigrations(t, filepath.Join(dir, "migrations"),
		"0000_first", "CREATE TABLE first ();",
		"0001_slow", "CREATE TABLE x ();\n--> statement-breakpoint\nSELECT pg_sleep(2);",
	)
	cmd, out, errb := mizzleCmd(t, dir, "migrate", "--database-url", db)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// poll waits until sql returns want, for at most limit.
	poll := func(what, sql, want string, limit time.Duration) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			got := query(t, conn, sql)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %q after %s, want %q", what, got, limit, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	const sleeping = "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep%'"
	poll("the slow migration running", sleeping, "1", 10*time.Second)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("migrate was not killed: %v", err)
	}
	if got := normalize(out.String()); got != "applied 0000_first (DUR)\n" {
		t.Errorf("stdout before the kill: %q (stderr %q)", got, errb)
	}
	// The server notices the dead client when the statement ends; until
	// then the backend still holds the lock and the transaction.
	poll("the killed migrator's backend", "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", "0", 10*time.Second)
	poll("advisory locks", "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", "0", 5*time.Second)
	if got := query(t, conn, userTables); got != "mizzle.__mizzle_migrations,public.first" {
		t.Errorf("tables after the kill: %s; want no x", got)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); got != "0000_first" {
		t.Errorf("history after the kill: %s, want 0000_first only", got)
	}

	code, stdout, stderr := runIn(t, dir, "migrate", "--database-url", db)
	if code != exitOK || normalize(stdout) != "applied 0001_slow (DUR)\n1 migration applied in DUR.\n" {
		t.Errorf("next run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); got != "0000_first,0001_slow" {
		t.Errorf("history after the next run: %s", got)
	}
	if got := query(t, conn, "SELECT to_regclass('x')::text"); got != "x" {
		t.Errorf("table x after the next run: %s", got)
	}
}
