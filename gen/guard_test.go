package gen_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
)

// guardSchema has a mixin and a field that is not a column, which the
// staleness guard must list too.
const guardSchema = `package schema

import "time"

// Stamps is a mixin.
type Stamps struct {
	CreatedAt time.Time ` + "`db:\"created_at,default:now()\"`" + `
}

// User is a user.
//
//mizzle:table
type User struct {
	ID    int64  ` + "`db:\"id,pk,identity\"`" + `
	Email string ` + "`db:\"email\"`" + `
	Stamps
	Cache string ` + "`db:\"-\"`" + `
}
`

// TestGuardCatchesChangedStruct generates the query package of a schema,
// then changes the schema's struct without generating again: the build of
// the query package must fail at the generated guard for every kind of
// change, a field added (to the table or to a mixin) as well as retyped.
func TestGuardCatchesChangedStruct(t *testing.T) {
	ar := &txtar.Archive{Files: []txtar.File{{Name: "schema/schema.go", Data: []byte(guardSchema)}}}
	dir, env := testmod.Write(t, ar)
	useThisModule(t, dir)
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(m, gen.Options{Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, "db", f.Name), f.Data)
	}
	if out, err := goRun(dir, env, "vet", "./db"); err != nil {
		t.Fatalf("vet of the fresh package: %v\n%s", err, out)
	}
	gen, err := os.ReadFile(filepath.Join(dir, "db", "user.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	genLines := strings.Split(string(gen), "\n")

	tests := []struct{ name, old, new string }{
		{"field added", "Cache string", "Nick string `db:\"nick\"`\n\tCache string"},
		{"field not a column added", "Cache string", "Other int `db:\"-\"`\n\tCache string"},
		{"mixin field added", "CreatedAt time.Time", "UpdatedAt time.Time\n\tCreatedAt time.Time"},
		{"field removed", "Cache string `db:\"-\"`", ""},
		{"field renamed", "Cache string", "Kept string"},
		{"field retyped", "Email string", "Email []byte"},
	}
	at := regexp.MustCompile(`user\.gen\.go:(\d+):\d+: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := strings.Replace(guardSchema, tt.old, tt.new, 1)
			if changed == guardSchema {
				t.Fatalf("%q is not in the schema", tt.old)
			}
			writeFile(t, filepath.Join(dir, "schema", "schema.go"), []byte(changed))
			out, err := goRun(dir, env, "vet", "./db")
			if err == nil {
				t.Fatalf("the query package builds with a changed struct:\n%s", changed)
			}
			mt := at.FindStringSubmatch(out)
			if mt == nil {
				t.Fatalf("no error in user.gen.go:\n%s", out)
			}
			line, _ := strconv.Atoi(mt[1])
			if !inGuard(genLines, line) {
				t.Errorf("the error is not in the guard (line %d: %q):\n%s", line, genLines[line-1], out)
			}
		})
	}
}

// inGuard reports whether line (1-based) is inside the func _() that the
// guard's comment introduces.
func inGuard(lines []string, line int) bool {
	for i := line - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "func ") {
			return lines[i] == "func _() {" && i > 0 && strings.Contains(lines[i-3]+lines[i-2]+lines[i-1], "A compile error here means the schema's structs changed")
		}
	}
	return false
}

func goRun(dir string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
