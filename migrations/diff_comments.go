package migrations

import (
	"fmt"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrate"
)

// Comment kinds: what a SetComment is on, spelled as COMMENT ON spells it.
const (
	CommentTable  = "table"
	CommentColumn = "column"
	CommentType   = "type"
)

// SetComment sets the comment on a table, a column or an enum type, or
// removes it when Text is empty (PostgreSQL keeps no empty comment).
type SetComment struct {
	Kind   string // CommentTable, CommentColumn or CommentType
	Schema string // of the table or type
	Name   string // the table or type
	Column string // for CommentColumn
	Text   string
}

func (SetComment) change() {}

// comments sets, changes and removes comments, last: every object is in
// place by then. An object created in this migration (an enum rebuilt, a
// column dropped and added again included) has no comment yet; one that
// is renamed keeps its own, as PostgreSQL does; a dropped one takes its
// comment with it.
func (d *differ) comments() {
	for _, e := range d.to.Enums {
		prev := ""
		if old := d.cur.Enum(e.Schema, e.Name); old != nil && d.rebuilt[e] == nil {
			prev = old.Comment
		}
		if prev != e.Comment {
			d.emit(SetComment{Kind: CommentType, Schema: e.Schema, Name: e.Name, Text: e.Comment})
		}
	}
	for _, t := range d.to.Tables {
		c := d.tables[t]
		prev := ""
		if c != nil {
			prev = c.Comment
		}
		if prev != t.Comment {
			d.emit(SetComment{Kind: CommentTable, Schema: t.Schema, Name: t.Name, Text: t.Comment})
		}
		for _, col := range t.Columns {
			prev := ""
			if c != nil {
				if old := c.Column(col.Name); old != nil {
					prev = old.Comment
				}
			}
			if prev != col.Comment {
				d.emit(SetComment{Kind: CommentColumn, Schema: t.Schema, Name: t.Name, Column: col.Name, Text: col.Comment})
			}
		}
	}
}

// commentSQL spells a SetComment:
//
//	COMMENT ON COLUMN "public"."orders"."note" IS 'what the customer wrote';
func commentSQL(c SetComment) string {
	target := quote.Ident(c.Schema, c.Name)
	if c.Kind == CommentColumn {
		target = quote.Ident(c.Schema, c.Name, c.Column)
	}
	return fmt.Sprintf("COMMENT ON %s %s IS %s;", strings.ToUpper(c.Kind), target, commentLiteral(c.Text))
}

// commentLiteral quotes a comment's text, NULL for none. Migration files are
// split at every migrate.Breakpoint, inside a string constant too: a text
// that holds one is written as an escape string whose '>' is an escape.
func commentLiteral(text string) string {
	if text == "" {
		return "NULL"
	}
	if !strings.Contains(text, migrate.Breakpoint) {
		return quote.Literal(text)
	}
	lit := quote.Literal(text)
	if !strings.HasPrefix(lit, "E") {
		// Make it an escape string, its backslashes (none) doubled.
		lit = "E" + lit
	}
	return strings.ReplaceAll(lit, migrate.Breakpoint, `--\076`+strings.TrimPrefix(migrate.Breakpoint, "-->"))
}
