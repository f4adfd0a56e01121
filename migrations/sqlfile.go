package migrations

import (
	"bytes"
	"strings"

	"github.com/mizzle/mizzle/migrate"
)

// CustomSQL is the body of a migration file with no statements, to be
// written by hand: drizzle-kit's wording, so a custom migration looks the
// same whichever tool made it.
const CustomSQL = "-- Custom SQL migration file, put your code below! --\n"

// FormatSQL returns the contents of a migration file: the statements in
// order, separated by breakpoint lines, each preceded by its warning as a
// "-- WARNING: " comment line inside the statement's own chunk, so the
// warning travels with the statement when a reviewer moves or deletes it,
// and by its lint findings as "-- LINT" lines, each with its fix.
// The file ends in a newline. Without statements it is CustomSQL.
//
// A statement whose text contains migrate.Breakpoint would be split in two
// when the file is read; the emitter never writes one.
func FormatSQL(stmts []Statement) []byte {
	if len(stmts) == 0 {
		return []byte(CustomSQL)
	}
	var b bytes.Buffer
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n" + migrate.Breakpoint + "\n")
		}
		// A warning is one line of comment whatever it contains: a line
		// break inside it would turn the rest into SQL.
		if w := oneLine(s.Warning); w != "" {
			b.WriteString("-- WARNING: " + w + "\n")
		}
		for _, f := range s.Lint {
			b.WriteString("-- LINT " + string(f.Severity) + " " + f.Code + ": " + oneLine(f.Message) + "\n")
			if f.Fix != "" {
				b.WriteString("--   fix: " + oneLine(f.Fix) + "\n")
			}
		}
		b.WriteString(strings.TrimSpace(s.SQL))
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
