package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
)

func newDropCmd(env *env) *cobra.Command {
	var f dbFlags
	var yes bool
	cmd := &cobra.Command{
		Use:   "drop [--migrations DIR] [--database-url URL] [--yes]",
		Short: "Remove the last migration, if no database has applied it",
		Long: `Remove the last migration of the folder: its SQL file, its snapshot and its
journal entry, so that the next generate writes it again from the schema.

When there is a database, found as migrate finds it (--database-url,
DATABASE_URL in the environment or in .env, databaseUrl in mizzle.yaml, else
the dev database when it is running), drop first checks it and refuses when
the migration is applied there: write a new migration that undoes it
instead. With no database to be found, drop checks none. drop asks for confirmation on a terminal; elsewhere it
needs --yes.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			f.migrations = cfg.path(cmd.Flags().Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
			folder, err := migrations.ReadFolder(os.DirFS(f.migrations))
			if err != nil {
				return folderError(f.migrations, err)
			}
			if len(folder.Entries) == 0 {
				fmt.Fprintf(env.stdout, "%s has no migration to drop.\n", f.migrations)
				return nil
			}
			last := folder.Entries[len(folder.Entries)-1]
			if err := refuseIfApplied(cmd, env, &f, cfg, last); err != nil {
				return err
			}
			if !yes {
				if !env.interactive {
					return &usageError{fmt.Sprintf("drop removes %s and its snapshot: confirm with --yes", last.Tag)}
				}
				fmt.Fprintf(env.stderr, "Drop %s (its SQL file, snapshot and journal entry)? [y/N] ", last.Tag)
				answer, _ := env.stdin.ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					fmt.Fprintln(env.stderr, "Nothing was dropped.")
					return errReported
				}
			}
			if err := dropLast(f.migrations, folder); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "Dropped %s.\n", last.Tag)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&yes, "yes", false, "drop without asking")
	return cmd
}

// refuseIfApplied fails when there is a database and it has applied the
// migration.
func refuseIfApplied(cmd *cobra.Command, env *env, f *dbFlags, cfg *config, last migrations.Entry) error {
	opts, conn, url, err := f.openIfAny(cmd, env, cfg)
	if err != nil || conn == nil {
		return err
	}
	defer conn.Close(cmd.Context())
	d, err := migrate.Open(os.DirFS(f.migrations))
	var st *migrate.Status
	if err == nil {
		st, err = d.Status(cmd.Context(), conn, opts)
	}
	if err != nil {
		return migrateError(f.migrations, err, url)
	}
	for _, p := range st.Pending {
		if p.Tag == last.Tag {
			return nil
		}
	}
	return fmt.Errorf("%s is applied to the database: dropping it would leave the database ahead of the folder; write a new migration that undoes it instead",
		filepath.Join(f.migrations, last.SQLPath()))
}

// dropLast removes the last migration. The journal is rewritten first: a
// failure after it leaves at worst a file no entry lists, which check and
// migrate name, never an entry without its file.
func dropLast(dir string, folder *migrations.Folder) error {
	last := folder.Entries[len(folder.Entries)-1]
	j := folder.Journal
	j.Entries = j.Entries[:len(j.Entries)-1]
	if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(migrate.JournalFile)), j.Marshal()); err != nil {
		return err
	}
	for _, p := range []string{last.SQLPath(), last.SnapshotPath()} {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
