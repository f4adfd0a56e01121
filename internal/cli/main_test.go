package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/schema"
)

// repoRoot is where commands run, so paths in their output are short.
var repoRoot, _ = filepath.Abs("../..")

// mizzle runs the command line in-process from the repository root and
// returns its exit code and output.
func mizzle(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(repoRoot)
	return runArgs(args...)
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		wantStderr string
	}{
		{[]string{"version"}, exitOK, ""},
		{[]string{"help"}, exitOK, ""},
		{[]string{}, exitOK, ""},
		{[]string{"bogus"}, exitUsage, "mizzle: unknown command \"bogus\"\nRun 'mizzle help' for usage.\n"},
		{[]string{"shema"}, exitUsage, "mizzle: unknown command \"shema\" (did you mean \"schema\"?)\nRun 'mizzle help' for usage.\n"},
		{[]string{"schema", "--bogus"}, exitUsage, "mizzle: unknown flag: --bogus\nRun 'mizzle help' for usage.\n"},
		{[]string{"schema", "extra"}, exitUsage, "mizzle: mizzle schema takes no arguments, got extra\nRun 'mizzle help' for usage.\n"},
		{[]string{"version", "extra"}, exitUsage, "mizzle: mizzle version takes no arguments, got extra\nRun 'mizzle help' for usage.\n"},
		{[]string{"schema", "--schema", "internal/cli/testdata/broken"}, exitFailure,
			"internal/cli/testdata/broken/schema.go:5:29: unknown column option \"pkk\" (did you mean \"pk\"?)\n" +
				"internal/cli/testdata/broken/schema.go:6:2: unsupported Go type map[string]int for column \"tag\": add type:SQLTYPE to its db tag (type:jsonb for a struct stored as JSON)\n" +
				"2 errors\n"},
		{[]string{"schema", "--schema", "internal/cli/testdata/missing"}, exitFailure, "mizzle: --schema internal/cli/testdata/missing: no such directory\n"},
		{[]string{"schema", "--schema", "cmd/mizzle/main.go"}, exitFailure, "mizzle: --schema cmd/mizzle/main.go: not a directory\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := mizzle(t, tt.args...)
			if code != tt.code {
				t.Errorf("mizzle %v: exit code %d, want %d; stderr:\n%s", tt.args, code, tt.code, stderr)
			}
			if tt.wantStderr != "" && stderr != tt.wantStderr {
				t.Errorf("mizzle %v: stderr:\n%s\nwant:\n%s", tt.args, stderr, tt.wantStderr)
			}
			if tt.code != exitOK && stderr == "" {
				t.Errorf("mizzle %v failed without a message", tt.args)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	_, stdout, _ := mizzle(t, "version")
	if !strings.HasPrefix(stdout, "mizzle ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("mizzle version printed %q", stdout)
	}
}

func TestSchemaHelpShowsGrammar(t *testing.T) {
	_, stdout, _ := mizzle(t, "help", "schema")
	for _, want := range []string{"//mizzle:index NAME [USING method]", "ref:Type.Field", "identity[:always]", "comment:'TEXT'", "//mizzle:comment TEXT"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("mizzle help schema does not mention %q", want)
		}
	}
}

// TestSchemaExample prints the example application's model, as text and as
// JSON, and compares both with goldens.
func TestSchemaExample(t *testing.T) {
	code, stdout, stderr := mizzle(t, "schema", "--schema", "examples/trading/schema")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden.Check(t, "internal/cli/testdata/trading.txt", []byte(stdout))

	code, stdout, stderr = mizzle(t, "schema", "--schema", "examples/trading/schema", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden.Check(t, "internal/cli/testdata/trading.json", []byte(stdout))
	var m schema.Model
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("--json output does not decode into schema.Model: %v", err)
	}
	if len(m.Tables) != 2 || len(m.Enums) != 1 {
		t.Errorf("--json output has %d tables and %d enums, want 2 and 1", len(m.Tables), len(m.Enums))
	}
}

func TestNoColorWhenNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if useColor(w) {
		t.Error("useColor is true for a pipe")
	}
	var buf bytes.Buffer
	if useColor(&buf) {
		t.Error("useColor is true for a buffer")
	}
	t.Setenv("NO_COLOR", "1")
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if useColor(tty) {
			t.Error("useColor is true for a terminal although NO_COLOR is set")
		}
	}
}
