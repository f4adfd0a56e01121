package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/schema"
)

// Problem is a reason not to migrate: a file that changed after it was
// applied, history that does not match the journal, a pending migration
// that would end its own transaction. Its position names the migration's
// SQL file, or the journal, relative to the folder, with a line and column
// when the problem is at a place inside it.
type Problem = schema.Error

// ProblemsError lists the problems that stopped Apply or Baseline before
// they changed anything.
type ProblemsError = schema.ErrorList

// problem returns a Problem in file, at line and col when they are not 0.
func problem(file string, line, col int, msg string) *Problem {
	return &Problem{Pos: schema.Position{Filename: file, Line: line, Column: col}, Msg: msg}
}

// StatementError is a statement of a migration that PostgreSQL refused.
type StatementError struct {
	// Pos is in the migration's SQL file: where the error is when
	// PostgreSQL says, else where the statement starts.
	Pos       schema.Position
	Statement int    // 1-based number of the statement in the file
	SQL       string // the statement
	Err       error  // a *pgconn.PgError, usually
	// NoTransaction says the migration runs outside a transaction (see
	// NoTransaction): it is not recorded, the statements before this one
	// stay applied, and a previous run may have applied part of it.
	NoTransaction bool
	// Leftovers are, when NoTransaction, the relations the migration's
	// CREATE statements name that exist in the database: what the
	// statements before this one, or a previous run, left behind.
	Leftovers []Leftover
	// caret is the statement's line holding the error, with a caret under
	// its position; empty when PostgreSQL gives no position.
	caret string
}

func (e *StatementError) Error() string {
	s := fmt.Sprintf("%s: statement %d: %s", e.Pos, e.Statement, ServerMessage(e.Err))
	if e.caret != "" {
		s += "\n" + e.caret
	}
	if !e.NoTransaction {
		return s
	}
	s += fmt.Sprintf("\nThis migration runs outside a transaction (%q): it is not recorded, the statements before this one stay applied, and a previous run may have applied part of it.", NoTransaction)
	if len(e.Leftovers) == 0 {
		return s
	}
	s += "\nAlready in the database, named by its CREATE statements:"
	var drops []string
	for _, l := range e.Leftovers {
		s += fmt.Sprintf("\n    %s %s (statement %d)", l.Kind, l.Name, l.Statement)
		if l.Invalid {
			s += ", invalid: a CREATE INDEX CONCURRENTLY that failed left it"
		}
		if l.Kind == "index" {
			drops = append(drops, "\n    DROP INDEX CONCURRENTLY IF EXISTS "+l.Name+";")
		}
	}
	s += "\nMake its statements rerunnable, with CREATE ... IF NOT EXISTS (a migration that is not recorded may still be edited), or remove what is left, then migrate again"
	if len(drops) > 0 {
		s += ":" + strings.Join(drops, "")
	} else {
		s += "."
	}
	return s
}

func (e *StatementError) Unwrap() error { return e.Err }

// Leftover is a relation that a statement of a no-transaction migration
// creates and that exists already.
type Leftover struct {
	Statement int    // the statement creating it, from 1
	Kind      string // "index", "table", "view", "materialized view" or "sequence"
	Name      string // schema-qualified and quoted
	// Invalid says the index is invalid: a CREATE INDEX CONCURRENTLY that
	// failed left it, unusable but maintained on every write.
	Invalid bool
}

// ServerMessage is err as PostgreSQL reported it: severity, message and
// SQLSTATE, then the DETAIL and HINT lines that pgconn's Error leaves out
// and that often name what is in the way ("view v depends on column c").
// An error that did not come from the server is returned as it is.
func ServerMessage(err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	msg := fmt.Sprintf("%s: %s (SQLSTATE %s)", pe.Severity, pe.Message, pe.Code)
	if pe.Detail != "" {
		msg += "\nDETAIL: " + pe.Detail
	}
	if pe.Hint != "" {
		msg += "\nHINT: " + pe.Hint
	}
	return msg
}
