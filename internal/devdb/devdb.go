// Package devdb runs a project's local development database: a PostgreSQL
// cluster kept in the project, created on first start, started and stopped
// on demand, on a port chosen once so that its URL never changes. mizzle
// dev is its command line; every command that needs a database and is
// given none asks it for the URL of the running one.
//
// The cluster lives in the project's .mizzle folder:
//
//	.mizzle/.gitignore   "*": git ignores the folder without being told
//	.mizzle/dev/data/    the PostgreSQL data directory (initdb's)
//	.mizzle/dev/port     the port, chosen once so the URL never changes
//	.mizzle/dev/lock     serializes starts and stops
//	.mizzle/dev/postgres.log
//
// The package owns the cluster's lifetime: where it lives, the lock, its
// state (none, stopped, running, not answering), creating it, starting and
// stopping it, its port and its database. Running the server programs is
// internal/pgcluster's. It never prints: it returns values and errors, and
// reports progress as events. Its errors name paths relative to the
// caller's working directory and say which mizzle command fixes what.
package devdb

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

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/quote"
)

const (
	// Folder is the folder of mizzle's local state in a project.
	Folder = ".mizzle"
	// Database is the database the cluster holds for the project.
	Database = "dev"
)

// DB is a project's development database, whether or not it exists yet.
// Its methods are safe to call from several processes at once: starts and
// stops take a lock on the folder.
type DB struct {
	// Dir is the cluster's folder, <project>/.mizzle/dev: absolute.
	Dir string
	// WorkDir is the caller's working directory: errors and Rel name paths
	// below it relative to it.
	WorkDir string
	// FindBinaries finds the server programs of a PostgreSQL major version
	// ("" for the newest installed). Nil means pgcluster.FindBinaries.
	FindBinaries func(major string) (pgcluster.Binaries, error)
	// Events, when set, receives the steps of Start and Stop as they
	// happen.
	Events func(Event)
}

// New returns the development database of the project in the directory
// project, for a caller working in workDir. It creates nothing.
func New(project, workDir string) *DB {
	return &DB{Dir: filepath.Join(project, Folder, "dev"), WorkDir: workDir}
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventCreating: initdb is about to create the cluster in Dir, which
	// takes a few seconds.
	EventCreating EventKind = iota
	// EventAlreadyRunning: Start found the server running on Port and
	// reuses it.
	EventAlreadyRunning
	// EventStarted: Start started the server on Port.
	EventStarted
	// EventStopped: Stop stopped the server.
	EventStopped
)

// Event is a step of Start or Stop, for progress output.
type Event struct {
	Kind EventKind
	Port int // for EventAlreadyRunning and EventStarted
}

// State is what became of a development database.
type State int

const (
	// None: never created.
	None State = iota
	// Stopped: created, and no server runs.
	Stopped
	// Running: its server answers.
	Running
	// NotReady: postmaster.pid names a live process, but nothing answers
	// for the folder: a server starting, recovering or shutting down, or a
	// postmaster.pid left by a crash naming a process that is not
	// PostgreSQL.
	NotReady
)

// Status is a development database's state and its port: the one its
// server listens on, or the one it will. Port is 0 when none was chosen
// yet.
type Status struct {
	State State
	Port  int
}

// URL returns the URL of database on the development cluster listening on
// port. sslmode=disable is spelled out so that any client, not only
// mizzle, skips TLS on loopback.
func URL(port int, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

func (d *DB) data() string { return filepath.Join(d.Dir, "data") }

func (d *DB) portFile() string { return filepath.Join(d.Dir, "port") }

// Rel names path in messages: relative to WorkDir when it is below it.
func (d *DB) Rel(path string) string {
	if d.WorkDir == "" {
		return path
	}
	if r, err := filepath.Rel(d.WorkDir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func (d *DB) noneError() error {
	return fmt.Errorf("there is no dev database in %s: mizzle dev creates one", d.Rel(d.Dir))
}

// Exists reports whether the cluster was created: initdb has completed. It
// writes PG_VERSION, and an interrupted one leaves data.new, never data. A
// data directory the caller may not look into (another user's) exists too;
// the methods that need it explain.
func (d *DB) Exists() bool {
	_, err := os.Stat(filepath.Join(d.data(), "PG_VERSION"))
	return err == nil || errors.Is(err, fs.ErrPermission)
}

// Major returns the major version of the cluster, as its PG_VERSION file
// records it ("16"), or "" when there is no cluster or the file does not
// read. It starts and connects to nothing.
func (d *DB) Major() string {
	b, err := os.ReadFile(filepath.Join(d.data(), "PG_VERSION"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Port returns the port chosen when the cluster was created, or 0 when
// the file is gone: deleting it is how a developer has the next start
// choose a new one.
func (d *DB) Port() (int, error) {
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
			d.Rel(d.portFile()), strings.TrimSpace(string(b)))
	}
	return port, nil
}

// URL returns the URL of the project's database without starting
// anything: an error when the cluster was never created or has no port
// yet.
func (d *DB) URL() (string, error) {
	if !d.Exists() {
		return "", d.noneError()
	}
	port, err := d.Port()
	if err != nil {
		return "", err
	}
	if port == 0 {
		return "", errors.New("the dev database has no port yet: mizzle dev chooses one")
	}
	return URL(port, Database), nil
}

// Status finds out whether the server runs. It needs no server programs
// and changes nothing.
func (d *DB) Status(ctx context.Context) (Status, error) {
	if !d.Exists() {
		return Status{State: None}, nil
	}
	pg, err := d.cluster(false)
	if err != nil {
		return Status{}, err
	}
	st, port, _, err := d.state(ctx, pg)
	if err != nil {
		return Status{}, err
	}
	return Status{State: st, Port: port}, nil
}

// RunningURL returns the URL of the project's database when its server is
// running, and "" otherwise, including when it cannot tell: the last
// resort of a command looking for a database, which never starts one.
func (d *DB) RunningURL(ctx context.Context) string {
	st, err := d.Status(ctx)
	if err != nil || st.State != Running {
		return ""
	}
	return URL(st.Port, Database)
}

func (d *DB) event(e Event) {
	if d.Events != nil {
		d.Events(e)
	}
}

// state finds out whether the cluster's server runs, by connecting: a
// postmaster.pid alone may be left over from a crash. It returns the port
// the server listens on, or the one it will.
func (d *DB) state(ctx context.Context, pg *pgcluster.Cluster) (State, int, pgcluster.PIDFile, error) {
	if !d.Exists() {
		return None, 0, pgcluster.PIDFile{}, nil
	}
	port, err := d.Port()
	if err != nil {
		return 0, 0, pgcluster.PIDFile{}, err
	}
	pf, err := pg.ReadPIDFile()
	if errors.Is(err, fs.ErrNotExist) {
		return Stopped, port, pf, nil
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
		return Running, port, pf, nil
	}
	if !pg.ProcessAlive(pf.PID) {
		// Left by a crash; postgres removes it when it starts.
		return Stopped, port, pf, nil
	}
	return NotReady, port, pf, nil
}

// answers reports whether the server on port is this folder's: another
// project's cluster could have been given the same port while this one was
// stopped.
func (d *DB) answers(ctx context.Context, port int) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL(port, "postgres"))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dataDir); err != nil {
		return false
	}
	a, err1 := os.Stat(dataDir)
	b, err2 := os.Stat(d.data())
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// cluster returns the pgcluster view of the folder. As root it runs the
// server as the owner of an existing data directory, whoever created it,
// and otherwise as pgcluster.RunAs says; not as root, the data directory
// must be the caller's.
func (d *DB) cluster(needBinaries bool) (*pgcluster.Cluster, error) {
	data := d.data()
	pg := &pgcluster.Cluster{
		DataDir: data,
		LogFile: filepath.Join(d.Dir, "postgres.log"),
		WorkDir: d.Dir,
	}
	fi, err := os.Stat(data)
	switch {
	case err == nil:
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil, fmt.Errorf("%s: cannot tell its owner", d.Rel(data))
		}
		switch euid := os.Geteuid(); {
		case euid == 0 && st.Uid == 0:
			return nil, fmt.Errorf("%s belongs to root, which PostgreSQL refuses to run as: delete %s to create a new dev database",
				d.Rel(data), d.Rel(d.Dir))
		case euid == 0:
			pg.Cred = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
		case euid != 0 && int(st.Uid) != euid:
			owner := pgcluster.UserName(&syscall.Credential{Uid: st.Uid})
			return nil, fmt.Errorf("the dev database in %s belongs to user %s (it was created as root or by that user): "+
				"run mizzle dev as root or as %s, or delete %s (as root) to create a new one",
				d.Rel(d.Dir), owner, owner, d.Rel(d.Dir))
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
	if b, err := os.ReadFile(filepath.Join(data, "PG_VERSION")); err == nil {
		major = strings.TrimSpace(string(b))
	}
	find := d.FindBinaries
	if find == nil {
		find = pgcluster.FindBinaries
	}
	pg.Bin, err = find(major)
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
				d.Rel(d.Dir), major, v, filepath.Dir(pg.Bin.PgCtl), major, d.Rel(d.Dir))
		}
	}
	return pg, nil
}

// lock serializes starts and stops on the folder, so that two at once do
// not both run initdb or start the server. The lock goes with the process.
func (d *DB) lock(cred *syscall.Credential) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(d.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := own(f.Name(), cred); err != nil {
		f.Close()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %v", d.Rel(f.Name()), err)
	}
	return func() { f.Close() }, nil
}

// Start starts the cluster, creating it first if need be, and returns the
// URL of the project's database, which it creates too if it is missing. A
// server already running is reused as it is.
func (d *DB) Start(ctx context.Context) (string, error) {
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
	if st == NotReady {
		if st, port, err = d.waitReady(ctx, pg, pf); err != nil {
			return "", err
		}
	}
	switch st {
	case Running:
		d.event(Event{Kind: EventAlreadyRunning, Port: port})
	case None:
		if err := d.create(pg); err != nil {
			return "", err
		}
		if port, err = d.Port(); err != nil {
			return "", err
		}
		fallthrough
	case Stopped:
		if port == 0 {
			// The port file was deleted to choose a new port.
			if port, err = d.choosePort(pg.Cred); err != nil {
				return "", err
			}
		}
		if !pgcluster.PortFree(port) {
			return "", fmt.Errorf("port %d, where the dev database in %s listens, is taken by another program: "+
				"stop that program, or delete %s to have mizzle dev choose a new port (the data is kept)",
				port, d.Rel(d.Dir), d.Rel(d.portFile()))
		}
		if err := pg.Start(port); err != nil {
			return "", err
		}
		d.event(Event{Kind: EventStarted, Port: port})
	}
	if err := ensureDatabase(ctx, port); err != nil {
		return "", err
	}
	return URL(port, Database), nil
}

// waitReady waits for a server that is starting up (or recovering after a
// crash) or shutting down, and otherwise explains the postmaster.pid that
// names a live process that is not this folder's server.
func (d *DB) waitReady(ctx context.Context, pg *pgcluster.Cluster, pf pgcluster.PIDFile) (State, int, error) {
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
		if err != nil || st != NotReady || pf2.PID != pf.PID {
			return st, port, err
		}
	}
	pidFile := filepath.Join(d.data(), "postmaster.pid")
	return 0, 0, fmt.Errorf("%s names process %d, which is running, but no server answers for %s: "+
		"if that process is not PostgreSQL (the file is left over from a crash), delete %s and run mizzle dev again",
		d.Rel(pidFile), pf.PID, d.Rel(d.Dir), d.Rel(pidFile))
}

// makeFolder creates .mizzle/dev, owned by the user the server runs as so
// that initdb can create the data directory in it and the server can write
// its log there. .mizzle gets a .gitignore of its own, as caches do, so the
// folder stays out of commits even in a project that was never told about
// it.
func (d *DB) makeFolder(cred *syscall.Credential) error {
	top := filepath.Dir(d.Dir)
	if err := os.MkdirAll(top, 0o755); err != nil {
		return err
	}
	ignore := filepath.Join(top, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# Created by mizzle: local state, never committed.\n*\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.Mkdir(d.Dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return own(d.Dir, cred)
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
func (d *DB) create(pg *pgcluster.Cluster) error {
	if pg.Cred != nil {
		// The server's user must reach the folder through every directory
		// above it; a project under root's home usually is out of its reach,
		// and initdb's own message would not say so.
		probe := pg.Command("/bin/sh", "-c", `test -w "$1"`, "sh", d.Dir)
		probe.Dir = "/"
		if probe.Run() != nil {
			name := pgcluster.UserName(pg.Cred)
			return fmt.Errorf("the dev database runs as user %s (PostgreSQL refuses to run as root), which cannot reach %s: "+
				"let it through the directories above (chmod o+x on each), or run mizzle dev as another user than root",
				name, d.Rel(d.Dir))
		}
	}
	d.event(Event{Kind: EventCreating})
	tmp := d.data() + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	init := *pg
	init.DataDir = tmp
	if err := init.Init(pgcluster.InitOptions{}); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, d.data()); err != nil {
		return err
	}
	if port, err := d.Port(); err == nil && port != 0 {
		return nil
	}
	_, err := d.choosePort(pg.Cred)
	return err
}

// choosePort picks a free port and records it for every later start.
func (d *DB) choosePort(cred *syscall.Credential) (int, error) {
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

// ensureDatabase creates the project's database if it is missing: on first
// start, or after someone dropped it.
func ensureDatabase(ctx context.Context, port int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL(port, "postgres"))
	if err != nil {
		return fmt.Errorf("connecting to the dev database: %v", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", Database).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+quote.Ident(Database)); err != nil {
			return fmt.Errorf("creating database %s: %v", Database, err)
		}
	}
	return nil
}

// Stop stops the server with a clean shutdown, keeping the data: it is
// the developer's. It is an error when the server is not running.
func (d *DB) Stop(ctx context.Context) error {
	if !d.Exists() {
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
	if st == NotReady {
		// Never signal a process that may not be ours.
		if st, _, err = d.waitReady(ctx, pg, pf); err != nil {
			return err
		}
	}
	if st != Running {
		return fmt.Errorf("the dev database in %s is not running", d.Rel(d.Dir))
	}
	if err := pg.Stop(pgcluster.Fast); err != nil {
		return err
	}
	d.event(Event{Kind: EventStopped})
	return nil
}
