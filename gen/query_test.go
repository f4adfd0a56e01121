package gen_test

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/schema"
)

// TestQueryNameErrors: a query whose method, row type or file would take
// a name the package already declares, whose columns would share a field,
// or that is :one or :many without columns, is an error naming the query
// and its place; every one at once.
func TestQueryNameErrors(t *testing.T) {
	str := schema.GoType{Kind: schema.GoNamed, Name: "string"}
	m := &schema.Model{
		Go: schema.GoPackage{Path: "example.com/s", Name: "s"},
		Tables: []*schema.Table{{Schema: "public", Name: "orders", GoType: schema.GoType{Kind: schema.GoNamed, Path: "example.com/s", Name: "Order"},
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "text"}, NotNull: true, GoField: "ID", GoType: str}}}},
	}
	// A table whose file is the one a query file reports.sql would get.
	reports := *m.Tables[0]
	reports.Name, reports.GoType.Name = "reports_sql", "Report"
	m.Tables = append(m.Tables, &reports)
	col := func(name string) gen.QueryColumn { return gen.QueryColumn{Name: name, Type: str} }
	qs := []gen.Query{
		{Name: "Orders", Command: "exec", Source: "q/a.sql:1", File: "a", SQL: "SELECT 1"},
		{Name: "InTx", Command: "exec", Source: "q/a.sql:2", File: "a", SQL: "SELECT 1"},
		{Name: "Two", Command: "many", Source: "q/a.sql:3", File: "a", SQL: "SELECT 1", Columns: []gen.QueryColumn{col("user_id"), col("userID")}},
		{Name: "Empty", Command: "one", Source: "q/a.sql:4", File: "a", SQL: "DELETE FROM t"},
		{Name: "Report", Command: "exec", Source: "q/reports.sql:1", File: "reports", SQL: "SELECT 1"},
		{Name: "Ok", Command: "many", Source: "q/a.sql:5", File: "a", SQL: "SELECT 1", Columns: []gen.QueryColumn{col("a")}},
		{Name: "OkRow", Command: "exec", Source: "q/a.sql:6", File: "a", SQL: "SELECT 1"},
		{Name: "NoTable", Command: "copyfrom", Source: "q/a.sql:7", File: "a", SQL: "INSERT INTO t (a) VALUES ($1)",
			Params: []gen.QueryParam{{Name: "a", Type: str}}},
		{Name: "Load", Command: "copyfrom", Source: "q/a.sql:8", File: "a", SQL: "INSERT INTO t (a, b) VALUES ($1, $2)",
			Params: []gen.QueryParam{{Name: "user_id", Type: str}, {Name: "userID", Type: str}},
			Copy:   &gen.QueryCopy{Schema: "public", Table: "t", Columns: []string{"a", "b"}}},
		{Name: "LoadParams", Command: "exec", Source: "q/a.sql:9", File: "a", SQL: "SELECT 1"},
	}
	_, err := gen.Generate(m, gen.Options{Package: "db", Queries: qs})
	want := []string{
		"gen: query Orders (q/a.sql:1): Orders is taken by table public.orders: rename the query",
		"query InTx (q/a.sql:2): InTx is taken by Queries.InTx: rename the query",
		`query Two (q/a.sql:3): result columns "user_id" and "userID" would both be the field UserID: name one with AS`,
		"query Empty (q/a.sql:4): :one returns no columns: use :exec or :execrows",
		"query Report (q/reports.sql:1): its file would be reports_sql.gen.go, which another file of the package takes: rename the query file",
		"query OkRow (q/a.sql:6): OkRow is taken by query Ok (q/a.sql:5): rename the query",
		"query NoTable (q/a.sql:7): :copyfrom needs a table and a column for each parameter",
		`query Load (q/a.sql:8): parameters "user_id" and "userID" would both be the field UserID of LoadParams: rename one`,
		"query LoadParams (q/a.sql:9): LoadParams is taken by query Load (q/a.sql:8): rename the query",
	}
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q:\n%v", w, err)
		}
	}
}
