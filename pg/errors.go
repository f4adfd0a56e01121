package pg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is the error of a query for one row that found none. It
// wraps pgx.ErrNoRows, so errors.Is(err, pgx.ErrNoRows) holds too.
var ErrNotFound error = errNotFound{}

type errNotFound struct{}

func (errNotFound) Error() string { return "not found" }
func (errNotFound) Unwrap() error { return pgx.ErrNoRows }

// NotFoundError is ErrNotFound with the table that was read and, for a
// read by key, the key.
type NotFoundError struct {
	Table string // the table's SQL name
	// Key is the key looked for, as "column = value" joined with ", ";
	// empty when the read was not by key.
	Key string
}

func (e *NotFoundError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("no row in %q", e.Table)
	}
	return fmt.Sprintf("no row in %q with %s", e.Table, e.Key)
}

// Is reports that a NotFoundError is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Unwrap returns pgx.ErrNoRows.
func (e *NotFoundError) Unwrap() error { return pgx.ErrNoRows }

// notFound turns pgx.ErrNoRows from a read of table into a
// *NotFoundError and wraps any other error as by wrap ("select from").
// pgimpl.NotFound is the same for generated code, with the key.
func notFound(table string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &NotFoundError{Table: table}
	}
	return wrap(opSelect, table, err)
}

// Error is an error of a statement that generated code or this package
// ran, with the statement's kind and table: `insert into "users": ERROR:
// duplicate key ... (SQLSTATE 23505)`. It wraps the error of pgx, so
// errors.As(err, &pgErr) with a *pgconn.PgError and the Is helpers below
// see through it.
type Error struct {
	Op    string // "insert into", "copy into", "upsert into", "select from", "update", "delete from", "refresh materialized view"
	Table string // the table's SQL name
	Err   error
}

// The statements an Error names.
const (
	opSelect = "select from"
	opUpdate = "update"
	opDelete = "delete from"
)

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %q: %v", e.Op, e.Table, e.Err)
	if lostPreparedStatement(e.Err) {
		msg += poolerHint
	}
	return msg
}

// poolerHint ends the message of an Error whose statement pgx had
// prepared on one server connection and found missing (or, preparing it,
// already there) on another: what a transaction pooler without prepared
// statement support (PgBouncer before 1.21, or without
// max_prepared_statements) does to pgx's default statement cache.
const poolerHint = "; a connection pooler in transaction mode moved the session between transactions, " +
	"which pgx's named prepared statements do not survive: add default_query_exec_mode=cache_describe to the database URL " +
	"(pgx.QueryExecModeCacheDescribe in its ConnConfig)"

// lostPreparedStatement reports whether err is PostgreSQL's answer to a
// statement of pgx's cache (named stmtcache_...) that the server
// connection does not have (26000, invalid_sql_statement_name) or has from
// another client (42P05, duplicate_prepared_statement). Generated code
// prepares nothing by name itself.
func lostPreparedStatement(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "26000" || pe.Code == "42P05") && strings.Contains(pe.Message, `"stmtcache_`)
}

// Unwrap returns the error of the database or the connection.
func (e *Error) Unwrap() error { return e.Err }

// wrap returns err as an *Error of the statement op on table, and nil for
// nil.
func wrap(op, table string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Table: table, Err: err}
}

// PostgreSQL's error codes for the violations below (Appendix A of its
// manual).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	codeNotNullViolation    = "23502"
	codeSerialization       = "40001"
	codeDeadlock            = "40P01"
	codeLockNotAvailable    = "55P03"
)

// IsUniqueViolation reports whether err is a unique or primary key
// violation, and which constraint was violated.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	return violation(err, codeUniqueViolation)
}

// IsForeignKeyViolation reports whether err is a foreign key violation, and
// which constraint was violated.
func IsForeignKeyViolation(err error) (constraint string, ok bool) {
	return violation(err, codeForeignKeyViolation)
}

// IsCheckViolation reports whether err is a check constraint violation,
// and which constraint was violated.
func IsCheckViolation(err error) (constraint string, ok bool) {
	return violation(err, codeCheckViolation)
}

// IsNotNullViolation reports whether err is a not-null violation, and the
// column that was null.
func IsNotNullViolation(err error) (column string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeNotNullViolation {
		return pe.ColumnName, true
	}
	return "", false
}

// IsSerializationFailure reports whether err is a serialization failure
// of a repeatable read or serializable transaction, which succeeds when
// the whole transaction is run again, and the server's detail (often
// empty).
func IsSerializationFailure(err error) (detail string, ok bool) {
	return detailOf(err, codeSerialization)
}

// IsDeadlock reports whether err is a deadlock the server broke by
// failing this transaction, and the server's detail: which processes
// waited for which locks.
func IsDeadlock(err error) (detail string, ok bool) {
	return detailOf(err, codeDeadlock)
}

// IsLockTimeout reports whether err is a lock that could not be taken in
// time: lock_timeout ran out, or NOWAIT (and FOR UPDATE NOWAIT) found the
// lock taken. It returns the server's message, which says which.
func IsLockTimeout(err error) (message string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeLockNotAvailable {
		return pe.Message, true
	}
	return "", false
}

func detailOf(err error, code string) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == code {
		return pe.Detail, true
	}
	return "", false
}

func violation(err error, code string) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == code {
		return pe.ConstraintName, true
	}
	return "", false
}
