package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/testmod"
)

// BenchmarkGenerateQueries runs mizzle generate on a project of 100
// tables and 200 SQL queries (two per table, in ten files) whose migration
// and query package are already written, as in a fresh clone:
//
//   - cold: with empty caches (model and typed queries), so generate loads
//     the schema with the go command, starts a throwaway cluster, applies
//     the migration, types the 200 queries and stops it;
//   - cold-cluster: the same with the model cache filled: what typing
//     the queries on a throwaway cluster costs;
//   - noop: nothing changed since the last run, the caches filled: the
//     no-op memo answers;
//   - noop-no-cache: --no-cache, so the schema is loaded with the go
//     command, and the typed queries come from their cache.
//
// Every run is checked to write nothing.
//
//	go test ./internal/cli -run '^$' -bench BenchmarkGenerateQueries -benchtime 5x -count 6
func BenchmarkGenerateQueries(b *testing.B) {
	const tables, perFile = 100, 10
	dir, env := testmod.Write(b, sqlProject(tables, perFile))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "GOFLAGS" || k == "GOPROXY" || k == "GOWORK") {
			b.Setenv(k, v)
		}
	}
	_, file, _, _ := runtime.Caller(0)
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		b.Fatal(err)
	}
	data = append(data, "\nrequire github.com/mizzle/mizzle v0.0.0\n\nreplace github.com/mizzle/mizzle => "+filepath.Join(filepath.Dir(file), "..", "..")+"\n"...)
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Setenv("SOURCE_DATE_EPOCH", "1767225600")
	b.Setenv("DATABASE_URL", "")
	b.Setenv("MIZZLE_CACHE", b.TempDir())
	b.Chdir(dir)
	args := []string{"generate", "--schema", "schema", "--query", "db", "--queries", "queries"}
	if code, stdout, stderr := runArgs(args...); code != 0 {
		b.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	typing := fmt.Sprintf("Typing %d SQL queries in a scratch database on a throwaway cluster\n", 2*tables)
	run := func(b *testing.B, stderrWant string, args ...string) {
		b.Helper()
		code, stdout, stderr := runArgs(args...)
		if code != 0 || stdout != noChanges+"\n" || stderr != stderrWant {
			b.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			b.Setenv("MIZZLE_CACHE", b.TempDir())
			b.StartTimer()
			run(b, typing, args...)
		}
	})
	run(b, "", args...)
	cache := os.Getenv("MIZZLE_CACHE")
	b.Run("cold-cluster", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			// The typed queries and the no-op memo, which would answer
			// before them.
			for _, d := range []string{"queries", "generate"} {
				if err := os.RemoveAll(filepath.Join(cache, d)); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			run(b, typing, args...)
		}
	})
	run(b, "", args...)
	b.Run("noop", func(b *testing.B) {
		for b.Loop() {
			run(b, "", args...)
		}
	})
	b.Run("noop-no-cache", func(b *testing.B) {
		for b.Loop() {
			run(b, "", append(args, "--no-cache")...)
		}
	})
}

// sqlProject is a schema package of n tables, in files of perFile, and
// two SQL queries per table in a query file per schema file.
func sqlProject(n, perFile int) *txtar.Archive {
	ar := &txtar.Archive{Files: []txtar.File{{Name: "schema/status.go", Data: []byte(`package schema

// Status is the state of a row.
type Status string

const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)
`)}}}
	for first := 0; first < n; first += perFile {
		var s, q strings.Builder
		s.WriteString("package schema\n\nimport \"time\"\n")
		for i := first; i < min(first+perFile, n); i++ {
			fmt.Fprintf(&s, `
// Item%03[1]d is a table.
//
//mizzle:table item_%03[1]d
type Item%03[1]d struct {
	ID        int64     `+"`db:\"id,pk,identity\"`"+`
	Name      string    `+"`db:\"name\"`"+`
	Note      *string   `+"`db:\"note\"`"+`
	Score     int32     `+"`db:\"score\"`"+`
	Status    Status    `+"`db:\"status,default:'open'\"`"+`
	CreatedAt time.Time `+"`db:\"created_at,default:now()\"`"+`
}
`, i)
			fmt.Fprintf(&q, `-- name: GetItem%03[1]d :one
SELECT * FROM item_%03[1]d WHERE id = @id;

-- name: RankItem%03[1]d :many
-- mizzle:notnull total
SELECT name, status, score, rank() OVER (PARTITION BY status ORDER BY score DESC) AS place, count(*) OVER () AS total
FROM item_%03[1]d WHERE status = @status AND name LIKE @pattern AND id = ANY(@ids)
ORDER BY place LIMIT @n;

`, i)
		}
		ar.Files = append(ar.Files,
			txtar.File{Name: fmt.Sprintf("schema/items_%02d.go", first/perFile), Data: []byte(s.String())},
			txtar.File{Name: fmt.Sprintf("queries/items_%02d.sql", first/perFile), Data: []byte(q.String())})
	}
	return ar
}
