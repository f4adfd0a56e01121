package pg_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/pg"
)

// TestKeyset: paging with After visits every row once, in the order's
// direction, ties on the first column included; Before goes back; a
// nullable column fails the statement before it is sent.
func TestKeyset(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 10)
	// Names with ties: a, a, b, b, ... by id.
	if _, err := conn.Exec(ctx, `UPDATE items SET name = chr(97 + (id - 1)::int / 2)`); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []bool{false, true} {
		ks := pg.NewKeyset2(items.Name, items.ID)
		want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		if desc {
			ks = ks.Desc()
			slices.Reverse(want)
		}
		var got []int64
		q := itemsTable.Select(conn).OrderBy(ks.Order()...).Limit(3)
		page := must(q.All(ctx))(t)
		for len(page) > 0 {
			for _, r := range page {
				got = append(got, r.ID)
			}
			last := page[len(page)-1]
			page = must(q.Where(ks.After(last.Name, last.ID)).All(ctx))(t)
		}
		if !slices.Equal(got, want) {
			t.Errorf("desc %v: pages gave %v, want %v", desc, got, want)
		}
	}

	ks := pg.NewKeyset2(items.Name, items.ID).Desc()
	sql, args, err := itemsTable.Select(conn).Where(ks.After("c", 5)).OrderBy(ks.Order()...).Limit(3).SQL()
	if want := `WHERE ("items"."name", "items"."id") < ($1, $2) ORDER BY "items"."name" DESC, "items"."id" DESC LIMIT 3`; err != nil || !strings.HasSuffix(sql, want) || len(args) != 2 {
		t.Errorf("keyset SQL %s %v, %v; want it to end with %s", sql, args, err, want)
	}
	// Before, in the order's direction: rows before ("c", 5) descending
	// are those after it ascending.
	before := must(itemsTable.Select(conn).Where(ks.Before("c", 5)).OrderBy(items.ID.Asc()).All(ctx))(t)
	if ids := ids(before); !slices.Equal(ids, []int64{6, 7, 8, 9, 10}) {
		t.Errorf("Before(c, 5) descending: %v, want 6 to 10", ids)
	}
	asc3 := pg.NewKeyset3(items.Prio, items.Name, items.ID)
	if got := ids(must(itemsTable.Select(conn).Where(asc3.After("low", "e", 9)).All(ctx))(t)); !slices.Equal(got, []int64{10}) {
		t.Errorf("Keyset3 After(low, e, 9): %v, want [10]", got)
	}

	_, err = itemsTable.Select(conn).Where(pg.NewKeyset2(items.N, items.ID).After(1, 2)).All(ctx)
	if err == nil || !strings.Contains(err.Error(), `pg: keyset on the nullable column "items"."n"`) {
		t.Errorf("keyset on a nullable column: %v", err)
	}
}
