package migrations_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// A dot is an ordinary character in a PostgreSQL name: the differ must not
// read "a.b"."t" as "a"."b.t".
func TestDiffDottedNames(t *testing.T) {
	col := func() []*schema.Column {
		return []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}, NotNull: true}}
	}
	model := func(sch, table, was, enum, enumWas string) *schema.Model {
		m := &schema.Model{
			Tables: []*schema.Table{{Schema: sch, Name: table, Was: was, Columns: col()}},
			Enums:  []*schema.Enum{{Schema: sch, Name: enum, Was: enumWas, Values: []string{"x"}}},
		}
		if sch != "public" {
			m.Schemas = []*schema.Schema{{Name: sch}}
		}
		return m
	}
	tests := []struct {
		name     string
		from, to *schema.Model
		want     []string
	}{{
		name: "schema with a dot",
		from: model("a.b", "t", "", "e", ""),
		to:   model("a.b", "u", "t", "f", "e"),
		want: []string{
			`migrations.RenameEnum{Schema:"a.b", From:"e", To:"f", Aside:false}`,
			`migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"t"}, To:"u", Aside:false}`,
		},
	}, {
		name: "table and enum with a dot",
		from: model("public", "t.x", "", "e.x", ""),
		to:   model("public", "u.x", "t.x", "f.x", "e.x"),
		want: []string{
			`migrations.RenameEnum{Schema:"public", From:"e.x", To:"f.x", Aside:false}`,
			`migrations.RenameTable{Table:migrations.TableName{Schema:"public", Name:"t.x"}, To:"u.x", Aside:false}`,
		},
	}, {
		// A swap goes through a temporary name, which must stay in the
		// schema.
		name: "swap in a schema with a dot",
		from: &schema.Model{
			Schemas: []*schema.Schema{{Name: "a.b"}},
			Tables: []*schema.Table{
				{Schema: "a.b", Name: "p", Columns: col()},
				{Schema: "a.b", Name: "q", Columns: []*schema.Column{{Name: "other", Type: schema.Type{Name: "text"}}}},
			},
		},
		to: &schema.Model{
			Schemas: []*schema.Schema{{Name: "a.b"}},
			Tables: []*schema.Table{
				{Schema: "a.b", Name: "q", Was: "p", Columns: col()},
				{Schema: "a.b", Name: "p", Was: "q", Columns: []*schema.Column{{Name: "other", Type: schema.Type{Name: "text"}}}},
			},
		},
		want: []string{
			`migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"p"}, To:"p__tmp", Aside:true}`,
			`migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"q"}, To:"p", Aside:false}`,
			`migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"p__tmp"}, To:"q", Aside:false}`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := migrations.Diff(tt.from, tt.to, migrations.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, fmt.Sprintf("%#v", c))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// An ambiguity names its objects by schema and name apart, and an answer
// is read back as the same object, dots and all.
func TestDiffResolveDottedSchema(t *testing.T) {
	from := &schema.Model{
		Schemas: []*schema.Schema{{Name: "a.b"}},
		Tables:  []*schema.Table{{Schema: "a.b", Name: "t", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}}}}},
	}
	to := &schema.Model{
		Schemas: []*schema.Schema{{Name: "a.b"}},
		Tables:  []*schema.Table{{Schema: "a.b", Name: "u", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}}}}},
	}
	var asked []migrations.Ambiguity
	changes, err := migrations.Diff(from, to, migrations.Options{Resolve: func(a migrations.Ambiguity) (migrations.QName, error) {
		asked = append(asked, a)
		return a.Candidates[0], nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := migrations.Ambiguity{Kind: "table", Name: migrations.QName{Schema: "a.b", Name: "u"},
		Candidates: []migrations.QName{{Schema: "a.b", Name: "t"}}}
	if len(asked) != 1 || !reflect.DeepEqual(asked[0], want) {
		t.Errorf("asked %+v, want %+v", asked, want)
	}
	if got, want := asked[0].String(), `table "a.b"."u" is new and "a.b"."t" is gone: renamed or new?`; got != want {
		t.Errorf("Ambiguity.String() = %s, want %s", got, want)
	}
	wantChanges := `[]migrations.Change{migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"t"}, To:"u", Aside:false}}`
	if got := fmt.Sprintf("%#v", changes); got != wantChanges {
		t.Errorf("Diff:\n got %s\nwant %s", got, wantChanges)
	}
}

// Two objects that a joined "schema.name" would spell alike ("a.b"."c"
// and "a"."b.c") are two candidates, and the answer renames the one it
// names while the other is dropped.
func TestDiffResolveSpellingOfTwo(t *testing.T) {
	id := func() []*schema.Column { return []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}}} }
	schemas := []*schema.Schema{{Name: "a"}, {Name: "a.b"}}
	from := &schema.Model{Schemas: schemas, Tables: []*schema.Table{
		{Schema: "a", Name: "b.c", Columns: id()},
		{Schema: "a.b", Name: "c", Columns: id()},
	}}
	to := &schema.Model{Schemas: schemas, Tables: []*schema.Table{{Schema: "a.b", Name: "x", Columns: id()}}}
	var cands []string
	changes, err := migrations.Diff(from, to, migrations.Options{Resolve: func(a migrations.Ambiguity) (migrations.QName, error) {
		for _, c := range a.Candidates {
			cands = append(cands, c.String())
		}
		return migrations.QName{Schema: "a.b", Name: "c"}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`"a"."b.c"`, `"a.b"."c"`}; !slices.Equal(cands, want) {
		t.Errorf("candidates %q, want %q", cands, want)
	}
	want := `[]migrations.Change{migrations.RenameTable{Table:migrations.TableName{Schema:"a.b", Name:"c"}, To:"x", Aside:false}, ` +
		`migrations.DropTable{Table:migrations.TableName{Schema:"a", Name:"b.c"}}}`
	if got := fmt.Sprintf("%#v", changes); got != want {
		t.Errorf("Diff:\n got %s\nwant %s", got, want)
	}
}

// An answer that is not one of the candidates is an error, not a guess.
func TestDiffResolveNotACandidate(t *testing.T) {
	id := func() []*schema.Column { return []*schema.Column{{Name: "id", Type: schema.Type{Name: "integer"}}} }
	from := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: id()}}}
	to := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "u", Columns: id()}}}
	for _, answer := range []migrations.QName{{Name: "t"}, {Schema: "public", Name: "v"}} {
		_, err := migrations.Diff(from, to, migrations.Options{Resolve: func(a migrations.Ambiguity) (migrations.QName, error) {
			return answer, nil
		}})
		want := `table "public"."u": ` + answer.String() + ` is not one of the candidates`
		if err == nil || err.Error() != want {
			t.Errorf("Diff answered %s: error %v, want %s", answer, err, want)
		}
	}
}

// A model the differ cannot match by name is refused before anything is
// compared, whichever side it is on.
func TestDiffInvalidModel(t *testing.T) {
	bad := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{
		{Name: "a", Type: schema.Type{Name: "integer"}}, {Name: "a", Type: schema.Type{Name: "text"}},
	}}}}
	for _, tt := range []struct {
		from, to *schema.Model
		want     string
	}{
		{bad, &schema.Model{}, `old model: table "public"."t": column "a" appears twice`},
		{&schema.Model{}, bad, `new model: table "public"."t": column "a" appears twice`},
	} {
		if _, err := migrations.Diff(tt.from, tt.to, migrations.Options{}); err == nil || err.Error() != tt.want {
			t.Errorf("Diff: got error %v, want %s", err, tt.want)
		}
	}
}

// An enum with no values (PostgreSQL allows one) gains its first value
// with a plain ADD VALUE: there is no neighbour to place it by.
func TestDiffEnumFirstValue(t *testing.T) {
	from := &schema.Model{Enums: []*schema.Enum{{Schema: "public", Name: "e"}}}
	to := &schema.Model{Enums: []*schema.Enum{{Schema: "public", Name: "e", Values: []string{"a", "b"}}}}
	changes, err := migrations.Diff(from, to, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `[]migrations.Change{migrations.AddEnumValue{Schema:"public", Enum:"e", Value:"a", Before:"", After:""}, migrations.AddEnumValue{Schema:"public", Enum:"e", Value:"b", Before:"", After:"a"}}`
	if got := fmt.Sprintf("%#v", changes); got != want {
		t.Errorf("Diff:\n got %s\nwant %s", got, want)
	}
}
