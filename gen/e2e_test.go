package gen_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestEndToEnd generates the query package of each schema in
// testdata/e2e into a throwaway module, creates the schema's tables in a
// fresh database, vets the module (generated code and all) and runs the
// archive's e2e_test.go against the database: every call of the generated
// API, on real PostgreSQL.
func TestEndToEnd(t *testing.T) {
	exampleSchema, err := os.ReadFile(filepath.Join("..", "examples", "trading", "schema", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		extra []txtar.File // files added to the archive
	}{
		{"features", nil},
		{"relations", nil},
		{"appdefaults", nil},
		{"partitions", nil},
		{"views", nil},
		{"trading", []txtar.File{{Name: "schema/schema.go", Data: exampleSchema}}},
		{"replicas", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(filepath.Join("testdata", "e2e", tc.name+".txtar"))
			if err != nil {
				t.Fatal(err)
			}
			ar.Files = append(ar.Files, tc.extra...)
			dir, env := testmod.Write(t, ar)
			useThisModule(t, dir)

			ctx := context.Background()
			m, err := loader.Load(ctx, loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
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

			goCmd(t, dir, env, "vet", "./...")
			if tc.name == "replicas" {
				// On a primary and its streaming standby.
				primaryURL, standbyURL := pgtest.NewReplicatedDatabase(t)
				createTables(t, primaryURL, m)
				pgtest.CatchUp(t)
				goCmd(t, dir, append(env, "MIZZLE_E2E_DATABASE_URL="+primaryURL, "MIZZLE_E2E_STANDBY_URL="+standbyURL), "test", "-count=1", "./...")
				return
			}

			dbURL := pgtest.NewDatabase(t)
			createTables(t, dbURL, m)

			goCmd(t, dir, append(env, "MIZZLE_E2E_DATABASE_URL="+dbURL), "test", "-count=1", "./...")

			// Again through PgBouncer in transaction mode, with the setting
			// the README gives for it: every call works there too.
			pooledURL := pgtest.NewDatabase(t)
			createTables(t, pooledURL, m)
			goCmd(t, dir, append(env, "MIZZLE_E2E_DATABASE_URL="+throughPooler(t, pooledURL)), "test", "-count=1", "./...")
		})
	}
}

// throughPooler returns dbURL through the test PgBouncer, in transaction
// pooling mode, with pgx's cache_describe mode: statement descriptions
// cached, each statement run as the unnamed one in a single round trip,
// never a named prepared statement, which PgBouncer 1.18 would leave on
// another client's server connection. (The exec mode, which knows no
// parameter types, cannot send a JSON struct or a slice of enum values.)
func throughPooler(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(pgtest.PoolerURL(t, dbURL))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("default_query_exec_mode", "cache_describe")
	u.RawQuery = q.Encode()
	return u.String()
}

// useThisModule points the throwaway module's requirement of mizzle at this
// checkout, so generated code imports the pg package being tested.
func useThisModule(t *testing.T, dir string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "\nrequire github.com/mizzle/mizzle v0.0.0\n\nreplace github.com/mizzle/mizzle => "+root+"\n"...)
	writeFile(t, gomod, data)
}

// createTables runs the migration that creates the model from nothing.
func createTables(t *testing.T, dbURL string, m *schema.Model) {
	t.Helper()
	ctx := context.Background()
	stmts, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s.SQL); err != nil {
			t.Fatalf("%s\n%v", s.SQL, err)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func goCmd(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out.String())
	}
}
