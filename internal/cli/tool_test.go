package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolDirective follows the README's way of adding mizzle to an
// existing module: the tool directive in go.mod (what go get -tool writes)
// and a go:generate line that runs go tool mizzle. go mod tidy keeps the
// command's requirements because of the directive, so go generate keeps
// working after it; the go run line, without the directive, does not.
//
// It works offline, as the loader's tests do: mizzle is required through a
// replace to this repository, the other modules come from the module cache
// (.ci/run fills it with go mod download), and go.sum starts as this
// repository's, which has their checksums. Offline, go mod tidy cannot
// look up the test-only requirements of mizzle's dependencies (testify,
// gopkg.in/check.v1), which go mod download does not fetch, so it runs with
// -e; the commands after it run in the go command's default -mod=readonly
// mode, which fails on any requirement tidy left out.
func TestToolDirective(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.26.0\n\n"+
		"require github.com/mizzle/mizzle v0.0.0\n\n"+
		"replace github.com/mizzle/mizzle => "+root+"\n\n"+
		"tool github.com/mizzle/mizzle/cmd/mizzle\n")
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.sum"), string(gosum))
	writeFile(t, filepath.Join(dir, "mizzle.yaml"), "schema: schema\nmigrations: migrations\nquery: db\n")
	writeFile(t, filepath.Join(dir, "schema", "schema.go"), `// Package schema declares the application's tables.
package schema

//go:generate go tool mizzle generate

// User is a user of the application.
//
//mizzle:table users
type User struct {
	ID   int64  `+"`db:\"id,pk,identity\"`"+`
	Name string `+"`db:\"name\"`"+`
}
`)
	env := append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=", "DATABASE_URL=")
	gocmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// What go get -tool leaves, then tidied: the command's requirements
	// are listed.
	gocmd("mod", "tidy", "-e")
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tool github.com/mizzle/mizzle/cmd/mizzle", "github.com/spf13/cobra ", "golang.org/x/tools "} {
		if !strings.Contains(string(gomod), want) {
			t.Errorf("go.mod after go mod tidy has no %q:\n%s", want, gomod)
		}
	}

	out := gocmd("generate", "./...")
	if !strings.Contains(out, "0000_create_users.sql: 1 statement written.") {
		t.Errorf("go generate printed:\n%s\nwant the first migration written", out)
	}
	for _, f := range []string{"migrations/0000_create_users.sql", "migrations/meta/_journal.json", "db/users.gen.go", "db/queries.gen.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after go generate: %v", err)
		}
	}

	// Tidy again, now that the module imports the generated package: the
	// tool's requirements stay, so the module builds and go generate runs.
	gocmd("mod", "tidy", "-e")
	gocmd("build", "./...")
	gocmd("vet", "./...")
	if out := gocmd("generate", "./..."); !strings.Contains(out, "No schema changes, nothing to migrate.") {
		t.Errorf("go generate after go mod tidy printed:\n%s\nwant no changes", out)
	}

	// The reason for the directive: without it, go mod tidy drops the
	// command's requirements, and go run of the command stops building.
	without := strings.Replace(readFileString(t, filepath.Join(dir, "go.mod")), "tool github.com/mizzle/mizzle/cmd/mizzle", "", 1)
	writeFile(t, filepath.Join(dir, "go.mod"), without)
	gocmd("mod", "tidy", "-e")
	cmd := exec.Command("go", "run", "github.com/mizzle/mizzle/cmd/mizzle", "version")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "missing go.sum entry") {
		t.Errorf("go run of the command after tidying without the tool directive: %v\n%s\nwant a missing go.sum entry", err, out)
	}
}

func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
