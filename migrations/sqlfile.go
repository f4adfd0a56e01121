package migrations

import (
	"bytes"
	"strings"
	"unicode"
)

// Breakpoint separates the statements of a migration file. drizzle-kit
// writes it at the end of a statement's last line; mizzle writes it on a
// line of its own. Both split wherever it occurs, as drizzle-orm's migrator
// does, so a file means the same statements to either tool.
const Breakpoint = "--> statement-breakpoint"

// CustomSQL is the body of a migration file with no statements, to be
// written by hand: drizzle-kit's wording, so a custom migration looks the
// same whichever tool made it.
const CustomSQL = "-- Custom SQL migration file, put your code below! --\n"

// FormatSQL returns the contents of a migration file: the statements in
// order, separated by breakpoint lines, each preceded by its warning as a
// "-- WARNING: " comment line inside the statement's own chunk, so the
// warning travels with the statement when a reviewer moves or deletes it.
// The file ends in a newline. Without statements it is CustomSQL.
//
// A statement whose text contains Breakpoint would be split in two when the
// file is read; the emitter never writes one.
func FormatSQL(stmts []Statement) []byte {
	if len(stmts) == 0 {
		return []byte(CustomSQL)
	}
	var b bytes.Buffer
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n" + Breakpoint + "\n")
		}
		// A warning is one line of comment whatever it contains: a line
		// break inside it would turn the rest into SQL.
		if w := strings.Join(strings.Fields(s.Warning), " "); w != "" {
			b.WriteString("-- WARNING: " + w + "\n")
		}
		b.WriteString(strings.TrimSpace(s.SQL))
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// Chunk is one statement of a migration file, as the migrator runs it.
type Chunk struct {
	// SQL is the text between two breakpoints with blank space trimmed at
	// both ends; comments (warnings) are kept, PostgreSQL ignores them.
	SQL string
	// Line is the 1-based line of the file on which SQL starts, so that an
	// error at an offset inside SQL can be reported as file:line.
	Line int
	// Offset is the byte offset in the file at which SQL starts.
	Offset int
}

// SplitSQL splits a migration file into its statements at every
// Breakpoint, as drizzle-orm's migrator does. Chunks with nothing but blank
// space are left out; the rest are kept even when they hold only comments.
func SplitSQL(data []byte) []Chunk {
	var out []Chunk
	line := 1 // the line at data[start]
	for start := 0; start <= len(data); {
		end := bytes.Index(data[start:], []byte(Breakpoint))
		next := 0
		if end < 0 {
			end = len(data)
			next = len(data) + 1
		} else {
			end += start
			next = end + len(Breakpoint)
		}
		part := data[start:end]
		trimmed := bytes.TrimLeftFunc(part, unicode.IsSpace)
		if sql := bytes.TrimRightFunc(trimmed, unicode.IsSpace); len(sql) > 0 {
			skipped := part[:len(part)-len(trimmed)]
			out = append(out, Chunk{SQL: string(sql), Line: line + bytes.Count(skipped, []byte("\n")), Offset: start + len(skipped)})
		}
		line += bytes.Count(data[start:min(next, len(data))], []byte("\n"))
		start = next
	}
	return out
}
