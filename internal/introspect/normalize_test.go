package introspect_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func createSQL(m *schema.Model) ([]string, error) {
	stmts, err := migrations.SQL(migrations.Create(m))
	var out []string
	for _, s := range stmts {
		out = append(out, s.SQL)
	}
	return out, err
}

// TestNormalize checks, for every schema of the corpus, that Normalize
// predicts exactly what introspection reads after the schema is created
// for real, and that it leaves the database as it was.
func TestNormalize(t *testing.T) {
	files, err := filepath.Glob("../../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := testmod.Load(t, file)
			conn := pgtest.Connect(t)
			if _, err := conn.Exec(ctx, "CREATE EXTENSION citext"); err != nil {
				t.Fatal(err)
			}
			before, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			norm, err := introspect.Normalize(ctx, conn, m, createSQL)
			if err != nil {
				t.Fatal(err)
			}
			after, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("Normalize changed the database:\n%s", diff)
			}

			stmts, err := createSQL(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stmts {
				if _, err := conn.Exec(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			got, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(migrations.Strip(got), migrations.Strip(norm)); diff != "" {
				t.Errorf("Normalize differs from the database built from the schema (-database +normalized):\n%s", diff)
			}
			if cs, err := migrations.Diff(got, norm, migrations.Options{}); err != nil || len(cs) != 0 {
				t.Errorf("Diff(database, normalized) = %v, %v; want nothing", cs, err)
			}
		})
	}
}
