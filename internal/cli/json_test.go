package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestJSONErrors checks that a command run with --json reports a failure
// as one JSON document on stdout, with the exit code it has without
// --json, and nothing on stderr.
func TestJSONErrors(t *testing.T) {
	dead, port := deadURL(t, "app:S3cr3t-pw@")
	tests := []struct {
		name  string
		dir   string // "" for a migrations project, else relative to the repository
		args  []string
		code  int
		want  string // the message, or its start when it ends in "..."
		items []jsonDiagnostic
	}{
		{"bad URL", "", []string{"status", "--json", "--database-url", "postgres://app:S3cr#t@127.0.0.1:5x32/app"}, exitFailure,
			"database URL from --database-url: cannot parse: invalid port: a / or @ in the user name or password must be written %2F or %40", nil},
		{"no server", "", []string{"status", "--json", "--database-url", dead}, exitFailure,
			fmt.Sprintf("connecting to 127.0.0.1:%d: ...", port), nil},
		{"check, no server", ".", []string{"check", "--json", "--schema", "no-schema", "--migrations", "examples/trading/migrations", "--database-url", dead}, exitFailure,
			fmt.Sprintf("connecting to 127.0.0.1:%d: ...", port), nil},
		{"usage error", "", []string{"status", "--json", "--table", "a.b.c"}, exitUsage,
			`--table "a.b.c": want schema.table or table`, nil},
		{"unknown flag before --json", "", []string{"status", "--bogus", "--json"}, exitUsage,
			"unknown flag: --bogus", nil},
		{"extra argument", "", []string{"check", "--json", "extra"}, exitUsage,
			"mizzle check takes no arguments, got extra", nil},
		{"no migrations folder", "", []string{"status", "--json", "--database-url", dead, "--migrations", "nowhere"}, exitFailure,
			"--migrations nowhere: no such directory", nil},
		{"schema errors", ".", []string{"schema", "--json", "--schema", "internal/cli/testdata/broken"}, exitFailure,
			"internal/cli/testdata/broken/schema.go:5:29: unknown column option \"pkk\" (did you mean \"pk\"?)\n" +
				"internal/cli/testdata/broken/schema.go:6:2: unsupported Go type map[string]int for column \"tag\": add type:SQLTYPE to its db tag (type:jsonb for a struct stored as JSON)",
			[]jsonDiagnostic{
				{File: "internal/cli/testdata/broken/schema.go", Line: 5, Column: 29, Message: "unknown column option \"pkk\" (did you mean \"pk\"?)"},
				{File: "internal/cli/testdata/broken/schema.go", Line: 6, Column: 2, Message: "unsupported Go type map[string]int for column \"tag\": add type:SQLTYPE to its db tag (type:jsonb for a struct stored as JSON)"},
			}},
	}
	project := migrateProject(t)
	writeMigrations(t, filepath.Join(project, "migrations"), "0000_a", "CREATE TABLE a ();")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := project
			if tt.dir != "" {
				dir = filepath.Join(repoRoot, tt.dir)
			}
			code, stdout, stderr := runIn(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if stderr != "" {
				t.Errorf("stderr %q, want nothing", stderr)
			}
			var got jsonError
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil || dec.More() {
				t.Fatalf("stdout is not one JSON error (%v):\n%s", err, stdout)
			}
			if got.Error.ExitCode != tt.code {
				t.Errorf("exitCode %d, want %d", got.Error.ExitCode, tt.code)
			}
			if w, ok := strings.CutSuffix(tt.want, "..."); ok {
				if !strings.HasPrefix(got.Error.Message, w) {
					t.Errorf("message %q, want it to start %q", got.Error.Message, w)
				}
			} else if got.Error.Message != tt.want {
				t.Errorf("message:\n%s\nwant:\n%s", got.Error.Message, tt.want)
			}
			if fmt.Sprint(got.Error.Errors) != fmt.Sprint(tt.items) {
				t.Errorf("errors %+v, want %+v", got.Error.Errors, tt.items)
			}
			if strings.Contains(stdout, "S3cr") {
				t.Errorf("the password is in the output:\n%s", stdout)
			}
		})
	}

	t.Run("--json=false", func(t *testing.T) {
		code, stdout, stderr := runIn(t, project, "status", "--json=false", "--table", "a.b.c")
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "mizzle: --table") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and a plain message on stderr", code, stdout, stderr)
		}
	})
}

// TestStatusJSONFolderProblems: status --json puts the problems of a folder
// that does not read in its own document, each with its place, rather than
// in an error document; a server that does not answer is still an error
// document on stdout.
func TestStatusJSONFolderProblems(t *testing.T) {
	project := migrateProject(t)
	db := pgtest.NewDatabase(t)
	dir := filepath.Join(project, "migrations")
	writeMigrations(t, dir, "0000_a", "CREATE TABLE a ();")
	writeFile(t, filepath.Join(dir, "meta", "_journal.json"), "{\n  \"version\": \"7\",\n  \"entries\": [\n    {\"idx\": 0,, }\n  ]\n}\n")

	code, stdout, stderr := runIn(t, project, "status", "--json", "--database-url", db)
	if code != exitFailure || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing on stderr", code, stderr)
	}
	var got struct {
		Applied  []json.RawMessage `json:"applied"`
		Pending  []json.RawMessage `json:"pending"`
		Problems []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || dec.More() {
		t.Fatalf("stdout is not one status document (%v):\n%s", err, stdout)
	}
	if got.Applied == nil || got.Pending == nil || len(got.Applied)+len(got.Pending) != 0 {
		t.Errorf("applied %s, pending %s; want both empty lists", got.Applied, got.Pending)
	}
	if len(got.Problems) != 1 || got.Problems[0].File != "migrations/meta/_journal.json" || got.Problems[0].Line != 4 || got.Problems[0].Column == 0 || got.Problems[0].Message == "" {
		t.Errorf("problems %+v, want one in migrations/meta/_journal.json at line 4 with its column", got.Problems)
	}

	dead, port := deadURL(t, "")
	code, stdout, _ = runIn(t, project, "status", "--json", "--database-url", dead)
	var failed jsonError
	if err := json.Unmarshal([]byte(stdout), &failed); err != nil || code != exitFailure ||
		!strings.HasPrefix(failed.Error.Message, fmt.Sprintf("connecting to 127.0.0.1:%d: ", port)) {
		t.Errorf("status --json without a server: exit %d, stdout %s (%v); want the connection error in JSON", code, stdout, err)
	}
}
