package studio_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/studio"
	"github.com/mizzle/mizzle/schema"
)

// catalogSetup is a small shop: every kind of relation the sidebar
// lists, and a table with every part a description has.
const catalogSetup = `
CREATE SCHEMA shop;
CREATE SCHEMA empty;
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE shop.customers (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL UNIQUE,
	name varchar(80)
);
COMMENT ON TABLE shop.customers IS 'people who buy';
COMMENT ON COLUMN shop.customers.email IS 'where receipts go';
INSERT INTO shop.customers (email) SELECT 'c' || i || '@example.com' FROM generate_series(1, 30) i;
ANALYZE shop.customers;
CREATE TABLE shop.orders (
	id serial PRIMARY KEY,
	customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES shop.customers (id),
	status shop.status NOT NULL DEFAULT 'new',
	total numeric(12,2) CONSTRAINT orders_total_check CHECK (total >= 0),
	total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
	placed_at timestamptz DEFAULT now()
);
CREATE INDEX orders_placed_idx ON shop.orders (placed_at);
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON shop.orders AS RESTRICTIVE FOR SELECT TO PUBLIC USING (customer_id > 0);
CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;
CREATE MATERIALIZED VIEW shop.order_counts AS SELECT customer_id, count(*) FROM shop.orders GROUP BY 1;
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public."Mixed Case" (x int);
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE public.imports (line text) SERVER files OPTIONS (filename '/dev/null');
CREATE TEMP TABLE scratch (x int);
`

// getJSON sends a GET to path and decodes the reply into v, failing the
// test unless the status is want.
func getJSON(t testing.TB, ts *testStudio, path string, want int, v any) {
	t.Helper()
	body, code := ts.get(t, path)
	if code != want {
		t.Fatalf("GET %s: status %d, want %d: %v", path, code, want, body)
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

// errorOf sends a GET to path and returns the error's message, failing
// the test unless the status is want.
func errorOf(t testing.TB, ts *testStudio, path string, want int) string {
	t.Helper()
	body, code := ts.get(t, path)
	if code != want {
		t.Fatalf("GET %s: status %d, want %d: %v", path, code, want, body)
	}
	e, _ := body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	if msg == "" {
		t.Fatalf("GET %s: no error message in %v", path, body)
	}
	return msg
}

type relationsReply struct {
	Schemas   []string `json:"schemas"`
	Relations []struct {
		Schema   string `json:"schema"`
		Name     string `json:"name"`
		Kind     string `json:"kind"`
		Estimate *int64 `json:"estimate"`
	} `json:"relations"`
}

func TestRelations(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	var got relationsReply
	getJSON(t, ts, "/api/relations", http.StatusOK, &got)
	if want := []string{"empty", "public", "shop"}; !slices.Equal(got.Schemas, want) {
		t.Errorf("schemas %q, want %q", got.Schemas, want)
	}
	type rel struct{ schema, name, kind, estimate string }
	var rels []rel
	for _, r := range got.Relations {
		e := "null"
		if r.Estimate != nil {
			e = "n"
			if r.Name == "customers" {
				e = strings.Repeat("n", int(*r.Estimate)/10) // 30 rows, analyzed
			}
		}
		rels = append(rels, rel{r.Schema, r.Name, r.Kind, e})
	}
	// The server orders names by the database's collation; the test
	// should not depend on which that is.
	slices.SortFunc(rels, func(a, b rel) int { return strings.Compare(a.schema+"."+a.name, b.schema+"."+b.name) })
	want := []rel{
		{"public", "Mixed Case", "table", "null"},
		{"public", "events", "partitioned", "null"},
		{"public", "events_2024", "table", "null"},
		{"public", "imports", "foreign", "null"},
		{"shop", "big_orders", "view", "null"},
		{"shop", "customers", "table", "nnn"},
		{"shop", "order_counts", "matview", "null"}, // filled, never analyzed
		{"shop", "orders", "table", "null"},
	}
	if !reflect.DeepEqual(rels, want) {
		t.Errorf("relations\n%v\nwant\n%v", rels, want)
	}
}

func TestRelationsSearch(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	for q, want := range map[string][]string{
		"ORD":     {"shop.big_orders", "shop.order_counts", "shop.orders"},
		"mixed c": {"public.Mixed Case"},
		"%":       {}, // a substring, not a pattern
		"_":       {"shop.big_orders", "shop.order_counts", "public.events_2024"},
		"nothing": {},
	} {
		var got relationsReply
		getJSON(t, ts, "/api/relations?q="+url.QueryEscape(q), http.StatusOK, &got)
		names := []string{}
		for _, r := range got.Relations {
			names = append(names, r.Schema+"."+r.Name)
		}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("q=%q: %q, want %q", q, names, want)
		}
		// The schemas stay: the sidebar's tree keeps its groups.
		if !slices.Equal(got.Schemas, []string{"empty", "public", "shop"}) {
			t.Errorf("q=%q: schemas %q", q, got.Schemas)
		}
	}
}

// TestRelationsNeverCount checks that the sidebar reads estimates from
// the catalog: one statement in the log, and no count(*) in it.
func TestRelationsNeverCount(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	before := len(logEntries(t, ts))
	var got relationsReply
	getJSON(t, ts, "/api/relations", http.StatusOK, &got)
	entries := logEntries(t, ts)[before:]
	if len(entries) != 1 {
		t.Fatalf("the sidebar ran %d statements, want 1: %v", len(entries), entries)
	}
	if strings.Contains(strings.ToLower(entries[0]), "count(") {
		t.Errorf("the sidebar counts rows: %s", entries[0])
	}
}

// logEntries returns the SQL of the operation log's entries, oldest
// first.
func logEntries(t testing.TB, ts *testStudio) []string {
	t.Helper()
	var log struct {
		Entries []struct {
			SQL string `json:"sql"`
		} `json:"entries"`
	}
	getJSON(t, ts, "/api/log", http.StatusOK, &log)
	var out []string
	for _, e := range log.Entries {
		out = append(out, e.SQL)
	}
	return out
}

// tableReply is GET /api/table's reply, as the page reads it.
type tableReply struct {
	Schema   string `json:"schema"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Estimate *int64 `json:"estimate"`
	Editable bool   `json:"editable"`
	Comment  string `json:"comment"`
	Columns  []struct {
		Name      string   `json:"name"`
		Type      string   `json:"type"`
		Nullable  bool     `json:"nullable"`
		Default   *string  `json:"default"`
		PK        bool     `json:"pk"`
		Identity  string   `json:"identity"`
		Generated bool     `json:"generated"`
		Enum      []string `json:"enum"`
		FK        *struct {
			Schema string `json:"schema"`
			Table  string `json:"table"`
			Column string `json:"column"`
		} `json:"fk"`
		AppDefault bool   `json:"app_default"`
		Comment    string `json:"comment"`
	} `json:"columns"`
	PrimaryKey  []string `json:"primary_key"`
	ForeignKeys []struct {
		Name       string   `json:"name"`
		Columns    []string `json:"columns"`
		RefSchema  string   `json:"ref_schema"`
		RefTable   string   `json:"ref_table"`
		RefColumns []string `json:"ref_columns"`
	} `json:"foreign_keys"`
	ReferencedBy []struct {
		Name       string   `json:"name"`
		Schema     string   `json:"schema"`
		Table      string   `json:"table"`
		Columns    []string `json:"columns"`
		RefColumns []string `json:"ref_columns"`
	} `json:"referenced_by"`
	Indexes []struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
		Unique     bool   `json:"unique"`
		Primary    bool   `json:"primary"`
	} `json:"indexes"`
	Constraints []struct {
		Name       string `json:"name"`
		Type       string `json:"type"`
		Definition string `json:"definition"`
	} `json:"constraints"`
	Triggers []struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
	} `json:"triggers"`
	Policies []struct {
		Name       string   `json:"name"`
		Command    string   `json:"command"`
		Permissive bool     `json:"permissive"`
		Roles      []string `json:"roles"`
		Using      *string  `json:"using"`
		Check      *string  `json:"check"`
	} `json:"policies"`
	RLS struct {
		Enabled bool `json:"enabled"`
		Forced  bool `json:"forced"`
	} `json:"rls"`
}

func TestTableDescription(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	var got tableReply
	getJSON(t, ts, "/api/table?schema=shop&name=orders", http.StatusOK, &got)
	if got.Schema != "shop" || got.Name != "orders" || got.Kind != "table" || got.Estimate != nil || !got.Editable || got.Comment != "" {
		t.Errorf("header: %+v", got)
	}
	type col struct {
		name, typ string
		nullable  bool
		def       string
		pk        bool
		identity  string
		generated bool
		enum      string
		fk        string
	}
	var cols []col
	for _, c := range got.Columns {
		d, fk := "NULL", ""
		if c.Default != nil {
			d = *c.Default
		}
		if c.FK != nil {
			fk = c.FK.Schema + "." + c.FK.Table + "." + c.FK.Column
		}
		cols = append(cols, col{c.Name, c.Type, c.Nullable, d, c.PK, c.Identity, c.Generated, strings.Join(c.Enum, ","), fk})
		if c.AppDefault {
			t.Errorf("column %s: an app-side default without a model", c.Name)
		}
	}
	want := []col{
		{"id", "integer", false, "nextval('shop.orders_id_seq'::regclass)", true, "", false, "", ""},
		{"customer_id", "bigint", false, "NULL", false, "", false, "", "shop.customers.id"},
		{"status", "shop.status", false, "'new'::shop.status", false, "", false, "new,paid,shipped", ""},
		{"total", "numeric(12,2)", true, "NULL", false, "", false, "", ""},
		{"total_cents", "bigint", true, "NULL", false, "", true, "", ""},
		{"placed_at", "timestamp with time zone", true, "now()", false, "", false, "", ""},
	}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns\n%v\nwant\n%v", cols, want)
	}
	if !slices.Equal(got.PrimaryKey, []string{"id"}) {
		t.Errorf("primary key %q", got.PrimaryKey)
	}
	if len(got.ForeignKeys) != 1 || got.ForeignKeys[0].Name != "orders_customer_fk" ||
		!slices.Equal(got.ForeignKeys[0].Columns, []string{"customer_id"}) || got.ForeignKeys[0].RefSchema != "shop" ||
		got.ForeignKeys[0].RefTable != "customers" || !slices.Equal(got.ForeignKeys[0].RefColumns, []string{"id"}) {
		t.Errorf("foreign keys %+v", got.ForeignKeys)
	}
	if len(got.ReferencedBy) != 0 {
		t.Errorf("referenced by %+v", got.ReferencedBy)
	}
	var idx []string
	for _, i := range got.Indexes {
		idx = append(idx, i.Name+"|"+i.Definition)
		if (i.Name == "orders_pkey") != (i.Unique && i.Primary) {
			t.Errorf("index %+v", i)
		}
	}
	if want := []string{
		"orders_pkey|CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)",
		"orders_placed_idx|CREATE INDEX orders_placed_idx ON shop.orders USING btree (placed_at)",
	}; !slices.Equal(idx, want) {
		t.Errorf("indexes %q, want %q", idx, want)
	}
	var cons []string
	for _, c := range got.Constraints {
		cons = append(cons, c.Name+"|"+c.Type+"|"+c.Definition)
	}
	if want := []string{
		"orders_customer_fk|foreign key|FOREIGN KEY (customer_id) REFERENCES shop.customers(id)",
		"orders_pkey|primary key|PRIMARY KEY (id)",
		"orders_total_check|check|CHECK ((total >= (0)::numeric))",
	}; !slices.Equal(cons, want) {
		t.Errorf("constraints %q, want %q", cons, want)
	}
	// The foreign key's own triggers are internal: only the user's shows.
	if len(got.Triggers) != 1 || got.Triggers[0].Name != "orders_touch" ||
		got.Triggers[0].Definition != "CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch()" {
		t.Errorf("triggers %+v", got.Triggers)
	}
	if len(got.Policies) != 1 {
		t.Fatalf("policies %+v", got.Policies)
	}
	p := got.Policies[0]
	if p.Name != "own_orders" || p.Command != "SELECT" || p.Permissive || !slices.Equal(p.Roles, []string{"public"}) ||
		p.Using == nil || *p.Using != "(customer_id > 0)" || p.Check != nil {
		t.Errorf("policy %+v", p)
	}
	if !got.RLS.Enabled || got.RLS.Forced {
		t.Errorf("rls %+v", got.RLS)
	}
}

func TestTableDescriptionOfAReferencedTable(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	var got tableReply
	getJSON(t, ts, "/api/table?schema=shop&name=customers", http.StatusOK, &got)
	if got.Comment != "people who buy" || got.Estimate == nil || *got.Estimate != 30 {
		t.Errorf("comment %q, estimate %v", got.Comment, got.Estimate)
	}
	if got.Columns[0].Identity != "a" || got.Columns[0].Default != nil || !got.Columns[0].PK {
		t.Errorf("id: %+v", got.Columns[0])
	}
	if got.Columns[1].Comment != "where receipts go" || got.Columns[2].Type != "character varying(80)" {
		t.Errorf("columns: %+v", got.Columns)
	}
	if len(got.ReferencedBy) != 1 {
		t.Fatalf("referenced by %+v", got.ReferencedBy)
	}
	r := got.ReferencedBy[0]
	if r.Name != "orders_customer_fk" || r.Schema != "shop" || r.Table != "orders" ||
		!slices.Equal(r.Columns, []string{"customer_id"}) || !slices.Equal(r.RefColumns, []string{"id"}) {
		t.Errorf("referenced by %+v", r)
	}
	if got.RLS.Enabled || len(got.Policies) != 0 || len(got.Triggers) != 0 || len(got.ForeignKeys) != 0 {
		t.Errorf("rls %+v, policies %+v, triggers %+v, foreign keys %+v", got.RLS, got.Policies, got.Triggers, got.ForeignKeys)
	}
}

// TestTableEditable checks the rule: a table with a primary key, in a
// studio that is not read-only.
func TestTableEditable(t *testing.T) {
	ts := newStudio(t, catalogSetup+`
		CREATE TABLE public.keyed_by_unique (code text NOT NULL UNIQUE);
		CREATE TABLE public.parts (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);`)
	for name, want := range map[string]bool{
		"shop.orders":            true,
		"shop.big_orders":        false, // a view
		"shop.order_counts":      false,
		"public.Mixed Case":      false, // no key
		"public.keyed_by_unique": false, // a key, but no primary key
		"public.parts":           true,  // partitioned, with a primary key
		"public.imports":         false,
	} {
		schema, table, _ := strings.Cut(name, ".")
		var got tableReply
		getJSON(t, ts, "/api/table?schema="+schema+"&name="+url.QueryEscape(table), http.StatusOK, &got)
		if got.Editable != want {
			t.Errorf("%s: editable %v, want %v", name, got.Editable, want)
		}
		if got.PrimaryKey == nil {
			t.Errorf("%s: primary_key is null, want a list", name)
		}
	}
	ro := newStudio(t, catalogSetup, func(o *studio.Options) { o.ReadOnly = true })
	var got tableReply
	getJSON(t, ro, "/api/table?schema=shop&name=orders", http.StatusOK, &got)
	if got.Editable {
		t.Error("read-only: shop.orders is editable")
	}
}

func TestTableAppDefaults(t *testing.T) {
	model := &schema.Model{Tables: []*schema.Table{{
		Schema: "shop", Name: "orders",
		Columns: []*schema.Column{
			{Name: "id"},
			{Name: "status", Gen: "NewStatus"},
			{Name: "placed_at", OnUpdate: "now()"},
			{Name: "gone", Gen: "Gone"}, // in the model, not in the database
		},
	}, {
		Schema: "shop", Name: "customers", Columns: []*schema.Column{{Name: "email", Gen: "NewEmail"}},
	}}}
	ts := newStudio(t, catalogSetup, func(o *studio.Options) { o.Model = model })
	var got tableReply
	getJSON(t, ts, "/api/table?schema=shop&name=orders", http.StatusOK, &got)
	var app []string
	for _, c := range got.Columns {
		if c.AppDefault {
			app = append(app, c.Name)
		}
	}
	if !slices.Equal(app, []string{"status"}) {
		t.Errorf("app-side defaults %q, want [status]", app)
	}
	getJSON(t, ts, "/api/table?schema=public&name=events", http.StatusOK, &got)
	for _, c := range got.Columns {
		if c.AppDefault {
			t.Errorf("public.events.%s: an app-side default of another table", c.Name)
		}
	}
}

func TestTableViewAndNames(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	var got tableReply
	getJSON(t, ts, "/api/table?schema=shop&name=big_orders", http.StatusOK, &got)
	if got.Kind != "view" || got.Estimate != nil || len(got.Columns) != 6 || len(got.PrimaryKey) != 0 || got.Columns[0].PK {
		t.Errorf("view: %+v", got)
	}
	getJSON(t, ts, "/api/table?schema=public&name="+url.QueryEscape("Mixed Case"), http.StatusOK, &got)
	if got.Name != "Mixed Case" || len(got.Columns) != 1 {
		t.Errorf("Mixed Case: %+v", got)
	}
	if _, err := ts.DB.Exec(t.Context(), `CREATE TABLE public.nothing ()`); err != nil {
		t.Fatal(err)
	}
	body, _ := ts.get(t, "/api/table?schema=public&name=nothing")
	if cols, ok := body["columns"].([]any); !ok || len(cols) != 0 {
		t.Errorf("a table of no columns: columns %#v, want []", body["columns"])
	}
}

func TestTableUnknown(t *testing.T) {
	ts := newStudio(t, catalogSetup)
	for path, want := range map[string]string{
		"/api/table?schema=shop&name=nope":        `no table or view "shop"."nope"`,
		"/api/table?schema=nope&name=orders":      `no schema "nope"`,
		"/api/table?schema=shop&name=orders_pkey": `no table or view "shop"."orders_pkey"`, // an index is no relation to browse
		"/api/table?schema=pg_temp&name=scratch":  `no schema "pg_temp"`,
	} {
		if msg := errorOf(t, ts, path, http.StatusNotFound); msg != want {
			t.Errorf("%s: %q, want %q", path, msg, want)
		}
	}
	if msg := errorOf(t, ts, "/api/table?schema=shop", http.StatusBadRequest); !strings.Contains(msg, "?name=") {
		t.Errorf("no name: %q", msg)
	}
}
