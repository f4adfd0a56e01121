package pg

import (
	"context"
	"errors"
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
