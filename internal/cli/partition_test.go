package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// partitionDatabase has partitioned tables of each strategy, with what is
// declared once on them (keys, indexes, a check, foreign keys both ways),
// bounds PostgreSQL prints in its own words (a time stamp key's) and names
// that need quotes.
const partitionDatabase = `CREATE SCHEMA store;
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE events (
	id bigint GENERATED ALWAYS AS IDENTITY,
	at timestamptz NOT NULL,
	account_id bigint REFERENCES accounts ON DELETE CASCADE,
	kind text NOT NULL DEFAULT 'note' CHECK (kind <> ''),
	PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_kind_idx ON events (kind) WHERE kind <> 'debug';
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE "Events Old" PARTITION OF events DEFAULT;
CREATE TABLE store."Shops" ("Region" text, code int, PRIMARY KEY ("Region", code)) PARTITION BY LIST ("Region");
CREATE TABLE store.shops_eu PARTITION OF store."Shops" FOR VALUES IN ('de', 'fr');
CREATE TABLE visits (id bigint PRIMARY KEY, region text, code int, FOREIGN KEY (region, code) REFERENCES store."Shops");
CREATE TABLE blobs (owner bigint, n int, UNIQUE (owner, n)) PARTITION BY HASH (owner, n);
CREATE TABLE blobs_0 PARTITION OF blobs FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE blobs_1 PARTITION OF blobs FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO accounts VALUES (1);
INSERT INTO events (at, account_id) VALUES ('2026-05-01', 1), ('2001-01-01', 1);
`

// TestPullPartitions pulls a database of partitioned tables: pull --strict
// names nothing as lost, generate then finds nothing to do, check no
// drift, push nothing to do, and the baseline applied to an empty database
// gives back the same tables, partitions, keys and indexes.
func TestPullPartitions(t *testing.T) {
	p, url := newPullProject(t, partitionDatabase)
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict --baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("generate after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK || strings.Contains(stdout+stderr, "drift") {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if want := "Nothing to push: the database matches the schema.\n"; code != exitOK || stdout != want {
		t.Errorf("push --dry-run after pull: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}

	empty := pgtest.NewDatabase(t)
	code, _, stderr = p.run("", "migrate", "--database-url", empty)
	if code != exitOK {
		t.Fatalf("migrate to an empty database: exit %d\n%s", code, stderr)
	}
	want := pgtest.Catalog(t, dbConn(t, url))
	got := pgtest.Catalog(t, dbConn(t, empty))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the database rebuilt from the pulled baseline differs (-pulled +rebuilt):\n%s", diff)
	}
	var parts int
	for _, line := range got {
		if strings.HasPrefix(line, "partition ") {
			parts++
		}
	}
	if parts != 5 {
		t.Errorf("the rebuilt database has %d partitions, want 5:\n%s", parts, strings.Join(got, "\n"))
	}
}
