package pgimpl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg"
)

// NotFound turns pgx.ErrNoRows from a read of table into a
// *pg.NotFoundError and wraps any other error as by [Wrap] ("select
// from"). key, when the read was by key, alternates the key's column names
// and values:
//
//	pgimpl.NotFound("memberships", err, "org", org, "user_id", userID)
func NotFound(table string, err error, key ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		e := &pg.NotFoundError{Table: table}
		var b strings.Builder
		for i := 0; i+1 < len(key); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%v = %v", key[i], formatKey(key[i+1]))
		}
		e.Key = b.String()
		return e
	}
	return Wrap("select from", table, err)
}

// formatKey spells a key's value for a message: strings quoted, so that an
// empty or spaced key reads as what it is.
func formatKey(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case fmt.Stringer:
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v)
}

// Wrap returns err as a *pg.Error of the statement op on table, and nil
// for nil.
func Wrap(op, table string, err error) error {
	if err == nil {
		return nil
	}
	return &pg.Error{Op: op, Table: table, Err: err}
}
