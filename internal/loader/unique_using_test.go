package loader_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// TestUniqueUsing checks that USING in //mizzle:unique makes a unique index
// even on plain columns, where the marker otherwise makes a constraint.
func TestUniqueUsing(t *testing.T) {
	src := "package schema\n\n" +
		"//mizzle:table\n" +
		"//mizzle:unique t_a_key (a)\n" +
		"//mizzle:unique t_b_idx USING btree (b)\n" +
		"//mizzle:unique t_c_idx USING BTREE (c, a) NULLS NOT DISTINCT\n" +
		"type T struct {\n\tA int64 `db:\"a\"`\n\tB int64 `db:\"b\"`\n\tC int64 `db:\"c\"`\n}\n"
	dir, env := testmod.Write(t, &txtar.Archive{Files: []txtar.File{{Name: "schema.go", Data: []byte(src)}}})
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	tb := m.Tables[0]
	if want := []string{"t_a_key"}; len(tb.Uniques) != 1 || tb.Uniques[0].Name != want[0] {
		t.Errorf("uniques = %+v, want one constraint t_a_key", tb.Uniques)
	}
	var got []schema.Index
	for _, ix := range tb.Indexes {
		ix.Pos = schema.Position{}
		got = append(got, ix)
	}
	want := []schema.Index{
		{Name: "t_b_idx", Unique: true, Elements: []schema.IndexElem{{Column: "b"}}},
		{Name: "t_c_idx", Unique: true, NullsNotDistinct: true, Elements: []schema.IndexElem{{Column: "c"}, {Column: "a"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indexes (-want +got):\n%s", diff)
	}
}
