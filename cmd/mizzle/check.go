package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// finding is one thing check reports.
type finding struct {
	Kind    string `json:"kind"` // "folder", "schema", "history" or "drift"
	File    string `json:"file,omitempty"`
	Message string `json:"message"`
}

func newCheckCmd(env *env) *cobra.Command {
	var schemaDir string
	var f dbFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [--schema DIR] [--migrations DIR] [--database-url URL] [--json]",
		Short: "Check that the migrations, the schema and the database agree",
		Long: `Check, changing nothing, that:

  - the journal, the SQL files and the snapshots of the migrations folder
    agree (no missing or unlisted file, an unbroken prevId chain, no two
    migrations generated on the same parent, as two merged branches leave);
  - the schema package has no change that generate has not written yet, so
    CI catches a forgotten go generate;
  - with --database-url (or DATABASE_URL): the database's history matches
    the folder, and the database holds exactly what its applied migrations
    describe (drift), each difference printed as the SQL that would make it.

Exits 1 with one line per problem; --json prints them for CI.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			schemaDir = cfg.path(fl.Changed("schema"), schemaDir, cfg.Schema, ".")
			f.migrations = cfg.path(fl.Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
			var found []finding
			folder, err := migrations.ReadFolder(os.DirFS(f.migrations))
			if err != nil {
				found = append(found, folderFindings(f.migrations, err)...)
			} else {
				found = append(found, checkSchema(cmd.Context(), schemaDir, folder)...)
			}
			wantDB := f.databaseURL != "" || os.Getenv("DATABASE_URL") != ""
			if wantDB && folder != nil {
				opts, conn, url, err := f.open(cmd, env, cfg)
				if err != nil {
					return err
				}
				defer conn.Close(cmd.Context())
				db, err := checkDatabase(cmd.Context(), conn, f.migrations, folder, opts)
				if err != nil {
					return migrateError(f.migrations, err, url)
				}
				found = append(found, db...)
			}
			if asJSON {
				out := struct {
					Problems []finding `json:"problems"`
				}{Problems: append([]finding{}, found...)}
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				for _, p := range found {
					where := p.File
					if where == "" {
						where = p.Kind
					}
					fmt.Fprintf(env.stderr, "%s: %s\n", env.paint(bold, where), p.Message)
				}
			}
			if len(found) > 0 {
				if !asJSON {
					fmt.Fprintf(env.stderr, "%s\n", env.paint(red, fmt.Sprintf("%d %s", len(found), plural(len(found), "problem", "problems"))))
				}
				return errReported
			}
			if !asJSON {
				fmt.Fprintf(env.stdout, "OK: %d %s, and the schema has nothing left to generate.\n",
					len(folder.Entries), plural(len(folder.Entries), "migration", "migrations"))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&schemaDir, "schema", ".", "directory of the schema package")
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the problems as JSON")
	return cmd
}

func folderFindings(dir string, err error) []finding {
	var list schema.ErrorList
	if !errors.As(err, &list) {
		return []finding{{Kind: "folder", File: dir, Message: err.Error()}}
	}
	var out []finding
	for _, e := range list {
		p := e.Pos
		p.Filename = filepath.Join(dir, p.Filename)
		out = append(out, finding{Kind: "folder", File: p.String(), Message: e.Msg})
	}
	return out
}

// checkSchema reports schema changes that generate has not written.
func checkSchema(ctx context.Context, dir string, folder *migrations.Folder) []finding {
	m, err := loader.Load(ctx, loader.Config{Dir: dir})
	if err != nil {
		var list schema.ErrorList
		if errors.As(err, &list) {
			var out []finding
			for _, e := range list {
				out = append(out, finding{Kind: "schema", File: e.Pos.String(), Message: e.Msg})
			}
			return out
		}
		return []finding{{Kind: "schema", File: dir, Message: err.Error()}}
	}
	last, err := folder.Last()
	if err != nil {
		return []finding{{Kind: "folder", Message: err.Error()}}
	}
	changes, err := migrations.Diff(last, m, migrations.Options{DropAndAdd: true})
	if err != nil {
		return []finding{{Kind: "schema", Message: err.Error()}}
	}
	if len(changes) == 0 {
		return nil
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		return []finding{{Kind: "schema", Message: err.Error()}}
	}
	msg := fmt.Sprintf("%d %s not generated yet; run go generate (or mizzle generate) and commit the migration. The first: %s",
		len(stmts), plural(len(stmts), "statement", "statements"), firstLine(stmts[0].SQL))
	return []finding{{Kind: "schema", File: dir, Message: msg}}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// checkDatabase compares the database with the folder: its history, then
// its contents against the snapshot of its last applied migration.
func checkDatabase(ctx context.Context, conn *pgx.Conn, dir string, folder *migrations.Folder, opts migrations.MigrateOptions) ([]finding, error) {
	st, err := migrations.MigrationStatus(ctx, conn, os.DirFS(dir), opts)
	if err != nil {
		return nil, err
	}
	var out []finding
	for _, p := range st.Problems {
		out = append(out, finding{Kind: "history", File: filepath.Join(dir, p.File), Message: p.Msg})
	}
	if len(out) > 0 {
		return out, nil // drift against an unknown state would say nothing useful
	}
	expected := &schema.Model{}
	last := len(st.Applied) - 1
	if last >= 0 {
		e := folder.Entries[last]
		if e.Snapshot == nil || e.Snapshot.DrizzleKit {
			return append(out, finding{Kind: "drift", File: filepath.Join(dir, e.SnapshotPath()),
				Message: "no mizzle snapshot for the last applied migration, so drift cannot be checked"}), nil
		}
		expected = e.Snapshot.Model
	}
	norm, err := introspect.Normalize(ctx, conn, expected, createStatements)
	if err != nil {
		return nil, err
	}
	schemas := []string{schema.DefaultSchema}
	for _, s := range expected.Schemas {
		schemas = append(schemas, s.Name)
	}
	actual, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: schemas})
	if err != nil {
		return nil, err
	}
	// What turns the migrations' state into the database's: the drift, as
	// the SQL someone ran by hand.
	changes, err := migrations.Diff(norm, actual, migrations.Options{DropAndAdd: true})
	if err != nil {
		return nil, err
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		return nil, err
	}
	for _, s := range stmts {
		out = append(out, finding{Kind: "drift", Message: "the database differs from its migrations: " + s.SQL})
	}
	return out, nil
}

func createStatements(m *schema.Model) ([]string, error) {
	stmts, err := migrations.SQL(migrations.Create(m))
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out, err
}
