package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
)

// fingerprintSQL describes everything outside the system schemas that a
// migration can change, one sorted line each: schemas, relations, columns,
// indexes (with their validity), constraints, enum labels, and a hash of
// the rows of every table and sequence (history tables included). Two equal
// fingerprints mean a database as pg_dump would see it, without needing
// pg_dump.
const fingerprintSQL = `WITH rels AS (
	SELECT c.oid, n.nspname, c.relname, c.relkind
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
)
SELECT coalesce(string_agg(line, E'\n' ORDER BY line), '') FROM (
	SELECT format('schema %I', nspname) AS line FROM pg_namespace
		WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
	UNION ALL
	SELECT format('relation %I.%I %s', nspname, relname, relkind) FROM rels
	UNION ALL
	SELECT format('column %I.%I.%I %s notnull=%s identity=%s generated=%s default=%s',
		r.nspname, r.relname, a.attname, format_type(a.atttypid, a.atttypmod),
		a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid))
	FROM rels r
	JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	UNION ALL
	SELECT format('index %s valid=%s', pg_get_indexdef(i.indexrelid), i.indisvalid)
	FROM pg_index i JOIN rels r ON r.oid = i.indrelid
	UNION ALL
	SELECT format('constraint %I.%I %I %s', r.nspname, r.relname, c.conname, pg_get_constraintdef(c.oid))
	FROM pg_constraint c JOIN rels r ON r.oid = c.conrelid
	UNION ALL
	SELECT format('enum %s %s %L', e.enumtypid::regtype, e.enumsortorder, e.enumlabel) FROM pg_enum e
	UNION ALL
	SELECT format('rows %I.%I %s', nspname, relname, md5(query_to_xml(
		CASE relkind WHEN 'S' THEN format('SELECT last_value, is_called FROM %I.%I', nspname, relname)
		ELSE format('SELECT x::text AS x FROM %I.%I x ORDER BY 1', nspname, relname) END, true, false, '')::text))
	FROM rels WHERE relkind IN ('r', 'p', 'S')
) s`

// fingerprint returns fingerprintSQL's description of the database.
func fingerprint(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(context.Background(), fingerprintSQL).Scan(&s); err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return s
}

// resetSQL empties a database: every schema dropped, public made again.
const resetSQL = `DO $$
DECLARE s text;
BEGIN
	FOR s IN SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%' LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', s);
	END LOOP;
	CREATE SCHEMA public;
END $$`

// tamperBase is the folder every tamper case starts from: four migrations
// written by mizzle generate. Absolute, as the tests change directory.
var tamperBase, _ = filepath.Abs(filepath.Join("testdata", "tamper", "base.txtar"))

// writeArchive writes the files of the archive at file into dir.
func writeArchive(t *testing.T, file, dir string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
	}
}

// folderEdit is what a tamper case does to the migrations folder dir (and,
// for a few, to the database).
type folderEdit func(t *testing.T, dir string, conn *pgx.Conn)

// readJournal and writeJournal edit the journal of dir as values.
func readJournal(t *testing.T, dir string) *migrate.Journal {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, migrate.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	j, err := migrate.ParseJournal(data)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func writeJournal(t *testing.T, dir string, j *migrate.Journal) {
	t.Helper()
	writeFile(t, filepath.Join(dir, migrate.JournalFile), string(j.Marshal()))
}

// entries edits the journal's entries; renumber sets each idx to its
// position afterwards, as a careful hand edit would.
func entries(renumber bool, edit func([]migrate.JournalEntry) []migrate.JournalEntry) folderEdit {
	return func(t *testing.T, dir string, _ *pgx.Conn) {
		j := readJournal(t, dir)
		j.Entries = edit(j.Entries)
		if renumber {
			for i := range j.Entries {
				j.Entries[i].Idx = i
			}
		}
		writeJournal(t, dir, j)
	}
}

// editFile replaces the content of a file of the folder.
func editFile(name string, edit func(string) string) folderEdit {
	return func(t *testing.T, dir string, _ *pgx.Conn) {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, edit(string(data)))
	}
}

// setFile writes a file of the folder.
func setFile(name, data string) folderEdit {
	return func(t *testing.T, dir string, _ *pgx.Conn) { writeFile(t, filepath.Join(dir, name), data) }
}

// remove removes files or directories of the folder.
func remove(names ...string) folderEdit {
	return func(t *testing.T, dir string, _ *pgx.Conn) {
		for _, n := range names {
			if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// rename renames a file of the folder.
func rename(from, to string) folderEdit {
	return func(t *testing.T, dir string, _ *pgx.Conn) {
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
}

// edits applies several edits in order.
func edits(e ...folderEdit) folderEdit {
	return func(t *testing.T, dir string, conn *pgx.Conn) {
		for _, f := range e {
			f(t, dir, conn)
		}
	}
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// entry returns a journal entry as generate would write it at position idx.
func entry(idx int, when int64, tag string) migrate.JournalEntry {
	return migrate.JournalEntry{Idx: idx, Version: migrate.JournalVersion, When: when, Tag: tag, Breakpoints: true}
}

// TestTamperMatrix applies two of the four migrations of a folder written
// by generate, changes the folder (or, in two cases, the history) the ways
// people and merges do, then runs status and migrate. A changed folder that
// could apply the wrong thing is refused by both, with a message naming the
// file, and leaves the database exactly as it was; the harmless changes
// apply as the table says.
//
// Not here: a statement breakpoint inside a string literal, which splits
// the string as drizzle-orm does.
func TestTamperMatrix(t *testing.T) {
	const (
		init0, bio1, idx2, age3 = "0000_init", "0001_add_bio", "0002_idx_title", "0003_add_age"
		when0                   = 1767225600000
	)
	all := []string{init0, bio1, idx2, age3}
	changed := func(file string) []string {
		return []string{"migrations/" + file + ".sql: changed since it was applied"}
	}
	const journal = "migrations/meta/_journal.json"
	notListed := func(file string) []string {
		return []string{"migrations/" + file + ": not listed in meta/_journal.json"}
	}
	unlisted := func(tag string) []string {
		return []string{journal + `: the database has a migration applied ("` + tag + `") that the journal does not list`}
	}
	tests := []struct {
		name string
		// fresh starts from an empty database instead of one with 0000 and
		// 0001 applied; drizzle migrates in drizzle-orm's mode throughout.
		fresh, drizzle bool
		edit           folderEdit
		flags          []string // for the migrate after the edit
		// statusRefuses says that status, which has no
		// --allow-out-of-order, reports what the flags let migrate do.
		statusRefuses bool
		// refuse, when set, is what status and migrate must refuse with:
		// each is a substring of stderr, and nothing may change.
		refuse []string
		// Otherwise migrate applies, and history is the tags recorded
		// afterwards in the order they were applied (in drizzle mode, the
		// number of rows). fails is part of migrate's error when it stops
		// on a statement after applying what came before.
		history []string
		fails   string
	}{
		// An applied file edited in any way.
		{name: "applied SQL: a comment added", edit: editFile(init0+".sql", func(s string) string { return s + "-- reviewed\n" }), refuse: changed(init0)},
		{name: "applied SQL: another type", edit: editFile(bio1+".sql", func(s string) string { return strings.Replace(s, "text", "varchar(200)", 1) }), refuse: changed(bio1)},
		{name: "applied SQL: trailing whitespace", edit: editFile(bio1+".sql", func(s string) string { return s + " " }), refuse: changed(bio1)},
		{name: "applied SQL: CRLF line endings", edit: editFile(init0+".sql", crlf), refuse: changed(init0)},
		{name: "applied SQL: byte-order mark", edit: editFile(bio1+".sql", func(s string) string { return "\ufeff" + s }), refuse: changed(bio1)},
		{name: "applied SQL: both applied files", edit: edits(editFile(init0+".sql", strings.ToLower), editFile(bio1+".sql", strings.ToLower)),
			refuse: append(changed(init0), changed(bio1)...)},

		// Snapshots are not needed to migrate.
		{name: "snapshot of an applied migration deleted", edit: remove("meta/0000_snapshot.json"), history: all},
		{name: "last snapshot deleted", edit: remove("meta/0003_snapshot.json"), history: all},
		{name: "every snapshot deleted", edit: remove("meta/0000_snapshot.json", "meta/0001_snapshot.json", "meta/0002_snapshot.json", "meta/0003_snapshot.json"), history: all},

		// Journal entries deleted.
		{name: "applied entry deleted, its file kept",
			edit:   entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return slices.Delete(e, 1, 2) }),
			refuse: notListed(bio1 + ".sql")},
		{name: "applied entry deleted with its file",
			edit:   edits(entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return slices.Delete(e, 1, 2) }), remove(bio1+".sql")),
			refuse: unlisted(bio1)},
		{name: "first applied entry deleted with its file",
			edit:   edits(entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return e[1:] }), remove(init0+".sql")),
			refuse: unlisted(init0)},
		{name: "pending entry deleted, its file kept",
			edit:   entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return e[:3] }),
			refuse: notListed(age3 + ".sql")},
		{name: "pending entry deleted with its file",
			edit:    edits(entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return e[:3] }), remove(age3+".sql")),
			history: []string{init0, bio1, idx2}},

		// Journal entries repeated.
		{name: "pending entry repeated",
			edit:   entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return append(e, e[3]) }),
			refuse: []string{journal + `:`, `entry 4 repeats the tag "0003_add_age" of entry 3`}},
		{name: "applied entry repeated",
			edit:   entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return append(e, e[0]) }),
			refuse: []string{`entry 4 repeats the tag "0000_init" of entry 0`}},
		{name: "entry repeated with its idx",
			edit:   entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry { return slices.Insert(e, 3, e[2]) }),
			refuse: []string{`entry 3 repeats the tag "0002_idx_title" of entry 2`, `entry 3 ("0002_idx_title") has idx 2`}},

		// Journal entries reordered.
		{name: "pending entries swapped",
			edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				e[2], e[3] = e[3], e[2]
				return e
			}),
			history: []string{init0, bio1, age3, idx2}},
		{name: "applied entries swapped",
			edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				e[0], e[1] = e[1], e[0]
				return e
			}),
			history: all},
		{name: "pending entry moved before an applied one",
			edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				e[1], e[2] = e[2], e[1]
				return e
			}),
			refuse: []string{"migrations/" + idx2 + ".sql: not applied, but " + bio1 + " after it is"}},
		{name: "pending entries swapped without renumbering",
			edit: entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				e[2], e[3] = e[3], e[2]
				return e
			}),
			refuse: []string{`entry 2 ("0003_add_age") has idx 3`, `entry 3 ("0002_idx_title") has idx 2`}},

		// A journal that is not valid JSON, or not a journal.
		{name: "journal cut short", edit: editFile(migrate.JournalFile, func(s string) string { return s[:len(s)/2] }), refuse: []string{journal + ":", "not valid JSON"}},
		{name: "journal with a trailing comma", edit: editFile(migrate.JournalFile, func(s string) string { return strings.Replace(s, "true\n    }\n  ]", "true\n    },\n  ]", 1) }),
			refuse: []string{journal + ":33:3: not valid JSON"}},
		{name: "journal empty", edit: setFile(migrate.JournalFile, ""), refuse: []string{journal + ":", "not valid JSON"}},
		{name: "idx as a string", edit: editFile(migrate.JournalFile, func(s string) string { return strings.Replace(s, `"idx": 2,`, `"idx": "2",`, 1) }),
			refuse: []string{journal + `:20:16: "entries.idx" is a JSON string, want an integer`}},
		{name: "entries null", edit: setFile(migrate.JournalFile, `{"version": "7", "dialect": "postgresql", "entries": null}`+"\n"), refuse: notListed(init0 + ".sql")},
		{name: "entries empty", edit: setFile(migrate.JournalFile, `{"version": "7", "dialect": "postgresql", "entries": []}`+"\n"), refuse: notListed(init0 + ".sql")},
		{name: "no entries key", edit: setFile(migrate.JournalFile, `{"version": "7", "dialect": "postgresql"}`+"\n"), refuse: notListed(age3 + ".sql")},
		{name: "dialect mysql", edit: editFile(migrate.JournalFile, func(s string) string { return strings.Replace(s, `"postgresql"`, `"mysql"`, 1) }),
			refuse: []string{journal + `: dialect is "mysql", not "postgresql"`}},
		{name: "journal with a byte-order mark", edit: editFile(migrate.JournalFile, func(s string) string { return "\ufeff" + s }), history: all},
		{name: "unknown key in the journal", edit: editFile(migrate.JournalFile, func(s string) string {
			return strings.Replace(s, `"version": "7",`, `"version": "7", "generator": "by hand",`, 1)
		}), history: all},
		{name: "journal with CRLF line endings", edit: editFile(migrate.JournalFile, crlf), history: all},

		// The journal or meta/ gone.
		{name: "journal deleted", edit: remove(migrate.JournalFile), refuse: []string{journal + ": missing, but the folder has SQL files"}},
		{name: "meta deleted", edit: remove("meta"), refuse: []string{journal + ": missing, but the folder has SQL files"}},
		{name: "journal is a directory", edit: edits(remove(migrate.JournalFile), setFile(migrate.JournalFile+"/x", "")), refuse: []string{"meta/_journal.json: is a directory"}},

		// SQL files and entries that do not match.
		{name: "SQL file the journal does not list", edit: setFile("0004_extra.sql", "CREATE TABLE extra ();\n"), refuse: notListed("0004_extra.sql")},
		{name: "notes.sql", edit: setFile("notes.sql", "-- to do\n"), refuse: notListed("notes.sql")},
		{name: "pending migration's file deleted", edit: remove(idx2 + ".sql"), refuse: []string{"migrations/" + idx2 + ".sql: missing, but meta/_journal.json lists it (entry 2)"}},
		{name: "applied migration's file deleted", edit: remove(init0 + ".sql"), refuse: []string{"migrations/" + init0 + ".sql: missing, but meta/_journal.json lists it (entry 0)"}},

		// A migration merged from another branch.
		{name: "merged before applied ones",
			edit: edits(setFile("0004_merged.sql", "CREATE TABLE merged ();\n"), entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				return slices.Insert(e, 1, entry(0, when0+10, "0004_merged"))
			})),
			refuse: []string{"migrations/0004_merged.sql: not applied, but " + bio1 + " after it is: it was inserted before migrations that already ran"}},
		{name: "merged with the number of an applied one",
			edit: edits(setFile("0001_merged.sql", "CREATE TABLE merged ();\n"), entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				return append(e, entry(0, when0+10, "0001_merged"))
			})),
			refuse: []string{`entries 1 ("0001_add_bio") and 4 ("0001_merged") would share the snapshot meta/0001_snapshot.json`}},
		{name: "merged before applied ones, --allow-out-of-order",
			edit: edits(setFile("0004_merged.sql", "CREATE TABLE merged ();\n"), entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				return slices.Insert(e, 1, entry(0, when0+10, "0004_merged"))
			})),
			flags: []string{"--allow-out-of-order"}, statusRefuses: true, history: []string{init0, bio1, "0004_merged", idx2, age3}},
		{name: "merged at the end with an earlier when",
			edit: edits(setFile("0004_merged.sql", "CREATE TABLE merged ();\n"), entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
				return append(e, entry(0, when0-1000, "0004_merged"))
			})),
			history: []string{init0, bio1, idx2, age3, "0004_merged"}},

		// Tags that are not file names, and idx gaps.
		{name: "tag ../../../tmp/evil", edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			return append(e, entry(0, when0+9, "../../../tmp/evil"))
		}),
			refuse: []string{`entry 4: tag "../../../tmp/evil" is not a file name`}},
		{name: "tag /tmp/evil", edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			return append(e, entry(0, when0+9, "/tmp/evil"))
		}),
			refuse: []string{`entry 4: tag "/tmp/evil" is not a file name`}},
		{name: "tag .hidden", edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			return append(e, entry(0, when0+9, ".hidden"))
		}),
			refuse: []string{`entry 4: tag ".hidden" is not a file name`}},
		{name: "empty tag", edit: entries(true, func(e []migrate.JournalEntry) []migrate.JournalEntry { return append(e, entry(0, when0+9, "")) }),
			refuse: []string{"entry 4 has no tag"}},
		{name: "idx gap", edit: entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			e[3].Idx = 5
			return e
		}), refuse: []string{`entry 3 ("0003_add_age") has idx 5`}},

		// Line endings in pending files.
		{name: "pending SQL with CRLF line endings", edit: edits(editFile(idx2+".sql", crlf), editFile(age3+".sql", crlf)), history: all},
		{name: "every file with CRLF line endings, fresh database", fresh: true,
			edit:    edits(editFile(init0+".sql", crlf), editFile(bio1+".sql", crlf), editFile(idx2+".sql", crlf), editFile(age3+".sql", crlf), editFile(migrate.JournalFile, crlf)),
			history: all},
		{name: "no-transaction migration with CRLF line endings",
			edit:    setFile(idx2+".sql", crlf(migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY \"posts_title_index\" ON \"public\".\"post\" (\"title\");\n")),
			history: all},

		// Editors' byte-order marks and the no-transaction marker below
		// comments.
		{name: "pending SQL with a byte-order mark", edit: editFile(idx2+".sql", func(s string) string { return "\ufeff" + s }), history: all},
		{name: "byte-order mark before the no-transaction marker",
			edit:    setFile(idx2+".sql", "\ufeff"+migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY \"posts_title_index\" ON \"public\".\"post\" (\"title\");\n"),
			history: all},
		{name: "blank line and a comment before the no-transaction marker",
			edit:    setFile(idx2+".sql", "\n-- the index on a busy table\n"+migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY \"posts_title_index\" ON \"public\".\"post\" (\"title\");\n"),
			history: all},

		// Transaction control inside a transactional migration would end
		// the migrator's transaction half way: refused before anything runs.
		{name: "COMMIT inside a pending migration",
			edit:   setFile(age3+".sql", "ALTER TABLE \"public\".\"user\" ADD COLUMN \"age\" integer;\nCOMMIT;\nCREATE TABLE \"c2\" (x int);\n"),
			refuse: []string{"migrations/" + age3 + ".sql:2:1: statement 2 (COMMIT) would end the transaction the migration runs in"}},
		{name: "BEGIN ... COMMIT inside a pending migration",
			edit:   setFile(age3+".sql", "BEGIN;\nALTER TABLE \"public\".\"user\" ADD COLUMN \"age\" integer;\nCOMMIT;\n"),
			refuse: []string{"migrations/" + age3 + ".sql:1:1: statement 1 (BEGIN) would end the transaction the migration runs in"}},

		// Empty migrations are applied and recorded.
		{name: "empty migration: 0 bytes", edit: setFile(idx2+".sql", ""), history: all},
		{name: "empty migration: blanks", edit: setFile(idx2+".sql", "\n \t\n\n"), history: all},
		{name: "empty migration: the custom comment", edit: setFile(idx2+".sql", migrations.CustomSQL), history: all},
		{name: "empty migration: breakpoints only", edit: setFile(idx2+".sql", "--> statement-breakpoint\n--> statement-breakpoint\n"), history: all},

		// Changes that do not matter.
		{name: "when changed on an applied entry", edit: entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			e[1].When += 5000
			return e
		}), history: all},
		{name: "a directory named like a SQL file", edit: setFile("weird.sql/x", ""), history: all},
		{name: "pending SQL file as a symlink",
			edit: func(t *testing.T, dir string, conn *pgx.Conn) {
				target := filepath.Join(t.TempDir(), "elsewhere.sql")
				if err := os.Rename(filepath.Join(dir, idx2+".sql"), target); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, filepath.Join(dir, idx2+".sql")); err != nil {
					t.Fatal(err)
				}
			},
			history: all},

		// A statement PostgreSQL refuses: what came before stays.
		{name: "failing statement in a pending migration", edit: setFile(age3+".sql", "ALTER TABLE \"public\".\"user\" ADD COLUMN \"age\" intt;\n"),
			history: []string{init0, bio1, idx2}, fails: "migrations/" + age3 + ".sql:1:46: statement 1: ERROR: type \"intt\" does not exist (SQLSTATE 42704)"},

		// The history edited instead of the folder.
		{name: "applied tag renamed", edit: edits(rename(bio1+".sql", "0001_bio.sql"), entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			e[1].Tag = "0001_bio"
			return e
		})), refuse: unlisted(bio1)},
		{name: "history row deleted by hand",
			edit: func(t *testing.T, dir string, conn *pgx.Conn) {
				if _, err := conn.Exec(context.Background(), `DELETE FROM mizzle.__mizzle_migrations WHERE tag = '0001_add_bio'`); err != nil {
					t.Fatal(err)
				}
			},
			history: []string{init0}, fails: `migrations/` + bio1 + `.sql:1:1: statement 1: ERROR: column "bio" of relation "user" already exists (SQLSTATE 42701)`},

		// drizzle-orm's history matches migrations by content hash.
		{name: "drizzle: applied SQL edited", drizzle: true, edit: editFile(bio1+".sql", func(s string) string { return s + "-- x\n" }), refuse: changed(bio1)},
		{name: "drizzle: applied SQL edited and its when changed", drizzle: true,
			edit:   edits(editFile(bio1+".sql", func(s string) string { return s + "-- x\n" }), entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry { e[1].When += 5000; return e })),
			refuse: []string{journal + ": the database has a migration applied (\"sha256:"}},
		{name: "drizzle: applied tag renamed", drizzle: true, edit: edits(rename(bio1+".sql", "0001_bio.sql"), entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry {
			e[1].Tag = "0001_bio"
			return e
		})), history: []string{"4 rows"}},
	}
	// One database, emptied before each case: creating and dropping one
	// per case would take most of the test's time.
	db := pgtest.NewDatabase(t)
	conn := dbConn(t, db)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := conn.Exec(context.Background(), resetSQL); err != nil {
				t.Fatal(err)
			}
			if fp := fingerprint(t, conn); fp != "schema public" {
				t.Fatalf("the database is not empty:\n%s", fp)
			}
			dir := migrateProject(t)
			mig := filepath.Join(dir, "migrations")
			flags := []string{"--database-url", db}
			if tt.drizzle {
				flags = append(flags, "--drizzle")
			}
			history := "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"
			if tt.drizzle {
				history = "SELECT count(*) || ' rows' FROM drizzle.__drizzle_migrations"
			}
			if !tt.fresh {
				// The first two applied, with rows in them.
				writeArchive(t, tamperBase, mig)
				entries(false, func(e []migrate.JournalEntry) []migrate.JournalEntry { return e[:2] })(t, mig, conn)
				remove("0002_idx_title.sql", "0003_add_age.sql")(t, mig, conn)
				if code, _, stderr := runIn(t, dir, append([]string{"migrate"}, flags...)...); code != exitOK {
					t.Fatalf("migrating the first two: exit %d\n%s", code, stderr)
				}
				if _, err := conn.Exec(context.Background(), `INSERT INTO "user" (name, bio) VALUES ('ada', 'math');
					INSERT INTO post (user_id, title) SELECT id, 'notes' FROM "user"`); err != nil {
					t.Fatal(err)
				}
				if err := os.RemoveAll(mig); err != nil {
					t.Fatal(err)
				}
			}
			writeArchive(t, tamperBase, mig)
			tt.edit(t, mig, conn)
			before := fingerprint(t, conn)

			code, stdout, stderr := runIn(t, dir, append([]string{"status"}, flags...)...)
			if tt.refuse != nil {
				if code != exitFailure {
					t.Errorf("status: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
				}
				for _, w := range tt.refuse {
					if !strings.Contains(stderr, w) && !strings.Contains(stdout, w) {
						t.Errorf("status does not say %q:\nstdout:\n%s\nstderr:\n%s", w, stdout, stderr)
					}
				}
			} else if code != exitOK && !tt.statusRefuses {
				t.Errorf("status: exit %d, want 0\n%s", code, stderr)
			} else if code != exitFailure && tt.statusRefuses {
				t.Errorf("status: exit %d, want 1: the problem --allow-out-of-order lets migrate pass\n%s", code, stdout)
			}
			if after := fingerprint(t, conn); after != before {
				t.Errorf("status changed the database:\n%s", lineDiff(before, after))
			}

			code, stdout, stderr = runIn(t, dir, append(append([]string{"migrate"}, flags...), tt.flags...)...)
			if tt.refuse != nil {
				if code != exitFailure || stdout != "" {
					t.Errorf("migrate: exit %d, stdout %q; want 1 and nothing\nstderr:\n%s", code, stdout, stderr)
				}
				for _, w := range tt.refuse {
					if !strings.Contains(stderr, w) {
						t.Errorf("migrate does not say %q:\n%s", w, stderr)
					}
				}
				if after := fingerprint(t, conn); after != before {
					t.Errorf("a refused migrate changed the database:\n%s", lineDiff(before, after))
				}
				return
			}
			wantCode := exitOK
			if tt.fails != "" {
				wantCode = exitFailure
			}
			if code != wantCode || (tt.fails != "" && !strings.Contains(stderr, tt.fails)) || (tt.fails == "" && stderr != "") {
				t.Errorf("migrate: exit %d, want %d\nstdout:\n%s\nstderr:\n%s\nwant it to say: %s", code, wantCode, stdout, stderr, tt.fails)
			}
			if got, want := query(t, conn, history), strings.Join(tt.history, ","); got != want {
				t.Errorf("history: %s\nwant: %s", got, want)
			}
			if tt.fails == "" {
				// Applied means applied: the folder's schema is there.
				done := tt.history
				if tt.drizzle {
					done = all
				}
				wantCols := "id,name,bio"
				if slices.Contains(done, age3) {
					wantCols += ",age"
				}
				if got := query(t, conn, `SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '"user"'::regclass AND attnum > 0`); got != wantCols {
					t.Errorf("columns of user: %s, want %s", got, wantCols)
				}
				if got := query(t, conn, `SELECT count(*)::text FROM pg_index WHERE indexrelid = to_regclass('posts_title_index') AND indisvalid`); got != "1" &&
					slices.Contains(done, idx2) && !strings.HasPrefix(tt.name, "empty migration") {
					t.Errorf("posts_title_index: %s valid ones", got)
				}
				// And a second run has nothing to do.
				if code, stdout, stderr := runIn(t, dir, append(append([]string{"migrate"}, flags...), tt.flags...)...); code != exitOK ||
					stdout != "Nothing to migrate: the database is up to date.\n" {
					t.Errorf("second migrate: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
				}
			}
		})
	}
}

// lineDiff lists the lines only in a and only in b.
func lineDiff(a, b string) string {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out bytes.Buffer
	for _, l := range as {
		if !slices.Contains(bs, l) {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range bs {
		if !slices.Contains(as, l) {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}
