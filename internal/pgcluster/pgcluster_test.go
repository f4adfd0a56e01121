package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// fakeInstall writes pg_ctl and initdb scripts for version into
// root/VERSION/bin; pg_ctl --version answers as PostgreSQL's does.
func fakeInstall(t *testing.T, root, version string, withInitdb bool) string {
	t.Helper()
	dir := filepath.Join(root, version, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\necho 'pg_ctl (PostgreSQL) %s.2 (Debian %s.2-1)'\n", version, version)
	if err := os.WriteFile(filepath.Join(dir, "pg_ctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if withInitdb {
		if err := os.WriteFile(filepath.Join(dir, "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	fakeInstall(t, root, "9.6", true)
	fakeInstall(t, root, "15", true)
	v16 := fakeInstall(t, root, "16", true)
	fakeInstall(t, root, "17", false) // a client-only install: no initdb
	prev := libGlob
	libGlob = filepath.Join(root, "*", "bin")
	t.Cleanup(func() { libGlob = prev })
	t.Setenv("PATH", t.TempDir())

	for _, tc := range []struct{ major, want string }{
		{"", filepath.Join(v16, "pg_ctl")}, // the highest, numerically: 16 > 9.6
		{"15", filepath.Join(root, "15", "bin", "pg_ctl")},
		{"14", filepath.Join(v16, "pg_ctl")}, // not installed: the default, for the caller to compare
	} {
		b, err := FindBinaries(tc.major)
		if err != nil || b.PgCtl != tc.want || b.Initdb != filepath.Join(filepath.Dir(tc.want), "initdb") {
			t.Errorf("FindBinaries(%q) = %+v, %v; want pg_ctl %s", tc.major, b, err, tc.want)
		}
	}

	// PATH comes first, unless a version is asked for that it is not.
	t.Setenv("PATH", fakeInstall(t, t.TempDir(), "13", true))
	if b, _ := FindBinaries(""); !strings.Contains(b.PgCtl, string(filepath.Separator)+"13"+string(filepath.Separator)) {
		t.Errorf("FindBinaries(\"\") = %+v, want PATH's", b)
	}
	if b, _ := FindBinaries("13"); !strings.Contains(b.PgCtl, string(filepath.Separator)+"13"+string(filepath.Separator)) {
		t.Errorf("FindBinaries(\"13\") = %+v, want PATH's, which is 13", b)
	}
	if b, _ := FindBinaries("15"); b.PgCtl != filepath.Join(root, "15", "bin", "pg_ctl") {
		t.Errorf("FindBinaries(\"15\") = %+v, want 15's", b)
	}
	if v, err := (Binaries{PgCtl: filepath.Join(root, "9.6", "bin", "pg_ctl")}).Version(); v != "9.6" || err != nil {
		t.Errorf("Version of 9.6 = %q, %v", v, err)
	}

	t.Setenv("PATH", t.TempDir())
	libGlob = filepath.Join(t.TempDir(), "*", "bin")
	if _, err := FindBinaries(""); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("FindBinaries with nothing installed: %v, want ErrNotInstalled", err)
	}
}

// newCluster initdb's a cluster with the real programs in a directory the
// cluster's user can use (as root, postgres), removed at cleanup.
func newCluster(t *testing.T) *Cluster {
	t.Helper()
	bin, err := FindBinaries("")
	if err != nil {
		t.Fatalf("%v: %s", err, InstallHelp)
	}
	cred, err := RunAs()
	if err != nil {
		t.Fatal(err)
	}
	// os.TempDir is traversable by everyone; t.TempDir's directories are not.
	dir, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	c := &Cluster{Bin: bin, DataDir: filepath.Join(dir, "data"), LogFile: filepath.Join(dir, "log"), WorkDir: dir, Cred: cred}
	if err := c.Init(InitOptions{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClusterLifecycle(t *testing.T) {
	c := newCluster(t)
	if v, err := c.Bin.Version(); err != nil {
		t.Error(err)
	} else if b, err := os.ReadFile(filepath.Join(c.DataDir, "PG_VERSION")); err != nil || strings.TrimSpace(string(b)) != v {
		t.Errorf("Version() = %s, PG_VERSION = %q (%v)", v, b, err)
	}
	if _, err := c.ReadPIDFile(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadPIDFile before start: %v, want fs.ErrNotExist", err)
	}

	// A port somebody holds: the error carries the server's own reason.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taken := l.Addr().(*net.TCPAddr).Port
	if PortFree(taken) {
		t.Errorf("PortFree(%d) with a listener on it", taken)
	}
	err = c.Start(taken)
	l.Close()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("starting PostgreSQL on port %d: pg_ctl: ", taken)) ||
		!strings.Contains(err.Error(), "end of the server log") || !strings.Contains(err.Error(), "could not") {
		t.Errorf("Start on a taken port: %v", err)
	}
	if _, err := c.ReadPIDFile(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed Start left postmaster.pid: %v", err)
	}

	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(port, "application_name=it's quoted"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := c.ReadPIDFile(); err == nil {
			c.Stop(Immediate)
		}
	})
	pf, err := c.ReadPIDFile()
	if err != nil || pf.Port != port || pf.Status != "ready" || !c.ProcessAlive(pf.PID) {
		t.Errorf("ReadPIDFile = %+v, %v; want port %d, ready, alive", pf, err, port)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	var listen, socket, app string
	err = conn.QueryRow(ctx, "SELECT current_setting('listen_addresses'), current_setting('unix_socket_directories'), current_setting('application_name')").Scan(&listen, &socket, &app)
	conn.Close(ctx)
	if err != nil || listen != "127.0.0.1" || socket != "" || app != "it's quoted" {
		t.Errorf("listen_addresses %q, unix_socket_directories %q, application_name %q (%v)", listen, socket, app, err)
	}

	if err := c.Stop(Fast); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadPIDFile(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadPIDFile after Stop: %v, want fs.ErrNotExist", err)
	}
	if err := c.Stop(Fast); err == nil || !strings.Contains(err.Error(), "stopping PostgreSQL: pg_ctl: ") {
		t.Errorf("Stop with no server: %v", err)
	}
}

func TestReadPIDFile(t *testing.T) {
	dir := t.TempDir()
	c := &Cluster{DataDir: dir}
	for _, tc := range []struct {
		content string
		want    PIDFile
		err     bool
	}{
		{"4242\n/data\n1700000000\n5433\n\n127.0.0.1\n  5432001    32768\nready   \n", PIDFile{PID: 4242, Port: 5433, Status: "ready"}, false},
		{"4242\n/data\n1700000000\n", PIDFile{PID: 4242}, false}, // still being written
		{"", PIDFile{}, true},
		{"x\n", PIDFile{}, true},
	} {
		if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReadPIDFile()
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ReadPIDFile(%q) = %+v, %v; want %+v, error %v", tc.content, got, err, tc.want, tc.err)
		}
	}
}

func TestProcessAlive(t *testing.T) {
	c := &Cluster{}
	if c.ProcessAlive(0) || c.ProcessAlive(-1) {
		t.Error("ProcessAlive of no process")
	}
	if !c.ProcessAlive(os.Getpid()) {
		t.Error("ProcessAlive(our own pid) = false, run as ourselves")
	}
	cred, err := RunAs()
	if err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		// Root's process, seen by a server run as postgres: not one it
		// could be.
		c.Cred = cred
		if c.ProcessAlive(os.Getpid()) {
			t.Error("ProcessAlive(root's process) = true for a cluster run as another user")
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"port=5432":                   `'port=5432'`,
		"unix_socket_directories=":    `'unix_socket_directories='`,
		"application_name=it's $HOME": `'application_name=it'\''s $HOME'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
