package mizzletest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// hundredTables is a folder of 10 migrations of 10 tables each: an identity
// key, a unique name, a timestamp with a default, a foreign key to the
// table before it and an index on it.
func hundredTables() fstest.MapFS {
	var files []string
	for m := range 10 {
		var stmts []string
		for i := m * 10; i < m*10+10; i++ {
			ddl := fmt.Sprintf(`CREATE TABLE t%03d (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()`, i)
			if i > 0 {
				ddl += fmt.Sprintf(",\n\tparent_id bigint REFERENCES t%03d", i-1)
			}
			stmts = append(stmts, ddl+"\n);")
			if i > 0 {
				stmts = append(stmts, fmt.Sprintf("CREATE INDEX t%03d_parent_id_idx ON t%03d (parent_id);", i, i))
			}
		}
		files = append(files, fmt.Sprintf("%04d_m%d", m, m), strings.Join(stmts, "\n--> statement-breakpoint\n"))
	}
	return folder("", files...)
}

// works are what a test does with its database in the benchmarks: none
// (the pool connects, and the test ends: how fast databases can be had
// back to back, which no suite asks for), or the statements of a small
// repository test (workload).
var works = []struct {
	name string
	run  func(ctx context.Context, pool *pgxpool.Pool, op int64) error
}{
	{"none", func(ctx context.Context, pool *pgxpool.Pool, _ int64) error { return pool.Ping(ctx) }},
	{"test", workload},
}

// workload is a small repository test: 10 parent rows and 10 children
// inserted one statement at a time, read back with a join, one updated
// and one deleted: 23 round trips. op keeps the names of a database used
// again unique.
func workload(ctx context.Context, pool *pgxpool.Pool, op int64) error {
	for i := range 10 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO t000 (name) VALUES ($1) RETURNING id`, fmt.Sprintf("p%d-%d", op, i)).Scan(&id); err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, `INSERT INTO t001 (name, parent_id) VALUES ($1, $2)`, fmt.Sprintf("c%d-%d", op, i), id); err != nil {
			return err
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM t001 JOIN t000 ON t000.id = t001.parent_id WHERE t000.name LIKE $1`, fmt.Sprintf("p%d-%%", op)).Scan(&n); err != nil {
		return err
	}
	if n != 10 {
		return fmt.Errorf("%d rows joined, want 10", n)
	}
	if _, err := pool.Exec(ctx, `UPDATE t000 SET name = name || '!' WHERE name = $1`, fmt.Sprintf("p%d-0", op)); err != nil {
		return err
	}
	_, err := pool.Exec(ctx, `DELETE FROM t001 WHERE name = $1`, fmt.Sprintf("c%d-9", op))
	return err
}

// BenchmarkNew is what each test's database costs after the first, as a
// test sees it: New's copy of the template with its pool, the test's work
// (works), and its end, which closes the pool and drops the database or
// gives it back. wait-ms/op is the time the test spends in New and in its
// end, the rest being its own work. By how copies are made:
//
//   - at-call: when the test asks, and dropped before its end returns,
//     as New did before copies were made ahead;
//   - ahead: made ahead, while the tests before run, and dropped in the
//     background, as New did on a throwaway cluster before it reused
//     databases. Before the timed loop the copies waiting are taken, so
//     that it starts as a suite whose tests have been faster than the
//     copies;
//   - reuse: what New does on a throwaway cluster: as ahead, but the
//     database of an ended test is checked, emptied and given to a later
//     test instead of dropped.
func BenchmarkNew(b *testing.B) {
	fsys := hundredTables()
	ctx := context.Background()
	srv, err := server()
	if err != nil {
		b.Fatal(err)
	}
	strategy(ctx, srv)
	defer func(ahead int, background, reuse bool) {
		templatesMu.Lock()
		aheadCopies, dropInBackground, reuseDatabases = ahead, background, reuse
		templatesMu.Unlock()
	}(aheadCopies, dropInBackground, reuseDatabases)
	for _, mode := range []string{"at-call", "ahead", "reuse"} {
		for _, w := range works {
			b.Run("copy="+mode+"/work="+w.name, func(b *testing.B) {
				templatesMu.Lock()
				aheadCopies, dropInBackground, reuseDatabases = 0, false, false
				if mode != "at-call" {
					aheadCopies, dropInBackground, reuseDatabases = 2, true, mode == "reuse"
				}
				templatesMu.Unlock()
				// A template per mode, since one keeps how its copies are made.
				cfg := &config{prepareKey: "benchmark " + mode}
				// Not timed: the first, which builds the template, and the
				// second, which starts the copies made ahead, and those.
				for range 2 + aheadCopies {
					db, err := newDatabase(ctx, fsys, cfg)
					if err != nil {
						b.Fatal(err)
					}
					db.release()
				}
				d, _ := open(fsys, "")
				templatesMu.Lock()
				tp := templates[templateKey(d, cfg)]
				templatesMu.Unlock()
				waitResets(b, tp)
				waitDrops()
				cpu := serverCPU(b, srv.DataDir())
				var wait time.Duration
				var op int64
				for b.Loop() {
					start := time.Now()
					db, err := newDatabase(ctx, fsys, cfg)
					if err != nil {
						b.Fatal(err)
					}
					wait += time.Since(start)
					if err := w.run(ctx, db.pool, atomic.AddInt64(&op, 1)); err != nil {
						b.Fatal(err)
					}
					start = time.Now()
					if err := db.release(); err != nil {
						b.Fatal(err)
					}
					wait += time.Since(start)
				}
				b.ReportMetric(float64(wait.Microseconds())/1000/float64(b.N), "wait-ms/op")
				reportServerCPU(b, serverCPU(b, srv.DataDir())-cpu)
			})
		}
	}
}

// reportServerCPU reports the server's processor time per operation, a
// figure that the load of a shared machine does not inflate as it does
// the time on the clock.
func reportServerCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
	}
}

// BenchmarkMigrateEach is what each test's database costs when every test
// applies the migrations itself: an empty database, the migrations, a
// pool, the test's work, and the drop, which the test waits for.
func BenchmarkMigrateEach(b *testing.B) {
	fsys := hundredTables()
	ctx := context.Background()
	srv, err := server()
	if err != nil {
		b.Fatal(err)
	}
	d, err := open(fsys, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range works {
		b.Run("work="+w.name, func(b *testing.B) {
			cpu := serverCPU(b, srv.DataDir())
			var wait time.Duration
			var op int64
			for b.Loop() {
				start := time.Now()
				name := "mizzletest_" + randomHex(8)
				if err := srv.CreateDatabase(ctx, name, "", ""); err != nil {
					b.Fatal(err)
				}
				conn, err := pgx.Connect(ctx, srv.URL(name))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.Apply(ctx, conn, (&config{}).migrate); err != nil {
					b.Fatal(err)
				}
				conn.Close(ctx)
				pool, err := pgxpool.New(ctx, srv.URL(name))
				if err != nil {
					b.Fatal(err)
				}
				wait += time.Since(start)
				if err := w.run(ctx, pool, atomic.AddInt64(&op, 1)); err != nil {
					b.Fatal(err)
				}
				start = time.Now()
				db := &database{srv: srv, name: name, pool: pool}
				if err := db.drop(); err != nil {
					b.Fatal(err)
				}
				wait += time.Since(start)
			}
			b.ReportMetric(float64(wait.Microseconds())/1000/float64(b.N), "wait-ms/op")
			reportServerCPU(b, serverCPU(b, srv.DataDir())-cpu)
		})
	}
}

// BenchmarkWorkOnly is the test's work alone, on one database kept from
// one operation to the next: what BenchmarkNew's time/op would be if a
// fresh database cost nothing.
func BenchmarkWorkOnly(b *testing.B) {
	ctx := context.Background()
	db, err := newDatabase(ctx, hundredTables(), &config{prepareKey: "benchmark work only"})
	if err != nil {
		b.Fatal(err)
	}
	defer db.drop()
	var op int64
	for b.Loop() {
		if err := workload(ctx, db.pool, atomic.AddInt64(&op, 1)); err != nil {
			b.Fatal(err)
		}
	}
}
