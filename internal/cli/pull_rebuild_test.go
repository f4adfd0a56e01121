package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lossyDB holds a table the grammar holds and a rule it cannot: a
// database built from its baseline would lack the rule.
const lossyDB = `CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL);
CREATE RULE t_keep AS ON DELETE TO t DO INSTEAD NOTHING;`

const lostWarning = "warning: 1 rule, which the schema cannot express yet: \"t_keep\" on \"public\".\"t\"\n"

// TestPullRefusesLossyBaseline: a baseline that would not rebuild the
// database is written only with --allow-lossy, and never with --strict.
func TestPullRefusesLossyBaseline(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:     "no flag",
			wantCode: exitFailure,
			wantStderr: lostWarning +
				"mizzle: pull: a database built from the baseline would not be the one read (1 warning above), so nothing was written; " +
				"pass --allow-lossy to write the package and the baseline anyway, then add what the warning names with a custom migration (mizzle generate --custom)\n",
		},
		{
			name:     "--strict wins over --allow-lossy",
			args:     []string{"--strict", "--allow-lossy"},
			wantCode: exitFailure,
			wantStderr: lostWarning +
				"mizzle: pull --strict: the schema package cannot hold all the database holds (1 warning above); nothing was written\n",
		},
		{
			name:       "--allow-lossy",
			args:       []string{"--allow-lossy"},
			wantCode:   exitOK,
			wantStdout: "schema/schema.go: 1 table written.\nmigrations/0000_baseline.sql: 1 statement written.\n",
			wantStderr: lostWarning +
				"The schema package and the baseline migration do not hold what the warnings name, so a database\n" +
				"built from the migrations will lack it; add it with a custom migration (mizzle generate --custom).\n",
		},
		{
			// --force is about Go files in --out, not about the baseline.
			name:     "--force is not enough",
			args:     []string{"--force"},
			wantCode: exitFailure,
			wantStderr: lostWarning +
				"mizzle: pull: a database built from the baseline would not be the one read (1 warning above), so nothing was written; " +
				"pass --allow-lossy to write the package and the baseline anyway, then add what the warning names with a custom migration (mizzle generate --custom)\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, url := newPullProject(t, lossyDB)
			before := p.archive()
			code, stdout, stderr := p.run("", append([]string{"pull", "--database-url", url}, tc.args...)...)
			if code != tc.wantCode || stdout != tc.wantStdout || stderr != tc.wantStderr {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s",
					code, stdout, stderr, tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
			_, err := os.Stat(filepath.Join(p.dir, "schema"))
			if tc.wantCode != exitOK {
				if string(p.archive()) != string(before) {
					t.Errorf("a refused pull changed the migrations folder")
				}
				if !os.IsNotExist(err) {
					t.Errorf("a refused pull wrote the schema package (%v)", err)
				}
				return
			}
			code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
			if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
				t.Errorf("generate after pull --allow-lossy: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// TestPullRoundTrip: the package pull would write is loaded back as
// generate loads it; when it does not declare what the database holds, or
// does not load, pull says so and writes nothing without --allow-lossy.
func TestPullRoundTrip(t *testing.T) {
	const oneTable = "CREATE TABLE t (id bigint PRIMARY KEY);"
	// A Go file of the user's next to the package (kept with --force)
	// declares a table the database does not have: generate would create
	// it, so the baseline is not what the package declares.
	const notes = "package schema\n\n//mizzle:table notes\ntype Note struct {\n\tID int64 `db:\"id,pk\"`\n}\n"
	const notesWarning = "warning: the schema package, loaded back, does not declare exactly what was read: " +
		"a database built from it would need 1 more statement to be the one read:\n" +
		"  DROP TABLE \"public\".\"notes\";\n"

	t.Run("a file of the user's declares another table", func(t *testing.T) {
		p, url := newPullProject(t, oneTable)
		writeFile(t, filepath.Join(p.dir, "schema", "notes.go"), notes)
		code, stdout, stderr := p.run("", "pull", "--database-url", url, "--force")
		want := notesWarning + "mizzle: pull: a database built from the baseline would not be the one read (1 warning above), so nothing was written; " +
			"pass --allow-lossy to write the package and the baseline anyway, then add what the warning names with a custom migration (mizzle generate --custom)\n"
		if code != exitFailure || stdout != "" || stderr != want {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", code, stdout, stderr, want)
		}
		if _, err := os.Stat(filepath.Join(p.dir, "schema", "schema.go")); !os.IsNotExist(err) {
			t.Errorf("a refused pull wrote schema.go (%v)", err)
		}

		code, stdout, stderr = p.run("", "pull", "--database-url", url, "--force", "--allow-lossy")
		if code != exitOK || !strings.HasPrefix(stderr, notesWarning) {
			t.Fatalf("pull --force --allow-lossy: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		// As the warning said: generate finds the user's table.
		code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitOK || !strings.Contains(stdout, "0001_") {
			t.Errorf("generate after the lossy pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("the package does not load", func(t *testing.T) {
		// Outside any Go module the package cannot be loaded, by pull as
		// by generate.
		p, url := newPullProject(t, oneTable)
		out := filepath.Join(t.TempDir(), "schema")
		code, stdout, stderr := p.run("", "pull", "--database-url", url, "--out", out)
		if want := "warning: the schema package does not load back as generate would load it, so it cannot be checked against the database " +
			"(pull loads it in the Go module around " + out + ", which needs go.mod and the modules it imports):\n  "; code != exitFailure || stdout != "" ||
			!strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "go.mod") ||
			!strings.HasSuffix(stderr, "(1 warning above), so nothing was written; pass --allow-lossy to write the package and the baseline anyway, "+
				"then add what the warning names with a custom migration (mizzle generate --custom)\n") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr to start with:\n%s", code, stdout, stderr, want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a refused pull wrote %s (%v)", out, err)
		}
	})
}

func TestCanonicalSQL(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"CASE\n    WHEN (v > 0) THEN true\n    ELSE (v = '-1'::integer)\nEND", "CASE WHEN (v > 0) THEN true ELSE (v = '-1'::integer) END", true},
		{"(label <> 'two\nlines'::text)", `(label <> E'two\nlines'::text)`, true},
		{`a = 'it''s'`, `a = E'it\'s'`, true},
		{`a = 'x\y'`, `a = E'x\\y'`, true},
		{"a /* note */ + b", "a + b", true},
		{"a+b", "a + b", false},           // tokens apart or together stay so
		{"a < = b", "a <= b", false},      // operators come one character at a time
		{`a = E'\x41'`, `a = 'A'`, false}, // an escape it does not decode stays as written
		{"'a  b'", "'a b'", false},        // white space in a constant is its value
		{`"a  b"`, `"a b"`, false},
	} {
		if got := canonicalSQL(tc.a) == canonicalSQL(tc.b); got != tc.same {
			t.Errorf("canonicalSQL(%q) = %q, canonicalSQL(%q) = %q: same %v, want %v",
				tc.a, canonicalSQL(tc.a), tc.b, canonicalSQL(tc.b), got, tc.same)
		}
	}
}
