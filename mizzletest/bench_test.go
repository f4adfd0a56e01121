package mizzletest

import (
	"context"
	"fmt"
	"strings"
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

// BenchmarkNew is what each test's database costs after the first: a copy
// of the template, a pool on it that has connected, and the drop at the
// end of the test; by strategy of CREATE DATABASE.
func BenchmarkNew(b *testing.B) {
	fsys := hundredTables()
	ctx := context.Background()
	srv, err := server()
	if err != nil {
		b.Fatal(err)
	}
	strategy(ctx, srv) // decided once; the sub-benchmarks override it
	defer func(s string) { strategyName = s }(strategyName)
	for _, s := range []string{"FILE_COPY", "WAL_LOG"} {
		b.Run("strategy="+s, func(b *testing.B) {
			strategyName = s
			// The first, which builds the template, is not timed.
			first, err := newDatabase(ctx, fsys, &config{})
			if err != nil {
				b.Fatal(err)
			}
			first.drop()
			cpu := serverCPU(b, srv.DataDir())
			for b.Loop() {
				db, err := newDatabase(ctx, fsys, &config{})
				if err != nil {
					b.Fatal(err)
				}
				if err := db.pool.Ping(ctx); err != nil {
					b.Fatal(err)
				}
				if err := db.drop(); err != nil {
					b.Fatal(err)
				}
			}
			reportServerCPU(b, serverCPU(b, srv.DataDir())-cpu)
		})
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
// pool that has connected, and the drop.
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
	cpu := serverCPU(b, srv.DataDir())
	for b.Loop() {
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
		if err := pool.Ping(ctx); err != nil {
			b.Fatal(err)
		}
		db := &database{srv: srv, name: name, pool: pool}
		if err := db.drop(); err != nil {
			b.Fatal(err)
		}
	}
	reportServerCPU(b, serverCPU(b, srv.DataDir())-cpu)
}
