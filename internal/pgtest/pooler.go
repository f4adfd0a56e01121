package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/testserver"
)

// poolerInstallHelp is how a test that needs PgBouncer says how to get it.
const poolerInstallHelp = "pgbouncer is not installed: the tests through a connection pooler run Debian's PgBouncer in front of the test server; " +
	"install it (Debian/Ubuntu: apt-get install pgbouncer) or put pgbouncer on PATH"

// PoolerSize is the number of server connections the test pooler keeps per
// database and user: fewer than the clients some tests open, so that
// clients share server connections between transactions, as they do in
// production behind a transaction pooler.
const PoolerSize = 5

var (
	poolerOnce sync.Once
	pooler     *bouncer
	poolerErr  error
)

// PoolerURL returns the URL of dbURL's database (a URL NewDatabase returned)
// through PgBouncer in transaction pooling mode, in front of the test
// server: one PgBouncer per test binary, started on first use on a free
// loopback port and stopped by Main. Through it, session state (SET, a
// session advisory lock, a named prepared statement) does not survive the
// transaction it was made in, or shows up in another client's. A missing
// pgbouncer fails t with install advice.
func PoolerURL(t testing.TB, dbURL string) string {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	startOnce.Do(func() { srv, startErr = testserver.Open() })
	if startErr != nil {
		t.Fatalf("pgtest: %v", startErr)
	}
	poolerOnce.Do(func() { pooler, poolerErr = startBouncer(srv.AdminURL()) })
	if poolerErr != nil {
		t.Fatalf("pgtest: %v", poolerErr)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("pgtest: PoolerURL: %v", err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(pooler.port))
	// The pooler logs in to the server as the user it was configured
	// with, asking the client for no password, and speaks no TLS to
	// clients.
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	q.Del("password")
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// EnvThroughPooler names the environment variable that, set to one of
// pgx's default_query_exec_mode values, makes NewDatabase (and Connect)
// hand out URLs through the test PgBouncer with that mode: how a package
// runs its database tests again through a transaction pooler (see
// RunThroughPooler).
const EnvThroughPooler = "MIZZLE_TEST_THROUGH_POOLER"

// throughPooler is PoolerURL with default_query_exec_mode=mode.
func throughPooler(t testing.TB, dbURL, mode string) string {
	u, err := url.Parse(PoolerURL(t, dbURL))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	q := u.Query()
	q.Set("default_query_exec_mode", mode)
	u.RawQuery = q.Encode()
	return u.String()
}

// RunThroughPooler runs the tests of the calling test binary again, but
// those skip matches (a -test.skip pattern), in a child process whose
// databases are reached through the test PgBouncer with pgx's
// default_query_exec_mode mode, and fails t with the child's output when
// any of them fails. In that child it returns at once, having nothing
// more to check.
func RunThroughPooler(t *testing.T, mode, skip string) {
	t.Helper()
	if os.Getenv(EnvThroughPooler) != "" {
		return
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.skip="+skip, "-test.count=1")
	cmd.Env = append(os.Environ(), EnvThroughPooler+"="+mode)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the tests through PgBouncer with default_query_exec_mode=%s: %v\n%s", mode, err, out)
	}
}

// bouncer is a PgBouncer process in a temporary directory.
type bouncer struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	dir    string
	log    string
	port   int
	reaper *reaper
}

// findPgBouncer returns the path of the pgbouncer program: on PATH, or
// where Debian puts it (/usr/sbin, which is not on every user's PATH).
func findPgBouncer(path string, dirs ...string) (string, error) {
	for _, dir := range append(filepath.SplitList(path), dirs...) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "pgbouncer")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New(poolerInstallHelp)
}

// bouncerConfig is PgBouncer's configuration: every database of the server
// at host:port, reached as user (with password, if any), in transaction
// pooling mode. auth_type any lets any client in as that user, which is
// the trust the test server itself gives on 127.0.0.1.
func bouncerConfig(host string, port int, user, password string, listen int, dir string) string {
	target := fmt.Sprintf("host=%s port=%d user=%s", host, port, user)
	if password != "" {
		target += " password=" + password
	}
	return fmt.Sprintf(`[databases]
* = %s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
logfile = %s
`, target, listen, PoolerSize, filepath.Join(dir, "pgbouncer.log"))
}

// startBouncer starts PgBouncer in front of the server that admin names,
// retrying when the free port it picked was taken meanwhile.
func startBouncer(admin string) (*bouncer, error) {
	bin, err := findPgBouncer(os.Getenv("PATH"), "/usr/sbin", "/usr/local/sbin")
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return nil, err
	}
	// PgBouncer refuses to run as root, as postgres does.
	cred, err := pgcluster.RunAs()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		b, err := tryBouncer(bin, cred, cfg.Host, int(cfg.Port), cfg.User, cfg.Password)
		if err == nil || attempt == 3 {
			return b, err
		}
	}
}

func tryBouncer(bin string, cred *syscall.Credential, host string, port int, user, password string) (*bouncer, error) {
	dir, err := os.MkdirTemp("", "mizzle-pgbouncer-")
	if err != nil {
		return nil, err
	}
	listen, err := pgcluster.FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b := &bouncer{dir: dir, port: listen, log: filepath.Join(dir, "pgbouncer.log"), exited: make(chan struct{})}
	ini := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(ini, []byte(bouncerConfig(host, port, user, password, listen, dir)), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		for _, p := range []string{dir, ini} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
		}
	}
	b.cmd = exec.Command(bin, ini)
	b.cmd.Dir = dir
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting pgbouncer: %v", err)
	}
	go func() {
		b.cmd.Wait()
		close(b.exited)
	}()
	// The reaper kills PgBouncer and removes dir if the test binary dies
	// without going through Main.
	if b.reaper, err = startReaper(`kill -KILL "$1"; rm -rf "$2"`, strconv.Itoa(b.cmd.Process.Pid), dir); err != nil {
		b.kill()
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-b.exited:
			err := fmt.Errorf("pgbouncer exited at start:\n%s", b.logTail())
			b.stop()
			return nil, err
		default:
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(listen)), time.Second)
		if err == nil {
			c.Close()
			return b, nil
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("pgbouncer does not listen on 127.0.0.1:%d after 10s:\n%s", listen, b.logTail())
			b.stop()
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logTail returns the end of PgBouncer's log, for errors.
func (b *bouncer) logTail() string {
	data, _ := os.ReadFile(b.log)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// kill ends PgBouncer at once and waits for it.
func (b *bouncer) kill() {
	b.cmd.Process.Kill()
	<-b.exited
}

// stop shuts PgBouncer down (SIGTERM: at once, closing its connections),
// removes its directory and dismisses the reaper.
func (b *bouncer) stop() error {
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.kill()
	}
	err := os.RemoveAll(b.dir)
	if b.reaper != nil {
		b.reaper.dismiss(err == nil)
	}
	return err
}

// reaper is a shell that runs a script of cleanup when this process dies
// without dismissing it: it waits for a line on its standard input, which
// only dismiss writes; any other end of this process closes the pipe.
type reaper struct {
	cmd *exec.Cmd
	in  interface {
		Write([]byte) (int, error)
		Close() error
	}
}

// startReaper starts a reaper running script with args as $1, $2, ...
func startReaper(script string, args ...string) (*reaper, error) {
	cmd := exec.Command("/bin/sh", append([]string{"-c", "read -r line && exit 0\n" + script, "sh"}, args...)...)
	// Its own process group, so that the ^C which kills the test binary
	// does not also kill the reaper before it has cleaned up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the cleanup process: %v", err)
	}
	return &reaper{cmd, in}, nil
}

// dismiss ends the reaper; with done false it runs its script first.
func (r *reaper) dismiss(done bool) {
	if done {
		r.in.Write([]byte("done\n"))
	}
	r.in.Close()
	r.cmd.Wait()
}
