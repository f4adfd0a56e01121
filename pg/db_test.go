package pg_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// item is a row of the table "items", which the tests below query on a
// real server.
type item struct {
	ID   int64
	N    *int64
	Name string
	Prio status
}

var (
	items = struct {
		ID   pg.Column[int64]
		N    pg.NullColumn[int64]
		Name pg.TextColumn[string]
		Prio pg.Column[status]
	}{
		pg.NewColumn[int64]("items", "id"),
		pg.NewNullColumn[int64]("items", "n"),
		pg.NewTextColumn[string]("items", "name"),
		pg.NewColumn[status]("items", "prio"),
	}
	itemsTable = pgimpl.NewTable("public", "items", []pgimpl.TableColumn{
		{Name: "id"}, {Name: "n"}, {Name: "name"}, {Name: "prio"},
	}, rowFuncs(
		func(r pgx.Row, x *item) error { return r.Scan(&x.ID, &x.N, &x.Name, &x.Prio) },
		func(x *item, dst []any) []any { return append(dst, x.ID, x.N, x.Name, x.Prio) },
		func(x *item, dst []any) []any { return append(dst, &x.ID, &x.N, &x.Name, &x.Prio) },
	))
)

// itemsDB makes the table "items" in a fresh database, with rows of ids
// 1 to n, n NULL in every third row and 1, 2, 3 elsewhere.
func itemsDB(t *testing.T, n int) *pgx.Conn {
	t.Helper()
	conn := pgtest.Connect(t)
	for _, s := range []string{
		`CREATE TYPE prio AS ENUM ('low', 'high')`,
		`CREATE TABLE items (id bigint PRIMARY KEY, n bigint, name text NOT NULL DEFAULT '', prio prio NOT NULL DEFAULT 'low')`,
	} {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := conn.Exec(context.Background(), `INSERT INTO items (id, n) SELECT i, NULLIF(i % 3, 0) FROM generate_series(1, $1::int) i`, n); err != nil {
		t.Fatal(err)
	}
	return conn
}

func count(t *testing.T, conn *pgx.Conn, conds ...pg.Expr) (int64, error) {
	t.Helper()
	return itemsTable.Select(conn).Where(conds...).Count(context.Background())
}

// TestInManyValues: In and NotIn with more values than a statement takes
// fail before anything is sent, saying to use InArray; InArray and
// NotInArray take any number.
func TestInManyValues(t *testing.T) {
	conn := itemsDB(t, 100)
	ids := make([]int64, 70000)
	for i := range ids {
		ids[i] = int64(i + 51) // 51 to 70050: the ids 51 to 100 are in the table
	}
	for _, tt := range []struct {
		name string
		cond pg.Expr
		want string
	}{
		{"In", items.ID.In(ids...), `pg: In on "items"."id" with 70000 values: a statement takes at most 65535 parameters, and In sends one per value; use InArray, which sends them as one array parameter`},
		{"NotIn", items.ID.NotIn(ids...), `pg: NotIn on "items"."id" with 70000 values: a statement takes at most 65535 parameters, and NotIn sends one per value; use NotInArray, which sends them as one array parameter`},
		{"two In", pg.Or(items.ID.In(ids[:40000]...), items.ID.In(ids[40000:]...)), `pg: the statement needs more than the 65535 parameters PostgreSQL takes in one statement: send long lists of values with InArray or NotInArray, which take one parameter each`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := count(t, conn, tt.cond)
			var pe *pgconn.PgError
			if err == nil || err.Error() != tt.want || errors.As(err, &pe) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
	if n, err := count(t, conn, items.ID.InArray(ids)); err != nil || n != 50 {
		t.Errorf("InArray: %d, %v; want 50", n, err)
	}
	if n, err := count(t, conn, items.ID.NotInArray(ids)); err != nil || n != 50 {
		t.Errorf("NotInArray: %d, %v; want 50", n, err)
	}
}

// TestInArrayMeansIn compares In and NotIn with InArray and NotInArray on
// a nullable column: NULL rows, empty and nil lists.
func TestInArrayMeansIn(t *testing.T) {
	conn := itemsDB(t, 30) // n: 10 NULLs, 10 ones, 10 twos
	for _, vs := range [][]int64{nil, {}, {1}, {1, 2}, {2, 7}, {7}} {
		for _, not := range []bool{false, true} {
			list, array := items.N.In(vs...), items.N.InArray(vs)
			if not {
				list, array = items.N.NotIn(vs...), items.N.NotInArray(vs)
			}
			a, err := count(t, conn, list)
			if err != nil {
				t.Fatal(err)
			}
			b, err := count(t, conn, array)
			if err != nil {
				t.Fatal(err)
			}
			if a != b {
				t.Errorf("values %v (nil: %t), not %t: the list matches %d rows, the array %d", vs, vs == nil, not, a, b)
			}
		}
	}
}

// TestInArrayEnum: an enum's array needs the type registered, as the
// generated RegisterTypes does; a named Go type then works.
func TestInArrayEnum(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 3)
	types, err := conn.LoadTypes(ctx, []string{"prio", "_prio"})
	if err != nil {
		t.Fatal(err)
	}
	conn.TypeMap().RegisterTypes(types)
	if n, err := count(t, conn, items.Prio.InArray([]status{"low", "high"})); err != nil || n != 3 {
		t.Errorf("InArray on an enum: %d, %v; want 3", n, err)
	}
}

// TestEscapeLike matches user input holding %, _ and \ literally, with
// Like and ILike, on a real server.
func TestEscapeLike(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 0)
	names := []string{`100%`, `1000`, `a_b`, `axb`, `C:\tmp`, `C:tmp`, `C:\\tmp`, `x\%y`, `x%y`, `ABC_%`}
	for i, n := range names {
		if _, err := conn.Exec(ctx, `INSERT INTO items (id, name) VALUES ($1, $2)`, i+1, n); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		cond pg.Expr
		want []string
	}{
		{items.Name.Like(pg.EscapeLike("100%")), []string{`100%`}},
		{items.Name.Like(pg.EscapeLike("10") + "%"), []string{`100%`, `1000`}},
		{items.Name.Like("%" + pg.EscapeLike("_") + "%"), []string{`a_b`, `ABC_%`}},
		{items.Name.Like(pg.EscapeLike(`C:\tmp`)), []string{`C:\tmp`}},
		{items.Name.Like(pg.EscapeLike(`C:\\tmp`)), []string{`C:\\tmp`}},
		{items.Name.Like(pg.EscapeLike(`x\%y`)), []string{`x\%y`}},
		{items.Name.ILike(pg.EscapeLike("abc_") + "%"), []string{`ABC_%`}},
		{items.Name.ILike("%" + pg.EscapeLike("%")), []string{`100%`, `ABC_%`}},
	}
	for _, tt := range tests {
		rows, err := itemsTable.Select(conn).Where(tt.cond).OrderBy(items.ID.Asc()).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Name)
		}
		sql, args, _ := itemsTable.Select(nil).Where(tt.cond).SQL()
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s %q: got %q, want %q", sql, args, got, tt.want)
		}
	}
	if got, want := pg.EscapeLike(`a%b_c\d`), `a\%b\_c\\d`; got != want {
		t.Errorf("EscapeLike: %q, want %q", got, want)
	}
}
