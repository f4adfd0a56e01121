package migrate

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
)

// Lock is the advisory lock that keeps two migrators of one history table
// from running at once, held by one connection.
//
// It is a session-level lock (pg_advisory_lock, not
// pg_advisory_xact_lock): a run commits one transaction per migration and
// runs no-transaction migrations outside any, so the lock must outlive
// transactions. It is released by Release, or by the server when the
// session ends, so a migrator that dies never leaves it held. Being the
// session's, it is not for a connection pool to hand around: take it, and
// migrate, on one connection. Through a transaction pooler, which hands a
// client's transactions to any server connection, Apply takes the
// transaction-level lock of the same key in each migration's transaction
// instead (Options.Pooler); the two kinds wait for each other.
type Lock struct {
	conn  *pgx.Conn
	key   int64
	table TableName
}

// LockKey returns the advisory lock key of the migrators of the history
// table t: the FNV-1a 64-bit hash of "mizzle migrate", t.Schema and t.Name
// separated by NUL bytes, so that applications keeping their own history
// tables in one database never wait on each other. pg_locks shows it as
// locktype advisory with classid its high 32 bits, objid its low 32 bits
// and objsubid 1.
func LockKey(t TableName) int64 {
	h := fnv.New64a()
	h.Write([]byte("mizzle migrate\x00" + t.Schema + "\x00" + t.Name))
	return int64(h.Sum64())
}

// AcquireLock takes the lock of the history table t on conn. When another
// session holds it, AcquireLock calls wait (if not nil) once, then polls,
// at growing intervals up to half a second, until it gets the lock, ctx
// ends, or timeout has passed; a timeout of zero or less means one try.
// Polling rather than blocking in pg_advisory_lock keeps the wait bounded
// and reportable, and never leaves a waiter queued in the server.
func AcquireLock(ctx context.Context, conn *pgx.Conn, t TableName, timeout time.Duration, wait func()) (*Lock, error) {
	l := &Lock{conn: conn, key: LockKey(t), table: t}
	deadline := time.Now().Add(timeout)
	pause := 20 * time.Millisecond
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&ok); err != nil {
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		}
		if ok {
			return l, nil
		}
		if wait != nil {
			wait()
			wait = nil
		}
		if time.Now().After(deadline) {
			return nil, lockGaveUp(timeout, t, l.key)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// Key returns the lock's advisory lock key, LockKey of its table.
func (l *Lock) Key() int64 { return l.key }

// Release releases the lock. It runs even when ctx is done, since a
// migrator gives the lock back on its way out of a cancelled run. An error
// says the connection broke, which released the lock with the session, or
// that the lock was not held (released already).
func (l *Lock) Release(ctx context.Context) error {
	var held bool
	err := l.conn.QueryRow(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", l.key).Scan(&held)
	switch {
	case err != nil:
		return fmt.Errorf("releasing the migration lock of %s: %w", quote.Ident(l.table.Schema, l.table.Name), err)
	case !held:
		return fmt.Errorf("releasing the migration lock of %s (advisory lock %d): this session did not hold it", quote.Ident(l.table.Schema, l.table.Name), l.key)
	}
	return nil
}

// lockGaveUp is the error of a migrator that waited timeout for the lock
// of the history table t, key, in vain.
func lockGaveUp(timeout time.Duration, t TableName, key int64) error {
	return fmt.Errorf("gave up after waiting %s for another migration of %s to finish (advisory lock %d); try again when it is done, or raise the lock timeout",
		max(timeout, 0), quote.Ident(t.Schema, t.Name), key)
}
