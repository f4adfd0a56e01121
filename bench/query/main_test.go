// Package bench compares mizzle's generated queries with hand-written pgx
// code (the floor), GORM and bun on one PostgreSQL table, users. Each
// benchmark has one sub-benchmark per library, which do the same work: the
// same rows, the same statements in meaning, the same results read back.
//
// The database comes from MIZZLE_BENCH_DATABASE_URL; run.sh starts a
// throwaway cluster and sets it. The benchmarks own that database's
// tables (public.users, and posts and comments for the relations): they
// drop them, create them from the migrations mizzle generated, and empty
// them as they go.
package bench

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/mizzle/mizzle/bench/query/db"
)

const envURL = "MIZZLE_BENCH_DATABASE_URL"

// migrations are the files mizzle generated from package schema: the
// users table is created from them, so that it is exactly the table the
// generated queries were written for.
//
//go:embed migrations/*.sql
var migrations embed.FS

// handles are the connections of each library, and setup's own, which
// empties and fills the table outside the timed loops. Every library has
// its own pool, so that none finds another's prepared statements.
type handles struct {
	setup  *pgxpool.Pool
	pgx    *pgxpool.Pool
	mizzle *db.Queries
	// mizzlePool is mizzle's pool, which a pg.Batch is sent on.
	mizzlePool *pgxpool.Pool
	gorm       *gorm.DB
	bun        *bun.DB
}

// h is nil when no database was given; every benchmark then skips.
var h *handles

func TestMain(m *testing.M) {
	url := os.Getenv(envURL)
	if url == "" {
		fmt.Fprintf(os.Stderr, "bench: %s is not set: the benchmarks skip (run.sh starts a cluster and sets it)\n", envURL)
		os.Exit(m.Run())
	}
	var err error
	h, err = open(context.Background(), url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.close()
	os.Exit(code)
}

// open connects every library and creates the users table afresh.
func open(ctx context.Context, url string) (*handles, error) {
	var x handles
	var err error
	if x.setup, err = pgxpool.New(ctx, url); err != nil {
		return nil, err
	}
	if err := createTable(ctx, x.setup); err != nil {
		x.setup.Close()
		return nil, err
	}
	// pgx and mizzle: pgxpool with pgx's defaults (prepared statements,
	// cached per connection).
	if x.pgx, err = pgxpool.New(ctx, url); err != nil {
		return nil, err
	}
	mp, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, err
	}
	x.mizzle, x.mizzlePool = db.New(mp), mp
	// GORM with the settings its performance guide recommends: no
	// transaction around each write, prepared statements, no logging. Its
	// postgres driver runs on pgx's database/sql driver.
	x.gorm, err = gorm.Open(postgres.Open(url), &gorm.Config{
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		Logger:                 logger.Discard,
	})
	if err != nil {
		return nil, err
	}
	// bun with its own PostgreSQL driver, as its documentation sets it up.
	// pgdriver sends the URL's parameters it does not know to the server,
	// which knows no default_query_exec_mode (pgx's, which run.sh's
	// POOLER=1 sets).
	x.bun = bun.NewDB(sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(withoutParam(url, "default_query_exec_mode")))), pgdialect.New())
	// Connect every pool now, so that no benchmark's first operation
	// includes a connection's start-up.
	gdb, err := x.gorm.DB()
	if err != nil {
		return nil, err
	}
	for name, ping := range map[string]func(context.Context) error{
		"pgx": x.pgx.Ping, "mizzle": mp.Ping, "gorm": gdb.PingContext, "bun": x.bun.PingContext,
	} {
		if err := ping(ctx); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	return &x, nil
}

// withoutParam returns the URL rawURL without the query parameter name.
func withoutParam(rawURL, name string) string {
	u, err := neturl.Parse(rawURL)
	if err != nil {
		return rawURL // pgdriver reports it
	}
	q := u.Query()
	q.Del(name)
	u.RawQuery = q.Encode()
	return u.String()
}

func (x *handles) close() {
	x.pgx.Close()
	x.mizzle.DB().(*pgxpool.Pool).Close()
	if d, err := x.gorm.DB(); err == nil {
		d.Close()
	}
	x.bun.Close()
	x.setup.Close()
}

// createTable drops the tables and runs the generated migrations, whose
// statements are separated by drizzle's breakpoint comments.
func createTable(ctx context.Context, p *pgxpool.Pool) error {
	if _, err := p.Exec(ctx, `DROP TABLE IF EXISTS "public"."comments", "public"."posts", "public"."users", "public"."docs" CASCADE`); err != nil {
		return err
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	for _, f := range files {
		text, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		for _, stmt := range strings.Split(string(text), "--> statement-breakpoint") {
			if _, err := p.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %v", f, err)
			}
		}
	}
	return nil
}

// seedRows is the size of the table the reads and updates run on, and of
// the bulk inserts.
const seedRows = 10_000

// emails and names are the values of seedRows distinct users, made once so
// that no benchmark formats strings in its timed loop. Emails are unique,
// so a table holds each at most once: inserts empty it every seedRows rows.
var emails, names = func() (e, n []string) {
	for i := range seedRows {
		e = append(e, fmt.Sprintf("user%05d@example.com", i))
		n = append(n, fmt.Sprintf("User %05d", i))
	}
	return e, n
}()

// reset empties the table and restarts its identity, so that ids are
// 1..n again; with seed, it then fills it with seedRows users by COPY.
// VACUUM ANALYZE leaves every library the same table: statistics, hint bits
// and visibility map alike. It is not timed.
func reset(b *testing.B, seed bool) {
	b.Helper()
	ctx := context.Background()
	if _, err := h.setup.Exec(ctx, `TRUNCATE "public"."users", "public"."posts", "public"."comments" RESTART IDENTITY`); err != nil {
		b.Fatal(err)
	}
	if seed {
		_, err := h.setup.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"email", "name", "score"},
			pgx.CopyFromSlice(seedRows, func(i int) ([]any, error) {
				return []any{emails[i], names[i], int32(i)}, nil
			}))
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := h.setup.Exec(ctx, `VACUUM ANALYZE "public"."users"`); err != nil {
		b.Fatal(err)
	}
}

// impl is one library's way of doing a benchmark's operation.
type impl struct {
	name string
	// op does the i-th operation and checks its result.
	op func(ctx context.Context, i int) error
	// prepare, when set, runs untimed before every operation, after the
	// table is emptied: bulk inserts take fresh rows each time, since
	// inserting sets their ids.
	prepare func()
}

// plan is the state a benchmark's operations run on.
type plan struct {
	seed bool // start from seedRows users (else from an empty table)
	// resetEvery empties the table (or seeds it again), untimed, before
	// every resetEvery-th operation; 0 never does after the start.
	resetEvery int
}

// run runs one sub-benchmark per library, each from the same table.
func run(b *testing.B, p plan, impls ...impl) {
	for _, im := range impls {
		// lib=NAME, so that benchstat can put the libraries side by side
		// (-col /lib) and compare each with the first, pgx.
		b.Run("lib="+im.name, func(b *testing.B) {
			if h == nil {
				b.Skip(envURL + " is not set")
			}
			ctx := context.Background()
			reset(b, p.seed)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if p.resetEvery > 0 && i > 0 && i%p.resetEvery == 0 || im.prepare != nil {
					b.StopTimer()
					if p.resetEvery > 0 && i > 0 && i%p.resetEvery == 0 {
						reset(b, p.seed)
					}
					if im.prepare != nil {
						im.prepare()
					}
					b.StartTimer()
				}
				if err := im.op(ctx, i); err != nil {
					b.Fatalf("operation %d: %v", i, err)
				}
			}
		})
	}
}
