package cli

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// counterFolder returns the tags and SQL of n migrations that show whether
// each ran exactly once: the first creates the table counter, every later
// one creates its own table (which fails if it runs twice) and adds its
// number to counter (which would count twice); every other one sleeps a
// little, so that the processes overlap.
func counterFolder(n int) []string {
	files := []string{"0000_counter", "CREATE TABLE counter (n int NOT NULL);\n"}
	for i := 1; i < n; i++ {
		sql := fmt.Sprintf("CREATE TABLE t_%d (id int);\n--> statement-breakpoint\nINSERT INTO counter VALUES (%d);\n", i, i)
		if i%2 == 0 {
			sql += "--> statement-breakpoint\nSELECT pg_sleep(0.05);\n"
		}
		files = append(files, fmt.Sprintf("%04d_m%d", i, i), sql)
	}
	return files
}

// migrator is one mizzle migrate process and what it printed.
type migrator struct {
	folder      string
	err         error
	out, stderr *bytes.Buffer
}

var appliedLine = regexp.MustCompile(`(?m)^applied (\S+) \(`)

// runMigrators starts one mizzle migrate process per folder at once, in
// the project dir, and waits for all of them.
func runMigrators(t *testing.T, dir string, folders []string, args ...string) []*migrator {
	t.Helper()
	ms := make([]*migrator, len(folders))
	cmds := make([]*exec.Cmd, len(folders))
	for i, f := range folders {
		cmd, out, errb := mizzleCmd(t, dir, append([]string{"migrate", "--migrations", f}, args...)...)
		ms[i], cmds[i] = &migrator{folder: f, out: out, stderr: errb}, cmd
	}
	// Started together, so that they race for the lock.
	var start, done sync.WaitGroup
	start.Add(1)
	for i, cmd := range cmds {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			ms[i].err = cmd.Run()
		}()
	}
	start.Done()
	done.Wait()
	return ms
}

// TestConcurrentMigrators runs 16 mizzle migrate processes at once on one
// database, in several situations, and checks that every migration ran
// exactly once: 12 rows of history with 12 distinct tags, 11 distinct
// counter rows, and "applied" lines across all outputs that add up to the
// pending count with no tag twice.
func TestConcurrentMigrators(t *testing.T) {
	const procs, n, half = 16, 12, 6
	mizzleBinary(t)
	dir := t.TempDir()
	all := counterFolder(n)
	writeMigrations(t, filepath.Join(dir, "new"), all...)
	writeMigrations(t, filepath.Join(dir, "old"), all[:2*half]...)
	same := func(folder string) []string {
		f := make([]string, procs)
		for i := range f {
			f[i] = folder
		}
		return f
	}
	mixed := same("new")
	for i := 0; i < procs; i += 2 {
		mixed[i] = "old"
	}
	lockMsg := "gave up after waiting 150ms for another migration of \"mizzle\".\"__mizzle_migrations\" to finish"
	olderMsg := `old/meta/_journal.json: the database has a migration applied ("0006_m6") that the journal does not list`
	rounds := []struct {
		name    string
		applied int      // migrations applied before the round
		folders []string // one process per folder
		args    []string
		// allowed is a message a process may fail with, when failing is
		// a correct outcome of the race, for processes of folder
		// allowedFor.
		allowed, allowedFor string
	}{
		{name: "fresh 1", folders: same("new")},
		{name: "fresh 2", folders: same("new")},
		{name: "fresh 3", folders: same("new")},
		{name: "half applied 1", applied: half, folders: same("new")},
		{name: "half applied 2", applied: half, folders: same("new")},
		// The old folder may lose the race: the database is then ahead of
		// it, which it refuses.
		{name: "old and new folders", folders: mixed, allowed: olderMsg, allowedFor: "old"},
		{name: "drizzle", folders: same("new"), args: []string{"--drizzle"}},
		// Waiters give up cleanly; a rerun completes whatever is left.
		{name: "lock timeout", folders: same("new"), args: []string{"--lock-timeout", "150ms"}, allowed: lockMsg, allowedFor: "new"},
	}
	for _, r := range rounds {
		t.Run(r.name, func(t *testing.T) {
			db := pgtest.NewDatabase(t)
			conn := dbConn(t, db)
			args := append([]string{"--database-url", db}, r.args...)
			history := "mizzle.__mizzle_migrations"
			key := "tag"
			if strings.Contains(strings.Join(r.args, " "), "--drizzle") {
				history, key = "drizzle.__drizzle_migrations", "hash"
			}
			if r.applied > 0 {
				writeMigrations(t, filepath.Join(dir, "first"), all[:2*r.applied]...)
				cmd, _, errb := mizzleCmd(t, dir, append([]string{"migrate", "--migrations", "first"}, args...)...)
				if err := cmd.Run(); err != nil {
					t.Fatalf("applying the first %d: %v\n%s", r.applied, err, errb)
				}
			}

			seen := map[string]int{}
			failed, waited := 0, 0
			for i, m := range runMigrators(t, dir, r.folders, args...) {
				for _, a := range appliedLine.FindAllStringSubmatch(m.out.String(), -1) {
					seen[a[1]]++
				}
				// The only other thing on stderr is the notice that the
				// process waits for another.
				const waiting = "Another migration is running; waiting for it to finish...\n"
				if strings.Contains(m.stderr.String(), waiting) {
					waited++
				}
				stderr := strings.ReplaceAll(m.stderr.String(), waiting, "")
				switch {
				case m.err == nil && stderr == "":
				case m.err != nil && r.allowed != "" && m.folder == r.allowedFor && strings.Contains(stderr, r.allowed):
					failed++
				default:
					t.Errorf("process %d (%s): %v\nstdout:\n%s\nstderr:\n%s", i, m.folder, m.err, m.out, m.stderr)
				}
			}
			if waited == 0 {
				t.Errorf("no process waited for the lock: the processes did not run at the same time")
			}
			if r.allowed != "" {
				t.Logf("%d of %d processes failed with: %s", failed, procs, r.allowed)
			}
			if r.allowed == lockMsg {
				cmd, out, errb := mizzleCmd(t, dir, append([]string{"migrate", "--migrations", "new"}, args...)...)
				if err := cmd.Run(); err != nil {
					t.Fatalf("rerun: %v\n%s", err, errb)
				}
				for _, a := range appliedLine.FindAllStringSubmatch(out.String(), -1) {
					seen[a[1]]++
				}
			}
			total := 0
			for tag, k := range seen {
				total += k
				if k > 1 {
					t.Errorf("%s was applied by %d processes", tag, k)
				}
			}
			if total != n-r.applied {
				t.Errorf("%d migrations applied across all processes, want %d: %v", total, n-r.applied, seen)
			}
			want := fmt.Sprintf("%d rows, %d distinct", n, n)
			if got := query(t, conn, fmt.Sprintf("SELECT count(*) || ' rows, ' || count(DISTINCT %s) || ' distinct' FROM %s", key, history)); got != want {
				t.Errorf("history: %s, want %s", got, want)
			}
			want = fmt.Sprintf("%d rows, %d distinct", n-1, n-1)
			if got := query(t, conn, "SELECT count(*) || ' rows, ' || count(DISTINCT n) || ' distinct' FROM counter"); got != want {
				t.Errorf("counter: %s, want %s", got, want)
			}
		})
	}
}
