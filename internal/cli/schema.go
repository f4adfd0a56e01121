package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/schema"
)

func newSchemaCmd(env *env) *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "schema [--schema DIR] [--json]",
		Short: "Load the schema package and print the model mizzle sees",
		Long: `Load the schema package and print the model mizzle sees: tables, columns
with their PostgreSQL types, keys, constraints, indexes and enums. Useful to
check how tags and markers are read. Schema mistakes are reported as
file:line:col: message, all at once.

` + grammarHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			dir = cfg.path(cmd.Flags().Changed("schema"), dir, cfg.Schema, ".")
			if err := checkDir("--schema", dir); err != nil {
				return err
			}
			m, err := loadSchema(cmd, dir)
			if err != nil {
				return err
			}
			if asJSON {
				m.RelativePositions(env.cwd)
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(m)
			}
			return printModel(env.stdout, m)
		},
	}
	cmd.Flags().StringVar(&dir, "schema", ".", "directory of the schema package")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the model as JSON")
	addNoCacheFlag(cmd)
	return cmd
}

// printModel writes the model for people: one block per enum and table.
func printModel(w io.Writer, m *schema.Model) error {
	fmt.Fprintf(w, "package %s (%s)\n", m.Go.Name, m.Go.Path)
	for _, s := range m.Schemas {
		fmt.Fprintf(w, "\nschema %s\n", s.Name)
	}
	for _, e := range m.Enums {
		fmt.Fprintf(w, "\nenum %s.%s (%s)%s\n  %s\n", e.Schema, e.Name, e.GoType.Name, was(e.Was), strings.Join(e.Values, ", "))
	}
	for _, t := range m.Tables {
		fmt.Fprintf(w, "\ntable %s.%s (%s)%s\n", t.Schema, t.Name, t.GoType.Name, was(t.Was))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range t.Columns {
			var attrs []string
			if c.NotNull {
				attrs = append(attrs, "not null")
			}
			if c.Default != "" {
				attrs = append(attrs, "default "+c.Default)
			}
			if c.Identity != schema.IdentityNone {
				attrs = append(attrs, "identity "+string(c.Identity))
			}
			if c.Generated != "" {
				attrs = append(attrs, "generated "+c.Generated)
			}
			if c.Was != "" {
				attrs = append(attrs, "was "+c.Was)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\n", c.Name, c.Type, strings.Join(attrs, ", "), c.GoField, c.GoType)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if pk := t.PrimaryKey; pk != nil {
			fmt.Fprintf(w, "  primary key %s (%s)\n", pk.Name, strings.Join(pk.Columns, ", "))
		}
		for _, u := range t.Uniques {
			nnd := ""
			if u.NullsNotDistinct {
				nnd = " nulls not distinct"
			}
			fmt.Fprintf(w, "  unique %s (%s)%s\n", u.Name, strings.Join(u.Columns, ", "), nnd)
		}
		for _, c := range t.Checks {
			fmt.Fprintf(w, "  check %s (%s)\n", c.Name, c.Expr)
		}
		for _, fk := range t.ForeignKeys {
			fmt.Fprintf(w, "  foreign key %s (%s) references %s.%s (%s)", fk.Name, strings.Join(fk.Columns, ", "),
				fk.RefSchema, fk.RefTable, strings.Join(fk.RefColumns, ", "))
			if fk.OnDelete != schema.NoAction {
				fmt.Fprintf(w, " on delete %s", fk.OnDelete)
			}
			if fk.OnUpdate != schema.NoAction {
				fmt.Fprintf(w, " on update %s", fk.OnUpdate)
			}
			fmt.Fprintln(w)
		}
		for _, ix := range t.Indexes {
			fmt.Fprintf(w, "  %s\n", describeIndex(ix))
		}
	}
	return nil
}

func describeIndex(ix schema.Index) string {
	var b strings.Builder
	if ix.Unique {
		b.WriteString("unique ")
	}
	b.WriteString("index " + ix.Name)
	if ix.Method != "" {
		b.WriteString(" using " + ix.Method)
	}
	var els []string
	for _, e := range ix.Elements {
		s := e.Column
		if s == "" {
			s = e.Expr
		}
		if e.Opclass != "" {
			s += " " + e.Opclass
		}
		if e.Desc {
			s += " desc"
		}
		if e.Nulls != "" {
			s += " nulls " + e.Nulls
		}
		els = append(els, s)
	}
	b.WriteString(" (" + strings.Join(els, ", ") + ")")
	if ix.NullsNotDistinct {
		b.WriteString(" nulls not distinct")
	}
	if ix.Where != "" {
		b.WriteString(" where " + ix.Where)
	}
	return b.String()
}

func was(old string) string {
	if old == "" {
		return ""
	}
	return " was " + old
}

// checkDir fails early, naming the flag, when dir is not a directory; the go
// command would otherwise report it in its own, less helpful terms.
func checkDir(flag, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: no such directory", flag, dir)
	case err != nil:
		return fmt.Errorf("%s %s: %w", flag, dir, err)
	case !fi.IsDir():
		return fmt.Errorf("%s %s: not a directory", flag, dir)
	}
	return nil
}
