package querytype_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/internal/querytype"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const pkg = "example.com/app/schema"

func named(path, name string) schema.GoType {
	return schema.GoType{Kind: schema.GoNamed, Path: path, Name: name}
}

func ptr(t schema.GoType) schema.GoType { return schema.GoType{Kind: schema.GoPointer, Elem: &t} }

func slice(t schema.GoType) schema.GoType { return schema.GoType{Kind: schema.GoSlice, Elem: &t} }

var (
	str   = named("", "string")
	i64   = named("", "int64")
	mood  = named(pkg, "Mood")
	meta  = named(pkg, "Meta")
	model = &schema.Model{
		Go:    schema.GoPackage{Path: pkg, Name: "schema"},
		Enums: []*schema.Enum{{Schema: "public", Name: "mood", Values: []string{"happy", "sad"}, GoType: mood}},
		Tables: []*schema.Table{{
			Schema: "public", Name: "authors", GoType: named(pkg, "Author"),
			Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true, GoField: "ID", GoType: i64},
				{Name: "name", Type: schema.Type{Name: "text"}, NotNull: true, GoField: "Name", GoType: str},
				{Name: "bio", Type: schema.Type{Name: "text"}, GoField: "Bio", GoType: ptr(str)},
				{Name: "mood", Type: schema.Type{Schema: "public", Name: "mood"}, NotNull: true, GoField: "Base.Mood", GoType: mood},
				{Name: "meta", Type: schema.Type{Name: "jsonb"}, NotNull: true, GoField: "Meta", GoType: meta},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "authors_pkey", Columns: []string{"id"}},
		}},
	}
)

// database creates the model's tables in a fresh database.
func database(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := pgtest.Connect(t)
	stmts, err := migrations.SQL(migrations.Create(model))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s.SQL); err != nil {
			t.Fatalf("%s: %v", s.SQL, err)
		}
	}
	return conn
}

func parse(t *testing.T, src string) []*queryfile.Query {
	t.Helper()
	qs, errs := queryfile.Parse("queries/q.sql", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return qs
}

func TestType(t *testing.T) {
	conn := database(t)
	qs := parse(t, `-- name: Get :one
SELECT id, name, bio, mood, meta FROM authors WHERE id = @id;

-- name: Some :many
-- mizzle:notnull n
-- mizzle:nullable name
SELECT a.name, a.mood, count(*) AS n, max(a.bio) AS longest, a.meta, array_agg(a.id) AS ids
FROM authors a WHERE a.id = ANY(@ids) AND a.mood = @mood AND a.bio = sqlc.narg(bio) GROUP BY a.name, a.mood, a.meta;

-- name: Rename :execrows
UPDATE authors SET name = @name WHERE id = @id;

-- name: Catalog :many
SELECT relname, relhasindex FROM pg_catalog.pg_class;
`)
	got, err := querytype.Type(context.Background(), conn, model, qs)
	if err != nil {
		t.Fatal(err)
	}
	authorRow := named(pkg, "Author")
	want := []gen.Query{
		{Name: "Get", Command: "one", Source: "queries/q.sql:1", File: "q", SQL: qs[0].SQL,
			Params: []gen.QueryParam{{Name: "id", Type: i64}},
			Columns: []gen.QueryColumn{
				{Name: "id", Type: i64, Field: "ID"}, {Name: "name", Type: str, Field: "Name"},
				{Name: "bio", Type: ptr(str), Field: "Bio"}, {Name: "mood", Type: mood, Field: "Base.Mood"},
				{Name: "meta", Type: meta, Field: "Meta"},
			},
			RowType: &authorRow},
		{Name: "Some", Command: "many", Source: "queries/q.sql:4", File: "q", SQL: qs[1].SQL,
			Params: []gen.QueryParam{{Name: "ids", Type: slice(i64)}, {Name: "mood", Type: mood}, {Name: "bio", Type: ptr(str)}},
			Columns: []gen.QueryColumn{
				{Name: "name", Type: ptr(str)}, {Name: "mood", Type: mood},
				{Name: "n", Type: i64}, {Name: "longest", Type: ptr(str)}, {Name: "meta", Type: meta},
				{Name: "ids", Type: slice(i64)},
			}},
		{Name: "Rename", Command: "execrows", Source: "queries/q.sql:10", File: "q", SQL: qs[2].SQL,
			Params: []gen.QueryParam{{Name: "name", Type: str}, {Name: "id", Type: i64}}},
		// Columns of relations the model does not declare take their
		// nullability from the catalog.
		{Name: "Catalog", Command: "many", Source: "queries/q.sql:13", File: "q", SQL: qs[3].SQL,
			Columns: []gen.QueryColumn{{Name: "relname", Type: str}, {Name: "relhasindex", Type: named("", "bool")}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("typed queries (-want +got):\n%s", diff)
	}
}

// TestTypeErrors: what the server refuses is an error at the file's line
// and column, mapped back through the rewritten parameters, every query's
// at once.
func TestTypeErrors(t *testing.T) {
	conn := database(t)
	qs := parse(t, `-- name: Good :one
SELECT id FROM authors WHERE id = @id;

-- name: Typo :many
SELECT id,
       nmae FROM authors WHERE name = @some_long_name;

-- name: After :many
SELECT id FROM authors WHERE name = @some_long_name AND mood = 'cross';

-- name: Annotated :one
-- mizzle:notnull total
SELECT count(*) AS n FROM authors;

-- name: Gaps :one
SELECT $2::int;
`)
	_, err := querytype.Type(context.Background(), conn, model, qs[:3])
	var list schema.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v, want a list", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	want := []string{
		`queries/q.sql:6:8: column "nmae" does not exist; hint: Perhaps you meant to reference the column "authors.name".`,
		`queries/q.sql:9:64: invalid input value for enum mood: "cross"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		q    *queryfile.Query
		want string
	}{
		{qs[3], `queries/q.sql:11:1: query Annotated: the annotation names "total", which is not a result column`},
		{qs[4], `queries/q.sql:16:1: could not determine data type of parameter $1`},
	} {
		_, err = querytype.Type(context.Background(), conn, model, []*queryfile.Query{tc.q})
		if err == nil || err.Error() != tc.want {
			t.Errorf("error %v, want %s", err, tc.want)
		}
	}
}

// TestScratch: the database a scratch is made beside is used to create
// and drop it, nothing else: its objects are as they were, and the
// scratch database is gone after Close.
func TestScratch(t *testing.T) {
	ctx := context.Background()
	appURL := pgtest.NewDatabase(t)
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	if _, err := app.Exec(ctx, "CREATE TABLE orders (id bigint PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	before := pgtest.Catalog(t, app)

	cfg, err := pgx.ParseConfig(appURL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := querytype.CreateScratch(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Name(), querytype.ScratchPrefix) || s.Conn.Config().Database != s.Name() {
		t.Errorf("scratch %s connected to %s", s.Name(), s.Conn.Config().Database)
	}
	// What the scratch is for changes the scratch only.
	if _, err := s.Conn.Exec(ctx, "CREATE TABLE authors (id bigint)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, pgtest.Catalog(t, app)); diff != "" {
		t.Errorf("the application database changed (-before +after):\n%s", diff)
	}
	var n int
	if err := app.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", s.Name()).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d databases named %s after Close (%v)", n, s.Name(), err)
	}
}

// TestStartCluster starts a throwaway cluster, runs a statement on it and
// stops it: nothing is left listening. ServerMajor is the programs'
// version.
func TestStartCluster(t *testing.T) {
	ctx := context.Background()
	bin, err := pgcluster.FindBinaries("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := querytype.StartCluster(bin, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.ConnConfig()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("SELECT 1: %d, %v", one, err)
	}
	if want, err := bin.Version(); err != nil || querytype.ServerMajor(conn) != want {
		t.Errorf("ServerMajor %q, the programs' version %q (%v)", querytype.ServerMajor(conn), want, err)
	}
	conn.Close(ctx)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.ConnectConfig(ctx, cfg); err == nil {
		conn.Close(ctx)
		t.Error("the cluster still accepts connections after Stop")
	}
}

// TestTypeCopyFrom: a :copyfrom query loads the table its INSERT names as
// the server resolves it, each parameter typed as its column's field
// (the declared jsonb type, the enum, a pointer for sqlc.narg); a table
// the model does not declare takes the server's types; a view is refused.
func TestTypeCopyFrom(t *testing.T) {
	conn := database(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `CREATE TABLE "Other" (n int NOT NULL); CREATE VIEW names AS SELECT name FROM authors`); err != nil {
		t.Fatal(err)
	}
	qs := parse(t, `-- name: Load :copyfrom
INSERT INTO public.authors (name, meta, mood, id) VALUES (@name, @meta, @mood, sqlc.narg(id));

-- name: LoadOther :copyfrom
INSERT INTO "Other" (n) VALUES (@n);
`)
	got, err := querytype.Type(ctx, conn, model, qs)
	if err != nil {
		t.Fatal(err)
	}
	want := []gen.Query{
		{Name: "Load", Command: "copyfrom", Source: "queries/q.sql:1", File: "q", SQL: qs[0].SQL,
			Params: []gen.QueryParam{{Name: "name", Type: str}, {Name: "meta", Type: meta}, {Name: "mood", Type: mood}, {Name: "id", Type: ptr(i64)}},
			Copy:   &gen.QueryCopy{Schema: "public", Table: "authors", Columns: []string{"name", "meta", "mood", "id"}}},
		{Name: "LoadOther", Command: "copyfrom", Source: "queries/q.sql:4", File: "q", SQL: qs[1].SQL,
			Params: []gen.QueryParam{{Name: "n", Type: named("", "int32")}},
			Copy:   &gen.QueryCopy{Schema: "public", Table: "Other", Columns: []string{"n"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("typed (-want +got):\n%s", diff)
	}

	_, err = querytype.Type(ctx, conn, model, parse(t, "\n-- name: IntoView :copyfrom\nINSERT INTO names (name) VALUES (@name);\n"))
	if err == nil || err.Error() != "queries/q.sql:2:1: query IntoView: :copyfrom loads with COPY, which takes a table, and public.names is not one" {
		t.Errorf("a view: %v", err)
	}
}

// TestStartClusterTemplate: with a cache directory, the first cluster
// leaves a copy of its fresh data directory there and the next starts
// from it; a damaged template is removed, initdb runs, and the cluster
// starts all the same.
func TestStartClusterTemplate(t *testing.T) {
	ctx := context.Background()
	bin, err := pgcluster.FindBinaries("")
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	startAndQuery := func(what string) {
		t.Helper()
		c, err := querytype.StartCluster(bin, cache)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer c.Stop()
		cfg, err := c.ConnConfig()
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE TABLE t (id int)"); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	startAndQuery("the first cluster")
	templates, err := filepath.Glob(filepath.Join(cache, "initdb", "*", "complete"))
	if err != nil || len(templates) != 1 {
		t.Fatalf("templates %v (%v)", templates, err)
	}
	tmpl := filepath.Dir(templates[0])
	control := filepath.Join(tmpl, "data", "global", "pg_control")
	before, err := os.Stat(control)
	if err != nil {
		t.Fatal(err)
	}
	startAndQuery("a cluster from the template")
	if after, err := os.Stat(control); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the template changed: %v", err)
	}
	// The table of the first cluster is not in the template.
	if err := os.WriteFile(control, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	startAndQuery("a cluster from a damaged template")
	if data, err := os.ReadFile(control); err != nil || string(data) == "damaged" {
		t.Errorf("the damaged template is still there (%v)", err)
	}
}
