package goschema_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func col(name string, typ schema.Type, notNull bool) *schema.Column {
	return &schema.Column{Name: name, Type: typ, NotNull: notNull}
}

var (
	bigint  = schema.Type{Name: "bigint"}
	integer = schema.Type{Name: "integer"}
	text    = schema.Type{Name: "text"}
)

// TestApproximations writes a model with what the grammar cannot say: each
// is warned about, Result.Model records what was written instead, and the
// package loads back to exactly that model.
func TestApproximations(t *testing.T) {
	m := &schema.Model{
		Enums: []*schema.Enum{
			{Schema: "public", Name: "empty"},
			{Schema: "public", Name: "mood", Values: []string{"ok"}},
		},
		Tables: []*schema.Table{
			{Schema: "public", Name: "nothing", Columns: []*schema.Column{}},
			{
				Schema: "public", Name: "parents",
				Columns:    []*schema.Column{col("id", bigint, true), col("code", integer, true), col("b", integer, true)},
				PrimaryKey: &schema.PrimaryKey{Name: "parents_pkey", Columns: []string{"id"}},
				Uniques:    []schema.Unique{{Name: "parents_code_b_key", Columns: []string{"code", "b"}}},
			},
			{
				Schema: "public", Name: "kids",
				Columns: []*schema.Column{
					col("id", schema.Type{Name: "serial"}, false),
					col("parent_id", integer, true),
					col("code", integer, true),
					{Name: "b", Type: integer, NotNull: true, Default: "\nCASE\n    WHEN random() > 0.5 THEN 1\n    ELSE 2\nEND"},
					col("owner", schema.Type{Schema: "auth", Name: "users_id"}, false),
					col("feeling", schema.Type{Schema: "public", Name: "empty"}, false),
					col("score", integer, false),
					// A name is not SQL: what would open a quote, a
					// group or a comment there is the name's.
					col(`a(b]'c"--$d$`, text, false),
				},
				Checks: []schema.Check{
					{Name: "kids_score_check", Expr: "CASE\n    WHEN score > 0 THEN true\n    ELSE false\nEND"},
					{Name: "kids_other", Expr: "\nCASE\n    WHEN b > 0 THEN true\n    ELSE false\nEND"},
					{Name: "kids_lit", Expr: "CASE\n    WHEN b > 0 THEN 'two\nlines' <> 'it''s \\ here'\n    ELSE E'a\\\\b\nc' <> date '2026-01-01'::text\nEND"},
					{Name: "kids_qid", Expr: "\"we\nird\" > 0"},
					// Quotes as the loader's lexer reads them: \' does not
					// end an E'' string, and a dollar quote's line break
					// has no escape.
					{Name: "kids_esc", Expr: "b::text <> E'it\\'s\nx'"},
					{Name: "kids_dollar", Expr: "b::text <> $$a\nb$$"},
				},
				ForeignKeys: []schema.ForeignKey{
					{Name: "kids_parent_fk", Columns: []string{"parent_id"}, RefSchema: "public", RefTable: "parents", RefColumns: []string{"id"}},
					{Name: "kids_out_fk", Columns: []string{"code"}, RefSchema: "auth", RefTable: "users", RefColumns: []string{"id"}},
					// PostgreSQL matches referenced columns to a key as a
					// set: (b, code) references the unique (code, b).
					{Name: "kids_order_fk", Columns: []string{"b", "code"}, RefSchema: "public", RefTable: "parents", RefColumns: []string{"b", "code"}},
					{Name: "kids_nokey_fk", Columns: []string{"code"}, RefSchema: "public", RefTable: "parents", RefColumns: []string{"code"}},
				},
				Indexes: []schema.Index{
					{Name: "kids_where_idx", Elements: []schema.IndexElem{{Column: "b"}}, Where: "\nb > 0\n  AND code > 0"},
					{Name: "kids_expr_idx", Elements: []schema.IndexElem{{Expr: "NOT b"}}},
					// Read as the loader reads it, the text ends in NULLS
					// DESC, which is an error, not an expression.
					{Name: "kids_nulls_idx", Elements: []schema.IndexElem{{Expr: "b || nulls", Desc: true}}},
				},
			},
		},
	}
	res, err := goschema.Write(m, goschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`table "public"."nothing" has no columns, which a struct cannot declare: left out`,
		`enum "public"."empty" has no values, which an enum type needs as constants: left out`,
		`column "public"."kids"."id": a nullable serial is written as NOT NULL (the grammar's serial types are)`,
		`foreign key "kids_nokey_fk" on "public"."kids" references columns that are neither the primary key nor a unique constraint or plain unique index: left out`,
		`foreign key "kids_out_fk" on "public"."kids" references "auth"."users", which is not pulled: left out`,
		`foreign key "kids_parent_fk" on "public"."kids": column "parent_id" is integer but references "id", which is bigint; mizzle needs equal types: left out`,
		`index "kids_expr_idx" on "public"."kids": element "NOT b" would read back as column "NOT" with operator class b: written in parentheses`,
		`index "kids_nulls_idx" on "public"."kids": element "b || nulls" would not read back (NULLS must be followed by FIRST or LAST, not "DESC"): written in parentheses`,
		`check "kids_dollar" on "public"."kids" has a line break inside a quoted name or a dollar quote, which a //mizzle: marker cannot hold: written as a space`,
		`check "kids_qid" on "public"."kids" has a line break inside a quoted name or a dollar quote, which a //mizzle: marker cannot hold: written as a space`,
	}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	var src string
	for _, f := range res.Files {
		src += string(f.Data)
	}
	for _, s := range []string{
		`//mizzle:check kids_other (CASE WHEN b > 0 THEN true ELSE false END)`,
		// A line break in a string constant is an escape in an E'' string.
		`//mizzle:check kids_lit (CASE WHEN b > 0 THEN E'two\nlines' <> 'it''s \ here' ELSE E'a\\b\nc' <> date '2026-01-01'::text END)`,
		`//mizzle:check kids_qid ("we ird" > 0)`,
		`//mizzle:check kids_esc (b::text <> E'it\'s\nx')`,
		`//mizzle:check kids_dollar (b::text <> $$a b$$)`,
		"Score    *int32  `db:\"score,check:CASE\\n    WHEN score > 0 THEN true\\n    ELSE false\\nEND\"`",
		`//mizzle:index kids_where_idx (b) WHERE b > 0 AND code > 0`,
		`//mizzle:index kids_expr_idx ((NOT b))`,
		`//mizzle:index kids_nulls_idx ((b || nulls) DESC)`,
		// A type from a schema keeps it (a domain, say).
		"Owner    *string `db:\"owner,type:\\\"auth\\\".\\\"users_id\\\"\"`",
	} {
		if !strings.Contains(src, s) {
			t.Errorf("source lacks %q:\n%s", s, src)
		}
	}
	got := load(t, res.Files)
	if diff := cmp.Diff(migrations.Strip(res.Model), migrations.Strip(got)); diff != "" {
		t.Errorf("loaded model differs from Result.Model (-written +loaded):\n%s", diff)
	}
}

func TestWriteErrors(t *testing.T) {
	tbl := func(cols ...string) *schema.Model {
		t := &schema.Table{Schema: "public", Name: "t"}
		for _, c := range cols {
			t.Columns = append(t.Columns, col(c, text, true))
		}
		return &schema.Model{Tables: []*schema.Table{t}}
	}
	tests := []struct {
		name string
		m    *schema.Model
		opts goschema.Options
		want string
	}{
		{"no tables", &schema.Model{}, goschema.Options{}, "no tables to write: a schema package needs at least one table"},
		{"bad package", tbl("a"), goschema.Options{Package: "func"}, `package name "func" is not a Go identifier`},
		{
			"names", tbl("-", " a", "x,y", "x:y", "ok"), goschema.Options{},
			"cannot write these names in Go source (rename them in the database first):\n" +
				"  column \"public\".\"t\".\"-\": \"-\" means \"not a column\" in a db tag\n" +
				"  column \"public\".\"t\".\" a\": a db tag's name cannot start or end with white space\n" +
				"  column \"public\".\"t\".\"x,y\": a db tag's name cannot hold , : or a line break\n" +
				"  column \"public\".\"t\".\"x:y\": a db tag's name cannot hold , : or a line break",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := goschema.Write(tt.m, tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestIdentifiers checks the Go names made from SQL names, through the
// source Write produces.
func TestIdentifiers(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"user_id", "UserID"},
		{"created_at", "CreatedAt"},
		{"netPortfolio", "NetPortfolio"},
		{"HTTPServer", "HTTPServer"},
		{"user_ids", "UserIDs"},
		{"api_url", "APIURL"},
		{"OPEN", "Open"},
		{"in-progress", "InProgress"},
		{"2fa", "X2fa"},
		{"élan", "Élan"},
		{"名前", "X名前"},
		{"select", "Select"},
		{"https_only", "HTTPSOnly"},
		{"iPhone", "IPhone"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: tt.sql, Columns: []*schema.Column{col(tt.sql, text, true)}}}}
			res, err := goschema.Write(m, goschema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			src := string(res.Files[0].Data)
			if !strings.Contains(src, "type "+tt.want+" struct") || !strings.Contains(src, "\t"+tt.want+" string") {
				t.Errorf("%q: want type and field %s in:\n%s", tt.sql, tt.want, src)
			}
		})
	}
}

// TestTypeOptions checks which columns need a type: option and how it is
// spelled; TestRoundTrip proves the loader reads each back.
func TestTypeOptions(t *testing.T) {
	tests := []struct {
		typ    schema.Type
		goType string
		option string // "" for none
	}{
		{schema.Type{Name: "bigint"}, "int64", ""},
		{schema.Type{Name: "bigserial"}, "int64", "bigserial"},
		{schema.Type{Name: "character varying", Mod: "20", Array: true}, "[]string", "varchar(20)[]"},
		{schema.Type{Name: "character", Mod: "1"}, "string", "char(1)"},
		{schema.Type{Name: "bpchar"}, "string", "bpchar"},
		{schema.Type{Name: "char"}, "string", `"char"`},
		{schema.Type{Name: "char", Array: true}, "[]string", `"char"[]`},
		{schema.Type{Name: "timestamp with time zone", Mod: "3"}, "time.Time", "timestamptz(3)"},
		{schema.Type{Name: "timestamp with time zone"}, "time.Time", ""},
		{schema.Type{Name: "time with time zone"}, "string", "timetz"},
		{schema.Type{Name: "double precision", Array: true}, "[]float64", ""},
		{schema.Type{Name: "numeric", Mod: "18,8"}, "decimal.Decimal", "numeric(18,8)"},
		{schema.Type{Name: "vector", Mod: "3"}, "string", "vector(3)"},
		{schema.Type{Name: "citext"}, "string", "citext"},
		{schema.Type{Name: "interval day to second"}, "time.Duration", "interval day to second"},
		{schema.Type{Name: "Weird"}, "string", `"Weird"`},
		{schema.Type{Name: "bytea", Array: true}, "[][]byte", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{col("c", tt.typ, true)}}}}
			res, err := goschema.Write(m, goschema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings: %q", res.Warnings)
			}
			tag := `db:"c"`
			if tt.option != "" {
				tag = `db:"c,type:` + strings.ReplaceAll(tt.option, `"`, `\"`) + `"`
			}
			if want := "C " + tt.goType + " `" + tag + "`"; !strings.Contains(string(res.Files[0].Data), want) {
				t.Errorf("want %s in:\n%s", want, res.Files[0].Data)
			}
		})
	}
}

// TestGoTypeOf spells the mapping's expressions as the Go types generate
// writes: slices, named types with their import paths, predeclared types,
// and a string for what the mapping does not know.
func TestGoTypeOf(t *testing.T) {
	for _, tc := range []struct {
		typ  schema.Type
		want string
	}{
		{schema.Type{Name: "bigint"}, "int64"},
		{schema.Type{Name: "bytea"}, "[]byte"},
		{schema.Type{Name: "timestamp with time zone", Array: true}, "[]time.Time"},
		{schema.Type{Name: "numeric", Mod: "18,8"}, "decimal.Decimal"},
		{schema.Type{Name: "jsonb"}, "json.RawMessage"},
		{schema.Type{Name: "interval day to second"}, "time.Duration"},
		{schema.Type{Name: "point"}, "string"},
		{schema.Type{Schema: "public", Name: "mood"}, "string"},
	} {
		got := goschema.GoTypeOf(tc.typ)
		if got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.typ, got, tc.want)
		}
	}
	if got := goschema.GoTypeOf(schema.Type{Name: "uuid"}); got.Path != "github.com/google/uuid" || got.Name != "UUID" {
		t.Errorf("uuid: %+v", got)
	}
}
