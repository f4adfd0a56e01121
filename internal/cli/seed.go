package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/dbreset"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/schema"
)

type seedFlags struct {
	schema, databaseURL string
	count               int
	seed                uint64
	only                []string
	reset, yes          bool
	force               string
}

func newSeedCmd(env *env) *cobra.Command {
	var f seedFlags
	cmd := &cobra.Command{
		Use:   "seed [--database-url URL] [--schema DIR] [--count N] [--seed S] [--only t1,t2] [--reset [--force NAME] [--yes]]",
		Short: "Fill the schema's tables with generated data",
		Long: `Fill every table of the schema package with generated rows, in one
transaction, parents before children: values that fit each column's type,
length, enum and nullability, unique constraints unique by construction,
foreign keys picked from the rows generated for the parent. Columns named
like emails, names, URLs, phones, cities... get such values.

The same --seed gives the same rows on any machine, and adding a column or a
table does not change the values of the others. Rows go in with COPY;
afterwards identity and serial sequences are moved past the values written
and the tables are analyzed. If anything fails, nothing is written.

Counts per table and per-column values (a fixed list with weights, a range,
skip, the share of NULLs) go under seed: in mizzle.yaml.

--only fills the tables named; their foreign keys to other tables take the
keys those tables hold already. --reset empties the tables it fills first
(TRUNCATE ... RESTART IDENTITY CASCADE, which empties the tables referencing
them too), in the same transaction. Like mizzle reset, --reset works on a
local database or the project's dev database, or on another that --force
names; tables the schema does not declare that CASCADE would empty are
listed first, and emptied only when answered yes on a terminal or with --yes.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f.schema = cfg.path(fl.Changed("schema"), f.schema, cfg.Schema, ".")
			o := cfg.Seed.options()
			if fl.Changed("count") {
				if f.count < 1 {
					return &usageError{fmt.Sprintf("--count %d: want at least 1 row per table", f.count)}
				}
				o.Count = f.count
			}
			if fl.Changed("seed") {
				o.Seed = f.seed
			}
			return seedRun(cmd.Context(), env, f, cfg, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then .env, then mizzle.yaml)")
	fl.IntVar(&f.count, "count", 0, fmt.Sprintf("rows per table, unless mizzle.yaml counts the table (default: seed.count in mizzle.yaml, else %d)", seed.DefaultCount))
	fl.Uint64Var(&f.seed, "seed", 0, "the seed: the same seed gives the same data (default: seed.seed in mizzle.yaml, else 0)")
	fl.StringSliceVar(&f.only, "only", nil, "fill only these tables (names, or schema.name outside public)")
	fl.BoolVar(&f.reset, "reset", false, "empty the tables first, with their sequences restarted")
	fl.StringVar(&f.force, "force", "", "with --reset: empty this database (its name, as in the URL) even though it is neither local nor the dev database")
	fl.BoolVar(&f.yes, "yes", false, "with --reset: also empty the tables outside the schema that CASCADE reaches, without asking")
	return cmd
}

func seedRun(ctx context.Context, env *env, f seedFlags, cfg *config, o seed.Options) error {
	if err := checkDir("--schema", f.schema); err != nil {
		return err
	}
	if !f.reset && (f.force != "" || f.yes) {
		return &usageError{"--force and --yes go with --reset"}
	}
	url, from, err := databaseURL(env, f.databaseURL, cfg)
	if err != nil {
		return err
	}
	if f.reset {
		if err := checkResettable(env, cfg, url, from, f.force, "seed --reset"); err != nil {
			return err
		}
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
	for _, name := range f.only {
		if !hasTable(m, name) {
			return &usageError{fmt.Sprintf("--only: %q is not a table of the schema", name)}
		}
	}
	o.Only = f.only
	for name, t := range cfg.Seed.Tables {
		if !hasTable(m, name) {
			return fmt.Errorf("%s:%d: seed: %q is not a table of the schema", cfg.file, t.line, name)
		}
	}
	p, err := seed.New(m, o)
	if err != nil {
		return fmt.Errorf("nothing was written: %w", err)
	}
	var lo seed.LoadOptions
	var cascaded []string // the tables of the schema CASCADE empties too
	if f.reset {
		tables := make([]dbreset.Table, len(p.Tables))
		for i, t := range p.Tables {
			tables[i] = dbreset.Table{Schema: t.Table.Schema, Name: t.Table.Name}
		}
		if lo.Reset, err = dbreset.PlanTruncateTables(ctx, conn, tables); err != nil {
			return redacted(err, url)
		}
		var outside []string
		for _, t := range lo.Reset.Cascade {
			if m.Table(t.Schema, t.Name) != nil {
				cascaded = append(cascaded, t.Schema+"."+t.Name)
			} else {
				outside = append(outside, t.String())
			}
		}
		if len(outside) > 0 {
			what := fmt.Sprintf("--reset's CASCADE also empties %d %s the schema does not declare, which %s the tables seeded by foreign key, directly or through each other: %s",
				len(outside), plural(len(outside), "table", "tables"), plural(len(outside), "references", "reference"), strings.Join(outside, ", "))
			if err := confirm(env, f.yes, what, "Empty them too?"); err != nil {
				return err
			}
			cascaded = append(cascaded, outside...)
		}
	}
	start := time.Now()
	written, err := seed.Load(ctx, conn, p, lo)
	if err != nil {
		return fmt.Errorf("seed failed, nothing was written: %w", redacted(err, url))
	}
	elapsed := time.Since(start)
	var total int64
	width, digits := 0, 0
	for _, w := range written {
		total += w.Rows
		width = max(width, len(w.Table))
		digits = max(digits, len(fmt.Sprint(w.Rows)))
	}
	if f.reset {
		also := ""
		if len(cascaded) > 0 {
			also = ", and by CASCADE " + strings.Join(cascaded, ", ")
		}
		fmt.Fprintf(env.stdout, "Emptied %d %s first%s (RESTART IDENTITY CASCADE).\n", len(written), plural(len(written), "table", "tables"), also)
	}
	fmt.Fprintf(env.stdout, "Seeded %d %s in %d %s in %s (seed %d):\n", total, plural(int(total), "row", "rows"),
		len(written), plural(len(written), "table", "tables"), elapsed.Round(time.Millisecond), o.Seed)
	for _, w := range written {
		fmt.Fprintf(env.stdout, "  %-*s %*d %s\n", width, w.Table, digits, w.Rows, plural(int(w.Rows), "row", "rows"))
	}
	return nil
}

// hasTable reports whether name ("table" or "schema.table") is a table of m.
func hasTable(m *schema.Model, name string) bool {
	if m.Table(schema.DefaultSchema, name) != nil {
		return true
	}
	if s, n, ok := strings.Cut(name, "."); ok && m.Table(s, n) != nil {
		return true
	}
	return slices.ContainsFunc(m.Tables, func(t *schema.Table) bool { return t.Name == name })
}
