package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// historyProject writes a project with one migration and the given
// mizzle.yaml.
func historyProject(t *testing.T, yaml string) string {
	t.Helper()
	dir := migrateProject(t)
	j := &migrate.Journal{Version: migrate.JournalVersion, Dialect: "postgresql", Entries: []migrate.JournalEntry{
		{Idx: 0, Version: migrate.JournalVersion, When: 1_700_000_000_000, Tag: "0000_init", Breakpoints: true},
	}}
	for name, data := range map[string][]byte{
		"migrations/0000_init.sql":      []byte("CREATE TABLE a (id int PRIMARY KEY);\n"),
		"migrations/meta/_journal.json": j.Marshal(),
		"mizzle.yaml":                   []byte(yaml),
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestStudioHistoryTable: the studio's list of migrations reads the
// history table mizzle.yaml names, as migrate writes it; with mizzle's
// default table, a project that records migrations as drizzle-orm does
// would see its applied migration as pending.
func TestStudioHistoryTable(t *testing.T) {
	dir := historyProject(t, "drizzle: true\nmigrationsTable: history.applied\n")
	db := pgtest.NewDatabase(t)
	if code, _, stderr := runIn(t, dir, "migrate", "--database-url", db); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	s := startStudio(t, "--database-url", db, "--port", "0")
	code, body := s.get(t, "/api/drift")
	var r struct {
		Migrations []struct {
			Tag     string
			Applied bool
		}
		Problems []string
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
		t.Fatalf("/api/drift: status %d: %s", code, body)
	}
	if len(r.Migrations) != 1 || !r.Migrations[0].Applied || len(r.Problems) != 0 {
		t.Errorf("/api/drift: %s, want 0000_init applied", body)
	}
}

func TestStudioHistoryTableError(t *testing.T) {
	dir := historyProject(t, "migrationsTable: a.b.c\n")
	code, stdout, stderr := runIn(t, dir, "studio", "--database-url", pgtest.NewDatabase(t), "--port", "0")
	if code != exitUsage || !strings.Contains(stderr, `migrationsTable "a.b.c" in mizzle.yaml: want schema.table or table`) || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}
