package pgtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindPgBouncerMissing: without pgbouncer anywhere, the error says how
// to install it, so that a test through the pooler fails with advice.
func TestFindPgBouncerMissing(t *testing.T) {
	_, err := findPgBouncer(t.TempDir(), filepath.Join(t.TempDir(), "sbin"))
	if err == nil || !strings.Contains(err.Error(), "apt-get install pgbouncer") {
		t.Errorf("findPgBouncer with no pgbouncer: %v, want install advice", err)
	}
}

// TestFindPgBouncerOffPath finds pgbouncer in a directory that is not on
// PATH, as Debian's /usr/sbin is not for most users, and refuses a file
// that cannot be run.
func TestFindPgBouncerOffPath(t *testing.T) {
	sbin := t.TempDir()
	p := filepath.Join(sbin, "pgbouncer")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := findPgBouncer("", sbin); err == nil {
		t.Errorf("findPgBouncer took a file that is not executable")
	}
	if err := os.Chmod(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := findPgBouncer(t.TempDir(), sbin); err != nil || got != p {
		t.Errorf("findPgBouncer = %q, %v; want %q", got, err, p)
	}
}
