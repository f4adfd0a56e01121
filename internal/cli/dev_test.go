package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/devdb"
	"github.com/mizzle/mizzle/internal/pgtest"
)

// exampleMigrations is absolute: the tests change directory into their
// projects.
var exampleMigrations, _ = filepath.Abs(filepath.Join("..", "..", "examples", "trading", "migrations"))

var devURLRE = regexp.MustCompile(`^postgres://postgres@127\.0\.0\.1:(\d+)/dev\?sslmode=disable\n$`)

// newDevProject makes a project with a mizzle.yaml and the example's
// migrations, and makes it the working directory. As root the cluster runs
// as postgres, which must reach the folder: t.TempDir's directories are
// private to their owner, so they are opened up (os.TempDir is traversable
// by everyone). Whatever the test does, the cluster is stopped at cleanup.
func newDevProject(t *testing.T) string {
	t.Helper()
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PGSSLMODE", "")
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "mizzle.yaml"), []byte("migrations: migrations\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "migrations"), os.DirFS(exampleMigrations)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Cleanup(func() { pgtest.StopServer(t, filepath.Join(dir, devdb.Folder, "dev", "data")) })
	return dir
}

// devRun runs mizzle in-process in the working directory.
func devRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runArgs(args...)
}

// startDev runs mizzle dev, which must succeed, and returns the URL it
// printed and its port.
func startDev(t *testing.T) (url string, port int, stderr string) {
	t.Helper()
	code, stdout, stderr := devRun(t, "dev")
	if code != exitOK {
		t.Fatalf("mizzle dev: exit %d\n%s", code, stderr)
	}
	m := devURLRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("mizzle dev printed %q on stdout, want the URL alone", stdout)
	}
	port, _ = strconv.Atoi(m[1])
	return strings.TrimSpace(stdout), port, stderr
}

func devConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestDevLifecycle: what mizzle dev and its subcommands print through a
// cluster's life; what becomes of the cluster is internal/devdb's test.
func TestDevLifecycle(t *testing.T) {
	project := newDevProject(t)

	url, port, stderr := startDev(t)
	want := fmt.Sprintf("Creating the dev database in .mizzle/dev (initdb)...\n"+
		"Started the dev database on port %d (stop it with: mizzle dev stop).\n", port)
	if stderr != want {
		t.Errorf("first mizzle dev: stderr\n%s\nwant\n%s", stderr, want)
	}
	conn := devConnect(t, url)
	var one int
	if err := conn.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
	conn.Close(t.Context())

	// Running: reused as it is.
	url2, _, stderr := startDev(t)
	if url2 != url {
		t.Errorf("second mizzle dev printed %s, want %s", url2, url)
	}
	if want := fmt.Sprintf("The dev database is already running on port %d.\n", port); stderr != want {
		t.Errorf("second mizzle dev: stderr %q, want %q", stderr, want)
	}

	code, stdout, _ := devRun(t, "dev", "status")
	if code != exitOK || stdout != "running "+url+"\n" {
		t.Errorf("dev status while running: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = devRun(t, "dev", "url")
	if code != exitOK || stdout != url+"\n" {
		t.Errorf("dev url: exit %d, stdout %q", code, stdout)
	}
	// From a subdirectory: the folder is next to mizzle.yaml.
	if err := os.Mkdir(filepath.Join(project, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(project, "sub"))
	code, stdout, _ = devRun(t, "dev", "status")
	if code != exitOK || stdout != "running "+url+"\n" {
		t.Errorf("dev status from a subdirectory: exit %d, stdout %q", code, stdout)
	}
	t.Chdir(project)

	code, stdout, stderr = devRun(t, "dev", "stop")
	if code != exitOK || stdout != "" || stderr != "Stopped the dev database.\n" {
		t.Errorf("dev stop: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Stopped is a failure to scripts that ask whether they can connect.
	code, stdout, _ = devRun(t, "dev", "status")
	if code != exitFailure || stdout != "stopped "+url+"\n" {
		t.Errorf("dev status after stop: exit %d, stdout %q, want exit 1", code, stdout)
	}
	code, _, stderr = devRun(t, "dev", "stop")
	if want := "mizzle: the dev database in .mizzle/dev is not running\n"; code != exitFailure || stderr != want {
		t.Errorf("dev stop when stopped: exit %d, stderr %q, want %q", code, stderr, want)
	}

	// Started again, by its other name: the same port.
	code, stdout, stderr = devRun(t, "dev", "start")
	url3 := strings.TrimSpace(stdout)
	if code != exitOK || url3 != url {
		t.Errorf("mizzle dev start after stop: exit %d, printed %s, want %s", code, url3, url)
	}
	if want := fmt.Sprintf("Started the dev database on port %d (stop it with: mizzle dev stop).\n", port); stderr != want {
		t.Errorf("mizzle dev start after stop: exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// TestDevMigrate: with no database named, migrate and status use the dev
// database while it runs, and say so; a named database wins.
func TestDevMigrate(t *testing.T) {
	newDevProject(t)
	url, _, _ := startDev(t)

	code, stdout, stderr := devRun(t, "migrate")
	if code != exitOK {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}
	if want := "Using the dev database at " + url + "\n"; stderr != want {
		t.Errorf("migrate: stderr %q, want %q", stderr, want)
	}
	if !regexp.MustCompile(`^applied 0000_init \(\S+\)\n1 migration applied in \S+\.\n$`).MatchString(stdout) {
		t.Errorf("migrate: stdout %q", stdout)
	}
	conn := devConnect(t, url)
	var tables []string
	rows, _ := conn.Query(t.Context(), `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(tables, ",") != "Models,Orders" {
		t.Errorf("tables in the dev database: %q (%v), want Models,Orders", tables, err)
	}

	code, stdout, stderr = devRun(t, "status")
	if code != exitOK || !strings.HasSuffix(stdout, "1 applied, 0 pending.\n") || !strings.HasPrefix(stderr, "Using the dev database at ") {
		t.Errorf("status: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// An explicit database comes first, silently.
	other := pgtest.NewDatabase(t)
	code, stdout, stderr = devRun(t, "migrate", "--database-url", other)
	if code != exitOK || stderr != "" || !strings.HasPrefix(stdout, "applied 0000_init") {
		t.Errorf("migrate --database-url: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// Stopped, it is not used, nor started.
	if code, _, stderr := devRun(t, "dev", "stop"); code != exitOK {
		t.Fatalf("dev stop: %s", stderr)
	}
	code, _, stderr = devRun(t, "migrate")
	if want := "mizzle: no database: pass --database-url, or set DATABASE_URL (in the environment or in .env) or databaseUrl in mizzle.yaml, or start one with mizzle dev\nRun 'mizzle help' for usage.\n"; code != exitUsage || stderr != want {
		t.Errorf("migrate with the dev database stopped: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if code, stdout, _ := devRun(t, "dev", "status"); !strings.HasPrefix(stdout, "stopped ") {
		t.Errorf("migrate started the dev database: status exit %d, %q", code, stdout)
	}
}

// TestDevCheckAndDrop: check and drop find the dev database as migrate
// does, and say so: check compares it with the folder (here, a table made
// by hand is drift), and drop refuses a migration it has applied. Stopped,
// it is not used: check says it looked at no database, and drop drops.
func TestDevCheckAndDrop(t *testing.T) {
	schemaDir := filepath.Join(filepath.Dir(exampleMigrations), "schema")
	newDevProject(t)
	url, _, _ := startDev(t)
	using := "Using the dev database at " + url + "\n"
	if code, _, stderr := devRun(t, "migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}

	code, stdout, stderr := devRun(t, "check", "--schema", schemaDir)
	if want := "OK: 1 migration, and the schema has nothing left to generate.\n"; code != exitOK || stdout != want || stderr != using {
		t.Errorf("check: exit %d, stdout %q, stderr %q; want %q and %q", code, stdout, stderr, want, using)
	}
	code, stdout, stderr = devRun(t, "check", "--schema", schemaDir, "--json")
	if want := "{\n  \"problems\": [],\n  \"databaseChecked\": true\n}\n"; code != exitOK || stdout != want || stderr != using {
		t.Errorf("check --json: exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
	if _, err := devConnect(t, url).Exec(t.Context(), "CREATE TABLE by_hand (x int)"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = devRun(t, "check", "--schema", schemaDir)
	if code != exitFailure || !strings.HasPrefix(stderr, using) || !strings.Contains(stderr, `drift: the database differs from its migrations: CREATE TABLE "public"."by_hand"`) {
		t.Errorf("check after a change by hand: exit %d, stderr\n%s\nwant exit 1 and the drift", code, stderr)
	}

	code, stdout, stderr = devRun(t, "drop", "--yes")
	want := using + "mizzle: migrations/0000_init.sql is applied to the database: dropping it would leave the database ahead of the folder; write a new migration that undoes it instead\n"
	if code != exitFailure || stdout != "" || stderr != want {
		t.Errorf("drop of a migration the dev database applied: exit %d, stdout %q, stderr\n%s\nwant\n%s", code, stdout, stderr, want)
	}
	if _, err := os.Stat(filepath.Join("migrations", "0000_init.sql")); err != nil {
		t.Errorf("the refused drop removed the migration: %v", err)
	}

	if code, _, stderr := devRun(t, "dev", "stop"); code != exitOK {
		t.Fatalf("dev stop: %s", stderr)
	}
	code, stdout, stderr = devRun(t, "check", "--schema", schemaDir)
	if want := "OK: 1 migration, and the schema has nothing left to generate. No database was found, so none was checked.\n"; code != exitOK || stdout != want || stderr != "" {
		t.Errorf("check with the dev database stopped: exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
	code, stdout, _ = devRun(t, "check", "--schema", schemaDir, "--json")
	if want := "{\n  \"problems\": [],\n  \"databaseChecked\": false\n}\n"; code != exitOK || stdout != want {
		t.Errorf("check --json with the dev database stopped: exit %d, stdout %q; want %q", code, stdout, want)
	}
	code, stdout, stderr = devRun(t, "drop", "--yes")
	if code != exitOK || stdout != "Dropped 0000_init.\n" || stderr != "" {
		t.Errorf("drop with the dev database stopped: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestDevNothingThere(t *testing.T) {
	project := newDevProject(t)
	const none = "mizzle: there is no dev database in .mizzle/dev: mizzle dev creates one\n"
	for _, args := range [][]string{{"dev", "stop"}, {"dev", "url"}} {
		code, stdout, stderr := devRun(t, args...)
		if code != exitFailure || stdout != "" || stderr != none {
			t.Errorf("%s: exit %d, stdout %q, stderr %q, want %q", strings.Join(args, " "), code, stdout, stderr, none)
		}
	}
	code, stdout, stderr := devRun(t, "dev", "status")
	if want := "none (mizzle dev creates one in .mizzle/dev)\n"; code != exitFailure || stdout != want || stderr != "" {
		t.Errorf("dev status: exit %d, stdout %q, stderr %q, want exit 1 and %q", code, stdout, stderr, want)
	}
	code, _, stderr = devRun(t, "dev", "stpo")
	if want := "mizzle: unknown command \"stpo\" for \"mizzle dev\" (did you mean \"stop\"?)\nRun 'mizzle help' for usage.\n"; code != exitUsage || stderr != want {
		t.Errorf("dev stpo: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(project, ".mizzle")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("looking created .mizzle (%v)", err)
	}
}

// TestDevStatusLine: mizzle dev status says one line per state, and exits
// 0 only when the server runs.
func TestDevStatusLine(t *testing.T) {
	d := devdb.New("/p", "/p")
	for _, tt := range []struct {
		st      devdb.Status
		line    string
		running bool
	}{
		{devdb.Status{State: devdb.None}, "none (mizzle dev creates one in .mizzle/dev)", false},
		{devdb.Status{State: devdb.Stopped}, "stopped (no port chosen yet: mizzle dev chooses one)", false},
		{devdb.Status{State: devdb.Stopped, Port: 5433}, "stopped postgres://postgres@127.0.0.1:5433/dev?sslmode=disable", false},
		{devdb.Status{State: devdb.Running, Port: 5433}, "running postgres://postgres@127.0.0.1:5433/dev?sslmode=disable", true},
		{devdb.Status{State: devdb.NotReady, Port: 5433}, "not answering postgres://postgres@127.0.0.1:5433/dev?sslmode=disable", false},
	} {
		if line, running := devStatusLine(d, tt.st); line != tt.line || running != tt.running {
			t.Errorf("devStatusLine(%+v) = %q, %v; want %q, %v", tt.st, line, running, tt.line, tt.running)
		}
	}
}
