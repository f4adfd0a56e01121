package migrations_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// mapFS turns an archive into a folder: every file but the want sections.
func mapFS(ar *txtar.Archive) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want") {
			fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		}
	}
	return fsys
}

// TestReadFolder reads each folder of testdata/folder and compares the
// outcome with the archive's want section: a summary of the folder, or
// every error, one per line.
func TestReadFolder(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "folder", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no folders in testdata/folder: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := migrations.ReadFolder(mapFS(ar))
			if err != nil {
				var list schema.ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("ReadFolder error is %T, want a schema.ErrorList: %v", err, err)
				}
				var b strings.Builder
				for _, e := range list {
					b.WriteString(e.Error() + "\n")
				}
				golden.CheckSection(t, file, ar, "want.err", []byte(b.String()))
				return
			}
			golden.CheckSection(t, file, ar, "want", []byte(summary(f)))
		})
	}
}

// summary describes a folder for a want section: the journal's header,
// each migration and its statements, and what a diff would start from.
func summary(f *migrations.Folder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "journal version %q, dialect %q\n", f.Journal.Version, f.Journal.Dialect)
	for _, e := range f.Entries {
		snap := "no snapshot"
		if s := e.Snapshot; s != nil {
			kind := "mizzle"
			if s.DrizzleKit {
				kind = "drizzle-kit"
			}
			snap = fmt.Sprintf("%s snapshot %s after %s", kind, s.ID, s.PrevID)
		}
		fmt.Fprintf(&b, "%d %s %s: %s\n", e.Idx, e.Tag, e.Time().Format(time.RFC3339Nano), snap)
		for _, c := range migrate.SplitSQL(e.SQL) {
			first, _, _ := strings.Cut(c.SQL, "\n")
			fmt.Fprintf(&b, "  %s:%d: %s\n", e.SQLPath(), c.Line, first)
		}
	}
	fmt.Fprintf(&b, "last id %s\n", f.LastID())
	m, err := f.Last()
	if err != nil {
		fmt.Fprintf(&b, "diff base: %v\n", err)
		return b.String()
	}
	var names []string
	for _, tbl := range m.Tables {
		names = append(names, tbl.Schema+"."+tbl.Name)
	}
	fmt.Fprintf(&b, "diff base: %d tables %v\n", len(m.Tables), names)
	return b.String()
}

func TestReadFolderMissing(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"no such directory": os.DirFS(filepath.Join(t.TempDir(), "migrations")),
		"empty directory":   os.DirFS(t.TempDir()),
		"empty map":         fstest.MapFS{},
	} {
		f, err := migrations.ReadFolder(fsys)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Entries) != 0 || f.LastID() != migrations.ZeroID ||
			f.Journal.Version != "7" || f.Journal.Dialect != "postgresql" {
			t.Errorf("%s: ReadFolder = %+v, want an empty folder", name, f)
		}
		if m, err := f.Last(); err != nil || m == nil || len(m.Tables) != 0 {
			t.Errorf("%s: Last() = %v, %v, want an empty model", name, m, err)
		}
	}
}

// write adds a migration's files to a folder, as the CLI writes them to
// disk.
func write(fsys fstest.MapFS, m *migrations.Migration) {
	for _, f := range m.Files() {
		fsys[f.Path] = &fstest.MapFile{Data: f.Data}
	}
}

// tradingHistory builds the trading example's folder from scratch in two
// migrations, as two runs of generate would: the tables, then a change to
// them. It returns the folder's files as an archive.
func tradingHistory(t *testing.T, trading *schema.Model) *txtar.Archive {
	t.Helper()
	fsys := fstest.MapFS{}
	f, err := migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	init := []migrations.Statement{
		{SQL: `CREATE TYPE "public"."status" AS ENUM ('OPEN', 'CLOSED');`},
		{SQL: "CREATE TABLE \"public\".\"Models\" (\n\t\"id\" text NOT NULL,\n\tCONSTRAINT \"Models_pkey\" PRIMARY KEY (\"id\")\n);"},
	}
	m, err := f.Next("init", trading, init, time.UnixMilli(1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	write(fsys, m)

	// The second run: the loader's model with a column fewer and an
	// index more, and the next run's clock a second later.
	changed := trading.Clone()
	orders := changed.Table("public", "Orders")
	orders.Columns = orders.Columns[:len(orders.Columns)-1]
	orders.Indexes = append(orders.Indexes, schema.Index{Name: "Orders_closed_idx", Elements: []schema.IndexElem{{Column: "closedAt", Desc: true}}})
	f, err = migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []migrations.Statement{
		{SQL: `ALTER TABLE "public"."Orders" DROP COLUMN "trailingStop";`, Warning: "Drops column Orders.trailingStop and its data."},
		{SQL: `CREATE INDEX "Orders_closed_idx" ON "public"."Orders" ("closedAt" DESC);`},
	}
	m, err = f.Next("Drop trailing stop", changed, stmts, time.UnixMilli(1700000001000))
	if err != nil {
		t.Fatal(err)
	}
	write(fsys, m)

	ar := &txtar.Archive{Comment: []byte("The trading example's folder after two migrations, as written by Next.\n")}
	for _, name := range []string{"0000_init.sql", "0001_drop_trailing_stop.sql", "meta/_journal.json", "meta/0000_snapshot.json", "meta/0001_snapshot.json"} {
		file, ok := fsys[name]
		if !ok {
			t.Fatalf("no %s in the folder; it has %v", name, keys(fsys))
		}
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: file.Data})
	}
	if len(fsys) != len(ar.Files) {
		t.Errorf("the folder has files %v, want %d", keys(fsys), len(ar.Files))
	}
	return ar
}

func keys(fsys fstest.MapFS) []string {
	var out []string
	for k := range fsys {
		out = append(out, k)
	}
	return out
}

// TestWriteRead writes a folder with Next, compares it with a golden
// archive, checks that a second run writes the same bytes, and reads it
// back: the last model is the stripped model of the last run.
func TestWriteRead(t *testing.T) {
	trading := loadTrading(t)
	ar := tradingHistory(t, trading)
	path := filepath.Join("testdata", "folder", "golden", "trading.txtar")
	golden.Check(t, path, txtar.Format(ar))
	if again := txtar.Format(tradingHistory(t, trading)); string(again) != string(txtar.Format(ar)) {
		t.Error("two runs wrote different folders")
	}

	// Through the disk, as the CLI writes the files and a migrator reads
	// them.
	dir := t.TempDir()
	for _, file := range ar.Files {
		path := filepath.Join(dir, filepath.FromSlash(file.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, file.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := migrations.ReadFolder(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 {
		t.Fatalf("read %d entries, want 2", len(f.Entries))
	}
	want := trading.Clone()
	orders := want.Table("public", "Orders")
	orders.Columns = orders.Columns[:len(orders.Columns)-1]
	orders.Indexes = append(orders.Indexes, schema.Index{Name: "Orders_closed_idx", Elements: []schema.IndexElem{{Column: "closedAt", Desc: true}}})
	got, err := f.Last()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(want), got); diff != "" {
		t.Errorf("Last() mismatch (-want +got):\n%s", diff)
	}
	first, second := f.Entries[0].Snapshot, f.Entries[1].Snapshot
	if first.PrevID != migrations.ZeroID || second.PrevID != first.ID || f.LastID() != second.ID {
		t.Errorf("chain: %s → %s → %s, last %s", first.PrevID, first.ID, second.ID, f.LastID())
	}
	if diff := cmp.Diff(migrations.Strip(trading), first.Model); diff != "" {
		t.Errorf("first snapshot mismatch (-want +got):\n%s", diff)
	}
	// Last returns a copy: changing it leaves the folder as read.
	got.Tables = nil
	if again, _ := f.Last(); len(again.Tables) == 0 {
		t.Error("Last() returned the folder's own model")
	}
}

// TestNextAfterDrizzleKit takes over a drizzle-kit folder: a custom
// migration records the schema in a mizzle snapshot chained to drizzle-kit's
// last, and from then on the folder is a diff base.
func TestNextAfterDrizzleKit(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join("testdata", "folder", "drizzle_kit.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := mapFS(ar)
	for _, file := range fsys {
		// drizzle-kit ends no file with a newline; txtar ends every one.
		file.Data = bytes.TrimSuffix(file.Data, []byte("\n"))
	}
	f, err := migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Last(); !errors.Is(err, migrations.ErrDrizzleKitBase) {
		t.Fatalf("Last() of a drizzle-kit folder: %v, want ErrDrizzleKitBase", err)
	}
	model := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "users", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}, NotNull: true}}}}}
	m, err := f.Next("adopt mizzle", model, nil, time.UnixMilli(1735696800000))
	if err != nil {
		t.Fatal(err)
	}
	if m.Tag != "0002_adopt_mizzle" || string(m.SQL) != migrations.CustomSQL {
		t.Errorf("Next = %s with %q", m.Tag, m.SQL)
	}
	write(fsys, m)
	f, err = migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Entries[2].Snapshot.PrevID; got != f.Entries[1].Snapshot.ID {
		t.Errorf("new snapshot follows %s, want drizzle-kit's last %s", got, f.Entries[1].Snapshot.ID)
	}
	got, err := f.Last()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(model), got); diff != "" {
		t.Errorf("Last() mismatch (-want +got):\n%s", diff)
	}
	// The journal keeps drizzle-kit's entries as they were.
	if !strings.HasPrefix(string(m.Journal), strings.TrimSuffix(string(ar.Files[0].Data), "\n  ]\n}\n")+",\n") {
		t.Errorf("journal rewrote drizzle-kit's entries:\n%s", m.Journal)
	}
}

func TestNextWhen(t *testing.T) {
	fsys := fstest.MapFS{}
	first, err := (*migrations.Folder)(nil).Next("init", &schema.Model{}, nil, time.UnixMilli(1700000005000))
	if err != nil {
		t.Fatal(err)
	}
	write(fsys, first)
	f, err := migrations.ReadFolder(fsys)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		when time.Time
		want int64
	}{
		{"later", time.UnixMilli(1700000009000), 1700000009000},
		{"sub-millisecond part dropped", time.UnixMilli(1700000009000).Add(999 * time.Microsecond), 1700000009000},
		// A clock behind the last entry would hide the migration from
		// drizzle-orm's migrator.
		{"earlier", time.UnixMilli(1600000000000), 1700000005001},
		{"same", time.UnixMilli(1700000005000), 1700000005001},
	}
	for _, tt := range tests {
		m, err := f.Next("x", &schema.Model{}, nil, tt.when)
		if err != nil {
			t.Fatal(err)
		}
		j, err := migrate.ParseJournal(m.Journal)
		if err != nil {
			t.Fatal(err)
		}
		if got := j.Entries[1].When; got != tt.want {
			t.Errorf("%s: when = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestNextTagClash(t *testing.T) {
	f := &migrations.Folder{Entries: []migrations.Entry{
		{Migration: migrate.Migration{JournalEntry: migrate.JournalEntry{Idx: 0, Tag: "0001_first"}}, Snapshot: &migrations.Snapshot{ID: "a"}},
	}}
	_, err := f.Next("second", &schema.Model{}, nil, time.UnixMilli(0))
	want := `meta/_journal.json: the next migration's tag "0001_second" clashes with entry 0 ("0001_first"): the journal's tags do not follow its indexes; rename them to <idx>_<name>`
	if err == nil || err.Error() != want {
		t.Errorf("Next error\n got %v\nwant %s", err, want)
	}
}

func TestNextTag(t *testing.T) {
	three := &migrations.Folder{Entries: make([]migrations.Entry, 3)}
	tests := []struct {
		f    *migrations.Folder
		name string
		want string
	}{
		{nil, "init", "0000_init"},
		{three, "add_trailing_stop", "0003_add_trailing_stop"},
		{three, "AddTrailingStop", "0003_add_trailing_stop"},
		{three, "Add trailing-stop!", "0003_add_trailing_stop"},
		{three, "  add   HTTPServer  ", "0003_add_http_server"},
		{three, "__x__y__", "0003_x_y"},
		{three, "ajouter l'élément", "0003_ajouter_l_l_ment"},
		{three, "v2 orders", "0003_v2_orders"},
		{three, "", "0003_migration"},
		{three, "!!!", "0003_migration"},
		{three, "日本語", "0003_migration"},
		{three, strings.Repeat("word ", 20), "0003_word_word_word_word_word_word_word_word_word_word_word_word"},
		{three, strings.Repeat("x", 80), "0003_" + strings.Repeat("x", 60)},
		{&migrations.Folder{Entries: make([]migrations.Entry, 12345)}, "big", "12345_big"},
	}
	for _, tt := range tests {
		if got := migrations.NextTag(tt.f, tt.name); got != tt.want {
			t.Errorf("NextTag(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	// TagName says when a name has nothing usable, for a CLI to reject it.
	for name, want := range map[string]string{"!!": "", "": "", "日本語": "", "Backfill emails": "backfill_emails"} {
		if got := migrations.TagName(name); got != want {
			t.Errorf("TagName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestReadFolderByteOrderMark: editors on Windows start a file with a UTF-8
// byte-order mark, which JSON does not allow; the journal and snapshots are
// read without it. (migrate's TestOpenByteOrderMark checks the journal's
// positions.)
func TestReadFolderByteOrderMark(t *testing.T) {
	const bom = "\ufeff"
	mig, err := (*migrations.Folder)(nil).Next("a", &schema.Model{}, nil, time.Unix(2000, 0))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, file := range mig.Files() {
		if bytes.HasPrefix(file.Data, []byte(bom)) {
			t.Errorf("Next wrote %s with a byte-order mark", file.Path)
		}
		fsys[file.Path] = &fstest.MapFile{Data: append([]byte(bom), file.Data...)}
	}
	if f, err := migrations.ReadFolder(fsys); err != nil || len(f.Entries) != 1 || f.Entries[0].Snapshot == nil {
		t.Errorf("ReadFolder with byte-order marks = %+v, %v", f, err)
	}
}
