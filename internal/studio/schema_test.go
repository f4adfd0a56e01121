package studio_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/studio"

	"github.com/google/go-cmp/cmp"
)

// schemaSetup is a small shop: a one-to-one profile, orders that may
// have no customer, a unique index making a key one-to-one, a foreign
// key to itself, a view, and a schema of its own referencing public.
const schemaSetup = `
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users, bio text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, parent_id bigint REFERENCES orders);
CREATE TABLE passports (id int PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);
CREATE UNIQUE INDEX passports_user ON passports (user_id);
CREATE VIEW big_orders AS SELECT id, user_id FROM orders WHERE id > 100;
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int PRIMARY KEY, order_id bigint NOT NULL REFERENCES public.orders);
`

// schemaReply is GET /api/schema's answer as the page reads it.
type schemaReply struct {
	Schemas []string `json:"schemas"`
	Tables  []struct {
		Schema, Name, Kind string
		External           bool
		Columns            []struct {
			Name, Type   string
			Nullable, PK bool
			FK           bool `json:"fk"`
		}
	}
	Edges []struct {
		Name     string
		From, To struct {
			Schema, Table string
			Columns       []string
		}
		Cardinality string
		Optional    bool
	}
}

func getSchema(t *testing.T, ts *testStudio, query string) schemaReply {
	t.Helper()
	body, code := ts.get(t, "/api/schema"+query)
	if code != http.StatusOK {
		t.Fatalf("GET /api/schema%s: status %d: %v", query, code, body)
	}
	data, _ := json.Marshal(body)
	var r schemaReply
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSchemaTablesAndEdges(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	r := getSchema(t, ts, "?schema=public")
	if !cmp.Equal(r.Schemas, []string{"public"}) {
		t.Errorf("schemas = %v, want [public]", r.Schemas)
	}
	var tables []string
	for _, tb := range r.Tables {
		tables = append(tables, tb.Schema+"."+tb.Name+" "+tb.Kind)
	}
	want := []string{"public.big_orders view", "public.orders table", "public.passports table", "public.profiles table", "public.users table"}
	if diff := cmp.Diff(want, tables); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	var cols []string
	for _, tb := range r.Tables {
		if tb.Name != "orders" {
			continue
		}
		for _, c := range tb.Columns {
			cols = append(cols, strings.Join([]string{c.Name, c.Type, mark(c.Nullable, "null"), mark(c.PK, "pk"), mark(c.FK, "fk")}, " "))
		}
	}
	wantCols := []string{"id bigint - pk -", "user_id bigint null - fk", "parent_id bigint null - fk"}
	if diff := cmp.Diff(wantCols, cols); diff != "" {
		t.Errorf("orders' columns (-want +got):\n%s", diff)
	}
	var edges []string
	for _, e := range r.Edges {
		edges = append(edges, e.From.Table+"("+strings.Join(e.From.Columns, ",")+") -> "+e.To.Schema+"."+e.To.Table+"("+
			strings.Join(e.To.Columns, ",")+") "+e.Cardinality+mark(e.Optional, " optional"))
	}
	wantEdges := []string{
		"orders(parent_id) -> public.orders(id) many-to-one optional",
		"orders(user_id) -> public.users(id) many-to-one optional",
		"passports(user_id) -> public.users(id) one-to-one", // by the unique index
		"profiles(user_id) -> public.users(id) one-to-one",  // by the primary key
	}
	if diff := cmp.Diff(wantEdges, edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
}

func mark(b bool, s string) string {
	if b {
		return s
	}
	if strings.HasPrefix(s, " ") {
		return ""
	}
	return "-"
}

// TestSchemaAllAndExternal reads every user schema by default, and draws
// a table of another schema that a foreign key references as a stub.
func TestSchemaAllAndExternal(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	all := getSchema(t, ts, "")
	if !cmp.Equal(all.Schemas, []string{"billing", "public"}) {
		t.Errorf("schemas = %v, want [billing public]", all.Schemas)
	}
	rel, _ := ts.get(t, "/api/relations")
	if got := fmt.Sprint(rel["schemas"]); got != fmt.Sprint(all.Schemas) {
		t.Errorf("the sidebar lists the schemas %s, the schema view %v", got, all.Schemas)
	}
	for _, tb := range all.Tables {
		if tb.External {
			t.Errorf("%s.%s is external, though its schema was read", tb.Schema, tb.Name)
		}
	}
	billing := getSchema(t, ts, "?schema=billing")
	var got []string
	for _, tb := range billing.Tables {
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, c.Name)
		}
		got = append(got, tb.Schema+"."+tb.Name+mark(tb.External, " external")+" "+strings.Join(cols, ","))
	}
	want := []string{"billing.invoices id,order_id", "public.orders external id"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("billing's tables (-want +got):\n%s", diff)
	}
}

func TestSchemaUnknown(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	body, code := ts.get(t, "/api/schema?schema=nope%3Cb%3E")
	if code != http.StatusNotFound {
		t.Fatalf("status %d, want 404: %v", code, body)
	}
	msg := body["error"].(map[string]any)["message"].(string)
	if msg != `no schema named "nope<b>" in the database` {
		t.Errorf("message = %q", msg)
	}
	if _, code := ts.get(t, "/api/er.svg?schema=nope"); code != http.StatusNotFound {
		t.Errorf("er.svg of an unknown schema: status %d, want 404", code)
	}
}

// TestSchemaLogged checks that the catalog queries introspection runs for
// the schema view reach the operation log, like every statement of the
// studio.
func TestSchemaLogged(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	getSchema(t, ts, "?schema=public")
	body, _ := ts.get(t, "/api/log")
	n := 0
	for _, e := range body["entries"].([]any) {
		sql := e.(map[string]any)["sql"].(string)
		if strings.Contains(sql, "pg_catalog.pg_constraint") || strings.Contains(sql, "pg_catalog.pg_attribute") {
			n++
		}
	}
	if n < 3 {
		t.Errorf("%d catalog queries in the log, want the introspection's and the schema view's own", n)
	}
}

func TestSchemaEmpty(t *testing.T) {
	ts := newStudio(t, "CREATE SCHEMA empty")
	r := getSchema(t, ts, "?schema=empty")
	if len(r.Tables) != 0 || len(r.Edges) != 0 || !cmp.Equal(r.Schemas, []string{"empty"}) {
		t.Errorf("got %+v, want the schema and no tables", r)
	}
}

// TestSchemaOtherKinds lists a partitioned table once (its partitions are
// its rows, not tables of the diagram), whether the model holds it or not
// (a key with an expression), and a materialized view, with their columns
// from the catalog.
func TestSchemaOtherKinds(t *testing.T) {
	ts := newStudio(t, `
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE MATERIALIZED VIEW event_days AS SELECT at, count(*) AS n FROM events GROUP BY at;
CREATE TABLE names (name text) PARTITION BY LIST (lower(name));
`)
	r := getSchema(t, ts, "?schema=public")
	var got []string
	for _, tb := range r.Tables {
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, c.Name+" "+c.Type+mark(c.PK, " pk")+mark(!c.Nullable, " not null"))
		}
		got = append(got, tb.Name+" "+tb.Kind+": "+strings.Join(cols, ", "))
	}
	want := []string{
		"event_days matview: at date, n bigint",
		"events partitioned: id bigint pk not null, at date pk not null",
		"names partitioned: name text",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

// TestSchemaReadOnly reads the schema and draws it in a read-only studio,
// whose sessions refuse anything but reading.
func TestSchemaReadOnly(t *testing.T) {
	ts := newStudio(t, schemaSetup, func(o *studio.Options) { o.ReadOnly = true })
	if r := getSchema(t, ts, ""); len(r.Tables) != 6 {
		t.Errorf("%d tables, want 6", len(r.Tables))
	}
	if _, code := ts.get(t, "/api/er.svg"); code != http.StatusOK {
		t.Errorf("er.svg: status %d", code)
	}
}

// BenchmarkSchemaAPI measures GET /api/er.svg and GET /api/schema of a
// 200-table schema through the whole studio: the catalog read in a
// read-only transaction, the layout, the SVG.
func BenchmarkSchemaAPI(b *testing.B) {
	ts := newStudio(b, tables200)
	for _, path := range []string{"/api/er.svg?schema=public", "/api/schema?schema=public"} {
		b.Run(strings.TrimPrefix(path[:strings.IndexByte(path, '?')], "/api/"), func(b *testing.B) {
			for b.Loop() {
				if _, code := ts.get(b, path); code != http.StatusOK {
					b.Fatalf("status %d", code)
				}
			}
		})
	}
}
