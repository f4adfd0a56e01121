package pg_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

type docMeta struct {
	Lang string   `json:"lang"`
	Tags []string `json:"tags,omitempty"`
}

var (
	docs = struct {
		ID     pg.Column[int64]
		Tags   pg.ArrayColumn[string]
		Scores pg.NullArrayColumn[int32]
		Meta   pg.JSONColumn[docMeta]
		Extra  pg.NullJSONColumn[map[string]any]
		Body   pg.TextColumn[string]
		Title  pg.NullTextColumn[string]
		Span   pg.RangeColumn[int32]
	}{
		pg.NewColumn[int64]("docs", "id"),
		pg.NewArrayColumn[string]("docs", "tags"),
		pg.NewNullArrayColumn[int32]("docs", "scores"),
		pg.NewJSONColumn[docMeta]("docs", "meta"),
		pg.NewNullJSONColumn[map[string]any]("docs", "extra"),
		pg.NewTextColumn[string]("docs", "body"),
		pg.NewNullTextColumn[string]("docs", "title"),
		pg.NewRangeColumn[int32]("docs", "span"),
	}
	docsTable = pgimpl.NewTable("public", "docs", []pgimpl.TableColumn{{Name: "id"}}, rowFuncs(
		func(r pgx.Row, x *int64) error { return r.Scan(x) },
		func(x *int64, dst []any) []any { return append(dst, *x) },
		func(x *int64, dst []any) []any { return append(dst, x) },
	))
)

// docsDB makes the table docs with four rows.
func docsDB(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := pgtest.Connect(t)
	for _, s := range []string{
		`CREATE TABLE docs (id bigint PRIMARY KEY, tags text[] NOT NULL, scores int[], meta jsonb NOT NULL, extra jsonb, body text NOT NULL, title text, span int4range NOT NULL)`,
		`INSERT INTO docs VALUES
			(1, '{go,sql}', '{1,2}', '{"lang":"en","tags":["go"],"n":3}', '{"a":{"b":"deep"}}', 'The quick brown foxes jumped', '100% sure', '[1,10)'),
			(2, '{go}', NULL, '{"lang":"fr","n":7}', NULL, 'A slow dog sleeps', 'maybe', '[5,20)'),
			(3, '{}', '{3}', '{"lang":"en","arr":["x","y"]}', '{"a":null}', 'Foxes and dogs', NULL, 'empty'),
			(4, '{rust,sql}', '{}', '{"lang":"de"}', '{}', 'Quick thinking', '100 percent', '[30,40]')`,
	} {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return conn
}

func docIDs(t *testing.T, conn *pgx.Conn, conds ...pg.Expr) []int64 {
	t.Helper()
	q := docsTable.Select(conn).Where(conds...).OrderBy(docs.ID.Asc())
	got, err := q.All(context.Background())
	if err != nil {
		s, _, _ := q.SQL()
		t.Fatalf("%s: %v", s, err)
	}
	if got == nil {
		got = []int64{}
	}
	return got
}

// TestOperators: each operator's SQL, and the rows it matches on a real
// server.
func TestOperators(t *testing.T) {
	conn := docsDB(t)
	for _, c := range []struct {
		name string
		cond pg.Expr
		sql  string
		want []int64
	}{
		{"array contains", docs.Tags.Contains([]string{"go"}), `"docs"."tags" @> $1`, []int64{1, 2}},
		{"array contains nil", docs.Tags.Contains(nil), `"docs"."tags" @> $1`, []int64{1, 2, 3, 4}},
		{"array contained by", docs.Tags.ContainedBy([]string{"go", "sql"}), `"docs"."tags" <@ $1`, []int64{1, 2, 3}},
		{"array overlaps", docs.Tags.Overlaps([]string{"sql", "zig"}), `"docs"."tags" && $1`, []int64{1, 4}},
		{"array has", docs.Tags.Has("sql"), `$1 = ANY("docs"."tags")`, []int64{1, 4}},
		{"null array has", docs.Scores.Has(3), `$1 = ANY("docs"."scores")`, []int64{3}},
		{"null array overlaps", docs.Scores.Overlaps([]int32{1, 3}), `"docs"."scores" && $1`, []int64{1, 3}},
		{"array is null", docs.Scores.IsNull(), `"docs"."scores" IS NULL`, []int64{2}},
		{"jsonb contains", docs.Meta.Contains(map[string]any{"lang": "en"}), `"docs"."meta" @> $1::jsonb`, []int64{1, 3}},
		{"jsonb contains raw", docs.Meta.Contains(`{"tags":["go"]}`), `"docs"."meta" @> $1::jsonb`, []int64{1}},
		{"jsonb has key", docs.Meta.HasKey("n"), `"docs"."meta" ? $1`, []int64{1, 2}},
		{"jsonb has any key", docs.Meta.HasAnyKey("arr", "tags"), `"docs"."meta" ?| $1`, []int64{1, 3}},
		{"jsonb has no key", docs.Meta.HasAnyKey(), `"docs"."meta" ?| $1`, []int64{}},
		{"jsonb has all keys", docs.Meta.HasAllKeys("lang", "n"), `"docs"."meta" ?& $1`, []int64{1, 2}},
		{"jsonpath exists", docs.Meta.PathExists(`$.tags[*] ? (@ == "go")`), `"docs"."meta" @? $1::jsonpath`, []int64{1}},
		{"jsonpath match", docs.Meta.PathMatch(`$.n > 5`), `"docs"."meta" @@ $1::jsonpath`, []int64{2}},
		{"->> eq", docs.Meta.Text("lang").Eq("fr"), `("docs"."meta" ->> $1) = $2`, []int64{2}},
		{"->> in", docs.Meta.Text("lang").In("de", "fr"), `("docs"."meta" ->> $1) = ANY($2)`, []int64{2, 4}},
		{"->> like", docs.Meta.Text("lang").Like("e%"), `("docs"."meta" ->> $1) LIKE $2`, []int64{1, 3}},
		{"-> ->>", docs.Extra.Get("a").Text("b").Eq("deep"), `(("docs"."extra" -> $1) ->> $2) = $3`, []int64{1}},
		{"-> is null", docs.Extra.Get("a").IsNull(), `("docs"."extra" -> $1) IS NULL`, []int64{2, 4}},
		{"->> is null", docs.Extra.Text("a").IsNull(), `("docs"."extra" ->> $1) IS NULL`, []int64{2, 3, 4}},
		{"-> at", docs.Meta.Get("arr").TextAt(-1).Eq("y"), `(("docs"."meta" -> $1) ->> $2::int) = $3`, []int64{3}},
		{"-> contains", docs.Meta.Get("tags").Contains([]string{"go"}), `("docs"."meta" -> $1) @> $2::jsonb`, []int64{1}},
		{"search", docs.Body.Search("english", `fox -"brown foxes"`), `to_tsvector('english'::regconfig, "docs"."body") @@ websearch_to_tsquery('english'::regconfig, $1)`, []int64{3}},
		{"search or", docs.Body.Search("english", `dog or quick`), ``, []int64{1, 2, 3, 4}},
		{"search default config", docs.Title.Search("", "maybe"), `to_tsvector("docs"."title") @@ websearch_to_tsquery($1)`, []int64{2}},
		{"search expression", pg.WebSearch("simple", pg.SQL("? || ' ' || coalesce(?, '')", docs.Body, docs.Title), "sure"), `to_tsvector('simple'::regconfig, ("docs"."body" || ' ' || coalesce("docs"."title", ''))) @@ websearch_to_tsquery('simple'::regconfig, $1)`, []int64{1}},
		{"config quoted", docs.Body.Search("it's", "x"), `to_tsvector('it''s'::regconfig, "docs"."body") @@ websearch_to_tsquery('it''s'::regconfig, $1)`, nil},
		{"escaped ilike", docs.Title.ILike(pg.EscapeLike("100%") + "%"), `"docs"."title" ILIKE $1`, []int64{1}},
		{"range contains elem", docs.Span.ContainsElem(7), `"docs"."span" @> CASE WHEN FALSE THEN lower("docs"."span") ELSE $1 END`, []int64{1, 2}},
		{"range contains", docs.Span.Contains(pgtype.Range[int32]{Lower: 6, Upper: 9, LowerType: pgtype.Inclusive, UpperType: pgtype.Exclusive, Valid: true}), `"docs"."span" @> $1`, []int64{1, 2}},
		{"range contained by", docs.Span.ContainedBy(pgtype.Range[int32]{Lower: 0, Upper: 20, LowerType: pgtype.Inclusive, UpperType: pgtype.Inclusive, Valid: true}), `"docs"."span" <@ $1`, []int64{1, 2, 3}},
		{"range overlaps", docs.Span.Overlaps(pgtype.Range[int32]{Lower: 15, Upper: 30, LowerType: pgtype.Inclusive, UpperType: pgtype.Inclusive, Valid: true}), `"docs"."span" && $1`, []int64{2, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, err := docsTable.Select(conn).Where(c.cond).SQL()
			if err != nil {
				t.Fatal(err)
			}
			want := `SELECT "docs"."id" FROM "public"."docs" WHERE ` + c.sql
			if c.sql != "" && s != want {
				t.Errorf("SQL:\n got %s\nwant %s", s, want)
			}
			if c.want == nil {
				return
			}
			if got := docIDs(t, conn, c.cond); !slices.Equal(got, c.want) {
				t.Errorf("matched %v, want %v", got, c.want)
			}
		})
	}
}

// TestJSONSelect: a ->> value selects as a *string (nil for a missing
// key), orders, and a -> value selects as raw JSON.
func TestJSONSelect(t *testing.T) {
	ctx := context.Background()
	conn := docsDB(t)
	got, err := pg.Select2(docsTable.Select(conn).OrderBy(docs.Meta.Text("n").Desc().NullsLast(), docs.ID.Asc()),
		docs.Meta.Text("n"), docs.Extra.Get("a")).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, r := range got {
		n := "nil"
		if r.A != nil {
			n = *r.A
		}
		s = append(s, n+" "+string(r.B))
	}
	want := []string{"7 ", `3 {"b": "deep"}`, "nil null", "nil "}
	if !slices.Equal(s, want) {
		t.Errorf("selected %q, want %q", s, want)
	}
}

// TestOperatorsUseIndexes: the range element test and full-text search
// are written so that an index serves them: the CASE giving the element
// its type folds away, and the configuration is a constant.
func TestOperatorsUseIndexes(t *testing.T) {
	ctx := context.Background()
	conn := docsDB(t)
	for _, s := range []string{
		`CREATE INDEX docs_span ON docs USING gist (span)`,
		`CREATE INDEX docs_body ON docs USING gin (to_tsvector('english', body))`,
		`CREATE INDEX docs_meta ON docs USING gin (meta)`,
		`CREATE INDEX docs_tags ON docs USING gin (tags)`,
		`SET enable_seqscan = off`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for _, c := range []struct {
		cond  pg.Expr
		index string
	}{
		{docs.Span.ContainsElem(7), "docs_span"},
		{docs.Body.Search("english", "fox"), "docs_body"},
		{docs.Meta.Contains(map[string]string{"lang": "en"}), "docs_meta"},
		{docs.Meta.HasKey("n"), "docs_meta"},
		{docs.Tags.Contains([]string{"go"}), "docs_tags"},
	} {
		sql, args, err := docsTable.Select(conn).Where(c.cond).SQL()
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		rows, err := conn.Query(ctx, "EXPLAIN "+sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, " "+c.index+" ") }) {
			t.Errorf("%s: the plan does not use %s:\n%s", sql, c.index, strings.Join(plan, "\n"))
		}
	}
}

// TestOperatorsOwnTheirValues: a condition keeps the values it was made
// with when its caller reuses the slice afterwards.
func TestOperatorsOwnTheirValues(t *testing.T) {
	tags := []string{"go", "sql"}
	keys := []string{"a", "b"}
	conds := []pg.Expr{
		docs.Tags.Contains(tags), docs.Tags.ContainedBy(tags), docs.Tags.Overlaps(tags),
		docs.Meta.HasAnyKey(keys...), docs.Meta.HasAllKeys(keys...), docs.Meta.Text("lang").In(keys...),
	}
	tags[0], keys[0] = "changed", "changed"
	for _, c := range conds {
		_, args, err := docsTable.Select(nil).Where(c).SQL()
		if err != nil {
			t.Fatal(err)
		}
		v := args[len(args)-1].([]string)
		if v[0] == "changed" {
			t.Errorf("%v: the condition changed with its caller's slice", args)
		}
	}
}

// TestOperatorsUnderAlias: a column of a table read under another name
// keeps its operators, and they name the column by the alias, as the
// statement reads it.
func TestOperatorsUnderAlias(t *testing.T) {
	conn := docsDB(t)
	for _, c := range []struct {
		name string
		cond pg.Expr
		sql  string
		want []int64
	}{
		{"array", docs.Tags.As("d").Contains([]string{"go"}), `"d"."tags" @> $1`, []int64{1, 2}},
		{"null array", docs.Scores.As("d").Has(3), `$1 = ANY("d"."scores")`, []int64{3}},
		{"jsonb", docs.Meta.As("d").Text("lang").Eq("fr"), `("d"."meta" ->> $1) = $2`, []int64{2}},
		{"null jsonb", docs.Extra.As("d").Get("a").Text("b").Eq("deep"), `(("d"."extra" -> $1) ->> $2) = $3`, []int64{1}},
		{"range", docs.Span.As("d").Overlaps(pgtype.Range[int32]{Lower: 15, Upper: 30, LowerType: pgtype.Inclusive, UpperType: pgtype.Inclusive, Valid: true}), `"d"."span" && $1`, []int64{2, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := docsTable.Select(conn).As("d").Where(c.cond).OrderBy(docs.ID.As("d").Asc())
			s, _, err := q.SQL()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(s, ` AS "d" WHERE `+c.sql+` ORDER BY`) {
				t.Errorf("SQL %s\ndoes not read the table as d with %s", s, c.sql)
			}
			got, err := q.All(context.Background())
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("matched %v, want %v", got, c.want)
			}
		})
	}
}
