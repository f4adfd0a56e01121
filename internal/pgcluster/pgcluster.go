// Package pgcluster runs a PostgreSQL cluster with the server programs
// installed on the machine: it finds initdb and pg_ctl, picks the user to run
// them as when the caller is root (which initdb and postgres refuse to run
// as), creates a cluster with trust authentication, and starts, stops and
// inspects it on a loopback port, with the server's log in a file.
//
// It owns the mechanics only. It does not know where a cluster lives, how
// long it should live, which settings suit its use (a test cluster turns
// durability off, a development cluster keeps it), or which databases it
// holds: internal/pgtest and the mizzle dev command decide those. It never
// prints and never removes a directory it did not create.
//
// The server always listens on 127.0.0.1 only and without a Unix socket:
// clients connect over TCP, and a socket path under a long directory name
// can exceed the 107-byte limit of sockaddr_un.
//
// The package is Unix-only: it uses syscall.Credential to drop root.
package pgcluster

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InstallHelp says how to get the server programs, for messages that report
// ErrNotInstalled.
const InstallHelp = "install PostgreSQL 13 or later (Debian/Ubuntu: apt-get install postgresql; " +
	"macOS: brew install postgresql) so that initdb and pg_ctl are on PATH or in /usr/lib/postgresql/*/bin"

// ErrNotInstalled is returned by FindBinaries when initdb and pg_ctl are
// nowhere to be found.
var ErrNotInstalled = errors.New("PostgreSQL's initdb and pg_ctl were not found")

// ErrNoUser is returned by RunAs when the caller is root and there is no
// user to run the cluster as.
var ErrNoUser = errors.New("running as root, which PostgreSQL refuses, and there is neither a postgres nor a nobody user to run it as")

// libGlob is where Debian and Ubuntu install the server programs, one
// directory per major version, off PATH. A variable so that tests can point
// it at fake installations.
var libGlob = "/usr/lib/postgresql/*/bin"

// Binaries are the server programs a cluster is run with.
type Binaries struct {
	Initdb, PgCtl string
}

// FindBinaries looks for initdb and pg_ctl on PATH and then in
// /usr/lib/postgresql/*/bin, the highest version first.
//
// With a major version ("15"), the programs of that version are preferred:
// /usr/lib/postgresql/MAJOR/bin first, then PATH's and the other versions'
// when they turn out to be that version; if none is, FindBinaries returns
// what it would have without major, and the caller compares Version.
func FindBinaries(major string) (Binaries, error) {
	var found []Binaries
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		found = append(found, Binaries{initdb, pgCtl})
	}
	dirs, _ := filepath.Glob(libGlob)
	// Highest version first; the directory names are versions like 9.6 or 16.
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		b := Binaries{filepath.Join(dir, "initdb"), filepath.Join(dir, "pg_ctl")}
		if isExecutable(b.Initdb) && isExecutable(b.PgCtl) {
			if major != "" && filepath.Base(filepath.Dir(dir)) == major {
				return b, nil
			}
			found = append(found, b)
		}
	}
	if len(found) == 0 {
		return Binaries{}, ErrNotInstalled
	}
	if major != "" {
		for _, b := range found {
			if v, err := b.Version(); err == nil && v == major {
				return b, nil
			}
		}
	}
	return found[0], nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// Version returns the major version of the programs, as PG_VERSION in a
// data directory records it: "15", or "9.6" before PostgreSQL 10.
func (b Binaries) Version() (string, error) {
	out, err := exec.Command(b.PgCtl, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %v", b.PgCtl, err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s --version: unexpected output %q", b.PgCtl, bytes.TrimSpace(out))
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 10 && len(m[2]) > 0 {
		return string(m[1]) + "." + string(m[2]), nil
	}
	return string(m[1]), nil
}

// compareVersions compares dotted version numbers numerically.
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

// RunAs returns the user to run the cluster as: nil (the caller) unless the
// caller is root, which initdb and postgres refuse to run as; then the
// postgres user, or nobody if there is no postgres user, or ErrNoUser.
func RunAs() (*syscall.Credential, error) {
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
	return nil, ErrNoUser
}

// UserName returns the name of the user a cluster runs as, for messages:
// the current user's for nil.
func UserName(cred *syscall.Credential) string {
	uid := os.Geteuid()
	if cred != nil {
		uid = int(cred.Uid)
	}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// Cluster is a PostgreSQL data directory and the programs that run it.
type Cluster struct {
	Bin Binaries
	// DataDir is the data directory: absolute, as postgres reports it back
	// in data_directory.
	DataDir string
	// LogFile receives the server's output; its directory must be writable
	// by Cred.
	LogFile string
	// WorkDir is the working directory of the programs. initdb and postgres
	// complain when they cannot read theirs, so it must be accessible to
	// Cred; the caller's own may not be.
	WorkDir string
	// Cred is the user to run the programs as; nil runs them as the caller.
	Cred *syscall.Credential
}

// InitOptions tune Init.
type InitOptions struct {
	// NoSync skips initdb's fsync calls, the slow part of it: for a cluster
	// that is thrown away anyway.
	NoSync bool
}

// Init creates the cluster's data directory with initdb: superuser postgres,
// trust authentication, UTF8 and the C locale (the same ordering on every
// machine, whatever locales it has). Trust is for loopback use: Start
// listens on 127.0.0.1 only and without a Unix socket.
func (c *Cluster) Init(opts InitOptions) error {
	args := []string{"-D", c.DataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"}
	if opts.NoSync {
		args = append(args, "--no-sync")
	}
	out, err := c.Command(c.Bin.Initdb, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

// Start starts the server on 127.0.0.1:port and waits until it accepts
// connections. Settings are extra "name=value" server settings. On failure
// the error ends with the tail of the server log, which says why, and no
// server is left running.
func (c *Cluster) Start(port int, settings ...string) error {
	all := append([]string{
		"listen_addresses=127.0.0.1",
		"port=" + strconv.Itoa(port),
		"unix_socket_directories=",
	}, settings...)
	// pg_ctl hands -o to /bin/sh, so every setting is shell-quoted.
	var opts strings.Builder
	for i, s := range all {
		if i > 0 {
			opts.WriteByte(' ')
		}
		opts.WriteString("-c " + shellQuote(s))
	}
	out, err := c.Command(c.Bin.PgCtl, "start", "-w", "-t", "60", "-D", c.DataDir,
		"-l", c.LogFile, "-o", opts.String()).CombinedOutput()
	if err != nil {
		// pg_ctl gives up after -t but the server may yet come up; make sure
		// the caller's next attempt does not find it running.
		c.Command(c.Bin.PgCtl, "stop", "-D", c.DataDir, "-m", "immediate", "-w", "-s").Run()
		return fmt.Errorf("starting PostgreSQL on port %d: pg_ctl: %v\n%s\nend of the server log %s:\n%s",
			port, err, bytes.TrimSpace(out), c.LogFile, c.LogTail(20))
	}
	return nil
}

// StopMode is how Stop treats the server's clients.
type StopMode string

const (
	// Fast rolls back open transactions, disconnects the clients and shuts
	// down cleanly: nothing committed is lost.
	Fast StopMode = "fast"
	// Immediate kills the server; the next start recovers from the WAL. For
	// a cluster that is thrown away.
	Immediate StopMode = "immediate"
)

// Stop stops the server and waits until it is gone.
func (c *Cluster) Stop(mode StopMode) error {
	out, err := c.Command(c.Bin.PgCtl, "stop", "-D", c.DataDir, "-m", string(mode), "-w", "-t", "60").CombinedOutput()
	if err != nil {
		return fmt.Errorf("stopping PostgreSQL: pg_ctl: %v\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

// ProcessAlive reports whether pid is a live process that postgres, run as
// Cred, would take for a server holding the data directory, as it decides
// when it finds a postmaster.pid at start: a process it may signal. After a
// crash and a reboot, the process id in a leftover postmaster.pid may belong
// to another program; postgres ignores it when it belongs to another user,
// and the caller tells the rest apart by connecting.
func (c *Cluster) ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil {
		// EPERM: alive, but another user's, which postgres run as that
		// other user would not be.
		return false
	}
	if c.Cred != nil {
		// We are root and may signal anything; postgres, run as Cred, only
		// its own user's processes. /proc says whose it is where there is
		// one (Linux); elsewhere count it as alive, the cautious answer.
		if fi, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != c.Cred.Uid {
				return false
			}
		}
	}
	return true
}

// PIDFile is what a running server records in its data directory's
// postmaster.pid.
type PIDFile struct {
	PID  int
	Port int
	// Status is "starting", "stopping", "ready" or "standby"; empty while
	// the server has not written it yet.
	Status string
}

// ReadPIDFile reads the data directory's postmaster.pid. Its error wraps
// fs.ErrNotExist when there is none, which means no server runs.
func (c *Cluster) ReadPIDFile() (PIDFile, error) {
	path := filepath.Join(c.DataDir, "postmaster.pid")
	b, err := os.ReadFile(path)
	if err != nil {
		return PIDFile{}, err
	}
	// The layout is fixed (see pidfile.h): PID, data directory, start time,
	// port, socket directory, listen address, shared memory key, status.
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	var f PIDFile
	if len(lines) > 0 {
		f.PID, err = strconv.Atoi(lines[0])
	}
	if err != nil || len(lines) == 0 {
		return PIDFile{}, fmt.Errorf("%s: no process id on its first line", path)
	}
	if len(lines) > 3 {
		f.Port, _ = strconv.Atoi(lines[3])
	}
	if len(lines) > 7 {
		f.Status = lines[7]
	}
	return f, nil
}

// LogTail returns the last n lines of the server log, which say why a
// server did not start.
func (c *Cluster) LogTail(n int) string {
	b, err := os.ReadFile(c.LogFile)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Command prepares to run a program as the cluster's user, in WorkDir.
func (c *Cluster) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.WorkDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.Cred}
	// If a postgres child ever held on to our output pipe, don't wait forever.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// FreePort asks the kernel for a loopback port that is free right now. It
// may be taken by the time a server binds it; callers retry or report.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PortFree reports whether nothing listens on 127.0.0.1:port, by trying to.
func PortFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shmFree is how much room TempParent wants free in /dev/shm: a cluster is
// about 40 MB, and each database of it 8 MB more.
const shmFree = 1 << 30

// TempParent is where a throwaway cluster's directory goes: in memory
// (/dev/shm, where Linux keeps a file system in memory) when there is room,
// else os.TempDir. Even with fsync off, PostgreSQL asks the kernel to write
// out what it makes and copies (each CREATE TABLE's files, CREATE DATABASE's
// copy of a template file by file), which on a disk made a copy of an empty
// database ten times as slow and a third of a cold query typing's time.
func TempParent() string {
	const shm = "/dev/shm"
	var st syscall.Statfs_t
	if err := syscall.Statfs(shm, &st); err == nil && st.Bavail*uint64(st.Bsize) >= shmFree && syscall.Access(shm, 2 /* W_OK */) == nil {
		return shm
	}
	return os.TempDir()
}
