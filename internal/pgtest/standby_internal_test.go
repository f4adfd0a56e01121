package pgtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindBasebackup finds pg_basebackup next to the file a pg_ctl link
// names (Debian's programs are linked onto PATH from
// /usr/lib/postgresql/N/bin), and without one anywhere fails with install
// advice, so that a test of read replicas fails saying what to install.
func TestFindBasebackup(t *testing.T) {
	lib, bin := t.TempDir(), t.TempDir()
	pgCtl := filepath.Join(bin, "pg_ctl")
	if err := os.WriteFile(filepath.Join(lib, "pg_ctl"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(lib, "pg_ctl"), pgCtl); err != nil {
		t.Fatal(err)
	}
	if _, err := findBasebackup(pgCtl, t.TempDir()); err == nil || !strings.Contains(err.Error(), "apt-get install postgresql-client") {
		t.Errorf("findBasebackup with no pg_basebackup: %v, want install advice", err)
	}
	want := filepath.Join(lib, "pg_basebackup")
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := findBasebackup(pgCtl, ""); err != nil || got != want {
		t.Errorf("findBasebackup = %q, %v; want %q", got, err, want)
	}
}
