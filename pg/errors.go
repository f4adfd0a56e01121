package pg

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is the error of a query for one row that found none. It
// wraps pgx.ErrNoRows, so errors.Is(err, pgx.ErrNoRows) holds too.
var ErrNotFound error = notFound{}

type notFound struct{}

func (notFound) Error() string { return "not found" }
func (notFound) Unwrap() error { return pgx.ErrNoRows }

// NotFoundError is ErrNotFound with the table that was read.
type NotFoundError struct {
	Table string // the table's SQL name
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s: row not found", e.Table) }

// Is reports that a NotFoundError is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Unwrap returns pgx.ErrNoRows.
func (e *NotFoundError) Unwrap() error { return pgx.ErrNoRows }

// NotFound turns pgx.ErrNoRows from a read of table into a *NotFoundError
// and returns any other error as it is. Generated code calls it.
func NotFound(table string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return &NotFoundError{Table: table}
	}
	return err
}

// PostgreSQL's error codes for the violations below (Appendix A of its
// manual).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
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

func violation(err error, code string) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == code {
		return pe.ConstraintName, true
	}
	return "", false
}
