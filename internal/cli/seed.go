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
	fixturesOnly        bool
	force               string
	// countSet and seedSet: --count and --seed were given.
	countSet, seedSet bool
	cacheDir          string // the model cache's directory, "" for none
}

func newSeedCmd(env *env) *cobra.Command {
	var f seedFlags
	cmd := &cobra.Command{
		Use:   "seed [--database-url URL] [--schema DIR] [--count N] [--seed S] [--only t1,t2] [--fixtures-only] [--reset [--force NAME] [--yes]] [--no-cache]",
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

Counts per table, children per parent row and per-column values (a fixed
list with weights, a range, skip, the share of NULLs) go in a seed.Config
variable of the schema package (github.com/mizzle/mizzle/seed), read without
running code, or under seed: in mizzle.yaml; not in both. --count and --seed
win over either.

Go code runs too when the settings name it: a column's Func (a function of
the schema package that makes its values) and fixtures (functions
func(ctx context.Context, tx pgx.Tx) error, named "import/path.Function",
that write rows with the project's own queries after the generated ones, in
the same transaction). mizzle seed then builds a small program in the
schema's module with the go command, in a temporary directory, and the run
happens in it; the database URL passes in its environment. --fixtures-only
runs the fixtures alone, without generated rows.

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
			if fl.Changed("count") && f.count < 1 {
				return &usageError{fmt.Sprintf("--count %d: want at least 1 row per table", f.count)}
			}
			f.countSet, f.seedSet = fl.Changed("count"), fl.Changed("seed")
			noCache, _ := fl.GetBool("no-cache")
			if f.cacheDir, err = modelCacheDir(noCache); err != nil {
				return err
			}
			return seedRun(cmd.Context(), env, f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then .env, then mizzle.yaml)")
	fl.IntVar(&f.count, "count", 0, fmt.Sprintf("rows per table, unless the seed settings count the table (default: their count, else %d)", seed.DefaultCount))
	fl.Uint64Var(&f.seed, "seed", 0, "the seed: the same seed gives the same data (default: the seed settings' seed, else 0)")
	fl.StringSliceVar(&f.only, "only", nil, "fill only these tables (names, or schema.name outside public)")
	fl.BoolVar(&f.reset, "reset", false, "empty the tables first, with their sequences restarted")
	fl.StringVar(&f.force, "force", "", "with --reset: empty this database (its name, as in the URL) even though it is neither local nor the dev database")
	fl.BoolVar(&f.fixturesOnly, "fixtures-only", false, "run the seed settings' fixtures alone, without generated rows")
	fl.BoolVar(&f.yes, "yes", false, "with --reset: also empty the tables outside the schema that CASCADE reaches, without asking")
	addNoCacheFlag(cmd)
	return cmd
}

func seedRun(ctx context.Context, env *env, f seedFlags, cfg *config) error {
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
	m, err := loader.Load(ctx, loader.Config{Dir: f.schema, CacheDir: f.cacheDir})
	if err != nil {
		return err
	}
	if m.Seed == nil {
		vars, err := seedVarsInTests(f.schema, env.cwd)
		if err != nil {
			return err
		}
		for _, v := range vars {
			fmt.Fprintf(env.stderr, "%s %s is a seed.Config in a test file, which mizzle seed does not read (it reads the package without its tests): move it to a non-test file of the package if it is meant for mizzle seed\n", env.paint(bold, "warning:"), v)
		}
	}
	o, err := seedOptions(env, cfg, m)
	if err != nil {
		return err
	}
	funcs, fixtures := seedGo(env, cfg, m)
	if f.fixturesOnly {
		if len(fixtures) == 0 {
			return &usageError{"--fixtures-only: the seed settings name no fixtures"}
		}
		for _, fl := range []struct {
			set  bool
			name string
		}{{f.countSet, "--count"}, {f.seedSet, "--seed"}, {len(f.only) > 0, "--only"}} {
			if fl.set {
				return &usageError{fmt.Sprintf("--fixtures-only writes no generated rows, so %s would do nothing", fl.name)}
			}
		}
	}
	if f.countSet {
		o.Count = f.count
	}
	if f.seedSet {
		o.Seed = f.seed
	}
	for _, name := range f.only {
		if !hasTable(m, name) {
			return &usageError{fmt.Sprintf("--only: %q is not a table of the schema", name)}
		}
	}
	o.Only = f.only
	var p *seed.Plan
	if !f.fixturesOnly {
		if p, err = seed.New(m, o); err != nil {
			return planError(env, m, err)
		}
	}
	var lo seed.LoadOptions
	var cascaded []string // the tables of the schema CASCADE empties too
	if f.reset {
		var tables []dbreset.Table
		if p != nil {
			for _, t := range p.Tables {
				tables = append(tables, dbreset.Table{Schema: t.Table.Schema, Name: t.Table.Name})
			}
		} else {
			for _, t := range m.Tables {
				tables = append(tables, dbreset.Table{Schema: t.Schema, Name: t.Name})
			}
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
	var written []seed.Written
	var elapsed time.Duration
	if len(funcs) > 0 || len(fixtures) > 0 {
		if written, elapsed, err = seedInProgram(ctx, env, f, m, o, lo, funcs, fixtures, url, from); err != nil {
			return err
		}
	} else {
		start := time.Now()
		if written, err = seed.Load(ctx, conn, p, lo); err != nil {
			return fmt.Errorf("seed failed, nothing was written: %w", redacted(err, url))
		}
		elapsed = time.Since(start)
	}
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
		n := len(lo.Reset.Tables)
		fmt.Fprintf(env.stdout, "Emptied %d %s first%s (RESTART IDENTITY CASCADE).\n", n, plural(n, "table", "tables"), also)
	}
	if f.fixturesOnly {
		fmt.Fprintf(env.stdout, "Ran %d %s in %s, without generated rows:\n", len(fixtures), plural(len(fixtures), "fixture", "fixtures"), elapsed.Round(time.Millisecond))
		for _, fx := range fixtures {
			fmt.Fprintf(env.stdout, "  %s\n", fx)
		}
		return nil
	}
	fmt.Fprintf(env.stdout, "Seeded %d %s in %d %s in %s (seed %d):\n", total, plural(int(total), "row", "rows"),
		len(written), plural(len(written), "table", "tables"), elapsed.Round(time.Millisecond), o.Seed)
	for _, w := range written {
		fmt.Fprintf(env.stdout, "  %-*s %*d %s\n", width, w.Table, digits, w.Rows, plural(int(w.Rows), "row", "rows"))
	}
	if len(fixtures) > 0 {
		fmt.Fprintf(env.stdout, "Ran %d %s after them:\n", len(fixtures), plural(len(fixtures), "fixture", "fixtures"))
		for _, fx := range fixtures {
			fmt.Fprintf(env.stdout, "  %s\n", fx)
		}
	}
	return nil
}

// planError is a planning error of seed.New, placed at the Go setting it
// is about when there is one.
func planError(env *env, m *schema.Model, err error) error {
	if pos := seedSettingPos(m.Seed, err); pos != (schema.Position{}) {
		return fmt.Errorf("%s: nothing was written: %w", pos.Rel(env.cwd), err)
	}
	return fmt.Errorf("nothing was written: %w", err)
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
