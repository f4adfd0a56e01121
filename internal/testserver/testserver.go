// Package testserver is the PostgreSQL server that test databases are
// made on: an existing server named by the MIZZLE_TEST_DATABASE_URL
// environment variable, or a throwaway cluster that it initdb's into a
// temporary directory and starts.
//
// It owns the server and its lifetime, and the administrative statements
// run on it (creating and dropping databases) through one connection. A
// throwaway cluster lives as long as the process that started it: Close
// stops it and removes its directory, and a watcher process does the same
// when the process ends without calling Close (a panicking test, a go test
// -timeout, a test binary of an application, which has no TestMain to call
// Close from).
//
// It is shared by internal/pgtest, the server of mizzle's own tests, and
// mizzletest, the one of applications' tests. It does not know about
// package testing, test names or which databases a test wants: its callers
// decide those. Running the server programs is internal/pgcluster's. Like
// pgcluster it is Unix-only.
package testserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/quote"
)

// EnvURL names the environment variable that points the tests at an
// existing server instead of a throwaway cluster.
const EnvURL = "MIZZLE_TEST_DATABASE_URL"

// InstallHelp is appended to the error reported when there is no server to
// use, so that the failure says how to fix it rather than just what broke.
const InstallHelp = pgcluster.InstallHelp +
	", or set " + EnvURL + " to the postgres:// URL of a server where the user may create databases"

// Server is where test databases are created: an external server or a
// throwaway cluster. Its methods are safe for concurrent use.
type Server struct {
	admin   *url.URL // connects to a database of the server as a user that may create databases
	cluster *Cluster // nil for an external server

	mu   sync.Mutex // serializes use of conn, which pgx does not allow concurrently
	conn *pgx.Conn  // opened on first use, reopened if it breaks
	// another: the Server is one that Another returned, whose Close
	// leaves the cluster running.
	another bool
}

// Another returns the same server with an administrative connection of
// its own, so that its statements run beside s's instead of after them
// (one drops databases while the other creates). Its Close closes only
// that connection.
func (s *Server) Another() *Server {
	return &Server{admin: s.admin, cluster: s.cluster, another: true}
}

// Open returns the server named by MIZZLE_TEST_DATABASE_URL, checked but
// not connected to, or starts a throwaway cluster. Settings ("name=value")
// are added to a throwaway cluster's; they do not apply to an external
// server.
func Open(settings ...string) (*Server, error) {
	if raw := os.Getenv(EnvURL); raw != "" {
		return external(raw)
	}
	return OpenCluster(settings...)
}

// OpenCluster starts a throwaway cluster whatever MIZZLE_TEST_DATABASE_URL
// says, with settings added to its own: for tests that need what only a
// server on this machine gives (a standby made from its files).
func OpenCluster(settings ...string) (*Server, error) {
	c, err := StartCluster(settings...)
	if err != nil {
		return nil, err
	}
	return &Server{admin: c.url("postgres"), cluster: c}, nil
}

// external checks the URL given in the environment up front, so that a typo
// fails with a message about the variable rather than inside some test.
func external(raw string) (*Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included, and an
		// EscapeError quotes a piece of it; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if _, ok := err.(url.EscapeError); ok {
			err = errors.New("invalid %-escape")
		}
		return nil, fmt.Errorf("%s is not a valid URL: %v", EnvURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		// Not echoed: without a recognized shape there is no telling where a
		// password would be (e.g. a "host=... password=..." string).
		return nil, fmt.Errorf("%s must be a postgres:// or postgresql:// URL", EnvURL)
	}
	// pgx redacts passwords from its parse errors reliably for a URL that
	// net/url accepted.
	if _, err := pgx.ParseConfig(raw); err != nil {
		return nil, fmt.Errorf("%s: %v", EnvURL, err)
	}
	return &Server{admin: u}, nil
}

// External reports whether the server is one named by
// MIZZLE_TEST_DATABASE_URL rather than a throwaway cluster: what is left
// on it outlives the process.
func (s *Server) External() bool { return s.cluster == nil }

// Exec runs an administrative statement (CREATE DATABASE, DROP DATABASE)
// on the server's one administrative connection.
func (s *Server) Exec(ctx context.Context, sql string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		return err
	}
	_, err := s.conn.Exec(ctx, sql, args...)
	return err
}

// QueryRow runs a query on the administrative connection and scans its
// one row into dest.
func (s *Server) QueryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		return err
	}
	return s.conn.QueryRow(ctx, sql, args...).Scan(dest...)
}

func (s *Server) connect(ctx context.Context) error {
	if s.conn != nil && !s.conn.IsClosed() {
		return nil
	}
	conn, err := pgx.Connect(ctx, s.admin.String())
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", Redact(s.admin), err)
	}
	s.conn = conn
	return nil
}

// CreateDatabase creates the database name as a copy of template
// (template0 when empty: guaranteed empty, whatever has been installed
// into template1 on a shared server). strategy, when not empty, is
// CREATE DATABASE's STRATEGY (PostgreSQL 15 and later).
func (s *Server) CreateDatabase(ctx context.Context, name, template, strategy string) error {
	if template == "" {
		template = "template0"
	}
	sql := "CREATE DATABASE " + quote.Ident(name) + " TEMPLATE " + quote.Ident(template)
	if strategy != "" {
		sql += " STRATEGY " + quote.Ident(strategy)
	}
	if err := s.Exec(ctx, sql); err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops the database name, disconnecting its clients:
// a test that forgot to close a connection should not leave its database
// behind on a shared server.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	if err := s.Exec(ctx, "DROP DATABASE IF EXISTS "+quote.Ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping database %s: %w", name, err)
	}
	return nil
}

// URL returns the administrative URL with the database replaced by name,
// so that every other setting (host, user, password, TLS, ...) carries
// over.
func (s *Server) URL(name string) string {
	u := *s.admin
	u.Path = "/" + name
	u.RawPath = ""
	// A dbname query parameter would override the path.
	if q := u.Query(); q.Has("dbname") {
		q.Del("dbname")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// DataDir returns the data directory of a throwaway cluster, "" for an
// external server: for measurements that read the server's processes.
func (s *Server) DataDir() string {
	if s.cluster == nil {
		return ""
	}
	return s.cluster.pg.DataDir
}

// AdminURL returns the URL of the administrative database, for a
// connection of the caller's own (one that holds a lock, say).
func (s *Server) AdminURL() string { return s.admin.String() }

// String names the server for messages, without its password.
func (s *Server) String() string { return Redact(s.admin) }

// Close closes the administrative connection and stops a throwaway
// cluster, removing its directory (unless s came from Another).
func (s *Server) Close() error {
	s.mu.Lock()
	if s.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.conn.Close(ctx)
		cancel()
		s.conn = nil
	}
	s.mu.Unlock()
	if s.cluster != nil && !s.another {
		return s.cluster.Close()
	}
	return nil
}

// Redact renders u for messages without its password, which
// url.URL.Redacted would leave in the query.
func Redact(u *url.URL) string {
	r := *u
	if q := r.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		r.RawQuery = q.Encode()
	}
	return r.Redacted()
}

// Cluster is a throwaway PostgreSQL cluster in a temporary directory,
// with durability turned off.
type Cluster struct {
	pg   *pgcluster.Cluster
	dir  string // temporary directory holding everything: the data directory and the log; removed at Close
	port int
	// settings are server settings added to (and overriding) start's.
	settings []string

	// reaper is a shell that stops the cluster and removes dir if this process
	// dies without going through Close: a panicking test or a go test -timeout
	// exits without returning to a TestMain, and would otherwise leave a postgres
	// running. It waits for a line on reaperIn, which only Close writes; any
	// other end of the process closes the pipe instead.
	reaper   *exec.Cmd
	reaperIn io.WriteCloser
}

// reaperScript is run as sh -c reaperScript sh PG_CTL DATADIR DIR.
const reaperScript = `read -r line && exit 0
"$1" stop -D "$2" -m immediate -w -s
rm -rf "$3"`

// findBinaries is pgcluster.FindBinaries, a variable so that a test takes
// the server programs away.
var findBinaries = pgcluster.FindBinaries

// StartCluster initdb's a cluster into a new temporary directory and
// starts it on a free loopback port, with settings ("name=value") added to
// the throwaway settings. The error of a machine without the server
// programs ends with InstallHelp.
func StartCluster(settings ...string) (*Cluster, error) {
	bin, err := findBinaries("")
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		return nil, errors.New("no PostgreSQL server to test against: " + InstallHelp)
	}
	if err != nil {
		return nil, err
	}
	cred, err := pgcluster.RunAs()
	if errors.Is(err, pgcluster.ErrNoUser) {
		return nil, fmt.Errorf("%v; create one, run the tests as another user, or set %s", err, EnvURL)
	}
	if err != nil {
		return nil, err
	}

	// The parent is traversable by everyone, which matters when the cluster
	// runs as another user.
	dir, err := os.MkdirTemp(pgcluster.TempParent(), "mizzle-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		pg: &pgcluster.Cluster{
			Bin:     bin,
			DataDir: filepath.Join(dir, "data"),
			LogFile: filepath.Join(dir, "postgres.log"),
			WorkDir: dir,
			Cred:    cred,
		},
		dir:      dir,
		settings: settings,
	}
	if cred != nil {
		// MkdirTemp made dir 0700; hand it over so that initdb can create the
		// data directory (0700, owned by the cluster user) and the log in it.
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.startReaper(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}

	// --no-sync because the cluster is thrown away and fsync is the slow part
	// of initdb. Trust auth is safe because the server listens on 127.0.0.1
	// only and lives as long as the process.
	err = c.pg.Init(pgcluster.InitOptions{NoSync: true})
	// Retry because the port is only known to be free until FreePort closes
	// its listener; something else may take it before postgres binds it.
	for attempt := 1; err == nil; attempt++ {
		if err = c.start(0); err == nil || attempt == 3 {
			break
		}
	}
	if err != nil {
		if stopErr := c.Close(); stopErr != nil {
			err = fmt.Errorf("%w\n(cleaning up: %v)", err, stopErr)
		}
		return nil, err
	}
	return c, nil
}

// start starts the server on port, or on a free port when port is 0.
func (c *Cluster) start(port int) error {
	var err error
	if port == 0 {
		if port, err = pgcluster.FreePort(); err != nil {
			return err
		}
	}
	err = c.pg.Start(port, append(Settings(), c.settings...)...)
	if err != nil {
		return err
	}
	c.port = port
	return nil
}

// Settings returns the server settings of a throwaway cluster, for a
// server made from its files (a standby, which must allow as many
// connections as its primary). Durability is pointless there.
func Settings() []string {
	return []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"}
}

// URL returns the URL of the cluster's database name as the superuser.
func (c *Cluster) URL(name string) string { return c.url(name).String() }

func (c *Cluster) url(name string) *url.URL {
	return &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path: "/" + name, RawQuery: "sslmode=disable"}
}

// Stop stops the server, leaving the cluster to Start again: for tests
// that stop the server under a client.
func (c *Cluster) Stop(mode pgcluster.StopMode) error { return c.pg.Stop(mode) }

// Start starts the stopped server again, on the same port.
func (c *Cluster) Start() error { return c.start(c.port) }

// Close stops the cluster, if it runs, removes its directory and dismisses
// the watcher process.
func (c *Cluster) Close() error {
	var errs []error
	if _, err := os.Stat(filepath.Join(c.pg.DataDir, "postmaster.pid")); err == nil {
		if err := c.pg.Stop(pgcluster.Immediate); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(c.dir); err != nil {
			errs = append(errs, err)
		}
		// Only now tell the reaper it is not needed; if anything above failed
		// it gets a second try when the pipe closes.
		io.WriteString(c.reaperIn, "done\n")
	}
	c.reaperIn.Close()
	c.reaper.Wait()
	return errors.Join(errs...)
}

func (c *Cluster) startReaper() error {
	cmd := c.pg.Command("/bin/sh", "-c", reaperScript, "sh", c.pg.Bin.PgCtl, c.pg.DataDir, c.dir)
	// Its own process group, so that the ^C which kills the test binary does
	// not also kill the reaper before it has cleaned up.
	cmd.SysProcAttr.Setpgid = true
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	// Stdout and Stderr stay nil (/dev/null): a pipe to this process would
	// be broken by the time the reaper has anything to say, and go test
	// would wait for its end before reporting.
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the cleanup process: %v", err)
	}
	c.reaper, c.reaperIn = cmd, in
	return nil
}
