package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

type pushFlags struct {
	schema, databaseURL                string
	schemas                            []string
	force, strict, verbose, dryRun, da bool
}

func newPushCmd(env *env) *cobra.Command {
	var f pushFlags
	cmd := &cobra.Command{
		Use:   "push [--schema DIR] [--database-url URL] [--dry-run] [--force]",
		Short: "Make a development database match the schema, without migrations",
		Long: `Read the database, compare it with the schema package, print the plan and
apply it in one transaction. For development databases: production runs
migrate.

Statements that lose data or may fail on existing rows are listed with the
number of rows they touch, and so are the indexes and the unique, check,
foreign key and primary key constraints that only the database has (added
by hand, say), which push would drop. On a terminal push asks before
applying them; elsewhere it refuses unless --force. It never empties a table to make a
change fit: SET NOT NULL on a column holding NULLs, or a new NOT NULL column
without a default on a table with rows, is refused with the count.

Only the schemas the schema package uses (and public) are read and changed,
or those listed in schemas: in mizzle.yaml or with --schemas; objects that
belong to extensions are never touched. Renames are settled as in generate.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f.schema = cfg.path(fl.Changed("schema"), f.schema, cfg.Schema, ".")
			if !fl.Changed("schemas") {
				f.schemas = cfg.Schemas
			}
			return push(cmd.Context(), env, f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then .env, then mizzle.yaml)")
	fl.StringSliceVar(&f.schemas, "schemas", nil, "the database schemas mizzle manages (default: public and those the schema package uses)")
	fl.BoolVar(&f.force, "force", false, "apply statements that lose data or drop indexes and constraints without asking")
	fl.BoolVar(&f.strict, "strict", false, "always ask before applying, even when nothing is lost")
	fl.BoolVar(&f.verbose, "verbose", false, "print every statement in full")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan and apply nothing")
	fl.BoolVar(&f.da, "drop-and-add", false, "treat a vanished and a new column or table as a drop and an add, not a rename")
	return cmd
}

func push(ctx context.Context, env *env, f pushFlags, cfg *config) error {
	if err := checkDir("--schema", f.schema); err != nil {
		return err
	}
	// The database first: a wrong URL fails at once, not after the
	// schema package has loaded.
	url, from, err := databaseURL(env, f.databaseURL, cfg)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, url, from)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	m, err := loader.Load(ctx, loader.Config{Dir: f.schema})
	if err != nil {
		return err
	}

	managed := f.schemas
	if len(managed) == 0 {
		managed = []string{schema.DefaultSchema}
		for _, s := range m.Schemas {
			managed = append(managed, s.Name)
		}
	}
	for _, t := range m.Tables {
		if !slices.Contains(managed, t.Schema) {
			return &usageError{fmt.Sprintf("table %s.%s is in schema %q, which --schemas does not list", t.Schema, t.Name, t.Schema)}
		}
	}
	actual, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: managed})
	if err != nil {
		return redacted(err, url)
	}
	want, err := introspect.Normalize(ctx, conn, m, createStatements)
	if err != nil {
		return redacted(err, url)
	}
	changes, err := diff(env, actual, want, f.da, "Nothing was changed.")
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		fmt.Fprintln(env.stdout, "Nothing to push: the database matches the schema.")
		return nil
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		return err
	}

	risks, refusals, err := assessRisks(ctx, conn, actual, stmts)
	if err != nil {
		return redacted(err, url)
	}
	fmt.Fprintf(env.stdout, "%d %s to apply:\n", len(stmts), plural(len(stmts), "statement", "statements"))
	for _, s := range stmts {
		text := s.SQL
		if !f.verbose {
			text = firstLine(text)
		}
		fmt.Fprintf(env.stdout, "  %s\n", strings.ReplaceAll(text, "\n", "\n  "))
	}
	for _, r := range risks {
		fmt.Fprintf(env.stderr, "%s %s\n", env.paint(bold, "warning:"), r)
	}
	if len(refusals) > 0 {
		for _, r := range refusals {
			fmt.Fprintf(env.stderr, "%s %s\n", env.paint(red, "mizzle:"), r)
		}
		fmt.Fprintln(env.stderr, "Nothing was changed: push does not empty or rewrite data to make a change fit. Fix the rows first, or add a default.")
		return errReported
	}
	if f.dryRun {
		fmt.Fprintln(env.stdout, "Dry run: nothing was changed.")
		return nil
	}
	if len(risks) > 0 || f.strict {
		switch {
		case f.force && !f.strict:
		case env.interactive:
			fmt.Fprint(env.stderr, "Apply these statements? [y/N] ")
			answer, _ := env.stdin.ReadString('\n')
			if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
				fmt.Fprintln(env.stderr, "Nothing was changed.")
				return errReported
			}
		default:
			fmt.Fprintln(env.stderr, "Nothing was changed: the statements warned about lose data or drop indexes and constraints; run again with --force to apply them.")
			return errReported
		}
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("%s\n%s", s.SQL, migrations.ServerMessage(err))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("push failed, nothing was changed: %w", redacted(err, url))
	}
	fmt.Fprintf(env.stdout, "Pushed %d %s.\n", len(stmts), plural(len(stmts), "statement", "statements"))
	return nil
}

// assessRisks counts the rows each risky statement touches. Risks are
// shown and need consent; refusals are changes the data cannot take.
//
// Dropping an index or a constraint loses no row, but what it enforced or
// sped up goes silently, and the one the database has may be there on
// purpose (a DBA's index, a check added by hand): a drop is a risk unless
// the plan creates one of the same name again, rebuilding it to the
// schema's definition. actual is the database as read, where a dropped
// index's table is found.
func assessRisks(ctx context.Context, conn *pgx.Conn, actual *schema.Model, stmts []migrations.Statement) (risks, refusals []string, err error) {
	count := func(table migrations.TableName, where string, args ...any) (int64, error) {
		sql := "SELECT count(*) FROM " + quote.Ident(table.Schema, table.Name)
		if where != "" {
			sql += " WHERE " + where
		}
		var n int64
		err := conn.QueryRow(ctx, sql, args...).Scan(&n)
		return n, err
	}
	rows := func(n int64) string { return fmt.Sprintf("%d %s", n, plural(int(n), "row", "rows")) }
	recreated := recreatedObjects(stmts)
	for _, s := range stmts {
		var n int64
		switch c := s.Source.(type) {
		case migrations.DropTable:
			if n, err = count(c.Table, ""); err != nil {
				return
			}
			risks = append(risks, fmt.Sprintf("drops table %s with %s", c.Table.String(), rows(n)))
		case migrations.DropColumn:
			if c.Generated {
				continue
			}
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NOT NULL"); err != nil {
				return
			}
			risks = append(risks, fmt.Sprintf("drops column %s of %s, losing the values of %s", quote.Ident(c.Column), c.Table.String(), rows(n)))
		case migrations.DropConstraint:
			if recreated[objectKey{c.Table.Schema, c.Table.Name, c.Name}] {
				continue
			}
			risks = append(risks, fmt.Sprintf("drops %s %s of %s, which the schema does not declare", constraintKind(c.Kind), quote.Ident(c.Name), c.Table.String()))
		case migrations.DropIndex:
			if recreated[objectKey{c.Schema, "", c.Name}] {
				continue
			}
			kind, on := "index", ""
			if t, ix := indexTable(actual, c.Schema, c.Name); ix != nil {
				if ix.Unique {
					kind = "unique index"
				}
				on = " on " + quote.Ident(t.Schema, t.Name)
			}
			risks = append(risks, fmt.Sprintf("drops %s %s%s, which the schema does not declare", kind, quote.Ident(c.Schema, c.Name), on))
		case migrations.SetNotNull:
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NULL"); err != nil {
				return
			}
			if n > 0 {
				refusals = append(refusals, fmt.Sprintf("cannot set NOT NULL on %s of %s: %s hold NULL there", quote.Ident(c.Column), c.Table.String(), rows(n)))
			}
		case migrations.AddColumn:
			if s.Warning == "" {
				continue
			}
			if n, err = count(c.Table, ""); err != nil {
				return
			}
			if n > 0 {
				refusals = append(refusals, fmt.Sprintf("cannot add NOT NULL column %s without a default to %s: it has %s", quote.Ident(c.Column.Name), c.Table.String(), rows(n)))
			}
		case migrations.AlterColumnType:
			if s.Warning == "" {
				continue
			}
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NOT NULL"); err != nil {
				return
			}
			risks = append(risks, fmt.Sprintf("changes the type of %s in %s from %s to %s, converting %s", quote.Ident(c.Column), c.Table.String(), c.From, c.To, rows(n)))
		case migrations.RebuildEnum:
			if len(c.Removed) == 0 {
				continue
			}
			lits := make([]string, len(c.Removed))
			for i, v := range c.Removed {
				lits[i] = quote.Literal(v)
			}
			for _, col := range c.Columns {
				cond := quote.Ident(col.Column) + "::text = ANY($1)"
				if col.Array {
					cond = quote.Ident(col.Column) + "::text[] && $1"
				}
				if n, err = count(col.Table, cond, c.Removed); err != nil {
					return
				}
				if n > 0 {
					refusals = append(refusals, fmt.Sprintf("cannot remove %s from enum %s: %s of %s use it in %s",
						strings.Join(lits, ", "), quote.Ident(c.Enum.Schema, c.Enum.Name), rows(n), col.Table.String(), quote.Ident(col.Column)))
				}
			}
		}
	}
	return risks, refusals, nil
}

// objectKey names an index (by schema, with no table) or a constraint (by
// its table) in a plan.
type objectKey struct{ schema, table, name string }

// recreatedObjects are the indexes and constraints the plan creates: one
// it drops and creates again is being rebuilt, not lost.
func recreatedObjects(stmts []migrations.Statement) map[objectKey]bool {
	out := map[objectKey]bool{}
	for _, s := range stmts {
		switch c := s.Source.(type) {
		case migrations.CreateIndex:
			out[objectKey{c.Table.Schema, "", c.Index.Name}] = true
		case migrations.AddPrimaryKey:
			out[objectKey{c.Table.Schema, c.Table.Name, c.PrimaryKey.Name}] = true
		case migrations.AddUnique:
			out[objectKey{c.Table.Schema, c.Table.Name, c.Unique.Name}] = true
		case migrations.AddCheck:
			out[objectKey{c.Table.Schema, c.Table.Name, c.Check.Name}] = true
		case migrations.AddForeignKey:
			out[objectKey{c.Table.Schema, c.Table.Name, c.ForeignKey.Name}] = true
		}
	}
	return out
}

// constraintKind spells a DropConstraint's kind for a sentence.
func constraintKind(kind string) string {
	switch kind {
	case "unique", "check":
		return kind + " constraint"
	}
	return kind
}

// indexTable finds the index name of schema sch in the database as read:
// its table and the index. An index keeps its name when its table moves
// to another schema, so a name found in no table of sch is looked for in
// every schema.
func indexTable(m *schema.Model, sch, name string) (*schema.Table, *schema.Index) {
	var found *schema.Table
	var index *schema.Index
	for _, t := range m.Tables {
		for i := range t.Indexes {
			if t.Indexes[i].Name != name {
				continue
			}
			if t.Schema == sch {
				return t, &t.Indexes[i]
			}
			found, index = t, &t.Indexes[i]
		}
	}
	return found, index
}
