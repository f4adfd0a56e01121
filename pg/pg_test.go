package pg_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

// DBTX is satisfied by every handle pgx offers.
var (
	_ pg.DBTX = (*pgxpool.Pool)(nil)
	_ pg.DBTX = (*pgx.Conn)(nil)
	_ pg.DBTX = pgx.Tx(nil)
)

type status string

type row struct {
	ID     int64
	Name   string
	Status status
	Note   *string
}

var (
	cols = struct {
		ID     pg.Column[int64]
		Name   pg.TextColumn[string]
		Status pg.Column[status]
		Note   pg.NullTextColumn[string]
	}{
		pg.NewColumn[int64]("we\"ird", "id"),
		pg.NewTextColumn[string]("we\"ird", "name"),
		pg.NewColumn[status]("we\"ird", "status"),
		pg.NewNullTextColumn[string]("we\"ird", "note"),
	}
	other      = pg.NewColumn[int64]("other", "id")
	otherTable = pgimpl.NewTable("public", "other", []pgimpl.TableColumn{{Name: "id"}}, rowFuncs(
		func(r pgx.Row, x *int64) error { return r.Scan(x) },
		func(x *int64, dst []any) []any { return append(dst, *x) },
		func(x *int64, dst []any) []any { return append(dst, x) },
	))
	table = pgimpl.NewTable("app", "we\"ird", []pgimpl.TableColumn{
		{Name: "id", Insert: pgimpl.InsertDefault},
		{Name: "name", Insert: pgimpl.InsertValue},
		{Name: "status", Insert: pgimpl.InsertValue},
		{Name: "note", Insert: pgimpl.InsertValue},
	}, pgimpl.RowFuncs[row]{
		Scan:         func(r pgx.Row, x *row) error { return r.Scan(&x.ID, &x.Name, &x.Status, &x.Note) },
		Values:       func(x *row, dst []any) []any { return append(dst, x.ID, x.Name, x.Status, x.Note) },
		Targets:      func(x *row, dst []any) []any { return append(dst, &x.ID, &x.Name, &x.Status, &x.Note) },
		InsertValues: func(x *row, dst []any) []any { return append(dst, x.Name, x.Status, x.Note) },
		ScanInserted: func(r pgx.Row, x *row) error { return r.Scan() },
		NonZero: func(x *row) uint64 {
			if x.ID != 0 {
				return 1
			}
			return 0
		},
	})
)

// rowFuncs completes the functions of a test table whose columns are all
// InsertValue and read back none: what the generator writes for one.
func rowFuncs[R any](scan func(pgx.Row, *R) error, values, targets func(*R, []any) []any) pgimpl.RowFuncs[R] {
	return pgimpl.RowFuncs[R]{
		Scan:         scan,
		Values:       values,
		Targets:      targets,
		InsertValues: values,
		ScanInserted: func(r pgx.Row, _ *R) error { return r.Scan() },
		NonZero:      func(*R) uint64 { return 0 },
	}
}

// noRows are the functions of a table whose statements a test only
// writes, never runs.
func noRows[R any]() pgimpl.RowFuncs[R] {
	return rowFuncs(
		func(pgx.Row, *R) error { return errors.New("not run") },
		func(_ *R, dst []any) []any { return dst },
		func(_ *R, dst []any) []any { return dst },
	)
}

const (
	from = `"app"."we""ird"`
	list = `"we""ird"."id", "we""ird"."name", "we""ird"."status", "we""ird"."note"`
)

func TestSQL(t *testing.T) {
	evil := "'; drop table x; --"
	tests := []struct {
		name     string
		sql      func() (string, []any, error)
		wantSQL  string
		wantArgs []any
		wantErr  string
	}{
		{
			name:    "select all",
			sql:     table.Select(nil).SQL,
			wantSQL: "SELECT " + list + " FROM " + from,
		},
		{
			name: "comparisons and values as parameters",
			sql:  table.Select(nil).Where(cols.ID.Eq(1), cols.ID.Ne(2), cols.ID.Lt(3), cols.ID.Le(4), cols.ID.Gt(5), cols.ID.Ge(6), cols.Name.Eq(evil)).SQL,
			wantSQL: "SELECT " + list + " FROM " + from + ` WHERE "we""ird"."id" = $1 AND "we""ird"."id" <> $2 AND "we""ird"."id" < $3` +
				` AND "we""ird"."id" <= $4 AND "we""ird"."id" > $5 AND "we""ird"."id" >= $6 AND "we""ird"."name" = $7`,
			wantArgs: []any{int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), evil},
		},
		{
			name: "in, null, between, like",
			sql: table.Select(nil).Where(cols.Status.In("a", "b"), cols.Status.NotIn(), cols.Note.IsNull(), cols.Note.IsNotNull(),
				cols.ID.Between(1, 9), cols.Name.Like("a%"), cols.Note.ILike("b%"), cols.ID.In()).SQL,
			wantSQL: "SELECT " + list + " FROM " + from + ` WHERE "we""ird"."status" IN ($1, $2) AND TRUE AND "we""ird"."note" IS NULL` +
				` AND "we""ird"."note" IS NOT NULL AND "we""ird"."id" BETWEEN $3 AND $4 AND "we""ird"."name" LIKE $5` +
				` AND "we""ird"."note" ILIKE $6 AND FALSE`,
			wantArgs: []any{status("a"), status("b"), int64(1), int64(9), "a%", "b%"},
		},
		{
			name:     "and, or, not, fragments in parentheses",
			sql:      table.Select(nil).Where(pg.Or(cols.ID.Eq(1), pg.And(cols.ID.Eq(2), pg.Not(cols.Name.Eq("x")))), pg.SQL("a ?? ? OR b = ?", "k", 3), pg.And(), pg.Or()).SQL,
			wantSQL:  "SELECT " + list + " FROM " + from + ` WHERE ("we""ird"."id" = $1 OR ("we""ird"."id" = $2 AND NOT ("we""ird"."name" = $3))) AND (a ? $4 OR b = $5) AND TRUE AND FALSE`,
			wantArgs: []any{int64(1), int64(2), "x", "k", 3},
		},
		{
			name:     "order, limit, offset, lock",
			sql:      table.Select(nil).OrderBy(cols.Note.Desc().NullsLast(), cols.ID.Asc(), pg.Asc(pg.SQL("lower(?)", "x")).NullsFirst()).Limit(10).Offset(20).SkipLocked().SQL,
			wantSQL:  "SELECT " + list + " FROM " + from + ` ORDER BY "we""ird"."note" DESC NULLS LAST, "we""ird"."id", (lower($1)) NULLS FIRST LIMIT 10 OFFSET $2 FOR UPDATE SKIP LOCKED`,
			wantArgs: []any{"x", int64(20)},
		},
		{
			// Read as a migration is: a ? in quotes or a comment is the
			// text's own, ?? there too.
			name:     "fragment with question marks in quotes and comments",
			sql:      table.Select(nil).Where(pg.SQL(`note <> 'why?' AND note <> E'it\'s ??' AND "a?" = ? /* ? */ AND $$?$$ <> ? -- ?`+"\n", 1, 2)).SQL,
			wantSQL:  "SELECT " + list + " FROM " + from + ` WHERE (note <> 'why?' AND note <> E'it\'s ??' AND "a?" = $1 /* ? */ AND $$?$$ <> $2 -- ?` + "\n)",
			wantArgs: []any{1, 2},
		},
		{
			name:     "placeholder next to a word",
			sql:      table.Select(nil).Where(pg.SQL("A?", 1), pg.SQL("?x", 2)).SQL,
			wantSQL:  "SELECT " + list + " FROM " + from + ` WHERE (A $1) AND ($2 x)`,
			wantArgs: []any{1, 2},
		},
		{
			name:    "fragment with too few arguments",
			sql:     table.Select(nil).Where(pg.SQL("a = ? AND b = ?", 1)).SQL,
			wantErr: `pg: SQL("a = ? AND b = ?") has 2 ? marks and 1 arguments`,
		},
		{
			name:     "update",
			sql:      table.Update(nil).Set(cols.Name.Set(evil), cols.Note.Set(nil), cols.Note.SetNull(), cols.Status.SetDefault(), cols.ID.SetSQL(pg.SQL(`"id" + ?`, 1))).Where(cols.ID.Eq(7)).SQL,
			wantSQL:  `UPDATE ` + from + ` SET "name" = $1, "note" = $2, "note" = NULL, "status" = DEFAULT, "id" = ("id" + $3) WHERE "we""ird"."id" = $4`,
			wantArgs: []any{evil, (*string)(nil), 1, int64(7)},
		},
		{
			name:    "update without where",
			sql:     table.Update(nil).Set(cols.Name.Set("x")).SQL,
			wantErr: `pg: update of "we\"ird": no Where condition; call All() to change every row`,
		},
		{
			name:    "update of every row",
			sql:     table.Update(nil).Set(cols.Name.Set("x")).All().SQL,
			wantSQL: `UPDATE ` + from + ` SET "name" = $1`, wantArgs: []any{"x"},
		},
		{
			name:    "update of another table's column",
			sql:     table.Update(nil).Set(other.Set(1)).All().SQL,
			wantErr: `pg: update of "we\"ird": column "other"."id" is not one of its columns`,
		},
		{
			name:    "update without set",
			sql:     table.Update(nil).All().SQL,
			wantErr: `pg: update of "we\"ird": nothing to Set`,
		},
		{
			name:     "join",
			sql:      pg.Join(table.Select(nil).Where(cols.ID.Gt(1)), otherTable.Select(nil).Where(other.Eq(2)), cols.ID.EqCol(other)).OrderBy(other.Asc()).Limit(5).SQL,
			wantSQL:  "SELECT " + list + `, "other"."id" FROM ` + from + ` JOIN "public"."other" ON "we""ird"."id" = "other"."id" WHERE "we""ird"."id" > $1 AND "other"."id" = $2 ORDER BY "other"."id" LIMIT 5`,
			wantArgs: []any{int64(1), int64(2)},
		},
		{
			name:     "left join: right conditions join",
			sql:      pg.LeftJoin(table.Select(nil).Where(cols.ID.Gt(1)), otherTable.Select(nil).Where(other.Eq(2)), cols.ID.EqCol(other)).SQL,
			wantSQL:  "SELECT " + list + `, "other"."id" FROM ` + from + ` LEFT JOIN "public"."other" ON "we""ird"."id" = "other"."id" AND "other"."id" = $1 WHERE "we""ird"."id" > $2`,
			wantArgs: []any{int64(2), int64(1)},
		},
		{
			name:    "self join",
			sql:     pg.Join(table.Select(nil), table.Select(nil)).SQL,
			wantErr: `pg: join of "we""ird": the query already reads a table named "we""ird", and their columns would be ambiguous; give one of them another name with As`,
		},
		{
			name: "aggregates, group by, having",
			sql: pg.Select4(table.Select(nil).Where(cols.Note.IsNotNull()), cols.Status, pg.Count(), pg.Sum(cols.ID), pg.As[*string](pg.SQL("max(?)", "x"))).
				GroupBy(cols.Status).Having(pg.SQL("count(*) > ?", 1)).OrderBy(pg.Desc(pg.Avg(cols.ID)), pg.Asc(pg.Max(cols.Note)), pg.Asc(pg.Min(cols.ID)), pg.Asc(pg.CountDistinct(cols.Name)), pg.Asc(pg.CountOf(cols.Note))).SQL,
			wantSQL: `SELECT "we""ird"."status", count(*), sum("we""ird"."id"), (max($1)) FROM ` + from + ` WHERE "we""ird"."note" IS NOT NULL GROUP BY "we""ird"."status" HAVING (count(*) > $2)` +
				` ORDER BY avg("we""ird"."id") DESC, max("we""ird"."note"), min("we""ird"."id"), count(DISTINCT "we""ird"."name"), count("we""ird"."note")`,
			wantArgs: []any{"x", 1},
		},
		{
			name:    "delete without where",
			sql:     table.Delete(nil).SQL,
			wantErr: `pg: delete from "we\"ird": no Where condition; call All() to change every row`,
		},
		{
			name:     "delete",
			sql:      table.Delete(nil).Where(cols.ID.Eq(1)).SQL,
			wantSQL:  `DELETE FROM ` + from + ` WHERE "we""ird"."id" = $1`,
			wantArgs: []any{int64(1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args, err := tt.sql()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSQL, sql); diff != "" {
				t.Errorf("SQL mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantArgs, args); diff != "" {
				t.Errorf("args mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	if !errors.Is(pg.ErrNotFound, pgx.ErrNoRows) {
		t.Error("ErrNotFound does not wrap pgx.ErrNoRows")
	}
	nf := &pg.NotFoundError{Table: "orders"}
	if !errors.Is(nf, pg.ErrNotFound) || !errors.Is(nf, pgx.ErrNoRows) || nf.Error() != `no row in "orders"` {
		t.Errorf("NotFoundError = %v", nf)
	}
	other := errors.New("x")
	uv := &pgconn.PgError{Code: "23505", ConstraintName: "users_email_unique"}
	fk := &pgconn.PgError{Code: "23503", ConstraintName: "orders_model_fk"}
	tests := []struct {
		err            error
		unique, fkName string
	}{
		{uv, "users_email_unique", ""},
		{errors.Join(errors.New("ctx"), fk), "", "orders_model_fk"},
		{other, "", ""},
		{nil, "", ""},
	}
	for _, tt := range tests {
		c, ok := pg.IsUniqueViolation(tt.err)
		if c != tt.unique || ok != (tt.unique != "") {
			t.Errorf("IsUniqueViolation(%v) = %q, %v", tt.err, c, ok)
		}
		c, ok = pg.IsForeignKeyViolation(tt.err)
		if c != tt.fkName || ok != (tt.fkName != "") {
			t.Errorf("IsForeignKeyViolation(%v) = %q, %v", tt.err, c, ok)
		}
	}
}

// TestUTC: the values a timestamp (without time zone) column sends are in
// UTC, converted from copies: the caller's pointers and slices keep their
// zone.
func TestUTC(t *testing.T) {
	zone := time.FixedZone("+05:45", 5*3600+45*60)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, zone)
	utc := at.UTC()
	p := &at
	s := []time.Time{at}
	ps := []*time.Time{nil, p}
	ts := pgtype.Timestamp{Time: at, Valid: true}
	col := pg.NewTimestampColumn[time.Time]("e", "at")
	null := pg.NewNullTimestampColumn[time.Time]("e", "until")
	_, args, err := pgimpl.NewTable("public", "e", []pgimpl.TableColumn{{Name: "at"}, {Name: "until"}}, noRows[int]()).
		Update(nil).Set(col.Set(at), null.Set(p)).
		Where(col.Eq(at), col.Between(at, at), col.In(at), col.InArray(s), null.Gt(at)).SQL()
	if err != nil {
		t.Fatal(err)
	}
	want := []any{utc, &utc, utc, utc, utc, utc, []time.Time{utc}, utc}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Errorf("arguments (-want +got):\n%s", diff)
	}
	for _, a := range args {
		var loc *time.Location
		switch v := a.(type) {
		case time.Time:
			loc = v.Location()
		case *time.Time:
			loc = v.Location()
		case []time.Time:
			loc = v[0].Location()
		}
		if loc != time.UTC {
			t.Errorf("%v is not in UTC", a)
		}
	}
	if got := pg.UTC(ps).([]*time.Time); got[0] != nil || got[1].Location() != time.UTC || !got[1].Equal(at) {
		t.Errorf("UTC(%v) = %v", ps, got)
	}
	if got := pg.UTC(sql.NullTime{Time: at, Valid: true}).(sql.NullTime); got.Time.Location() != time.UTC || !got.Time.Equal(at) {
		t.Errorf("UTC(NullTime) = %v", got)
	}
	if got := pg.UTC((*time.Time)(nil)).(*time.Time); got != nil {
		t.Errorf("UTC(nil) = %v", got)
	}
	if got := pg.UTC(ts); got != ts {
		t.Errorf("UTC(pgtype.Timestamp) = %v, want it as it is", got)
	}
	if p.Location() != zone || s[0].Location() != zone || ps[1].Location() != zone {
		t.Errorf("UTC changed the caller's values")
	}
	if _, args, _ := pgimpl.NewTable("public", "e", []pgimpl.TableColumn{{Name: "at"}}, noRows[int]()).
		Select(nil).Where(pg.NewColumn[time.Time]("e", "at").Eq(at)).SQL(); args[0].(time.Time).Location() != zone {
		t.Errorf("a plain column changed its value's zone")
	}
}
