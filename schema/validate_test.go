package schema

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	// valid returns a model Validate accepts; each case breaks one thing.
	valid := func() *Model {
		return &Model{
			Schemas: []*Schema{{Name: "a.b"}},
			Enums:   []*Enum{{Schema: "a.b", Name: "mood", Values: []string{"sad", "ok"}}},
			Tables: []*Table{{
				Schema:     "a.b",
				Name:       "users",
				Columns:    []*Column{{Name: "id", Type: Type{Name: "integer"}}, {Name: "email", Type: Type{Name: "text"}}},
				PrimaryKey: &PrimaryKey{Name: "users_pkey", Columns: []string{"id"}},
				Uniques:    []Unique{{Name: "users_email_key", Columns: []string{"email"}}},
				Indexes: []Index{
					{Name: "users_email_idx", Elements: []IndexElem{{Column: "email"}, {Expr: "lower(email)"}}},
				},
			}, {
				Schema:  "public",
				Name:    "posts",
				Columns: []*Column{{Name: "author", Type: Type{Name: "integer"}}},
				ForeignKeys: []ForeignKey{
					{Name: "posts_author_fkey", Columns: []string{"author"}, RefSchema: "a.b", RefTable: "users", RefColumns: []string{"id"}},
					// A table outside the model, in a schema mizzle does not manage.
					{Name: "posts_ext_fkey", Columns: []string{"author"}, RefSchema: "ext", RefTable: "people", RefColumns: []string{"id"}},
				},
			}},
		}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid model: %v", err)
	}
	if err := (&Model{}).Validate(); err != nil {
		t.Fatalf("empty model: %v", err)
	}
	users := func(m *Model) *Table { return m.Tables[0] }
	posts := func(m *Model) *Table { return m.Tables[1] }
	tests := []struct {
		name  string
		spoil func(m *Model)
		want  string
	}{
		{"schema without a name", func(m *Model) { m.Schemas[0].Name = "" }, `a schema has no name`},
		{"schema twice", func(m *Model) { m.Schemas = append(m.Schemas, &Schema{Name: "a.b"}) }, `schema "a.b" appears twice`},
		{"extension without a name", func(m *Model) { m.Extensions = []*Extension{{Schema: "a.b"}} }, `an extension has no name`},
		{"extension twice", func(m *Model) { m.Extensions = []*Extension{{Name: "citext"}, {Name: "citext", Schema: "a.b"}} },
			`extension "citext" appears twice`},
		{"sequence without a name", func(m *Model) { m.Sequences = []*Sequence{{Schema: "a.b", Type: "bigint"}} }, `sequence "a.b"."": empty schema or name`},
		{"sequence twice", func(m *Model) {
			m.Sequences = []*Sequence{{Schema: "a.b", Name: "s", Type: "bigint"}, {Schema: "a.b", Name: "s", Type: "integer"}}
		}, `sequence "a.b"."s" appears twice`},
		{"sequence named like a table", func(m *Model) { m.Sequences = []*Sequence{{Schema: "a.b", Name: "users", Type: "bigint"}} },
			`sequence "a.b"."users" has the name of a table of its schema`},
		{"sequence of another type", func(m *Model) { m.Sequences = []*Sequence{{Schema: "a.b", Name: "s", Type: "numeric"}} },
			`sequence "a.b"."s": a sequence is smallint, integer or bigint, not numeric`},
		{"sequence options out of order", func(m *Model) {
			v := int64(0)
			m.Sequences = []*Sequence{{Schema: "a.b", Name: "s", Type: "bigint", Options: &SequenceOptions{Start: &v}}}
		}, `sequence "a.b"."s": START 0 cannot be less than MINVALUE 1`},
		{"sequence options on a plain column", func(m *Model) { users(m).Columns[0].Sequence = &SequenceOptions{Cycle: true} },
			`table "a.b"."users": column "id" has sequence options but is neither identity nor serial`},
		{"identity options out of range", func(m *Model) {
			v := int64(1) << 40
			users(m).Columns[0].Identity = IdentityAlways
			users(m).Columns[0].Sequence = &SequenceOptions{MaxValue: &v}
		}, `table "a.b"."users": column "id": MAXVALUE 1099511627776 is out of range for integer`},
		{"function without a name", func(m *Model) { m.Functions = []*Function{{Schema: "public", Definition: "()"}} }, `function "public"."": empty schema or name`},
		{"function twice", func(m *Model) {
			m.Functions = []*Function{{Schema: "public", Name: "f", Definition: "()"}, {Schema: "public", Name: "f", Definition: "(a int)"}}
		}, `function "public"."f" appears twice`},
		{"function without a definition", func(m *Model) { m.Functions = []*Function{{Schema: "public", Name: "f"}} }, `function "public"."f" has no definition`},
		{"trigger without a name", func(m *Model) {
			users(m).Triggers = []Trigger{{Timing: "before", Events: []string{"insert"}, FunctionSchema: "public", Function: "f"}}
		},
			`a trigger has no name`},
		{"trigger twice", func(m *Model) {
			tg := Trigger{Name: "t", Timing: "before", Events: []string{"insert"}, FunctionSchema: "public", Function: "f"}
			users(m).Triggers = []Trigger{tg, tg}
		}, `trigger "t" appears twice`},
		{"trigger timing", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "instead of", Events: []string{"insert"}, FunctionSchema: "public", Function: "f"}}
		}, `trigger "t" has timing "instead of", not before or after`},
		{"trigger without events", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "after", FunctionSchema: "public", Function: "f"}}
		}, `trigger "t" has no event`},
		{"trigger events out of order", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "after", Events: []string{"update", "insert"}, FunctionSchema: "public", Function: "f"}}
		}, `trigger "t" has event "insert" unknown, repeated or out of order`},
		{"trigger columns without update", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "after", Events: []string{"insert"}, Columns: []string{"id"}, FunctionSchema: "public", Function: "f"}}
		}, `trigger "t" has UPDATE OF columns but no update event`},
		{"trigger on a missing column", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "after", Events: []string{"update"}, Columns: []string{"nope"}, FunctionSchema: "public", Function: "f"}}
		}, `trigger "t" is on column "nope", which the table does not have`},
		{"trigger without a function", func(m *Model) {
			users(m).Triggers = []Trigger{{Name: "t", Timing: "after", Events: []string{"update"}}}
		}, `trigger "t" names no function`},
		{"enum without a name", func(m *Model) { m.Enums[0].Name = "" }, `enum "a.b"."": empty schema or name`},
		{"enum twice", func(m *Model) { m.Enums = append(m.Enums, &Enum{Schema: "a.b", Name: "mood"}) }, `enum "a.b"."mood" appears twice`},
		{"enum value twice", func(m *Model) { m.Enums[0].Values = append(m.Enums[0].Values, "sad") }, `enum "a.b"."mood": value "sad" appears twice`},
		{"table without a schema", func(m *Model) { posts(m).Schema = "" }, `table ""."posts": empty schema or name`},
		{"table twice", func(m *Model) { m.Tables = append(m.Tables, &Table{Schema: "public", Name: "posts"}) }, `table "public"."posts" appears twice`},
		{"column without a name", func(m *Model) { users(m).Columns[1].Name = "" }, `table "a.b"."users": a column has no name`},
		{"column twice", func(m *Model) { users(m).Columns[1].Name = "id" }, `table "a.b"."users": column "id" appears twice`},
		{"column without a type", func(m *Model) { users(m).Columns[1].Type = Type{} }, `table "a.b"."users": column "email" has no type`},
		{"primary key on a missing column", func(m *Model) { users(m).PrimaryKey.Columns = []string{"uid"} },
			`table "a.b"."users": the primary key is on column "uid", which the table does not have`},
		{"primary key without columns", func(m *Model) { users(m).PrimaryKey.Columns = nil }, `table "a.b"."users": the primary key has no columns`},
		{"unique on a missing column", func(m *Model) { users(m).Uniques[0].Columns = []string{"mail"} },
			`table "a.b"."users": unique constraint "users_email_key" is on column "mail", which the table does not have`},
		{"index on a missing column", func(m *Model) { users(m).Indexes[0].Elements[0].Column = "mail" },
			`table "a.b"."users": index "users_email_idx" is on column "mail", which the table does not have`},
		{"index without elements", func(m *Model) { users(m).Indexes[0].Elements = nil }, `table "a.b"."users": index "users_email_idx" has no elements`},
		{"index element with column and expression", func(m *Model) { users(m).Indexes[0].Elements[0].Expr = "1" },
			`table "a.b"."users": index "users_email_idx" has an element with neither or both of a column and an expression`},
		{"foreign key from a missing column", func(m *Model) { posts(m).ForeignKeys[0].Columns = []string{"writer"} },
			`table "public"."posts": foreign key "posts_author_fkey" is on column "writer", which the table does not have`},
		{"foreign key to a missing column", func(m *Model) { posts(m).ForeignKeys[0].RefColumns = []string{"uid"} },
			`table "public"."posts": foreign key "posts_author_fkey" references column "uid" of "a.b"."users", which has no such column`},
		{"foreign key with unequal column counts", func(m *Model) { posts(m).ForeignKeys[0].RefColumns = []string{"id", "email"} },
			`table "public"."posts": foreign key "posts_author_fkey" has 1 columns and references 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.spoil(m)
			err := m.Validate()
			if err == nil {
				t.Fatalf("Validate = nil, want %s", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

// Every problem is reported, not only the first.
func TestValidateReportsAll(t *testing.T) {
	m := &Model{Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{
		{Name: "a", Type: Type{Name: "integer"}}, {Name: "a", Type: Type{Name: "integer"}}, {Name: "b"},
	}}}}
	want := `table "public"."t": column "a" appears twice; table "public"."t": column "b" has no type`
	if err := m.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
}
