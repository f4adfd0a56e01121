package pg

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestPoolerHint: the hint is given for pgx's cached statements only, not
// for a statement of the program's own (EXECUTE of a name it never
// prepared), nor for other errors.
func TestPoolerHint(t *testing.T) {
	for _, c := range []struct {
		code, msg string
		hint      bool
	}{
		{"26000", `prepared statement "stmtcache_0123abcd" does not exist`, true},
		{"42P05", `prepared statement "stmtcache_0123abcd" already exists`, true},
		{"26000", `prepared statement "mine" does not exist`, false},
		{"23505", `duplicate key value violates unique constraint "stmtcache_x"`, false},
	} {
		err := &Error{Op: opSelect, Table: "t", Err: &pgconn.PgError{Severity: "ERROR", Code: c.code, Message: c.msg}}
		if got := strings.HasSuffix(err.Error(), poolerHint); got != c.hint {
			t.Errorf("%s %s: hint %v, want %v: %s", c.code, c.msg, got, c.hint, err)
		}
	}
}
