package migrate_test

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// folder builds a migrations folder from tags and SQL, with a journal that
// lists them in the order given (when increasing from 1000).
func folder(files ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	var entries []string
	for i := 0; i < len(files); i += 2 {
		tag, sql := files[i], files[i+1]
		fsys[tag+".sql"] = &fstest.MapFile{Data: []byte(sql)}
		entries = append(entries, fmt.Sprintf(`{"idx": %d, "version": "7", "when": %d, "tag": %q, "breakpoints": true}`, i/2, 1000+i, tag))
	}
	fsys["meta/_journal.json"] = &fstest.MapFile{Data: []byte(`{"version": "7", "dialect": "postgresql", "entries": [` +
		strings.Join(entries, ",") + `]}`)}
	return fsys
}

// up opens fsys and applies it, as an application does at start-up.
func up(ctx context.Context, conn *pgx.Conn, fsys fs.FS, opts migrate.Options) ([]migrate.AppliedMigration, error) {
	d, err := migrate.Open(fsys)
	if err != nil {
		return nil, err
	}
	return d.Apply(ctx, conn, opts)
}

// status opens fsys and reports its status.
func status(ctx context.Context, conn *pgx.Conn, fsys fs.FS, opts migrate.Options) (*migrate.Status, error) {
	d, err := migrate.Open(fsys)
	if err != nil {
		return nil, err
	}
	return d.Status(ctx, conn, opts)
}

// baseline opens fsys and marks tag applied.
func baseline(ctx context.Context, conn *pgx.Conn, fsys fs.FS, tag string, opts migrate.Options) error {
	d, err := migrate.Open(fsys)
	if err != nil {
		return err
	}
	return d.Baseline(ctx, conn, tag, opts)
}

func tags(as []migrate.AppliedMigration) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Tag)
	}
	return out
}

func TestMigrateAppliesOnce(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	fsys := folder(
		"0000_users", "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n--> statement-breakpoint\nINSERT INTO users VALUES (1, 'a');",
		"0001_posts", "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
	)
	var events []string
	opts := migrate.Options{Events: func(e migrate.Event) {
		events = append(events, fmt.Sprintf("%d %s", e.Kind, e.Migration))
	}}
	done, err := up(ctx, conn, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0000_users", "0001_posts"}, tags(done)); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1 0000_users", "2 0000_users", "1 0001_posts", "2 0001_posts"}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// Again: nothing to do.
	done, err = up(ctx, conn, fsys, opts)
	if err != nil || len(done) != 0 {
		t.Errorf("second Apply = %v, %v; want nothing", tags(done), err)
	}
	var n int
	conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	if n != 1 {
		t.Errorf("users has %d rows, want 1: a migration ran twice", n)
	}
	rows, _ := conn.Query(ctx, `SELECT tag, hash, created_at FROM mizzle.__mizzle_migrations ORDER BY id`)
	type row struct {
		Tag, Hash string
		When      int64
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"0000_users", migrate.FileHash(fsys["0000_users.sql"].Data), 1000},
		{"0001_posts", migrate.FileHash(fsys["0001_posts.sql"].Data), 1002},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	// A new migration appended later is the only one applied.
	fsys2 := folder("0000_users", string(fsys["0000_users.sql"].Data), "0001_posts", string(fsys["0001_posts.sql"].Data),
		"0002_index", "CREATE INDEX posts_user ON posts (user_id);")
	st, err := status(ctx, conn, fsys2, migrate.Options{})
	if err != nil || len(st.Applied) != 2 || len(st.Pending) != 1 || len(st.Problems) != 0 {
		t.Fatalf("status = %+v, %v", st, err)
	}
	done, err = up(ctx, conn, fsys2, migrate.Options{})
	if err != nil || len(done) != 1 || done[0].Tag != "0002_index" {
		t.Errorf("Apply after a new migration = %v, %v", tags(done), err)
	}
}

// TestMigrateMergedBranch applies a migration whose journal time is older
// than the last applied one: pending means not recorded, not older.
func TestMigrateMergedBranch(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	a := folder("0000_a", "CREATE TABLE a ();")
	if _, err := up(ctx, conn, a, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	b := folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();")
	// The branch's migration was generated earlier than the one applied.
	b["meta/_journal.json"].Data = []byte(strings.Replace(string(b["meta/_journal.json"].Data), `"when": 1002`, `"when": 10`, 1))
	done, err := up(ctx, conn, b, migrate.Options{})
	if err != nil || len(done) != 1 {
		t.Fatalf("Apply = %v, %v; want 0001_b applied", tags(done), err)
	}
}

func TestMigrateRefuses(t *testing.T) {
	ctx := context.Background()
	base := folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();")
	tests := []struct {
		name    string
		applied fstest.MapFS // migrated first
		then    fstest.MapFS
		opts    migrate.Options
		want    string
	}{
		{
			name:    "changed after it was applied",
			applied: base,
			then:    folder("0000_a", "CREATE TABLE a (id int);", "0001_b", "CREATE TABLE b ();"),
			want: "0000_a.sql: changed since it was applied (applied sha256 " + migrate.FileHash([]byte("CREATE TABLE a ();")) +
				", file sha256 " + migrate.FileHash([]byte("CREATE TABLE a (id int);")) +
				"): restore the file as it was applied, and put the change in a new migration (mizzle generate, or --custom for hand-written SQL)",
		},
		{
			name:    "history the journal does not list",
			applied: base,
			then:    folder("0000_a", "CREATE TABLE a ();"),
			want: `meta/_journal.json: the database has a migration applied ("0001_b") that the journal does not list: this folder is older than the database, or the migration was deleted; ` +
				`deploy the folder the database was migrated with, or, to run an older release on a newer database on purpose, accept the newer history with --allow-ahead`,
		},
		{
			name:    "inserted before applied ones",
			applied: folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();"),
			then:    folder("0000_a", "CREATE TABLE a ();", "0001_c", "CREATE TABLE c ();", "0002_b", "CREATE TABLE b ();"),
			want:    "", // set below: the tags differ, so 0001_b is unknown
		},
	}
	// The third case: keep tags, insert a new one before the last applied.
	tests[2].applied = folder("0000_a", "CREATE TABLE a ();", "0002_b", "CREATE TABLE b ();")
	tests[2].then = folder("0000_a", "CREATE TABLE a ();", "0001_c", "CREATE TABLE c ();", "0002_b", "CREATE TABLE b ();")
	tests[2].want = "0001_c.sql: not applied, but 0002_b after it is: it was inserted before migrations that already ran (a merge from another branch?); apply it anyway with --allow-out-of-order, or move its entry to the end of the journal"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := pgtest.Connect(t)
			if _, err := up(ctx, conn, tt.applied, migrate.Options{}); err != nil {
				t.Fatal(err)
			}
			before := pgtest.Catalog(t, conn)
			_, err := up(ctx, conn, tt.then, tt.opts)
			var pe migrate.ProblemsError
			if !errors.As(err, &pe) || err.Error() != tt.want {
				t.Errorf("Apply error:\n%v\nwant:\n%s", err, tt.want)
			}
			if diff := cmp.Diff(before, pgtest.Catalog(t, conn)); diff != "" {
				t.Errorf("a refused migration changed the database:\n%s", diff)
			}
			st, err := status(ctx, conn, tt.then, tt.opts)
			if err != nil || len(st.Problems) != 1 || st.Problems[0].Error() != tt.want {
				t.Errorf("status problems = %v, %v; want the same problem", st, err)
			}
		})
	}
	t.Run("out of order allowed", func(t *testing.T) {
		conn := pgtest.Connect(t)
		if _, err := up(ctx, conn, tests[2].applied, migrate.Options{}); err != nil {
			t.Fatal(err)
		}
		done, err := up(ctx, conn, tests[2].then, migrate.Options{AllowOutOfOrder: true})
		if err != nil || len(done) != 1 || done[0].Tag != "0001_c" {
			t.Errorf("Apply = %v, %v; want 0001_c applied", tags(done), err)
		}
	})
	t.Run("folder problems", func(t *testing.T) {
		conn := pgtest.Connect(t)
		unlisted := folder("0000_a", "CREATE TABLE a ();")
		unlisted["0001_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b ();")}
		missing := folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();")
		delete(missing, "0001_b.sql")
		for fsys, want := range map[*fstest.MapFS]string{
			&unlisted: "0001_b.sql: not listed in meta/_journal.json",
			&missing:  "0001_b.sql: missing, but meta/_journal.json lists it (entry 1)",
		} {
			_, err := up(ctx, conn, *fsys, migrate.Options{})
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Apply error %v, want %q...", err, want)
			}
		}
		var exists bool
		conn.QueryRow(ctx, "SELECT to_regclass('mizzle.__mizzle_migrations') IS NOT NULL").Scan(&exists)
		if exists {
			t.Errorf("a refused folder still created the history table")
		}
	})
}

// TestMigrateFailureRollsBack checks that a failing migration leaves the
// database and the history as they were before it, and names the file,
// the statement, its line and the error's position.
func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	fsys := folder(
		"0000_ok", "CREATE TABLE a (id int);",
		"0001_bad", "CREATE TABLE b (id int);\n--> statement-breakpoint\nALTER TABLE a\n\tADD COLUMN c intt;",
	)
	done, err := up(ctx, conn, fsys, migrate.Options{})
	if len(done) != 1 || done[0].Tag != "0000_ok" {
		t.Errorf("applied %v, want only 0000_ok", tags(done))
	}
	want := "0001_bad.sql:4:15: statement 2: ERROR: type \"intt\" does not exist (SQLSTATE 42704)\n" +
		"    \tADD COLUMN c intt;\n" +
		"    \t             ^"
	var se *migrate.StatementError
	if !errors.As(err, &se) || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	var b bool
	conn.QueryRow(ctx, "SELECT to_regclass('b') IS NOT NULL").Scan(&b)
	if b {
		t.Errorf("table b of the failed migration exists")
	}
	st, err := status(ctx, conn, fsys, migrate.Options{})
	if err != nil || len(st.Applied) != 1 || len(st.Pending) != 1 {
		t.Errorf("status after the failure = %+v, %v; want 1 applied, 1 pending", st, err)
	}
}

func TestMigrateNoTransaction(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	fsys := folder(
		"0000_t", "CREATE TABLE t (id int);",
		"0001_index", migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY t_id ON t (id);",
	)
	if _, err := up(ctx, conn, fsys, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	var valid bool
	if err := conn.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass").Scan(&valid); err != nil || !valid {
		t.Errorf("index t_id: valid %v, %v", valid, err)
	}
	// Without the marker, PostgreSQL refuses CONCURRENTLY in a transaction:
	// proof that migrations do run in one.
	bad := folder("0000_u", "CREATE TABLE u (id int);", "0001_index", "CREATE INDEX CONCURRENTLY u_id ON u (id);")
	if _, err := up(ctx, conn, bad, migrate.Options{Table: migrate.TableName{Schema: "other", Name: "history"}}); err == nil ||
		!strings.Contains(err.Error(), "cannot run inside a transaction block") {
		t.Errorf("CONCURRENTLY without the marker: %v", err)
	}
}

// The all: prefix matters: without it, go:embed leaves out files whose
// names start with an underscore, such as meta/_journal.json.
//
//go:embed all:testdata/drizzle
var drizzleFolder embed.FS

// TestMigrateDrizzle applies a folder written by drizzle-kit and records it
// as drizzle-orm's migrator does; then a drizzle-kit style history is read
// back, so either tool can continue.
func TestMigrateDrizzle(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	fsys, err := fs.Sub(drizzleFolder, "testdata/drizzle")
	if err != nil {
		t.Fatal(err)
	}
	done, err := up(ctx, conn, fsys, migrate.Options{Drizzle: true})
	if err != nil || len(done) != 2 {
		t.Fatalf("Apply = %v, %v", tags(done), err)
	}
	// The table drizzle-orm creates and reads: id serial, hash, created_at.
	var cols string
	conn.QueryRow(ctx, `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'drizzle.__drizzle_migrations'::regclass AND attnum > 0`).Scan(&cols)
	if cols != "id integer, hash text, created_at bigint" {
		t.Errorf("history table columns: %s", cols)
	}
	rows, _ := conn.Query(ctx, `SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`)
	type row struct {
		Hash string
		When int64
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	sql0, _ := fs.ReadFile(fsys, "0000_melodic_thor.sql")
	sql1, _ := fs.ReadFile(fsys, "0001_clumsy_wolf.sql")
	want := []row{{migrate.FileHash(sql0), 1718000000000}, {migrate.FileHash(sql1), 1718000100000}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("drizzle history (-want +got):\n%s", diff)
	}
	// A second run, as drizzle-orm's would, finds nothing to do.
	if done, err := up(ctx, conn, fsys, migrate.Options{Drizzle: true}); err != nil || len(done) != 0 {
		t.Errorf("second run = %v, %v", tags(done), err)
	}
}

// TestMigrateLockTimeout holds the migration lock from another session.
func TestMigrateLockTimeout(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	holder, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	fsys := folder("0000_a", "CREATE TABLE a ();")
	// Take the lock the way Apply does, by running it with a hook that
	// blocks inside the lock.
	release := make(chan struct{})
	locked := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		up(ctx, holder, fsys, migrate.Options{Events: func(e migrate.Event) {
			if e.Kind == migrate.EventApplying {
				close(locked)
				<-release
			}
		}})
	}()
	<-locked
	var waited bool
	start := time.Now()
	_, err = up(ctx, conn, fsys, migrate.Options{LockTimeout: 300 * time.Millisecond,
		Events: func(e migrate.Event) { waited = waited || e.Kind == migrate.EventLockWait }})
	close(release)
	<-finished
	if err == nil || !strings.Contains(err.Error(), `gave up after waiting 300ms for another migration of "mizzle"."__mizzle_migrations" to finish`) {
		t.Errorf("Apply while locked: %v", err)
	}
	if !waited || time.Since(start) < 300*time.Millisecond {
		t.Errorf("no wait reported, or gave up early (%s)", time.Since(start))
	}
}

// TestMigrateRefusesTransactionControl: a COMMIT (or BEGIN ... COMMIT) in a
// transactional migration would end the migration's transaction, leaving
// the statements before it applied and the migration unrecorded. Apply
// refuses such a file before applying any migration of the run.
func TestMigrateRefusesTransactionControl(t *testing.T) {
	ctx := context.Background()
	applied := folder("0000_a", "CREATE TABLE a ();")
	tests := []struct {
		name, sql, want string
	}{
		{
			"COMMIT in the middle",
			"CREATE TABLE c1 (x int);\nCOMMIT;\nCREATE TABLE c2 (x intt);\n",
			"0002_c.sql:2:1: statement 2 (COMMIT) would end the transaction the migration runs in",
		},
		{
			"BEGIN ... COMMIT",
			"-- setup\nBEGIN;\nCREATE TABLE c1 (x int);\n--> statement-breakpoint\n  COMMIT;\n",
			"0002_c.sql:2:1: statement 1 (BEGIN) would end the transaction the migration runs in",
		},
		{
			"END after a breakpoint",
			"CREATE TABLE c1 (x int);--> statement-breakpoint\nend;",
			"0002_c.sql:2:1: statement 2 (end) would end",
		},
		{
			"COMMIT AND CHAIN, quoted as written",
			"CREATE TABLE c1 (x int);\n  commit  and\n\tchain;",
			"0002_c.sql:2:3: statement 2 (commit and chain) would end",
		},
		{
			"marker after the first statement",
			"CREATE TABLE c1 (x int);\n" + migrate.NoTransaction + "\nCOMMIT;",
			`0002_c.sql:2:1: "-- mizzle:no-transaction" after the first statement is not honoured`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := pgtest.Connect(t)
			if _, err := up(ctx, conn, applied, migrate.Options{}); err != nil {
				t.Fatal(err)
			}
			before := pgtest.Catalog(t, conn)
			// A good migration before the bad one: it must not be applied
			// either, since the run is refused as a whole.
			fsys := folder("0000_a", "CREATE TABLE a ();", "0001_b", "CREATE TABLE b ();", "0002_c", tt.sql)
			done, err := up(ctx, conn, fsys, migrate.Options{})
			var pe migrate.ProblemsError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Apply error:\n%v\nwant a refusal starting with:\n%s", err, tt.want)
			}
			if len(done) != 0 {
				t.Errorf("applied %v before refusing", tags(done))
			}
			if diff := cmp.Diff(before, pgtest.Catalog(t, conn)); diff != "" {
				t.Errorf("a refused run changed the database:\n%s", diff)
			}
			st, err := status(ctx, conn, fsys, migrate.Options{})
			if err != nil || len(st.Applied) != 1 || len(st.Problems) == 0 || !strings.HasPrefix(st.Problems[0].Error(), tt.want) {
				t.Errorf("status = %+v, %v; want 1 applied and the same problem", st, err)
			}
		})
	}
	t.Run("no-transaction file may manage its transactions", func(t *testing.T) {
		conn := pgtest.Connect(t)
		fsys := folder("0000_a", "-- a file with its own transactions\n"+migrate.NoTransaction+
			"\nBEGIN;\nCREATE TABLE n1 ();\nCOMMIT;\nSTART TRANSACTION;\nCREATE TABLE n2 ();\nEND;")
		done, err := up(ctx, conn, fsys, migrate.Options{})
		if err != nil || len(done) != 1 {
			t.Fatalf("Apply = %v, %v", tags(done), err)
		}
		var n int
		conn.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('n1', 'n2')").Scan(&n)
		if n != 2 {
			t.Errorf("%d of the tables n1, n2 exist, want 2", n)
		}
	})
}

// TestMigrateByteOrderMark: editors on Windows start files with a UTF-8
// byte-order mark; it is not sent to PostgreSQL, the no-transaction marker
// after it counts, and the hash is the file's, mark included, as
// drizzle-orm computes it.
func TestMigrateByteOrderMark(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	fsys := folder(
		"0000_t", "\ufeffCREATE TABLE t (id int);\n",
		"0001_index", "\ufeff"+migrate.NoTransaction+"\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n",
		"0002_bad", "\ufeffALTER TABLE t ADD COLUMN c intt;",
	)
	done, err := up(ctx, conn, fsys, migrate.Options{})
	if len(done) != 2 {
		t.Fatalf("applied %v, want 0000_t and 0001_index", tags(done))
	}
	if done[0].Hash != migrate.FileHash(fsys["0000_t.sql"].Data) {
		t.Errorf("hash %s is not the file's", done[0].Hash)
	}
	// The error's column is where an editor shows it, without the mark.
	want := "0002_bad.sql:1:28: statement 1: ERROR: type \"intt\" does not exist (SQLSTATE 42704)\n" +
		"    ALTER TABLE t ADD COLUMN c intt;\n" +
		"                               ^"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

// TestMigrateStandardConformingStrings: on a database whose default is
// standard_conforming_strings = off, a backslash in a '...' string would be
// an escape, so generated SQL would mean something else. Apply pins the
// setting on while it runs, and puts the session's value back.
func TestMigrateStandardConformingStrings(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var db string
	admin.QueryRow(ctx, "SELECT current_database()").Scan(&db)
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" SET standard_conforming_strings = off"); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	setting := func() string {
		var s string
		if err := conn.QueryRow(ctx, "SELECT current_setting('standard_conforming_strings')").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := setting(); s != "off" {
		t.Fatalf("standard_conforming_strings is %s before migrating, want off", s)
	}
	fsys := folder(
		"0000_t", `CREATE TYPE e AS ENUM ('back\slash', 'a\'''); CREATE TABLE t (v text);`,
		"0001_rows", migrate.NoTransaction+"\n"+`INSERT INTO t VALUES ('back\slash');`,
		"0002_rows", `INSERT INTO t VALUES ('a\'''); SELECT 1;`,
	)
	if _, err := up(ctx, conn, fsys, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	if s := setting(); s != "off" {
		t.Errorf("standard_conforming_strings is %s after migrating, want the session's off back", s)
	}
	var labels, values []string
	rows, _ := conn.Query(ctx, "SELECT enumlabel FROM pg_enum WHERE enumtypid = 'e'::regtype ORDER BY enumsortorder")
	labels, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = conn.Query(ctx, "SELECT v FROM t ORDER BY v DESC")
	values, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`back\slash`, `a\'`}, labels); diff != "" {
		t.Errorf("enum labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`back\slash`, `a\'`}, values); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestMigrateAhead: an older release of an application, rolled back to,
// migrates at start-up against a database its newer release migrated
// further. With AllowAhead it starts when its folder is an earlier version
// of the history, and is still refused when they diverge.
func TestMigrateAhead(t *testing.T) {
	ctx := context.Background()
	a, b, c := "CREATE TABLE a ();", "CREATE TABLE b ();", "CREATE TABLE c ();"
	newer := folder("0000_a", a, "0001_b", b, "0002_c", c)
	older := folder("0000_a", a, "0001_b", b)
	ahead := migrate.Options{AllowAhead: true}

	t.Run("older release", func(t *testing.T) {
		conn := pgtest.Connect(t)
		if _, err := up(ctx, conn, newer, migrate.Options{}); err != nil {
			t.Fatal(err)
		}
		var events []string
		opts := ahead
		opts.Events = func(e migrate.Event) { events = append(events, fmt.Sprintf("%d %s", e.Kind, e.Migration)) }
		done, err := up(ctx, conn, older, opts)
		if err != nil || len(done) != 0 {
			t.Fatalf("Apply = %v, %v; want nothing applied", tags(done), err)
		}
		if diff := cmp.Diff([]string{fmt.Sprintf("%d 0002_c", migrate.EventAhead)}, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		st, err := status(ctx, conn, older, ahead)
		if err != nil || len(st.Problems) != 0 || len(st.Pending) != 0 || len(st.Applied) != 3 || len(st.Ahead) != 1 || st.Ahead[0].Tag != "0002_c" {
			t.Errorf("status = %+v, %v; want 3 applied, 0002_c ahead, no problem", st, err)
		}
		// Without the option, the same folder is refused, and the message
		// names the option.
		_, err = up(ctx, conn, older, migrate.Options{})
		if err == nil || !strings.Contains(err.Error(), `("0002_c") that the journal does not list`) || !strings.Contains(err.Error(), "--allow-ahead") {
			t.Errorf("Apply without AllowAhead: %v", err)
		}
	})

	diverging := []struct {
		name    string
		applied []fstest.MapFS // migrated in turn
		then    fstest.MapFS
		want    string
	}{
		{
			name:    "a migration of the folder is not applied",
			applied: []fstest.MapFS{newer},
			then:    folder("0000_a", a, "0001_b", b, "0002_d", "CREATE TABLE d ();"),
			want:    `meta/_journal.json: the database has a migration applied ("0002_c") that the journal does not list, and the folder is not an earlier version of the database's history (0002_d is not applied)`,
		},
		{
			name:    "a migration of the folder was applied after an unknown one",
			applied: []fstest.MapFS{folder("0000_a", a, "0001_x", "CREATE TABLE x ();"), folder("0000_a", a, "0001_x", "CREATE TABLE x ();", "0002_b", b)},
			then:    folder("0000_a", a, "0002_b", b),
			want:    `meta/_journal.json: the database has a migration applied ("0001_x") that the journal does not list, and the folder is not an earlier version of the database's history (0002_b was applied after it)`,
		},
		{
			name:    "a migration of the folder changed",
			applied: []fstest.MapFS{newer},
			then:    folder("0000_a", a, "0001_b", "CREATE TABLE b (id int);"),
			want:    "0001_b.sql: changed since it was applied",
		},
	}
	for _, tt := range diverging {
		t.Run(tt.name, func(t *testing.T) {
			conn := pgtest.Connect(t)
			for _, f := range tt.applied {
				if _, err := up(ctx, conn, f, migrate.Options{}); err != nil {
					t.Fatal(err)
				}
			}
			before := pgtest.Catalog(t, conn)
			var aheadSeen bool
			opts := ahead
			opts.Events = func(e migrate.Event) { aheadSeen = aheadSeen || e.Kind == migrate.EventAhead }
			_, err := up(ctx, conn, tt.then, opts)
			var pe migrate.ProblemsError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Apply error:\n%v\nwant it to start with:\n%s", err, tt.want)
			}
			if aheadSeen {
				t.Errorf("EventAhead reported for a refused folder")
			}
			if diff := cmp.Diff(before, pgtest.Catalog(t, conn)); diff != "" {
				t.Errorf("a refused migration changed the database:\n%s", diff)
			}
		})
	}

	t.Run("drizzle", func(t *testing.T) {
		conn := pgtest.Connect(t)
		opts := migrate.Options{Drizzle: true}
		if _, err := up(ctx, conn, newer, opts); err != nil {
			t.Fatal(err)
		}
		var events []string
		opts.AllowAhead = true
		opts.Events = func(e migrate.Event) { events = append(events, e.Migration) }
		if _, err := up(ctx, conn, older, opts); err != nil {
			t.Fatal(err)
		}
		want := []string{"sha256:" + migrate.FileHash([]byte(c))}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("ahead events (-want +got):\n%s", diff)
		}
	})
}

// TestMigrateNoTransactionFailure: a no-transaction migration that fails
// half-way (or whose process was killed) leaves its first statements
// applied but the migration unrecorded. The error says so and names what
// is left; an index a failed CREATE INDEX CONCURRENTLY left invalid is
// dropped and built again on the next run.
func TestMigrateNoTransactionFailure(t *testing.T) {
	ctx := context.Background()
	table := "CREATE TABLE t (a int, b int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1, 1), (1, 2);"

	t.Run("killed after its first statement", func(t *testing.T) {
		conn := pgtest.Connect(t)
		if _, err := up(ctx, conn, folder("0000_t", table), migrate.Options{}); err != nil {
			t.Fatal(err)
		}
		// What a run killed during the second statement leaves: the first
		// one done, nothing recorded.
		if _, err := conn.Exec(ctx, "CREATE INDEX CONCURRENTLY t_a ON t (a)"); err != nil {
			t.Fatal(err)
		}
		idx := migrate.NoTransaction + "\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE INDEX CONCURRENTLY t_b ON t (b);\n"
		_, err := up(ctx, conn, folder("0000_t", table, "0001_idx", idx), migrate.Options{})
		want := `0001_idx.sql:2:1: statement 1: ERROR: relation "t_a" already exists (SQLSTATE 42P07)
This migration runs outside a transaction ("-- mizzle:no-transaction"): it is not recorded, the statements before this one stay applied, and a previous run may have applied part of it.
Already in the database, named by its CREATE statements:
    index "public"."t_a" (statement 1)
Make its statements rerunnable, with CREATE ... IF NOT EXISTS (a migration that is not recorded may still be edited), or remove what is left, then migrate again:
    DROP INDEX CONCURRENTLY IF EXISTS "public"."t_a";`
		var se *migrate.StatementError
		if !errors.As(err, &se) || err.Error() != want {
			t.Fatalf("error:\n%v\nwant:\n%s", err, want)
		}
		if diff := cmp.Diff([]migrate.Leftover{{Statement: 1, Kind: "index", Name: `"public"."t_a"`}}, se.Leftovers); diff != "" {
			t.Errorf("leftovers (-want +got):\n%s", diff)
		}
		// The repair it suggests works.
		idx = strings.ReplaceAll(idx, "CONCURRENTLY", "CONCURRENTLY IF NOT EXISTS")
		if done, err := up(ctx, conn, folder("0000_t", table, "0001_idx", idx), migrate.Options{}); err != nil || len(done) != 1 {
			t.Errorf("after adding IF NOT EXISTS: %v, %v", tags(done), err)
		}
	})

	t.Run("invalid index", func(t *testing.T) {
		conn := pgtest.Connect(t)
		// IF NOT EXISTS would keep the invalid index of the failed run and
		// call the migration applied, were it not dropped first.
		// The index is in its table's schema, not on search_path.
		idx := migrate.NoTransaction + "\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_u ON s.t (a);\n"
		fsys := folder("0000_t", "CREATE SCHEMA s;\n--> statement-breakpoint\n"+strings.ReplaceAll(table, " t ", " s.t "), "0001_idx", idx)
		var events []string
		opts := migrate.Options{Events: func(e migrate.Event) {
			if e.Kind == migrate.EventInvalidIndexDropped {
				events = append(events, e.Migration+" "+e.Object)
			}
		}}
		_, err := up(ctx, conn, fsys, opts)
		for _, w := range []string{
			`ERROR: could not create unique index "t_u" (SQLSTATE 23505)`,
			`This migration runs outside a transaction`,
			`    index "s"."t_u" (statement 1), invalid: a CREATE INDEX CONCURRENTLY that failed left it`,
			`    DROP INDEX CONCURRENTLY IF EXISTS "s"."t_u";`,
		} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
			}
		}
		if len(events) != 0 {
			t.Errorf("dropped an index on the first run: %v", events)
		}
		// Once the data is fixed, the next run drops the invalid index and
		// builds it again.
		if _, err := conn.Exec(ctx, "DELETE FROM s.t WHERE b = 2"); err != nil {
			t.Fatal(err)
		}
		if done, err := up(ctx, conn, fsys, opts); err != nil || len(done) != 1 {
			t.Fatalf("rerun: %v, %v", tags(done), err)
		}
		if diff := cmp.Diff([]string{`0001_idx "s"."t_u"`}, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		var valid bool
		if err := conn.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = 's.t_u'::regclass").Scan(&valid); err != nil || !valid {
			t.Errorf("t_u valid = %v, %v", valid, err)
		}
	})

	t.Run("a transactional migration says nothing of it", func(t *testing.T) {
		conn := pgtest.Connect(t)
		_, err := up(ctx, conn, folder("0000_t", table+"\n--> statement-breakpoint\nCREATE TABLE t ();"), migrate.Options{})
		if err == nil || strings.Contains(err.Error(), "outside a transaction") {
			t.Errorf("error: %v", err)
		}
	})
}

// TestOpenByteOrderMark: editors on Windows start a file with a UTF-8
// byte-order mark, which JSON does not allow; the journal is read without
// it, and a mistake after it is placed as an editor shows it.
func TestOpenByteOrderMark(t *testing.T) {
	const bom = "\ufeff"
	fsys := folder("0000_a", "CREATE TABLE a ();")
	fsys[migrate.JournalFile].Data = append([]byte(bom), fsys[migrate.JournalFile].Data...)
	d, err := migrate.Open(fsys)
	if err != nil || len(d.Migrations) != 1 || d.Migrations[0].Tag != "0000_a" {
		t.Fatalf("Open = %+v, %v", d, err)
	}
	fsys = folder("0000_a", "CREATE TABLE a ();")
	fsys[migrate.JournalFile].Data = []byte(bom + `{"version": "7", "dialect": "postgresql", "entries": [} ]}`)
	_, err = migrate.Open(fsys)
	if want := "meta/_journal.json:1:55: not valid JSON: invalid character '}' looking for beginning of value"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s...", err, want)
	}
}
