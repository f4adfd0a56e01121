package pgtest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// StopServer stops the server running on the data directory dataDir, if
// one runs, as the directory's owner and without a clean shutdown. It is
// for tests whose cluster the code under test started (mizzle dev's),
// which must not outlive the test whatever it did: it goes around that
// code, so that a bug there cannot leave a server behind.
func StopServer(t testing.TB, dataDir string) {
	t.Helper()
	fi, err := os.Stat(dataDir)
	if err != nil {
		return
	}
	pg := &pgcluster.Cluster{DataDir: dataDir, WorkDir: filepath.Dir(dataDir)}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		pg.Cred = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
	}
	pf, err := pg.ReadPIDFile()
	if err != nil || !pg.ProcessAlive(pf.PID) {
		return
	}
	if pg.Bin, err = pgcluster.FindBinaries(""); err != nil {
		t.Errorf("pgtest: stopping the server on %s: %v", dataDir, err)
		return
	}
	if err := pg.Stop(pgcluster.Immediate); err != nil {
		t.Errorf("pgtest: stopping the server on %s: %v", dataDir, err)
	}
}
