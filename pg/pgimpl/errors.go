package pgimpl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// NotFound turns pgx.ErrNoRows from a read of the table name into a
// *pg.NotFoundError and wraps any other error as by [Wrap] ("select
// from"). key, when the read was by key, alternates the key's column names
// and values:
//
//	pgimpl.NotFound("memberships", err, "org", org, "user_id", userID)
func NotFound(name string, err error, key ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		e := &pg.NotFoundError{Table: name}
		var b strings.Builder
		for i := 0; i+1 < len(key); i += 2 {
			table.WriteKey(&b, fmt.Sprint(key[i]), key[i+1])
		}
		e.Key = b.String()
		return e
	}
	return Wrap("select from", name, err)
}

// Wrap returns err as a *pg.Error of the statement op on table, and nil
// for nil.
func Wrap(op, table string, err error) error {
	if err == nil {
		return nil
	}
	return &pg.Error{Op: op, Table: table, Err: err}
}
