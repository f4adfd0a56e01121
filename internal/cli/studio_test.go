package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/studio"
)

// syncBuffer is a buffer the studio's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// runningStudio is mizzle studio running in-process.
type runningStudio struct {
	url, base, token string
	stdout, stderr   *syncBuffer
	client           *http.Client // signed in
	cancel           func()
	done             chan int
	code             int
	stopped          bool
}

var studioURLRE = regexp.MustCompile(`^(http://127\.0\.0\.1:(\d+))/#token=([A-Za-z0-9_-]{43})\n`)

// startStudio runs mizzle studio with args in the working directory until
// it prints its URL, signs in to it, and stops it when the test ends.
func startStudio(t *testing.T, args ...string) *runningStudio {
	t.Helper()
	r := &runningStudio{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1)}
	env := newEnv(strings.NewReader(""), r.stdout, r.stderr)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- run(ctx, env, append([]string{"studio"}, args...)) }()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := studioURLRE.FindStringSubmatch(r.stdout.String()); m != nil {
			r.url, r.base, r.token = strings.TrimSpace(m[0]), m[1], m[3]
			break
		}
		select {
		case code := <-r.done:
			r.stopped, r.code = true, code
			t.Fatalf("mizzle studio %v: exit %d before printing its URL\nstdout:\n%s\nstderr:\n%s", args, code, r.stdout, r.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mizzle studio %v printed no URL in 30s\nstdout:\n%s\nstderr:\n%s", args, r.stdout, r.stderr)
		}
	}
	jar, _ := cookiejar.New(nil)
	r.client = &http.Client{Jar: jar, Timeout: time.Minute}
	if code, body := r.post(t, "/api/session", `{"token":"`+r.token+`"}`); code != http.StatusOK {
		t.Fatalf("signing in: status %d: %s", code, body)
	}
	return r
}

// stop cancels the command's context, as Ctrl-C does, and returns its
// exit code.
func (r *runningStudio) stop(t *testing.T) int {
	t.Helper()
	if r.stopped {
		return r.code
	}
	r.cancel()
	select {
	case r.code = <-r.done:
	case <-time.After(15 * time.Second):
		t.Fatal("mizzle studio did not stop within 15s of its context's end")
	}
	r.stopped = true
	return r.code
}

func (r *runningStudio) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := r.client.Get(r.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (r *runningStudio) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	res, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// info returns the studio's /api/info.
func (r *runningStudio) info(t *testing.T) map[string]any {
	t.Helper()
	code, body := r.get(t, "/api/info")
	var v map[string]any
	if code != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil {
		t.Fatalf("/api/info: status %d: %s", code, body)
	}
	return v
}

// studioBackends counts the studio's connections to the database of url.
func studioBackends(t *testing.T, dbURL string) int {
	t.Helper()
	u, _ := url.Parse(dbURL)
	n, err := strconv.Atoi(query(t, dbConn(t, dbURL), "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mizzle studio' AND datname = '"+strings.TrimPrefix(u.Path, "/")+"'"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStudioCommand: the first line on stdout is the URL, with a token of
// its own on each run; the studio answers on it until its context ends
// (Ctrl-C), then exits 0 with its connections closed.
func TestStudioCommand(t *testing.T) {
	dir := migrateProject(t)
	t.Chdir(dir)
	db := pgtest.NewDatabase(t)
	a := startStudio(t, "--database-url", db, "--port", "0")
	b := startStudio(t, "--database-url", db, "--port", "0")
	if a.token == b.token || a.base == b.base {
		t.Errorf("two runs printed %s and %s: want their own port and token", a.url, b.url)
	}
	if lines := strings.Split(strings.TrimSpace(a.stdout.String()), "\n"); len(lines) != 1 {
		t.Errorf("stdout holds more than the URL: %q", a.stdout)
	}
	if !strings.Contains(a.stderr.String(), "Ctrl-C") {
		t.Errorf("stderr does not say how to stop: %q", a.stderr)
	}
	info := a.info(t)
	if info["read_only"] != false || info["database"] != dbName(t, db) {
		t.Errorf("/api/info: %v", info)
	}
	if n := studioBackends(t, db); n == 0 {
		t.Fatal("no connection of the studio's: the check below proves nothing")
	}
	if code := a.stop(t); code != exitOK {
		t.Errorf("stopped: exit %d\n%s", code, a.stderr)
	}
	if code := b.stop(t); code != exitOK {
		t.Errorf("stopped: exit %d\n%s", code, b.stderr)
	}
	// The server ends a backend after its client said goodbye: give it
	// a moment.
	deadline := time.Now().Add(5 * time.Second)
	for studioBackends(t, db) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections of the studio's remain after it stopped", studioBackends(t, db))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := http.Get(a.base + "/"); err == nil {
		t.Error("the stopped studio still answers")
	}
}

// dbName is the database a URL names.
func dbName(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(p.Path, "/")
}

// TestStudioReadOnly: --read-only reaches the server, and a password in
// the URL (the test server takes any) reaches neither stdout nor stderr.
func TestStudioReadOnly(t *testing.T) {
	t.Chdir(migrateProject(t))
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pwEvery)
	s := startStudio(t, "--database-url", u.String(), "--port", "0", "--read-only")
	defer func() {
		if leak := leaked(s.stdout.String()+s.stderr.String(), pwEvery); leak != "" {
			t.Errorf("%q of the password in the output:\n%s%s", leak, s.stdout, s.stderr)
		}
	}()
	if info := s.info(t); info["read_only"] != true {
		t.Errorf("--read-only: /api/info says %v", info["read_only"])
	}
	if _, page := s.get(t, "/"); !strings.Contains(page, `data-read-only="true"`) {
		t.Error("--read-only: the page does not say so")
	}
}

// TestStudioDatabaseFromEnvironment: with no flag, DATABASE_URL names the
// database, as for every command.
func TestStudioDatabaseFromEnvironment(t *testing.T) {
	t.Chdir(migrateProject(t))
	db := pgtest.NewDatabase(t)
	t.Setenv("DATABASE_URL", db)
	s := startStudio(t, "--port", "0")
	if got, want := s.info(t)["database"], dbName(t, db); got != want {
		t.Errorf("database %v, want %s", got, want)
	}
}

// TestStudioDevDatabase: with no URL anywhere, the project's running dev
// database.
func TestStudioDevDatabase(t *testing.T) {
	newDevProject(t)
	devURL, _, _ := startDev(t)
	s := startStudio(t, "--port", "0")
	if !strings.Contains(s.stderr.String(), "Using the dev database at "+devURL) {
		t.Errorf("stderr does not name the dev database:\n%s", s.stderr)
	}
	if got, want := s.info(t)["database"], dbName(t, devURL); got != want {
		t.Errorf("database %v, want the dev database %s", got, want)
	}
}

func TestStudioCommandErrors(t *testing.T) {
	dir := migrateProject(t)
	db := pgtest.NewDatabase(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--database-url", db, "--port", port}, exitFailure, "mizzle: --port " + port + ": listen tcp 127.0.0.1:" + port + ": bind: address already in use: another studio may be running; choose another port, or --port 0 for any free one\n"},
		{[]string{"--database-url", db, "--port", "70000"}, exitUsage, "--port 70000: want 0 to 65535"},
		{[]string{"--database-url", db, "--port", "-1"}, exitUsage, "--port -1: want 0 to 65535"},
		{[]string{"--database-url", db, "--host", "0.0.0.0"}, exitUsage, "--host 0.0.0.0 is not a loopback address: add --allow-remote"},
		{[]string{"--database-url", db, "--host", "192.0.2.1"}, exitUsage, "--host 192.0.2.1 is not a loopback address: add --allow-remote"},
		{[]string{"--database-url", db, "extra"}, exitUsage, "takes no arguments"},
		{[]string{"--database-url", db, "--migrations", "nowhere"}, exitUsage, "--migrations nowhere: no such directory"},
		{[]string{"--port", "0"}, exitUsage, "mizzle: no database: pass --database-url"},
	} {
		t.Run(strings.ReplaceAll(strings.Join(tt.args, " "), db, "DB"), func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, append([]string{"studio"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q: a URL for a studio that does not run", stdout)
			}
		})
	}
}

// TestStudioAllowRemote: --host with --allow-remote serves, and warns.
func TestStudioAllowRemote(t *testing.T) {
	t.Chdir(migrateProject(t))
	s := startStudio(t, "--database-url", pgtest.NewDatabase(t), "--port", "0", "--host", "0.0.0.0", "--allow-remote")
	if !strings.Contains(s.stderr.String(), "warning: the studio listens on 0.0.0.0: anyone who can reach it and has the URL can read and change the database") {
		t.Errorf("no warning:\n%s", s.stderr)
	}
	s.info(t)
	// A loopback --host needs no --allow-remote, and gets no warning.
	l := startStudio(t, "--database-url", pgtest.NewDatabase(t), "--port", "0", "--host", "127.0.0.1")
	if strings.Contains(l.stderr.String(), "warning") {
		t.Errorf("--host 127.0.0.1 warned:\n%s", l.stderr)
	}
}

// TestStudioOpenFailure: --open with no opener, or one that fails, says
// so, and the studio serves on.
func TestStudioOpenFailure(t *testing.T) {
	t.Chdir(migrateProject(t))
	db := pgtest.NewDatabase(t)
	failing := t.TempDir()
	if err := os.Symlink("/bin/false", filepath.Join(failing, "xdg-open")); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"no opener": t.TempDir(), "a failing opener": failing} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("PATH", path)
			s := startStudio(t, "--database-url", db, "--port", "0", "--open")
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(s.stderr.String(), "could not open a browser (") {
				if time.Now().After(deadline) {
					t.Fatalf("no word of the failure:\n%s", s.stderr)
				}
				time.Sleep(10 * time.Millisecond)
			}
			s.info(t)
			if code := s.stop(t); code != exitOK {
				t.Errorf("exit %d", code)
			}
		})
	}
}
