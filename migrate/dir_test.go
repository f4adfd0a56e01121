package migrate_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// TestOpen reads folders as an application deploys them: a missing folder
// or journal is an empty folder, snapshots are not needed, and a folder the
// journal does not describe is refused with every problem, by file.
func TestOpen(t *testing.T) {
	withJournal := func(journal string, files ...string) fstest.MapFS {
		fsys := folder(files...)
		fsys[migrate.JournalFile].Data = []byte(journal)
		return fsys
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		tags []string // when it opens
		errs []string // else every problem, in order
	}{
		{name: "no folder", fsys: fstest.MapFS{}, tags: nil},
		{name: "no journal, other files", fsys: fstest.MapFS{"README.md": {Data: []byte("x")}}, tags: nil},
		{name: "journal and SQL only", fsys: folder("0000_a", "SELECT 1;", "0001_b", "SELECT 2;"), tags: []string{"0000_a", "0001_b"}},
		{
			name: "no journal, SQL files",
			fsys: fstest.MapFS{"0000_a.sql": {Data: []byte("SELECT 1;")}},
			errs: []string{"meta/_journal.json: missing, but the folder has SQL files (0000_a.sql)"},
		},
		{
			name: "unlisted and missing files",
			fsys: func() fstest.MapFS {
				fsys := folder("0000_a", "SELECT 1;", "0001_b", "SELECT 2;")
				delete(fsys, "0001_b.sql")
				fsys["0002_c.sql"] = &fstest.MapFile{Data: []byte("SELECT 3;")}
				return fsys
			}(),
			errs: []string{
				"0001_b.sql: missing, but meta/_journal.json lists it (entry 1)",
				"0002_c.sql: not listed in meta/_journal.json",
			},
		},
		{
			name: "repeated tag and shared snapshot",
			fsys: withJournal(`{"version": "7", "dialect": "postgresql", "entries": [
  {"idx": 0, "version": "7", "when": 1, "tag": "0000_a", "breakpoints": true},
  {"idx": 1, "version": "7", "when": 2, "tag": "0000_a", "breakpoints": true},
  {"idx": 2, "version": "7", "when": 3, "tag": "0000_b", "breakpoints": true}]}`, "0000_a", "SELECT 1;", "0000_b", "SELECT 2;"),
			errs: []string{
				`meta/_journal.json:3:3: entry 1 repeats the tag "0000_a" of entry 0`,
				`meta/_journal.json:4:3: entries 0 ("0000_a") and 2 ("0000_b") would share the snapshot meta/0000_snapshot.json`,
			},
		},
		{
			name: "another dialect",
			fsys: withJournal(`{"version": "7", "dialect": "mysql", "entries": []}`),
			errs: []string{`meta/_journal.json: dialect is "mysql", not "postgresql"`},
		},
		{
			name: "journal that does not decode",
			fsys: withJournal(`{"version": "7", "entries": [{"idx": "0"}]}`),
			errs: []string{`meta/_journal.json:1:40: "entries.idx" is a JSON string, want an integer`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := migrate.Open(tt.fsys)
			if tt.errs == nil {
				if err != nil {
					t.Fatal(err)
				}
				var tags []string
				for _, m := range d.Migrations {
					tags = append(tags, m.Tag)
					if m.SQL == nil {
						t.Errorf("%s: no SQL read", m.Tag)
					}
				}
				if diff := cmp.Diff(tt.tags, tags); diff != "" {
					t.Errorf("migrations (-want +got):\n%s", diff)
				}
				return
			}
			var list schema.ErrorList
			if !errors.As(err, &list) || d != nil {
				t.Fatalf("Open = %v, %v; want nil and a schema.ErrorList", d, err)
			}
			if len(list) != len(tt.errs) {
				t.Fatalf("Open found %d problems, want %d:\n%v", len(list), len(tt.errs), err)
			}
			for i, want := range tt.errs {
				if !strings.HasPrefix(list[i].Error(), want) {
					t.Errorf("problem %d:\n%s\nwant it to start with:\n%s", i, list[i], want)
				}
			}
		})
	}
}

// TestRead: for a tool that goes on checking, Read returns what it could
// read with the problems, leaving out entries whose tag cannot be used.
func TestRead(t *testing.T) {
	fsys := folder("0000_a", "SELECT 1;", "0001_b", "SELECT 2;", "0002_c", "SELECT 3;")
	fsys[migrate.JournalFile].Data = []byte(strings.Replace(string(fsys[migrate.JournalFile].Data), `"tag": "0001_b"`, `"tag": "../b"`, 1))
	delete(fsys, "0002_c.sql")
	d, problems, err := migrate.Read(fsys)
	if err != nil || d == nil {
		t.Fatalf("Read = %v, %v, %v", d, problems, err)
	}
	var got []string
	for _, m := range d.Migrations {
		got = append(got, m.Tag+" "+string(m.SQL))
	}
	if diff := cmp.Diff([]string{"0000_a SELECT 1;", "0002_c "}, got); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	var all []string
	for _, p := range problems {
		all = append(all, p.Error())
	}
	text := strings.Join(all, "\n")
	if len(problems) != 3 || !strings.Contains(text, `tag "../b" is not a file name`) ||
		!strings.Contains(text, "0002_c.sql: missing") || !strings.Contains(text, "0001_b.sql: not listed") {
		t.Errorf("problems:\n%s", text)
	}
}
