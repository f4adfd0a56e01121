package mizzletest

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/testserver"
	"github.com/mizzle/mizzle/migrate"
)

// folder builds a migrations folder under dir from tags and SQL, with a
// journal that lists them in the order given.
func folder(dir string, files ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	var entries []string
	for i := 0; i < len(files); i += 2 {
		tag, sql := files[i], files[i+1]
		fsys[dir+tag+".sql"] = &fstest.MapFile{Data: []byte(sql)}
		entries = append(entries, fmt.Sprintf(`{"idx": %d, "version": "7", "when": %d, "tag": %q, "breakpoints": true}`, i/2, 1000+i, tag))
	}
	fsys[dir+"meta/_journal.json"] = &fstest.MapFile{Data: []byte(`{"version": "7", "dialect": "postgresql", "entries": [` +
		strings.Join(entries, ",") + `]}`)}
	return fsys
}

var (
	shop = folder("migrations/",
		"0000_init", `CREATE TABLE customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
--> statement-breakpoint
CREATE TABLE "order" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer);`,
		"0001_note", `ALTER TABLE "order" ADD COLUMN note text;`)
	blog = folder("",
		"0000_posts", `CREATE SCHEMA blog;
--> statement-breakpoint
CREATE TABLE blog.post (id int PRIMARY KEY, title text NOT NULL);`)
)

// databaseExists asks the server whether the database name exists.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	s, err := server()
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := s.QueryRow(context.Background(), "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", []any{name}, &ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestParallelDatabasesAreIsolated: tests running at once each get a
// database of their own, migrated, with nothing of the others' rows, and
// each is dropped when its test ends or, on the throwaway cluster, made
// as new again for a later test: those are what is left.
func TestParallelDatabasesAreIsolated(t *testing.T) {
	const n = 24
	var mu sync.Mutex
	var names []string
	inUse := map[string]bool{}
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				pool := New(t, shop, Dir("migrations"))
				name := pool.Config().ConnConfig.Database
				mu.Lock()
				if inUse[name] {
					t.Errorf("database %s is another running test's too", name)
				}
				inUse[name] = true
				names = append(names, name)
				mu.Unlock()
				t.Cleanup(func() { // before New's own, which gives it back
					mu.Lock()
					delete(inUse, name)
					mu.Unlock()
				})
				ctx := context.Background()
				email := fmt.Sprintf("c%d@example.com", i)
				var id int64
				if err := pool.QueryRow(ctx, `INSERT INTO customer (email) VALUES ($1) RETURNING id`, email).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if _, err := pool.Exec(ctx, `INSERT INTO "order" (customer_id, note) VALUES ($1, 'first')`, id); err != nil {
					t.Fatal(err)
				}
				// Identity restarts in every copy, and only this test's
				// row is there.
				var emails []string
				rows, _ := pool.Query(ctx, `SELECT email FROM customer`)
				emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatal(err)
				}
				if id != 1 || !slices.Equal(emails, []string{email}) {
					t.Errorf("id %d, rows %q; want 1 and only %q", id, emails, email)
				}
				var applied int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM mizzle.__mizzle_migrations`).Scan(&applied); err != nil || applied != 2 {
					t.Errorf("history: %d rows, %v; want 2", applied, err)
				}
			})
		}
	})
	if len(names) != n {
		t.Fatalf("%d tests got a database, want %d", len(names), n)
	}
	// On the throwaway cluster the drops and resets run after the tests,
	// in the background.
	d, _ := open(shop, "migrations")
	templatesMu.Lock()
	tp := templates[templateKey(d, &config{dir: "migrations"})]
	templatesMu.Unlock()
	waitResets(t, tp)
	waitDrops()
	spare := spares(tp)
	for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
		if databaseExists(t, name) && !slices.Contains(spare, name) {
			t.Errorf("database %s is still there after its test ended, and waits for no test", name)
		}
	}
}

// spares returns the names of the databases of tp waiting for a test.
func spares(tp *tmpl) []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var out []string
	for range len(tp.ready) {
		m := <-tp.ready
		out = append(out, m.name)
		tp.ready <- m
	}
	return out
}

// TestTwoFolders: two migration folders get two templates, and each test
// the schema of the folder it named.
func TestTwoFolders(t *testing.T) {
	t.Parallel()
	a, b := New(t, shop, Dir("migrations")), New(t, blog)
	ctx := context.Background()
	has := func(pool interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}, rel string) bool {
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, rel).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !has(a, "public.customer") || has(a, "blog.post") {
		t.Errorf("the shop folder's database: customer %v, blog.post %v", has(a, "public.customer"), has(a, "blog.post"))
	}
	if !has(b, "blog.post") || has(b, "public.customer") {
		t.Errorf("the blog folder's database: blog.post %v, customer %v", has(b, "blog.post"), has(b, "public.customer"))
	}
	da, _ := open(shop, "migrations")
	db, _ := open(blog, "")
	ka, kb := templateKey(da, &config{dir: "migrations"}), templateKey(db, &config{})
	if ka == kb {
		t.Errorf("both folders have the template key %s", ka)
	}
	// The templates refuse connections, so that a copy never finds one.
	for _, k := range []string{ka, kb} {
		s, _ := server()
		var allow, isTemplate bool
		if err := s.QueryRow(ctx, `SELECT datallowconn, datistemplate FROM pg_database WHERE datname = $1`, []any{"mizzletest_" + k[:24]}, &allow, &isTemplate); err != nil {
			t.Fatalf("template mizzletest_%s: %v", k[:24], err)
		}
		if allow || !isTemplate {
			t.Errorf("template mizzletest_%s: datallowconn %v, datistemplate %v; want false, true", k[:24], allow, isTemplate)
		}
	}
	// Options that change what the template holds change its key.
	if k := templateKey(db, &config{migrate: migrateDrizzle()}); k == kb {
		t.Error("Drizzle() does not change the template key")
	}
}

func migrateDrizzle() (o migrate.Options) { o.Drizzle = true; return o }

// fatalOf runs f with a testing.TB that records the message of the Fatal
// that stops f, and returns it ("" when f returned). Cleanups go to t.
func fatalOf(t *testing.T, f func(tb testing.TB)) string {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.msg
}

type recorder struct {
	testing.TB
	msg    string
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// TestBrokenMigration: a migration PostgreSQL refuses fails the test with
// its file, line, statement and the server's message, leaves no template
// behind, and fails every test that wants the folder the same way.
func TestBrokenMigration(t *testing.T) {
	t.Parallel()
	broken := folder("db/",
		"0000_ok", `CREATE TABLE a (id int PRIMARY KEY);`,
		"0001_bad", "CREATE TABLE b (id int PRIMARY KEY);\n--> statement-breakpoint\nALTER TABLE b ADD COLUMN a_id int REFERENCES missing;")
	msg := fatalOf(t, func(tb testing.TB) { New(tb, broken, Dir("db")) })
	for _, want := range []string{"db/0001_bad.sql:3:", "statement 2", `relation "missing" does not exist`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure %q does not name %q", msg, want)
		}
	}
	if again := fatalOf(t, func(tb testing.TB) { New(tb, broken, Dir("db")) }); again != msg {
		t.Errorf("a second test with the folder fails with %q, want the same %q", again, msg)
	}
	d, _ := open(broken, "db")
	name := "mizzletest_" + templateKey(d, &config{dir: "db"})[:24]
	s, _ := server()
	var left int
	if err := s.QueryRow(context.Background(), `SELECT count(*) FROM pg_database WHERE datname LIKE $1 || '%'`, []any{name}, &left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d databases named %s... left behind by the failed build", left, name)
	}
}

// TestFolderMistakes: a folder that is not where New was told is named,
// with the option that fixes it.
func TestFolderMistakes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		opts []Option
		want []string
	}{
		{"embedded folder without Dir", shop, nil, []string{"meta/_journal.json is not at the root", `mizzletest.Dir("migrations")`}},
		{"wrong Dir", shop, []Option{Dir("db")}, []string{"meta/_journal.json is not in db"}},
		{"a file the journal does not list", func() fstest.MapFS {
			f := folder("m/", "0000_a", "SELECT 1;")
			f["m/0001_stray.sql"] = &fstest.MapFile{Data: []byte("SELECT 2;")}
			return f
		}(), []Option{Dir("m")}, []string{"m/0001_stray.sql"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := fatalOf(t, func(tb testing.TB) { New(tb, c.fsys, c.opts...) })
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("failure %q does not say %q", msg, w)
				}
			}
		})
	}
}

// TestPrepareRunsOnTheTemplate: what the prepare hook (where seeding will
// plug in) writes is in every copy, and the hook's key keeps its template
// apart from the folder's plain one.
func TestPrepareRunsOnTheTemplate(t *testing.T) {
	t.Parallel()
	seeded := func(c *config) {
		c.prepareKey = "three customers"
		c.prepare = func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, `INSERT INTO customer (email) SELECT 'c' || i || '@example.com' FROM generate_series(1, 3) i`)
			return err
		}
	}
	ctx := context.Background()
	for _, want := range []int{3, 3} {
		pool := New(t, shop, Dir("migrations"), seeded)
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM customer`).Scan(&n); err != nil || n != want {
			t.Errorf("customers in a prepared copy: %d, %v; want %d", n, err, want)
		}
	}
	plain := New(t, shop, Dir("migrations"))
	var n int
	if err := plain.QueryRow(ctx, `SELECT count(*) FROM customer`).Scan(&n); err != nil || n != 0 {
		t.Errorf("customers in a plain copy: %d, %v; want 0", n, err)
	}
}

// TestDependencies: an application's tests importing the package link
// pgx, its pool, mizzle's migrator, introspection and seeder, none of the
// generator, the loader (go/packages) or the command line. The differ
// comes with introspection, whose Normalize plans with it, and the cache
// encoding and file writing with its cache.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/mizzle/mizzle/mizzletest").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := []string{
		"github.com/mizzle/mizzle/mizzletest", "github.com/mizzle/mizzle/migrate", "github.com/mizzle/mizzle/schema",
		"github.com/mizzle/mizzle/internal/testserver", "github.com/mizzle/mizzle/internal/pgcluster",
		"github.com/mizzle/mizzle/internal/quote", "github.com/mizzle/mizzle/internal/sqlsplit", "github.com/mizzle/mizzle/internal/jsonfile",
		"github.com/mizzle/mizzle/seed", "github.com/mizzle/mizzle/internal/seed", "github.com/mizzle/mizzle/internal/dbreset",
		"github.com/mizzle/mizzle/internal/introspect", "github.com/mizzle/mizzle/migrations", "github.com/mizzle/mizzle/internal/grammar",
		"github.com/mizzle/mizzle/internal/cachecodec", "github.com/mizzle/mizzle/internal/atomicfile",
	}
	var bad []string
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(dep, "github.com/mizzle/mizzle"):
			if !slices.Contains(allowed, dep) {
				bad = append(bad, dep)
			}
		case strings.HasPrefix(dep, "github.com/jackc/"), strings.HasPrefix(dep, "golang.org/x/text/"),
			dep == "golang.org/x/sync/semaphore", dep == "github.com/google/uuid", strings.HasPrefix(dep, "vendor/"):
		default:
			bad = append(bad, dep)
		}
	}
	if len(bad) > 0 {
		t.Errorf("mizzletest links more than pgx, the migrator, introspection and the seeder:\n\t%s", strings.Join(bad, "\n\t"))
	}
}

// TestConcurrentCopies: copies made at the same moment, more than -parallel
// lets tests run, all succeed, each of the migrated schema, while the
// template is built by the first.
func TestConcurrentCopies(t *testing.T) {
	t.Parallel()
	fsys := folder("", "0000_t", `CREATE TABLE t (id int PRIMARY KEY);`)
	const n = 16
	dbs := make([]*database, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = newDatabase(context.Background(), fsys, &config{}) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("copy %d: %v", i, errs[i])
			continue
		}
		var ok bool
		if err := dbs[i].pool.QueryRow(context.Background(), `SELECT to_regclass('t') IS NOT NULL`).Scan(&ok); err != nil || !ok {
			t.Errorf("copy %d: table t %v, %v", i, ok, err)
		}
		if err := dbs[i].drop(); err != nil {
			t.Error(err)
		}
	}
}

// TestCopiesMadeAhead: on the throwaway cluster, a template asked for
// once makes no copy ahead; from the second test on, copies are made
// ahead and tests take them, and once enough wait, no goroutine is left
// making them.
func TestCopiesMadeAhead(t *testing.T) {
	t.Parallel()
	// A folder of its own, unlike any other run's (-count).
	fsys := folder("", "0000_t", `CREATE TABLE ahead (id int PRIMARY KEY); -- `+randomHex(8))
	first := New(t, fsys)
	d, _ := open(fsys, "")
	templatesMu.Lock()
	tp := templates[templateKey(d, &config{})]
	templatesMu.Unlock()
	state := func() (made, makers, waiting int) {
		tp.mu.Lock()
		defer tp.mu.Unlock()
		if tp.ready != nil {
			waiting = len(tp.ready)
		}
		return tp.made, tp.makers, waiting
	}
	if made, makers, _ := state(); made != 0 || makers != 0 {
		t.Fatalf("a template asked for once: %d copies made ahead, %d makers", made, makers)
	}
	// The makers fill the queue, then end.
	settled := func(wantMade int) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
			made, makers, waiting := state()
			if made == wantMade && makers == 0 && waiting == aheadCopies {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after a minute: %d copies made ahead, %d makers, %d waiting; want %d, none, %d", made, makers, waiting, wantMade, aheadCopies)
			}
		}
	}
	second := New(t, fsys)
	settled(1 + aheadCopies) // the second test's, and those waiting
	third := New(t, fsys)
	settled(2 + aheadCopies) // the one taken is made again
	names := []string{first.Config().ConnConfig.Database, second.Config().ConnConfig.Database, third.Config().ConnConfig.Database}
	if len(slices.Compact(slices.Sorted(slices.Values(names)))) != 3 {
		t.Errorf("three tests got the databases %q", names)
	}
	var ok bool
	if err := third.QueryRow(context.Background(), `SELECT to_regclass('ahead') IS NOT NULL`).Scan(&ok); err != nil || !ok {
		t.Errorf("a copy made ahead: table ahead %v, %v", ok, err)
	}
}

// TestDropErrorReported: a drop that fails in the background, after its
// test ended, fails the next test that asks for a database, naming the
// database; it is reported once. Not parallel: the next test must be
// this one.
func TestDropErrorReported(t *testing.T) {
	srv, err := server()
	if err != nil {
		t.Fatal(err)
	}
	if srv.External() {
		t.Fatal("the drops run in the background on the throwaway cluster only; unset " + testserver.EnvURL)
	}
	ctx := context.Background()
	name := "mizzletest_undroppable_" + randomHex(4)
	if err := srv.CreateDatabase(ctx, name, "", ""); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL refuses to drop a template database.
	if err := srv.Exec(ctx, "ALTER DATABASE "+quote.Ident(name)+" IS_TEMPLATE true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Exec(ctx, "ALTER DATABASE "+quote.Ident(name)+" IS_TEMPLATE false")
		srv.DropDatabase(ctx, name)
	})
	dropLater(srv, name)
	waitDrops()
	r := &recorder{TB: t}
	New(r, shop, Dir("migrations"))
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "dropping database "+name) || !strings.Contains(r.errors[0], "template database") {
		t.Errorf("the next test reports %q; want the failed drop of %s", r.errors, name)
	}
	r = &recorder{TB: t}
	New(r, shop, Dir("migrations"))
	if len(r.errors) != 0 {
		t.Errorf("the test after that reports %q too", r.errors)
	}
}
