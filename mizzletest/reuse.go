package mizzletest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/testserver"
)

// Reusing a test's database.
//
// On its throwaway cluster, New gives the database of an ended test to a
// later test when the test changed nothing but rows of tables the
// template has empty and sequences: emptying those tables and setting the
// sequences back costs the server a few milliseconds, where dropping the
// database and copying the template again costs it tens at a hundred
// tables (BENCHMARKS.md). A database the test changed otherwise is
// dropped, as before, and a new copy takes its place.
//
// What the test changed is read from the server's cumulative statistics,
// which count, per table, the rows every session inserted, updated and
// deleted (committed or not), and per sequence the reads of its block,
// which nextval and setval make. A session's counts reach them by the
// time it ends, and reset waits for the test's sessions to end. So a
// catalog whose counts moved had an object created, changed or dropped
// (DDL, GRANT, COMMENT, a large object, a temporary table); a table whose
// counts moved had rows written; a sequence whose count moved may have
// moved. What changes a catalog row in place instead (VACUUM's and
// ANALYZE's figures) is statistics, and the statistics themselves
// (pg_statistic) change no query's result. The database's rows in the
// shared catalogs are checked by their transaction IDs.
//
// The counts miss what a session writes with track_counts turned off, a
// superuser's setting no test has reason to touch: a test that does, or
// one that must never share a database, asks for Fresh. A reset of the
// counts (pg_stat_reset) is seen, and the database dropped.

// reuseDatabases says whether the databases of ended tests are given to
// later tests when they can be; a variable, so that a benchmark measures
// both.
var reuseDatabases = true

// maxUses is how many tests a database serves before it is dropped: the
// rows the tests deleted stay in its files, as dead rows, until
// autovacuum comes, and a test should not find its tables grown much by
// its predecessors' work.
const maxUses = 50

// keepSpare is how many databases of a template, at most, wait for tests
// beside those of the tests running: a database given back when that
// many wait is dropped.
const keepSpare = 8

// A baseline is what a template holds, read once after it is built, for
// the resets of its copies.
type baseline struct {
	// filled are the user tables that hold rows in the template (the
	// migration history, seed data, information_schema's), true, and
	// those with pages but no row, false: a copy whose test wrote to one
	// of the first is not reused. The other tables are empty.
	filled map[uint32]bool
	// seqs holds each user sequence as the template has it.
	seqs map[uint32]sequence
}

type sequence struct {
	last  *int64 // its last value; nil when nextval was never called
	start int64
}

// reuseState is what the next reset of a database starts from.
type reuseState struct {
	// since is the transaction ID horizon when the copy was made: the
	// next transaction ID the server would assign (its low 32 bits, as
	// rows carry them). A row written after has an xmin at or past it.
	since uint32
	// uses is the number of tests the database served.
	uses int
	// counts are the statistics' counts of the catalogs, tables and
	// sequences (counters) when the database was last given out: none,
	// all zero, for a new copy.
	counts map[uint32]int64
}

// counters lists the relations whose statistics reset reads, with their
// count: the database's own catalogs but the statistics, and the user
// tables, materialized views and sequences. For a table, the rows
// inserted, updated and deleted; for a sequence, the reads of its block.
const counters = `SELECT c.oid, c.relkind, n.nspname = 'pg_catalog',
	CASE WHEN c.relkind = 'S' THEN pg_stat_get_blocks_fetched(c.oid)
	ELSE pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid) + pg_stat_get_tuples_deleted(c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (n.nspname = 'pg_catalog' AND c.relkind = 'r' AND NOT c.relisshared
		AND c.relname NOT IN ('pg_statistic', 'pg_statistic_ext_data'))
	OR (c.relkind IN ('r', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
		AND n.nspname !~ '^pg_(toast_)?temp_')`

// readBaseline reads what the template, on conn, holds.
func readBaseline(ctx context.Context, conn *pgx.Conn) (*baseline, error) {
	b := &baseline{filled: map[uint32]bool{}, seqs: map[uint32]sequence{}}
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
	AND pg_relation_size(c.oid) > 0`)
	if err != nil {
		return nil, err
	}
	var oid uint32
	var schema, name string
	var filled []uint32
	var names []string
	if _, err := pgx.ForEachRow(rows, []any{&oid, &schema, &name}, func() error {
		filled = append(filled, oid)
		names = append(names, quote.Ident(schema, name))
		return nil
	}); err != nil {
		return nil, err
	}
	// A table with pages may have no row left (rows inserted, then
	// deleted, by a migration): it is empty as far as a test can see.
	for i, oid := range filled {
		var has bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM ONLY "+names[i]+")").Scan(&has); err != nil {
			return nil, err
		}
		b.filled[oid] = has
	}
	rows, err = conn.Query(ctx, `SELECT c.oid, pg_sequence_last_value(c.oid), s.seqstart
FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid`)
	if err != nil {
		return nil, err
	}
	var sq sequence
	_, err = pgx.ForEachRow(rows, []any{&oid, &sq.last, &sq.start}, func() error {
		b.seqs[oid] = sq
		sq.last = nil // the next row's, not this one's written over
		return nil
	})
	return b, err
}

// horizon returns the next transaction ID the server will assign, as
// rows carry it.
func horizon(ctx context.Context, srv *testserver.Server) (uint32, error) {
	var next uint64
	if err := srv.QueryRow(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", nil, &next); err != nil {
		return 0, fmt.Errorf("reading the transaction horizon: %w", err)
	}
	return uint32(next), nil
}

// errChanged is the verdict on a database that cannot be reused: it is
// dropped instead. Its text says what the test changed, for this
// package's tests.
type errChanged string

func (e errChanged) Error() string { return string(e) }

// isChanged reports whether err is reset's verdict rather than a failure.
func isChanged(err error) bool {
	var c errChanged
	return errors.As(err, &c)
}

// reset makes the database given back on conn hold what a new copy of the
// template would, when it can: it empties the tables the test wrote to,
// which the template has empty, and sets back the sequences it used. It
// returns the state the next reset starts from. A database it cannot
// reset is left as it is, and the error is an errChanged saying why; any
// other error is the server's.
func reset(ctx context.Context, conn *pgx.Conn, b *baseline, st reuseState) (reuseState, error) {
	if err := waitAlone(ctx, conn); err != nil {
		return st, err
	}
	since := strconv.FormatUint(uint64(st.since), 10)
	// The database's own entries in the shared catalogs: its pg_database
	// row (ALTER DATABASE, GRANT ... ON DATABASE), settings (ALTER
	// DATABASE ... SET), comments and labels; what would keep a drop from
	// going through (subscriptions, replication slots, prepared
	// transactions); and a reset of its statistics.
	var shared bool
	var statsReset *time.Time
	if err := conn.QueryRow(ctx, `SELECT age(d.xmin) <= age($1::text::xid)
	OR EXISTS (SELECT FROM pg_db_role_setting WHERE setdatabase = d.oid)
	OR EXISTS (SELECT FROM pg_shdescription WHERE objoid = d.oid AND classoid = 'pg_database'::regclass)
	OR EXISTS (SELECT FROM pg_shseclabel WHERE objoid = d.oid AND classoid = 'pg_database'::regclass)
	OR EXISTS (SELECT FROM pg_subscription WHERE subdbid = d.oid)
	OR EXISTS (SELECT FROM pg_replication_slots WHERE datoid = d.oid)
	OR EXISTS (SELECT FROM pg_prepared_xacts WHERE database = d.datname),
	pg_stat_get_db_stat_reset_time(d.oid)
FROM pg_database d WHERE d.datname = current_database()`, since).Scan(&shared, &statsReset); err != nil {
		return st, err
	}
	if shared {
		return st, errChanged("the database's entry in the shared catalogs changed")
	}
	// Nothing of this package resets them: a test did.
	if statsReset != nil {
		return st, errChanged("the database's statistics were reset")
	}
	counts, kinds, err := readCounters(ctx, conn)
	if err != nil {
		return st, err
	}
	// A count lower than before was reset (a crash of the server resets
	// them all): what happened since is unknown.
	for _, oid := range slices.Sorted(maps.Keys(st.counts)) {
		n := st.counts[oid]
		if _, ok := kinds[oid]; !ok {
			return st, errChanged(fmt.Sprintf("relation %d was dropped", oid))
		}
		if counts[oid] < n {
			return st, errChanged(fmt.Sprintf("the statistics of %s went back", relName(ctx, conn, oid)))
		}
	}
	var empty, moved []uint32
	// In the order of their OIDs, the catalogs' first: the same test gets
	// the same verdict.
	for _, oid := range slices.Sorted(maps.Keys(counts)) {
		if counts[oid] == st.counts[oid] {
			continue
		}
		switch kinds[oid] {
		case "catalog":
			return st, errChanged(fmt.Sprintf("catalog %s changed", relName(ctx, conn, oid)))
		case "S":
			moved = append(moved, oid)
		case "m":
			return st, errChanged(fmt.Sprintf("materialized view %s changed", relName(ctx, conn, oid)))
		default:
			if b.filled[oid] {
				return st, errChanged(fmt.Sprintf("table %s, which has rows in the template, changed", relName(ctx, conn, oid)))
			}
			empty = append(empty, oid)
		}
	}
	if len(empty) > 0 {
		// DELETE, unlike TRUNCATE, makes no new files (TRUNCATE would have
		// to take every table a foreign key leads to from these), but
		// rules rewrite it, and triggers enabled ALWAYS fire even with the
		// triggers of foreign keys and the user's own turned off.
		var rewritten bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_rewrite WHERE ev_class = ANY($1) AND ev_type = '4')
	OR EXISTS (SELECT FROM pg_trigger WHERE tgrelid = ANY($1) AND tgenabled = 'A')`, empty).Scan(&rewritten); err != nil {
			return st, err
		}
		if rewritten {
			return st, errChanged("a table to empty has a DELETE rule or a trigger enabled ALWAYS")
		}
	}
	next := reuseState{since: st.since, uses: st.uses + 1, counts: counts}
	if len(empty) == 0 && len(moved) == 0 {
		return next, nil
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var batch pgx.Batch
		if len(empty) > 0 {
			batch.Queue("SET LOCAL session_replication_role = replica")
			batch.Queue(`SELECT format('DELETE FROM ONLY %I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1)`, empty)
		}
		for _, oid := range moved {
			s := b.seqs[oid]
			if s.last == nil {
				batch.Queue("SELECT pg_catalog.setval($1::oid::regclass, $2, false)", oid, s.start)
			} else {
				batch.Queue("SELECT pg_catalog.setval($1::oid::regclass, $2, true)", oid, *s.last)
			}
		}
		if len(empty) > 0 {
			// Statistics of rows no longer there: a new copy has none.
			batch.Queue("DELETE FROM pg_catalog.pg_statistic WHERE starelid = ANY($1)", empty)
			batch.Queue("DELETE FROM pg_catalog.pg_statistic_ext_data WHERE stxoid IN (SELECT oid FROM pg_catalog.pg_statistic_ext WHERE stxrelid = ANY($1))", empty)
		}
		br := tx.SendBatch(ctx, &batch)
		var deletes []string
		if len(empty) > 0 {
			if _, err := br.Exec(); err != nil {
				return err
			}
			rows, _ := br.Query()
			var err error
			if deletes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		var after pgx.Batch
		for _, d := range deletes {
			after.Queue(d)
		}
		// What this session adds to the counts, which reach the statistics
		// when it ends, before the next reset: its deletes and setvals.
		after.Queue(`SELECT oid, CASE WHEN relkind = 'S' THEN pg_stat_get_xact_blocks_fetched(oid)
	ELSE pg_stat_get_xact_tuples_inserted(oid) + pg_stat_get_xact_tuples_updated(oid) + pg_stat_get_xact_tuples_deleted(oid) END
FROM pg_class WHERE oid = ANY($1)`, append(empty, moved...))
		br = tx.SendBatch(ctx, &after)
		for range deletes {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
		}
		rows, _ := br.Query()
		var oid uint32
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&oid, &n}, func() error {
			if n != 0 {
				next.counts[oid] += n
			}
			return nil
		}); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	})
	if err != nil {
		return st, err
	}
	return next, nil
}

// readCounters reads the counts of the counters query, and each
// relation's kind: "catalog", or its pg_class.relkind.
func readCounters(ctx context.Context, conn *pgx.Conn) (map[uint32]int64, map[uint32]string, error) {
	rows, err := conn.Query(ctx, counters)
	if err != nil {
		return nil, nil, err
	}
	counts := map[uint32]int64{}
	kinds := map[uint32]string{}
	var oid uint32
	var kind string
	var catalog bool
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&oid, &kind, &catalog, &n}, func() error {
		if catalog {
			kind = "catalog"
		}
		kinds[oid] = kind
		if n != 0 {
			counts[oid] = n
		}
		return nil
	})
	return counts, kinds, err
}

// relName names the relation oid for a verdict.
func relName(ctx context.Context, conn *pgx.Conn, oid uint32) string {
	var name string
	if conn.QueryRow(ctx, "SELECT $1::oid::regclass::text", oid).Scan(&name) != nil {
		return strconv.FormatUint(uint64(oid), 10)
	}
	return name
}

// waitAlone waits for the test's sessions on the database to end: its
// pool is closed, but a server process ends a moment after its client
// leaves, and its statistics reach the server as it ends. A session
// still there after a while (a connection the test opened itself and did
// not close) is one the database cannot be reused with.
func waitAlone(ctx context.Context, conn *pgx.Conn) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		var others int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errChanged(fmt.Sprintf("%d other sessions are still connected", others))
		}
		time.Sleep(time.Millisecond)
	}
}
