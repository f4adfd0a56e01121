package goschema_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// inspect creates a database from an SQL file of testdata/pull and reads
// it back.
func inspect(t *testing.T, file string) *schema.Model {
	t.Helper()
	sql, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pull", file))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, string(sql), pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	m, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: []string{"public", "billing", "gist"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// load writes the files into a throwaway module and loads them as the
// generate command would.
func load(t *testing.T, files []goschema.File) *schema.Model {
	t.Helper()
	ar := &txtar.Archive{}
	for _, f := range files {
		ar.Files = append(ar.Files, txtar.File{Name: "schema/" + f.Name, Data: f.Data})
	}
	dir, env := testmod.Write(t, ar)
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	if err != nil {
		t.Fatalf("the written package does not load:\n%v\n%s", err, txtar.Format(ar))
	}
	return m
}

// TestRoundTrip pulls databases with every type, constraint and index kind
// the grammar has: nothing is approximated, the package loads back to
// exactly the database's model, and the differ finds nothing to do.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file  string
		split bool
	}{
		{"rich.sql", false},
		{"rich.sql", true},
		{"drizzle.sql", false},
		{"comments.sql", false},
		{"extensions.sql", false},
		{"sequences.sql", false},
		{"functions.sql", false},
		{"views.sql", false},
	} {
		name := tc.file
		if tc.split {
			name += "/split"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := inspect(t, tc.file)
			res, err := goschema.Write(m, goschema.Options{Split: tc.split})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings: %q", res.Warnings)
			}
			if diff := cmp.Diff(migrations.Strip(m), migrations.Strip(res.Model)); diff != "" {
				t.Errorf("Result.Model differs from the database (-db +written):\n%s", diff)
			}
			got := load(t, res.Files)
			if diff := cmp.Diff(migrations.Strip(res.Model), migrations.Strip(got)); diff != "" {
				t.Errorf("the package loads to another model (-written +loaded):\n%s", diff)
			}
			changes, err := migrations.Diff(res.Model, got, migrations.Options{})
			if err != nil || len(changes) > 0 {
				t.Errorf("Diff(written, loaded) = %v, %v; want no changes", changes, err)
			}
			if file := map[string]string{"rich.sql": "rich.txtar", "comments.sql": "comments.txtar", "extensions.sql": "extensions.txtar",
				"sequences.sql": "sequences.txtar", "functions.sql": "functions.txtar", "views.sql": "views.txtar"}[tc.file]; file != "" && !tc.split {
				ar := &txtar.Archive{}
				for _, f := range res.Files {
					ar.Files = append(ar.Files, txtar.File{Name: f.Name, Data: f.Data})
				}
				golden.Check(t, filepath.Join("testdata", file), txtar.Format(ar))
			}
			if tc.split {
				var names []string
				for _, f := range res.Files {
					names = append(names, f.Name)
				}
				want := []string{"accounts.go", "billing_users.go", "categories.go", "invoices.go", "ledger.go", "measurements.go",
					"order_items.go", "schema.go", "users.go", "x2fa_codes.go"}
				if diff := cmp.Diff(want, names); diff != "" {
					t.Errorf("split files (-want +got):\n%s", diff)
				}
			}
		})
	}
}
