package migrations_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// forkedFolder writes a folder with a base migration and two migrations
// generated on it from two branches, merged with the second's journal entry
// appended.
func forkedFolder(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	put := func(m *migrations.Migration) {
		for _, f := range m.Files() {
			fsys[f.Path] = &fstest.MapFile{Data: f.Data}
		}
	}
	when := time.Unix(1767225600, 0)
	m0 := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}}}}
	first, err := (&migrations.Folder{}).Next("init", m0, nil, when)
	if err != nil {
		t.Fatal(err)
	}
	put(first)
	base, err := migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := base.Next("a", m0, nil, when)
	b, _ := base.Next("b", m0, nil, when)
	put(a)
	fsys[b.Tag+".sql"] = &fstest.MapFile{Data: b.SQL}
	merged := strings.Replace(string(a.Journal), "\n  ]", ",\n    {\"idx\": 2, \"version\": \"7\", \"when\": 1767225600002, \"tag\": \"0001_b\", \"breakpoints\": true}\n  ]", 1)
	fsys[migrate.JournalFile] = &fstest.MapFile{Data: []byte(merged)}
	return fsys
}

func TestFindFork(t *testing.T) {
	fsys := forkedFolder(t)
	fork, err := migrations.FindFork(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(fork.Kept.Entries) != 2 || len(fork.Dropped) != 1 || fork.Dropped[0].Tag != "0001_b" ||
		len(fork.Files) != 1 || fork.Files[0] != "0001_b.sql" {
		t.Errorf("fork = kept %d, dropped %v, files %v", len(fork.Kept.Entries), fork.Dropped, fork.Files)
	}

	// A base snapshot that does not match its id is not built on.
	snap := fsys["meta/0001_snapshot.json"]
	snap.Data = []byte(strings.Replace(string(snap.Data), `"name": "id"`, `"name": "edited"`, 1))
	_, err = migrations.FindFork(fsys)
	if err == nil || !strings.HasPrefix(err.Error(), "meta/0001_snapshot.json: its content does not match its id") {
		t.Errorf("FindFork with an edited base = %v", err)
	}

	// A folder that chains has nothing to re-chain.
	delete(fsys, "0001_b.sql")
	fsys[migrate.JournalFile].Data = []byte(strings.Replace(string(fsys[migrate.JournalFile].Data), ",\n    {\"idx\": 2, \"version\": \"7\", \"when\": 1767225600002, \"tag\": \"0001_b\", \"breakpoints\": true}", "", 1))
	snap.Data = []byte(strings.Replace(string(snap.Data), `"name": "edited"`, `"name": "id"`, 1))
	if _, err := migrations.FindFork(fsys); !errors.Is(err, migrations.ErrNoFork) {
		t.Errorf("FindFork of a chained folder = %v, want ErrNoFork", err)
	}
}
