package schema

import (
	"strings"
	"testing"
)

func TestValidateViews(t *testing.T) {
	valid := func() *Model {
		col := func(n string) *Column { return &Column{Name: n, Type: Type{Name: "bigint"}} }
		return &Model{
			Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{col("id")}}},
			Views: []*View{
				{Schema: "public", Name: "v", Definition: "SELECT id FROM t", Columns: []*Column{col("id")},
					Options: ViewOptions{SecurityInvoker: true, CheckOption: CheckCascaded}},
				{Schema: "public", Name: "m", Materialized: true, WithNoData: true, Definition: "SELECT id FROM t", Columns: []*Column{col("id")},
					Indexes: []Index{{Name: "m_id", Unique: true, Elements: []IndexElem{{Column: "id"}}}}},
			},
		}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid model: %v", err)
	}
	v := func(m *Model) *View { return m.Views[0] }
	mv := func(m *Model) *View { return m.Views[1] }
	for _, tc := range []struct {
		name  string
		spoil func(m *Model)
		want  string
	}{
		{"no name", func(m *Model) { v(m).Name = "" }, `view "public"."": empty schema or name`},
		{"a table's name", func(m *Model) { v(m).Name = "t" }, `view "public"."t": the name is used twice in its schema`},
		{"twice", func(m *Model) { mv(m).Name = "v" }, `materialized view "public"."v": the name is used twice`},
		{"no query", func(m *Model) { v(m).Definition = "" }, `view "public"."v" has no definition`},
		{"no columns", func(m *Model) { v(m).Columns = nil }, `view "public"."v" has no columns`},
		{"column twice", func(m *Model) { v(m).Columns = append(v(m).Columns, v(m).Columns[0]) }, `column "id" appears twice`},
		{"column without a type", func(m *Model) { v(m).Columns[0].Type = Type{} }, `column "id" has no type`},
		{"column without a name", func(m *Model) { v(m).Columns[0].Name = "" }, `a column has no name`},
		{"check option", func(m *Model) { v(m).Options.CheckOption = "sometimes" }, `check option "sometimes" is not local or cascaded`},
		{"materialized with options", func(m *Model) { mv(m).Options.SecurityBarrier = true }, `takes no security_invoker`},
		{"view with no data", func(m *Model) { v(m).WithNoData = true }, `only a materialized view has WITH NO DATA or indexes`},
		{"index twice", func(m *Model) { mv(m).Indexes = append(mv(m).Indexes, mv(m).Indexes[0]) }, `index "m_id" has no name or appears twice`},
		{"index on a missing column", func(m *Model) { mv(m).Indexes[0].Elements[0].Column = "x" }, `index "m_id" is on column "x", which the view does not have`},
		{"index element", func(m *Model) { mv(m).Indexes[0].Elements[0].Expr = "x" }, `neither or both`},
		{"index without elements", func(m *Model) { mv(m).Indexes[0].Elements = nil }, `index "m_id" has no elements`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.spoil(m)
			err := m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestViewHelpers(t *testing.T) {
	m := &View{Materialized: true, Columns: []*Column{{Name: "a"}}}
	if m.Kind() != "materialized view" || (&View{}).Kind() != "view" {
		t.Error("Kind")
	}
	if m.Column("a") == nil || m.Column("b") != nil {
		t.Error("Column")
	}
	for _, tc := range []struct {
		ix   Index
		want bool
	}{
		{Index{Unique: true, Elements: []IndexElem{{Column: "a"}}}, true},
		{Index{Elements: []IndexElem{{Column: "a"}}}, false},
		{Index{Unique: true, Elements: []IndexElem{{Column: "a"}}, Where: "a > 0"}, false},
		{Index{Unique: true, Elements: []IndexElem{{Expr: "lower(a)"}}}, false},
	} {
		m.Indexes = []Index{tc.ix}
		if got := m.HasUniqueIndex(); got != tc.want {
			t.Errorf("HasUniqueIndex with %+v = %v, want %v", tc.ix, got, tc.want)
		}
	}
	// Clone is deep.
	c := m.Clone()
	c.Columns[0].Name, c.Indexes[0].Elements[0].Expr = "changed", "changed"
	if m.Columns[0].Name != "a" || m.Indexes[0].Elements[0].Expr != "lower(a)" {
		t.Error("Clone shares columns or index elements")
	}
}
