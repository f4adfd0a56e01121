// Package pgtest gives tests a throwaway PostgreSQL database.
//
// It owns the server the tests of a package talk to and its lifetime: either
// an existing server named by the MIZZLE_TEST_DATABASE_URL environment
// variable, or a private cluster that it initdb's into a temporary directory
// and starts on the first NewDatabase call of the test binary. Every test gets
// a freshly created, empty database that is dropped again at cleanup, so tests
// can run in parallel without seeing each other's objects. Main stops the
// private cluster and removes its directory once the package's tests are done.
//
// The package depends on package testing and starts servers, so import it only
// from _test.go files. A package that uses it must route its TestMain through
// Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// MIZZLE_TEST_DATABASE_URL, when set, must be a postgres:// URL of a role that
// may create and drop databases. Its database is only used to issue CREATE
// DATABASE and DROP DATABASE; the URLs handed to tests are the same URL with
// the database name replaced.
//
// Without it, the initdb and pg_ctl programs of PostgreSQL 13 or later (DROP
// DATABASE ... WITH (FORCE)) must be on PATH or in /usr/lib/postgresql/*/bin.
// As root, which initdb and postgres refuse to run as, the cluster is run as
// the postgres user, or nobody if there is no postgres user.
//
// The package is Unix-only: it uses syscall.Credential to drop root.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// envURL names the environment variable that points the tests at an existing
// server instead of a private cluster.
const envURL = "MIZZLE_TEST_DATABASE_URL"

// installHelp is appended to the error reported when there is no server to use,
// so that the failure tells the reader how to fix it rather than just what broke.
const installHelp = "install PostgreSQL 13 or later (Debian/Ubuntu: apt-get install postgresql; " +
	"macOS: brew install postgresql) so that initdb and pg_ctl are on PATH or in /usr/lib/postgresql/*/bin, " +
	"or set " + envURL + " to the postgres:// URL of a server where the user may create databases"

var (
	// mainRunning records that the test binary went through Main. Without it
	// nothing would stop a private cluster at exit, so NewDatabase refuses to
	// start one rather than leak a server per test run.
	mainRunning atomic.Bool

	startOnce sync.Once
	srv       *server
	startErr  error
)

// Main runs the tests of a package and stops the cluster (if one was started)
// afterwards.
//
// Use: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()

	// Do on an already-run Once synchronizes with the start that ran it, and on
	// a fresh one it keeps a straggling goroutine from starting a cluster that
	// nobody would stop.
	startOnce.Do(func() { startErr = errors.New("the tests have finished") })
	if srv != nil {
		if err := srv.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// NewDatabase creates a fresh, empty database for t and returns its connection
// URL. The database is dropped when t's cleanup runs.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	startOnce.Do(func() { srv, startErr = start() })
	if startErr != nil {
		t.Fatalf("pgtest: %v", startErr)
	}

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "t_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{name}.Sanitize()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 rather than the default template1: it is guaranteed empty,
	// whatever has been installed into template1 on a shared server.
	if err := srv.exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0"); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// A fresh context: t's own is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE, because a test that forgot to close a connection should not
		// leave the database behind on a shared server.
		if err := srv.exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return srv.databaseURL(name)
}

// Connect is NewDatabase followed by pgx.Connect; the connection is closed at
// cleanup.
func Connect(t testing.TB) *pgx.Conn {
	t.Helper()
	dbURL := NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: connecting to the test database: %v", err)
	}
	// Registered after NewDatabase's cleanup, so it runs before the drop.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

// server is where the test databases are created: an external server or a
// private cluster.
type server struct {
	admin   *url.URL // connects to a database of the server as a user that may create databases
	cluster *cluster // nil for an external server

	mu   sync.Mutex // serializes use of conn, which pgx does not allow concurrently
	conn *pgx.Conn  // opened on first use, reopened if it breaks
}

func start() (*server, error) {
	if raw := os.Getenv(envURL); raw != "" {
		return external(raw)
	}
	c, err := startCluster()
	if err != nil {
		return nil, err
	}
	admin := &url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	return &server{admin: admin, cluster: c}, nil
}

// external checks the URL given in the environment up front, so that a typo
// fails with a message about the variable rather than inside some test.
func external(raw string) (*server, error) {
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
		return nil, fmt.Errorf("%s is not a valid URL: %v", envURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		// Not echoed: without a recognized shape there is no telling where a
		// password would be (e.g. a "host=... password=..." string).
		return nil, fmt.Errorf("%s must be a postgres:// or postgresql:// URL", envURL)
	}
	// pgx redacts passwords from its parse errors reliably for a URL that
	// net/url accepted.
	if _, err := pgx.ParseConfig(raw); err != nil {
		return nil, fmt.Errorf("%s: %v", envURL, err)
	}
	return &server{admin: u}, nil
}

// exec runs an administrative statement (CREATE/DROP DATABASE) on the shared
// admin connection.
func (s *server) exec(ctx context.Context, sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, s.admin.String())
		if err != nil {
			return fmt.Errorf("connecting to %s: %w", redact(s.admin), err)
		}
		s.conn = conn
	}
	_, err := s.conn.Exec(ctx, sql)
	return err
}

// databaseURL returns the admin URL with the database replaced by name, so
// that every other setting (host, user, password, TLS, ...) carries over.
func (s *server) databaseURL(name string) string {
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

func (s *server) close() error {
	s.mu.Lock()
	if s.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.conn.Close(ctx)
		cancel()
		s.conn = nil
	}
	s.mu.Unlock()
	if s.cluster != nil {
		return s.cluster.stop()
	}
	return nil
}

// redact renders u for messages without its password, which url.URL.Redacted
// would leave in the query.
func redact(u *url.URL) string {
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

// cluster is a private PostgreSQL cluster in a temporary directory.
type cluster struct {
	pgCtl   string
	dir     string              // temporary directory holding everything below; removed at stop
	dataDir string              // dir/data
	logFile string              // dir/postgres.log, the server's log
	cred    *syscall.Credential // user to run the cluster as; nil unless we are root
	port    int

	// reaper is a shell that stops the cluster and removes dir if this process
	// dies without going through stop: a panicking test or a go test -timeout
	// exits without returning to Main, and would otherwise leave a postgres
	// running. It waits for a line on reaperIn, which only stop writes; any
	// other end of the process closes the pipe instead.
	reaper   *exec.Cmd
	reaperIn io.WriteCloser
}

// reaperScript is run as sh -c reaperScript sh PG_CTL DATADIR DIR.
const reaperScript = `read -r line && exit 0
"$1" stop -D "$2" -m immediate -w -s
rm -rf "$3"`

func startCluster() (*cluster, error) {
	initdb, pgCtl, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := clusterCredential()
	if err != nil {
		return nil, err
	}

	// os.TempDir, usually /tmp, is traversable by everyone, which matters when
	// the cluster runs as another user.
	dir, err := os.MkdirTemp("", "mizzle-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &cluster{
		pgCtl:   pgCtl,
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		logFile: filepath.Join(dir, "postgres.log"),
		cred:    cred,
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

	err = c.init(initdb)
	// Retry because the port is only known to be free until freePort closes
	// its listener; something else may take it before postgres binds it.
	for attempt := 1; err == nil; attempt++ {
		if err = c.start(); err == nil || attempt == 3 {
			break
		}
	}
	if err != nil {
		if stopErr := c.stop(); stopErr != nil {
			err = fmt.Errorf("%w\n(cleaning up: %v)", err, stopErr)
		}
		return nil, err
	}
	return c, nil
}

func (c *cluster) init(initdb string) error {
	// trust auth is safe because the server listens on 127.0.0.1 only and
	// lives as long as the test binary; --no-sync because the cluster is
	// thrown away and fsync is the slow part of initdb.
	out, err := c.command(initdb, "-D", c.dataDir, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return nil
}

func (c *cluster) start() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	// Durability is pointless for a throwaway cluster. No Unix socket: we
	// connect over TCP, and socket paths under a long TMPDIR can exceed the
	// 107-byte limit. pg_ctl hands -o to /bin/sh, hence the shell quoting of ''.
	opts := "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" +
		" -c listen_addresses=127.0.0.1 -c port=" + strconv.Itoa(port) +
		" -c unix_socket_directories='' -c max_connections=200"
	out, err := c.command(c.pgCtl, "start", "-w", "-t", "60", "-D", c.dataDir,
		"-l", c.logFile, "-o", opts).CombinedOutput()
	if err != nil {
		// pg_ctl gives up after -t but the server may yet come up; make sure
		// the next attempt does not find it running.
		c.command(c.pgCtl, "stop", "-D", c.dataDir, "-m", "immediate", "-w", "-s").Run()
		return fmt.Errorf("starting PostgreSQL on port %d: pg_ctl: %v\n%s\nend of the server log %s:\n%s",
			port, err, bytes.TrimSpace(out), c.logFile, logTail(c.logFile))
	}
	c.port = port
	return nil
}

// stop stops the cluster, if it runs, removes its directory and dismisses the
// reaper.
func (c *cluster) stop() error {
	var errs []error
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
		out, err := c.command(c.pgCtl, "stop", "-D", c.dataDir, "-m", "immediate", "-w").CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("stopping PostgreSQL: pg_ctl: %v\n%s", err, bytes.TrimSpace(out)))
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

func (c *cluster) startReaper() error {
	cmd := c.command("/bin/sh", "-c", reaperScript, "sh", c.pgCtl, c.dataDir, c.dir)
	// Its own process group, so that the ^C which kills the test binary does
	// not also kill the reaper before it has cleaned up.
	cmd.SysProcAttr.Setpgid = true
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	// Stdout and Stderr stay nil (/dev/null): a pipe to this process would
	// be broken by the time the reaper has anything to say.
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the cleanup process: %v", err)
	}
	c.reaper, c.reaperIn = cmd, in
	return nil
}

// command prepares to run a PostgreSQL program as the cluster's user.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	// The test's working directory (the package's) may not be accessible to
	// the cluster user; initdb and postgres complain if they cannot read it.
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	// If a postgres child ever held on to our output pipe, don't wait forever.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// findBinaries looks for initdb and pg_ctl on PATH and then in the Debian and
// Ubuntu layout, where they are not on PATH by default.
func findBinaries() (initdb, pgCtl string, err error) {
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return initdb, pgCtl, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Highest version first; the directory names are versions like 9.6 or 16.
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		initdb, pgCtl = filepath.Join(dir, "initdb"), filepath.Join(dir, "pg_ctl")
		if isExecutable(initdb) && isExecutable(pgCtl) {
			return initdb, pgCtl, nil
		}
	}
	return "", "", errors.New("no PostgreSQL server to test against: " + installHelp)
}

func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// clusterCredential returns the user to run the cluster as when we are root,
// which initdb and postgres refuse to run as; nil otherwise.
func clusterCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			continue
		}
		gid, err := strconv.ParseUint(u.Gid, 10, 32)
		if err != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, which PostgreSQL refuses, and there is neither a postgres nor a nobody user to run it as; " +
		"create one, run the tests as another user, or set " + envURL)
}

// freePort asks the kernel for a port that is free right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail returns the last few lines of the server log, which say why the
// server did not start.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
