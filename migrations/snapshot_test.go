package migrations_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// richModel sets every field of the model, database state or not, and
// lists things out of canonical order, so stripping and sorting show.
func richModel() *schema.Model {
	pos := func(line int) schema.Position {
		return schema.Position{Filename: "/home/dev/app/schema/models.go", Line: line, Column: 2}
	}
	statusGo := schema.GoType{Kind: schema.GoNamed, Path: "example.com/app/schema", Name: "Status"}
	return &schema.Model{
		Schemas: []*schema.Schema{{Name: "billing"}, {Name: "app", Was: "application"}},
		Enums: []*schema.Enum{
			{Schema: "public", Name: "mood", Values: []string{"sad", "ok", "happy"}},
			{Schema: "app", Name: "status", Values: []string{"draft", "active", "archived"}, Was: "state", GoType: statusGo, Pos: pos(10)},
		},
		Tables: []*schema.Table{
			{
				Schema:     "public",
				Name:       "statuses",
				Columns:    []*schema.Column{{Name: "name", Type: schema.Type{Name: "text"}, NotNull: true}, {Name: "n", Type: schema.Type{Name: "integer"}, NotNull: true}},
				PrimaryKey: &schema.PrimaryKey{Name: "statuses_pkey", Columns: []string{"name", "n"}},
			},
			{
				Schema: "app",
				Name:   "orders",
				Was:    "purchases",
				Columns: []*schema.Column{
					{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true, Identity: schema.IdentityAlways,
						GoField: "ID", GoType: schema.GoType{Kind: schema.GoNamed, Name: "int64"}, Pos: pos(21)},
					{Name: "seq", Type: schema.Type{Name: "integer"}, NotNull: true, Identity: schema.IdentityByDefault,
						GoField: "Seq", GoType: schema.GoType{Kind: schema.GoNamed, Name: "int32"}, Pos: pos(22)},
					{Name: "status", Type: schema.Type{Schema: "app", Name: "status"}, NotNull: true, Default: "'draft'", Was: "state",
						GoField: "Status", GoType: statusGo, Pos: pos(23)},
					{Name: "amount", Type: schema.Type{Name: "numeric", Mod: "18,8"}, Default: "0", ParsedDefault: "0", GoField: "Amount", Pos: pos(24),
						GoType: schema.GoType{Kind: schema.GoNamed, Path: "database/sql", Name: "Null", TypeArgs: []schema.GoType{
							{Kind: schema.GoNamed, Path: "github.com/shopspring/decimal", Name: "Decimal"},
						}}},
					{Name: "total_cents", Type: schema.Type{Name: "bigint"}, NotNull: true, Generated: "amount * 100", ParsedGenerated: "(amount * (100)::numeric)",
						GoField: "Money.TotalCents", GoType: schema.GoType{Kind: schema.GoNamed, Name: "int64"}, Pos: pos(25)},
					{Name: "tags", Type: schema.Type{Name: "text", Array: true}, GoField: "Tags", Pos: pos(26),
						GoType: schema.GoType{Kind: schema.GoSlice, Elem: &schema.GoType{Kind: schema.GoNamed, Name: "string"}}},
					{Name: "note", Type: schema.Type{Name: "text"}, NotNull: true, Default: "'<none> & \"more\"'", GoField: "Note", Pos: pos(27),
						GoType: schema.GoType{Kind: schema.GoNamed, Name: "string"}},
				},
				PrimaryKey: &schema.PrimaryKey{Name: "orders_pkey", Columns: []string{"id", "seq"}, Pos: pos(20)},
				Uniques: []schema.Unique{
					{Name: "orders_tags_key", Columns: []string{"tags"}, NullsNotDistinct: true, Pos: pos(26)},
					{Name: "orders_note_key", Columns: []string{"note"}, Pos: pos(27)},
				},
				Checks: []schema.Check{
					{Name: "orders_note_check", Expr: "note <> ''", Pos: pos(27)},
					{Name: "orders_amount_check", Expr: "amount >= 0", Parsed: "amount >= (0)::numeric", Pos: pos(24)},
				},
				ForeignKeys: []schema.ForeignKey{{
					Name: "orders_status_fk", Columns: []string{"status", "seq"}, RefSchema: "public", RefTable: "statuses",
					RefColumns: []string{"name", "n"}, OnDelete: schema.SetNull, OnUpdate: schema.Cascade, Pos: pos(18),
				}},
				Indexes: []schema.Index{
					{Name: "orders_tags_idx", Method: "gin", Elements: []schema.IndexElem{{Column: "tags"}}, Pos: pos(16)},
					{
						Name: "orders_lower_status_idx", Unique: true, Method: "btree",
						Elements: []schema.IndexElem{
							{Column: "note", Opclass: "text_pattern_ops"},
							{Expr: "lower(status::text)", ParsedExpr: "lower((status)::text)", Desc: true, Nulls: "last"},
						},
						Where: "amount > 0", ParsedWhere: "amount > (0)::numeric", NullsNotDistinct: true, Pos: pos(17),
					},
				},
				Doc:    "Orders are purchases.",
				GoType: schema.GoType{Kind: schema.GoNamed, Path: "example.com/app/schema", Name: "Order"},
				Pos:    pos(16),
			},
		},
		Go: schema.GoPackage{Path: "example.com/app/schema", Name: "schema"},
	}
}

// loadTrading loads the trading example of the shared corpus, as the
// loader gives it to generate: positions, Go types and a rename hint
// included.
func loadTrading(t *testing.T) *schema.Model {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "schemas", "trading.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	dir, env := testmod.Write(t, ar)
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// strippedFields lists, for each type of the model, the fields a snapshot
// leaves out. TestStripKnowsEveryField makes a new field of the model fail
// until it is listed here or in keptFields: whether the database has it is
// a decision, not a default.
var strippedFields = map[string][]string{
	"Model":      {"Go", "Seed"},
	"Extension":  {"Pos"},
	"Sequence":   {"Was", "Pos"},
	"Schema":     {"Was"},
	"Enum":       {"Was", "GoType", "Pos"},
	"Table":      {"Was", "Doc", "GoType", "Pos", "GoFields", "Relations"},
	"Column":     {"Was", "GoField", "GoType", "Pos", "Gen", "OnUpdate", "OnUpdateGen", "ParsedDefault", "ParsedGenerated"},
	"PrimaryKey": {"Pos"}, "Unique": {"Pos"}, "Check": {"Pos", "Parsed"}, "ForeignKey": {"Pos"}, "Index": {"Pos", "ParsedWhere"},
	"IndexElem":    {"ParsedExpr"},
	"Policy":       {"Pos", "ParsedUsing", "ParsedWithCheck", "Was"},
	"Function":     {"Pos", "File", "ParsedSignature", "ParsedDefinition"},
	"Trigger":      {"Pos", "ParsedWhen"},
	"Partitioning": {"Pos"}, "Partition": {"Pos", "ParsedBound"},
	// A view's columns also lose NotNull, which PostgreSQL keeps for no
	// view (TestSnapshotViews).
	"View": {"Was", "Doc", "GoType", "Pos", "GoFields", "ParsedDefinition"},
}

var keptFields = map[string][]string{
	"Model":        {"Schemas", "Extensions", "Sequences", "Enums", "Tables", "Functions", "Views"},
	"View":         {"Schema", "Name", "Materialized", "Columns", "Definition", "Options", "WithNoData", "Indexes", "Comment"},
	"ViewOptions":  {"SecurityInvoker", "SecurityBarrier", "CheckOption"},
	"Extension":    {"Name", "Schema", "Version"},
	"Sequence":     {"Schema", "Name", "Type", "Options"},
	"Schema":       {"Name"},
	"Enum":         {"Schema", "Name", "Values", "Comment"},
	"Table":        {"Schema", "Name", "Columns", "PrimaryKey", "Uniques", "Checks", "ForeignKeys", "Indexes", "RowSecurity", "Policies", "Triggers", "Partition", "Comment"},
	"Column":       {"Name", "Type", "NotNull", "Default", "Identity", "Sequence", "Generated", "Comment"},
	"PrimaryKey":   {"Name", "Columns"},
	"Unique":       {"Name", "Columns", "NullsNotDistinct"},
	"Check":        {"Name", "Expr"},
	"ForeignKey":   {"Name", "Columns", "RefSchema", "RefTable", "RefColumns", "OnDelete", "OnUpdate"},
	"Index":        {"Name", "Unique", "Method", "Elements", "Where", "NullsNotDistinct"},
	"IndexElem":    {"Column", "Expr", "Opclass", "Desc", "Nulls"},
	"Type":         {"Schema", "Name", "Mod", "Array"},
	"RowSecurity":  {"Enabled", "Forced"},
	"Policy":       {"Name", "Restrictive", "Command", "Roles", "Using", "WithCheck"},
	"Function":     {"Schema", "Name", "Procedure", "Args", "Signature", "Definition"},
	"Trigger":      {"Name", "Timing", "Events", "Columns", "Row", "When", "FunctionSchema", "Function", "Args"},
	"Partitioning": {"Strategy", "Columns", "Partitions"},
	"Partition":    {"Name", "Bound"},

	"SequenceOptions": {"Start", "Increment", "MinValue", "MaxValue", "Cache", "Cycle"},
}

func TestStripKnowsEveryField(t *testing.T) {
	types := []any{schema.Model{}, schema.Schema{}, schema.Extension{}, schema.Sequence{}, schema.SequenceOptions{}, schema.Enum{}, schema.Table{}, schema.Column{}, schema.PrimaryKey{},
		schema.Unique{}, schema.Check{}, schema.ForeignKey{}, schema.Index{}, schema.IndexElem{}, schema.Type{},
		schema.RowSecurity{}, schema.Policy{}, schema.Function{}, schema.Trigger{}, schema.Partitioning{}, schema.Partition{}, schema.View{}, schema.ViewOptions{}}
	for _, v := range types {
		typ := reflect.TypeOf(v)
		known := map[string]bool{}
		for _, f := range append(strippedFields[typ.Name()], keptFields[typ.Name()]...) {
			known[f] = true
		}
		for i := range typ.NumField() {
			if f := typ.Field(i).Name; !known[f] {
				t.Errorf("schema.%s.%s: decide whether snapshots keep it (database state) or Strip removes it, and list it in this test", typ.Name(), f)
			}
		}
	}
}

func TestStrip(t *testing.T) {
	m := richModel()
	before := richModel()
	s := migrations.Strip(m)
	if diff := cmp.Diff(before, m); diff != "" {
		t.Fatalf("Strip changed its input (-before +after):\n%s", diff)
	}
	// Nothing stripped is left, at any depth.
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(path+"[]", v.Index(i))
			}
		case reflect.Struct:
			for _, f := range strippedFields[v.Type().Name()] {
				if !v.FieldByName(f).IsZero() {
					t.Errorf("Strip left %s.%s set", path, f)
				}
			}
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("Model", reflect.ValueOf(s))

	// Sorted, and the database state kept.
	want := before.Clone()
	want.Sort()
	if got := []string{s.Tables[0].Name, s.Enums[0].Name, s.Schemas[0].Name, s.Tables[0].Indexes[0].Name}; !reflect.DeepEqual(got,
		[]string{"orders", "status", "app", "orders_lower_status_idx"}) {
		t.Errorf("Strip did not sort: %q", got)
	}
	opts := cmp.Options{
		cmp.FilterPath(func(p cmp.Path) bool {
			if sf, ok := p.Last().(cmp.StructField); ok {
				for _, f := range strippedFields[p.Index(-2).Type().Name()] {
					if sf.Name() == f {
						return true
					}
				}
			}
			return false
		}, cmp.Ignore()),
	}
	if diff := cmp.Diff(want, s, opts); diff != "" {
		t.Errorf("Strip lost database state (-want +got):\n%s", diff)
	}

	if got := migrations.Strip(nil); got == nil || len(got.Tables) != 0 {
		t.Errorf("Strip(nil) = %v, want an empty model", got)
	}
}

// TestStripNormalisesEmptyLists: a model from Go (nil lists) and the same
// model read back from JSON (empty lists) must hash alike.
func TestStripNormalisesEmptyLists(t *testing.T) {
	a := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: nil, Uniques: []schema.Unique{}}},
		Enums: []*schema.Enum{{Schema: "public", Name: "e"}}, Schemas: []*schema.Schema{}}
	b := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{}}},
		Enums: []*schema.Enum{{Schema: "public", Name: "e", Values: []string{}}}}
	if diff := cmp.Diff(migrations.Strip(a), migrations.Strip(b)); diff != "" {
		t.Errorf("Strip of equal models differs (-a +b):\n%s", diff)
	}
	ida, _ := migrations.MarshalSnapshot(migrations.ZeroID, a)
	idb, _ := migrations.MarshalSnapshot(migrations.ZeroID, b)
	if ida != idb {
		t.Errorf("ids differ: %s, %s", ida, idb)
	}
}

func TestMarshalSnapshot(t *testing.T) {
	trading := loadTrading(t)
	tests := []struct {
		name   string
		prevID string
		m      *schema.Model
	}{
		{"empty", migrations.ZeroID, &schema.Model{}},
		{"rich", migrations.ZeroID, richModel()},
		{"trading", "6c1b0c2e-4a8e-5d0f-9a57-0a6d2bb2c9a1", trading},
		{"rls", migrations.ZeroID, rlsModel()},
		{"partition", migrations.ZeroID, partitionModel()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, data := migrations.MarshalSnapshot(tt.prevID, tt.m)
			golden.Check(t, filepath.Join("testdata", "folder", "golden", "snapshot_"+tt.name+".json"), data)

			// Deterministic: same input, same bytes.
			id2, data2 := migrations.MarshalSnapshot(tt.prevID, tt.m.Clone())
			if id2 != id || string(data2) != string(data) {
				t.Errorf("MarshalSnapshot is not deterministic")
			}
			u, err := uuid.Parse(id)
			if err != nil || u.Version() != 5 {
				t.Errorf("id %q is not a version 5 UUID: %v", id, err)
			}
			for _, key := range []string{`"pos"`, `"goType"`, `"goField"`, `"doc"`, `"was"`, `"go"`, `\u003`} {
				if strings.Contains(string(data), key) {
					t.Errorf("snapshot contains %s", key)
				}
			}

			// Round trip: read back, the stripped model; written again,
			// the same bytes.
			s, err := migrations.ParseSnapshot(data)
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != id || s.PrevID != tt.prevID || s.DrizzleKit {
				t.Errorf("ParseSnapshot = {%s %s %v}, want {%s %s false}", s.ID, s.PrevID, s.DrizzleKit, id, tt.prevID)
			}
			if diff := cmp.Diff(migrations.Strip(tt.m), s.Model); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
			if id3, data3 := migrations.MarshalSnapshot(s.PrevID, s.Model); id3 != id || string(data3) != string(data) {
				t.Errorf("re-marshalled snapshot differs")
			}
		})
	}
}

// TestSnapshotID pins what the id depends on: the parent and the database
// state, nothing else.
func TestSnapshotID(t *testing.T) {
	base, _ := migrations.MarshalSnapshot(migrations.ZeroID, richModel())

	goOnly := richModel()
	goOnly.Tables[1].Columns[0].GoField = "Ident"
	goOnly.Tables[1].Doc = "Different doc."
	goOnly.Enums[1].Pos.Line = 99
	goOnly.Tables[1].Columns[2].Was = ""
	goOnly.Tables[0], goOnly.Tables[1] = goOnly.Tables[1], goOnly.Tables[0]
	if id, _ := migrations.MarshalSnapshot(migrations.ZeroID, goOnly); id != base {
		t.Errorf("id changed with Go-side details only: %s, want %s", id, base)
	}

	db := richModel()
	db.Tables[1].Columns[0].NotNull = false
	if id, _ := migrations.MarshalSnapshot(migrations.ZeroID, db); id == base {
		t.Error("id did not change with the database state")
	}
	if id, _ := migrations.MarshalSnapshot(base, richModel()); id == base {
		t.Error("id did not change with the parent")
	}
}

// drizzleSnapshot is a drizzle-kit v7 snapshot, abridged.
const drizzleSnapshot = `{
  "id": "2a6e3f08-7c4b-4d4a-9b1f-0f6f1c1d2e3f",
  "prevId": "00000000-0000-0000-0000-000000000000",
  "version": "7",
  "dialect": "postgresql",
  "tables": {
    "public.users": {
      "name": "users",
      "schema": "",
      "columns": {
        "id": {
          "name": "id",
          "type": "serial",
          "primaryKey": true,
          "notNull": true
        }
      },
      "indexes": {},
      "foreignKeys": {},
      "compositePrimaryKeys": {},
      "uniqueConstraints": {},
      "policies": {},
      "checkConstraints": {},
      "isRLSEnabled": false
    }
  },
  "enums": {},
  "schemas": {},
  "sequences": {},
  "roles": {},
  "policies": {},
  "views": {},
  "_meta": {
    "columns": {},
    "schemas": {},
    "tables": {}
  }
}`

func TestParseSnapshot(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *migrations.Snapshot
		err  string
	}{
		{
			name: "drizzle-kit v7",
			in:   drizzleSnapshot,
			want: &migrations.Snapshot{ID: "2a6e3f08-7c4b-4d4a-9b1f-0f6f1c1d2e3f", PrevID: migrations.ZeroID, DrizzleKit: true},
		},
		{
			name: "drizzle-kit v5 with the old dialect name",
			in:   `{"id": "a", "prevId": "b", "version": "5", "dialect": "pg", "tables": {}}`,
			want: &migrations.Snapshot{ID: "a", PrevID: "b", DrizzleKit: true},
		},
		{
			// drizzle-kit's introspection writes the zero id and an
			// empty prevId.
			name: "drizzle-kit pull",
			in:   `{"id": "00000000-0000-0000-0000-000000000000", "prevId": "", "version": "7", "dialect": "postgresql", "tables": {}, "internal": {}}`,
			want: &migrations.Snapshot{ID: migrations.ZeroID, DrizzleKit: true},
		},
		{
			name: "mizzle, empty lists",
			in:   `{"id": "x", "prevId": "y", "version": "mizzle/1", "dialect": "postgresql", "schemas": [], "enums": [], "tables": []}`,
			want: &migrations.Snapshot{ID: "x", PrevID: "y", Model: &schema.Model{}},
		},
		{
			name: "mizzle, lists left out",
			in:   `{"id": "x", "prevId": "y", "version": "mizzle/1", "dialect": "postgresql"}`,
			want: &migrations.Snapshot{ID: "x", PrevID: "y", Model: &schema.Model{}},
		},
		{
			name: "mizzle, out of order and with Go details",
			in: `{"id": "x", "prevId": "y", "version": "mizzle/1", "dialect": "postgresql", "tables": [
				{"schema": "public", "name": "b", "columns": [{"name": "c", "type": {"name": "text"}, "goField": "C"}]},
				{"schema": "public", "name": "a", "columns": [], "pos": {"file": "x.go", "line": 3}}]}`,
			want: &migrations.Snapshot{ID: "x", PrevID: "y", Model: &schema.Model{Tables: []*schema.Table{
				{Schema: "public", Name: "a", Columns: []*schema.Column{}},
				{Schema: "public", Name: "b", Columns: []*schema.Column{{Name: "c", Type: schema.Type{Name: "text"}}}},
			}}},
		},
		{name: "newer mizzle", in: `{"id": "x", "version": "mizzle/2", "dialect": "postgresql", "tables": []}`,
			err: `snapshot version "mizzle/2" is not one this mizzle reads ("mizzle/1", or drizzle-kit's): update mizzle`},
		{name: "drizzle-kit v8", in: `{"id": "x", "prevIds": [], "version": "8", "dialect": "postgres", "ddl": []}`,
			err: `snapshot version "8" is not one this mizzle reads ("mizzle/1", or drizzle-kit's): update mizzle`},
		{name: "mysql", in: `{"id": "x", "prevId": "", "version": "5", "dialect": "mysql", "tables": {}}`,
			err: `drizzle-kit snapshot for dialect "mysql", not "postgresql": mizzle manages PostgreSQL migrations only`},
		{name: "mizzle, wrong dialect", in: `{"id": "x", "version": "mizzle/1", "dialect": "sqlite"}`,
			err: `dialect is "sqlite", not "postgresql": mizzle manages PostgreSQL migrations only`},
		{name: "no id", in: `{"prevId": "y", "version": "mizzle/1", "dialect": "postgresql"}`, err: `has no "id"`},
		{name: "drizzle-kit, no id", in: `{"prevId": "y", "version": "7", "dialect": "postgresql", "tables": {}}`, err: `has no "id"`},
		{name: "syntax", in: "{\n  \"id\": \"x\",\n}", err: `3:1: not valid JSON: invalid character '}' looking for beginning of object key string`},
		{name: "type", in: "{\"id\": \"x\", \"version\": \"mizzle/1\", \"dialect\": \"postgresql\",\n\"tables\": [{\"columns\": {}}]}",
			err: `2:24: "tables.columns" is a JSON object, want an array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := migrations.ParseSnapshot([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseSnapshot error\n got %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSnapshot mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSnapshotPath(t *testing.T) {
	for tag, want := range map[string]string{
		"0000_init":               "0000_snapshot.json",
		"0012_add_trailing_stop":  "0012_snapshot.json",
		"20240101120000_add_user": "20240101120000_snapshot.json",
		"custom":                  "custom_snapshot.json",
	} {
		if got := migrations.SnapshotFile(tag); got != want {
			t.Errorf("SnapshotFile(%q) = %q, want %q", tag, got, want)
		}
		if got := migrations.SnapshotPath(tag); got != "meta/"+want {
			t.Errorf("SnapshotPath(%q) = %q, want %q", tag, got, "meta/"+want)
		}
	}
}

// rlsModel has row security in each state and policies with every field,
// roles out of order and an empty role list, as a loader or an
// introspection might give them.
func rlsModel() *schema.Model {
	id := func() []*schema.Column {
		return []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}}
	}
	return &schema.Model{Tables: []*schema.Table{
		{Schema: "public", Name: "docs", Columns: id(), RowSecurity: schema.RowSecurity{Enabled: true, Forced: true},
			Policies: []schema.Policy{
				{Name: "z_read", Command: schema.CommandSelect, Roles: []string{"reader", "auditor"}, Using: "id > 0",
					Pos: schema.Position{Filename: "schema.go", Line: 3, Column: 1}},
				{Name: "a_guard", Restrictive: true, Roles: []string{}, Using: "id <> 13", WithCheck: "id <> 13"},
			}},
		{Schema: "public", Name: "notes", Columns: id(), RowSecurity: schema.RowSecurity{Enabled: true}},
		{Schema: "public", Name: "plain", Columns: id()},
	}}
}

// partitionModel has a partitioned table with partitions out of order and
// one without partitions, as a loader or an introspection might give them.
func partitionModel() *schema.Model {
	cols := func() []*schema.Column {
		return []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
			{Name: "at", Type: schema.Type{Name: "date"}, NotNull: true}}
	}
	return &schema.Model{Tables: []*schema.Table{
		{Schema: "public", Name: "events", Columns: cols(), Partition: &schema.Partitioning{
			Strategy: schema.PartitionRange, Columns: []string{"at", "id"}, Pos: schema.Position{Filename: "schema.go", Line: 3, Column: 1},
			Partitions: []schema.Partition{
				{Name: "events_z", Bound: schema.DefaultBound, Pos: schema.Position{Filename: "schema.go", Line: 4, Column: 1}},
				{Name: "events_a", Bound: "FOR VALUES FROM ('2026-01-01', 0) TO ('2027-01-01', 0)", ParsedBound: "FOR VALUES FROM ('2026-01-01', 0) TO ('2027-01-01', 0)"},
			}}},
		{Schema: "public", Name: "empty", Columns: cols(), Partition: &schema.Partitioning{
			Strategy: schema.PartitionHash, Columns: []string{"id"}, Partitions: []schema.Partition{}}},
		{Schema: "public", Name: "plain", Columns: cols()},
	}}
}
