// Package mizzletest gives each test of an application a PostgreSQL
// database of its own with every migration applied, dropped (or, on a
// throwaway cluster, made as new again for a later test) when the test
// ends.
//
//	//go:embed migrations
//	var migrations embed.FS
//
//	func TestOrders(t *testing.T) {
//		t.Parallel()
//		pool := mizzletest.New(t, migrations, mizzletest.Dir("migrations"))
//		q := db.New(pool)
//		...
//	}
//
// New applies the migrations (with package migrate, as the application
// does at start-up) once per test binary to a template database, then
// gives every test a copy of it made with CREATE DATABASE ... TEMPLATE,
// which costs the server a fraction of applying the migrations (at 100
// tables, under a fifth of its processor time), and does not grow with
// their number. Tests may run in parallel: each has its own database.
// Two different migration folders (or options) get two templates.
//
// A copy still costs the server work that grows with the number of
// tables (it copies and later deletes a few files per table and index),
// so on its throwaway cluster New keeps it out of the tests' way: from
// the second test that asks for a template on, two copies wait, made
// ahead while the tests before run (two at a time, and another each time
// one is taken). A template asked for once is copied once, and once the
// copies wait and the resets and drops are done no goroutine of the
// package is left running.
//
// There, too, the database of a test that has ended is given to a later
// test when the test changed nothing but rows of tables that are empty in
// the template and sequences, which is what most tests of an application
// do: those tables are emptied (DELETE, with triggers and foreign keys
// off) and the sequences set back, and the later test finds what a new
// copy holds, at a fraction of a copy's cost. The server's statistics
// say what the test changed, once its sessions have ended. A test that
// changed the schema or any other catalog (a table, a grant, a comment, a
// temporary table, a large object), rows the template holds (the
// migration history, rows of Seed), the database's own settings or the
// statistics themselves, or that left a connection open, has its
// database dropped in the background, and a new copy takes its place. A
// database serves at most 50 tests. What reuse does not restore is what
// no query's result depends on: the database's name and OID, the
// statistics the planner and autovacuum go by, the space deleted rows
// take until autovacuum frees it, and so the order in which a query
// without ORDER BY happens to return rows. A test that reads those, or
// that turns off the server's track_counts (which the statistics need),
// asks for a new copy with Fresh.
//
// On a server of your own every copy is made when asked and dropped
// before the test ends, since a copy made ahead, one kept for reuse or a
// drop still pending when the test binary exits would be left there.
//
// With Seed, the template is also filled, once, with the rows mizzle seed
// writes for the schema's seed settings, so every test starts from the
// same data at no cost of its own:
//
//	pool := mizzletest.New(t, migrations, mizzletest.Dir("migrations"), mizzletest.Seed(schema.Seed))
//
// The server is the one named by the MIZZLE_TEST_DATABASE_URL environment
// variable, a postgres:// URL of a role that may create databases (its
// own database is only used to create and drop the others), or else a
// throwaway cluster that New starts once per test binary with the
// PostgreSQL server programs installed on the machine (initdb and pg_ctl,
// PostgreSQL 13 or later, on PATH or in /usr/lib/postgresql/*/bin; the
// same that mizzle dev runs), in a temporary directory that is removed
// when the test binary ends. Without either, the test fails, saying how to
// install PostgreSQL: it does not skip. No TestMain is needed.
//
// On a server of your own, the template stays after the tests, named
// mizzletest_ and a hash of the migrations, so that the next run (of this
// or another test binary with the same migrations) starts from it; a
// template is marked IS_TEMPLATE and refuses connections. Drop an old one
// with ALTER DATABASE name IS_TEMPLATE false, then DROP DATABASE name.
//
// The package is for tests: it links package testing, pgx's pool,
// mizzle's migrator, introspection and seeder, and nothing of mizzle's
// generator, schema loader or command line.
package mizzletest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/testserver"
	"github.com/mizzle/mizzle/migrate"
)

// Option changes what New does.
type Option func(*config)

type config struct {
	dir     string
	migrate migrate.Options
	// prepare, when set, runs on the template after the migrations, with
	// prepareKey in the template's key: the rows every test starts from
	// (Seed).
	prepare    func(ctx context.Context, conn *pgx.Conn) error
	prepareKey string
	// fresh: the test's database is a new copy, dropped after it (Fresh).
	fresh bool
	// err is an option's mistake, which New reports.
	err error
}

// Dir says where the migrations folder is inside the file system given to
// New: "migrations" for a file system embedded with //go:embed migrations.
// Without it, the folder is the file system's root.
func Dir(path string) Option { return func(c *config) { c.dir = path } }

// HistoryTable names the table the migrations are recorded in, as
// migrate.Options.Table does; mizzle.__mizzle_migrations by default.
func HistoryTable(schema, name string) Option {
	return func(c *config) { c.migrate.Table = migrate.TableName{Schema: schema, Name: name} }
}

// Drizzle records the migrations as drizzle-orm's migrator does, as
// migrate.Options.Drizzle does.
func Drizzle() Option { return func(c *config) { c.migrate.Drizzle = true } }

// Fresh gives the test a new copy of the template, made when it asks,
// and drops it after the test, rather than a database an ended test gave
// back (emptied, as the package documentation says): for a test that
// reads what reuse does not restore, such as the database's name or its
// statistics, or that turns the server's track_counts off.
func Fresh() Option { return func(c *config) { c.fresh = true } }

// New returns a pool on a new database holding every migration of the
// migrations folder in fsys, for t alone. The pool is closed and the
// database dropped, or made as new again for a later test, when t ends.
// It must be called from t's goroutine, since it stops the test
// (t.Fatal) when it cannot: no server, a folder that does not read, a
// migration that fails (named with its statement), seed settings that do
// not fit the schema.
func New(t testing.TB, fsys fs.FS, opts ...Option) *pgxpool.Pool {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.err != nil {
		t.Fatalf("mizzletest: %v", cfg.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// A drop that failed after its test had ended is reported here, to
	// the next test, rather than nowhere.
	for _, err := range dropErrors() {
		t.Errorf("mizzletest: after an earlier test: %v", err)
	}
	db, err := newDatabase(ctx, fsys, &cfg)
	if err != nil {
		t.Fatalf("mizzletest: %v", err)
	}
	t.Cleanup(func() {
		if err := db.release(); err != nil {
			t.Errorf("mizzletest: %v", err)
		}
	})
	return db.pool
}

// database is a test's database and the pool on it.
type database struct {
	srv  *testserver.Server
	name string
	pool *pgxpool.Pool
	// background: the database is dropped by the dropper after its test,
	// which does not wait for it, or given to a later test.
	background bool
	// tp is the template the database is a copy of, which takes it back
	// for a later test when it can (nil: never).
	tp *tmpl
	// state is what a reuse of the database starts from.
	state reuseState
}

// newDatabase returns a copy of the template of fsys's migrations (built
// first if this is the first use) with a pool on it: on a throwaway
// cluster, one made ahead when there is one.
func newDatabase(ctx context.Context, fsys fs.FS, cfg *config) (*database, error) {
	srv, err := server()
	if err != nil {
		return nil, err
	}
	tp, err := template(ctx, srv, fsys, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.fresh {
		return makeCopy(ctx, srv, tp.name) // with no tp: never reused
	}
	db, err := tp.take(ctx, srv)
	if db != nil {
		db.tp = tp
	}
	return db, err
}

// makeCopy creates a copy of the template tpl and opens a pool on it.
func makeCopy(ctx context.Context, srv *testserver.Server, tpl string) (*database, error) {
	m := createCopy(ctx, srv, tpl)
	if m.err != nil {
		return nil, m.err
	}
	return openCopy(ctx, srv, m)
}

// createCopy creates a copy of the template tpl: on a throwaway cluster
// with the transaction ID horizon after it, which a later reuse of the
// copy starts its checks from.
func createCopy(ctx context.Context, srv *testserver.Server, tpl string) made {
	name := "mizzletest_" + randomHex(8)
	if err := srv.CreateDatabase(ctx, name, tpl, strategy(ctx, srv)); err != nil {
		return made{err: err}
	}
	m := made{name: name}
	if !srv.External() {
		if m.state.since, m.err = horizon(ctx, srv); m.err != nil {
			dropLater(srv, name)
		}
	}
	return m
}

// openCopy opens a pool on the database m made, or drops it.
func openCopy(ctx context.Context, srv *testserver.Server, m made) (*database, error) {
	pool, err := pgxpool.New(ctx, srv.URL(m.name))
	if err != nil {
		err = fmt.Errorf("connecting to the test database %s: %w", m.name, err)
		if dropErr := srv.DropDatabase(context.WithoutCancel(ctx), m.name); dropErr != nil {
			err = fmt.Errorf("%w\n(cleaning up: %v)", err, dropErr)
		}
		return nil, err
	}
	templatesMu.Lock() // a benchmark sets dropInBackground
	background := dropInBackground && !srv.External()
	templatesMu.Unlock()
	return &database{srv: srv, name: m.name, pool: pool, background: background, state: m.state}, nil
}

// release closes the pool, then gives the database back for a later test
// or drops it: on a throwaway cluster in the background, since nothing
// outlives the cluster and the test need not wait; on a server of the
// user's before it returns, since a drop still pending when the test
// binary exits would leave the database there.
func (db *database) release() error {
	db.pool.Close()
	if !db.background {
		return db.drop()
	}
	if db.tp != nil && db.tp.reserveReuse(db) {
		go db.tp.reuse(db)
		return nil
	}
	dropLater(db.srv, db.name)
	return nil
}

// drop closes the pool, then drops the database, and returns when it is
// gone.
func (db *database) drop() error {
	db.pool.Close()
	// A fresh context: the test's own is cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return db.srv.DropDatabase(ctx, db.name)
}

// dropInBackground says whether the databases of a throwaway cluster are
// dropped in the background; a variable, so that a benchmark measures
// drops the test waits for.
var dropInBackground = true

// The dropper drops the databases of ended tests in the background, on
// an administrative connection of its own, so that a drop runs beside
// the copy being made for the next test.
var dropper struct {
	mu      sync.Mutex
	idle    sync.Cond          // signalled when the dropper stops running, on mu
	srv     *testserver.Server // Another of the test binary's server
	pending []string
	running bool
	errs    []error
}

// waitDrops returns when no drop is pending: for tests that look for the
// databases of ended tests.
func waitDrops() {
	dropper.mu.Lock()
	defer dropper.mu.Unlock()
	for dropper.running {
		dropper.idle.Wait()
	}
}

// dropLater queues the database name of srv for the dropper.
func dropLater(srv *testserver.Server, name string) {
	dropper.mu.Lock()
	defer dropper.mu.Unlock()
	if dropper.srv == nil {
		dropper.srv = srv.Another()
		dropper.idle.L = &dropper.mu
	}
	dropper.pending = append(dropper.pending, name)
	if !dropper.running {
		dropper.running = true
		go drain()
	}
}

// drain drops the pending databases until there are none.
func drain() {
	for {
		dropper.mu.Lock()
		if len(dropper.pending) == 0 {
			dropper.running = false
			dropper.idle.Broadcast()
			dropper.mu.Unlock()
			return
		}
		name := dropper.pending[0]
		dropper.pending = dropper.pending[1:]
		srv := dropper.srv
		dropper.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := srv.DropDatabase(ctx, name)
		cancel()
		if err != nil {
			backgroundError(err)
		}
	}
}

// backgroundError keeps err, of work done in the background after a
// test, for the next test to report.
func backgroundError(err error) {
	dropper.mu.Lock()
	dropper.errs = append(dropper.errs, err)
	dropper.mu.Unlock()
}

// dropErrors returns, once, the errors of the drops and resets made in
// the background so far.
func dropErrors() []error {
	dropper.mu.Lock()
	defer dropper.mu.Unlock()
	errs := dropper.errs
	dropper.errs = nil
	return errs
}

var (
	strategyOnce sync.Once
	strategyName string
)

// strategy is CREATE DATABASE's STRATEGY for the copies: FILE_COPY on a
// throwaway cluster of PostgreSQL 15 or later, where a copy and its drop
// take about a quarter less of the server's time than with the default,
// WAL_LOG, which writes every page of the copy to the WAL (BENCHMARKS.md);
// the server's default elsewhere,
// since FILE_COPY checkpoints the whole server twice, which a server of
// the user's, with other work on it, would feel.
func strategy(ctx context.Context, srv *testserver.Server) string {
	strategyOnce.Do(func() {
		var version int
		if !srv.External() && srv.QueryRow(ctx, "SELECT current_setting('server_version_num')::int", nil, &version) == nil && version >= 150000 {
			strategyName = "FILE_COPY"
		}
	})
	return strategyName
}

var (
	serverOnce sync.Once
	srv        *testserver.Server
	serverErr  error
)

// server opens the test binary's server once. A throwaway cluster is
// stopped by testserver's watcher when the test binary exits, as there is
// no TestMain here to stop it.
func server() (*testserver.Server, error) {
	serverOnce.Do(func() { srv, serverErr = testserver.Open() })
	return srv, serverErr
}

// templateVersion changes when what a template holds changes for the same
// migrations (how this package builds it, how migrate records history), so
// that a server of the user's never hands out a template of another kind.
const templateVersion = "mizzletest 1"

// A tmpl is one template database of this test binary, built once.
type tmpl struct {
	once sync.Once
	name string
	err  error
	// base is what the template holds, for reusing its copies; nil on a
	// server of the user's, where copies are not reused.
	base *baseline

	mu    sync.Mutex
	taken int // copies asked for so far
	// ready holds the copies made ahead, on a throwaway cluster, from the
	// second copy asked for on, and the databases of ended tests made
	// ready again: a test that finds one waits for no CREATE DATABASE.
	// Its room is never short: a maker starts a copy, and a database is
	// taken back, only when ready has room for it beside those being made
	// and reset.
	ready chan made
	ahead int
	// resetting is the number of databases of ended tests being checked
	// and reset, each of which will be put in ready (or, if it cannot be
	// reused, a new copy in its place).
	resetting int
	// makers are the goroutines making copies, inflight the copies they
	// are making, made the copies made so far. A maker ends when ahead
	// copies wait or are being made, so none outlives the tests' demand:
	// when the tests end, no goroutine of this package is left waiting.
	makers, inflight, made int
	// admins are the administrative connections of the makers that
	// ended, for the next ones.
	admins []*testserver.Server
}

type made struct {
	name  string
	state reuseState
	err   error
}

// aheadCopies is how many copies of a template wait, made ahead, for
// the tests to come: enough that a test rarely finds none when tests
// end at about the pace copies are made, few enough that the copies
// no test takes at the end of the run cost little (one CREATE DATABASE
// each). A variable, so that a benchmark measures copies made when asked.
var aheadCopies = 2

// aheadMakers is how many copies of a template are made at once, each on
// an administrative connection of its own: two, so that a copy is made
// on a second processor while another waits for its test, which a
// machine of two processors under load measured as the better
// (BENCHMARKS.md); one on a machine of one.
var aheadMakers = min(2, runtime.GOMAXPROCS(0))

var (
	templatesMu sync.Mutex
	templates   = map[string]*tmpl{}
)

// template returns the template database holding fsys's migrations,
// building it the first time.
func template(ctx context.Context, srv *testserver.Server, fsys fs.FS, cfg *config) (*tmpl, error) {
	d, err := open(fsys, cfg.dir)
	if err != nil {
		return nil, err
	}
	key := templateKey(d, cfg)
	templatesMu.Lock()
	tp := templates[key]
	if tp == nil {
		tp = &tmpl{name: "mizzletest_" + key[:24], ahead: aheadCopies}
		templates[key] = tp
	}
	templatesMu.Unlock()
	// Every test with this folder waits for the one build and shares its
	// outcome: a migration that fails fails every test that wants it, with
	// the same message, and is not tried again by each.
	tp.once.Do(func() { tp.base, tp.err = build(ctx, srv, tp.name, d, cfg) })
	return tp, tp.err
}

// take returns a new copy of the template. The first is made at once;
// from the second on, on a throwaway cluster, copies come from those made
// ahead, and each one taken has another made: a template used by one
// test only costs one copy. On a server of the user's every copy is made
// when asked, since one made ahead and never taken would outlive the test
// binary there.
func (tp *tmpl) take(ctx context.Context, srv *testserver.Server) (*database, error) {
	tp.mu.Lock()
	tp.taken++
	coming := len(tp.ready) > 0 || tp.resetting > 0
	if !coming && (tp.taken == 1 || srv.External() || tp.ahead <= 0) {
		tp.mu.Unlock()
		return makeCopy(ctx, srv, tp.name)
	}
	tp.makeReady()
	tp.startMakers(srv)
	tp.mu.Unlock()
	var m made
	select {
	case m = <-tp.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a copy of %s: %w", tp.name, ctx.Err())
	}
	tp.mu.Lock()
	tp.startMakers(srv) // another in place of the one taken
	tp.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	return openCopy(ctx, srv, m)
}

// makeReady makes the channel ready, with room for the copies made ahead
// and the databases kept for reuse. tp.mu is held.
func (tp *tmpl) makeReady() {
	if tp.ready == nil {
		tp.ready = make(chan made, max(tp.ahead, keepSpare))
	}
}

// reserveReuse reports whether db, whose test ended, is to be checked and
// reset for a later test, and if so reserves its room in ready.
func (tp *tmpl) reserveReuse(db *database) bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	templatesMu.Lock() // a benchmark sets reuseDatabases
	reuse := reuseDatabases
	templatesMu.Unlock()
	if !reuse || tp.base == nil || db.state.uses+1 >= maxUses {
		return false
	}
	tp.makeReady()
	if len(tp.ready)+tp.inflight+tp.resetting >= cap(tp.ready) {
		return false
	}
	tp.resetting++
	return true
}

// reuse checks and resets db, whose test ended, and puts it in ready; or,
// when it cannot be reused, drops it and puts a new copy there instead,
// so that a test waiting for it is not left waiting. An error other than
// the verdict goes to the next test.
func (tp *tmpl) reuse(db *database) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	next, err := resetDatabase(ctx, db.srv.URL(db.name), tp.base, db.state)
	m := made{name: db.name, state: next}
	if err != nil {
		if !isChanged(err) {
			backgroundError(fmt.Errorf("resetting the test database %s for reuse: %w", db.name, err))
		}
		dropLater(db.srv, db.name)
		tp.mu.Lock()
		admin := tp.admin(db.srv)
		tp.mu.Unlock()
		m = createCopy(ctx, admin, tp.name)
		tp.mu.Lock()
		tp.admins = append(tp.admins, admin)
		tp.mu.Unlock()
	}
	tp.mu.Lock()
	tp.resetting--
	tp.ready <- m // never blocks: its room was reserved
	tp.mu.Unlock()
}

// resetDatabase connects to the database of dbURL and resets it.
func resetDatabase(ctx context.Context, dbURL string, base *baseline, st reuseState) (reuseState, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return st, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return reset(ctx, conn, base, st)
}

// admin returns an administrative connection of its own, one a maker left
// or a new one. tp.mu is held.
func (tp *tmpl) admin(srv *testserver.Server) *testserver.Server {
	if n := len(tp.admins); n > 0 {
		a := tp.admins[n-1]
		tp.admins = tp.admins[:n-1]
		return a
	}
	return srv.Another()
}

// startMakers starts makers, up to aheadMakers, while copies are
// wanted. tp.mu is held.
func (tp *tmpl) startMakers(srv *testserver.Server) {
	for tp.makers < aheadMakers && len(tp.ready)+tp.inflight+tp.resetting < tp.ahead {
		admin := tp.admin(srv)
		tp.makers++
		tp.inflight++ // reserved now, so that the next maker counts it
		go tp.makeAhead(admin)
	}
}

// makeAhead makes copies of the template for the tests to come, on the
// administrative connection admin, until ahead copies wait or are being
// made. A failure goes to the test that takes it.
func (tp *tmpl) makeAhead(admin *testserver.Server) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		m := createCopy(ctx, admin, tp.name)
		cancel()
		tp.mu.Lock()
		tp.made++
		tp.inflight--
		tp.ready <- m // never blocks: its room was reserved
		if len(tp.ready)+tp.inflight+tp.resetting >= tp.ahead {
			tp.makers--
			tp.admins = append(tp.admins, admin)
			tp.mu.Unlock()
			return
		}
		tp.inflight++
		tp.mu.Unlock()
	}
}

// open reads the migrations folder dir of fsys, with positions naming
// files as the caller knows them (dir/NNNN_name.sql).
func open(fsys fs.FS, dir string) (*migrate.Dir, error) {
	sub := fsys
	if dir != "" && dir != "." {
		var err error
		if sub, err = fs.Sub(fsys, dir); err != nil {
			return nil, fmt.Errorf("the migrations folder %s: %v", dir, err)
		}
	}
	if _, err := fs.Stat(sub, migrate.JournalFile); err != nil {
		where := "at the root of the file system given to New"
		if dir != "" && dir != "." {
			where = "in " + dir
		}
		msg := fmt.Sprintf("no migrations: %s is not %s", migrate.JournalFile, where)
		if dir == "" || dir == "." {
			if _, err := fs.Stat(fsys, path.Join("migrations", migrate.JournalFile)); err == nil {
				msg += `; the folder is migrations: pass mizzletest.Dir("migrations")`
			}
		}
		return nil, errors.New(msg)
	}
	d, err := migrate.Open(sub)
	if err != nil {
		return nil, inDir(err, dir)
	}
	return d, nil
}

// inDir prefixes the file names of the migrator's errors with dir.
func inDir(err error, dir string) error {
	if dir == "" || dir == "." {
		return err
	}
	var se *migrate.StatementError
	var pe migrate.ProblemsError
	switch {
	case errors.As(err, &se):
		c := *se
		c.Pos.Filename = path.Join(dir, c.Pos.Filename)
		return &c
	case errors.As(err, &pe):
		out := make(migrate.ProblemsError, len(pe))
		for i, p := range pe {
			c := *p
			if c.Pos.Filename != "" {
				c.Pos.Filename = path.Join(dir, c.Pos.Filename)
			}
			out[i] = &c
		}
		return out
	}
	return err
}

// templateKey hashes everything the template's content depends on.
func templateKey(d *migrate.Dir, cfg *config) string {
	h := sha256.New()
	field := func(s string) {
		binary.Write(h, binary.LittleEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	field(templateVersion)
	field(cfg.migrate.Table.Schema)
	field(cfg.migrate.Table.Name)
	field(strconv.FormatBool(cfg.migrate.Drizzle))
	field(cfg.prepareKey)
	for _, m := range d.Migrations {
		field(m.Tag)
		field(strconv.FormatInt(m.When, 10))
		field(string(m.SQL))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// build makes the template name unless it exists already (left by an
// earlier run on a server of the user's). Test binaries sharing a server
// build one at a time, under an advisory lock, and a template gets its
// name only once it is complete, so a build cut short leaves nothing
// another run would take for a template.
//
// On a throwaway cluster it returns what the template holds, for reusing
// its copies.
func build(ctx context.Context, srv *testserver.Server, name string, d *migrate.Dir, cfg *config) (*baseline, error) {
	admin, err := pgx.Connect(ctx, srv.AdminURL())
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", srv, err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	lock := int64(binary.BigEndian.Uint64(sha256Sum("mizzletest template " + name)))
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return nil, fmt.Errorf("waiting for another test binary building %s: %w", name, err)
	}
	// The lock goes with the session: Close releases it.
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return nil, err
	}
	if exists {
		return nil, nil
	}
	work := name + "_build_" + randomHex(4)
	if err := srv.CreateDatabase(ctx, work, "", ""); err != nil {
		return nil, err
	}
	base, err := migrateInto(ctx, srv.URL(work), d, cfg, !srv.External())
	if err != nil {
		if dropErr := srv.DropDatabase(context.WithoutCancel(ctx), work); dropErr != nil {
			err = fmt.Errorf("%w\n(cleaning up: %v)", err, dropErr)
		}
		return nil, err
	}
	// CREATE DATABASE ... TEMPLATE refuses a template with connections;
	// ALLOW_CONNECTIONS false keeps it that way. RENAME waits for the
	// migrating session, closed above, to be gone.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+quote.Ident(work)+" RENAME TO "+quote.Ident(name)); err != nil {
		srv.DropDatabase(context.WithoutCancel(ctx), work)
		return nil, fmt.Errorf("making %s the template: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+quote.Ident(name)+" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true"); err != nil {
		srv.DropDatabase(context.WithoutCancel(ctx), name)
		return nil, fmt.Errorf("making %s the template: %w", name, err)
	}
	return base, nil
}

// migrateInto applies the migrations, and cfg.prepare, to the database of
// dbURL, closing its connection before returning; with read, it returns
// what the database then holds.
func migrateInto(ctx context.Context, dbURL string, d *migrate.Dir, cfg *config, read bool) (*baseline, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connecting to the template database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := d.Apply(ctx, conn, cfg.migrate); err != nil {
		return nil, fmt.Errorf("applying the migrations: %w", inDir(err, cfg.dir))
	}
	if cfg.prepare != nil {
		// The hook's error says what it was doing ("seed settings: ...").
		if err := cfg.prepare(ctx, conn); err != nil {
			return nil, err
		}
	}
	if !read {
		return nil, nil
	}
	b, err := readBaseline(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("reading what the template holds: %w", err)
	}
	return b, nil
}

func sha256Sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}
