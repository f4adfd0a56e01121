package pg

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DBTX is what generated queries run on: a *pgxpool.Pool, a *pgx.Conn or a
// pgx.Tx all satisfy it.
//
// Besides the three query methods it has what bulk loading (CopyFrom),
// batched reads (SendBatch) and transactions (Begin; on a pgx.Tx it makes a
// savepoint) need, so one value serves every generated method. Adding a
// method to DBTX would break programs that implement it themselves, so it
// only changes with a new SupportPackageIsVersion.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Begin(ctx context.Context) (pgx.Tx, error)
}
