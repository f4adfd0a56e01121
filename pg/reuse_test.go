package pg_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/pg"
)

// recorder is a DBTX that records the statements Exec is given.
type recorder struct {
	pg.DBTX
	sqls []string
	args [][]any
}

func (r *recorder) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	r.sqls = append(r.sqls, sql)
	r.args = append(r.args, append([]any(nil), args...))
	return pgconn.NewCommandTag("UPDATE 1"), nil
}

// TestRunTwice runs one update and one delete twice: the statement texts
// are built without a copy over buffers the queries keep, and pgx may keep
// those strings (its statement cache), so a second run must neither change
// the first run's text nor send anything else.
func TestRunTwice(t *testing.T) {
	ctx := context.Background()
	db := &recorder{}
	u := table.Update(db).Set(cols.Name.Set("x")).Where(cols.ID.Eq(1))
	d := table.Delete(db).Where(cols.ID.Eq(2), cols.Name.Eq("y"))
	for range 2 {
		if _, err := u.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	wantU := `UPDATE ` + from + ` SET "name" = $1 WHERE "we""ird"."id" = $2`
	wantD := `DELETE FROM ` + from + ` WHERE "we""ird"."id" = $1 AND "we""ird"."name" = $2`
	want := []string{wantU, wantD, wantU, wantD}
	for i, s := range db.sqls {
		if s != want[i] {
			t.Errorf("statement %d: %s\nwant %s", i, s, want[i])
		}
	}
	if len(db.sqls) != len(want) {
		t.Errorf("%d statements, want %d", len(db.sqls), len(want))
	}
	if got := db.args[2]; len(got) != 2 || got[0] != "x" || got[1] != int64(1) {
		t.Errorf("second update's arguments: %v", got)
	}
}
