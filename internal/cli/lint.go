package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/migrations"
)

func newLintCmd(env *env) *cobra.Command {
	var (
		dir     string
		latest  int
		since   string
		version int
		asJSON  bool
		rules   bool
	)
	cmd := &cobra.Command{
		Use:   "lint [--migrations DIR] [--latest N | --since TAG] [--pg-version N] [--json]",
		Short: "Find what makes migrations dangerous on a busy database",
		Long: `Lint the migrations, generated or written by hand, for what can stall or
break a production database while they run: DDL that waits for a lock with
no lock_timeout (every query on the table queues behind it), indexes built
or dropped without CONCURRENTLY, CONCURRENTLY inside a transaction, foreign
keys and checks added without NOT VALID, SET NOT NULL, NOT NULL columns
added without a default, changes that rewrite a table, unique and primary
keys added without an index built first, drops and renames, enum values
added without a position, identifiers over 63 bytes.

Each migration is read with the snapshot before it, so a table the
migration creates needs no care. Each finding has a stable code, the file,
line and column, why it is dangerous and the safe way (--rules lists the
codes). A comment above a statement,

    -- mizzle:lint-ignore CODE[,CODE] reason

silences those findings of that statement, and the reason is printed with
them. Errors make lint exit 1; warnings do not.

--pg-version is the major version of the server the migrations will run
on: some rules depend on it (before 11 any column default rewrites the
table; from 12 SET NOT NULL can use a validated check). Without it lint
assumes a current server.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if rules {
				for _, r := range migrations.LintRules {
					fmt.Fprintf(env.stdout, "%-26s %-8s %s\n", r.Code, r.Severity, r.Summary)
				}
				return nil
			}
			if cmd.Flags().Changed("latest") && since != "" {
				return &usageError{"--latest and --since both choose the migrations to lint: give one"}
			}
			if cmd.Flags().Changed("latest") && latest < 1 {
				return &usageError{fmt.Sprintf("--latest %d: give a number of migrations, 1 or more", latest)}
			}
			if cmd.Flags().Changed("pg-version") && (version < 9 || version > 99) {
				return &usageError{fmt.Sprintf("--pg-version %d: give the server's major version, such as 16", version)}
			}
			cfg, err := env.config()
			if err != nil {
				return err
			}
			dir = cfg.path(cmd.Flags().Changed("migrations"), dir, cfg.Migrations, "migrations")
			if _, err := os.Stat(dir); err != nil && cmd.Flags().Changed("migrations") {
				return &usageError{fmt.Sprintf("--migrations %s: %v", dir, err)}
			}
			folder, err := migrations.ReadFolder(os.DirFS(dir))
			if err != nil {
				return folderError(dir, err)
			}
			from := 0
			switch {
			case latest > 0:
				from = max(0, len(folder.Entries)-latest)
			case since != "":
				i := slices.IndexFunc(folder.Entries, func(e migrations.Entry) bool { return e.Tag == since })
				if i < 0 {
					return &usageError{fmt.Sprintf("--since %s: the journal of %s has no such migration", since, dir)}
				}
				from = i + 1
			}
			opts := lintOptions(cfg)
			opts.Version = version
			found := migrations.LintFolder(folder, from, opts)
			for i := range found {
				found[i].File = filepath.Join(dir, found[i].File)
			}
			failing := slices.ContainsFunc(found, migrations.Finding.Failing)
			if asJSON {
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				if found == nil {
					found = []migrations.Finding{}
				}
				if err := enc.Encode(struct {
					Findings []migrations.Finding `json:"findings"`
					Linted   int                  `json:"linted"`
				}{found, len(folder.Entries) - from}); err != nil {
					return err
				}
			} else {
				printFindings(env, found)
				fmt.Fprintf(env.stdout, "%s linted: %s.\n", count(len(folder.Entries)-from, "migration", "migrations"), countFindings(found))
			}
			if failing {
				return errReported
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "migrations", "migrations", "the migrations folder")
	fl.IntVar(&latest, "latest", 0, "lint only the last N migrations")
	fl.StringVar(&since, "since", "", "lint only the migrations after the one with this tag")
	fl.IntVar(&version, "pg-version", 0, "the major version of the server the migrations will run on (default: a current one)")
	fl.BoolVar(&asJSON, "json", false, "print the findings as JSON")
	fl.BoolVar(&rules, "rules", false, "list the rules and exit")
	return cmd
}

// printFindings prints findings as a compiler prints errors, each with
// its statement's first line and the safe way.
func printFindings(env *env, found []migrations.Finding) {
	for _, f := range found {
		style := red
		if f.Severity == migrations.SeverityWarning || f.Ignored != "" {
			style = bold
		}
		fmt.Fprintf(env.stdout, "%s:%d:%d: %s %s\n", f.File, f.Line, f.Column, env.paint(style, string(f.Severity)+" "+f.Code+":"), f.Message)
		first, _, more := strings.Cut(f.Statement, "\n")
		if more {
			first += " ..."
		}
		fmt.Fprintf(env.stdout, "\t%s\n", first)
		if f.Ignored != "" {
			fmt.Fprintf(env.stdout, "\tignored: %s\n", f.Ignored)
		} else if f.Fix != "" {
			fmt.Fprintf(env.stdout, "\tfix: %s\n", f.Fix)
		}
	}
}

// countFindings says how many errors, warnings and ignored findings there
// are: "2 errors, 1 warning".
func countFindings(found []migrations.Finding) string {
	var errs, warns, ignored int
	for _, f := range found {
		switch {
		case f.Ignored != "":
			ignored++
		case f.Severity == migrations.SeverityError:
			errs++
		default:
			warns++
		}
	}
	parts := []string{count(errs, "error", "errors"), count(warns, "warning", "warnings")}
	if ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d ignored", ignored))
	}
	return strings.Join(parts, ", ")
}

// count is n with the noun that fits it: "1 error", "2 errors".
func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }
