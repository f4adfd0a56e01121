package randschema

import (
	"fmt"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Row is one row of a table: its columns and their values as SQL literals
// (untyped string constants, so they convert to the column's type).
type Row struct {
	Schema, Table string
	Columns       []string
	Values        []string
	// Generated marks the columns the database computes: Insert leaves
	// them out, Count compares them too.
	Generated []bool
}

// Rows returns two rows for every table of m, never NULL, that satisfy
// every key, check and foreign key of m, and of any model Change(r, m)
// returns for the tables it keeps. The values of generated columns are
// those the database computes. The rows depend on m alone: Change relies on
// knowing them.
func Rows(m *schema.Model) []Row {
	var out []Row
	for _, t := range m.Tables {
		for k := 1; k <= 2; k++ {
			row := Row{Schema: t.Schema, Table: t.Name}
			for _, c := range t.Columns {
				var vals []string
				if c.Type.Schema != "" {
					vals = m.Enum(c.Type.Schema, c.Type.Name).Values
				}
				row.Columns = append(row.Columns, c.Name)
				row.Values = append(row.Values, value(c.Type, k, vals))
				row.Generated = append(row.Generated, c.Generated != "")
			}
			out = append(out, row)
		}
	}
	return out
}

// Insert returns one statement that inserts all the rows. It is one
// statement so that foreign keys, which PostgreSQL checks at its end, may
// form cycles between tables. OVERRIDING SYSTEM VALUE lets rows set
// identity columns declared GENERATED ALWAYS.
func Insert(rows []Row) string {
	var parts []string
	for _, r := range rows {
		var cols, vals []string
		for i, c := range r.Columns {
			if !r.Generated[i] {
				cols = append(cols, quote.Ident(c))
				vals = append(vals, r.Values[i])
			}
		}
		parts = append(parts, fmt.Sprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE VALUES (%s)",
			quote.Ident(r.Schema, r.Table), strings.Join(cols, ", "), strings.Join(vals, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	for i, p := range parts[:len(parts)-1] {
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "r%d AS (%s)", i, p)
	}
	if len(parts) > 1 {
		b.WriteString("\n")
	}
	b.WriteString(parts[len(parts)-1])
	return b.String()
}

// Count returns a query that counts the table's rows equal to r in every
// column r names; it should find exactly one.
func (r Row) Count() string {
	var conds []string
	for i, c := range r.Columns {
		conds = append(conds, quote.Ident(c)+" = "+r.Values[i])
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return "SELECT count(*) FROM " + quote.Ident(r.Schema, r.Table) + where
}

// Expect returns the rows of a model A (as Rows(A) gives them) as they
// should read after migrating A to b = Change(r, A): rows of tables b dropped are gone, tables and
// columns renamed or moved carry their new names, and dropped or generated
// columns are left out, and so are columns generated in b (a column made
// generated may compute another value). A column generated in A and plain
// in b keeps the value it had. Every value is still comparable with = to
// the column's type in b.
func Expect(b *schema.Model, rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		bt := matchTable(b, r.Table)
		if bt == nil {
			continue
		}
		nr := Row{Schema: bt.Schema, Table: bt.Name}
		for i, name := range r.Columns {
			bc := matchColumn(bt, name)
			if bc == nil || bc.Generated != "" {
				continue
			}
			nr.Columns = append(nr.Columns, bc.Name)
			nr.Values = append(nr.Values, r.Values[i])
			nr.Generated = append(nr.Generated, false)
		}
		out = append(out, nr)
	}
	return out
}

// matchTable finds the table of b that a's table became: renamed (Was),
// kept, moved to another schema (same name, its schema gone or renamed).
// Change makes every name fresh, so a name identifies one table.
func matchTable(b *schema.Model, name string) *schema.Table {
	for _, t := range b.Tables {
		if t.Was == name {
			return t
		}
	}
	for _, t := range b.Tables {
		if t.Name == name && t.Was == "" {
			return t
		}
	}
	return nil
}

func matchColumn(t *schema.Table, name string) *schema.Column {
	for _, c := range t.Columns {
		if c.Was == name {
			return c
		}
	}
	for _, c := range t.Columns {
		if c.Name == name && c.Was == "" {
			return c
		}
	}
	return nil
}
