package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/devdb"
)

func newDevCmd(env *env) *cobra.Command {
	start := func(cmd *cobra.Command, args []string) error {
		d, err := openDev(env)
		if err != nil {
			return err
		}
		d.Events = func(e devdb.Event) { printDevEvent(env, d, e) }
		u, err := d.Start(cmd.Context())
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, u)
		return nil
	}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local PostgreSQL for development in the project",
		Long: `Start the project's development database, creating it on first use, and
print its URL on standard output, so that

    export DATABASE_URL=$(mizzle dev)

points every command at it. It is a PostgreSQL cluster run with the server
programs installed on the machine (initdb and pg_ctl, on PATH or in
/usr/lib/postgresql/*/bin), kept in .mizzle/dev next to mizzle.yaml, or in
the working directory when there is no mizzle.yaml. Its data survives
restarts; its port is chosen once and kept. Run again, it reuses the server
that is already running.

It listens on 127.0.0.1 only and lets in any local user as postgres without
a password: convenient for development, not a place for real secrets on a
shared machine. As root, it runs as the postgres user, which PostgreSQL
requires; its folder then belongs to that user.

When no database is named (--database-url, DATABASE_URL, .env,
databaseUrl in mizzle.yaml), every command that talks to a database
(migrate, status, push, pull, check and drop) uses the dev database if it
is running, and says so on stderr; none of them starts it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return &usageError{msg}
		},
		RunE: start,
	}
	cmd.SuggestionsMinimumDistance = 2
	cmd.AddCommand(
		&cobra.Command{
			Use:   "start",
			Short: "Start the dev database (the same as mizzle dev)",
			Args:  noArgs,
			RunE:  start,
		},
		&cobra.Command{
			Use:   "stop",
			Short: "Stop the dev database, keeping its data",
			Args:  noArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				d, err := openDev(env)
				if err != nil {
					return err
				}
				d.Events = func(e devdb.Event) { printDevEvent(env, d, e) }
				return d.Stop(cmd.Context())
			},
		},
		&cobra.Command{
			Use:   "status",
			Short: "Say whether the dev database is running, and its URL",
			Long: `Print "running URL" or "stopped URL", or say that there is no dev database
yet. Exits 0 only when it is running, so that scripts can ask

    mizzle dev status >/dev/null || mizzle dev

and 1 otherwise: stopped, not answering, not created yet, or a state that
cannot be read.`,
			Args: noArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				d, err := openDev(env)
				if err != nil {
					return err
				}
				st, err := d.Status(cmd.Context())
				if err != nil {
					return err
				}
				line, running := devStatusLine(d, st)
				fmt.Fprintln(env.stdout, line)
				if !running {
					return errReported
				}
				return nil
			},
		},
		&cobra.Command{
			Use:   "url",
			Short: "Print the dev database's URL without starting it",
			Args:  noArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				d, err := openDev(env)
				if err != nil {
					return err
				}
				u, err := d.URL()
				if err != nil {
					return err
				}
				fmt.Fprintln(env.stdout, u)
				return nil
			},
		},
	)
	return cmd
}

// openDev finds the project's dev database: next to the config file, else
// in the working directory. It creates nothing.
func openDev(env *env) (*devdb.DB, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return devFor(env, cfg), nil
}

func devFor(env *env, cfg *config) *devdb.DB {
	root := env.cwd
	if cfg.dir != "" {
		root = cfg.dir
		if !filepath.IsAbs(root) {
			root = filepath.Join(env.cwd, root)
		}
	}
	return devdb.New(root, env.cwd)
}

// printDevEvent says on stderr what mizzle dev does, so that stdout holds
// the URL alone.
func printDevEvent(env *env, d *devdb.DB, e devdb.Event) {
	switch e.Kind {
	case devdb.EventCreating:
		fmt.Fprintf(env.stderr, "Creating the dev database in %s (initdb)...\n", d.Rel(d.Dir))
	case devdb.EventAlreadyRunning:
		fmt.Fprintf(env.stderr, "The dev database is already running on port %d.\n", e.Port)
	case devdb.EventStarted:
		fmt.Fprintf(env.stderr, "Started the dev database on port %d (stop it with: mizzle dev stop).\n", e.Port)
	case devdb.EventStopped:
		fmt.Fprintln(env.stderr, "Stopped the dev database.")
	}
}

// devStatusLine is what mizzle dev status prints for st, and whether that
// is success: only a running server is.
func devStatusLine(d *devdb.DB, st devdb.Status) (line string, running bool) {
	switch {
	case st.State == devdb.None:
		return fmt.Sprintf("none (mizzle dev creates one in %s)", d.Rel(d.Dir)), false
	case st.Port == 0:
		return "stopped (no port chosen yet: mizzle dev chooses one)", false
	case st.State == devdb.Running:
		return "running " + devdb.URL(st.Port, devdb.Database), true
	case st.State == devdb.NotReady:
		return "not answering " + devdb.URL(st.Port, devdb.Database), false
	default:
		return "stopped " + devdb.URL(st.Port, devdb.Database), false
	}
}

// runningDevURL returns the URL of the project's dev database when its
// server is running, and "" otherwise (including when it cannot tell):
// the last resort of lookupDatabase, which never starts a server.
func runningDevURL(env *env, cfg *config) string {
	return devFor(env, cfg).RunningURL(context.Background())
}
