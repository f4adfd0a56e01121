package randschema

import (
	"fmt"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// commentPieces are what random comments are made of: quotes of both
// kinds, a backslash, line breaks, blanks at either end, a tab, non-ASCII
// letters, an SQL comment's opening and a migration file's breakpoint.
var commentPieces = []string{
	"note", "it's", `"quoted"`, `back\slash`, "\n", "\r\n", "  ", "\t", "café", "東京", "🙂",
	"--", "/*", "$$", "--> statement-breakpoint", ",", "''", "NULL",
}

// comment returns a random comment, never empty.
func (g *gen) comment() string {
	var b strings.Builder
	fmt.Fprintf(&b, "c%d", g.num())
	for range g.r.IntN(4) {
		b.WriteString(pick(g, commentPieces))
	}
	if g.chance(0.2) {
		return " " + b.String() // a leading blank
	}
	return b.String()
}

// maybeComment gives an object a comment one time in five.
func (g *gen) maybeComment() string {
	if g.chance(0.2) {
		return g.comment()
	}
	return ""
}

// The comment changes: set (add or change) one on a table, a column or an
// enum, or remove one. Comments do not touch the rows.

func (c *changer) setComment() (string, bool) {
	text := c.comment()
	switch c.r.IntN(3) {
	case 0:
		if e := c.randomEnum(); e != nil {
			e.Comment = text
			return fmt.Sprintf("set comment on enum %s", qual(e.Schema, e.Name)), true
		}
	case 1:
		if t, col := c.randomColumn(func(*schema.Table, *schema.Column) bool { return true }); col != nil {
			col.Comment = text
			return fmt.Sprintf("set comment on column %s.%s", qual(t.Schema, t.Name), col.Name), true
		}
	}
	if t := c.randomTable(); t != nil {
		t.Comment = text
		return fmt.Sprintf("set comment on table %s", qual(t.Schema, t.Name)), true
	}
	return "", false
}

func (c *changer) dropComment() (string, bool) {
	var drops []func() string
	for _, e := range c.m.Enums {
		if e.Comment != "" {
			drops = append(drops, func() string { e.Comment = ""; return "enum " + qual(e.Schema, e.Name) })
		}
	}
	for _, t := range c.m.Tables {
		if t.Comment != "" {
			drops = append(drops, func() string { t.Comment = ""; return "table " + qual(t.Schema, t.Name) })
		}
		for _, col := range t.Columns {
			if col.Comment != "" {
				drops = append(drops, func() string { col.Comment = ""; return "column " + qual(t.Schema, t.Name) + "." + col.Name })
			}
		}
	}
	if len(drops) == 0 {
		return "", false
	}
	return "drop comment on " + pick(&c.gen, drops)(), true
}
