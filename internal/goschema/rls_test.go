package goschema_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/schema"
)

// TestRowSecurity writes row security and policies whose roles need
// quoting (names the TO list would read as keywords, or cut at a comma)
// and whose expressions span lines, and a table forced without being
// enabled, which the grammar cannot write: it is left out, with a
// warning. The package loads back to the model written.
func TestRowSecurity(t *testing.T) {
	m := &schema.Model{Tables: []*schema.Table{
		{
			Schema: "public", Name: "docs",
			Columns:     []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}},
			RowSecurity: schema.RowSecurity{Enabled: true},
			Policies: []schema.Policy{
				{Name: "odd roles", Roles: []string{"Admin", "a,b", "public", "using", "with", "x y"}, Using: "id > 0"},
				{Name: "p", Restrictive: true, Command: schema.CommandUpdate, Using: "CASE\n    WHEN id > 0 THEN true\n    ELSE false\nEND", WithCheck: "\nid <> 13\n"},
			},
		},
		{
			Schema: "public", Name: "forced",
			Columns:     []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}},
			RowSecurity: schema.RowSecurity{Forced: true},
		},
	}}
	res, err := goschema.Write(m, goschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantWarn := `table "public"."forced" has FORCE ROW LEVEL SECURITY without ENABLE`
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, wantWarn) }) {
		t.Errorf("warnings %q; want one with %q", res.Warnings, wantWarn)
	}
	src := string(res.Files[0].Data)
	for _, want := range []string{
		`//mizzle:policy "odd roles" TO Admin, "a,b", "public", "using", "with", "x y" USING (id > 0)`,
		`//mizzle:policy p AS RESTRICTIVE FOR UPDATE USING (CASE WHEN id > 0 THEN true ELSE false END) WITH CHECK (id <> 13)`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the package has no line %s:\n%s", want, src)
		}
	}
	if f := res.Model.Table("public", "forced"); f.RowSecurity != (schema.RowSecurity{}) {
		t.Errorf("Result.Model keeps %+v for the table written without it", f.RowSecurity)
	}
	got := load(t, res.Files)
	for _, tn := range []string{"docs", "forced"} {
		w, g := res.Model.Table("public", tn), got.Table("public", tn)
		if diff := cmp.Diff(w.RowSecurity, g.RowSecurity); diff != "" {
			t.Errorf("%s: row security (-written +loaded):\n%s", tn, diff)
		}
		for i := range g.Policies {
			g.Policies[i].Pos = schema.Position{}
		}
		if diff := cmp.Diff(w.Policies, g.Policies); diff != "" {
			t.Errorf("%s: policies (-written +loaded):\n%s", tn, diff)
		}
	}
}
