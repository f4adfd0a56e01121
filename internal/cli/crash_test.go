package cli

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/pgtest"
)

var (
	crashTrials = flag.Int("crash-trials", 20, "SIGKILL trials of TestMigrateSIGKILL")
	crashSeed   = flag.Uint64("crash-seed", 0, "seed of the kill times of TestMigrateSIGKILL and TestMigrateServerStop (0: from the clock)")
)

// crashMigrations is the size of crashFolder, and crashBigRows the rows
// every 7th migration adds.
const crashMigrations, crashBigRows = 50, 5000

// crashFolder returns the tags and SQL of crashMigrations migrations, each
// of several statements, so that a kill lands inside one as often as
// between two. Migration i creates the table t_i, adds its column w, and
// adds the row i to counter; every 7th also adds crashBigRows rows to big,
// every 11th builds the index big_i_idx, and every 5th sleeps.
func crashFolder() []string {
	var files []string
	for i := range crashMigrations {
		var stmts []string
		if i == 0 {
			stmts = append(stmts, "CREATE TABLE counter (i int NOT NULL)", "CREATE TABLE big (m int NOT NULL, v int NOT NULL)")
		}
		stmts = append(stmts,
			fmt.Sprintf("CREATE TABLE t_%d (id int)", i),
			fmt.Sprintf("ALTER TABLE t_%d ADD COLUMN w int", i),
			fmt.Sprintf("INSERT INTO counter VALUES (%d)", i))
		if i%7 == 0 {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO big SELECT %d, g FROM generate_series(1, %d) g", i, crashBigRows))
		}
		if i%11 == 0 {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX big_%d_idx ON big (v, m)", i))
		}
		if i%5 == 0 {
			stmts = append(stmts, "SELECT pg_sleep(0.1)")
		}
		files = append(files, crashTag(i), strings.Join(stmts, ";\n--> statement-breakpoint\n")+";\n")
	}
	return files
}

func crashTag(i int) string { return fmt.Sprintf("%04d_m%d", i, i) }

// crashState checks what a migration of crashFolder leaves against the
// history, and returns how many migrations the history records. For each
// migration i, all or nothing of it is there: its history row, the table
// t_i, its column w, exactly one counter row i, its rows in big and its
// index. The history is a prefix of the journal.
func crashState(t *testing.T, conn *pgx.Conn) (applied int, problems []string) {
	t.Helper()
	ints := func(sql string) map[int]int {
		out := map[int]int{}
		rows, err := conn.Query(context.Background(), sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		for rows.Next() {
			var k, v int
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return out
	}
	var history []string
	if query(t, conn, "SELECT (to_regclass('mizzle.__mizzle_migrations') IS NOT NULL)::text") == "true" {
		if h := query(t, conn, "SELECT tag FROM mizzle.__mizzle_migrations ORDER BY id"); h != "" {
			history = strings.Split(h, ",")
		}
	}
	for i, tag := range history {
		if tag != crashTag(i) {
			problems = append(problems, fmt.Sprintf("history is not a prefix of the journal: row %d is %s", i+1, tag))
		}
	}
	tables := ints(`SELECT substr(relname, 3)::int, 1 FROM pg_class WHERE relname ~ '^t_[0-9]+$' AND relkind = 'r'`)
	columns := ints(`SELECT substr(attrelid::regclass::text, 3)::int, 1 FROM pg_attribute WHERE attrelid::regclass::text ~ '^t_[0-9]+$' AND attname = 'w'`)
	indexes := ints(`SELECT split_part(relname, '_', 2)::int, 1 FROM pg_class WHERE relname ~ '^big_[0-9]+_idx$' AND relkind = 'i'`)
	counter, big := map[int]int{}, map[int]int{}
	if query(t, conn, "SELECT (to_regclass('counter') IS NOT NULL)::text") == "true" {
		counter = ints("SELECT i, count(*) FROM counter GROUP BY i")
		big = ints("SELECT m, count(*) FROM big GROUP BY m")
	} else if len(history) > 0 {
		problems = append(problems, "no table counter, but history has rows")
	}
	for i := range crashMigrations {
		done := i < len(history)
		want := map[string][2]int{ // what: got, want
			"table t_i":   {tables[i], 0},
			"column w":    {columns[i], 0},
			"counter row": {counter[i], 0},
		}
		if i%7 == 0 {
			want["rows in big"] = [2]int{big[i], 0}
		}
		if i%11 == 0 {
			want["index big_i_idx"] = [2]int{indexes[i], 0}
		}
		for what, gw := range want {
			if done {
				gw[1] = 1
				if what == "rows in big" {
					gw[1] = crashBigRows
				}
			}
			if gw[0] != gw[1] {
				problems = append(problems, fmt.Sprintf("migration %d (recorded: %v): %s: %d, want %d", i, done, what, gw[0], gw[1]))
			}
		}
	}
	slices.Sort(problems)
	return len(history), problems
}

// waitForBackends waits until no client other than conn is connected to
// conn's database: a backend whose client was killed finishes its
// statement first, then rolls back and releases the lock.
func waitForBackends(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for query(t, conn, "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'") != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("the killed migrator's backend is still there after a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashSeedValue returns the seed of the kill times, logged so that a
// failure can be replayed with -crash-seed.
func crashSeedValue(t *testing.T) uint64 {
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("random kill points from seed %d (replay with -crash-seed=%d)", seed, seed)
	return seed
}

// printedApplied returns the migrations a migrate process said it applied.
func printedApplied(out string) []string {
	var tags []string
	for _, m := range appliedLine.FindAllStringSubmatch(out, -1) {
		tags = append(tags, m[1])
	}
	return tags
}

// migrateAll applies crashFolder to completion in dir's folder, and checks
// that every migration is there.
func migrateAll(t *testing.T, dir, db string, conn *pgx.Conn) {
	t.Helper()
	cmd, out, errb := mizzleCmd(t, dir, "migrate", "--database-url", db)
	if err := cmd.Run(); err != nil {
		t.Fatalf("migrate to completion: %v\n%s%s", err, out, errb)
	}
	if applied, problems := crashState(t, conn); applied != crashMigrations || len(problems) > 0 {
		t.Errorf("after migrating to completion, %d applied:\n%s", applied, strings.Join(problems, "\n"))
	}
}

// TestMigrateSIGKILL kills mizzle migrate with SIGKILL at a random time
// while it applies a folder of 50 migrations, -crash-trials times (20 by
// default; 100 with -crash-trials=100): each migration is there whole or
// not at all, the history is a prefix of the journal, and a rerun
// completes the folder.
func TestMigrateSIGKILL(t *testing.T) {
	mizzleBinary(t)
	dir := t.TempDir()
	writeMigrations(t, filepath.Join(dir, "migrations"), crashFolder()...)
	seed := crashSeedValue(t)

	// A full run, timed: the kills fall anywhere in 110% of it.
	var full time.Duration
	t.Run("full run", func(t *testing.T) {
		db := pgtest.NewDatabase(t)
		conn := dbConn(t, db)
		start := time.Now()
		migrateAll(t, dir, db, conn)
		full = time.Since(start)
		t.Logf("a full run takes %v", full)
		// The check can fail: a migration half there is found.
		if _, err := conn.Exec(context.Background(), "DELETE FROM counter WHERE i = 21; DROP INDEX big_33_idx"); err != nil {
			t.Fatal(err)
		}
		_, problems := crashState(t, conn)
		if want := []string{"migration 21 (recorded: true): counter row: 0, want 1", "migration 33 (recorded: true): index big_i_idx: 0, want 1"}; !slices.Equal(problems, want) {
			t.Errorf("the check of a damaged database found:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
		}
	})
	if t.Failed() {
		return
	}

	var mu sync.Mutex // guards the counts, which the trials update in parallel
	var midRun, afterRun int
	recorded := map[int]bool{}
	t.Run("trials", func(t *testing.T) {
		for trial := range *crashTrials {
			t.Run(strconv.Itoa(trial), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(seed, uint64(trial)))
				delay := time.Duration(rng.Int64N(int64(full) * 11 / 10))
				fail := func(format string, args ...any) {
					t.Helper()
					t.Errorf("kill after %v (seed %d, trial %d): %s", delay, seed, trial, fmt.Sprintf(format, args...))
				}
				db := pgtest.NewDatabase(t)
				conn := dbConn(t, db)
				cmd, out, errb := mizzleCmd(t, dir, "migrate", "--database-url", db)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(delay)
				cmd.Process.Kill()
				err := cmd.Wait()
				waitForBackends(t, conn)
				applied, problems := crashState(t, conn)
				if len(problems) > 0 {
					fail("%d recorded, and:\n%s", applied, strings.Join(problems, "\n"))
				}
				// What the process said it applied was committed.
				for _, tag := range printedApplied(out.String()) {
					if n, _ := strconv.Atoi(tag[:4]); n >= applied {
						fail("it printed %q, but only %d migrations are recorded", tag, applied)
					}
				}
				if err == nil && applied != crashMigrations {
					fail("migrate exited 0 with %d migrations recorded\n%s%s", applied, out, errb)
				}
				mu.Lock()
				if err == nil {
					afterRun++
				} else {
					midRun++
				}
				recorded[applied] = true
				mu.Unlock()
				migrateAll(t, dir, db, conn)
			})
		}
	})
	t.Logf("%d trials: %d killed mid-run, %d after the run; %d distinct numbers of migrations recorded at the kill",
		*crashTrials, midRun, afterRun, len(recorded))
}

// TestMigrateServerStop stops the server (a fast shutdown, which rolls
// back open transactions, and an immediate one, which crashes it) while
// mizzle migrate applies a folder, then starts it again: each migration
// is there whole or not at all, every migration the process said it
// applied is there, and a rerun completes the folder.
func TestMigrateServerStop(t *testing.T) {
	mizzleBinary(t)
	dir := t.TempDir()
	writeMigrations(t, filepath.Join(dir, "migrations"), crashFolder()...)
	seed := crashSeedValue(t)
	// Synchronous commits, so that a crash loses nothing a client was
	// told was committed (fsync stays off: the machine does not crash).
	c := pgtest.NewCluster(t, "synchronous_commit=on")
	admin := dbConn(t, c.URL("postgres"))

	newDB := func(name string) (string, *pgx.Conn) {
		if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		url := c.URL(name)
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		return url, conn
	}
	url, conn := newDB("full_run")
	migrateAll(t, dir, url, conn)
	conn.Close(context.Background())

	for trial, mode := range []pgcluster.StopMode{pgcluster.Fast, pgcluster.Immediate, pgcluster.Fast, pgcluster.Immediate} {
		rng := rand.New(rand.NewPCG(seed, uint64(trial)))
		// Mid-run: once at least k migrations are recorded, and a little
		// later, so that the stop lands inside a migration as often as
		// between two. The migrations after the 40th take longer than that.
		k := 1 + rng.IntN(39)
		delay := time.Duration(rng.Int64N(int64(50 * time.Millisecond)))
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s stop %v after %d migrations (seed %d, trial %d): %s", mode, delay, k, seed, trial, fmt.Sprintf(format, args...))
		}
		url, conn := newDB(fmt.Sprintf("trial_%d", trial))
		cmd, out, errb := mizzleCmd(t, dir, "migrate", "--database-url", url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		recorded := func() int {
			if query(t, conn, "SELECT (to_regclass('mizzle.__mizzle_migrations') IS NOT NULL)::text") != "true" {
				return 0
			}
			n, _ := strconv.Atoi(query(t, conn, "SELECT count(*)::text FROM mizzle.__mizzle_migrations"))
			return n
		}
		for recorded() < k {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d migrations recorded after a minute\n%s%s", k, out, errb)
			}
			time.Sleep(5 * time.Millisecond)
		}
		conn.Close(context.Background())
		time.Sleep(delay)
		if err := c.Stop(mode); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if err == nil {
			// Only a machine slower than the poll above lets this happen;
			// the checks below still hold.
			t.Logf("%s stop after %d migrations: migrate had finished", mode, k)
		} else if !strings.HasPrefix(errb.String(), "mizzle: ") {
			fail("migrate failed with %v and stderr %q", err, errb)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		admin.Close(context.Background())
		admin = dbConn(t, c.URL("postgres"))
		conn, cerr := pgx.Connect(context.Background(), url)
		if cerr != nil {
			t.Fatal(cerr)
		}
		applied, problems := crashState(t, conn)
		if len(problems) > 0 {
			fail("%d recorded, and:\n%s", applied, strings.Join(problems, "\n"))
		}
		for _, tag := range printedApplied(out.String()) {
			if n, _ := strconv.Atoi(tag[:4]); n >= applied {
				fail("it printed %q, but only %d migrations are recorded", tag, applied)
			}
		}
		t.Logf("%s stop %v after %d migrations: %d recorded; migrate said: %s", mode, delay, k, applied, strings.TrimSpace(errb.String()))
		migrateAll(t, dir, url, conn)
		conn.Close(context.Background())
	}
}
