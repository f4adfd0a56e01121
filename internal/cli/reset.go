package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/dbreset"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/migrate"
)

type resetFlags struct {
	db            dbFlags
	schema, force string
	recreate, yes bool
}

func newResetCmd(env *env) *cobra.Command {
	var f resetFlags
	cmd := &cobra.Command{
		Use:   "reset [--database-url URL] [--recreate] [--force NAME] [--yes]",
		Short: "Empty the schema's tables, or rebuild the database from the migrations",
		Long: `Empty every table of the schema package with one TRUNCATE ... RESTART IDENTITY
CASCADE, so that identity columns and the sequences the tables own start
again from their first value. CASCADE also empties the tables the schema does
not declare that reference these with a foreign key (and those referencing
them): reset lists them first, asks on a terminal, and elsewhere refuses
unless --yes.

With --recreate, reset drops the schemas the schema package uses (and public,
or those listed in schemas: in mizzle.yaml), with everything in them, and the
migrations' history table, then applies every migration of the folder again.
public is created again with its owner, privileges and comment. What outside
those schemas depends on them (a foreign key, a view) is dropped with them:
reset lists it first, and asks or needs --yes as above. The drop and every
migration run in one transaction, so a migration that fails leaves the
database as it was; a migration marked "-- mizzle:no-transaction" cannot run
in it, and --recreate refuses such a folder.

reset works on a local database (localhost, a loopback address or a Unix
socket) or the project's dev database. Any other needs --force with the
database's name, as in the URL. A refused or failed reset changes nothing.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			f.schema = cfg.path(cmd.Flags().Changed("schema"), f.schema, cfg.Schema, ".")
			return runReset(cmd, env, &f, cfg)
		},
	}
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.BoolVar(&f.recreate, "recreate", false, "drop the managed schemas and the history table, and apply every migration again")
	fl.StringVar(&f.force, "force", "", "reset this database (its name, as in the URL) even though it is neither local nor the dev database")
	fl.BoolVar(&f.yes, "yes", false, "also empty (or drop) what outside the schema CASCADE reaches, without asking")
	return cmd
}

func runReset(cmd *cobra.Command, env *env, f *resetFlags, cfg *config) error {
	ctx := cmd.Context()
	if err := checkDir("--schema", f.schema); err != nil {
		return err
	}
	url, from, err := databaseURL(env, f.db.databaseURL, cfg)
	if err != nil {
		return err
	}
	if err := checkResettable(env, cfg, url, from, f.force, "reset"); err != nil {
		return err
	}
	// The migrations folder and the history table matter to --recreate
	// only: emptying the tables needs neither.
	var opts migrate.Options
	if f.recreate {
		var err error
		if opts, err = f.db.resolve(cmd, cfg); err != nil {
			return err
		}
	}
	// The database first: a wrong URL fails at once, not after the
	// schema package has loaded.
	conn, err := connect(ctx, url, from)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	m, err := loader.Load(ctx, loader.Config{Dir: f.schema})
	if err != nil {
		return err
	}

	if !f.recreate {
		plan, err := dbreset.PlanTruncate(ctx, conn, m)
		if err != nil {
			return redacted(err, url)
		}
		if len(plan.Tables) == 0 {
			fmt.Fprintln(env.stdout, "Nothing to empty: the schema declares no table.")
			return nil
		}
		fmt.Fprintf(env.stdout, "Emptying %d %s of the schema:\n", len(plan.Tables), plural(len(plan.Tables), "table", "tables"))
		for _, t := range plan.Tables {
			fmt.Fprintf(env.stdout, "  %s\n", t)
		}
		if len(plan.Cascade) > 0 {
			names := make([]string, len(plan.Cascade))
			for i, t := range plan.Cascade {
				names[i] = t.String()
			}
			what := fmt.Sprintf("%d %s the schema does not declare, which %s them by foreign key, directly or through each other: %s",
				len(names), plural(len(names), "table", "tables"), plural(len(names), "references", "reference"), strings.Join(names, ", "))
			if err := confirm(env, f.yes, "CASCADE also empties "+what, "Empty them too?"); err != nil {
				return err
			}
		}
		if err := plan.Run(ctx, conn); err != nil {
			return fmt.Errorf("reset failed, nothing was emptied: %w", redacted(err, url))
		}
		n := len(plan.Tables) + len(plan.Cascade)
		fmt.Fprintf(env.stdout, "Emptied %d %s; identity columns and owned sequences start again.\n", n, plural(n, "table", "tables"))
		return nil
	}

	d, err := migrate.Open(os.DirFS(f.db.migrations))
	if err != nil {
		return migrateError(f.db.migrations, err, url)
	}
	managed := slices.Clone(managedSchemas(cfg.Schemas, m))
	slices.Sort(managed)
	managed = slices.Compact(managed)
	outside, err := dbreset.OutsideDependents(ctx, conn, managed)
	if err != nil {
		return redacted(err, url)
	}
	history := opts.Table
	if history == (migrate.TableName{}) {
		history = migrate.DefaultTable
		if opts.Drizzle {
			history = migrate.DrizzleTable
		}
	}
	fmt.Fprintf(env.stdout, "Dropping %s %s with everything in %s, and the history table %s.%s; then applying %d %s from %s.\n",
		plural(len(managed), "schema", "schemas"), strings.Join(managed, ", "), plural(len(managed), "it", "them"),
		history.Schema, history.Name, len(d.Migrations), plural(len(d.Migrations), "migration", "migrations"), f.db.migrations)
	if len(outside) > 0 {
		if err := confirm(env, f.yes, "outside those schemas, these depend on them and are dropped too:\n  "+strings.Join(outside, "\n  "), "Drop them too?"); err != nil {
			return err
		}
	}
	done, err := dbreset.Recreate(ctx, conn, d, managed, opts)
	if err != nil {
		return fmt.Errorf("reset failed, nothing was changed: %w", migrateError(f.db.migrations, err, url))
	}
	for _, a := range done {
		fmt.Fprintf(env.stdout, "applied %s\n", a.Tag)
	}
	fmt.Fprintf(env.stdout, "Recreated the database: %d %s applied.\n", len(done), plural(len(done), "migration", "migrations"))
	return nil
}

// checkResettable refuses, before connecting, to empty a database that is
// neither local nor the project's dev database unless force names it:
// command ("reset", "seed --reset") is what the message says refuses it.
func checkResettable(env *env, cfg *config, url, from, force, command string) error {
	cc, err := connConfig(url, from)
	if err != nil {
		return err
	}
	devURL, _ := devFor(env, cfg).URL()
	if err := dbreset.Check(&cc.Config, devURL, force); err != nil {
		var re *dbreset.RefusedError
		if errors.As(err, &re) && re.Force != "" {
			return &usageError{fmt.Sprintf("--force %q: %v; nothing was changed", force, err)}
		}
		if errors.As(err, &re) {
			return fmt.Errorf("%v: %s refuses it, and changed nothing; to go ahead anyway, pass --force %s", err, command, re.Database)
		}
		return err
	}
	return nil
}

// confirm shows warning and asks question on a terminal; elsewhere it
// refuses unless yes.
func confirm(env *env, yes bool, warning, question string) error {
	fmt.Fprintf(env.stderr, "%s %s\n", env.paint(bold, "warning:"), warning)
	switch {
	case yes:
		return nil
	case env.interactive:
		fmt.Fprintf(env.stderr, "%s [y/N] ", question)
		answer, _ := env.stdin.ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a == "y" || a == "yes" {
			return nil
		}
		fmt.Fprintln(env.stderr, "Nothing was changed.")
		return errReported
	}
	fmt.Fprintln(env.stderr, "Nothing was changed: run again with --yes to go ahead.")
	return errReported
}
