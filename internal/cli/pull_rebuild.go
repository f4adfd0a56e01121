package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// A pulled baseline rebuilds the database when a database built from it
// is the database read. pull knows it does when (1) nothing was reported
// lost: no object or setting the grammar cannot hold, nothing the writer
// left out or approximated (any of these is a warning), and (2) the
// package as written, loaded back as generate loads it, plans to no change
// against the model read from the database. Anything else is a warning
// too, and pull writes nothing unless --allow-lossy.

// rebuildListed is how many of the statements a round trip finds pull
// prints; it counts the rest.
const rebuildListed = 5

// roundTrip loads the package pull is about to write and compares it with
// the database's model read: nil when they agree, else one warning saying
// how they differ (or why the package did not load).
func roundTrip(ctx context.Context, out string, files []goschema.File, read *schema.Model) []string {
	loaded, err := loadWritten(ctx, out, files)
	if err != nil {
		return []string{fmt.Sprintf("the schema package does not load back as generate would load it, so it cannot be checked against the database "+
			"(pull loads it in the Go module around %s, which needs go.mod and the modules it imports):\n  %s",
			out, strings.ReplaceAll(strings.TrimRight(err.Error(), "\n"), "\n", "\n  "))}
	}
	// A package and a database have no renames between them: what differs
	// is dropped and added.
	p, err := migrations.NewPlan(sameText(loaded), sameText(read), migrations.Options{DropAndAdd: true})
	if err != nil {
		return []string{fmt.Sprintf("the schema package, loaded back, cannot be compared with the database: %v", err)}
	}
	if len(p.Statements) == 0 {
		return nil
	}
	n := len(p.Statements)
	var b strings.Builder
	fmt.Fprintf(&b, "the schema package, loaded back, does not declare exactly what was read: a database built from it would need %d more %s to be the one read:",
		n, plural(n, "statement", "statements"))
	for i, s := range p.Statements {
		if i == rebuildListed {
			fmt.Fprintf(&b, "\n  and %d more", n-rebuildListed)
			break
		}
		b.WriteString("\n  " + firstLine(s.SQL))
	}
	return []string{b.String()}
}

// loadWritten loads the package files would make in out, without writing
// them: they overlay the directory, which need not exist yet. Go files
// already in out (those --force keeps) are part of the package, as they
// will be for generate.
func loadWritten(ctx context.Context, out string, files []goschema.File) (*schema.Model, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	// The go command runs in the nearest directory that exists.
	dir := abs
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	pattern := "."
	if rel, err := filepath.Rel(dir, abs); err == nil && rel != "." {
		pattern = "./" + filepath.ToSlash(rel)
	}
	overlay := make(map[string][]byte, len(files))
	for _, f := range files {
		overlay[filepath.Join(abs, f.Name)] = f.Data
	}
	return loader.Load(ctx, loader.Config{Dir: dir, Pattern: pattern, Overlay: overlay})
}

// sameText is a copy of m whose expressions compare by canonicalSQL: the
// writer puts an expression PostgreSQL printed over several lines on one
// marker line, a line break in a string constant written as an escape,
// which is the same expression in other words.
func sameText(m *schema.Model) *schema.Model {
	m = m.Clone()
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			c.ParsedDefault = canonicalSQL(cmpText(c.Default, c.ParsedDefault))
			c.ParsedGenerated = canonicalSQL(cmpText(c.Generated, c.ParsedGenerated))
		}
		for i := range t.Checks {
			k := &t.Checks[i]
			k.Parsed = canonicalSQL(cmpText(k.Expr, k.Parsed))
		}
		for i := range t.Indexes {
			x := &t.Indexes[i]
			x.ParsedWhere = canonicalSQL(cmpText(x.Where, x.ParsedWhere))
			for j := range x.Elements {
				e := &x.Elements[j]
				e.ParsedExpr = canonicalSQL(cmpText(e.Expr, e.ParsedExpr))
			}
		}
		for i := range t.Policies {
			p := &t.Policies[i]
			p.ParsedUsing = canonicalSQL(cmpText(p.Using, p.ParsedUsing))
			p.ParsedWithCheck = canonicalSQL(cmpText(p.WithCheck, p.ParsedWithCheck))
		}
	}
	return m
}

// cmpText is the text an expression compares by (see migrations/expr.go).
func cmpText(text, parsed string) string {
	if parsed != "" {
		return parsed
	}
	return text
}

// canonicalSQL is expr with each run of white space and comments between
// tokens made one space, and each string constant spelled as a standard
// string of the same value, so that two spellings of one expression over
// lines or on one line are the same text. An escape it does not know
// leaves the constant as written, which can only make two texts differ.
func canonicalSQL(expr string) string {
	var b strings.Builder
	end, gap := 0, false
	for t := range sqlsplit.Tokens(expr) {
		if t.Offset > end {
			gap = true
		}
		end = t.Offset + len(t.Text)
		if t.Comment {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteString(canonicalString(t.Text))
	}
	return b.String()
}

// canonicalString spells a string constant, standard or with escapes
// (E'...', where \n is a line break), as a standard one of the same value;
// other tokens are left alone.
func canonicalString(tok string) string {
	var value string
	switch {
	case len(tok) >= 2 && tok[0] == '\'' && tok[len(tok)-1] == '\'':
		value = strings.ReplaceAll(tok[1:len(tok)-1], "''", "'")
	case len(tok) >= 3 && (tok[0] == 'E' || tok[0] == 'e') && tok[1] == '\'' && tok[len(tok)-1] == '\'':
		var b strings.Builder
		in := tok[2 : len(tok)-1]
		for i := 0; i < len(in); i++ {
			c := in[i]
			switch {
			case c == '\'' && i+1 < len(in) && in[i+1] == '\'':
				i++
			case c == '\\' && i+1 < len(in):
				i++
				switch in[i] {
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				case '\\', '\'':
					c = in[i]
				default:
					return tok
				}
			}
			b.WriteByte(c)
		}
		value = b.String()
	default:
		return tok
	}
	return "'" + strings.ReplaceAll(value, "'", "''") + "'"
}
