package pg

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// Replicated is a DBTX over a primary and its read replicas (streaming
// standbys): generated queries built on it read from the replicas and
// write to the primary, without being generated again:
//
//	q := db.New(pg.WithReplicas(primary, replica1, replica2))
//	user, err := q.Users.Get(ctx, id)                       // a replica
//	n, err := q.Users.Update().Set(...).Where(...).Exec(ctx) // the primary
//	user, err = q.Users.Get(pg.OnPrimary(ctx), id)          // the primary: read your writes
//
// Query and QueryRow send a statement to a replica when it only reads: it
// begins with SELECT, WITH, VALUES or TABLE and has no INSERT, UPDATE,
// DELETE, MERGE, SELECT ... INTO, row lock (FOR UPDATE, FOR SHARE, ...)
// and no call of a function known to write or lock (nextval, setval,
// set_config, pg_notify, the advisory locks, txid_current,
// pg_current_xact_id). That covers Get, Select, Count, Exists, the
// aggregates, relation loads (With) and the typed SQL methods whose
// statements are reads. Everything else goes to the primary: Exec,
// CopyFrom, SendBatch (a batch may mix reads and writes), every write,
// even one that returns rows, and transactions (Begin, BeginTx, InTx and
// the generated InTx), whose statements all run on the primary's
// connection. A read whose context came through [OnPrimary] goes to the
// primary too. A function of the program's own that writes is not known
// here: a SELECT calling it fails on a replica with SQLSTATE 25006
// (read-only transaction); call it with OnPrimary.
//
// Replicas take the reads in turn (round robin). A replica that fails
// the way a server that is down fails (it refuses the connection, closes
// it, or says it is shutting down or not yet accepting connections,
// SQLSTATE 57P01, 57P02, 57P03 or class 08) is marked down and the read runs again on the primary, once, as
// long as no row had been returned yet (a read that fails after its
// first row returns the error). A replica marked down gets no reads for a
// while: a second after its first failure, twice as long after each
// failure in a row, at most 30 seconds ([Replicated.WithBackoff]); then
// one read tries it again. Writes never go to a replica, so none is ever
// run twice. When every replica is down, the primary takes the reads.
//
// A replica applies the primary's changes after the primary commits
// them (replication lag: usually milliseconds, seconds under load), so a
// read from a replica may not see a write the program just made; read
// with OnPrimary when it must. A select with relations reads its rows and
// every level of relations from one server; two calls may read from two
// replicas that lag by different amounts.
//
// A Replicated is safe for concurrent use when its handles are (pools
// are). Its handles are pools in practice: one *pgxpool.Pool per server.
type Replicated struct {
	primary  DBTX
	replicas []*replica
	next     atomic.Uint64
	backoff  [2]time.Duration // the first wait after a failure, and the longest
	pin      *replica         // set on the router of one select with relations
}

// replica is one read replica and what the router knows of its health.
type replica struct {
	db DBTX

	down atomic.Bool // downUntil is set: what most reads need to know, without the lock

	mu        sync.Mutex
	failures  int       // failures in a row
	downUntil time.Time // no reads before then, unless zero
}

// WithReplicas returns a router that runs reads on replicas and the rest
// on primary (see [Replicated]). With no replicas everything runs on
// primary.
func WithReplicas(primary DBTX, replicas ...DBTX) *Replicated {
	if primary == nil {
		panic("pg: WithReplicas with a nil primary")
	}
	r := &Replicated{primary: primary, backoff: [2]time.Duration{time.Second, 30 * time.Second}}
	for i, db := range replicas {
		if db == nil {
			panic("pg: WithReplicas with a nil replica (number " + strconv.Itoa(i+1) + ")")
		}
		r.replicas = append(r.replicas, &replica{db: db})
	}
	return r
}

// WithBackoff returns a new router over the same handles whose replicas,
// once down, get no reads for first after their first failure, twice as
// long after each failure in a row, at most longest. It starts with every
// replica up. Both must be positive.
func (r *Replicated) WithBackoff(first, longest time.Duration) *Replicated {
	if first <= 0 || longest <= 0 {
		panic("pg: WithBackoff with a wait that is not positive")
	}
	dbs := make([]DBTX, len(r.replicas))
	for i, rep := range r.replicas {
		dbs[i] = rep.db
	}
	n := WithReplicas(r.primary, dbs...)
	n.backoff = [2]time.Duration{first, max(first, longest)}
	return n
}

// Primary returns the primary's handle: db.New(r.Primary()) gives
// queries that all run there.
func (r *Replicated) Primary() DBTX { return r.primary }

type primaryKey struct{}

// OnPrimary returns a context with which a read through a [Replicated]
// runs on the primary, for a read that must see the program's own
// writes (read-your-writes):
//
//	err := q.Orders.Update().Set(...).Where(...).Exec(ctx)
//	order, err := q.Orders.Get(pg.OnPrimary(ctx), id)
//
// Other handles ignore it.
func OnPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// Exec runs sql on the primary.
func (r *Replicated) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return r.primary.Exec(ctx, sql, args...)
}

// CopyFrom runs COPY on the primary.
func (r *Replicated) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	return r.primary.CopyFrom(ctx, table, columns, src)
}

// SendBatch sends b to the primary.
func (r *Replicated) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return r.primary.SendBatch(ctx, b)
}

// Begin begins a transaction on the primary.
func (r *Replicated) Begin(ctx context.Context) (pgx.Tx, error) { return r.primary.Begin(ctx) }

// BeginTx begins a transaction with options on the primary, which must
// be able to (a *pgxpool.Pool or *pgx.Conn is), as InTxWith says.
func (r *Replicated) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	return beginWith(ctx, r.primary, opts, "BeginTx")
}

// Query runs sql on a replica when it only reads, else on the primary.
func (r *Replicated) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rep := r.route(ctx, sql)
	if rep == nil {
		return r.primary.Query(ctx, sql, args...)
	}
	rows, err := rep.db.Query(ctx, sql, args...)
	if err != nil {
		if !r.failed(ctx, rep, err) {
			return rows, err
		}
		if rows != nil {
			rows.Close()
		}
		return r.primary.Query(ctx, sql, args...)
	}
	return &replicaRows{Rows: rows, r: r, rep: rep, ctx: ctx, sql: sql, args: args}, nil
}

// QueryRow runs sql on a replica when it only reads, else on the primary.
func (r *Replicated) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rep := r.route(ctx, sql)
	if rep == nil {
		return r.primary.QueryRow(ctx, sql, args...)
	}
	return &replicaRow{r: r, rep: rep, ctx: ctx, sql: sql, args: args}
}

// route returns the replica to run sql on, or nil for the primary.
func (r *Replicated) route(ctx context.Context, sql string) *replica {
	if len(r.replicas) == 0 || ctx.Value(primaryKey{}) != nil || !readOnly(sql) {
		return nil
	}
	if r.pin != nil {
		if r.pin.available(r.backoff[0]) {
			return r.pin
		}
		return nil
	}
	return r.pick()
}

// pick returns the next replica in turn that is up, or whose wait is
// over (it then takes one read and is kept from the others until it
// answers), or nil when none is.
func (r *Replicated) pick() *replica {
	n := uint64(len(r.replicas))
	start := r.next.Add(1) - 1
	for k := range n {
		if rep := r.replicas[(start+k)%n]; rep.available(r.backoff[0]) {
			return rep
		}
	}
	return nil
}

// stick returns a router whose reads all go to one replica, the next in
// turn, or all to the primary: a select and its relations read one
// server's data.
func (r *Replicated) stick() *Replicated {
	if r.pin != nil || len(r.replicas) == 0 {
		return r
	}
	s := &Replicated{primary: r.primary, replicas: r.replicas, backoff: r.backoff, pin: r.pick()}
	if s.pin == nil {
		s.replicas = nil
	}
	return s
}

// sticky is stick for any DBTX: the handle itself unless it is a
// Replicated.
func sticky(db DBTX) DBTX {
	if r, ok := db.(*Replicated); ok {
		return r.stick()
	}
	return db
}

// available reports whether rep may take a read now; a replica whose wait
// is over is given one and held back from the others for another wait.
func (rep *replica) available(wait time.Duration) bool {
	if !rep.down.Load() {
		return true
	}
	rep.mu.Lock()
	defer rep.mu.Unlock()
	if rep.downUntil.IsZero() {
		return true
	}
	now := time.Now()
	if now.Before(rep.downUntil) {
		return false
	}
	rep.downUntil = now.Add(wait)
	return true
}

// up records that rep answered.
func (rep *replica) up() {
	if !rep.down.Load() {
		return
	}
	rep.mu.Lock()
	rep.failures, rep.downUntil = 0, time.Time{}
	rep.down.Store(false)
	rep.mu.Unlock()
}

// failed reports whether err from rep is a failure of the server (then
// rep is marked down for a while), rather than of the statement or of
// ctx.
func (r *Replicated) failed(ctx context.Context, rep *replica, err error) bool {
	if ctx.Err() != nil || !serverDown(err) {
		return false
	}
	rep.mu.Lock()
	defer rep.mu.Unlock()
	wait := r.backoff[0]
	for i := 0; i < rep.failures && wait < r.backoff[1]; i++ {
		wait *= 2
	}
	rep.failures++
	rep.downUntil = time.Now().Add(min(wait, r.backoff[1]))
	rep.down.Store(true)
	return true
}

// serverDown reports whether err says the server is down or the
// connection to it is lost, as opposed to an error of the statement.
func serverDown(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
		// cannot_connect_now (a standby still starting), class 08
		// connection exceptions.
		return pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08")
	}
	if pgconn.Timeout(err) {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// replicaRow is QueryRow's row on a replica: Scan runs the statement, and
// runs it again on the primary when the replica is down.
type replicaRow struct {
	r    *Replicated
	rep  *replica
	ctx  context.Context
	sql  string
	args []any
}

func (w *replicaRow) Scan(dest ...any) error {
	err := w.rep.db.QueryRow(w.ctx, w.sql, w.args...).Scan(dest...)
	if err == nil || errors.Is(err, pgx.ErrNoRows) {
		w.rep.up()
		return err
	}
	if !w.r.failed(w.ctx, w.rep, err) {
		return err
	}
	return w.r.primary.QueryRow(w.ctx, w.sql, w.args...).Scan(dest...)
}

// replicaRows are Query's rows on a replica. The first Next runs the
// statement again on the primary when the replica turns out to be down
// before any row came back.
type replicaRows struct {
	pgx.Rows
	r       *Replicated
	rep     *replica
	ctx     context.Context
	sql     string
	args    []any
	started bool
	onRep   bool // Rows are the replica's
}

func (w *replicaRows) Next() bool {
	if w.started {
		ok := w.Rows.Next()
		if !ok && w.onRep {
			if err := w.Rows.Err(); err != nil {
				w.r.failed(w.ctx, w.rep, err)
			}
		}
		return ok
	}
	w.started, w.onRep = true, true
	if w.Rows.Next() {
		w.rep.up()
		return true
	}
	err := w.Rows.Err()
	if err == nil {
		w.rep.up()
		return false
	}
	if !w.r.failed(w.ctx, w.rep, err) {
		return false
	}
	w.Rows.Close()
	w.onRep = false
	rows, err := w.r.primary.Query(w.ctx, w.sql, w.args...)
	if rows == nil {
		rows = errRows{err: err}
	}
	w.Rows = rows
	return rows.Next()
}

// errRows are the rows of a query that failed before it ran, for a
// handle that returned none with its error. The embedded Rows (nil) only
// keeps it a pgx.Rows as that interface grows.
type errRows struct {
	pgx.Rows
	err error
}

func (errRows) Close()                                       {}
func (e errRows) Err() error                                 { return e.err }
func (errRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (errRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (errRows) Next() bool                                   { return false }
func (e errRows) Scan(...any) error                          { return e.err }
func (e errRows) Values() ([]any, error)                     { return nil, e.err }
func (errRows) RawValues() [][]byte                          { return nil }
func (errRows) Conn() *pgx.Conn                              { return nil }

// readOnly reports whether sql only reads, by its key words (outside
// quotes and comments): it begins with SELECT, WITH, VALUES or TABLE,
// after any opening parentheses, and names no key word that writes or
// locks (a data-modifying WITH, SELECT ... INTO, FOR UPDATE, FOR SHARE)
// and no function known to write or lock. An unquoted identifier spelled
// like one of them (a column named share) sends the statement to the
// primary, which can run any statement.
func readOnly(sql string) bool {
	first := true
	for tok := range sqlsplit.Tokens(sql) {
		if tok.Comment {
			continue
		}
		if first {
			if tok.Text == "(" {
				continue
			}
			first = false
			if !tok.Word {
				return false
			}
			var buf [8]byte
			switch string(lower(buf[:0], tok.Text)) {
			case "select", "with", "values", "table":
				continue
			}
			return false
		}
		if tok.Word && writes(tok.Text) {
			return false
		}
	}
	return !first
}

// lower appends s in lower case (ASCII: key words and the names below)
// to buf, at most cap(buf) bytes of it; a longer s gives nil, which
// matches no word.
func lower(buf []byte, s string) []byte {
	if len(s) > cap(buf) {
		return nil
	}
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// writes reports whether a key word or function name makes a statement
// write, lock, or otherwise need the primary.
func writes(word string) bool {
	var buf [32]byte
	w := lower(buf[:0], word)
	if w == nil {
		// Longer than any name below, but may begin like the advisory
		// lock functions.
		w = lower(buf[:0], word[:len(buf)])
		return bytes.HasPrefix(w, []byte("pg_advisory")) || bytes.HasPrefix(w, []byte("pg_try_advisory"))
	}
	switch string(w) {
	case "insert", "update", "delete", "merge", "into", "share", "copy",
		"nextval", "setval", "set_config", "pg_notify", "txid_current", "pg_current_xact_id",
		"lo_create", "lo_import", "lo_unlink", "lo_from_bytea", "lo_put":
		return true
	}
	return bytes.HasPrefix(w, []byte("pg_advisory")) || bytes.HasPrefix(w, []byte("pg_try_advisory"))
}
