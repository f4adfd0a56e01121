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
// The cluster mechanics (finding the programs, the user to run them as,
// initdb, pg_ctl) are internal/pgcluster's, shared with the mizzle dev
// command; this package adds what only tests want: a temporary directory, a
// reaper that cleans up after a crashed test binary, durability turned off,
// and a database per test. Like pgcluster it is Unix-only.
//
// PoolerURL puts a test's database behind PgBouncer in transaction pooling
// mode (Debian's pgbouncer, which the tests that use it fail without): one
// per test binary, in front of the same server, stopped by Main.
package pgtest

import (
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
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// envURL names the environment variable that points the tests at an existing
// server instead of a private cluster.
const envURL = "MIZZLE_TEST_DATABASE_URL"

// installHelp is appended to the error reported when there is no server to use,
// so that the failure tells the reader how to fix it rather than just what broke.
const installHelp = pgcluster.InstallHelp +
	", or set " + envURL + " to the postgres:// URL of a server where the user may create databases"

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
	poolerOnce.Do(func() { poolerErr = errors.New("the tests have finished") })
	if pooler != nil {
		if err := pooler.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping pgbouncer: %v\n", err)
			code = max(code, 1)
		}
	}
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
	if mode := os.Getenv(EnvThroughPooler); mode != "" {
		return throughPooler(t, srv.databaseURL(name), mode)
	}
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
	c, err := startCluster(nil)
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
	pg   *pgcluster.Cluster
	dir  string // temporary directory holding everything: the data directory and the log; removed at stop
	port int
	// settings are server settings added to (and overriding) start's.
	settings []string

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

func startCluster(settings []string) (*cluster, error) {
	bin, err := pgcluster.FindBinaries("")
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		return nil, errors.New("no PostgreSQL server to test against: " + installHelp)
	}
	if err != nil {
		return nil, err
	}
	cred, err := pgcluster.RunAs()
	if errors.Is(err, pgcluster.ErrNoUser) {
		return nil, fmt.Errorf("%v; create one, run the tests as another user, or set %s", err, envURL)
	}
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
	// only and lives as long as the test binary.
	err = c.pg.Init(pgcluster.InitOptions{NoSync: true})
	// Retry because the port is only known to be free until FreePort closes
	// its listener; something else may take it before postgres binds it.
	for attempt := 1; err == nil; attempt++ {
		if err = c.start(0); err == nil || attempt == 3 {
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

// start starts the server on port, or on a free port when port is 0.
func (c *cluster) start(port int) error {
	var err error
	if port == 0 {
		if port, err = pgcluster.FreePort(); err != nil {
			return err
		}
	}
	// Durability is pointless for a throwaway cluster.
	err = c.pg.Start(port, append([]string{"fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"}, c.settings...)...)
	if err != nil {
		return err
	}
	c.port = port
	return nil
}

// stop stops the cluster, if it runs, removes its directory and dismisses the
// reaper.
func (c *cluster) stop() error {
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

func (c *cluster) startReaper() error {
	cmd := c.pg.Command("/bin/sh", "-c", reaperScript, "sh", c.pg.Bin.PgCtl, c.pg.DataDir, c.dir)
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

// Cluster is a private cluster of one test, for tests that stop and start
// the server under a client, which the cluster shared by the package's
// tests must not do.
type Cluster struct {
	c *cluster
}

// NewCluster starts a private cluster for t with the shared cluster's
// settings, then settings ("name=value") over them; it is stopped and
// removed at cleanup. MIZZLE_TEST_DATABASE_URL does not apply: a test that
// stops its server needs one of its own.
func NewCluster(t testing.TB, settings ...string) *Cluster {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	c, err := startCluster(settings)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return &Cluster{c}
}

// URL returns the URL of the cluster's database name as the superuser.
func (c *Cluster) URL(name string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.c.port)),
		Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// Stop stops the server.
func (c *Cluster) Stop(mode pgcluster.StopMode) error { return c.c.pg.Stop(mode) }

// Start starts the stopped server again, on the same port.
func (c *Cluster) Start() error { return c.c.start(c.c.port) }

// Catalog lists, one line each, every schema, enum, column,
// constraint, index, row security setting, policy, sequence (one a
// column owns named by that column), function (not an extension's),
// trigger, partitioned table (with its key) and partition (with its
// bound) outside the system schemas, as PostgreSQL itself
// prints their definitions, sorted: what a test compares to see that
// something changed the database, or did not.
func Catalog(t testing.TB, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), catalogQuery)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

const catalogQuery = `
WITH ns AS (
	SELECT oid, nspname FROM pg_namespace
	WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
)
SELECT line FROM (
	SELECT 'schema ' || nspname AS line FROM ns
	UNION ALL
	SELECT format('enum %I.%I (%s)', ns.nspname, t.typname,
		(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
	FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
	UNION ALL
	SELECT format('column %I.%I.%I %s%s%s%s%s', ns.nspname, c.relname, a.attname,
		format_type(a.atttypid, a.atttypmod),
		CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
		CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
		CASE WHEN a.attgenerated <> '' THEN ' generated ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END,
		CASE WHEN a.attgenerated = '' AND d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END)
	FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT format('%s %I.%I%s%s: %s', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, ns.nspname, c.relname,
		CASE WHEN c.reloptions IS NOT NULL THEN ' with ' || c.reloptions::text ELSE '' END,
		CASE WHEN NOT c.relispopulated THEN ' with no data' ELSE '' END, pg_get_viewdef(c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	WHERE c.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('constraint %I.%I.%I %s', ns.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid))
	FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(i.indexrelid))
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT format('row security %I.%I%s%s', ns.nspname, c.relname,
		CASE WHEN c.relrowsecurity THEN ' enabled' ELSE '' END, CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END)
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
	UNION ALL
	SELECT format('partitioned %I.%I by %s', ns.nspname, c.relname, pg_get_partkeydef(c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind = 'p'
	UNION ALL
	SELECT format('partition %I.%I of %I.%I %s', ns.nspname, c.relname, pn.nspname, p.relname, pg_get_expr(c.relpartbound, c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	JOIN pg_inherits h ON h.inhrelid = c.oid JOIN pg_class p ON p.oid = h.inhparent
	JOIN pg_namespace pn ON pn.oid = p.relnamespace
	WHERE c.relispartition AND c.relkind IN ('r', 'p')
	UNION ALL
	SELECT format('policy %I.%I.%I %s for %s to %s using %s with check %s', p.schemaname, p.tablename, p.policyname,
		p.permissive, p.cmd, p.roles::text, coalesce(p.qual, '-'), coalesce(p.with_check, '-'))
	FROM pg_policies p JOIN ns ON ns.nspname = p.schemaname
	UNION ALL
	SELECT format('sequence %s %s start %s increment %s min %s max %s cache %s%s',
		coalesce((SELECT format('of %I.%I.%I', tn.nspname, t.relname, a.attname) FROM pg_depend d
			JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
			JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
			WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
				AND d.deptype IN ('a', 'i') LIMIT 1), format('%I.%I', ns.nspname, c.relname)),
		format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
		CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
	FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT 'function ' || pg_get_functiondef(p.oid)
	FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
	WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT FROM pg_depend d
		WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
	WHERE NOT t.tgisinternal
) s ORDER BY line COLLATE "C"`
