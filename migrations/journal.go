package migrations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
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
	// applied one, which is why Next never lets it go backwards.
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
	return marshalJSON(out)
}

// ParseJournal decodes a journal. A syntax or type error is a *JSONError
// carrying the line and column of the mistake; the journal's content is not
// validated here (ReadFolder does that, with the folder at hand). A UTF-8
// byte-order mark at the start is ignored (drizzle-kit's tools refuse it;
// Journal.Marshal never writes one).
func ParseJournal(data []byte) (*Journal, error) {
	var j Journal
	if err := unmarshalJSON(data, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// marshalJSON encodes v with two-space indentation and a final newline.
// HTML escaping is off so that SQL such as "quantity > 0" stays readable in
// review instead of becoming "quantity \u003e 0".
func marshalJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// The values encoded here are plain structs of strings, numbers
		// and slices: encoding them cannot fail.
		panic("migrations: " + err.Error())
	}
	return b.Bytes()
}

// JSONError is a JSON file that could not be decoded, with the place of the
// mistake.
type JSONError struct {
	Line, Column int // 1-based; Column counts bytes
	Msg          string
}

func (e *JSONError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// unmarshalJSON is json.Unmarshal with errors a person can act on: where in
// the file the mistake is, and what was expected there. A byte-order mark
// at the start, which JSON does not allow but editors write, is skipped
// (positions are counted after it, as an editor shows them).
func unmarshalJSON(data []byte, v any) error {
	data = trimBOM(data)
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// The offset is just past the offending byte, or the length of
		// the data when it ended too soon: then point after its end.
		off := syntax.Offset - 1
		if strings.HasPrefix(syntax.Error(), "unexpected end") {
			off = int64(len(data))
		}
		line, col := lineCol(data, off)
		return &JSONError{Line: line, Column: col, Msg: "not valid JSON: " + trimJSONPrefix(syntax.Error())}
	case errors.As(err, &typ):
		// The offset is just past the offending value: point at its last
		// byte, on the right line at least.
		line, col := lineCol(data, typ.Offset-1)
		msg := fmt.Sprintf("%s is a JSON %s, want %s", fieldName(typ.Field), typ.Value, jsonKind(typ.Type))
		return &JSONError{Line: line, Column: col, Msg: msg}
	}
	return err
}

// lineCol returns the 1-based line and column of data[off]; an offset past
// the end (an unexpected end of input) is placed just after the last byte.
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func trimJSONPrefix(s string) string { return strings.TrimPrefix(s, "json: ") }

func fieldName(f string) string {
	if f == "" {
		return "the document"
	}
	return fmt.Sprintf("%q", f)
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return "a " + t.String()
}
