package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Problem is a reason not to migrate: a file that changed after it was
// applied, history that does not match the journal, a pending migration
// that would end its own transaction.
type Problem struct {
	File string // the migration's SQL file, or the journal
	// Line and Column place the problem inside File (Column in bytes,
	// from 1); zero when it concerns the whole file.
	Line, Column int
	Msg          string
}

func (p Problem) Error() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// ProblemsError lists the problems that stopped Apply or Baseline before
// they changed anything.
type ProblemsError []Problem

func (e ProblemsError) Error() string {
	var b strings.Builder
	for i, p := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// StatementError is a statement of a migration that PostgreSQL refused.
type StatementError struct {
	File      string // the migration's SQL file
	Statement int    // 1-based number of the statement in the file
	Line, Col int    // where the statement starts, or where the error is when PostgreSQL says
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
	s := fmt.Sprintf("%s:%d:%d: statement %d: %s", e.File, e.Line, e.Col, e.Statement, ServerMessage(e.Err))
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
