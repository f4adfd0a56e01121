package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

// accounts is a table with a check, a not-null column and a unique one,
// for the error helpers.
type account struct {
	ID      int64
	Email   *string
	Balance int64
}

var accountsTable = pgimpl.NewTable("public", "accounts", []pgimpl.TableColumn{
	{Name: "id"}, {Name: "email"}, {Name: "balance"},
}, rowFuncs(
	func(r pgx.Row, a *account) error { return r.Scan(&a.ID, &a.Email, &a.Balance) },
	func(a *account, dst []any) []any { return append(dst, a.ID, a.Email, a.Balance) },
	func(a *account, dst []any) []any { return append(dst, &a.ID, &a.Email, &a.Balance) },
))

func accountsDB(t *testing.T) (url string, conn *pgx.Conn) {
	t.Helper()
	url = pgtest.NewDatabase(t)
	conn = connectURL(t, url)
	for _, s := range []string{
		`CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL CONSTRAINT accounts_email_unique UNIQUE, balance bigint NOT NULL CONSTRAINT accounts_balance_check CHECK (balance >= 0))`,
		`INSERT INTO accounts VALUES (1, 'a@x', 10), (2, 'b@x', 10)`,
	} {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return url, conn
}

func connectURL(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func ptrTo[T any](v T) *T { return &v }

// TestInsertErrorsNameTheTable: database errors of inserts say which
// statement and table failed, and the helpers still see the server's
// error inside.
func TestInsertErrorsNameTheTable(t *testing.T) {
	ctx := context.Background()
	_, conn := accountsDB(t)
	tests := []struct {
		name  string
		run   func() error
		check func(error) (string, bool)
		want  string
		op    string
	}{
		{"unique", func() error {
			_, err := accountsTable.Insert(ctx, conn, []account{{ID: 3, Email: ptrTo("a@x")}})
			return err
		}, pg.IsUniqueViolation, "accounts_email_unique", "insert into"},
		{"check", func() error {
			_, err := accountsTable.Insert(ctx, conn, []account{{ID: 3, Email: ptrTo("c@x"), Balance: -1}})
			return err
		}, pg.IsCheckViolation, "accounts_balance_check", "insert into"},
		{"not null", func() error {
			_, err := accountsTable.Insert(ctx, conn, []account{{ID: 3}})
			return err
		}, pg.IsNotNullViolation, "email", "insert into"},
		{"upsert", func() error {
			_, err := accountsTable.Upsert(ctx, conn, []account{{ID: 3, Email: ptrTo("b@x")}}, pg.OnConflict(accountsID).DoNothing())
			return err
		}, pg.IsUniqueViolation, "accounts_email_unique", "upsert into"},
		{"copy", func() error {
			_, err := accountsTable.CopyFrom(ctx, conn, []account{{ID: 3, Email: ptrTo("c@x"), Balance: -5}})
			return err
		}, pg.IsCheckViolation, "accounts_balance_check", "copy into"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			checkWrapped(t, err, tt.op)
			if got, ok := tt.check(err); !ok || got != tt.want {
				t.Errorf("helper = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

type hold struct{ AccountID int64 }

var holdsTable = pgimpl.NewTable("public", "holds", []pgimpl.TableColumn{{Name: "account_id"}}, rowFuncs(
	func(r pgx.Row, h *hold) error { return r.Scan(&h.AccountID) },
	func(h *hold, dst []any) []any { return append(dst, h.AccountID) },
	func(h *hold, dst []any) []any { return append(dst, &h.AccountID) },
))

// checkWrapped checks that err is a database error wrapped as a *pg.Error
// of the statement op on "accounts", and returns the server's error.
func checkWrapped(t *testing.T, err error, op string) *pgconn.PgError {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if prefix := op + ` "accounts": `; !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error %q does not start with %q", err, prefix)
	}
	var pgErr *pg.Error
	if !errors.As(err, &pgErr) || pgErr.Table != "accounts" || pgErr.Op != op {
		t.Errorf("errors.As(%v, *pg.Error) = %+v", err, pgErr)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Errorf("errors.As(%v, *pgconn.PgError) is false", err)
	}
	return pe
}

var (
	holdsAccount    = pg.NewColumn[int64]("holds", "account_id")
	accountsID      = pg.NewColumn[int64]("accounts", "id")
	accountsBalance = pg.NewColumn[int64]("accounts", "balance")
)

// TestQueryErrorsNameTheTable: database errors of selects, updates and
// deletes say which statement and table failed too, and still unwrap to
// the server's error; a mistake found while building is not wrapped, as it
// names its statement already.
func TestQueryErrorsNameTheTable(t *testing.T) {
	ctx := context.Background()
	_, conn := accountsDB(t)
	if _, err := conn.Exec(ctx, `CREATE TABLE holds (account_id bigint CONSTRAINT holds_account_fk REFERENCES accounts); INSERT INTO holds VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	// 1/(balance-10) divides by zero on the rows accountsDB inserts.
	divides := pg.SQL("1 / (? - 10) = 0", accountsBalance)
	first := func(seq func(func(account, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	// Account 1 is held, so deleting it violates the foreign key.
	deleteHeld := func() error { _, err := accountsTable.Delete(conn).Where(accountsID.Eq(1)).Exec(ctx); return err }
	tests := []struct {
		name string
		run  func() error
		op   string
		code string
	}{
		{"select all", func() error { _, err := accountsTable.Select(conn).Where(divides).All(ctx); return err }, "select from", "22012"},
		{"select iter", func() error { return first(accountsTable.Select(conn).Where(divides).Iter(ctx)) }, "select from", "22012"},
		{"select first", func() error { _, err := accountsTable.Select(conn).Where(divides).First(ctx); return err }, "select from", "22012"},
		{"count", func() error { _, err := accountsTable.Select(conn).Where(divides).Count(ctx); return err }, "select from", "22012"},
		{"exists", func() error { _, err := accountsTable.Select(conn).Where(divides).Exists(ctx); return err }, "select from", "22012"},
		{"values", func() error {
			_, err := pg.Select1(accountsTable.Select(conn).Where(divides), accountsID).All(ctx)
			return err
		}, "select from", "22012"},
		{"values one", func() error {
			_, err := pg.Select1(accountsTable.Select(conn).Where(divides), accountsID).One(ctx)
			return err
		}, "select from", "22012"},
		{"join", func() error {
			_, err := pg.Join(accountsTable.Select(conn).Where(divides), holdsTable.Select(conn), holdsAccount.EqCol(accountsID)).All(ctx)
			return err
		}, "select from", "22012"},
		{"update", func() error {
			_, err := accountsTable.Update(conn).Where(accountsID.Eq(1)).Set(accountsBalance.Set(-1)).Exec(ctx)
			return err
		}, "update", "23514"},
		{"update returning", func() error {
			_, err := accountsTable.Update(conn).Where(accountsID.Eq(1)).Set(accountsBalance.Set(-1)).Returning(ctx)
			return err
		}, "update", "23514"},
		{"delete", deleteHeld, "delete from", "23503"},
		{"delete returning", func() error { _, err := accountsTable.Delete(conn).Where(accountsID.Eq(1)).Returning(ctx); return err }, "delete from", "23503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pe := checkWrapped(t, tt.run(), tt.op); pe != nil && pe.Code != tt.code {
				t.Errorf("SQLSTATE %s, want %s", pe.Code, tt.code)
			}
		})
	}
	if _, ok := pg.IsForeignKeyViolation(deleteHeld()); !ok {
		t.Error("IsForeignKeyViolation does not see through the delete's error")
	}

	// A statement with a mistake is never sent, and its error is not
	// wrapped again.
	_, err := accountsTable.Select(conn).Where(pg.SQL("? = ?", 1)).All(ctx)
	if err == nil || strings.HasPrefix(err.Error(), `select from "accounts"`) {
		t.Errorf("a builder mistake = %v, want its own message", err)
	}
}

// TestTransactionErrors provokes a serialization failure, a deadlock and
// a lock timeout on a real server and checks each helper, and that the
// others do not match.
func TestTransactionErrors(t *testing.T) {
	ctx := context.Background()
	url, setup := accountsDB(t)
	a, b := connectURL(t, url), connectURL(t, url)
	exec := func(c *pgx.Conn, sql string) error {
		_, err := c.Exec(ctx, sql)
		return err
	}
	mustExec := func(c *pgx.Conn, sql string) {
		t.Helper()
		if err := exec(c, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	t.Run("serialization failure", func(t *testing.T) {
		mustExec(a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
		defer exec(a, "ROLLBACK")
		mustExec(a, "SELECT * FROM accounts")
		mustExec(setup, "UPDATE accounts SET balance = balance + 1 WHERE id = 1")
		err := exec(a, "UPDATE accounts SET balance = balance + 1 WHERE id = 1")
		if _, ok := pg.IsSerializationFailure(err); !ok {
			t.Errorf("IsSerializationFailure(%v) is false", err)
		}
		if _, ok := pg.IsDeadlock(err); ok {
			t.Errorf("IsDeadlock(%v) is true", err)
		}
	})

	t.Run("lock timeout", func(t *testing.T) {
		mustExec(a, "BEGIN")
		defer exec(a, "ROLLBACK")
		mustExec(a, "UPDATE accounts SET balance = 5 WHERE id = 1")
		mustExec(b, "SET lock_timeout = '50ms'")
		err := exec(b, "UPDATE accounts SET balance = 6 WHERE id = 1")
		msg, ok := pg.IsLockTimeout(err)
		if !ok || !strings.Contains(msg, "lock timeout") {
			t.Errorf("IsLockTimeout(%v) = %q, %v", err, msg, ok)
		}
		if _, ok := pg.IsSerializationFailure(err); ok {
			t.Errorf("IsSerializationFailure(%v) is true", err)
		}
		mustExec(b, "RESET lock_timeout")
	})

	t.Run("deadlock", func(t *testing.T) {
		// Each holds one row and asks for the other's; the server fails
		// one of them after deadlock_timeout.
		mustExec(a, "BEGIN")
		defer exec(a, "ROLLBACK")
		mustExec(b, "BEGIN")
		defer exec(b, "ROLLBACK")
		mustExec(a, "UPDATE accounts SET balance = 7 WHERE id = 1")
		mustExec(b, "UPDATE accounts SET balance = 7 WHERE id = 2")
		errA := make(chan error, 1)
		go func() { errA <- exec(a, "UPDATE accounts SET balance = 8 WHERE id = 2") }()
		errB := exec(b, "UPDATE accounts SET balance = 8 WHERE id = 1")
		// Whichever failed, b's locks go, so that a finishes.
		exec(b, "ROLLBACK")
		err := <-errA
		if err == nil {
			err = errB
		}
		detail, ok := pg.IsDeadlock(err)
		if !ok || !strings.Contains(detail, "Process") {
			t.Errorf("IsDeadlock(%v) = %q, %v", err, detail, ok)
		}
		if _, ok := pg.IsLockTimeout(err); ok {
			t.Errorf("IsLockTimeout(%v) is true", err)
		}
	})
}
