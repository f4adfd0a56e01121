package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// runMainEnv makes the test binary run main instead of the tests, so that
// the program is tested as the README runs it: a process reading
// DATABASE_URL, its output and its exit code.
const runMainEnv = "TRADING_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// runProgram runs main in a child process with DATABASE_URL set to url.
func runProgram(t *testing.T, url string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "DATABASE_URL="+url)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

const wantOutput = `Inserted 2 models.
Opened 3 orders.
Open orders:
  BTC     0.5  gpt-5 (momentum), take profit 120000, stop loss 90000
  ETH    2.25  claude (mean-reversion)
  SOL      10  gpt-5 (momentum)
Closed the BTC order of gpt-5.
Summary: 2 open, 1 closed; open quantity by model: claude 2.25, gpt-5 10.
`

// TestProgram runs the example program on a database migrated with the
// example's migrations, twice: the second run starts over.
func TestProgram(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	dir, err := migrate.Open(os.DirFS(filepath.Join("..", "..", "migrations")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Apply(t.Context(), conn, migrate.Options{}); err != nil {
		t.Fatalf("migrating with the example's migrations: %v", err)
	}

	code, stdout, stderr := runProgram(t, url)
	if code != 0 || stdout != wantOutput || stderr != "" {
		t.Fatalf("first run: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, stderr, stdout, wantOutput)
	}
	var closed, open int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE status = 'CLOSED' AND "closedAt" IS NOT NULL AND symbol = 'BTC'),
		count(*) FILTER (WHERE status = 'OPEN' AND "closedAt" IS NULL) FROM "Orders"`).Scan(&closed, &open); err != nil {
		t.Fatal(err)
	}
	if closed != 1 || open != 2 {
		t.Errorf("after the run the database has %d closed BTC orders and %d open ones, want 1 and 2", closed, open)
	}

	code, stdout, stderr = runProgram(t, url)
	want := "Deleted the 2 models of an earlier run, and their orders.\n" + wantOutput
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("second run: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, stderr, stdout, want)
	}
}

// TestProgramErrors: without a database, or on one the migrations did not
// build, the program says what is wrong and exits non-zero, never with the
// password.
func TestProgramErrors(t *testing.T) {
	code, stdout, stderr := runProgram(t, "")
	if want := "trading: set DATABASE_URL to a database migrated with examples/trading/migrations\n"; code != 2 || stdout != "" || stderr != want {
		t.Errorf("without DATABASE_URL: exit %d, stdout %q, stderr %q, want 2 and %q", code, stdout, stderr, want)
	}
	code, _, stderr = runProgram(t, "postgres://app:S3cr3t@127.0.0.1:5x32/app")
	if code != 2 || strings.Contains(stderr, "S3cr3t") || !strings.HasPrefix(stderr, "trading: DATABASE_URL is not") {
		t.Errorf("with a bad URL: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runProgram(t, pgtest.NewDatabase(t))
	if code != 1 || !strings.Contains(stderr, `Models" does not exist`) ||
		!strings.HasSuffix(stderr, "\ntrading: apply the example's migrations first: go run ./cmd/mizzle --config examples/trading/mizzle.yaml migrate\n") {
		t.Errorf("on a database without the example's tables: exit %d, stderr %q", code, stderr)
	}
}
