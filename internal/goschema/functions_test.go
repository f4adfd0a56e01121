package goschema_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/schema"
)

// TestTriggersLeftOut writes triggers the grammar cannot: one executing a
// function of a managed schema that the model does not hold (an overloaded
// one pull left out), one executing a function whose qualified name a
// marker cannot spell, one with an argument holding a line break. Each is
// left out of the package and of Result.Model, with a warning; the others
// are written and load back.
func TestTriggersLeftOut(t *testing.T) {
	def := "()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN NEW; END$function$"
	m := &schema.Model{
		Functions: []*schema.Function{{Schema: "public", Name: "touch", Definition: def, Signature: "( ) RETURNS trigger"}},
		Tables: []*schema.Table{{
			Schema: "public", Name: "docs",
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}},
			Triggers: []schema.Trigger{
				{Name: "kept", Timing: "before", Events: []string{"update"}, Row: true, FunctionSchema: "public", Function: "touch"},
				{Name: "overloaded", Timing: "before", Events: []string{"update"}, Row: true, FunctionSchema: "public", Function: "over"},
				{Name: "odd name", Timing: "after", Events: []string{"insert"}, FunctionSchema: "my schema", Function: "log"},
				{Name: "broken arg", Timing: "after", Events: []string{"insert"}, FunctionSchema: "public", Function: "touch", Args: []string{"a\nb"}},
			},
		}},
	}
	res, err := goschema.Write(m, goschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`trigger "broken arg" on "public"."docs" has an argument holding a line break, which a //mizzle:trigger marker cannot hold: left out`,
		`trigger "odd name" on "public"."docs" executes function "my schema"."log", whose name a //mizzle:trigger marker cannot spell: left out`,
		`trigger "overloaded" on "public"."docs" executes function "public"."over", which the schema does not hold: left out`,
	}
	got := slices.Sorted(slices.Values(res.Warnings))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if tgs := res.Model.Table("public", "docs").Triggers; len(tgs) != 1 || tgs[0].Name != "kept" {
		t.Errorf("Result.Model's triggers: %+v, want only kept", tgs)
	}
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"schema.go", "sql/touch.sql"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if src := string(res.Files[1].Data); !strings.HasPrefix(src, goschema.SQLHeader+"\nCREATE OR REPLACE FUNCTION \"touch\"()\n") {
		t.Errorf("sql/touch.sql:\n%s", src)
	}
	loaded := load(t, res.Files)
	if diff := cmp.Diff(res.Model.Table("public", "docs").Triggers, loaded.Table("public", "docs").Triggers,
		cmp.Transformer("nopos", func(p schema.Position) schema.Position { return schema.Position{} })); diff != "" {
		t.Errorf("triggers (-written +loaded):\n%s", diff)
	}
}
