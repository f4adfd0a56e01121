package devdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/pgtest"
)

var urlRE = regexp.MustCompile(`^postgres://postgres@127\.0\.0\.1:(\d+)/dev\?sslmode=disable$`)

// newProject makes an empty project directory and returns its development
// database, with errors naming paths relative to the project and events
// recorded in *events. As root the cluster runs as postgres, which must
// reach the folder: t.TempDir's directories are private to their owner, so
// they are opened up (os.TempDir is traversable by everyone). Whatever the
// test does, the server is stopped at cleanup.
func newProject(t *testing.T) (d *DB, events *[]Event) {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d = New(dir, dir)
	events = new([]Event)
	d.Events = func(e Event) { *events = append(*events, e) }
	t.Cleanup(func() { pgtest.StopServer(t, filepath.Join(dir, Folder, "dev", "data")) })
	return d, events
}

// start starts d, which must succeed, and returns the URL and its port and
// the events of the start.
func start(t *testing.T, d *DB, events *[]Event) (url string, port int, got []Event) {
	t.Helper()
	*events = nil
	url, err := d.Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	m := urlRE.FindStringSubmatch(url)
	if m == nil {
		t.Fatalf("Start returned %q, want a URL of the dev database on loopback", url)
	}
	port, _ = strconv.Atoi(m[1])
	return url, port, *events
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func status(t *testing.T, d *DB) Status {
	t.Helper()
	st, err := d.Status(t.Context())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}

// TestLifecycle: created on first start, reused while it runs, stopped
// with its data kept, and started again on the same port with the same
// data.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	d, events := newProject(t)

	url, port, got := start(t, d, events)
	if want := []Event{{Kind: EventCreating}, {Kind: EventStarted, Port: port}}; !slices.Equal(got, want) {
		t.Errorf("first Start: events %v, want %v", got, want)
	}
	conn := connect(t, url)
	var fsync string
	if err := conn.QueryRow(t.Context(), "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
		t.Errorf("fsync = %q (%v), want on: the dev cluster holds the developer's data", fsync, err)
	}
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())

	// Running: reused as it is.
	url2, _, got := start(t, d, events)
	if url2 != url {
		t.Errorf("second Start returned %s, want %s", url2, url)
	}
	if want := []Event{{Kind: EventAlreadyRunning, Port: port}}; !slices.Equal(got, want) {
		t.Errorf("second Start: events %v, want %v", got, want)
	}
	if got := keptValue(t, url); got != 42 {
		t.Errorf("kept = %d after the second start, want 42", got)
	}
	if st := status(t, d); st != (Status{Running, port}) {
		t.Errorf("Status while running: %+v", st)
	}
	if u, err := d.URL(); err != nil || u != url {
		t.Errorf("URL: %q, %v; want %s", u, err, url)
	}
	if u := d.RunningURL(t.Context()); u != url {
		t.Errorf("RunningURL while running: %q, want %s", u, url)
	}

	*events = nil
	if err := d.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if want := []Event{{Kind: EventStopped}}; !slices.Equal(*events, want) {
		t.Errorf("Stop: events %v, want %v", *events, want)
	}
	if st := status(t, d); st != (Status{Stopped, port}) {
		t.Errorf("Status after Stop: %+v", st)
	}
	if u := d.RunningURL(t.Context()); u != "" {
		t.Errorf("RunningURL after Stop: %q, want none", u)
	}
	if u, err := d.URL(); err != nil || u != url {
		t.Errorf("URL after Stop: %q, %v; want %s: the URL does not depend on the server", u, err, url)
	}
	if err := d.Stop(t.Context()); err == nil || err.Error() != "the dev database in .mizzle/dev is not running" {
		t.Errorf("Stop when stopped: %v", err)
	}

	// Started again: the same port, the same data.
	url3, _, got := start(t, d, events)
	if url3 != url {
		t.Errorf("Start after Stop returned %s, want %s", url3, url)
	}
	if want := []Event{{Kind: EventStarted, Port: port}}; !slices.Equal(got, want) {
		t.Errorf("Start after Stop: events %v, want %v", got, want)
	}
	if got := keptValue(t, url); got != 42 {
		t.Errorf("kept = %d after a restart, want 42", got)
	}

	if b, err := os.ReadFile(filepath.Join(filepath.Dir(d.Dir), ".gitignore")); err != nil || !strings.Contains(string(b), "\n*\n") {
		t.Errorf(".mizzle/.gitignore = %q (%v), want it to ignore everything", b, err)
	}
}

func keptValue(t *testing.T, url string) int {
	t.Helper()
	conn := connect(t, url)
	defer conn.Close(t.Context())
	var x int
	if err := conn.QueryRow(t.Context(), "SELECT x FROM kept").Scan(&x); err != nil {
		t.Fatalf("reading the table created earlier: %v", err)
	}
	return x
}

// TestNothingThere: asking about a database never created answers so and
// creates nothing.
func TestNothingThere(t *testing.T) {
	t.Parallel()
	d, _ := newProject(t)
	const none = "there is no dev database in .mizzle/dev: mizzle dev creates one"
	if err := d.Stop(t.Context()); err == nil || err.Error() != none {
		t.Errorf("Stop: %v, want %s", err, none)
	}
	if u, err := d.URL(); err == nil || err.Error() != none {
		t.Errorf("URL: %q, %v, want %s", u, err, none)
	}
	if st := status(t, d); st != (Status{}) || st.State != None {
		t.Errorf("Status: %+v, want None", st)
	}
	if u := d.RunningURL(t.Context()); u != "" {
		t.Errorf("RunningURL: %q, want none", u)
	}
	if _, err := os.Stat(filepath.Dir(d.Dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("looking created .mizzle (%v)", err)
	}
}

// TestBadPortFile: a port file that does not hold a port is named, with
// the way out.
func TestBadPortFile(t *testing.T) {
	t.Parallel()
	d, _ := newProject(t)
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"abc\n", "0\n", "65536\n", "-1"} {
		if err := os.WriteFile(filepath.Join(d.Dir, "port"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s: want a port number, got %q; delete the file to have mizzle dev choose a new port",
			filepath.Join(".mizzle", "dev", "port"), strings.TrimSpace(content))
		if port, err := d.Port(); err == nil || err.Error() != want {
			t.Errorf("Port with %q in the file: %d, %v; want %s", content, port, err, want)
		}
	}
	if err := os.Remove(filepath.Join(d.Dir, "port")); err != nil {
		t.Fatal(err)
	}
	if port, err := d.Port(); port != 0 || err != nil {
		t.Errorf("Port without the file: %d, %v; want 0: the next start chooses one", port, err)
	}
}

// TestNoServerPrograms: without initdb and pg_ctl, Start says how to
// install them and leaves nothing behind.
func TestNoServerPrograms(t *testing.T) {
	t.Parallel()
	d, _ := newProject(t)
	d.FindBinaries = func(string) (pgcluster.Binaries, error) { return pgcluster.Binaries{}, pgcluster.ErrNotInstalled }

	u, err := d.Start(t.Context())
	want := "no PostgreSQL server programs to run the dev database with: install PostgreSQL 13 or later " +
		"(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) so that initdb and pg_ctl are on PATH or in /usr/lib/postgresql/*/bin"
	if u != "" || err == nil || err.Error() != want {
		t.Errorf("Start without initdb: %q, %v\nwant %s", u, err, want)
	}
	if _, err := os.Stat(filepath.Dir(d.Dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed Start left .mizzle behind (%v)", err)
	}
}

// TestPortTakenAndStalePID: the situations a start must explain rather
// than fail inside pg_ctl.
func TestPortTakenAndStalePID(t *testing.T) {
	t.Parallel()
	d, events := newProject(t)
	url, port, _ := start(t, d, events)
	if err := d.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	// Another program took the port while the cluster was stopped.
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	u, err := d.Start(t.Context())
	l.Close()
	want := fmt.Sprintf("port %d, where the dev database in .mizzle/dev listens, is taken by another program: "+
		"stop that program, or delete .mizzle/dev/port to have mizzle dev choose a new port (the data is kept)", port)
	if u != "" || err == nil || err.Error() != want {
		t.Errorf("Start with the port taken: %q, %v\nwant %s", u, err, want)
	}

	// A postmaster.pid left by a crash, naming a process that is gone:
	// postgres clears it, and so does Start.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(d.Dir, "data")
	writePIDFile(t, data, gone.Process.Pid, port)
	if st := status(t, d); st != (Status{Stopped, port}) {
		t.Errorf("Status with a stale postmaster.pid: %+v, want stopped", st)
	}
	if got, _, _ := start(t, d, events); got != url {
		t.Errorf("Start over a stale postmaster.pid returned %s, want %s", got, url)
	}
	if err := d.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	// After a reboot, the process id may belong to a live process of the
	// cluster's user that is not PostgreSQL: explained, and never signalled.
	other := exec.Command("sleep", "60")
	if os.Geteuid() == 0 {
		st, _ := os.Stat(data)
		uid, gid := st.Sys().(*syscall.Stat_t).Uid, st.Sys().(*syscall.Stat_t).Gid
		other.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
		other.Dir = "/"
	}
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	writePIDFile(t, data, other.Process.Pid, port)
	want = fmt.Sprintf(".mizzle/dev/data/postmaster.pid names process %d, which is running, but no server answers for .mizzle/dev: "+
		"if that process is not PostgreSQL (the file is left over from a crash), delete .mizzle/dev/data/postmaster.pid and run mizzle dev again",
		other.Process.Pid)
	if u, err := d.Start(t.Context()); u != "" || err == nil || err.Error() != want {
		t.Errorf("Start with a postmaster.pid naming another process: %q, %v\nwant %s", u, err, want)
	}
	if err := d.Stop(t.Context()); err == nil || err.Error() != want {
		t.Errorf("Stop with a postmaster.pid naming another process: %v\nwant %s", err, want)
	}
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the process named by the stale postmaster.pid was signalled: %v", err)
	}
	if st := status(t, d); st != (Status{NotReady, port}) {
		t.Errorf("Status: %+v, want not ready", st)
	}

	// Following the advice fixes it.
	if err := os.Remove(filepath.Join(data, "postmaster.pid")); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := start(t, d, events); got != url {
		t.Errorf("Start after removing the stale postmaster.pid returned %s, want %s", got, url)
	}
}

// writePIDFile writes a postmaster.pid as a server that was ready would
// have left it, owned by the data directory's owner as the server's is.
func writePIDFile(t *testing.T, data string, pid, port int) {
	t.Helper()
	path := filepath.Join(data, "postmaster.pid")
	content := fmt.Sprintf("%d\n%s\n%d\n%d\n\n127.0.0.1\n  1234567     65536\nready   \n", pid, data, time.Now().Unix(), port)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Sys().(*syscall.Stat_t)
	if err := os.Chown(path, int(s.Uid), int(s.Gid)); err != nil {
		t.Fatal(err)
	}
}

// TestPrivateProject: a project inside a directory only its owner may
// enter. As root, the server's user cannot reach it, and Start says so
// before initdb fails obscurely; as anyone else it is the caller's own and
// simply works.
func TestPrivateProject(t *testing.T) {
	t.Parallel()
	private := filepath.Join(t.TempDir(), "home")
	project := filepath.Join(private, "app")
	if err := os.MkdirAll(project, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	d := New(project, project)
	t.Cleanup(func() { pgtest.StopServer(t, filepath.Join(d.Dir, "data")) })

	if os.Geteuid() != 0 {
		if _, err := d.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		return
	}
	cred, err := pgcluster.RunAs()
	if err != nil {
		t.Fatal(err)
	}
	u, err := d.Start(t.Context())
	want := "the dev database runs as user " + pgcluster.UserName(cred) + " (PostgreSQL refuses to run as root), which cannot reach .mizzle/dev: " +
		"let it through the directories above (chmod o+x on each), or run mizzle dev as another user than root"
	if u != "" || err == nil || err.Error() != want {
		t.Errorf("Start in a private project as root: %q, %v\nwant %s", u, err, want)
	}
}

// TestRel: paths below the working directory are named relative to it,
// others in full.
func TestRel(t *testing.T) {
	d := New("/p/app", "/p/app/sub")
	for path, want := range map[string]string{
		"/p/app/sub/x":   "x",
		"/p/app/.mizzle": "/p/app/.mizzle",
		"/elsewhere":     "/elsewhere",
	} {
		if got := d.Rel(path); got != want {
			t.Errorf("Rel(%s) = %s, want %s", path, got, want)
		}
	}
	if got := (&DB{Dir: "/p/.mizzle/dev"}).Rel("/p/x"); got != "/p/x" {
		t.Errorf("Rel without a WorkDir = %s, want the path as it is", got)
	}
}
