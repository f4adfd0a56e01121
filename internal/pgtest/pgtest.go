// Package pgtest gives tests a throwaway PostgreSQL database.
//
// It owns the server the tests of a package talk to and its lifetime: either
// an existing server named by the MIZZLE_TEST_DATABASE_URL environment
// variable, or a private cluster that it initdb's into a temporary directory
// and starts on the first NewDatabase call of the test binary. Every test gets
// a freshly created, empty database that is dropped again at cleanup, so tests
// can run in parallel without seeing each other's objects. Main stops the
// private cluster and removes its directory once the package's tests are done.
//
// The package depends on package testing and starts servers, so import it only
// from _test.go files. A package that uses it must route its TestMain through
// Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// MIZZLE_TEST_DATABASE_URL, when set, must be a postgres:// URL of a role that
// may create and drop databases. Its database is only used to issue CREATE
// DATABASE and DROP DATABASE; the URLs handed to tests are the same URL with
// the database name replaced.
//
// Without it, the initdb and pg_ctl programs of PostgreSQL 13 or later (DROP
// DATABASE ... WITH (FORCE)) must be on PATH or in /usr/lib/postgresql/*/bin.
// As root, which initdb and postgres refuse to run as, the cluster is run as
// the postgres user, or nobody if there is no postgres user.
//
// The server (the external one, or the throwaway cluster with its temporary
// directory, its watcher that cleans up after a crashed test binary and its
// durability turned off) is internal/testserver's, shared with mizzletest,
// the package applications' tests use; the cluster mechanics are
// internal/pgcluster's. This package adds what mizzle's own tests want: the
// rule that TestMain goes through Main, a database per test, private
// clusters and the catalog listing. Like pgcluster it is Unix-only.
//
// PoolerURL puts a test's database behind PgBouncer in transaction pooling
// mode (Debian's pgbouncer, which the tests that use it fail without): one
// per test binary, in front of the same server, stopped by Main.
//
// NewReplicatedDatabase gives a test a database on a primary and the same
// database on a streaming standby of it, made with pg_basebackup (which
// the tests that use it fail without): one standby per test binary,
// started on first use and stopped by Main.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/testserver"
)

var (
	// mainRunning records that the test binary went through Main. Without it
	// nothing would stop a private cluster at exit, so NewDatabase refuses to
	// start one rather than leak a server per test run.
	mainRunning atomic.Bool

	startOnce sync.Once
	srv       *testserver.Server
	startErr  error
)

// Main runs the tests of a package and stops the cluster (if one was started)
// afterwards.
//
// Use: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()

	// Do on an already-run Once synchronizes with the start that ran it, and on
	// a fresh one it keeps a straggling goroutine from starting a cluster that
	// nobody would stop.
	startOnce.Do(func() { startErr = errors.New("the tests have finished") })
	poolerOnce.Do(func() { poolerErr = errors.New("the tests have finished") })
	standbyOnce.Do(func() { standbyErr = errors.New("the tests have finished") })
	if stby != nil {
		if err := stby.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the standby: %v\n", err)
			code = max(code, 1)
		}
	}
	if pooler != nil {
		if err := pooler.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping pgbouncer: %v\n", err)
			code = max(code, 1)
		}
	}
	if srv != nil {
		if err := srv.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// NewDatabase creates a fresh, empty database for t and returns its connection
// URL. The database is dropped when t's cleanup runs.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	startOnce.Do(func() { srv, startErr = testserver.Open() })
	if startErr != nil {
		t.Fatalf("pgtest: %v", startErr)
	}

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "t_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateDatabase(ctx, name, "", ""); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		// A fresh context: t's own is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	if mode := os.Getenv(EnvThroughPooler); mode != "" {
		return throughPooler(t, srv.URL(name), mode)
	}
	return srv.URL(name)
}

// Connect is NewDatabase followed by pgx.Connect; the connection is closed at
// cleanup.
func Connect(t testing.TB) *pgx.Conn {
	t.Helper()
	dbURL := NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: connecting to the test database: %v", err)
	}
	// Registered after NewDatabase's cleanup, so it runs before the drop.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

// Cluster is a private cluster of one test, for tests that stop and start
// the server under a client, which the cluster shared by the package's
// tests must not do.
type Cluster struct {
	c *testserver.Cluster
}

// NewCluster starts a private cluster for t with the shared cluster's
// settings, then settings ("name=value") over them; it is stopped and
// removed at cleanup. MIZZLE_TEST_DATABASE_URL does not apply: a test that
// stops its server needs one of its own.
func NewCluster(t testing.TB, settings ...string) *Cluster {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	c, err := testserver.StartCluster(settings...)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return &Cluster{c}
}

// URL returns the URL of the cluster's database name as the superuser.
func (c *Cluster) URL(name string) string { return c.c.URL(name) }

// Stop stops the server.
func (c *Cluster) Stop(mode pgcluster.StopMode) error { return c.c.Stop(mode) }

// Start starts the stopped server again, on the same port.
func (c *Cluster) Start() error { return c.c.Start() }

// Catalog lists, one line each, every schema, enum, column,
// constraint, index, row security setting, policy, sequence (one a
// column owns named by that column), function (not an extension's),
// trigger, partitioned table (with its key) and partition (with its
// bound) outside the system schemas, as PostgreSQL itself
// prints their definitions, sorted: what a test compares to see that
// something changed the database, or did not.
func Catalog(t testing.TB, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), catalogQuery)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

const catalogQuery = `
WITH ns AS (
	SELECT oid, nspname FROM pg_namespace
	WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
)
SELECT line FROM (
	SELECT 'schema ' || nspname AS line FROM ns
	UNION ALL
	SELECT format('enum %I.%I (%s)', ns.nspname, t.typname,
		(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
	FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
	UNION ALL
	SELECT format('column %I.%I.%I %s%s%s%s%s', ns.nspname, c.relname, a.attname,
		format_type(a.atttypid, a.atttypmod),
		CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
		CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
		CASE WHEN a.attgenerated <> '' THEN ' generated ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END,
		CASE WHEN a.attgenerated = '' AND d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END)
	FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT format('%s %I.%I%s%s: %s', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, ns.nspname, c.relname,
		CASE WHEN c.reloptions IS NOT NULL THEN ' with ' || c.reloptions::text ELSE '' END,
		CASE WHEN NOT c.relispopulated THEN ' with no data' ELSE '' END, pg_get_viewdef(c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	WHERE c.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('constraint %I.%I.%I %s', ns.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid))
	FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(i.indexrelid))
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT format('row security %I.%I%s%s', ns.nspname, c.relname,
		CASE WHEN c.relrowsecurity THEN ' enabled' ELSE '' END, CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END)
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
	UNION ALL
	SELECT format('partitioned %I.%I by %s', ns.nspname, c.relname, pg_get_partkeydef(c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind = 'p'
	UNION ALL
	SELECT format('partition %I.%I of %I.%I %s', ns.nspname, c.relname, pn.nspname, p.relname, pg_get_expr(c.relpartbound, c.oid))
	FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	JOIN pg_inherits h ON h.inhrelid = c.oid JOIN pg_class p ON p.oid = h.inhparent
	JOIN pg_namespace pn ON pn.oid = p.relnamespace
	WHERE c.relispartition AND c.relkind IN ('r', 'p')
	UNION ALL
	SELECT format('policy %I.%I.%I %s for %s to %s using %s with check %s', p.schemaname, p.tablename, p.policyname,
		p.permissive, p.cmd, p.roles::text, coalesce(p.qual, '-'), coalesce(p.with_check, '-'))
	FROM pg_policies p JOIN ns ON ns.nspname = p.schemaname
	UNION ALL
	SELECT format('sequence %s %s start %s increment %s min %s max %s cache %s%s',
		coalesce((SELECT format('of %I.%I.%I', tn.nspname, t.relname, a.attname) FROM pg_depend d
			JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
			JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
			WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
				AND d.deptype IN ('a', 'i') LIMIT 1), format('%I.%I', ns.nspname, c.relname)),
		format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
		CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
	FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
	UNION ALL
	SELECT 'function ' || pg_get_functiondef(p.oid)
	FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
	WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT FROM pg_depend d
		WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
	WHERE NOT t.tgisinternal
) s ORDER BY line COLLATE "C"`
