package migrate

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/jsonfile"
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

// TableName is a schema-qualified table name: the history table's, in
// Options.
type TableName struct {
	Schema, Name string
}

// DefaultTable is where the migrator records applied migrations, and
// DrizzleTable where drizzle-orm's migrator does.
var (
	DefaultTable = TableName{"mizzle", "__mizzle_migrations"}
	DrizzleTable = TableName{"drizzle", "__drizzle_migrations"}
)

// Options configure a run of Dir.Apply, Dir.Status or Dir.Baseline.
type Options struct {
	// Table is the history table; DefaultTable (or DrizzleTable with
	// Drizzle) when zero.
	Table TableName
	// Drizzle records migrations exactly as drizzle-orm's PostgreSQL
	// migrator does (id, hash, created_at), so a project can move between
	// the two tools with its history.
	Drizzle bool
	// LockTimeout bounds the wait for another migrator to finish (see
	// Lock). Zero means one minute, the default; a negative value means
	// not waiting: Apply fails at once when another migrator holds the
	// lock.
	LockTimeout time.Duration
	// AllowOutOfOrder applies pending migrations that come before applied
	// ones in the journal, instead of refusing.
	AllowOutOfOrder bool
	// AllowAhead accepts a database whose history goes further than the
	// folder, as after rolling an application back to an older release:
	// when every migration of the journal is applied, unchanged, and the
	// migrations the journal does not list were all applied after them,
	// Apply applies nothing and reports each of those with EventAhead
	// (and Status.Ahead lists them) instead of refusing. A folder that
	// diverges from the history (a migration of the journal not applied,
	// or applied after one it does not list) is still refused. An
	// application that migrates at start-up should set it, so that its
	// previous release can still start.
	AllowAhead bool
	// TableLockTimeout, when more than zero, bounds how long each
	// statement of a migration waits for a lock (PostgreSQL's
	// lock_timeout, set for the migration only). An ALTER TABLE waiting
	// for its lock makes every later query on the table wait behind it;
	// with a bound, the migration fails instead, and Retries tries it
	// again later. It is not LockTimeout, the wait for another migrator.
	TableLockTimeout time.Duration
	// Retries is how many more times a migration that could not get a
	// lock within TableLockTimeout is tried, each after a pause that
	// starts at RetryBackoff (one second when zero) and doubles, up to a
	// minute. A transactional migration is tried again whole; a
	// no-transaction one goes on from the statement that failed, after
	// dropping the invalid index a failed CREATE INDEX CONCURRENTLY left.
	// Each try that fails is reported with EventLockRetry.
	Retries      int
	RetryBackoff time.Duration
	// Pooler says whether conn goes through a transaction pooler;
	// PoolerDetect, the zero value, finds out. Through one, no session
	// state is relied on: the lock is taken in each migration's
	// transaction (see Apply), nothing is prepared, and a no-transaction
	// migration is refused.
	Pooler Pooler
	// Events, when set, receives progress as it happens.
	Events func(Event)

	// pooled says the run goes through a pooler, once Pooler is resolved.
	pooled bool
}

// lock takes the migrator's lock on table as the options say.
func (o *Options) lock(ctx context.Context, conn *pgx.Conn, table TableName) (*Lock, error) {
	return AcquireLock(ctx, conn, table, o.lockTimeout(), o.lockWait())
}

// lockTimeout is how long to wait for another migrator: LockTimeout, a
// minute when unset.
func (o *Options) lockTimeout() time.Duration {
	if o.LockTimeout == 0 {
		return time.Minute
	}
	return o.LockTimeout
}

// lockWait tells Events that the lock must be waited for; nil without
// Events.
func (o *Options) lockWait() func() {
	if o.Events == nil {
		return nil
	}
	return func() { o.Events(Event{Kind: EventLockWait}) }
}

// tableLockTimeout is TableLockTimeout as lock_timeout takes it, in
// milliseconds, at least one.
func (o *Options) tableLockTimeout() string {
	return strconv.FormatInt(max(1, o.TableLockTimeout.Milliseconds()), 10) + "ms"
}

func (o *Options) table() TableName {
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
	// EventLockRetry: a statement of a migration could not get its lock
	// within TableLockTimeout; the migration is tried again after Wait
	// (Attempt is the number of the try that failed, from 1, and Err
	// the statement's error).
	EventLockRetry
	// EventInvalidIndexDropped: a no-transaction migration is about to
	// build, with CREATE INDEX CONCURRENTLY, an index that a failed
	// earlier run left invalid; the invalid index (Object) was dropped so
	// that the statement builds it again.
	EventInvalidIndexDropped
	// EventPoolerDetected: with PoolerDetect, the connection was found to
	// go through a pooler (see DetectPooler); the run goes on as with
	// PoolerOn. Reported first.
	EventPoolerDetected
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
	// Attempt, Wait and Err are for EventLockRetry.
	Attempt int
	Wait    time.Duration
	Err     error
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
	Pending []Migration        // in journal order
	// Ahead are the applied migrations the journal does not list, when
	// AllowAhead accepts them: the database is ahead of the folder. They
	// are in Applied too.
	Ahead []AppliedMigration
	// Problems are the reasons Apply would refuse to run.
	Problems schema.ErrorList
}

// Apply applies the pending migrations of d to the database, each in its
// own transaction together with its row in the history table, in journal
// order, and returns those it applied.
//
// A migration is pending when the history table has no row for it (by tag,
// and by content hash in drizzle mode), never because of its timestamp, so
// a migration merged from another branch is applied, not skipped. Before
// changing anything, Apply refuses (with a ProblemsError) a folder whose
// applied migrations changed since, history the journal does not list
// (unless AllowAhead), a pending migration placed before applied ones
// (unless AllowOutOfOrder), and a pending migration with a statement that
// would end the transaction it runs in.
//
// The Lock of the history table is held for the whole run, so several
// processes migrating at once apply each migration exactly once: the
// others wait (at most LockTimeout) and then find nothing pending. conn
// must not be in a transaction.
//
// Migrations run with standard_conforming_strings on, whatever the
// database's default, since generated SQL writes backslashes in '...'
// strings as ordinary characters; the session's own value is put back
// when Apply returns.
//
// Through a transaction pooler (Options.Pooler), where a session lock
// would be left on a server connection other clients then use, the lock
// is pg_advisory_xact_lock on the same key, taken by each migration's
// transaction, which reads the history again before applying the first
// migration still pending: concurrent runs take turns, each migration is
// still applied once, and a run with nothing left to apply returns.
// LockTimeout then bounds each wait for another run's migration. The
// settings are set for each transaction only, statements are sent
// without naming prepared statements, and a pending no-transaction
// migration is refused before anything runs, since nothing could keep
// another run from running it too.
func (d *Dir) Apply(ctx context.Context, conn *pgx.Conn, opts Options) ([]AppliedMigration, error) {
	pooled, err := opts.throughPooler(ctx, conn)
	if err != nil {
		return nil, err
	}
	if pooled {
		return newPooledRun(conn, d, opts).apply(ctx)
	}
	st, end, err := session(ctx, conn, d, opts)
	if err != nil {
		return nil, err
	}
	defer end()
	if opts.Events != nil {
		for _, a := range st.Ahead {
			opts.Events(Event{Kind: EventAhead, Migration: appliedName(a)})
		}
	}
	var done []AppliedMigration
	for _, m := range st.Pending {
		if opts.Events != nil {
			opts.Events(Event{Kind: EventApplying, Migration: m.Tag})
		}
		a, err := apply(ctx, conn, opts, m, nil)
		if err != nil {
			return done, err
		}
		done = append(done, a)
		if opts.Events != nil {
			opts.Events(Event{Kind: EventApplied, Migration: m.Tag, Duration: a.Duration})
		}
	}
	return done, nil
}

// Status reports the applied and pending migrations of d and the problems
// Apply would refuse, without changing anything: it creates no table and
// takes no lock. Through a pooler (Options.Pooler) it prepares nothing,
// and reports a pending no-transaction migration as a problem, since
// Apply would refuse it there.
func (d *Dir) Status(ctx context.Context, conn *pgx.Conn, opts Options) (*Status, error) {
	pooled, err := opts.throughPooler(ctx, conn)
	if err != nil {
		return nil, err
	}
	if pooled {
		opts.pooled = true
		return status(ctx, unprepared{conn}, d, opts)
	}
	return status(ctx, conn, d, opts)
}

// FileHash is the content hash the history table records: the hex SHA-256
// of the SQL file's bytes, as drizzle-orm computes it, so a byte-order mark
// and the line endings count, though neither is a change to the SQL (the
// refusal of a changed file says when that is all that differs).
func FileHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// status compares the history with the journal.
func status(ctx context.Context, q querier, d *Dir, opts Options) (*Status, error) {
	applied, err := history(ctx, q, opts.table(), opts.Drizzle)
	if err != nil {
		return nil, err
	}
	st := &Status{Applied: applied}
	// Which entry each row is: by tag, or in drizzle mode by hash (and by
	// when, to recognise a file changed after it was applied).
	done := make([]bool, len(d.Migrations))
	matched := make([]bool, len(applied))
	byTag, byHash, byWhen := map[string]int{}, map[string]int{}, map[int64]int{}
	for i, e := range d.Migrations {
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
		e := d.Migrations[i]
		if h := FileHash(e.SQL); h != a.Hash {
			st.Problems = append(st.Problems, problem(e.SQLPath(), 0, 0, changedMsg(e.SQL, a.Hash)))
		}
		done[i], matched[r] = true, true
	}
	if len(unknown) > 0 {
		// The folder is an earlier version of the database's history when
		// it is all applied and what it lacks came after it.
		why := ""
		for i, ok := range done {
			if !ok {
				why = fmt.Sprintf("%s is not applied", d.Migrations[i].Tag)
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
	for i, e := range d.Migrations {
		if done[i] {
			continue
		}
		if i < lastDone && !opts.AllowOutOfOrder {
			st.Problems = append(st.Problems, problem(e.SQLPath(), 0, 0, fmt.Sprintf(
				"not applied, but %s after it is: it was inserted before migrations that already ran (a merge from another branch?); apply it anyway with --allow-out-of-order, or move its entry to the end of the journal",
				d.Migrations[lastDone].Tag)))
		}
		st.Pending = append(st.Pending, e)
		st.Problems = append(st.Problems, checkScript(e, opts.pooled)...)
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
	body := jsonfile.TrimBOM(data)
	hadBOM := len(body) < len(data)
	lf := bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	for _, v := range [][]byte{body, lf, crlf} {
		for _, withBOM := range []bool{hadBOM, !hadBOM} {
			was := v
			if withBOM {
				was = append([]byte(jsonfile.BOM), v...)
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
// transaction it runs in, a no-transaction marker placed where it is
// not honoured, and, through a pooler, a no-transaction migration.
func checkScript(e Migration, pooled bool) schema.ErrorList {
	var out schema.ErrorList
	sc := readScript(e.SQL)
	if l := sc.strayMarker; l.line > 0 {
		out = append(out, problem(e.SQLPath(), l.line, l.col, fmt.Sprintf(
			"%q after the first statement is not honoured: the migration would run in a transaction; move it above the first statement",
			NoTransaction)))
	}
	if sc.noTx && pooled {
		out = append(out, problem(e.SQLPath(), 0, 0, noTxThroughPooler))
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

// apply runs one migration and records it, trying it again as
// opts.Retries says when a statement could not get its lock in time.
//
// With outer, the migration runs in a savepoint of that transaction
// (ApplyInTx's); it is then never a no-transaction one.
func apply(ctx context.Context, conn *pgx.Conn, opts Options, e Migration, outer pgx.Tx) (AppliedMigration, error) {
	start := time.Now()
	sc := readScript(e.SQL)
	a := AppliedMigration{Tag: e.Tag, Hash: FileHash(e.SQL), When: e.When}
	// from is the statement a no-transaction migration goes on from: the
	// ones before it were run by an earlier try.
	from := 0
	run := func(ctx context.Context, q execer) error {
		if opts.TableLockTimeout > 0 {
			// For the transaction only (SET LOCAL), or, outside one, for
			// the session until Apply puts it back (see lockTimeout).
			if _, err := q.Exec(ctx, "SELECT pg_catalog.set_config('lock_timeout', $1, $2)", opts.tableLockTimeout(), !sc.noTx); err != nil {
				return fmt.Errorf("%s: setting lock_timeout: %w", e.SQLPath(), err)
			}
		}
		for i, s := range sc.stmts {
			if i < from {
				continue
			}
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
					from = i
					se.NoTransaction = true
					se.Leftovers = leftovers(ctx, conn, sc)
				}
				return se
			}
		}
		a.Duration = time.Since(start)
		if err := record(ctx, q, opts.table(), opts.Drizzle, a); err != nil {
			return fmt.Errorf("%s: recording the migration: %w", e.SQLPath(), err)
		}
		return nil
	}
	if sc.noTx && opts.TableLockTimeout > 0 {
		// The setting outlives the migration in the session: put back
		// what the session had, as the pinned settings are.
		var was string
		if err := conn.QueryRow(ctx, "SELECT pg_catalog.current_setting('lock_timeout')").Scan(&was); err != nil {
			return a, fmt.Errorf("%s: reading lock_timeout: %w", e.SQLPath(), err)
		}
		defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_catalog.set_config('lock_timeout', $1, false)", was)
	}
	wait := cmp.Or(opts.RetryBackoff, time.Second)
	for attempt := 1; ; attempt++ {
		var err error
		switch {
		case sc.noTx:
			err = run(ctx, conn)
		case outer != nil:
			err = pgx.BeginFunc(ctx, outer, func(tx pgx.Tx) error { return run(ctx, tx) })
		default:
			err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return run(ctx, tx) })
		}
		if err == nil || attempt > opts.Retries || !lockNotAvailable(err) {
			a.AppliedAt = time.Now()
			return a, err
		}
		if opts.Events != nil {
			opts.Events(Event{Kind: EventLockRetry, Migration: e.Tag, Attempt: attempt, Wait: wait, Err: err})
		}
		select {
		case <-ctx.Done():
			return a, err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// lockNotAvailable reports whether err is PostgreSQL's lock_not_available
// (55P03): a statement gave up waiting for a lock after lock_timeout.
func lockNotAvailable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// statementError places PostgreSQL's error in the file: at the error's
// position when it gives one (a 1-based character index into the
// statement), else at the statement's start.
func statementError(e Migration, sc *script, n int, s statement, err error) *StatementError {
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
func dropInvalidIndex(ctx context.Context, conn *pgx.Conn, opts Options, e Migration, s statement) error {
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
