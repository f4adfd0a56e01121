package pgimpl_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// parent and kid are the rows of a relation: each kid may refer to a
// parent by its text key.
type parent struct {
	ID   string
	Name string
}

type kid struct {
	ID       int64
	ParentID *string
}

// funcs completes the row functions of a test table whose columns are
// all InsertValue and read back none, as the generator writes them.
func funcs[R any](scan func(pgx.Row, *R) error, values, targets func(*R, []any) []any) pgimpl.RowFuncs[R] {
	return pgimpl.RowFuncs[R]{
		Scan:         scan,
		Values:       values,
		Targets:      targets,
		InsertValues: values,
		ScanInserted: func(r pgx.Row, _ *R) error { return r.Scan() },
		NonZero:      func(*R) uint64 { return 0 },
	}
}

var (
	parents = pgimpl.NewTable("public", "parents", []pgimpl.TableColumn{{Name: "id"}, {Name: "name"}}, funcs(
		func(r pgx.Row, p *parent) error { return r.Scan(&p.ID, &p.Name) },
		func(p *parent, dst []any) []any { return append(dst, p.ID, p.Name) },
		func(p *parent, dst []any) []any { return append(dst, &p.ID, &p.Name) },
	))
	kids = pgimpl.NewTable("public", "kids", []pgimpl.TableColumn{{Name: "id"}, {Name: "parent_id"}}, funcs(
		func(r pgx.Row, k *kid) error { return r.Scan(&k.ID, &k.ParentID) },
		func(k *kid, dst []any) []any { return append(dst, k.ID, k.ParentID) },
		func(k *kid, dst []any) []any { return append(dst, &k.ID, &k.ParentID) },
	))
)

const (
	loadParents = `SELECT "parents"."id", "parents"."name" FROM "public"."parents" WHERE "parents"."id" = ANY($1)`
	loadKids    = `SELECT "kids"."id", "kids"."parent_id" FROM "public"."kids" WHERE "kids"."parent_id" = ANY($1) ORDER BY "kids"."id"`
)

// familyDB makes parents a and b, and kids 1 and 2 of a, 3 of b and 4 of
// none.
func familyDB(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := pgtest.Connect(t)
	for _, s := range []string{
		`CREATE TABLE parents (id text PRIMARY KEY, name text NOT NULL)`,
		`CREATE TABLE kids (id bigint PRIMARY KEY, parent_id text REFERENCES parents)`,
		`INSERT INTO parents VALUES ('a', 'Ann'), ('b', 'Bob')`,
		`INSERT INTO kids VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, NULL)`,
	} {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return conn
}

// TestLoad runs the relation loaders as generated Load methods do: one
// query for all the keys, the rows indexed by key, rows without a key
// skipped, no query for no keys, and database errors naming the table.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	conn := familyDB(t)
	parentKey := func(p *parent) (string, bool) { return p.ID, true }
	kidKey := func(k *kid) (string, bool) {
		if k.ParentID == nil {
			return "", false
		}
		return *k.ParentID, true
	}

	keys := pgimpl.Distinct([]string{"a", "b", "a", "zz", "b"})
	if !slices.Equal(keys, []string{"a", "b", "zz"}) {
		t.Fatalf("Distinct = %v, want [a b zz]", keys)
	}
	ps, err := pgimpl.LoadOne(ctx, conn, parents, loadParents, keys, []any{keys}, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps["a"].Name != "Ann" || ps["b"].Name != "Bob" {
		t.Errorf("LoadOne = %v, want Ann and Bob", ps)
	}
	ks, err := pgimpl.LoadMany(ctx, conn, kids, loadKids, keys, []any{keys}, kidKey)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ks []kid) (out []int64) {
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	if len(ks) != 2 || !slices.Equal(ids(ks["a"]), []int64{1, 2}) || !slices.Equal(ids(ks["b"]), []int64{3}) {
		t.Errorf("LoadMany = %v, want kids 1, 2 of a and 3 of b", ks)
	}
	// A row whose key function says it has none is left out.
	all := `SELECT "kids"."id", "kids"."parent_id" FROM "public"."kids" WHERE "kids"."id" = ANY($1)`
	byID := []any{[]int64{3, 4}}
	if got := must(pgimpl.LoadOne(ctx, conn, kids, all, []string{"b", ""}, byID, kidKey))(t); len(got) != 1 || got["b"].ID != 3 {
		t.Errorf("LoadOne of kids 3 and 4 by parent: %v, want only b", got)
	}

	// No keys: no query, so no handle is needed.
	if got := must(pgimpl.LoadOne(ctx, nil, parents, loadParents, []string{}, nil, parentKey))(t); got == nil || len(got) != 0 {
		t.Errorf("LoadOne of no keys = %#v, want an empty map", got)
	}
	if got := must(pgimpl.LoadMany(ctx, nil, kids, loadKids, []string{}, nil, kidKey))(t); got == nil || len(got) != 0 {
		t.Errorf("LoadMany of no keys = %#v, want an empty map", got)
	}

	// A database error names the statement and the table loaded.
	// Dividing by zero while the rows are read fails the statement.
	failing := func(sql string) string {
		return strings.Replace(sql, "= ANY($1)", "= ANY($1) AND 1 / (length(id::text) - 1) = 1", 1)
	}
	a := []any{[]string{"a"}}
	for name, err := range map[string]error{
		"LoadOne":             second(pgimpl.LoadOne(ctx, conn, parents, failing(loadParents), []string{"a"}, a, parentKey)),
		"LoadMany":            second(pgimpl.LoadMany(ctx, conn, kids, failing(loadKids), []string{"a"}, a, kidKey)),
		"LoadOne of no table": second(pgimpl.LoadOne(ctx, conn, parents, strings.ReplaceAll(loadParents, `"public"`, `"nowhere"`), []string{"a"}, a, parentKey)),
	} {
		var e *pg.Error
		var pe *pgconn.PgError
		if !errors.As(err, &e) || e.Op != "select from" || !errors.As(err, &pe) {
			t.Errorf("%s with a failing statement: %v, want a *pg.Error around the server's", name, err)
		}
	}
	if _, err := pgimpl.LoadOne(ctx, conn, parents, failing(loadParents), []string{"a"}, a, parentKey); err == nil || !strings.HasPrefix(err.Error(), `select from "parents": `) {
		t.Errorf("LoadOne error %v does not start with the table", err)
	}
}

func second[A, B any](_ A, b B) B { return b }

// must(f()) returns what f returned, failing the test when f failed.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestNotFoundNamesTheKey: a read by key that finds nothing names the key
// and is still ErrNotFound; other errors are wrapped with the table.
func TestNotFoundNamesTheKey(t *testing.T) {
	ctx := context.Background()
	conn := familyDB(t)
	var p parent
	err := conn.QueryRow(ctx, `SELECT id, name FROM parents WHERE id = $1 AND name = $2`, "z", "Zoe").Scan(&p.ID, &p.Name)
	err = pgimpl.NotFound("parents", err, "id", "z", "name", "Zoe", "n", 7)
	if !errors.Is(err, pg.ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("not ErrNotFound: %v", err)
	}
	if want := `no row in "parents" with id = "z", name = "Zoe", n = 7`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if err := pgimpl.NotFound("orders", pgx.ErrNoRows); err == nil || err.Error() != `no row in "orders"` {
		t.Errorf("NotFound without a key = %v", err)
	}
	err = conn.QueryRow(ctx, `SELECT id FROM kids WHERE id = 'x'`).Scan(&p.ID)
	err = pgimpl.NotFound("kids", err, "id", "x")
	var pe *pgconn.PgError
	if errors.Is(err, pg.ErrNotFound) || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), `select from "kids": `) {
		t.Errorf("a failed read: %v", err)
	}
	if pgimpl.NotFound("parents", nil, "id", 1) != nil {
		t.Error("NotFound(nil) is not nil")
	}
	if pgimpl.Wrap("update", "parents", nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
}

// stringer is a key type that prints itself, like a uuid.UUID.
type stringer struct{}

func (stringer) String() string { return "s t" }

// TestNotFoundSpellsKeys: a key that is a fmt.Stringer is quoted as a
// string is, so an empty or spaced key reads as what it is.
func TestNotFoundSpellsKeys(t *testing.T) {
	err := pgimpl.NotFound("t", pgx.ErrNoRows, "a", "", "b", stringer{})
	if want := `no row in "t" with a = "", b = "s t"`; err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// TestZeroAndNil: the zero test of defaulted fields, and nil slices sent
// as empty arrays.
func TestZeroAndNil(t *testing.T) {
	if !pgimpl.IsZero("") || pgimpl.IsZero("x") || !pgimpl.IsZero([2]int{}) || pgimpl.IsZero([2]int{0, 1}) {
		t.Error("IsZero is wrong")
	}
	if s := pgimpl.NonNil([]string(nil)); s == nil || len(s) != 0 {
		t.Errorf("NonNil(nil) = %#v", s)
	}
	if s := []int{1}; &pgimpl.NonNil(s)[0] != &s[0] {
		t.Error("NonNil copied a slice that was not nil")
	}
}

// TestInsertSQL: the single-row statement of each set of defaulted fields
// sends the InsertValue columns and the defaulted ones set, in column
// order, and never the InsertNever ones.
func TestInsertSQL(t *testing.T) {
	tb := pgimpl.NewTable("public", "t", []pgimpl.TableColumn{
		{Name: "id", Insert: pgimpl.InsertDefault, ReadBack: true},
		{Name: "name", Insert: pgimpl.InsertValue},
		{Name: "len", Insert: pgimpl.InsertNever, ReadBack: true},
		{Name: "prio", Insert: pgimpl.InsertDefault},
	}, noRows[int]())
	tests := []struct {
		bits uint64
		want string
	}{
		{0, `INSERT INTO "public"."t" ("name") VALUES ($1) RETURNING "t"."id", "t"."len"`},
		{1, `INSERT INTO "public"."t" ("id", "name") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`},
		{2, `INSERT INTO "public"."t" ("name", "prio") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`},
		{3, `INSERT INTO "public"."t" ("id", "name", "prio") VALUES ($1, $2, $3) RETURNING "t"."id", "t"."len"`},
		{2, `INSERT INTO "public"."t" ("name", "prio") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`}, // kept
	}
	for _, tt := range tests {
		if got := pgimpl.InsertSQL(tb, tt.bits); got != tt.want {
			t.Errorf("InsertSQL(%b) = %s\nwant %s", tt.bits, got, tt.want)
		}
	}
	all := pgimpl.NewTable("s", "d", []pgimpl.TableColumn{{Name: "id", Insert: pgimpl.InsertDefault}}, noRows[int]())
	if got, want := pgimpl.InsertSQL(all, 0), `INSERT INTO "s"."d" ("id") VALUES (DEFAULT)`; got != want {
		t.Errorf("InsertSQL of nothing to send = %s\nwant %s", got, want)
	}
}

// noRows are the functions of a table whose statements a test only
// writes, never runs.
func noRows[R any]() pgimpl.RowFuncs[R] {
	return funcs(
		func(pgx.Row, *R) error { return errors.New("not run") },
		func(_ *R, dst []any) []any { return dst },
		func(_ *R, dst []any) []any { return dst },
	)
}

// TestNewTableNeedsEveryFunction: a table without one of its row
// functions is refused when it is made, naming the table and the
// function, rather than failing at its first insert.
func TestNewTableNeedsEveryFunction(t *testing.T) {
	for _, name := range []string{"Scan", "Values", "Targets", "InsertValues", "ScanInserted", "NonZero"} {
		fns := noRows[int]()
		switch name {
		case "Scan":
			fns.Scan = nil
		case "Values":
			fns.Values = nil
		case "Targets":
			fns.Targets = nil
		case "InsertValues":
			fns.InsertValues = nil
		case "ScanInserted":
			fns.ScanInserted = nil
		case "NonZero":
			fns.NonZero = nil
		}
		func() {
			defer func() {
				msg, _ := recover().(string)
				if want := `table "t": RowFuncs.` + name + " is nil"; !strings.Contains(msg, want) {
					t.Errorf("without %s: panic %q, want it to say %q", name, msg, want)
				}
			}()
			pgimpl.NewTable("public", "t", []pgimpl.TableColumn{{Name: "id"}}, fns)
		}()
	}
}
