package migrations

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// Folder is a migrations folder as read by ReadFolder:
//
//	0000_init.sql            statements separated by breakpoints
//	0001_add_trailing_stop.sql
//	meta/_journal.json       the ordered list of migrations (drizzle-kit's journal)
//	meta/0000_snapshot.json  the model after each migration, chained by id and prevId
//	meta/0001_snapshot.json
//
// A folder written by drizzle-kit reads too: its journal and SQL files are
// the same format, and its snapshots chain with mizzle's (see
// Snapshot.DrizzleKit).
type Folder struct {
	// Journal is the journal as read, or a new empty one for a folder
	// without migrations. Entries, not Journal.Entries, is what Next and
	// the other methods use.
	Journal migrate.Journal
	// Entries are the migrations in journal order.
	Entries []Entry
}

// Entry is one migration of a folder: the migrator's view of it (journal
// entry and SQL) and its snapshot.
type Entry struct {
	migrate.Migration
	// Snapshot is the migration's snapshot, or nil when its file is
	// missing, which ReadFolder allows for every migration but the last.
	Snapshot *Snapshot
}

// SnapshotPath returns the path of the entry's snapshot inside the folder.
func (e *Entry) SnapshotPath() string { return SnapshotPath(e.Tag) }

// LastID returns the id of the last migration's snapshot: the prevId of the
// next one. It is ZeroID when there are no migrations.
func (f *Folder) LastID() string {
	if f == nil || len(f.Entries) == 0 {
		return ZeroID
	}
	if s := f.Entries[len(f.Entries)-1].Snapshot; s != nil {
		return s.ID
	}
	return ZeroID // not reached for a folder from ReadFolder
}

// ErrDrizzleKitBase is returned (wrapped) by Folder.Last when the last
// snapshot was written by drizzle-kit. A caller can take over such a folder
// by writing a custom migration (Folder.Next without statements) whose
// snapshot is the current schema.
var ErrDrizzleKitBase = errors.New("written by drizzle-kit, whose schema format mizzle cannot diff against")

// Last returns a copy of the model after the last migration, the base the
// next migration is diffed against; an empty model when there are no
// migrations. It fails with ErrDrizzleKitBase when the last snapshot was
// written by drizzle-kit.
func (f *Folder) Last() (*schema.Model, error) {
	if f == nil || len(f.Entries) == 0 {
		return &schema.Model{}, nil
	}
	e := &f.Entries[len(f.Entries)-1]
	switch s := e.Snapshot; {
	case s == nil:
		return nil, fmt.Errorf("%s: missing: the last migration needs its snapshot as the base of the next one", e.SnapshotPath())
	case s.DrizzleKit:
		return nil, fmt.Errorf("%s: %w: add a custom migration that records the current schema in a mizzle snapshot, "+
			"then generate as usual (the journal and SQL files migrate as they are)", e.SnapshotPath(), ErrDrizzleKitBase)
	default:
		return s.Model.Clone(), nil
	}
}

// ReadFolder reads and checks a migrations folder: the journal and SQL files
// as migrate.Open reads them, then the snapshots and their chain. fsys is
// the folder itself: os.DirFS("migrations"), or fs.Sub of an embedded file
// system.
//
// A missing folder, or one without meta/_journal.json, is an empty folder
// (no migration generated yet), unless it holds SQL files, which a journal
// should list. Every problem found is reported, as a schema.ErrorList whose
// positions name files relative to the folder (with line and column inside
// JSON where known) and whose messages say what to do.
func ReadFolder(fsys fs.FS) (*Folder, error) {
	d, errs, err := migrate.Read(fsys)
	switch {
	case err != nil:
		return nil, err
	case d == nil:
		return nil, errs
	}
	if _, err := fs.Stat(fsys, migrate.JournalFile); errors.Is(err, fs.ErrNotExist) {
		return emptyFolder(), nil
	}
	// The entries as the journal lists them, those whose tag Read could
	// not use left without SQL and never looked at again: the problem
	// with them is reported already.
	f := &Folder{Journal: d.Journal}
	usable := make([]bool, len(d.Journal.Entries))
	k := 0
	for i, je := range d.Journal.Entries {
		e := Entry{Migration: migrate.Migration{JournalEntry: je}}
		if k < len(d.Migrations) && d.Migrations[k].Tag == je.Tag {
			e.Migration, usable[i] = d.Migrations[k], true
			k++
		}
		f.Entries = append(f.Entries, e)
	}

	// Snapshots: read each entry's, then check the chain.
	at := func(file string) schema.Position { return schema.Position{Filename: file} }
	metaFiles, err := fs.ReadDir(fsys, "meta")
	if err != nil {
		return nil, err
	}
	snapFiles := map[string]bool{}
	for i := range f.Entries {
		if usable[i] {
			snapFiles[f.Entries[i].SnapshotPath()] = true
		}
	}
	for _, d := range metaFiles {
		name := "meta/" + d.Name()
		if !d.IsDir() && strings.HasSuffix(name, "_snapshot.json") && !snapFiles[name] {
			errs.Addf(at(name), "no journal entry has this snapshot: delete the file, or restore the journal entry it belongs to")
		}
	}
	for i := range f.Entries {
		e := &f.Entries[i]
		if !usable[i] {
			continue
		}
		data, err := fs.ReadFile(fsys, e.SnapshotPath())
		if errors.Is(err, fs.ErrNotExist) {
			if i == len(f.Entries)-1 {
				errs.Addf(at(e.SnapshotPath()), "missing: the last migration (%s) needs its snapshot as the base of the next one; restore it from version control", e.Tag)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		s, err := ParseSnapshot(data)
		if err != nil {
			jsonfile.AddError(&errs, e.SnapshotPath(), data, err)
			continue
		}
		e.Snapshot = s
	}
	checkChain(&errs, f.Entries)

	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	return f, nil
}

// checkChain checks that each snapshot's prevId is the id of the snapshot
// before it, and that no two snapshots follow the same parent, which is what
// two migrations generated on two branches and merged look like.
func checkChain(errs *schema.ErrorList, entries []Entry) {
	parents := map[string]int{}
	forked := map[int]bool{}
	for i := range entries {
		s := entries[i].Snapshot
		if s == nil {
			continue
		}
		if prev, dup := parents[s.PrevID]; dup {
			errs.Addf(schema.Position{Filename: entries[i].SnapshotPath()},
				"prevId %q is also the prevId of %s: both migrations were generated from the same parent, "+
					"probably on two branches; delete the later migration (%s.sql, its snapshot and its journal entry) "+
					"if it has not been applied anywhere, and generate it again", s.PrevID, entries[prev].SnapshotPath(), entries[i].Tag)
			forked[i] = true
			continue
		}
		parents[s.PrevID] = i
	}
	for i := 1; i < len(entries); i++ {
		s, p := entries[i].Snapshot, entries[i-1].Snapshot
		if s == nil || p == nil || s.PrevID == p.ID || forked[i] {
			continue
		}
		errs.Addf(schema.Position{Filename: entries[i].SnapshotPath()},
			"prevId %q is not the id of %s (%q): this migration was not generated on top of the one before it "+
				"(it was reordered, edited or merged from another branch); delete the migrations from %s on "+
				"that have not been applied anywhere, and generate them again", s.PrevID, entries[i-1].SnapshotPath(), p.ID, entries[i].Tag)
	}
}

func emptyFolder() *Folder {
	return &Folder{Journal: migrate.Journal{Version: migrate.JournalVersion, Dialect: migrate.Dialect}}
}

// maxNameLen bounds the name part of a tag: long enough for a sentence of a
// few words, short enough for file listings and every file system.
const maxNameLen = 60

// NextTag returns the tag of the migration that follows f's last one: its
// index, zero-padded to four digits, and the name as TagName spells it
// ("0003_add_trailing_stop"), or "migration" when TagName leaves nothing.
func NextTag(f *Folder, name string) string {
	n := 0
	if f != nil {
		n = len(f.Entries)
	}
	s := TagName(name)
	if s == "" {
		s = "migration"
	}
	return fmt.Sprintf("%04d_%s", n, s)
}

// TagName turns free text into the name part of a tag: lower snake case
// ASCII, safe in a file name on every system ("AddTrailingStop" and "add
// trailing-stop!" both become "add_trailing_stop"), at most 60 bytes, cut
// between words when it can be. It is empty when name has no ASCII letter
// or digit.
func TagName(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range schema.SnakeCase(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r - 'A' + 'a')
		default: // "_", blanks, punctuation and non-ASCII letters separate words
			sep = true
		}
	}
	s := b.String()
	if len(s) > maxNameLen {
		s = s[:maxNameLen]
		if i := strings.LastIndexByte(s, '_'); i > maxNameLen/2 {
			s = s[:i] // cut between words when one ends late enough
		}
		s = strings.TrimRight(s, "_")
	}
	return s
}

// Migration is the next migration of a folder as values: the files to
// write, which the caller writes (this package never touches the disk).
type Migration struct {
	// Tag names the migration; its SQL file is Tag+".sql".
	Tag string
	// SQL is the content of the SQL file.
	SQL []byte
	// SnapshotID is the id of the new snapshot.
	SnapshotID string
	// SnapshotFile is the snapshot's file name inside meta/
	// ("0003_snapshot.json").
	SnapshotFile string
	// Snapshot is the content of the snapshot file.
	Snapshot []byte
	// Journal is the whole new meta/_journal.json, with the new entry last.
	Journal []byte
}

// File is a file of a migrations folder: a slash-separated path inside the
// folder and its content.
type File struct {
	Path string
	Data []byte
}

// Files returns the migration's files in the order to write them: the
// journal last, so that a write cut short leaves a SQL file the journal does
// not list, which ReadFolder reports, rather than a journal entry without
// its file.
func (m *Migration) Files() []File {
	return []File{
		{Path: m.Tag + ".sql", Data: m.SQL},
		{Path: "meta/" + m.SnapshotFile, Data: m.Snapshot},
		{Path: migrate.JournalFile, Data: m.Journal},
	}
}

// Next builds the migration that follows f's last one (f may be nil for an
// empty folder): the SQL file of stmts (CustomSQL when there are none), the
// snapshot of model chained to f.LastID(), and the journal with a new entry
// named by NextTag. For a custom migration, pass the model of f.Last() (the
// schema stays where it was) or the current schema (to record changes the
// hand-written SQL makes).
//
// when is the generation time, stored in milliseconds. It is raised, if
// need be, to one millisecond after the last entry's, because drizzle-orm's
// migrator only applies entries newer than the newest applied one and a
// clock running behind would make it skip the migration.
func (f *Folder) Next(name string, model *schema.Model, stmts []Statement, when time.Time) (*Migration, error) {
	if f == nil {
		f = emptyFolder()
	}
	tag := NextTag(f, name)
	for _, e := range f.Entries {
		if e.Tag == tag || e.SnapshotPath() == SnapshotPath(tag) {
			return nil, fmt.Errorf("%s: the next migration's tag %q clashes with entry %d (%q): the journal's tags do not follow its indexes; rename them to <idx>_<name>",
				migrate.JournalFile, tag, e.Idx, e.Tag)
		}
	}
	ms := when.UnixMilli()
	if n := len(f.Entries); n > 0 {
		ms = max(ms, f.Entries[n-1].When+1)
	}
	id, snap := MarshalSnapshot(f.LastID(), model)
	// The journal keeps its header and entries as they were read (a
	// drizzle-kit journal stays drizzle-kit's) and gains one entry.
	j := migrate.Journal{Version: f.Journal.Version, Dialect: f.Journal.Dialect}
	if j.Version == "" {
		j.Version = migrate.JournalVersion
	}
	if j.Dialect == "" {
		j.Dialect = migrate.Dialect
	}
	for _, e := range f.Entries {
		j.Entries = append(j.Entries, e.JournalEntry)
	}
	j.Entries = append(j.Entries, migrate.JournalEntry{
		Idx:         len(f.Entries),
		Version:     migrate.JournalVersion,
		When:        ms,
		Tag:         tag,
		Breakpoints: true,
	})
	return &Migration{
		Tag:          tag,
		SQL:          FormatSQL(stmts),
		SnapshotID:   id,
		SnapshotFile: SnapshotFile(tag),
		Snapshot:     snap,
		Journal:      j.Marshal(),
	}, nil
}
