package pg_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/pg"
)

// itemsAs are the columns of "items" read under another name.
func itemsAs(alias string) struct {
	ID   pg.Column[int64]
	N    pg.NullColumn[int64]
	Name pg.TextColumn[string]
	Prio pg.Column[status]
} {
	return struct {
		ID   pg.Column[int64]
		N    pg.NullColumn[int64]
		Name pg.TextColumn[string]
		Prio pg.Column[status]
	}{items.ID.As(alias), items.N.As(alias), items.Name.As(alias), items.Prio.As(alias)}
}

// line is a row of a partial select over a join.
type line struct {
	ID     int64
	Body   string
	Parent struct {
		ID   *int64
		Prio *status
	}
}

func lineFields(parent string) func(r *line) []pg.Field {
	p := itemsAs(parent)
	return func(r *line) []pg.Field {
		return []pg.Field{
			pg.Into(&r.ID, items.ID),
			pg.Into(&r.Body, notes.Body),
			pg.Into(&r.Parent.ID, pg.OrNull(p.ID)),
			pg.Into(&r.Parent.Prio, pg.OrNull[status](p.Prio)),
		}
	}
}

// TestSelectIntoJoin: a partial select into a struct of the test's own,
// over three tables, one of them "items" joined with itself under another
// name (item i's parent is the item whose id is its n), with a left join
// that finds no parent for every third item.
func TestSelectIntoJoin(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	parent := itemsAs("parent")
	q := pg.SelectInto(itemsTable.Select(conn).
		Join(notesTable.Select(conn).Where(notes.ID.Le(5)), notes.ItemID.EqCol(items.ID)).
		LeftJoin(itemsTable.Select(conn).As("parent"), items.N.EqCol(parent.ID)).
		OrderBy(items.ID.Desc()), lineFields("parent"))
	sql, args, err := q.SQL()
	if err != nil {
		t.Fatal(err)
	}
	wantSQL := `SELECT "items"."id", "notes"."body", "parent"."id", "parent"."prio" FROM "public"."items" JOIN "public"."notes" ON "notes"."item_id" = "items"."id" LEFT JOIN "public"."items" AS "parent" ON "items"."n" = "parent"."id" WHERE "notes"."id" <= $1 ORDER BY "items"."id" DESC`
	if sql != wantSQL || !slices.Equal(args, []any{int64(5)}) {
		t.Errorf("SQL:\n%s %v\nwant\n%s [5]", sql, args, wantSQL)
	}
	got := must(q.All(ctx))(t)
	var desc []string
	for _, r := range got {
		p := "nil"
		if r.Parent.ID != nil {
			p = fmt.Sprintf("%d/%s", *r.Parent.ID, *r.Parent.Prio)
		}
		desc = append(desc, fmt.Sprintf("%d %s %s", r.ID, r.Body, p))
	}
	want := []string{"5 b5 2/low", "4 b4 1/low", "3 b3 nil", "2 b2 2/low", "1 b1 1/low"}
	if !slices.Equal(desc, want) {
		t.Errorf("rows:\n%q\nwant\n%q", desc, want)
	}
	// Where on the values query adds to its conditions, not to q's.
	if got := must(q.Where(notes.ID.Ge(4)).All(ctx))(t); len(got) != 2 || got[0].ID != 5 || got[1].ID != 4 {
		t.Errorf("Where(notes.id >= 4): %+v, want items 5 and 4", got)
	}
	if again := sqlOf(t, q); again != wantSQL {
		t.Errorf("q changed by Where:\n%s", again)
	}
	one := must(q.One(ctx))(t)
	if one.ID != 5 || one.Body != "b5" {
		t.Errorf("One = %+v, want item 5", one)
	}
	// The same query's rows, without SelectInto, are the items'.
	rows := must(itemsTable.Select(conn).Join(notesTable.Select(conn), notes.ItemID.EqCol(items.ID)).
		LeftJoin(itemsTable.Select(conn).As("parent"), items.N.EqCol(parent.ID)).
		Where(parent.ID.IsNull()).OrderBy(items.ID.Asc()).All(ctx))(t)
	if got := ids(rows); !slices.Equal(got, []int64{3, 6}) {
		t.Errorf("items without a parent: %v, want [3 6]", got)
	}
	// RIGHT and FULL JOIN: every note is about an item, so the items
	// without a note come with NULL notes in a full join.
	full := pg.Select2(notesTable.Select(conn).FullJoin(itemsTable.Select(conn), notes.ItemID.EqCol(items.ID)).OrderBy(items.ID.Asc()),
		pg.OrNull(notes.Body), items.ID)
	var fulls []string
	for _, r := range must(full.All(ctx))(t) {
		b := "nil"
		if r.A != nil {
			b = *r.A
		}
		fulls = append(fulls, fmt.Sprintf("%s %d", b, r.B))
	}
	if want := []string{"b1 1", "b2 2", "b3 3", "b4 4", "b5 5", "b6 6", "nil 7", "nil 8", "nil 9"}; !slices.Equal(fulls, want) {
		t.Errorf("full join: %q, want %q", fulls, want)
	}
	right := pg.Select1(notesTable.Select(conn).RightJoin(itemsTable.Select(conn).Where(items.ID.Ge(6)), notes.ItemID.EqCol(items.ID)), pg.Count())
	if n := must(right.One(ctx))(t); n != 4 {
		t.Errorf("right join: %d rows, want 4", n)
	}
}

// TestSelectIntoRefuses: fields that do not point into the row, or none,
// fail before anything is sent, naming the field.
func TestSelectIntoRefuses(t *testing.T) {
	var elsewhere int64
	for _, tt := range []struct {
		name   string
		fields func(r *line) []pg.Field
		want   string
	}{
		{"elsewhere", func(r *line) []pg.Field {
			return []pg.Field{pg.Into(&r.ID, items.ID), pg.Into(&elsewhere, items.ID)}
		}, "pg: SelectInto: field 2 of 2 does not point into the row the function is given; return pointers to that row's fields, such as &r.Name"},
		{"zero", func(r *line) []pg.Field { return []pg.Field{{}} }, "pg: SelectInto: field 1 of 1 is the zero Field; make each with pg.Into"},
		{"none", func(r *line) []pg.Field { return nil }, "pg: SelectInto: the function lists no field to select"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := pg.SelectInto(itemsTable.Select(nil), tt.fields)
			if _, _, err := q.SQL(); err == nil || err.Error() != tt.want {
				t.Errorf("SQL: %v\nwant %s", err, tt.want)
			}
			if _, err := q.All(context.Background()); err == nil || err.Error() != tt.want {
				t.Errorf("All: %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestJoinsRefuse: what one statement cannot say fails before it is sent.
func TestJoinsRefuse(t *testing.T) {
	for _, tt := range []struct {
		name string
		q    pg.SelectQuery[item]
		want string
	}{
		{"same name", itemsTable.Select(nil).Join(notesTable.Select(nil)).LeftJoin(itemsTable.Select(nil)),
			`pg: join of "items": the query already reads a table named "items", and their columns would be ambiguous; give one of them another name with As`},
		{"column of the table's own name after As", itemsTable.Select(nil).As("i").Where(items.ID.Eq(1)),
			`pg: select from "i": column "items"."id" belongs to none of the statement's tables ("i"): join its table (pg.Join), or use a column of these`},
		{"right joins", itemsTable.Select(nil).Join(notesTable.Select(nil).Join(itemsTable.Select(nil).As("x"))),
			`pg: join of "notes": the right query joins tables of its own; join them onto this query instead`},
		{"right limit", itemsTable.Select(nil).Join(notesTable.Select(nil).Limit(1)),
			`pg: join of "notes": the right query has a Limit or Offset, which would have to apply to its rows before the join; call Limit and Offset on the join`},
		{"lock of a table not read", itemsTable.Select(nil).ForUpdate().Of("notes"),
			`pg: select from "items": the lock is of "notes", which the query does not read (it reads "items")`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := tt.q.SQL(); err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestBuildersDoNotAlias: joins, locks, set operations and distinct
// return new queries; branches of one base keep their own clauses.
func TestBuildersDoNotAlias(t *testing.T) {
	p, o := itemsAs("p"), itemsAs("o")
	base := itemsTable.Select(nil).Join(notesTable.Select(nil), notes.ItemID.EqCol(items.ID)).
		Join(itemsTable.Select(nil).As("a"), items.ID.EqCol(itemsAs("a").ID)).
		Join(itemsTable.Select(nil).As("b"), items.ID.EqCol(itemsAs("b").ID)).Of("items")
	want := sqlOf(t, base)
	one := base.Join(itemsTable.Select(nil).As("p"), items.N.EqCol(p.ID)).Of("p").DistinctOn(items.N)
	two := base.LeftJoin(itemsTable.Select(nil).As("o"), items.N.EqCol(o.ID)).Of("o").Distinct()
	if got := sqlOf(t, base); got != want {
		t.Errorf("base changed:\n%s\nwant\n%s", got, want)
	}
	s1, s2 := sqlOf(t, one), sqlOf(t, two)
	if !strings.Contains(s1, `JOIN "public"."items" AS "p"`) || strings.Contains(s1, `"o"`) || !strings.HasSuffix(s1, `FOR UPDATE OF "items", "p"`) {
		t.Errorf("branch one: %s", s1)
	}
	if !strings.Contains(s2, `LEFT JOIN "public"."items" AS "o"`) || strings.Contains(s2, `"p"`) || !strings.HasSuffix(s2, `FOR UPDATE OF "items", "o"`) {
		t.Errorf("branch two: %s", s2)
	}
	w := pg.PartitionBy(items.N)
	w1, w2 := w.OrderBy(items.ID.Asc()), w.OrderBy(items.ID.Desc())
	s1 = sqlOf(t, pg.Select1(itemsTable.Select(nil), pg.Over(pg.RowNumber(), w1)))
	s2 = sqlOf(t, pg.Select1(itemsTable.Select(nil), pg.Over(pg.RowNumber(), w2)))
	if !strings.Contains(s1, `ORDER BY "items"."id")`) || !strings.Contains(s2, `ORDER BY "items"."id" DESC)`) {
		t.Errorf("window branches:\n%s\n%s", s1, s2)
	}
}

type sqler interface {
	SQL() (string, []any, error)
}

func sqlOf(t *testing.T, q sqler) string {
	t.Helper()
	s, _, err := q.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSubqueries: EXISTS, NOT EXISTS, IN and NOT IN of a select, and a
// scalar subquery selected and compared, correlated or not.
func TestSubqueries(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t) // notes for items 1 to 6
	noted := notesTable.Select(conn).Where(notes.ItemID.EqCol(items.ID))
	for _, tt := range []struct {
		name string
		cond pg.Expr
		want []int64
	}{
		{"exists", pg.Exists(noted.Where(notes.Body.Like("b%"))), []int64{1, 2, 3, 4, 5, 6}},
		{"not exists", pg.NotExists(noted), []int64{7, 8, 9}},
		{"in", items.ID.InSelect(pg.Select1(notesTable.Select(conn).Where(notes.ID.Gt(4)), notes.ItemID)), []int64{5, 6}},
		{"not in", items.ID.NotInSelect(pg.Select1(notesTable.Select(conn), notes.ItemID)), []int64{7, 8, 9}},
		{"scalar", pg.SQL("? = ?", items.ID, pg.Scalar(pg.Select1(notesTable.Select(conn), pg.Max(notes.ItemID)))), []int64{6}},
		{"eq select", items.ID.EqSelect(pg.Select1(notesTable.Select(conn).Where(notes.Body.Eq("b3")), notes.ItemID)), []int64{3}},
		{"eq select of no row", items.ID.EqSelect(pg.Select1(notesTable.Select(conn).Where(notes.Body.Eq("none")), notes.ItemID)), nil},
		{"ne select", items.ID.NeSelect(pg.Select1(notesTable.Select(conn).Where(notes.Body.Eq("b3")), notes.ItemID)), []int64{1, 2, 4, 5, 6, 7, 8, 9}},
		{"lt select", items.ID.LtSelect(pg.Select1(notesTable.Select(conn), pg.Count())), []int64{1, 2, 3, 4, 5}},
		{"le select", items.ID.LeSelect(pg.Select1(notesTable.Select(conn), pg.Count())), []int64{1, 2, 3, 4, 5, 6}},
		{"gt select correlated", items.ID.GtSelect(pg.Select1(noted, pg.Count())), []int64{2, 3, 4, 5, 6, 7, 8, 9}},
		{"ge select", items.ID.GeSelect(pg.Select1(notesTable.Select(conn), pg.Count())), []int64{6, 7, 8, 9}},
		{"correlated scalar", pg.SQL("? = ?", pg.Scalar(pg.Select1(noted, pg.Count())), 0), []int64{7, 8, 9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(must(itemsTable.Select(conn).Where(tt.cond).OrderBy(items.ID.Asc()).All(ctx))(t))
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
		})
	}
	type counted struct {
		ID    int64
		Notes int64
		Last  *string
	}
	rows := must(pg.SelectInto(itemsTable.Select(conn).Where(items.ID.Ge(5)).OrderBy(items.ID.Asc()).Limit(2), func(r *counted) []pg.Field {
		return []pg.Field{
			pg.Into(&r.ID, items.ID),
			pg.Into(&r.Notes, pg.Scalar(pg.Select1(noted, pg.Count()))),
			pg.Into(&r.Last, pg.Scalar(pg.Select1(noted, pg.Max(notes.Body)))),
		}
	}).All(ctx))(t)
	b5 := "b5"
	if want := []counted{{5, 1, &b5}, {6, 1, ptr("b6")}}; !cmp.Equal(rows, want) {
		t.Errorf("scalar subqueries: %s", cmp.Diff(want, rows))
	}
	sql := sqlOf(t, itemsTable.Select(nil).Where(pg.Exists(notesTable.Select(nil).Where(notes.ItemID.EqCol(items.ID), notes.ID.Gt(2))), items.ID.Lt(9)))
	if want := `SELECT "items"."id", "items"."n", "items"."name", "items"."prio" FROM "public"."items" WHERE EXISTS (SELECT 1 FROM "public"."notes" WHERE "notes"."item_id" = "items"."id" AND "notes"."id" > $1) AND "items"."id" < $2`; sql != want {
		t.Errorf("exists:\n%s\nwant\n%s", sql, want)
	}
	// A column of a subquery's table outside it is still refused.
	_, _, err := itemsTable.Select(nil).Where(pg.Exists(notesTable.Select(nil)), notes.ID.Eq(1)).SQL()
	if err == nil || !strings.Contains(err.Error(), `column "notes"."id" belongs to none of the statement's tables ("items")`) {
		t.Errorf("column of the subquery's table outside it: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCTEsAndSets: a CTE, a recursive CTE, set operations whose result is
// filtered, ordered and limited with the columns of the rows, and
// DISTINCT and DISTINCT ON.
func TestCTEsAndSets(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 9) // n: 1, 2, NULL, 1, 2, NULL, 1, 2, NULL
	recent := pg.WithCTE("recent", itemsTable.Select(conn).OrderBy(items.ID.Desc()).Limit(4))
	r := itemsAs("recent")
	if got := ids(must(recent.Where(r.N.IsNotNull()).OrderBy(r.ID.Asc()).All(ctx))(t)); !slices.Equal(got, []int64{7, 8}) {
		t.Errorf("CTE: %v, want [7 8]", got)
	}
	// The CTE joined, in a subquery: items that are among the recent.
	in := itemsTable.Select(conn).Where(pg.Exists(recent.Where(r.ID.EqCol(items.ID)))).OrderBy(items.ID.Asc())
	if got := ids(must(in.All(ctx))(t)); !slices.Equal(got, []int64{6, 7, 8, 9}) {
		t.Errorf("CTE in EXISTS: %v, want [6 7 8 9]", got)
	}
	tree := itemsAs("tree")
	chain := pg.WithRecursive("tree", itemsTable.Select(conn).Where(items.ID.Eq(2)),
		func(found pg.SelectQuery[item]) pg.SelectQuery[item] {
			return itemsTable.Select(conn).Join(found, pg.SQL("? = ? + 3", items.ID, tree.ID))
		})
	if got := ids(must(chain.OrderBy(tree.ID.Desc()).All(ctx))(t)); !slices.Equal(got, []int64{8, 5, 2}) {
		t.Errorf("recursive CTE: %v, want [8 5 2]", got)
	}
	if sql := sqlOf(t, chain); !strings.HasPrefix(sql, `WITH RECURSIVE "tree" AS ((SELECT "items"."id", `) || !strings.Contains(sql, `) UNION ALL (SELECT "items"."id", "items"."n", "items"."name", "items"."prio" FROM "public"."items" JOIN "tree" ON ("items"."id" = "tree"."id" + 3))) SELECT "tree"."id", `) {
		t.Errorf("recursive CTE: %s", sql)
	}
	low, high := itemsTable.Select(conn).Where(items.ID.Le(5)), itemsTable.Select(conn).Where(items.ID.Ge(4))
	for _, tt := range []struct {
		name string
		q    pg.SelectQuery[item]
		want []int64
	}{
		{"union", low.Union(high), []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"union all", low.UnionAll(high), []int64{1, 2, 3, 4, 4, 5, 5, 6, 7, 8, 9}},
		{"intersect", low.Intersect(high), []int64{4, 5}},
		{"intersect all", low.UnionAll(low).IntersectAll(low.UnionAll(high)), []int64{1, 2, 3, 4, 4, 5, 5}},
		{"except", low.Except(high), []int64{1, 2, 3}},
		{"except all", low.UnionAll(low).ExceptAll(high), []int64{1, 1, 2, 2, 3, 3, 4, 5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(must(tt.q.OrderBy(items.ID.Asc()).All(ctx))(t)); !slices.Equal(got, tt.want) {
				t.Errorf("%v, want %v", got, tt.want)
			}
		})
	}
	page := low.Union(high).Where(items.N.IsNotNull()).OrderBy(items.ID.Desc()).Limit(3)
	if got := ids(must(page.All(ctx))(t)); !slices.Equal(got, []int64{8, 7, 5}) {
		t.Errorf("union filtered, ordered and limited: %v, want [8 7 5]", got)
	}
	if n := must(low.Union(high).Count(ctx))(t); n != 9 {
		t.Errorf("union count: %d, want 9", n)
	}
	// Set operations of values: the result's columns are named as the
	// left side's table's.
	notesConn := joinDB(t)
	lowIDs := pg.Select1(itemsTable.Select(notesConn).Where(items.ID.Le(3)), items.ID)
	noteIDs := pg.Select1(notesTable.Select(notesConn).Where(notes.ID.Ge(2)), notes.ItemID)
	for _, tt := range []struct {
		name string
		q    pg.ValuesQuery[int64]
		want []int64
	}{
		{"union", lowIDs.Union(noteIDs), []int64{6, 5, 4, 3, 2, 1}},
		{"union all", lowIDs.UnionAll(noteIDs), []int64{6, 5, 4, 3, 3, 2, 2, 1}},
		{"intersect", lowIDs.Intersect(noteIDs), []int64{3, 2}},
		{"intersect all", lowIDs.UnionAll(lowIDs).IntersectAll(noteIDs.UnionAll(noteIDs)), []int64{3, 3, 2, 2}},
		{"except", lowIDs.Except(noteIDs), []int64{1}},
		{"except all", lowIDs.UnionAll(lowIDs).ExceptAll(noteIDs), []int64{3, 2, 1, 1}},
	} {
		t.Run("values "+tt.name, func(t *testing.T) {
			if got := must(tt.q.OrderBy(items.ID.Desc()).All(ctx))(t); !slices.Equal(got, tt.want) {
				t.Errorf("%v, want %v", got, tt.want)
			}
		})
	}
	if got := must(lowIDs.Union(noteIDs).Where(items.ID.Gt(2)).OrderBy(items.ID.Asc()).Limit(2).All(ctx))(t); !slices.Equal(got, []int64{3, 4}) {
		t.Errorf("values union filtered and limited: %v, want [3 4]", got)
	}
	// Count counts the distinct rows, not the rows and then distinct
	// counts.
	if n := must(low.UnionAll(low).Distinct().Count(ctx))(t); n != 5 {
		t.Errorf("Distinct().Count() of rows twice over: %d, want 5", n)
	}
	if n := must(itemsTable.Select(conn).DistinctOn(items.N).Count(ctx))(t); n != 3 {
		t.Errorf("DistinctOn(n).Count(): %d, want 3", n)
	}
	ns := must(pg.Select1(itemsTable.Select(conn), items.N).Distinct().OrderBy(items.N.Asc()).All(ctx))(t)
	if len(ns) != 3 || *ns[0] != 1 || *ns[1] != 2 || ns[2] != nil {
		t.Errorf("distinct n: %v, want [1 2 nil]", ns)
	}
	last := itemsTable.Select(conn).DistinctOn(items.N).OrderBy(items.N.Asc(), items.ID.Desc())
	if got := ids(must(last.All(ctx))(t)); !slices.Equal(got, []int64{7, 8, 9}) {
		t.Errorf("distinct on n: %v, want [7 8 9]", got)
	}
	if sql := sqlOf(t, last); !strings.HasPrefix(sql, `SELECT DISTINCT ON ("items"."n") "items"."id"`) {
		t.Errorf("distinct on: %s", sql)
	}
}

// TestWindows: row_number, rank, lag, lead and a running sum over
// partitions.
func TestWindows(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 6) // n: 1, 2, NULL, 1, 2, NULL
	type ranked struct {
		ID      int64
		Num     int64
		Rank    int64
		Dense   int64
		Prev    *int64
		Next    *int64
		Running *int64
	}
	byN := pg.PartitionBy(items.N).OrderBy(items.ID.Asc())
	rows := must(pg.SelectInto(itemsTable.Select(conn).Where(items.N.IsNotNull()).OrderBy(items.ID.Asc()), func(r *ranked) []pg.Field {
		return []pg.Field{
			pg.Into(&r.ID, items.ID),
			pg.Into(&r.Num, pg.Over(pg.RowNumber(), byN)),
			pg.Into(&r.Rank, pg.Over(pg.Rank(), pg.OrderedBy(items.N.Asc()))),
			pg.Into(&r.Dense, pg.Over(pg.DenseRank(), pg.OrderedBy(items.N.Asc()))),
			pg.Into(&r.Prev, pg.Over(pg.Lag(items.ID), byN)),
			pg.Into(&r.Next, pg.Over(pg.Lead(items.ID), pg.Window{}.OrderBy(items.ID.Asc()))),
			pg.Into(&r.Running, pg.Over(pg.Sum(items.ID), byN)),
		}
	}).All(ctx))(t)
	want := []ranked{
		{1, 1, 1, 1, nil, ptr[int64](2), ptr[int64](1)},
		{2, 1, 3, 2, nil, ptr[int64](4), ptr[int64](2)},
		{4, 2, 1, 1, ptr[int64](1), ptr[int64](5), ptr[int64](5)},
		{5, 2, 3, 2, ptr[int64](2), nil, ptr[int64](7)},
	}
	if !cmp.Equal(rows, want) {
		t.Errorf("windows: %s", cmp.Diff(want, rows))
	}
	sql := sqlOf(t, pg.Select1(itemsTable.Select(nil), pg.Over(pg.Count(), pg.Window{})))
	if want := `SELECT count(*) OVER () FROM "public"."items"`; sql != want {
		t.Errorf("empty window: %s, want %s", sql, want)
	}
}

// TestLocks: every locking clause is SQL PostgreSQL takes, and SKIP
// LOCKED with OF skips the rows another transaction locked in a join.
func TestLocks(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	join := func(db pg.DBTX) pg.SelectQuery[item] {
		return itemsTable.Select(db).Join(notesTable.Select(db), notes.ItemID.EqCol(items.ID)).OrderBy(items.ID.Asc())
	}
	for _, tt := range []struct {
		q    pg.SelectQuery[item]
		lock string
	}{
		{join(conn).ForNoKeyUpdate(), " FOR NO KEY UPDATE"},
		{join(conn).ForKeyShare().NoWait(), " FOR KEY SHARE NOWAIT"},
		{join(conn).ForShare().Of("notes").SkipLocked(), ` FOR SHARE OF "notes" SKIP LOCKED`},
		{join(conn).Of("items", "notes"), ` FOR UPDATE OF "items", "notes"`},
		{itemsTable.Select(conn).As("i").ForNoKeyUpdate().Of("i"), ` FOR NO KEY UPDATE OF "i"`},
	} {
		sql := sqlOf(t, tt.q)
		if !strings.HasSuffix(sql, tt.lock) {
			t.Errorf("%s: want it to end with %s", sql, tt.lock)
			continue
		}
		if _, err := tt.q.All(ctx); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	tx := must(conn.Begin(ctx))(t)
	defer tx.Rollback(ctx)
	if _, err := join(tx).Where(items.ID.Le(2)).ForNoKeyUpdate().Of("items").All(ctx); err != nil {
		t.Fatal(err)
	}
	other := must(pgx.Connect(ctx, conn.Config().ConnString()))(t)
	defer other.Close(ctx)
	got := ids(must(join(other).ForUpdate().Of("items").SkipLocked().All(ctx))(t))
	if !slices.Equal(got, []int64{3, 4, 5, 6}) {
		t.Errorf("skip locked: %v, want [3 4 5 6]", got)
	}
	// The notes were not locked: another transaction locks them all.
	if n := len(must(notesTable.Select(other).ForUpdate().NoWait().All(ctx))(t)); n != 6 {
		t.Errorf("notes locked NOWAIT: %d, want 6", n)
	}
	var pe *pgconn.PgError
	_, err := join(other).ForUpdate().Of("items").NoWait().All(ctx)
	if !errors.As(err, &pe) || pe.Code != "55P03" {
		t.Errorf("NOWAIT on a locked row: %v, want lock_not_available (55P03)", err)
	}
}

// TestSelectIntoPlansOnce: the fields function runs once, when the query
// is made, however many rows and runs follow; rows land in the fields it
// named, nested ones included.
func TestSelectIntoPlansOnce(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 5)
	type inner struct{ N *int64 }
	type out struct {
		Pad   [3]byte
		Name  string
		Inner inner
		ID    int64
	}
	calls := 0
	q := pg.SelectInto(itemsTable.Select(conn).OrderBy(items.ID.Asc()), func(r *out) []pg.Field {
		calls++
		return []pg.Field{pg.Into(&r.ID, items.ID), pg.Into(&r.Inner.N, items.N), pg.Into(&r.Name, pg.As[string](pg.SQL("'n' || ?", items.ID)))}
	})
	for range 2 {
		rows := must(q.All(ctx))(t)
		want := []out{{Name: "n1", Inner: inner{ptr[int64](1)}, ID: 1}, {Name: "n2", Inner: inner{ptr[int64](2)}, ID: 2}, {Name: "n3", ID: 3}, {Name: "n4", Inner: inner{ptr[int64](1)}, ID: 4}, {Name: "n5", Inner: inner{ptr[int64](2)}, ID: 5}}
		if !cmp.Equal(rows, want) {
			t.Errorf("rows: %s", cmp.Diff(want, rows))
		}
	}
	if calls != 1 {
		t.Errorf("the fields function ran %d times, want once", calls)
	}
}
