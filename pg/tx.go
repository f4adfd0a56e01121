package pg

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// InTx runs fn in a transaction begun on db: it commits when fn returns nil
// and rolls back when fn returns an error or panics (the panic goes on after
// the rollback). On a pgx.Tx it uses a savepoint, so calls nest.
//
// fn must do its work through the transaction it is given, not db.
func InTx(ctx context.Context, db DBTX, fn func(tx DBTX) error) (err error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	return runTx(ctx, tx, fn)
}

// runTx runs fn in tx, then commits or rolls back as InTx says.
func runTx(ctx context.Context, tx pgx.Tx, fn func(tx DBTX) error) error {
	defer func() {
		if p := recover(); p != nil {
			// A fresh context: ctx may be what made fn give up.
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit(ctx)
}

// txBeginner is what a *pgxpool.Pool and a *pgx.Conn have, and DBTX does
// not require (adding it would break DBTX's other implementations, pgx.Tx
// first).
type txBeginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// InTxWith is InTx with the transaction's isolation level, access mode
// (read only) and deferrable mode:
//
//	pg.InTxWith(ctx, pool, pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly}, fn)
//
// db must be able to begin a transaction with options, as a
// *pgxpool.Pool and a *pgx.Conn can (a BeginTx method). A savepoint cannot
// change the settings of the transaction around it, so on a pgx.Tx, and on
// a DBTX without BeginTx, options other than the zero ones are an error
// and nothing runs; the zero options nest as InTx does.
func InTxWith(ctx context.Context, db DBTX, opts pgx.TxOptions, fn func(tx DBTX) error) error {
	tx, err := beginWith(ctx, db, opts, "InTxWith")
	if err != nil {
		return err
	}
	return runTx(ctx, tx, fn)
}

func beginWith(ctx context.Context, db DBTX, opts pgx.TxOptions, what string) (pgx.Tx, error) {
	if _, ok := db.(pgx.Tx); !ok {
		if b, ok := db.(txBeginner); ok {
			return b.BeginTx(ctx, opts)
		}
	}
	if opts != (pgx.TxOptions{}) {
		if _, ok := db.(pgx.Tx); ok {
			return nil, fmt.Errorf("pg: %s with options %s on a transaction: a savepoint cannot change the settings of the transaction it is in; begin the outer transaction with them", what, describeOptions(opts))
		}
		return nil, fmt.Errorf("pg: %s with options %s on a %T, which cannot begin a transaction with options (it has no BeginTx method); pass a *pgxpool.Pool or a *pgx.Conn", what, describeOptions(opts), db)
	}
	return db.Begin(ctx)
}

// describeOptions spells the options that are set, as BEGIN would.
func describeOptions(o pgx.TxOptions) string {
	s := ""
	add := func(v string) {
		if v == "" {
			return
		}
		if s != "" {
			s += ", "
		}
		s += v
	}
	if o.IsoLevel != "" {
		add("ISOLATION LEVEL " + string(o.IsoLevel))
	}
	add(string(o.AccessMode))
	add(string(o.DeferrableMode))
	if o.BeginQuery != "" {
		add("BeginQuery")
	}
	if o.CommitQuery != "" {
		add("CommitQuery")
	}
	return "(" + s + ")"
}

// Retry bounds how RetryTx tries again. The zero Retry is 5 attempts, with
// waits between them growing from 10ms to at most 1s.
type Retry struct {
	// Attempts is the number of tries in all, the first included: 0
	// means 5, 1 never retries.
	Attempts int
	// MinWait is the longest wait before the second attempt (0: 10ms);
	// each later wait may be twice as long, up to MaxWait (0: 1s). Each
	// wait is drawn at random below its bound, so that transactions that
	// failed together do not collide again.
	MinWait, MaxWait time.Duration
}

// RetryTx runs fn in a transaction begun on db with opts, as InTxWith
// does, and runs it again in a new transaction when the transaction fails
// with a serialization failure or a deadlock ([IsSerializationFailure],
// [IsDeadlock]), whether fn returned it or the commit did: what
// PostgreSQL asks of a serializable or repeatable read transaction. It
// waits a while between attempts, at most retry.Attempts of them, and
// stops waiting when ctx is done, returning ctx's error joined to the
// failure.
//
// Any other error, from fn or the commit, is returned at once, as is: fn
// only runs again after a failure the server says a retry may cure. fn
// must therefore be safe to run more than once; keep its side effects
// outside the database (sending mail) until RetryTx returns nil.
//
// A failure of this kind fails the whole transaction, so a savepoint could
// not retry it: RetryTx on a pgx.Tx is an error, and nothing runs.
func RetryTx(ctx context.Context, db DBTX, opts pgx.TxOptions, retry Retry, fn func(tx DBTX) error) error {
	if _, ok := db.(pgx.Tx); ok {
		return errors.New("pg: RetryTx on a transaction: a serialization failure or deadlock fails the whole transaction, so only where it begins can it be retried; call RetryTx with the pool or connection")
	}
	attempts, lo, hi := retry.Attempts, retry.MinWait, retry.MaxWait
	if attempts < 0 || lo < 0 || hi < 0 {
		return fmt.Errorf("pg: RetryTx: negative Retry %+v", retry)
	}
	if attempts == 0 {
		attempts = 5
	}
	if lo == 0 {
		lo = 10 * time.Millisecond
	}
	if hi == 0 {
		hi = time.Second
	}
	hi = max(hi, lo)
	wait := lo
	for n := 1; ; n++ {
		err := InTxWith(ctx, db, opts, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if n == attempts {
			return fmt.Errorf("pg: transaction failed %d times: %w", n, err)
		}
		t := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(fmt.Errorf("pg: transaction failed %d times, then the context was done: %w", n, err), context.Cause(ctx))
		case <-t.C:
		}
		wait = min(2*wait, hi)
	}
}

func retryable(err error) bool {
	if _, ok := IsSerializationFailure(err); ok {
		return true
	}
	_, ok := IsDeadlock(err)
	return ok
}
