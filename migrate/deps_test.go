package migrate_test

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// notLinked are the packages (and, ending in "/", package trees) that an
// application embedding the migrator must not link: the authoring side
// (differ, emitter, snapshots), the generator and what it writes with, the
// schema loader, the CLI and its configuration, and what only they use.
var notLinked = []string{
	"github.com/mizzle/mizzle/migrations",
	"github.com/mizzle/mizzle/gen",
	"github.com/mizzle/mizzle/internal/loader",
	"github.com/mizzle/mizzle/internal/introspect",
	"github.com/mizzle/mizzle/internal/goschema",
	"github.com/mizzle/mizzle/internal/pgcluster",
	"github.com/mizzle/mizzle/internal/cli",
	"github.com/dave/jennifer/",
	"golang.org/x/tools/",
	"github.com/spf13/cobra",
	"go.yaml.in/yaml/",
	"github.com/joho/godotenv",
	"github.com/google/uuid",
}

// ownAllowed are the only packages of this module the migrator may import.
// A new one is a decision, to be made here, about what every application
// embedding the migrator links.
var ownAllowed = []string{
	"github.com/mizzle/mizzle/migrate",
	"github.com/mizzle/mizzle/schema",
	"github.com/mizzle/mizzle/internal/jsonfile",
	"github.com/mizzle/mizzle/internal/quote",
	"github.com/mizzle/mizzle/internal/sqlsplit",
}

// badDeps returns the packages that pkg links and should not, as the
// migrator sees it: those of notLinked, and this module's packages not in
// ownAllowed.
func badDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v (is the go command installed and on PATH?)", pkg, err)
	}
	var bad []string
	for _, dep := range strings.Fields(string(out)) {
		forbidden := slices.ContainsFunc(notLinked, func(p string) bool {
			return dep == p || strings.HasSuffix(p, "/") && (dep == strings.TrimSuffix(p, "/") || strings.HasPrefix(dep, p))
		})
		own := dep == "github.com/mizzle/mizzle" || strings.HasPrefix(dep, "github.com/mizzle/mizzle/")
		if forbidden || own && !slices.Contains(ownAllowed, dep) {
			bad = append(bad, dep)
		}
	}
	return bad
}

// TestDependencies: an application that embeds the migrator links the
// migrator, pgx and little else, never the differ, the generator, the
// loader or the CLI.
func TestDependencies(t *testing.T) {
	if bad := badDeps(t, "github.com/mizzle/mizzle/migrate"); len(bad) > 0 {
		t.Errorf("github.com/mizzle/mizzle/migrate links what an application embedding it must not:\n\t%s", strings.Join(bad, "\n\t"))
	}
	// The check sees what it looks for: the CLI links all of it.
	bad := badDeps(t, "github.com/mizzle/mizzle/internal/cli")
	for _, want := range []string{"github.com/mizzle/mizzle/migrations", "github.com/spf13/cobra", "golang.org/x/tools/go/packages", "github.com/dave/jennifer/jen"} {
		if !slices.Contains(bad, want) {
			t.Errorf("badDeps(internal/cli) = %v, missing %s", bad, want)
		}
	}
}
