package migrate

import (
	"time"

	"github.com/mizzle/mizzle/internal/jsonfile"
)

// JournalFile is the journal's path inside a migrations folder.
const JournalFile = "meta/_journal.json"

// JournalVersion is the journal format version drizzle-kit writes, at the
// top of the journal and in every entry. mizzle writes the same value so
// that drizzle-kit and drizzle-orm's migrator read a mizzle journal as their
// own.
const JournalVersion = "7"

// Dialect is the only dialect mizzle manages, spelled as drizzle-kit spells
// it in journals and snapshots.
const Dialect = "postgresql"

// legacyDialect is how drizzle-kit before 0.21 named PostgreSQL. Journals
// that old are still read by drizzle-orm's migrator, so they are read here
// too.
const legacyDialect = "pg"

// Journal is meta/_journal.json: the ordered list of migrations. The field
// order is drizzle-kit's, because encoding/json writes fields in declaration
// order and both tools must read each other's journal.
type Journal struct {
	Version string         `json:"version"`
	Dialect string         `json:"dialect"`
	Entries []JournalEntry `json:"entries"`
}

// JournalEntry is one migration in the journal.
type JournalEntry struct {
	// Idx is the entry's position in the journal, from 0.
	Idx int `json:"idx"`
	// Version is JournalVersion for entries mizzle writes; drizzle-kit
	// writes its snapshot version here.
	Version string `json:"version"`
	// When is the generation time in Unix milliseconds. drizzle-orm's
	// migrator applies an entry only when its When is later than the last
	// applied one, which is why the generator never lets it go backwards.
	When int64 `json:"when"`
	// Tag names the migration: its SQL file is Tag+".sql".
	Tag string `json:"tag"`
	// Breakpoints says statements are separated by breakpoint lines.
	// mizzle always writes true; drizzle-orm's PostgreSQL migrator ignores
	// the flag and always splits.
	Breakpoints bool `json:"breakpoints"`
}

// Time returns When as a time in UTC.
func (e JournalEntry) Time() time.Time { return time.UnixMilli(e.When).UTC() }

// Marshal returns the journal as drizzle-kit lays it out (two-space indent,
// drizzle-kit's key order), with a trailing newline. The same journal always
// gives the same bytes.
func (j *Journal) Marshal() []byte {
	out := *j
	if out.Entries == nil {
		out.Entries = []JournalEntry{} // "entries": [], as drizzle-kit writes it, never null
	}
	return jsonfile.Marshal(out)
}

// ParseJournal decodes a journal. A syntax or type error is a *JSONError
// carrying the line and column of the mistake; the journal's content is not
// validated here (Open does that, with the folder at hand). A UTF-8
// byte-order mark at the start is ignored (drizzle-kit's tools refuse it;
// Journal.Marshal never writes one).
func ParseJournal(data []byte) (*Journal, error) {
	var j Journal
	if err := jsonfile.Unmarshal(data, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// JSONError is a journal or snapshot file that could not be decoded, with
// the place of the mistake: Line and Column (in bytes), both from 1, and
// Msg.
type JSONError = jsonfile.Error
