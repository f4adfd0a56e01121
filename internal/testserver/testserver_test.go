package testserver

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// TestNotInstalled: without the server programs, starting a cluster fails
// with how to install them, and how to use a server instead.
func TestNotInstalled(t *testing.T) {
	findBinaries = func(string) (pgcluster.Binaries, error) { return pgcluster.Binaries{}, pgcluster.ErrNotInstalled }
	defer func() { findBinaries = pgcluster.FindBinaries }()
	_, err := StartCluster()
	if err == nil {
		t.Fatal("StartCluster without initdb and pg_ctl: no error")
	}
	for _, want := range []string{"apt-get install postgresql", "brew install postgresql", EnvURL} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestClusterLifetime: a cluster answers, databases are created from a
// template and dropped, and Close stops it and removes its directory.
func TestClusterLifetime(t *testing.T) {
	t.Setenv(EnvURL, "")
	s, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	dir := s.cluster.dir
	ctx := context.Background()
	if err := s.CreateDatabase(ctx, `we"ird`, "", ""); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, s.URL(`we"ird`))
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil || name != `we"ird` {
		t.Errorf("current_database() = %q, %v", name, err)
	}
	conn.Close(ctx)
	if err := s.DropDatabase(ctx, `we"ird`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", []any{`we"ird`}, &n); err != nil || n != 0 {
		t.Errorf("after the drop: %d databases, %v", n, err)
	}
	// Another's connection runs beside s's, and its Close leaves the
	// cluster running.
	a := s.Another()
	if err := a.CreateDatabase(ctx, "beside", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.DropDatabase(ctx, "beside"); err != nil {
		t.Errorf("after Another's Close, the cluster: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("the cluster's directory %s is still there: %v", dir, err)
	}
}

// TestExternalURL: a URL in the environment that does not parse is named
// by the variable, without the password.
func TestExternalURL(t *testing.T) {
	for _, raw := range []string{"postgres://u:s3cr%zzet@h/db", "host=h password=s3cret", "postgres://u:s3cret@h:notaport/db"} {
		t.Setenv(EnvURL, raw)
		_, err := Open()
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		if !strings.Contains(err.Error(), EnvURL) || strings.Contains(err.Error(), "s3cr") {
			t.Errorf("error %q: want it to name %s and not the password", err, EnvURL)
		}
	}
	t.Setenv(EnvURL, "postgres://u:s3cret@db.example.com/app?password=s3cret")
	s, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	if !s.External() || strings.Contains(s.String(), "s3cret") {
		t.Errorf("External() %v, String() %q", s.External(), s.String())
	}
	u, _ := url.Parse(s.URL("other"))
	if u.Path != "/other" || u.Host != "db.example.com" {
		t.Errorf("URL(other) = %s", s.URL("other"))
	}
}
