package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/studio"
)

// defaultStudioPort is fixed, so that a bookmark of a view (its URL's
// query) still works tomorrow; it is drizzle-kit studio's 4983 plus one,
// so that both can run side by side.
const defaultStudioPort = 4984

type studioFlags struct {
	databaseURL, schema, migrations, host string
	port                                  int
	readOnly, open, allowRemote           bool
}

func newStudioCmd(env *env) *cobra.Command {
	var f studioFlags
	cmd := &cobra.Command{
		Use:   "studio [--database-url URL] [--schema DIR] [--port N] [--read-only] [--open]",
		Short: "Browse and edit the database in a local web page",
		Long: `Serve a database studio on this machine: browse tables and views, filter,
sort and page through rows, edit them, follow foreign keys, run SQL, export,
and see the schema, its ER diagram and its drift from the Go schema.

The page and its API come from this process, on 127.0.0.1 and ::1 only,
port 4984 unless --port says otherwise (a fixed port keeps bookmarked views
working; drizzle-kit studio's 4983 is next door); nothing is fetched from
anywhere else, so it works offline. The first line
on stdout is the URL to open: it carries a fresh token that the page
exchanges for a cookie, and every API request needs that cookie. Values
are shown as PostgreSQL writes them: a bigint, a numeric or a timestamp
never passes through a JavaScript number or date.

With --read-only, sessions are opened read-only, editing is hidden, and
console statements run inside BEGIN READ ONLY; a role that may only read is
the real boundary. --host binds another address, which needs
--allow-remote and prints a warning: anyone who can reach it and has the
URL can use the database. Stop with Ctrl-C.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			return runStudio(cmd, env, &f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then DATABASE_URL in .env, then databaseUrl in mizzle.yaml, then the running dev database)")
	fl.StringVar(&f.schema, "schema", "", "directory of the schema package: app-side defaults on insert, and drift (default: schema in mizzle.yaml, if any)")
	fl.StringVar(&f.migrations, "migrations", "migrations", "the migrations folder, for the list of applied and pending migrations")
	fl.IntVar(&f.port, "port", defaultStudioPort, "the port to listen on (0 picks a free one)")
	fl.StringVar(&f.host, "host", "", "an address to listen on other than loopback (needs --allow-remote)")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow --host to name an address other machines can reach")
	fl.BoolVar(&f.readOnly, "read-only", false, "open sessions read-only and hide editing")
	fl.BoolVar(&f.open, "open", false, "open the URL in the default browser")
	addNoCacheFlag(cmd)
	return cmd
}

func runStudio(cmd *cobra.Command, env *env, f *studioFlags, cfg *config) error {
	fl := cmd.Flags()
	if f.port < 0 || f.port > 65535 {
		return &usageError{fmt.Sprintf("--port %d: want 0 to 65535", f.port)}
	}
	if f.host != "" {
		ip := net.ParseIP(f.host)
		if (ip == nil || !ip.IsLoopback()) && f.host != "localhost" && !f.allowRemote {
			return &usageError{fmt.Sprintf("--host %s is not a loopback address: add --allow-remote to serve the studio to other machines", f.host)}
		}
	}
	url, from, err := databaseURL(env, f.databaseURL, cfg)
	if err != nil {
		return err
	}
	conn, err := connConfig(url, from)
	if err != nil {
		return err
	}
	opts := studio.Options{
		Conn:     conn,
		ReadOnly: f.readOnly,
		Redact:   func(s string) string { return redact(s, url) },
	}
	schemaDir := cfg.path(fl.Changed("schema"), f.schema, cfg.Schema, "")
	if schemaDir != "" {
		m, err := loadSchema(cmd, schemaDir)
		if err != nil {
			return err
		}
		opts.Model, opts.SchemaDir = m, schemaDir
	}
	mig := cfg.path(fl.Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
	if fl.Changed("migrations") && !isDir(mig) {
		// Named on purpose, a folder that is not there is a mistake; the
		// default one may be absent (a project without migrations yet).
		return &usageError{fmt.Sprintf("--migrations %s: no such directory", mig)}
	}
	if isDir(mig) {
		opts.Migrations = mig
		// The history table the project's migrate and status read.
		if opts.History, err = historyOptions(cfg.Drizzle, cfg.MigrationsTable); err != nil {
			return &usageError{fmt.Sprintf("migrationsTable %q in mizzle.yaml: want schema.table or table", cfg.MigrationsTable)}
		}
	}
	srv, err := studio.New(cmd.Context(), opts)
	if err != nil {
		return redacted(err, url)
	}
	lns, err := studio.Listen(f.host, f.port)
	if err != nil {
		srv.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("--port %d: %w: another studio may be running; choose another port, or --port 0 for any free one", f.port, err)
		}
		return fmt.Errorf("--port %d: %w", f.port, err)
	}
	u := srv.URL(lns)
	fmt.Fprintln(env.stdout, u)
	if f.host != "" && !isLoopback(f.host) {
		fmt.Fprintf(env.stderr, "warning: the studio listens on %s: anyone who can reach it and has the URL can read and change the database\n", f.host)
	}
	fmt.Fprintf(env.stderr, "mizzle studio on %s; Ctrl-C stops it\n", lns[0].Addr())
	if f.open {
		openBrowser(u, func(err error) {
			fmt.Fprintf(env.stderr, "could not open a browser (%v): open the URL above\n", err)
		})
	}
	return srv.Serve(cmd.Context(), lns)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// openBrowser opens url with the system's opener, and calls failed if
// the opener cannot start or ends in failure: the studio serves on
// either way, and the URL is on stdout.
func openBrowser(url string, failed func(error)) {
	name, args := "xdg-open", []string{url}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		failed(err)
		return
	}
	// The opener hands the URL to a browser and exits; waiting reaps it
	// and hears of its failure (no browser, no display).
	go func() {
		if err := cmd.Wait(); err != nil {
			failed(fmt.Errorf("%s: %w", name, err))
		}
	}()
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
