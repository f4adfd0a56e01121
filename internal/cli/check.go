package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// finding returns one thing check reports: a mistake of category kind
// ("folder", "schema", "history" or "drift") at pos, which is zero when the
// mistake is in no file.
func finding(kind string, pos schema.Position, msg string) *schema.Error {
	return &schema.Error{Pos: pos, Msg: msg, Category: kind}
}

// jsonFinding is how check --json writes a finding: File is the
// position as text, file:line:col.
type jsonFinding struct {
	Kind    string `json:"kind"`
	File    string `json:"file,omitempty"`
	Message string `json:"message"`
}

func toJSONFindings(found schema.ErrorList) []jsonFinding {
	out := []jsonFinding{}
	for _, f := range found {
		j := jsonFinding{Kind: f.Category, Message: f.Msg}
		if f.Pos != (schema.Position{}) {
			j.File = f.Pos.String()
		}
		out = append(out, j)
	}
	return out
}

func newCheckCmd(env *env) *cobra.Command {
	var schemaDir string
	var f dbFlags
	var asJSON, fix bool
	var queryDir, queriesDir string
	cmd := &cobra.Command{
		Use:   "check [--schema DIR] [--migrations DIR] [--database-url URL] [--json] [--fix]",
		Short: "Check that the migrations, the schema and the database agree",
		Long: `Check, changing nothing, that:

  - the journal, the SQL files and the snapshots of the migrations folder
    agree (no missing or unlisted file, an unbroken prevId chain, no two
    migrations generated on the same parent, as two merged branches leave);
  - the schema package has no change that generate has not written yet, so
    CI catches a forgotten go generate;
  - with a queries folder (queries: in mizzle.yaml, or --queries with
    --query): the generated method of each SQL query is what generate would
    write now from the query files and the migrations, each stale one named
    at its file:line:col. The types come from the typed-query cache that
    generate fills; when it has none for these files, check types them on a
    throwaway cluster of the installed server programs (never on a server a
    URL names), and fails saying so when there are none;
  - when there is a database: the database's history matches the folder,
    the database holds exactly what its applied migrations describe
    (drift), each difference printed as the SQL that would make it, and
    the migrations still pending on it pass mizzle lint (its errors, for
    the server's version; mizzle lint shows the warnings too).

The database is found as migrate finds it: --database-url, DATABASE_URL (in
the environment or in .env), databaseUrl in mizzle.yaml, else the dev
database when it is running (said on stderr). When there is none, check
looks at the folder and the schema only, and says so, so that CI without a
database still catches a forgotten go generate.

Exits 1 with one line per problem; --json prints them for CI.

--fix settles what two merged branches leave: the migrations after the last
one that chains correctly were generated against an older state, so they
are dropped and generated again, as one migration, from the merged schema.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			schemaDir = cfg.path(fl.Changed("schema"), schemaDir, cfg.Schema, ".")
			f.migrations = cfg.path(fl.Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
			if fix {
				return rechain(cmd.Context(), env, schemaDir, f.migrations)
			}
			q := queryFlags{
				dir:     cfg.path(fl.Changed("query"), queryDir, cfg.Query, ""),
				queries: cfg.path(fl.Changed("queries"), queriesDir, cfg.Queries, ""),
			}
			if fl.Changed("queries") && q.dir == "" {
				return &usageError{"--queries: the queries' methods are in the query package: give --query DIR or set query: in " + configName}
			}
			var found schema.ErrorList
			folder, err := migrations.ReadFolder(os.DirFS(f.migrations))
			if err != nil {
				found = append(found, folderFindings(f.migrations, err)...)
			} else {
				list, model, pending := checkSchema(cmd.Context(), schemaDir, folder)
				found = append(found, list...)
				if model != nil && q.dir != "" && q.queries != "" {
					found = append(found, checkQueries(cmd.Context(), env, q, model, f.migrations, pending)...)
				}
			}
			// A folder that does not read has no history to compare.
			checkedDB := false
			if folder != nil {
				opts, conn, url, err := f.openIfAny(cmd, env, cfg)
				if err != nil {
					return err
				}
				if conn != nil {
					defer conn.Close(cmd.Context())
					noJIT(cmd.Context(), conn)
					db, err := checkDatabase(cmd.Context(), conn, f.migrations, folder, opts, lintOptions(cfg))
					if err != nil {
						return migrateError(f.migrations, err, url)
					}
					found = append(found, db...)
					checkedDB = true
				}
			}
			if asJSON {
				out := struct {
					Problems []jsonFinding `json:"problems"`
					// DatabaseChecked is false when no database was
					// found, so that CI does not take a drift check
					// that did not happen for one that passed.
					DatabaseChecked bool `json:"databaseChecked"`
				}{Problems: toJSONFindings(found), DatabaseChecked: checkedDB}
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				for _, p := range found {
					where := p.Category
					if p.Pos != (schema.Position{}) {
						where = p.Pos.String()
					}
					fmt.Fprintf(env.stderr, "%s: %s\n", env.paint(bold, where), p.Msg)
				}
			}
			if len(found) > 0 {
				if !asJSON {
					fmt.Fprintf(env.stderr, "%s\n", env.paint(red, fmt.Sprintf("%d %s", len(found), plural(len(found), "problem", "problems"))))
				}
				return errReported
			}
			if !asJSON {
				db := ""
				if !checkedDB {
					db = " No database was found, so none was checked."
				}
				fmt.Fprintf(env.stdout, "OK: %d %s, and the schema has nothing left to generate.%s\n",
					len(folder.Entries), plural(len(folder.Entries), "migration", "migrations"), db)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&schemaDir, "schema", ".", "directory of the schema package")
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the problems as JSON")
	cmd.Flags().BoolVar(&fix, "fix", false, "re-chain migrations generated on two branches: regenerate the later ones against the merged schema")
	cmd.Flags().StringVar(&queryDir, "query", "", "the typed query package's folder, as generate writes it (default: query: in mizzle.yaml)")
	cmd.Flags().StringVar(&queriesDir, "queries", "", "the folder of .sql query files whose generated methods are checked (default: queries: in mizzle.yaml)")
	return cmd
}

// rechain regenerates the migrations that a merge left off the chain.
func rechain(ctx context.Context, env *env, schemaDir, dir string) error {
	fork, err := migrations.FindFork(os.DirFS(dir))
	if errors.Is(err, migrations.ErrNoFork) {
		fmt.Fprintln(env.stdout, "Nothing to fix: every migration follows the one before it.")
		return nil
	}
	if err != nil {
		return folderError(dir, err)
	}
	base, err := fork.Kept.Last()
	if err != nil {
		return folderError(dir, err)
	}
	model, err := loader.Load(ctx, loader.Config{Dir: schemaDir})
	if err != nil {
		return err
	}
	p, err := plan(env, base, model, false, "Nothing was changed.")
	if err != nil {
		return err
	}
	var written []string
	var mig *migrations.Migration
	if !p.Empty() {
		_, name, _ := strings.Cut(fork.Dropped[0].Tag, "_")
		if name == "" {
			name = migrations.Name(p.Changes)
		}
		if mig, err = fork.Kept.Next(name, model, p.Statements, migrationTime()); err != nil {
			return err
		}
		if err := writeMigration(dir, mig); err != nil {
			return err
		}
		for _, f := range mig.Files() {
			written = append(written, f.Path)
		}
	} else {
		// The merged schema is already the last kept snapshot's: only the
		// journal loses the dropped entries.
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(migrate.JournalFile)), fork.Kept.Journal.Marshal()); err != nil {
			return err
		}
	}
	for _, p := range fork.Files {
		if slices.Contains(written, p) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	var tags []string
	for _, e := range fork.Dropped {
		tags = append(tags, e.Tag)
	}
	fmt.Fprintf(env.stdout, "Dropped %s, generated against an older state.\n", strings.Join(tags, ", "))
	if mig != nil {
		fmt.Fprintf(env.stdout, "Wrote %s against the merged schema. If you edited the dropped SQL by hand, carry your edits over.\n",
			filepath.Join(dir, mig.Tag+".sql"))
	} else {
		fmt.Fprintln(env.stdout, "The merged schema needs no new migration.")
	}
	return nil
}

func folderFindings(dir string, err error) schema.ErrorList {
	var list schema.ErrorList
	if !errors.As(err, &list) {
		return schema.ErrorList{finding("folder", schema.Position{Filename: dir}, err.Error())}
	}
	var out schema.ErrorList
	for _, e := range list {
		p := e.Pos
		p.Filename = filepath.Join(dir, p.Filename)
		out = append(out, finding("folder", p, e.Msg))
	}
	return out
}

// checkSchema reports schema changes that generate has not written. It
// returns the model, and the statements not generated yet (renames read
// as drops and adds), when the schema loads and the folder has a last
// snapshot.
func checkSchema(ctx context.Context, dir string, folder *migrations.Folder) (schema.ErrorList, *schema.Model, []migrations.Statement) {
	m, err := loader.Load(ctx, loader.Config{Dir: dir})
	if err != nil {
		var list schema.ErrorList
		if errors.As(err, &list) {
			var out schema.ErrorList
			for _, e := range list {
				out = append(out, finding("schema", e.Pos, e.Msg))
			}
			return out, nil, nil
		}
		return schema.ErrorList{finding("schema", schema.Position{Filename: dir}, err.Error())}, nil, nil
	}
	last, err := folder.Last()
	if err != nil {
		return schema.ErrorList{finding("folder", schema.Position{}, err.Error())}, nil, nil
	}
	p, err := migrations.NewPlan(last, m, migrations.Options{DropAndAdd: true})
	if err != nil {
		return schema.ErrorList{finding("schema", schema.Position{}, err.Error())}, nil, nil
	}
	if p.Empty() {
		return nil, m, nil
	}
	stmts := p.Statements
	msg := fmt.Sprintf("%d %s not generated yet; run go generate (or mizzle generate) and commit the migration. The first: %s",
		len(stmts), plural(len(stmts), "statement", "statements"), firstLine(stmts[0].SQL))
	return schema.ErrorList{finding("schema", schema.Position{Filename: dir}, msg)}, m, stmts
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// checkDatabase compares the database with the folder: its history, then
// its contents against the snapshot of its last applied migration.
func checkDatabase(ctx context.Context, conn *pgx.Conn, dir string, folder *migrations.Folder, opts migrate.Options, lintOpts migrations.LintOptions) (schema.ErrorList, error) {
	d, err := migrate.Open(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	st, err := d.Status(ctx, conn, opts)
	if err != nil {
		return nil, err
	}
	var out schema.ErrorList
	for _, p := range st.Problems {
		pos := p.Pos
		pos.Filename = filepath.Join(dir, pos.Filename)
		out = append(out, finding("history", pos, p.Msg))
	}
	if len(out) > 0 {
		return out, nil // drift against an unknown state would say nothing useful
	}
	// The pending migrations are the ones still to run on this database:
	// lint them for its server version, and report the errors.
	var num int
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.current_setting('server_version_num')::int").Scan(&num); err != nil {
		return nil, err
	}
	lintOpts.Version = num / 10000
	for _, f := range migrations.LintFolder(folder, len(st.Applied), lintOpts) {
		if f.Failing() {
			out = append(out, finding("lint", schema.Position{Filename: filepath.Join(dir, f.File), Line: f.Line, Column: f.Column},
				fmt.Sprintf("%s: %s (fix: %s)", f.Code, f.Message, f.Fix)))
		}
	}
	expected := &schema.Model{}
	last := len(st.Applied) - 1
	if last >= 0 {
		e := folder.Entries[last]
		if e.Snapshot == nil || e.Snapshot.DrizzleKit {
			return append(out, finding("drift", schema.Position{Filename: filepath.Join(dir, e.SnapshotPath())},
				"no mizzle snapshot for the last applied migration, so drift cannot be checked")), nil
		}
		expected = e.Snapshot.Model
	}
	norm, err := introspect.Normalize(ctx, conn, expected)
	if err != nil {
		return nil, err
	}
	actual, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: managedSchemas(nil, expected)})
	if err != nil {
		return nil, err
	}
	// What turns the migrations' state into the database's: the drift, as
	// the SQL someone ran by hand.
	p, err := migrations.NewPlan(norm, actual, migrations.Options{DropAndAdd: true})
	if err != nil {
		return nil, err
	}
	for _, s := range p.Statements {
		out = append(out, finding("drift", schema.Position{}, "the database differs from its migrations: "+s.SQL))
	}
	return out, nil
}
