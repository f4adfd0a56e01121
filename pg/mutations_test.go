package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

// acct is a row of the table "accts", with a primary key, an enum,
// a generated column, and a unique index on an expression that is
// partial: what the updates by key and the upserts below need.
type acct struct {
	ID        int64
	Email     string
	Balance   int64
	Kind      status
	DeletedAt *time.Time
	Twice     int64
}

const acctsDDL = `CREATE TYPE "acct kind" AS ENUM ('free', 'paid');
CREATE TABLE accts (
	id bigint PRIMARY KEY,
	email text NOT NULL,
	balance bigint NOT NULL,
	kind "acct kind" NOT NULL,
	deleted_at timestamptz,
	twice bigint GENERATED ALWAYS AS (balance * 2) STORED);
CREATE UNIQUE INDEX accts_email_key ON accts (lower(email)) WHERE deleted_at IS NULL`

var (
	accts = struct {
		ID        pg.Column[int64]
		Email     pg.TextColumn[string]
		Balance   pg.Column[int64]
		Kind      pg.Column[status]
		DeletedAt pg.NullColumn[time.Time]
		Twice     pg.Column[int64]
	}{
		pg.NewColumn[int64]("accts", "id"),
		pg.NewTextColumn[string]("accts", "email"),
		pg.NewColumn[int64]("accts", "balance"),
		pg.NewColumn[status]("accts", "kind"),
		pg.NewNullColumn[time.Time]("accts", "deleted_at"),
		pg.NewColumn[int64]("accts", "twice"),
	}
	// acctsTable is what the generator writes for accts.
	acctsTable = pgimpl.NewTable("public", "accts", []pgimpl.TableColumn{
		{Name: "id", PK: true, Type: "bigint"},
		{Name: "email", Type: "text"},
		{Name: "balance", Type: "bigint"},
		{Name: "kind", Type: `"public"."acct kind"`},
		{Name: "deleted_at", Type: "timestamp with time zone"},
		{Name: "twice", Insert: pgimpl.InsertNever, ReadBack: true, Type: "bigint"},
	}, pgimpl.RowFuncs[acct]{
		Scan: func(r pgx.Row, a *acct) error {
			return r.Scan(&a.ID, &a.Email, &a.Balance, &a.Kind, &a.DeletedAt, &a.Twice)
		},
		Values: func(a *acct, dst []any) []any {
			return append(dst, a.ID, a.Email, a.Balance, a.Kind, a.DeletedAt, a.Twice)
		},
		Targets: func(a *acct, dst []any) []any {
			return append(dst, &a.ID, &a.Email, &a.Balance, &a.Kind, &a.DeletedAt, &a.Twice)
		},
		InsertValues: func(a *acct, dst []any) []any {
			return append(dst, a.ID, a.Email, a.Balance, a.Kind, a.DeletedAt)
		},
		ScanInserted: func(r pgx.Row, a *acct) error { return r.Scan(&a.Twice) },
		NonZero:      func(*acct) uint64 { return 0 },
		ZeroKey:      func(a *acct) bool { return a.ID == 0 },
	})
)

// acctsDB makes "accts" with three rows: 1, 2 and 3, whose balance
// is ten times the id, all free.
func acctsDB(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := pgtest.Connect(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, acctsDDL); err != nil {
		t.Fatal(err)
	}
	must(acctsTable.Insert(ctx, conn, []acct{
		{ID: 1, Email: "a@x", Balance: 10, Kind: "free"},
		{ID: 2, Email: "b@x", Balance: 20, Kind: "free"},
		{ID: 3, Email: "c@x", Balance: 30, Kind: "free"},
	}))(t)
	return conn
}

func storedAccts(t *testing.T, conn *pgx.Conn) map[int64]acct {
	t.Helper()
	out := map[int64]acct{}
	for _, a := range must(acctsTable.Select(conn).All(context.Background()))(t) {
		out[a.ID] = a
	}
	return out
}

func wantErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want an error containing %q", what, err, want)
	}
}

// TestUpdateRow: a row written back by its key, every column or those
// named, returned as stored; a missing key is ErrNotFound naming it; a
// zero key, a key column, a generated column, another table's column and
// a table without a key are refused before anything is sent.
func TestUpdateRow(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	a := storedAccts(t, conn)[2]
	a.Email, a.Balance, a.Kind = "B@x", 21, "paid"
	got := must(acctsTable.UpdateRow(ctx, conn, a))(t)
	if got.Email != "B@x" || got.Balance != 21 || got.Kind != "paid" || got.Twice != 42 {
		t.Errorf("UpdateRow returned %+v, want the new values and twice 42", got)
	}
	// Named columns only: the email sent is not written.
	a.Email, a.Balance = "ignored", 22
	got = must(acctsTable.UpdateRow(ctx, conn, a, accts.Balance))(t)
	if got.Email != "B@x" || got.Balance != 22 {
		t.Errorf("UpdateRow of balance returned %+v, want email B@x kept and balance 22", got)
	}

	_, err := acctsTable.UpdateRow(ctx, conn, acct{ID: 9, Email: "n@x", Kind: "free"})
	var nf *pg.NotFoundError
	if !errors.Is(err, pg.ErrNotFound) || !errors.As(err, &nf) || nf.Key != "id = 9" {
		t.Errorf("UpdateRow of a missing key: %v, want ErrNotFound with id = 9", err)
	}
	for _, tt := range []struct {
		name string
		row  acct
		cols []pg.AnyColumn
		want string
	}{
		{"zero key", acct{Email: "z@x", Kind: "free"}, nil, "primary key is zero"},
		{"key column", acct{ID: 1}, []pg.AnyColumn{accts.ID}, `"id" is part of the primary key`},
		{"generated column", acct{ID: 1}, []pg.AnyColumn{accts.Twice}, `"twice" is filled by the database`},
		{"other table", acct{ID: 1}, []pg.AnyColumn{items.Name}, `"items"."name" is not one of its columns`},
		{"twice named", acct{ID: 1}, []pg.AnyColumn{accts.Email, accts.Email}, `"email" is named twice`},
	} {
		_, err := acctsTable.UpdateRow(ctx, conn, tt.row, tt.cols...)
		wantErr(t, tt.name, err, tt.want)
	}
	_, err = itemsTable.UpdateRow(ctx, conn, item{ID: 1})
	wantErr(t, "table without a key", err, "has no primary key")
	if s := storedAccts(t, conn); s[1].Email != "a@x" || s[1].Balance != 10 || len(s) != 3 {
		t.Errorf("after the refused updates: %+v", s)
	}
}

// TestUpdateMany: one statement writes each row's own values, enum and
// NULL included; a key nothing has counts for nothing; duplicate and zero
// keys and too many parameters are refused before anything is sent.
func TestUpdateMany(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := must(acctsTable.UpdateMany(ctx, conn, []acct{
		{ID: 3, Email: "C@x", Balance: 33, Kind: "paid", DeletedAt: &now},
		{ID: 1, Email: "A@x", Balance: 11, Kind: "free"},
		{ID: 7, Email: "none", Balance: 77, Kind: "free"},
	}))(t)
	if n != 2 {
		t.Errorf("UpdateMany changed %d rows, want 2 (id 7 is missing)", n)
	}
	s := storedAccts(t, conn)
	if a := s[3]; a.Email != "C@x" || a.Balance != 33 || a.Kind != "paid" || a.DeletedAt == nil || !a.DeletedAt.Equal(now) || a.Twice != 66 {
		t.Errorf("row 3 after UpdateMany: %+v", a)
	}
	if a := s[1]; a.Email != "A@x" || a.Balance != 11 || a.DeletedAt != nil {
		t.Errorf("row 1 after UpdateMany: %+v", a)
	}
	if a := s[2]; a.Email != "b@x" || a.Balance != 20 {
		t.Errorf("row 2, not sent, changed: %+v", a)
	}
	// Named columns only.
	n = must(acctsTable.UpdateMany(ctx, conn, []acct{{ID: 1, Email: "no", Balance: 1}, {ID: 2, Balance: 2}}, accts.Balance))(t)
	if s := storedAccts(t, conn); n != 2 || s[1].Balance != 1 || s[1].Email != "A@x" || s[2].Balance != 2 {
		t.Errorf("UpdateMany of balance: %d rows, stored %+v", n, s)
	}
	if n, err := acctsTable.UpdateMany(ctx, conn, nil); n != 0 || err != nil {
		t.Errorf("UpdateMany of no rows: %d, %v", n, err)
	}

	_, err := acctsTable.UpdateMany(ctx, conn, []acct{{ID: 1, Balance: 5}, {ID: 2}, {ID: 1, Balance: 6}})
	wantErr(t, "duplicate keys", err, "rows 0 and 2 have the same primary key (id = 1)")
	_, err = acctsTable.UpdateMany(ctx, conn, []acct{{ID: 1}, {}})
	wantErr(t, "zero key", err, "row 1: the row's primary key is zero")
	_, err = acctsTable.UpdateMany(ctx, conn, make([]acct, 20000))
	wantErr(t, "too many parameters", err, "needs 100000 parameters")
	_, err = itemsTable.UpdateMany(ctx, conn, []item{{ID: 1}})
	wantErr(t, "table without a key", err, "has no primary key")
	untyped := pgimpl.NewTable("public", "accts", []pgimpl.TableColumn{{Name: "id", PK: true}, {Name: "email"}},
		rowFuncs(func(r pgx.Row, a *acct) error { return r.Scan(&a.ID, &a.Email) },
			func(a *acct, dst []any) []any { return append(dst, a.ID, a.Email) },
			func(a *acct, dst []any) []any { return append(dst, &a.ID, &a.Email) }))
	_, err = untyped.UpdateMany(ctx, conn, []acct{{ID: 1}})
	wantErr(t, "table made without types", err, `the type of column id is not recorded`)
	if s := storedAccts(t, conn); s[1].Balance != 1 || s[2].Balance != 2 {
		t.Errorf("after the refused updates: %+v", s)
	}
}

// TestReturningOne: one row changed is returned; none is ErrNotFound; more
// than one is ErrNotOne, with the change made.
func TestReturningOne(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	a := must(acctsTable.Update(conn).Set(accts.Balance.Set(15)).Where(accts.ID.Eq(1)).ReturningOne(ctx))(t)
	if a.ID != 1 || a.Balance != 15 || a.Twice != 30 {
		t.Errorf("ReturningOne: %+v", a)
	}
	_, err := acctsTable.Update(conn).Set(accts.Balance.Set(1)).Where(accts.ID.Eq(9)).ReturningOne(ctx)
	if !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("ReturningOne of no row: %v, want ErrNotFound", err)
	}
	a, err = acctsTable.Update(conn).Set(accts.Kind.Set("paid")).Where(accts.ID.Le(2)).ReturningOne(ctx)
	if !errors.Is(err, pg.ErrNotOne) || !strings.Contains(err.Error(), "2 rows") || a.ID == 0 {
		t.Errorf("ReturningOne of two rows: %+v, %v; want ErrNotOne naming 2 rows", a, err)
	}
	d := must(acctsTable.Delete(conn).Where(accts.ID.Eq(3)).ReturningOne(ctx))(t)
	if d.ID != 3 {
		t.Errorf("delete ReturningOne: %+v", d)
	}
	if _, err := acctsTable.Delete(conn).Where(accts.ID.Eq(3)).ReturningOne(ctx); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("delete ReturningOne of no row: %v", err)
	}
	if _, err := acctsTable.Delete(conn).All().ReturningOne(ctx); !errors.Is(err, pg.ErrNotOne) {
		t.Errorf("delete ReturningOne of two rows: %v", err)
	}
	if _, err := acctsTable.Delete(conn).ReturningOne(ctx); err == nil {
		t.Error("delete ReturningOne without Where ran")
	}
}

// TestUpdateFromDeleteUsing: another table's rows select and feed the
// rows changed; its Select's conditions join the statement's; a Select
// with what a FROM item cannot keep, the same table, and a third table's
// column are refused.
func TestUpdateFromDeleteUsing(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	upd := itemsTable.Update(conn).
		From(notesTable.Select(conn).Where(notes.ID.Le(3))).
		Set(items.Name.SetSQL(pg.SQL("?", notes.Body))).
		Where(notes.ItemID.EqCol(items.ID))
	sql, args, err := upd.SQL()
	if err != nil {
		t.Fatal(err)
	}
	want := `UPDATE "public"."items" SET "name" = ("notes"."body") FROM "public"."notes" WHERE "notes"."item_id" = "items"."id" AND "notes"."id" <= $1`
	if sql != want || len(args) != 1 {
		t.Errorf("UPDATE ... FROM:\n got %s %v\nwant %s", sql, args, want)
	}
	if n := must(upd.Exec(ctx))(t); n != 3 {
		t.Errorf("UPDATE ... FROM changed %d rows, want 3", n)
	}
	got := must(itemsTable.Select(conn).Where(items.Name.Like("b%")).OrderBy(items.ID.Asc()).All(ctx))(t)
	if len(got) != 3 || got[2].Name != "b3" {
		t.Errorf("items named from notes: %+v", got)
	}

	del := itemsTable.Delete(conn).Using(notesTable.Select(conn).Where(notes.Body.Eq("b5"))).Where(notes.ItemID.EqCol(items.ID))
	gone := must(del.Returning(ctx))(t)
	if len(gone) != 1 || gone[0].ID != 5 {
		t.Errorf("DELETE ... USING removed %+v, want item 5", gone)
	}
	// The base query is unchanged by a From on a copy.
	base := itemsTable.Update(conn).Set(items.Name.Set("x")).Where(items.ID.Eq(1))
	_ = base.From(notesTable.Select(conn))
	if sql, _, _ := base.SQL(); strings.Contains(sql, "FROM") {
		t.Errorf("From changed the query it was called on: %s", sql)
	}

	for _, tt := range []struct {
		name string
		q    interface{ SQL() (string, []any, error) }
		want string
	}{
		{"limit", itemsTable.Update(conn).From(notesTable.Select(conn).Limit(1)).Set(items.Name.Set("x")).All(), "ordering, limit, offset or lock"},
		{"join", itemsTable.Delete(conn).Using(pg.Join(notesTable.Select(conn), acctsTable.Select(conn), notes.ID.EqCol(accts.ID))).All(), "without joins"},
		{"same table", itemsTable.Delete(conn).Using(itemsTable.Select(conn)).All(), "the same table"},
		{"third table", itemsTable.Delete(conn).Using(notesTable.Select(conn)).Where(accts.ID.Eq(1)), `column "accts"."id" belongs to none of the statement's tables`},
	} {
		_, _, err := tt.q.SQL()
		wantErr(t, tt.name, err, tt.want)
	}
	if n := must(itemsTable.Select(conn).Count(ctx))(t); n != 8 {
		t.Errorf("%d items after the refused statements, want 8", n)
	}
}

// TestUpsertExpression: an upsert infers a partial unique index on an
// expression from OnConflictExpr and IndexWhere.
func TestUpsertExpression(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	on := pg.OnConflictExpr(pg.SQL("lower(?)", accts.Email)).IndexWhere(accts.DeletedAt.IsNull())
	got := must(acctsTable.Upsert(ctx, conn, []acct{{ID: 4, Email: "A@X", Balance: 99, Kind: "paid"}},
		on.DoUpdate(accts.Balance.SetExcluded())))(t)
	if len(got) != 1 || got[0].ID != 1 || got[0].Balance != 99 || got[0].Email != "a@x" {
		t.Errorf("upsert on lower(email): %+v, want acct 1 with balance 99", got)
	}
	got = must(acctsTable.Upsert(ctx, conn, []acct{{ID: 5, Email: "b@X", Kind: "free"}, {ID: 6, Email: "new@x", Kind: "free"}}, on.DoNothing()))(t)
	if len(got) != 1 || got[0].ID != 6 {
		t.Errorf("DoNothing on lower(email): %+v, want only 6", got)
	}
	// A column and an expression together, as a multicolumn index has them.
	if _, err := conn.Exec(ctx, `CREATE UNIQUE INDEX accts_kind_email ON accts (kind, lower(email))`); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL answers "no unique or exclusion constraint matching the
	// ON CONFLICT specification" unless the target is written as the
	// index has it.
	both := pg.OnConflictExpr(accts.Kind, pg.SQL("lower(?)", accts.Email)).DoNothing()
	gone := time.Now()
	got, err := acctsTable.Upsert(ctx, conn, []acct{{ID: 7, Email: "NEW@x", Kind: "free", DeletedAt: &gone}, {ID: 8, Email: "z@x", Kind: "paid"}}, both)
	if err != nil || len(got) != 1 || got[0].ID != 8 {
		t.Errorf("upsert on (kind, lower(email)): %+v, %v; want only 8", got, err)
	}
	_, err = acctsTable.Upsert(ctx, conn, []acct{{ID: 8, Email: "y@x", Kind: "free"}}, pg.OnConstraint("accts_pkey").IndexWhere(accts.DeletedAt.IsNull()).DoNothing())
	wantErr(t, "IndexWhere on a constraint", err, "IndexWhere needs the conflict's columns or expressions")
}

// TestReturningValues: an update or delete returns chosen values of the
// rows it changed, typed; a column of another table is refused.
func TestReturningValues(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	upd := acctsTable.Update(conn).Set(accts.Balance.Set(50)).Where(accts.ID.Le(2))
	ids := must(pg.Returning1(ctx, upd, accts.ID))(t)
	if len(ids) != 2 {
		t.Errorf("Returning1: %v", ids)
	}
	pairs := must(pg.Returning2(ctx, upd, accts.Email, accts.Twice))(t)
	if len(pairs) != 2 || pairs[0].B != 100 || !strings.HasSuffix(pairs[0].A, "@x") {
		t.Errorf("Returning2: %+v", pairs)
	}
	del := must(pg.Returning3(ctx, acctsTable.Delete(conn).Where(accts.ID.Eq(2)), accts.ID, accts.DeletedAt, accts.Kind))(t)
	if len(del) != 1 || del[0].A != 2 || del[0].B != nil || del[0].C != "free" {
		t.Errorf("Returning3 of a delete: %+v", del)
	}
	_, err := pg.Returning1(ctx, upd, items.ID)
	wantErr(t, "another table's column", err, `column "items"."id" belongs to none of the statement's tables`)
	_, err = pg.Returning1(ctx, acctsTable.Update(conn).Set(accts.Balance.Set(1)), accts.ID)
	wantErr(t, "no Where", err, "no Where condition")
}

// TestConflictNoAlias: conflicts made from one base keep their own
// predicates: IndexWhere never writes into the base's slice.
func TestConflictNoAlias(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	// After three predicates the slice has room for a fourth, which both
	// conflicts made from mid add: shared, the second's would be the
	// first's, and PostgreSQL folds 1/0 while planning.
	mid := pg.OnConflictExpr(pg.SQL("lower(?)", accts.Email)).IndexWhere(accts.DeletedAt.IsNull(), pg.SQL("TRUE")).IndexWhere(pg.SQL("TRUE"))
	good := mid.IndexWhere(pg.SQL("TRUE")).DoNothing()
	_ = mid.IndexWhere(pg.SQL("1/0 = 1")).DoNothing()
	got, err := acctsTable.Upsert(ctx, conn, []acct{{ID: 9, Email: "A@x", Kind: "free"}}, good)
	if err != nil || len(got) != 0 {
		t.Errorf("upsert with a conflict derived from a shared base: %+v, %v", got, err)
	}
}
