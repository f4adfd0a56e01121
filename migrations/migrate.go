package migrations

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// NoTransaction is the marker of a migration that must run outside a
// transaction, such as CREATE INDEX CONCURRENTLY: a line comment before the
// file's first statement (after blank lines and other comments, if any).
// Such a migration is not atomic: when one of its statements fails, the
// ones before it stay done.
const NoTransaction = "-- mizzle:no-transaction"

// DefaultTable is where the migrator records applied migrations, and
// DrizzleTable where drizzle-orm's migrator does.
var (
	DefaultTable = TableName{"mizzle", "__mizzle_migrations"}
	DrizzleTable = TableName{"drizzle", "__drizzle_migrations"}
)

// MigrateOptions configure Migrate and MigrationStatus.
type MigrateOptions struct {
	// Table is the history table; DefaultTable (or DrizzleTable with
	// Drizzle) when zero.
	Table TableName
	// Drizzle records migrations exactly as drizzle-orm's PostgreSQL
	// migrator does (id, hash, created_at), so a project can move between
	// the two tools with its history.
	Drizzle bool
	// LockTimeout bounds the wait for another migrator to finish. Zero
	// means one minute, the default; a negative value means not waiting:
	// Migrate fails at once when another migrator holds the lock.
	LockTimeout time.Duration
	// AllowOutOfOrder applies pending migrations that come before applied
	// ones in the journal, instead of refusing.
	AllowOutOfOrder bool
	// AllowAhead accepts a database whose history goes further than the
	// folder, as after rolling an application back to an older release:
	// when every migration of the journal is applied, unchanged, and the
	// migrations the journal does not list were all applied after them,
	// Migrate applies nothing and reports each of those with EventAhead
	// (and Status.Ahead lists them) instead of refusing. A folder that
	// diverges from the history (a migration of the journal not applied,
	// or applied after one it does not list) is still refused. An
	// application that migrates at start-up should set it, so that its
	// previous release can still start.
	AllowAhead bool
	// Events, when set, receives progress as it happens.
	Events func(Event)
}

func (o *MigrateOptions) table() TableName {
	switch {
	case o.Table != (TableName{}):
		return o.Table
	case o.Drizzle:
		return DrizzleTable
	}
	return DefaultTable
}

// EventKind says what an Event reports.
type EventKind int

// The events of a migration run, in the order they happen.
const (
	// EventLockWait: another migrator holds the lock; waiting for it.
	EventLockWait EventKind = iota
	// EventApplying: a migration starts.
	EventApplying
	// EventApplied: a migration was applied and recorded.
	EventApplied
	// EventAhead: the database has a migration applied that the journal
	// does not list, accepted with AllowAhead; reported before anything
	// else happens, once for each such migration, in the order applied.
	EventAhead
	// EventInvalidIndexDropped: a no-transaction migration is about to
	// build, with CREATE INDEX CONCURRENTLY, an index that a failed
	// earlier run left invalid; the invalid index (Object) was dropped so
	// that the statement builds it again.
	EventInvalidIndexDropped
)

// Event is a step of a migration run, for logs and progress output.
type Event struct {
	Kind EventKind
	// Migration is the tag; empty for EventLockWait. A migration recorded
	// in drizzle-orm's table, which has no tags, is "sha256:" and its
	// hash.
	Migration string
	Duration  time.Duration // for EventApplied
	// Object is the schema-qualified, quoted name of the object the event
	// concerns, for EventInvalidIndexDropped.
	Object string
}

// AppliedMigration is a row of the history table.
type AppliedMigration struct {
	Tag       string // empty in drizzle-orm's table, which has no tag
	Hash      string
	When      int64 // the journal's when
	AppliedAt time.Time
	Duration  time.Duration
}

// Status is how a database stands against a migrations folder.
type Status struct {
	Applied []AppliedMigration // in the order they were applied
	Pending []Entry            // in journal order
	// Ahead are the applied migrations the journal does not list, when
	// AllowAhead accepts them: the database is ahead of the folder. They
	// are in Applied too.
	Ahead []AppliedMigration
	// Problems are the reasons Migrate would refuse to run.
	Problems schema.ErrorList
}

// Problem is a reason not to migrate: a file that changed after it was
// applied, history that does not match the journal, a pending migration
// that would end its own transaction. Its position names the migration's
// SQL file, or the journal, relative to the folder, with a line and column
// when the problem is at a place inside it.
type Problem = schema.Error

// ProblemsError lists the problems that stopped Migrate before it changed
// anything.
type ProblemsError = schema.ErrorList

// problem returns a Problem in file, at line and col when they are not 0.
func problem(file string, line, col int, msg string) *Problem {
	return &Problem{Pos: schema.Position{Filename: file, Line: line, Column: col}, Msg: msg}
}

// StatementError is a statement of a migration that PostgreSQL refused.
type StatementError struct {
	// Pos is in the migration's SQL file: where the error is when
	// PostgreSQL says, else where the statement starts.
	Pos       schema.Position
	Statement int    // 1-based number of the statement in the file
	SQL       string // the statement
	Err       error  // a *pgconn.PgError, usually
	// NoTransaction says the migration runs outside a transaction (see
	// NoTransaction): it is not recorded, the statements before this one
	// stay applied, and a previous run may have applied part of it.
	NoTransaction bool
	// Leftovers are, when NoTransaction, the relations the migration's
	// CREATE statements name that exist in the database: what the
	// statements before this one, or a previous run, left behind.
	Leftovers []Leftover
	// caret is the statement's line holding the error, with a caret under
	// its position; empty when PostgreSQL gives no position.
	caret string
}

// ServerMessage is err as PostgreSQL reported it: severity, message and
// SQLSTATE, then the DETAIL and HINT lines that pgconn's Error leaves out
// and that often name what is in the way ("view v depends on column c").
// An error that did not come from the server is returned as it is.
func ServerMessage(err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	msg := fmt.Sprintf("%s: %s (SQLSTATE %s)", pe.Severity, pe.Message, pe.Code)
	if pe.Detail != "" {
		msg += "\nDETAIL: " + pe.Detail
	}
	if pe.Hint != "" {
		msg += "\nHINT: " + pe.Hint
	}
	return msg
}

func (e *StatementError) Error() string {
	s := fmt.Sprintf("%s: statement %d: %s", e.Pos, e.Statement, ServerMessage(e.Err))
	if e.caret != "" {
		s += "\n" + e.caret
	}
	if !e.NoTransaction {
		return s
	}
	s += fmt.Sprintf("\nThis migration runs outside a transaction (%q): it is not recorded, the statements before this one stay applied, and a previous run may have applied part of it.", NoTransaction)
	if len(e.Leftovers) == 0 {
		return s
	}
	s += "\nAlready in the database, named by its CREATE statements:"
	var drops []string
	for _, l := range e.Leftovers {
		s += fmt.Sprintf("\n    %s %s (statement %d)", l.Kind, l.Name, l.Statement)
		if l.Invalid {
			s += ", invalid: a CREATE INDEX CONCURRENTLY that failed left it"
		}
		if l.Kind == "index" {
			drops = append(drops, "\n    DROP INDEX CONCURRENTLY IF EXISTS "+l.Name+";")
		}
	}
	s += "\nMake its statements rerunnable, with CREATE ... IF NOT EXISTS (a migration that is not recorded may still be edited), or remove what is left, then migrate again"
	if len(drops) > 0 {
		s += ":" + strings.Join(drops, "")
	} else {
		s += "."
	}
	return s
}

// Leftover is a relation that a statement of a no-transaction migration
// creates and that exists already.
type Leftover struct {
	Statement int    // the statement creating it, from 1
	Kind      string // "index", "table", "view", "materialized view" or "sequence"
	Name      string // schema-qualified and quoted
	// Invalid says the index is invalid: a CREATE INDEX CONCURRENTLY that
	// failed left it, unusable but maintained on every write.
	Invalid bool
}

func (e *StatementError) Unwrap() error { return e.Err }

// Migrate applies the pending migrations of the folder fsys (see
// ReadMigrations) to the database, each in its own transaction together
// with its row in the history table, in journal order.
//
// A migration is pending when the history table has no row for it (by tag,
// and by content hash in drizzle mode), never because of its timestamp, so
// a migration merged from another branch is applied, not skipped. Before
// changing anything, Migrate refuses (with a ProblemsError) a folder whose
// applied migrations changed since, history the journal does not list, or
// a pending migration placed before applied ones (unless
// AllowOutOfOrder).
//
// A session-level advisory lock, keyed by the history table, is held for
// the whole run, so several processes migrating at once apply each
// migration exactly once: the others wait (at most LockTimeout) and then
// find nothing pending. conn must not be in a transaction.
//
// Migrations run with standard_conforming_strings on, whatever the
// database's default, since generated SQL writes backslashes in '...'
// strings as ordinary characters; the session's own value is put back
// when Migrate returns.
func Migrate(ctx context.Context, conn *pgx.Conn, fsys fs.FS, opts MigrateOptions) ([]AppliedMigration, error) {
	folder, err := ReadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	table := opts.table()
	unlock, err := lock(ctx, conn, table, opts)
	if err != nil {
		return nil, err
	}
	defer unlock()
	restore, err := pinSettings(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer restore()
	if err := createHistory(ctx, conn, table, opts.Drizzle); err != nil {
		return nil, err
	}
	st, err := status(ctx, conn, folder, opts)
	if err != nil {
		return nil, err
	}
	if len(st.Problems) > 0 {
		return nil, ProblemsError(st.Problems)
	}
	if opts.Events != nil {
		for _, a := range st.Ahead {
			opts.Events(Event{Kind: EventAhead, Migration: appliedName(a)})
		}
	}
	var done []AppliedMigration
	for _, e := range st.Pending {
		if opts.Events != nil {
			opts.Events(Event{Kind: EventApplying, Migration: e.Tag})
		}
		a, err := apply(ctx, conn, opts, e)
		if err != nil {
			return done, err
		}
		done = append(done, a)
		if opts.Events != nil {
			opts.Events(Event{Kind: EventApplied, Migration: e.Tag, Duration: a.Duration})
		}
	}
	return done, nil
}

// MigrationStatus reports applied and pending migrations and the problems
// Migrate would refuse, without changing anything (it creates no table and
// takes no lock).
func MigrationStatus(ctx context.Context, conn *pgx.Conn, fsys fs.FS, opts MigrateOptions) (*Status, error) {
	folder, err := ReadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	return status(ctx, conn, folder, opts)
}

// FileHash is the content hash the history table records: the hex SHA-256
// of the SQL file's bytes, as drizzle-orm computes it, so a byte-order mark
// and the line endings count, though neither is a change to the SQL (the
// refusal of a changed file says when that is all that differs).
func FileHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// lockKey derives the advisory lock key from the history table, so that
// applications with their own tables in one database do not wait on each
// other.
func lockKey(t TableName) int64 {
	h := fnv.New64a()
	h.Write([]byte("mizzle migrate\x00" + t.Schema + "\x00" + t.Name))
	return int64(h.Sum64())
}

// lock takes the session-level advisory lock, polling so that the wait is
// bounded and reported; it returns the function that releases it.
func lock(ctx context.Context, conn *pgx.Conn, table TableName, opts MigrateOptions) (func(), error) {
	key := lockKey(table)
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	deadline := time.Now().Add(timeout)
	wait := 20 * time.Millisecond
	reported := false
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		}
		if ok {
			return func() {
				// The lock is the session's: a broken connection releases it too.
				conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
			}, nil
		}
		if !reported && opts.Events != nil {
			opts.Events(Event{Kind: EventLockWait})
			reported = true
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("gave up after waiting %s for another migration of %s to finish (advisory lock %d); try again when it is done, or raise the lock timeout",
				timeout, quote.Ident(table.Schema, table.Name), key)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// pinnedSettings are the session settings migrations run with, whatever
// the database or role defaults: the SQL mizzle generates, and the
// statement splitter, read '...' strings with backslashes as ordinary
// characters, so with standard_conforming_strings off an enum label such as
// a\' would end its string early and run what follows as SQL.
var pinnedSettings = [...]struct{ name, value string }{
	{"standard_conforming_strings", "on"},
}

// pinSettings sets pinnedSettings for the session, for transactional and
// no-transaction migrations alike, and returns the function that puts back
// the values it found, since conn may be the application's.
func pinSettings(ctx context.Context, conn *pgx.Conn) (func(), error) {
	var undo []func()
	restore := func() {
		for _, f := range undo {
			f()
		}
	}
	for _, s := range pinnedSettings {
		var was string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", s.name).Scan(&was); err != nil {
			restore()
			return nil, fmt.Errorf("reading %s: %w", s.name, err)
		}
		if was == s.value {
			continue
		}
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", s.name, s.value); err != nil {
			restore()
			return nil, fmt.Errorf("setting %s to %s for the migrations: %w", s.name, s.value, err)
		}
		undo = append(undo, func() {
			conn.Exec(context.WithoutCancel(ctx), "SELECT set_config($1, $2, false)", s.name, was)
		})
	}
	return restore, nil
}

// createHistory creates the history table when it is missing, in
// drizzle-orm's layout or mizzle's.
func createHistory(ctx context.Context, conn *pgx.Conn, t TableName, drizzle bool) error {
	var ddl string
	if drizzle {
		// Exactly drizzle-orm's table, so its migrator can take over.
		ddl = fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id SERIAL PRIMARY KEY,
	hash text NOT NULL,
	created_at bigint
)`, quote.Ident(t.Schema, t.Name))
	} else {
		ddl = fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tag text NOT NULL UNIQUE,
	hash text NOT NULL,
	created_at bigint NOT NULL,
	applied_at timestamp with time zone NOT NULL DEFAULT now(),
	duration_ms bigint NOT NULL
)`, quote.Ident(t.Schema, t.Name))
	}
	for _, sql := range []string{"CREATE SCHEMA IF NOT EXISTS " + quote.Ident(t.Schema), ddl} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("creating the history table %s: %w", quote.Ident(t.Schema, t.Name), err)
		}
	}
	return nil
}

// history reads the history table; a missing table is an empty history.
func history(ctx context.Context, conn *pgx.Conn, t TableName, drizzle bool) ([]AppliedMigration, error) {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quote.Ident(t.Schema, t.Name)).Scan(&exists); err != nil {
		return nil, fmt.Errorf("reading the history table: %w", err)
	}
	if !exists {
		return nil, nil
	}
	var sql string
	if drizzle {
		sql = fmt.Sprintf("SELECT '', hash, coalesce(created_at, 0), NULL::timestamptz, 0 FROM %s ORDER BY id", quote.Ident(t.Schema, t.Name))
	} else {
		sql = fmt.Sprintf("SELECT tag, hash, created_at, applied_at, duration_ms FROM %s ORDER BY id", quote.Ident(t.Schema, t.Name))
	}
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("reading the history table %s: %w", quote.Ident(t.Schema, t.Name), err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AppliedMigration, error) {
		var a AppliedMigration
		var at *time.Time
		var ms int64
		err := r.Scan(&a.Tag, &a.Hash, &a.When, &at, &ms)
		if at != nil {
			a.AppliedAt = *at
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		return a, err
	})
}

// status compares the history with the journal.
func status(ctx context.Context, conn *pgx.Conn, folder *Folder, opts MigrateOptions) (*Status, error) {
	applied, err := history(ctx, conn, opts.table(), opts.Drizzle)
	if err != nil {
		return nil, err
	}
	st := &Status{Applied: applied}
	// Which entry each row is: by tag, or in drizzle mode by hash (and by
	// when, to recognise a file changed after it was applied).
	done := make([]bool, len(folder.Entries))
	matched := make([]bool, len(applied))
	byTag, byHash, byWhen := map[string]int{}, map[string]int{}, map[int64]int{}
	for i, e := range folder.Entries {
		byTag[e.Tag], byHash[FileHash(e.SQL)], byWhen[e.When] = i, i, i
	}
	var unknown []int // rows the journal does not list
	for r, a := range applied {
		i, ok := byTag[a.Tag]
		if opts.Drizzle {
			if i, ok = byHash[a.Hash]; !ok {
				i, ok = byWhen[a.When]
			}
		}
		if !ok {
			unknown = append(unknown, r)
			continue
		}
		e := folder.Entries[i]
		if h := FileHash(e.SQL); h != a.Hash {
			st.Problems = append(st.Problems, problem(e.SQLPath(), 0, 0, changedMsg(e.SQL, a.Hash)))
		}
		done[i], matched[r] = true, true
	}
	if len(unknown) > 0 {
		// The folder is an earlier version of the database's history when
		// it is all applied and what it lacks came after it.
		why := ""
		for i, d := range done {
			if !d {
				why = fmt.Sprintf("%s is not applied", folder.Entries[i].Tag)
				break
			}
		}
		if why == "" {
			for r := unknown[0] + 1; r < len(applied); r++ {
				if matched[r] {
					why = fmt.Sprintf("%s was applied after it", appliedName(applied[r]))
					break
				}
			}
		}
		for _, r := range unknown {
			a := applied[r]
			switch {
			case why == "" && opts.AllowAhead:
				st.Ahead = append(st.Ahead, a)
			case why == "":
				st.Problems = append(st.Problems, problem(JournalFile, 0, 0, fmt.Sprintf(
					"the database has a migration applied (%q) that the journal does not list: this folder is older than the database, or the migration was deleted; "+
						"deploy the folder the database was migrated with, or, to run an older release on a newer database on purpose, accept the newer history with --allow-ahead",
					appliedName(a))))
			default:
				st.Problems = append(st.Problems, problem(JournalFile, 0, 0, fmt.Sprintf(
					"the database has a migration applied (%q) that the journal does not list, and the folder is not an earlier version of the database's history (%s): "+
						"the migration was deleted, or the folder and the database went different ways; deploy the folder the database was migrated with",
					appliedName(a), why)))
			}
		}
	}
	lastDone := -1
	for i := range done {
		if done[i] {
			lastDone = i
		}
	}
	for i, e := range folder.Entries {
		if done[i] {
			continue
		}
		if i < lastDone && !opts.AllowOutOfOrder {
			st.Problems = append(st.Problems, problem(e.SQLPath(), 0, 0, fmt.Sprintf(
				"not applied, but %s after it is: it was inserted before migrations that already ran (a merge from another branch?); apply it anyway with --allow-out-of-order, or move its entry to the end of the journal",
				folder.Entries[lastDone].Tag)))
		}
		st.Pending = append(st.Pending, e)
		st.Problems = append(st.Problems, checkScript(e)...)
	}
	return st, nil
}

// appliedName is how messages and events name an applied migration: its tag, or
// in drizzle-orm's table, which has none, its hash.
func appliedName(a AppliedMigration) string {
	if a.Tag == "" {
		return "sha256:" + a.Hash
	}
	return a.Tag
}

// changedMsg says that an applied migration's file changed, and how, when
// the change is only one an editor or a checkout makes on its own: line
// endings, a byte-order mark.
func changedMsg(data []byte, applied string) string {
	hashes := fmt.Sprintf("applied sha256 %s, file sha256 %s", applied, FileHash(data))
	body := trimBOM(data)
	hadBOM := len(body) < len(data)
	lf := bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	for _, v := range [][]byte{body, lf, crlf} {
		for _, withBOM := range []bool{hadBOM, !hadBOM} {
			was := v
			if withBOM {
				was = append([]byte(bom), v...)
			}
			if bytes.Equal(was, data) || FileHash(was) != applied {
				continue
			}
			var what []string
			switch {
			case bytes.Equal(v, body):
			case bytes.Equal(v, lf):
				what = append(what, "its line endings (the file has CRLF where the applied one had LF)")
			default:
				what = append(what, "its line endings (the file has LF where the applied one had CRLF)")
			}
			switch {
			case withBOM == hadBOM:
			case hadBOM:
				what = append(what, "a byte-order mark at its start, which the applied one did not have")
			default:
				what = append(what, "the byte-order mark the applied one had at its start")
			}
			return fmt.Sprintf("changed since it was applied, but only in %s (%s): an editor or a checkout (git's core.autocrlf) changed it; "+
				"restore it as it was applied (\"*.sql -text\" in .gitattributes keeps git from converting line endings)",
				strings.Join(what, " and in "), hashes)
		}
	}
	return fmt.Sprintf("changed since it was applied (%s): restore the file as it was applied, and put the change in a new migration (mizzle generate, or --custom for hand-written SQL)",
		hashes)
}

// checkScript finds what in a pending migration would break the promise
// that it is applied whole or not at all: a statement that ends the
// transaction it runs in, and a no-transaction marker placed where it is
// not honoured.
func checkScript(e Entry) schema.ErrorList {
	var out schema.ErrorList
	sc := readScript(e.SQL)
	if l := sc.strayMarker; l.line > 0 {
		out = append(out, problem(e.SQLPath(), l.line, l.col, fmt.Sprintf(
			"%q after the first statement is not honoured: the migration would run in a transaction; move it above the first statement",
			NoTransaction)))
	}
	if sc.noTx {
		return out // the file manages its transactions, if any, itself
	}
	for i, s := range sc.stmts {
		if txControl(s.sql) != "" {
			out = append(out, problem(e.SQLPath(), s.line, s.col, fmt.Sprintf(
				"statement %d (%s) would end the transaction the migration runs in, so the statements before it would stay applied and the migration would not be recorded: "+
					"remove it (each migration already runs in a transaction of its own), or put %q above the first statement to run the file without one",
				i+1, shorten(s.sql), NoTransaction)))
		}
	}
	return out
}

// shorten returns a statement on one line, cut after 60 characters, to
// quote it in a message.
func shorten(sql string) string {
	s := strings.Join(strings.Fields(sql), " ")
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "..."
	}
	return s
}

// txControl returns the key words of a statement that begins, ends or
// prepares a transaction (BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK,
// ABORT, PREPARE TRANSACTION), or "" for any other statement. Savepoints
// stay inside the transaction and are fine; COMMIT PREPARED and ROLLBACK
// PREPARED are refused by PostgreSQL inside a transaction, which rolls the
// migration back. BEGIN and END inside a function body or a DO block are
// part of that statement, never its first word.
func txControl(sql string) string {
	var words []string
	for t := range sqlsplit.Tokens(sql) {
		if t.Comment {
			continue
		}
		words = append(words, t.Text)
		if len(words) == 3 {
			break
		}
	}
	word := func(i int) string {
		if i < len(words) {
			return strings.ToLower(words[i])
		}
		return ""
	}
	switch first := word(0); first {
	case "begin", "end", "abort":
		return strings.ToUpper(first)
	case "commit":
		if word(1) != "prepared" {
			return "COMMIT"
		}
	case "rollback":
		// ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name stays in the
		// transaction.
		next := word(1)
		if next == "work" || next == "transaction" {
			next = word(2)
		}
		if next != "to" && next != "prepared" {
			return "ROLLBACK"
		}
	case "start":
		if word(1) == "transaction" {
			return "START TRANSACTION"
		}
	case "prepare":
		// PREPARE TRANSACTION 'id' ends the transaction; PREPARE name AS
		// ... prepares a statement, even one named transaction.
		if word(1) == "transaction" && word(2) != "as" && word(2) != "(" {
			return "PREPARE TRANSACTION"
		}
	}
	return ""
}

// apply runs one migration and records it.
func apply(ctx context.Context, conn *pgx.Conn, opts MigrateOptions, e Entry) (AppliedMigration, error) {
	t, drizzle := opts.table(), opts.Drizzle
	start := time.Now()
	sc := readScript(e.SQL)
	a := AppliedMigration{Tag: e.Tag, Hash: FileHash(e.SQL), When: e.When}
	run := func(ctx context.Context, q interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}) error {
		for i, s := range sc.stmts {
			if sc.noTx {
				if err := dropInvalidIndex(ctx, conn, opts, e, s); err != nil {
					return err
				}
			}
			// The simple protocol, as psql sends a script: no prepared
			// statement, and any statement PostgreSQL accepts.
			if _, err := q.Exec(ctx, s.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
				se := statementError(e, sc, i+1, s, err)
				if sc.noTx {
					se.NoTransaction = true
					se.Leftovers = leftovers(ctx, conn, sc)
				}
				return se
			}
		}
		a.Duration = time.Since(start)
		var err error
		if drizzle {
			_, err = q.Exec(ctx, fmt.Sprintf("INSERT INTO %s (hash, created_at) VALUES ($1, $2)", quote.Ident(t.Schema, t.Name)), a.Hash, a.When)
		} else {
			_, err = q.Exec(ctx, fmt.Sprintf("INSERT INTO %s (tag, hash, created_at, duration_ms) VALUES ($1, $2, $3, $4)",
				quote.Ident(t.Schema, t.Name)), a.Tag, a.Hash, a.When, a.Duration.Milliseconds())
		}
		if err != nil {
			return fmt.Errorf("%s: recording the migration: %w", e.SQLPath(), err)
		}
		return nil
	}
	var err error
	if sc.noTx {
		err = run(ctx, conn)
	} else {
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return run(ctx, tx) })
	}
	a.AppliedAt = time.Now()
	return a, err
}

// statementError places PostgreSQL's error in the file: at the error's
// position when it gives one (a 1-based character index into the
// statement), else at the statement's start.
func statementError(e Entry, sc *script, n int, s statement, err error) *StatementError {
	se := &StatementError{Pos: schema.Position{Filename: e.SQLPath(), Line: s.line, Column: s.col}, Statement: n, SQL: s.sql, Err: err}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Position <= 0 {
		return se
	}
	st := sqlsplit.Statement{Text: s.sql, Offset: s.offset, Line: s.line, Column: s.col}
	se.Pos.Line, se.Pos.Column = st.Pos(pe.Position)
	abs := st.ErrorOffset(pe.Position)
	data := sc.text
	lineStart := strings.LastIndexByte(data[:abs], '\n') + 1
	lineEnd := strings.IndexByte(data[abs:], '\n')
	if lineEnd < 0 {
		lineEnd = len(data) - abs
	}
	lineText := strings.TrimRight(data[lineStart:abs+lineEnd], "\r")
	// The caret goes under the character, counting runes and keeping tabs
	// so it lines up in a terminal.
	var pad strings.Builder
	for _, r := range data[lineStart:abs] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	se.caret = "    " + lineText + "\n    " + pad.String() + "^"
	return se
}

// relationInfo reads what the catalog says of a relation named as in SQL
// text, or ok false when there is none.
func relationInfo(ctx context.Context, conn *pgx.Conn, name string) (qualified string, kind byte, valid, ok bool) {
	var schema, rel string
	err := conn.QueryRow(ctx, `SELECT n.nspname, c.relname, c.relkind, coalesce(i.indisvalid, true)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
		WHERE c.oid = to_regclass($1)`, name).Scan(&schema, &rel, &kind, &valid)
	if err != nil {
		// No such relation, or a name to_regclass cannot read: either
		// way nothing to report.
		return "", 0, false, false
	}
	return quote.Ident(schema, rel), kind, valid, true
}

// leftovers lists the relations that the CREATE statements of a
// no-transaction migration name and that exist, to explain a failure. It is
// best effort: the connection may be gone with the error.
func leftovers(ctx context.Context, conn *pgx.Conn, sc *script) []Leftover {
	var out []Leftover
	for i, s := range sc.stmts {
		c, ok := createdBy(s.sql)
		if !ok {
			continue
		}
		name, _, valid, ok := relationInfo(ctx, conn, c.name)
		if !ok {
			continue
		}
		out = append(out, Leftover{Statement: i + 1, Kind: c.kind, Name: name, Invalid: !valid})
	}
	return out
}

// dropInvalidIndex drops the index a CREATE INDEX CONCURRENTLY statement is
// about to build when an earlier run of the migration left it invalid: the
// statement would fail on it ("already exists"), or with IF NOT EXISTS
// keep an index that is never used. It leaves an index alone while any
// index of its table is being built, since that may be this one, by
// someone else.
func dropInvalidIndex(ctx context.Context, conn *pgx.Conn, opts MigrateOptions, e Entry, s statement) error {
	c, ok := createdBy(s.sql)
	if !ok || !c.concurrently {
		return nil
	}
	name, kind, valid, ok := relationInfo(ctx, conn, c.name)
	if !ok || kind != 'i' || valid {
		return nil
	}
	var building bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_progress_create_index p JOIN pg_index i ON i.indrelid = p.relid
		WHERE i.indexrelid = $1::regclass AND p.datid = (SELECT oid FROM pg_database WHERE datname = current_database()))`, name).Scan(&building)
	if err != nil {
		return fmt.Errorf("%s:%d:%d: checking whether the invalid index %s is being built: %w", e.SQLPath(), s.line, s.col, name, err)
	}
	if building {
		return nil // the statement fails with a message that names it
	}
	if _, err := conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+name); err != nil {
		return fmt.Errorf("%s:%d:%d: dropping the invalid index %s that a failed CREATE INDEX CONCURRENTLY left, to build it again: %w", e.SQLPath(), s.line, s.col, name, err)
	}
	if opts.Events != nil {
		opts.Events(Event{Kind: EventInvalidIndexDropped, Migration: e.Tag, Object: name})
	}
	return nil
}
