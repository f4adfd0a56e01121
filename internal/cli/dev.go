package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// The development database lives in the project, in devFolder next to
// mizzle.yaml (or in the working directory when there is none):
//
//	.mizzle/.gitignore   "*": git ignores the folder without being told
//	.mizzle/dev/data/    the PostgreSQL data directory (initdb's)
//	.mizzle/dev/port     the port, chosen once so the URL never changes
//	.mizzle/dev/lock     serializes mizzle dev and mizzle dev stop
//	.mizzle/dev/postgres.log
const (
	devFolder   = ".mizzle"
	devDatabase = "dev"
)

// findDevBinaries is pgcluster.FindBinaries; a variable so that tests can
// take the server programs away.
var findDevBinaries = pgcluster.FindBinaries

func newDevCmd(env *env) *cobra.Command {
	start := func(cmd *cobra.Command, args []string) error {
		d, err := openDev(env)
		if err != nil {
			return err
		}
		u, err := d.start(cmd.Context())
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
				return d.stop(cmd.Context())
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
				return d.status(cmd.Context())
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
				if !d.exists() {
					return d.noneError()
				}
				port, err := d.port()
				if err != nil {
					return err
				}
				if port == 0 {
					return errors.New("the dev database has no port yet: mizzle dev chooses one")
				}
				fmt.Fprintln(env.stdout, devURL(port, devDatabase))
				return nil
			},
		},
	)
	return cmd
}

// devCluster is the project's development cluster, whether or not it
// exists yet.
type devCluster struct {
	env  *env
	dir  string // <project>/.mizzle/dev, absolute
	data string // dir/data
}

// openDev finds the project's dev folder: next to the config file, else in
// the working directory. It creates nothing.
func openDev(env *env) (*devCluster, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return devFor(env, cfg), nil
}

func devFor(env *env, cfg *config) *devCluster {
	root := env.cwd
	if cfg.dir != "" {
		root = cfg.dir
		if !filepath.IsAbs(root) {
			root = filepath.Join(env.cwd, root)
		}
	}
	dir := filepath.Join(root, devFolder, "dev")
	return &devCluster{env: env, dir: dir, data: filepath.Join(dir, "data")}
}

// rel names a path in messages: relative to the working directory when it
// is below it.
func (d *devCluster) rel(path string) string {
	if r, err := filepath.Rel(d.env.cwd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func (d *devCluster) noneError() error {
	return fmt.Errorf("there is no dev database in %s: mizzle dev creates one", d.rel(d.dir))
}

// exists reports whether initdb has completed: it writes PG_VERSION, and an
// interrupted one leaves data.new, never data. A data directory we may not
// look into (another user's) exists too; cluster explains.
func (d *devCluster) exists() bool {
	_, err := os.Stat(filepath.Join(d.data, "PG_VERSION"))
	return err == nil || errors.Is(err, fs.ErrPermission)
}

func (d *devCluster) portFile() string { return filepath.Join(d.dir, "port") }

// port returns the port chosen when the cluster was created, or 0 when
// the file is gone: deleting it is how a developer has mizzle dev choose a
// new one.
func (d *devCluster) port() (int, error) {
	b, err := os.ReadFile(d.portFile())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || port <= 0 || port > 65535 {
		return 0, fmt.Errorf("%s: want a port number, got %q; delete the file to have mizzle dev choose a new port",
			d.rel(d.portFile()), strings.TrimSpace(string(b)))
	}
	return port, nil
}

// devURL is the URL of a database of a dev cluster. sslmode=disable is
// spelled out so that any client, not only mizzle, skips TLS on loopback.
func devURL(port int, db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// devState is what became of a dev cluster.
type devState int

const (
	devNone     devState = iota // never created
	devStopped                  // created, no server
	devRunning                  // its server answers
	devNotReady                 // postmaster.pid names a live process, but nothing answers for the folder
)

// state finds out whether the cluster's server runs, by connecting: a
// postmaster.pid alone may be left over from a crash. It returns the port
// the server listens on, or the one it will.
func (d *devCluster) state(ctx context.Context, pg *pgcluster.Cluster) (devState, int, pgcluster.PIDFile, error) {
	if !d.exists() {
		return devNone, 0, pgcluster.PIDFile{}, nil
	}
	port, err := d.port()
	if err != nil {
		return 0, 0, pgcluster.PIDFile{}, err
	}
	pf, err := pg.ReadPIDFile()
	if errors.Is(err, fs.ErrNotExist) {
		return devStopped, port, pf, nil
	}
	if err != nil {
		return 0, 0, pf, err
	}
	if pf.Port != 0 {
		// Started by hand on another port, perhaps: the truth is where it
		// listens.
		port = pf.Port
	}
	if port != 0 && d.answers(ctx, port) {
		return devRunning, port, pf, nil
	}
	if !pg.ProcessAlive(pf.PID) {
		// Left by a crash; postgres removes it when it starts.
		return devStopped, port, pf, nil
	}
	return devNotReady, port, pf, nil
}

// answers reports whether the server on port is this folder's: another
// project's cluster could have been given the same port while this one was
// stopped.
func (d *devCluster) answers(ctx context.Context, port int) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, devURL(port, "postgres"))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dataDir); err != nil {
		return false
	}
	a, err1 := os.Stat(dataDir)
	b, err2 := os.Stat(d.data)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// cluster returns the pgcluster view of the folder. As root it runs the
// server as the owner of an existing data directory, whoever created it,
// and otherwise as pgcluster.RunAs says; not as root, the data directory
// must be the caller's.
func (d *devCluster) cluster(needBinaries bool) (*pgcluster.Cluster, error) {
	pg := &pgcluster.Cluster{
		DataDir: d.data,
		LogFile: filepath.Join(d.dir, "postgres.log"),
		WorkDir: d.dir,
	}
	fi, err := os.Stat(d.data)
	switch {
	case err == nil:
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil, fmt.Errorf("%s: cannot tell its owner", d.rel(d.data))
		}
		switch euid := os.Geteuid(); {
		case euid == 0 && st.Uid == 0:
			return nil, fmt.Errorf("%s belongs to root, which PostgreSQL refuses to run as: delete %s to create a new dev database",
				d.rel(d.data), d.rel(d.dir))
		case euid == 0:
			pg.Cred = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
		case euid != 0 && int(st.Uid) != euid:
			owner := pgcluster.UserName(&syscall.Credential{Uid: st.Uid})
			return nil, fmt.Errorf("the dev database in %s belongs to user %s (it was created as root or by that user): "+
				"run mizzle dev as root or as %s, or delete %s (as root) to create a new one",
				d.rel(d.dir), owner, owner, d.rel(d.dir))
		}
	case errors.Is(err, fs.ErrNotExist):
		cred, err := pgcluster.RunAs()
		if errors.Is(err, pgcluster.ErrNoUser) {
			return nil, fmt.Errorf("%v; create a postgres user, or run mizzle dev as another user", err)
		}
		if err != nil {
			return nil, err
		}
		pg.Cred = cred
	default:
		return nil, err
	}
	if !needBinaries {
		return pg, nil
	}
	var major string
	if b, err := os.ReadFile(filepath.Join(d.data, "PG_VERSION")); err == nil {
		major = strings.TrimSpace(string(b))
	}
	pg.Bin, err = findDevBinaries(major)
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		return nil, errors.New("no PostgreSQL server programs to run the dev database with: " + pgcluster.InstallHelp)
	}
	if err != nil {
		return nil, err
	}
	if major != "" {
		v, err := pg.Bin.Version()
		if err != nil {
			return nil, err
		}
		if v != major {
			return nil, fmt.Errorf("the dev database in %s was created by PostgreSQL %s, and the server programs found are PostgreSQL %s (%s): "+
				"install PostgreSQL %s as well, or delete %s to start over with an empty one",
				d.rel(d.dir), major, v, filepath.Dir(pg.Bin.PgCtl), major, d.rel(d.dir))
		}
	}
	return pg, nil
}

// lock serializes mizzle dev and mizzle dev stop on the folder, so that two
// at once do not both run initdb or start the server. The lock goes with
// the process.
func (d *devCluster) lock(cred *syscall.Credential) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(d.dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := own(f.Name(), cred); err != nil {
		f.Close()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %v", d.rel(f.Name()), err)
	}
	return func() { f.Close() }, nil
}

// start starts the cluster, creating it first if need be, and returns the
// URL of its database.
func (d *devCluster) start(ctx context.Context) (string, error) {
	pg, err := d.cluster(true)
	if err != nil {
		return "", err
	}
	if err := d.makeFolder(pg.Cred); err != nil {
		return "", err
	}
	unlock, err := d.lock(pg.Cred)
	if err != nil {
		return "", err
	}
	defer unlock()

	st, port, pf, err := d.state(ctx, pg)
	if err != nil {
		return "", err
	}
	if st == devNotReady {
		if st, port, err = d.waitReady(ctx, pg, pf); err != nil {
			return "", err
		}
	}
	switch st {
	case devRunning:
		fmt.Fprintf(d.env.stderr, "The dev database is already running on port %d.\n", port)
	case devNone:
		if err := d.create(pg); err != nil {
			return "", err
		}
		if port, err = d.port(); err != nil {
			return "", err
		}
		fallthrough
	case devStopped:
		if port == 0 {
			// The port file was deleted to choose a new port.
			if port, err = d.choosePort(pg.Cred); err != nil {
				return "", err
			}
		}
		if !pgcluster.PortFree(port) {
			return "", fmt.Errorf("port %d, where the dev database in %s listens, is taken by another program: "+
				"stop that program, or delete %s to have mizzle dev choose a new port (the data is kept)",
				port, d.rel(d.dir), d.rel(d.portFile()))
		}
		if err := pg.Start(port); err != nil {
			return "", err
		}
		fmt.Fprintf(d.env.stderr, "Started the dev database on port %d (stop it with: mizzle dev stop).\n", port)
	}
	if err := d.ensureDatabase(ctx, port); err != nil {
		return "", err
	}
	return devURL(port, devDatabase), nil
}

// waitReady waits for a server that is starting up (or recovering after a
// crash) or shutting down, and otherwise explains the postmaster.pid that
// names a live process that is not this folder's server.
func (d *devCluster) waitReady(ctx context.Context, pg *pgcluster.Cluster, pf pgcluster.PIDFile) (devState, int, error) {
	wait := 3 * time.Second
	if pf.Status == "starting" || pf.Status == "stopping" {
		wait = time.Minute
	}
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		st, port, pf2, err := d.state(ctx, pg)
		if err != nil || st != devNotReady || pf2.PID != pf.PID {
			return st, port, err
		}
	}
	pidFile := filepath.Join(d.data, "postmaster.pid")
	return 0, 0, fmt.Errorf("%s names process %d, which is running, but no server answers for %s: "+
		"if that process is not PostgreSQL (the file is left over from a crash), delete %s and run mizzle dev again",
		d.rel(pidFile), pf.PID, d.rel(d.dir), d.rel(pidFile))
}

// makeFolder creates .mizzle/dev, owned by the user the server runs as so
// that initdb can create the data directory in it and the server can write
// its log there. .mizzle gets a .gitignore of its own, as caches do, so the
// folder stays out of commits even in a project that was never told about
// it.
func (d *devCluster) makeFolder(cred *syscall.Credential) error {
	top := filepath.Dir(d.dir)
	if err := os.MkdirAll(top, 0o755); err != nil {
		return err
	}
	ignore := filepath.Join(top, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# Created by mizzle: local state, never committed.\n*\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.Mkdir(d.dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return own(d.dir, cred)
}

// own gives path to the user the server runs as, if that is not us, so that
// the folder belongs to one user who can remove it whole.
func own(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return os.Chown(path, int(cred.Uid), int(cred.Gid))
}

// create runs initdb into data.new and renames it to data, so that an
// interrupted initdb never leaves a data directory that looks complete;
// then it chooses the port, unless one is recorded already: a folder whose
// data was deleted to start over keeps its URL.
func (d *devCluster) create(pg *pgcluster.Cluster) error {
	if pg.Cred != nil {
		// The server's user must reach the folder through every directory
		// above it; a project under root's home usually is out of its reach,
		// and initdb's own message would not say so.
		probe := pg.Command("/bin/sh", "-c", `test -w "$1"`, "sh", d.dir)
		probe.Dir = "/"
		if probe.Run() != nil {
			name := pgcluster.UserName(pg.Cred)
			return fmt.Errorf("the dev database runs as user %s (PostgreSQL refuses to run as root), which cannot reach %s: "+
				"let it through the directories above (chmod o+x on each), or run mizzle dev as another user than root",
				name, d.rel(d.dir))
		}
	}
	fmt.Fprintf(d.env.stderr, "Creating the dev database in %s (initdb)...\n", d.rel(d.dir))
	tmp := d.data + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	init := *pg
	init.DataDir = tmp
	if err := init.Init(pgcluster.InitOptions{}); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, d.data); err != nil {
		return err
	}
	if port, err := d.port(); err == nil && port != 0 {
		return nil
	}
	_, err := d.choosePort(pg.Cred)
	return err
}

// choosePort picks a free port and records it for every later start.
func (d *devCluster) choosePort(cred *syscall.Credential) (int, error) {
	port, err := pgcluster.FreePort()
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(d.portFile(), []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return 0, err
	}
	if err := own(d.portFile(), cred); err != nil {
		return 0, err
	}
	return port, nil
}

// ensureDatabase creates the dev database if it is missing: on first start,
// or after someone dropped it.
func (d *devCluster) ensureDatabase(ctx context.Context, port int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, devURL(port, "postgres"))
	if err != nil {
		return fmt.Errorf("connecting to the dev database: %v", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", devDatabase).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{devDatabase}.Sanitize()); err != nil {
			return fmt.Errorf("creating database %s: %v", devDatabase, err)
		}
	}
	return nil
}

// stop stops the server with a clean shutdown: the data is the developer's.
func (d *devCluster) stop(ctx context.Context) error {
	if !d.exists() {
		return d.noneError()
	}
	pg, err := d.cluster(true)
	if err != nil {
		return err
	}
	unlock, err := d.lock(pg.Cred)
	if err != nil {
		return err
	}
	defer unlock()
	st, _, pf, err := d.state(ctx, pg)
	if err != nil {
		return err
	}
	if st == devNotReady {
		// Never signal a process that may not be ours.
		if st, _, err = d.waitReady(ctx, pg, pf); err != nil {
			return err
		}
	}
	if st != devRunning {
		return fmt.Errorf("the dev database in %s is not running", d.rel(d.dir))
	}
	if err := pg.Stop(pgcluster.Fast); err != nil {
		return err
	}
	fmt.Fprintln(d.env.stderr, "Stopped the dev database.")
	return nil
}

func (d *devCluster) status(ctx context.Context) error {
	if !d.exists() {
		fmt.Fprintf(d.env.stdout, "none (mizzle dev creates one in %s)\n", d.rel(d.dir))
		return errReported
	}
	pg, err := d.cluster(false)
	if err != nil {
		return err
	}
	st, port, _, err := d.state(ctx, pg)
	if err != nil {
		return err
	}
	if port == 0 {
		fmt.Fprintln(d.env.stdout, "stopped (no port chosen yet: mizzle dev chooses one)")
		return errReported
	}
	switch st {
	case devRunning:
		fmt.Fprintf(d.env.stdout, "running %s\n", devURL(port, devDatabase))
		return nil
	case devStopped:
		fmt.Fprintf(d.env.stdout, "stopped %s\n", devURL(port, devDatabase))
	case devNotReady:
		fmt.Fprintf(d.env.stdout, "not answering %s\n", devURL(port, devDatabase))
	}
	return errReported
}

// runningDevURL returns the URL of the project's dev database when its
// server is running, and "" otherwise (including when it cannot tell):
// the last resort of databaseURL, which never starts a server.
func runningDevURL(env *env, cfg *config) string {
	d := devFor(env, cfg)
	if !d.exists() {
		return ""
	}
	pg, err := d.cluster(false)
	if err != nil {
		return ""
	}
	st, port, _, err := d.state(context.Background(), pg)
	if err != nil || st != devRunning {
		return ""
	}
	return devURL(port, devDatabase)
}
