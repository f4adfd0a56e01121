package migrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/schema"
)

// Dir is a migrations folder as the migrator reads it: the journal and the
// SQL files it lists. Snapshots (meta/NNNN_snapshot.json) are not read, so
// a deployment may embed only the journal and the SQL:
//
//	//go:embed migrations/*.sql migrations/meta/_journal.json
//
// A Dir is read once by Open and may be used for any number of runs, on
// any number of databases; it is not changed by them.
type Dir struct {
	// Journal is the journal as read, or a new empty one for a folder
	// without migrations.
	Journal Journal
	// Migrations are the migrations in journal order.
	Migrations []Migration
}

// Migration is one migration of a folder: its journal entry and the
// content of its SQL file.
type Migration struct {
	JournalEntry
	// SQL is the content of the migration's SQL file, byte-order mark
	// and line endings included; SplitSQL splits it into statements.
	SQL []byte
}

// SQLPath returns the path of the migration's SQL file inside the folder.
func (m *Migration) SQLPath() string { return m.Tag + ".sql" }

// Open reads and checks the migrations folder fsys: os.DirFS("migrations"),
// or fs.Sub of an embedded file system.
//
// A missing folder, or one without meta/_journal.json, is an empty folder
// (no migration generated yet), unless it holds SQL files, which a journal
// should list. Open refuses a journal that does not decode or names another
// dialect, entries with a wrong idx, a tag that is empty, not a file name
// or repeated, a SQL file the journal does not list and an entry without
// its SQL file. Every problem found is reported, as a schema.ErrorList
// whose positions name files relative to the folder (with line and column
// inside the journal) and whose messages say what to do.
func Open(fsys fs.FS) (*Dir, error) {
	d, problems, err := Read(fsys)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return d, nil
}

// Read is Open for tools that check more of the folder than the migrator
// needs (the snapshots) and report every problem at once: rather than
// refusing a folder with problems, it returns what it could read together
// with the problems, sorted. Then Migrations holds the entries whose tag is
// usable (not empty, a file name, not repeated and not sharing a snapshot
// file with an earlier entry), some perhaps without their SQL. When the
// journal itself does not read, the Dir is nil. err is for a folder that
// could not be read at all (an I/O error).
func Read(fsys fs.FS) (d *Dir, problems schema.ErrorList, err error) {
	root, err := fs.ReadDir(fsys, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return emptyDir(), nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var sqlFiles []string
	for _, d := range root {
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".sql") {
			sqlFiles = append(sqlFiles, d.Name())
		}
	}

	var errs schema.ErrorList
	at := func(file string) schema.Position { return schema.Position{Filename: file} }

	data, err := fs.ReadFile(fsys, JournalFile)
	if errors.Is(err, fs.ErrNotExist) {
		if len(sqlFiles) == 0 {
			return emptyDir(), nil, nil
		}
		errs.Addf(at(JournalFile), "missing, but the folder has SQL files (%s): restore the journal from version control, "+
			"or delete the SQL files if no migration was ever generated here", strings.Join(sqlFiles, ", "))
		return nil, errs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	data = jsonfile.TrimBOM(data) // as ParseJournal does, for the positions below
	j, err := ParseJournal(data)
	if err != nil {
		jsonfile.AddError(&errs, JournalFile, data, err)
		return nil, errs, nil
	}
	d = &Dir{Journal: *j}

	if j.Dialect != Dialect && j.Dialect != legacyDialect {
		errs.Addf(at(JournalFile), "dialect is %q, not %q: mizzle manages PostgreSQL migrations only; point it at a PostgreSQL migrations folder", j.Dialect, Dialect)
	}

	// Check the entries, with the place of each in the journal so a
	// message can point at it.
	offsets := entryOffsets(data)
	entryPos := func(i int) schema.Position {
		p := at(JournalFile)
		if i < len(offsets) {
			p.Line, p.Column = jsonfile.LineCol(data, offsets[i])
		}
		return p
	}
	tags := map[string]int{}
	snapFiles := map[string]int{}
	listed := map[string]bool{}
	for i, je := range j.Entries {
		if je.Idx != i {
			errs.Addf(entryPos(i), "entry %d (%q) has idx %d: entries are numbered from 0 in journal order; set its idx to %d", i, je.Tag, je.Idx, i)
		}
		switch {
		case je.Tag == "":
			errs.Addf(entryPos(i), "entry %d has no tag: give it the name of its SQL file without .sql", i)
			continue
		case !fs.ValidPath(je.Tag+".sql") || strings.ContainsAny(je.Tag, `/\`) || strings.HasPrefix(je.Tag, "."):
			errs.Addf(entryPos(i), "entry %d: tag %q is not a file name: a tag is the name of the migration's SQL file without .sql", i, je.Tag)
			continue
		}
		if prev, dup := tags[je.Tag]; dup {
			errs.Addf(entryPos(i), "entry %d repeats the tag %q of entry %d: each migration needs its own tag; remove the repeated entry", i, je.Tag, prev)
			continue
		}
		tags[je.Tag] = i
		listed[je.Tag+".sql"] = true
		// Two tags with one prefix are what a merge of two branches that
		// each added a migration looks like; the generator could not
		// give each its snapshot, and the migrator refuses the folder
		// too, before it runs either.
		snap := SnapshotPath(je.Tag)
		if prev, dup := snapFiles[snap]; dup {
			errs.Addf(entryPos(i), "entries %d (%q) and %d (%q) would share the snapshot %s: give entry %d a tag with a prefix of its own, and rename its SQL file to match",
				prev, j.Entries[prev].Tag, i, je.Tag, snap, i)
			continue
		}
		snapFiles[snap] = i
		d.Migrations = append(d.Migrations, Migration{JournalEntry: je})
	}

	// SQL files: every entry has one, every one has an entry.
	for i := range d.Migrations {
		m := &d.Migrations[i]
		sql, err := fs.ReadFile(fsys, m.SQLPath())
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs.Addf(at(m.SQLPath()), "missing, but %s lists it (entry %d): restore the file, "+
				"or remove the entry from the journal if the migration was never applied", JournalFile, tags[m.Tag])
		case err != nil:
			return nil, nil, err
		default:
			m.SQL = sql
		}
	}
	for _, name := range sqlFiles {
		if !listed[name] {
			errs.Addf(at(name), "not listed in %s: a migration file needs a journal entry; "+
				"generate migrations with mizzle, or add the entry by hand (for SQL written by hand), or delete the file", JournalFile)
		}
	}
	if len(errs) > 0 {
		errs = errs.Sort()
	}
	return d, errs, nil
}

// SnapshotPath returns the path, inside a migrations folder, of the
// snapshot of the migration with the given tag: meta/<prefix>_snapshot.json,
// where the prefix is the tag up to its first "_", as drizzle-kit names
// them. The migrator reads no snapshot, but refuses two tags that would
// share one.
func SnapshotPath(tag string) string {
	prefix, _, _ := strings.Cut(tag, "_")
	return "meta/" + prefix + "_snapshot.json"
}

// entryOffsets returns the offset in a journal of each element of its
// "entries" array, or what it found before the JSON stopped making sense.
func entryOffsets(data []byte) []int64 {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "entries" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil
		}
		var offs []int64
		for dec.More() {
			// The decoder stands after the previous token; the element
			// starts after blank space and a comma.
			off := dec.InputOffset()
			for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
				off++
			}
			offs = append(offs, off)
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return offs
			}
		}
		return offs
	}
	return nil
}

func emptyDir() *Dir {
	return &Dir{Journal: Journal{Version: JournalVersion, Dialect: Dialect}}
}
