package cli

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// serverPrograms makes find what finds the throwaway cluster's server
// programs until the test ends.
func serverPrograms(t *testing.T, find func(string) (pgcluster.Binaries, error)) {
	t.Helper()
	saved := findBinaries
	findBinaries = find
	t.Cleanup(func() { findBinaries = saved })
}

// noServerPrograms: as on a machine without them.
func noServerPrograms(string) (pgcluster.Binaries, error) {
	return pgcluster.Binaries{}, pgcluster.ErrNotInstalled
}

// TestGenerateQueriesCache: once typed, the queries come from the cache:
// generate with the model cache and the no-op memo off, and
// generate --no-migrations, need no server (there are no server programs
// and no URL), also after a run that wrote the migration the typing
// was done with. A change to a query file or to a migration is a miss, and
// so is a damaged entry, MIZZLE_CACHE=off, and an entry typed on another
// major version than the installed programs'.
func TestGenerateQueriesCache(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	cache := os.Getenv("MIZZLE_CACHE")
	t.Chdir(dir)
	args := []string{"generate", "--schema", "schema", "--query", "db", "--queries", "queries"}
	code, stdout, stderr := runArgs(args...)
	if code != 0 || stderr != "Typing 7 SQL queries in a scratch database on a throwaway cluster\n" || !strings.Contains(stdout, "migrations/0000_") {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	generated, err := os.ReadFile(filepath.Join(dir, "db", "authors_sql.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string) {
		t.Helper()
		if got, _ := os.ReadFile(filepath.Join(dir, "db", "authors_sql.gen.go")); !bytes.Equal(got, generated) {
			t.Errorf("%s: other code was written", what)
		}
	}

	serverPrograms(t, noServerPrograms)
	// --no-cache turns the model cache off, and the memo with it.
	code, stdout, stderr = runArgs(append(args, "--no-cache")...)
	if code != 0 || stdout != noChanges+"\n" || stderr != "" {
		t.Errorf("generate from the cache: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runArgs(append(args, "--no-migrations")...)
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("generate --no-migrations from the cache: exit %d\n%s%s", code, stdout, stderr)
	}
	unchanged("from the cache")

	needsServer := func(what string) {
		t.Helper()
		code, stdout, stderr := runArgs(append(args, "--no-cache")...)
		if code == 0 || !strings.Contains(stderr, "typing the queries needs a PostgreSQL server, and there is none") {
			t.Errorf("%s: exit %d\n%s%s", what, code, stdout, stderr)
		}
	}
	query := filepath.Join(dir, "queries", "authors.sql")
	src, err := os.ReadFile(query)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(query, append(bytes.Clone(src), "\n-- name: CountAuthors :one\nSELECT count(*) FROM author;\n"...), 0o644)
	needsServer("a new query")
	os.WriteFile(query, src, 0o644)

	migs, err := filepath.Glob(filepath.Join(dir, "migrations", "0000_*.sql"))
	if err != nil || len(migs) != 1 {
		t.Fatalf("migrations %v (%v)", migs, err)
	}
	mig, err := os.ReadFile(migs[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(migs[0], append(bytes.Clone(mig), "\nCREATE INDEX author_name ON author (name);\n"...), 0o644)
	needsServer("a changed migration")
	os.WriteFile(migs[0], mig, 0o644)

	t.Setenv("MIZZLE_CACHE", "off")
	needsServer("MIZZLE_CACHE=off")
	t.Setenv("MIZZLE_CACHE", cache)

	// Installed programs of another major version than the server that
	// typed the entries: a miss, and the cluster they would start fails.
	fake := filepath.Join(t.TempDir(), "pg_ctl")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'pg_ctl (PostgreSQL) 99.1'\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	serverPrograms(t, func(string) (pgcluster.Binaries, error) {
		return pgcluster.Binaries{Initdb: "/nonexistent/initdb", PgCtl: fake}, nil
	})
	if code, stdout, stderr := runArgs(append(args, "--no-cache")...); code == 0 || !strings.Contains(stderr, "starting a throwaway cluster") {
		t.Errorf("programs of version 99: exit %d\n%s%s", code, stdout, stderr)
	}

	// A damaged entry is a miss: typed again, on the installed programs,
	// to the same code.
	serverPrograms(t, pgcluster.FindBinaries)
	entries, err := filepath.Glob(filepath.Join(cache, "queries", "*"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("cache entries %v (%v)", entries, err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(e, data[:len(data)-3], 0o644)
	}
	code, stdout, stderr = runArgs(append(args, "--no-cache")...)
	if code != 0 || stdout != noChanges+"\n" || !strings.Contains(stderr, "Typing 7 SQL queries") {
		t.Errorf("generate with damaged entries: exit %d\n%s%s", code, stdout, stderr)
	}
	unchanged("typed again")
}

// TestCheckQueries: check reports the queries whose generated methods are
// stale, at their place in their file, changing nothing. From the cache it
// needs no server; on a miss it types on a throwaway cluster and records
// nothing, and without server programs it fails saying why.
func TestCheckQueries(t *testing.T) {
	dir, _ := queriesProject(t, "e2e")
	t.Chdir(dir)
	if err := os.WriteFile("mizzle.yaml", []byte("schema: schema\nquery: db\nqueries: queries\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runArgs("generate"); code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	unchanged := func(what string) func() {
		h := sha256.New()
		hashTree(h, dir)
		before := h.Sum(nil)
		return func() {
			t.Helper()
			h := sha256.New()
			hashTree(h, dir)
			if !bytes.Equal(before, h.Sum(nil)) {
				t.Errorf("%s changed the project", what)
			}
		}
	}

	serverPrograms(t, noServerPrograms)
	done := unchanged("check")
	code, stdout, stderr := runArgs("check")
	if code != 0 || !strings.HasPrefix(stdout, "OK: 1 migration,") || stderr != "" {
		t.Errorf("check from the cache: exit %d\n%s%s", code, stdout, stderr)
	}
	done()

	// A changed query and a query gone, not generated yet.
	query := filepath.Join(dir, "queries", "authors.sql")
	src, err := os.ReadFile(query)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "ORDER BY id;", "ORDER BY id DESC;", 1)
	edited, _, _ = strings.Cut(edited, "-- name: DeleteBooks")
	os.WriteFile(query, []byte(edited), 0o644)
	done = unchanged("check")
	code, stdout, stderr = runArgs("check")
	if code == 0 || !strings.Contains(stderr, "the typed-query cache has no types for these query files") || strings.Contains(stderr, "Typing") {
		t.Errorf("check of new queries without server programs: exit %d\n%s%s", code, stdout, stderr)
	}
	serverPrograms(t, pgcluster.FindBinaries)
	code, stdout, stderr = runArgs("check")
	want := "Typing 6 SQL queries in a scratch database on a throwaway cluster\n" +
		"queries/authors.sql:4:1: the generated method of query AuthorsByIDs in db/authors_sql.gen.go is not what its file and the migrations give now; run go generate (or mizzle generate)\n" +
		"queries/authors.sql: db/authors_sql.gen.go has the method of DeleteBooks, which the file no longer declares; run go generate (or mizzle generate)\n" +
		"2 problems\n"
	if code != exitFailure || stdout != "" || stderr != want {
		t.Errorf("check of stale queries: exit %d\n%s%s\nwant:\n%s", code, stdout, stderr, want)
	}
	code, stdout, _ = runArgs("check", "--json")
	if code != exitFailure || !strings.Contains(stdout, `"kind": "queries",
      "file": "queries/authors.sql:4:1",`) {
		t.Errorf("check --json: exit %d\n%s", code, stdout)
	}
	done()
	// What check typed, it did not record.
	serverPrograms(t, noServerPrograms)
	if code, _, stderr := runArgs("check"); code == 0 || !strings.Contains(stderr, "the typed-query cache has no types") {
		t.Errorf("check after a check that typed: exit %d\n%s", code, stderr)
	}

	// Generated, from a throwaway cluster: check needs no server again.
	serverPrograms(t, pgcluster.FindBinaries)
	if code, stdout, stderr := runArgs("generate"); code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	serverPrograms(t, noServerPrograms)
	if code, stdout, stderr := runArgs("check"); code != 0 || stderr != "" {
		t.Errorf("check after generate: exit %d\n%s%s", code, stdout, stderr)
	}

	// A query file gone: its generated file is stale.
	os.Remove(query)
	serverPrograms(t, pgcluster.FindBinaries)
	if code, _, stderr := runArgs("check"); code != exitFailure || stderr != "Typing 2 SQL queries in a scratch database on a throwaway cluster\ndb/authors_sql.gen.go: holds the methods of a query file that is gone or holds no query now; run go generate (or mizzle generate), which removes it\n1 problem\n" {
		t.Errorf("check with the query file gone: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runArgs("check", "--queries", "queries", "--query", ""); code != exitUsage || !strings.Contains(stderr, "--queries: the queries' methods are in the query package") {
		t.Errorf("check --queries without --query: exit %d\n%s", code, stderr)
	}
}
