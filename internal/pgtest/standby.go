package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/testserver"
)

// standbyInstallHelp is how a test that needs a standby says how to get
// pg_basebackup.
const standbyInstallHelp = "pg_basebackup is not installed: the tests of read replicas make a streaming standby " +
	"with it; install PostgreSQL's client programs of the server's version (Debian/Ubuntu: apt-get install postgresql-client)"

var (
	standbyOnce sync.Once
	stby        *standby
	standbyErr  error
	// standbyMu keeps StopStandby and StartStandby from running together.
	standbyMu sync.Mutex
)

// standby is a streaming standby of a test server, made with
// pg_basebackup -R, and the server it follows.
type standby struct {
	primary *testserver.Server // the package's server, or a cluster of the standby's own when that one is external
	own     bool               // primary is the standby's own, to close
	pg      *pgcluster.Cluster
	dir     string
	port    int
	slot    string
	reaper  *reaper
}

// NewReplicatedDatabase creates a fresh, empty database on a primary
// server for t, as NewDatabase does, and returns its URL there and on a
// streaming standby of that server, once the standby has it. The standby
// is made with pg_basebackup -R from the package's throwaway cluster (or,
// when MIZZLE_TEST_DATABASE_URL names the package's server, from a
// cluster of its own on this machine) on first use, one per test binary,
// on a free loopback port, and Main stops it. Reads on the standby see
// the primary's commits once it has replayed them: call CatchUp after
// writing. A missing pg_basebackup fails t with install advice.
func NewReplicatedDatabase(t testing.TB) (primaryURL, standbyURL string) {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	s := startedStandby(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "r_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.primary.CreateDatabase(ctx, name, "", ""); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.primary.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	primaryURL = s.primary.URL(name)
	standbyURL = s.url(t, primaryURL)
	CatchUp(t)
	return primaryURL, standbyURL
}

// startedStandby returns the test binary's standby, starting it on first
// use, or fails t.
func startedStandby(t testing.TB) *standby {
	t.Helper()
	standbyOnce.Do(func() { stby, standbyErr = startStandby() })
	if standbyErr != nil {
		t.Fatalf("pgtest: %v", standbyErr)
	}
	return stby
}

// url is dbURL (a database of the primary) on the standby.
func (s *standby) url(t testing.TB, dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	return u.String()
}

// CatchUp waits until the standby has replayed every change the primary
// had written when it was called (at most a minute), so that a read on
// the standby sees what t wrote on the primary before.
func CatchUp(t testing.TB) {
	t.Helper()
	s := startedStandby(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The insert position, not the written one: the test cluster commits
	// asynchronously (synchronous_commit off), so a commit may be in the
	// WAL buffers still, which the standby gets once the WAL writer has
	// written them, within a fraction of a second.
	var lsn string
	if err := s.primary.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text", nil, &lsn); err != nil {
		t.Fatalf("pgtest: reading the primary's WAL position: %v", err)
	}
	// The standby's postgres database: the test's may not be there yet.
	conn, err := pgx.Connect(ctx, s.url(t, s.primary.URL("postgres")))
	if err != nil {
		t.Fatalf("pgtest: connecting to the standby: %v", err)
	}
	defer conn.Close(context.Background())
	for {
		var done bool
		if err := conn.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn).Scan(&done); err != nil {
			t.Fatalf("pgtest: reading the standby's replay position: %v", err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("pgtest: the standby has not replayed the primary's WAL up to %s after a minute:\n%s", lsn, s.pg.LogTail(20))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// StopStandby stops the standby (a fast shutdown, which ends its
// clients' connections), for a test of what a client does when a replica
// goes away. It runs again when t ends, or when StartStandby is called.
// A test that stops it must not run in parallel with other tests of the
// standby.
func StopStandby(t testing.TB) {
	t.Helper()
	s := startedStandby(t)
	standbyMu.Lock()
	defer standbyMu.Unlock()
	if err := s.pg.Stop(pgcluster.Fast); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(s.pg.DataDir, "postmaster.pid")); err == nil {
			return
		}
		StartStandby(t)
	})
}

// StartStandby starts the standby StopStandby stopped, on the same port,
// and waits until it accepts connections.
func StartStandby(t testing.TB) {
	t.Helper()
	s := startedStandby(t)
	standbyMu.Lock()
	defer standbyMu.Unlock()
	if err := s.pg.Start(s.port, testserver.Settings()...); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// startStandby makes a standby of the package's server, or of a cluster
// of its own when that server is external, in a temporary directory.
func startStandby() (*standby, error) {
	startOnce.Do(func() { srv, startErr = testserver.Open() })
	if startErr != nil {
		return nil, startErr
	}
	s := &standby{primary: srv}
	if srv.External() {
		// pg_basebackup copies a server's files to this machine, where the
		// standby runs: a server of this machine's version, started here.
		p, err := testserver.OpenCluster()
		if err != nil {
			return nil, err
		}
		s.primary, s.own = p, true
	}
	if err := s.start(); err != nil {
		if s.own {
			s.primary.Close()
		}
		return nil, err
	}
	return s, nil
}

func (s *standby) start() error {
	bin, err := pgcluster.FindBinaries("")
	if err != nil {
		return fmt.Errorf("%v: %s", err, pgcluster.InstallHelp)
	}
	basebackup, err := findBasebackup(bin.PgCtl, os.Getenv("PATH"))
	if err != nil {
		return err
	}
	cred, err := pgcluster.RunAs()
	if err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(s.primary.AdminURL())
	if err != nil {
		return err
	}
	if s.dir, err = os.MkdirTemp("", "mizzle-standby-"); err != nil {
		return err
	}
	if cred != nil {
		if err := os.Chown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(s.dir)
			return err
		}
	}
	s.pg = &pgcluster.Cluster{Bin: bin, DataDir: filepath.Join(s.dir, "data"), LogFile: filepath.Join(s.dir, "postgres.log"), WorkDir: s.dir, Cred: cred}
	// The reaper stops the standby and removes its directory if the test
	// binary dies without going through Main. As root it may signal the
	// server's user's postmaster; pg_ctl would refuse to run.
	if s.reaper, err = startReaper(`pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid"; sleep 1; rm -rf "$2"`, s.pg.DataDir, s.dir); err != nil {
		os.RemoveAll(s.dir)
		return err
	}
	// A slot keeps the primary's WAL until the standby has it, even while
	// a test has stopped it.
	var b [4]byte
	rand.Read(b[:])
	s.slot = "mizzle_standby_" + hex.EncodeToString(b[:])
	// -R writes primary_conninfo and standby.signal; -X stream takes the
	// WAL of the copy's own time over a second connection; -c fast starts
	// at once instead of at the next checkpoint; --no-sync as initdb's.
	// The trust lines initdb writes for replication on 127.0.0.1 let it in.
	out, err := s.pg.Command(basebackup, "-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User,
		"-D", s.pg.DataDir, "-R", "-X", "stream", "-C", "-S", s.slot, "-c", "fast", "--no-sync").CombinedOutput()
	if err != nil {
		s.stop()
		return fmt.Errorf("making a standby with pg_basebackup from %s: %v\n%s", s.primary, err, out)
	}
	for attempt := 1; ; attempt++ {
		if s.port, err = pgcluster.FreePort(); err == nil {
			if err = s.pg.Start(s.port, testserver.Settings()...); err == nil {
				return nil
			}
		}
		if attempt == 3 {
			s.stop()
			return fmt.Errorf("starting the standby: %v", err)
		}
	}
}

// findBasebackup returns the pg_basebackup of pgCtl's installation: next
// to it, or to the file a link to it names (a pg_ctl on PATH linking to
// /usr/lib/postgresql/N/bin, as Debian's are not on PATH), else on PATH.
func findBasebackup(pgCtl, path string) (string, error) {
	dirs := []string{filepath.Dir(pgCtl)}
	if real, err := filepath.EvalSymlinks(pgCtl); err == nil {
		dirs = append([]string{filepath.Dir(real)}, dirs...)
	}
	for _, dir := range append(dirs, filepath.SplitList(path)...) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "pg_basebackup")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New(standbyInstallHelp)
}

// close stops the standby and closes a primary of its own.
func (s *standby) close() error {
	err := s.stop()
	if s.own {
		err = errors.Join(err, s.primary.Close())
	}
	return err
}

// stop stops the standby, drops its slot, removes its directory and
// dismisses the reaper.
func (s *standby) stop() error {
	var errs []error
	if _, err := os.Stat(filepath.Join(s.pg.DataDir, "postmaster.pid")); err == nil {
		if err := s.pg.Stop(pgcluster.Immediate); err != nil {
			errs = append(errs, err)
		}
	}
	if s.slot != "" {
		// The walsender of a standby just stopped may hold the slot a
		// moment longer.
		var err error
		for range 50 {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err = s.primary.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "+quote.Literal(s.slot))
			cancel()
			if err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("dropping the standby's replication slot: %w", err))
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, err)
	}
	if s.reaper != nil {
		s.reaper.dismiss(len(errs) == 0)
	}
	return errors.Join(errs...)
}
