package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestModelSort(t *testing.T) {
	col := func(name string) *Column { return &Column{Name: name, Type: Type{Name: "text"}} }
	m := &Model{
		Schemas: []*Schema{{Name: "zeta"}, {Name: "app", Was: "old"}},
		Enums: []*Enum{
			{Schema: "public", Name: "status", Values: []string{"z", "a", "m"}},
			{Schema: "app", Name: "zone", Values: []string{"b", "a"}},
			{Schema: "app", Name: "color", Values: []string{"red", "green"}},
		},
		Tables: []*Table{
			{Schema: "public", Name: "users", Columns: []*Column{col("z"), col("a")}},
			{
				Schema:      "app",
				Name:        "orders",
				Columns:     []*Column{col("id"), col("total"), col("created_at")},
				PrimaryKey:  &PrimaryKey{Name: "orders_pkey", Columns: []string{"total", "id"}},
				Uniques:     []Unique{{Name: "u_b", Columns: []string{"b", "a"}}, {Name: "u_a", Columns: []string{"z"}}},
				Checks:      []Check{{Name: "c_z", Expr: "z"}, {Name: "c_a", Expr: "a"}, {Name: "c_m", Expr: "m"}},
				ForeignKeys: []ForeignKey{{Name: "fk_b", Columns: []string{"y", "x"}}, {Name: "fk_a"}},
				Indexes: []Index{
					{Name: "ix_b", Elements: []IndexElem{{Column: "z"}, {Column: "a"}}},
					{Name: "ix_a", Elements: []IndexElem{{Expr: "lower(x)"}}},
				},
			},
			{Schema: "app", Name: "accounts", Columns: []*Column{col("b"), col("a")}},
		},
	}
	want := &Model{
		Schemas: []*Schema{{Name: "app", Was: "old"}, {Name: "zeta"}},
		Enums: []*Enum{
			{Schema: "app", Name: "color", Values: []string{"red", "green"}},
			{Schema: "app", Name: "zone", Values: []string{"b", "a"}},
			{Schema: "public", Name: "status", Values: []string{"z", "a", "m"}},
		},
		Tables: []*Table{
			{Schema: "app", Name: "accounts", Columns: []*Column{col("b"), col("a")}},
			{
				Schema:      "app",
				Name:        "orders",
				Columns:     []*Column{col("id"), col("total"), col("created_at")},
				PrimaryKey:  &PrimaryKey{Name: "orders_pkey", Columns: []string{"total", "id"}},
				Uniques:     []Unique{{Name: "u_a", Columns: []string{"z"}}, {Name: "u_b", Columns: []string{"b", "a"}}},
				Checks:      []Check{{Name: "c_a", Expr: "a"}, {Name: "c_m", Expr: "m"}, {Name: "c_z", Expr: "z"}},
				ForeignKeys: []ForeignKey{{Name: "fk_a"}, {Name: "fk_b", Columns: []string{"y", "x"}}},
				Indexes: []Index{
					{Name: "ix_a", Elements: []IndexElem{{Expr: "lower(x)"}}},
					{Name: "ix_b", Elements: []IndexElem{{Column: "z"}, {Column: "a"}}},
				},
			},
			{Schema: "public", Name: "users", Columns: []*Column{col("z"), col("a")}},
		},
	}
	m.Sort()
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("Model.Sort() mismatch (-want +got):\n%s", diff)
	}
	// Sorting a sorted model changes nothing.
	m.Sort()
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("Model.Sort() twice mismatch (-want +got):\n%s", diff)
	}
	if got := m.Table("app", "orders"); got != m.Tables[1] {
		t.Errorf("Model.Table(%q, %q) = %v, want the orders table", "app", "orders", got)
	}
	if got := m.Table("public", "orders"); got != nil {
		t.Errorf("Model.Table(%q, %q) = %v, want nil", "public", "orders", got)
	}
	if got := m.Enum("app", "zone"); got != m.Enums[1] {
		t.Errorf("Model.Enum(%q, %q) = %v, want the zone enum", "app", "zone", got)
	}
	if got := m.Tables[1].Column("total"); got != m.Tables[1].Columns[1] {
		t.Errorf("Table.Column(%q) = %v, want the total column", "total", got)
	}
	if got := m.Tables[1].Column("nope"); got != nil {
		t.Errorf("Table.Column(%q) = %v, want nil", "nope", got)
	}
}

// richModel sets every field of every model type to a non-zero value.
func richModel() *Model {
	pos := func(line int) Position { return Position{Filename: "schema/models.go", Line: line, Column: 2} }
	statusGo := GoType{Kind: GoNamed, Path: "example.com/app/schema", Name: "Status"}
	n := func(v int64) *int64 { return &v }
	m := &Model{
		Schemas:    []*Schema{{Name: "app", Was: "application"}},
		Extensions: []*Extension{{Name: "citext", Schema: "app", Version: "1.6", Pos: pos(3)}},
		Sequences: []*Sequence{{
			Schema: "app", Name: "invoice_seq", Type: "integer", Was: "inv_seq", Pos: pos(4),
			Options: &SequenceOptions{Start: n(100), Increment: 5, MinValue: n(-5), MaxValue: n(100000), Cache: 10, Cycle: true},
		}},
		Enums: []*Enum{{
			Schema:  "app",
			Name:    "status",
			Values:  []string{"draft", "active", "archived"},
			Was:     "state",
			Comment: "Where an order is.",
			GoType:  statusGo,
			Pos:     pos(10),
		}},
		Tables: []*Table{{
			Schema:  "app",
			Name:    "orders",
			Was:     "purchases",
			Comment: "A customer's order.",
			Columns: []*Column{
				{
					Name:     "id",
					Comment:  "the key",
					Type:     Type{Name: "bigint"},
					NotNull:  true,
					Identity: IdentityAlways,
					Sequence: &SequenceOptions{Start: n(100), Increment: 5, MinValue: n(-5), MaxValue: n(1000000), Cache: 10, Cycle: true},
					GoField:  "ID",
					GoType:   GoType{Kind: GoNamed, Name: "int64"},
					Pos:      pos(21),
				},
				{
					Name:     "seq",
					Type:     Type{Name: "integer"},
					NotNull:  true,
					Identity: IdentityByDefault,
					GoField:  "Seq",
					GoType:   GoType{Kind: GoNamed, Name: "int32"},
					Pos:      pos(22),
				},
				{
					Name:    "status",
					Type:    Type{Schema: "app", Name: "status"},
					NotNull: true,
					Default: "'draft'",
					Was:     "state",
					GoField: "Status",
					GoType:  statusGo,
					Pos:     pos(23),
				},
				{
					Name:    "amount",
					Type:    Type{Name: "numeric", Mod: "18,8"},
					Default: "0",
					// Parsed texts are Normalize's, never in JSON.
					ParsedDefault: "0",
					GoField:       "Amount",
					GoType: GoType{Kind: GoNamed, Path: "database/sql", Name: "Null", TypeArgs: []GoType{
						{Kind: GoNamed, Path: "github.com/shopspring/decimal", Name: "Decimal"},
					}},
					Pos: pos(24),
				},
				{
					Name:            "total_cents",
					Type:            Type{Name: "bigint"},
					NotNull:         true,
					Generated:       "amount * 100",
					ParsedGenerated: "(amount * (100)::numeric)",
					GoField:         "Money.TotalCents",
					GoType:          GoType{Kind: GoNamed, Name: "int64"},
					Pos:             pos(25),
				},
				{
					Name: "slug", Type: Type{Name: "text"}, NotNull: true, Gen: "NewSlug", GoField: "Slug",
					GoType: GoType{Kind: GoNamed, Name: "string"}, Pos: pos(26),
				},
				{
					Name: "touched", Type: Type{Name: "text"}, NotNull: true, OnUpdate: "Touch", OnUpdateGen: true, GoField: "Touched",
					GoType: GoType{Kind: GoNamed, Name: "string"}, Pos: pos(27),
				},
				{
					Name:    "tags",
					Type:    Type{Name: "text", Array: true},
					GoField: "Tags",
					GoType:  GoType{Kind: GoSlice, Elem: &GoType{Kind: GoNamed, Name: "string"}},
					Pos:     pos(26),
				},
				{
					Name:    "meta",
					Type:    Type{Name: "jsonb"},
					GoField: "Meta",
					GoType: GoType{Kind: GoPointer, Elem: &GoType{Kind: GoMap,
						Key:  &GoType{Kind: GoNamed, Name: "string"},
						Elem: &GoType{Kind: GoAny}}},
					Pos: pos(27),
				},
				{
					Name:    "hash",
					Type:    Type{Name: "bytea"},
					NotNull: true,
					GoField: "Hash",
					GoType:  GoType{Kind: GoArray, Len: 32, Elem: &GoType{Kind: GoNamed, Name: "byte"}},
					Pos:     pos(28),
				},
			},
			PrimaryKey: &PrimaryKey{Name: "orders_pkey", Columns: []string{"id", "seq"}, Pos: pos(20)},
			Uniques: []Unique{{
				Name: "orders_hash_key", Columns: []string{"hash"}, NullsNotDistinct: true, Pos: pos(28),
			}},
			Checks: []Check{{Name: "orders_amount_check", Expr: "amount >= 0", Parsed: "amount >= (0)::numeric", Pos: pos(24)}},
			ForeignKeys: []ForeignKey{{
				Name:       "orders_status_fk",
				Columns:    []string{"status", "seq"},
				RefSchema:  "public",
				RefTable:   "statuses",
				RefColumns: []string{"name", "n"},
				OnDelete:   SetNull,
				OnUpdate:   Cascade,
				Pos:        pos(18),
			}},
			Indexes: []Index{{
				Name:   "orders_meta_idx",
				Unique: true,
				Method: "gin",
				Elements: []IndexElem{
					{Column: "meta", Opclass: "jsonb_path_ops"},
					{Expr: "lower(status::text)", ParsedExpr: "lower((status)::text)", Desc: true, Nulls: "last"},
				},
				Where:            "amount > 0",
				ParsedWhere:      "amount > (0)::numeric",
				NullsNotDistinct: true,
				Pos:              pos(17),
			}},
			RowSecurity: RowSecurity{Enabled: true, Forced: true},
			Policies: []Policy{{
				Name: "orders_own", Restrictive: true, Command: CommandUpdate, Roles: []string{"app", "audit"},
				Using: "amount > 0", WithCheck: "amount < 100", ParsedUsing: "(amount > 0)", ParsedWithCheck: "(amount < 100)", Was: "orders_mine", Pos: pos(16),
			}},
			Triggers: []Trigger{{
				Name: "orders_touch", Timing: TriggerBefore, Events: []string{"insert", "update"}, Columns: []string{"amount"}, Row: true,
				When: "new.amount > 0", ParsedWhen: "(new.amount > (0)::numeric)", FunctionSchema: "app", Function: "touch", Args: []string{"x"}, Pos: pos(20),
			}},
			Partition: &Partitioning{Strategy: PartitionHash, Columns: []string{"id"}, Pos: pos(15), Partitions: []Partition{{
				Name: "orders_0", Bound: "FOR VALUES WITH (modulus 2, remainder 0)", ParsedBound: "FOR VALUES WITH (modulus 2, remainder 0)", Pos: pos(15),
			}}},
			Doc:    "Orders are purchases.",
			GoType: GoType{Kind: GoNamed, Path: "example.com/app/schema", Name: "Order"},
			Pos:    pos(16),
			GoFields: []GoField{
				{Name: "ID", Type: GoType{Kind: GoNamed, Name: "int64"}},
				{Name: "Stamps", Type: GoType{Kind: GoNamed, Path: "example.com/app/schema", Name: "Stamps"}, Embedded: true, Fields: []GoField{
					{Name: "Raw", Type: GoType{Kind: GoNamed, Path: "encoding/json", Name: "RawMessage", NilZero: true, Incomparable: true}},
					{Name: "Inner", Type: GoType{Kind: GoNamed, Path: "example.com/app/schema", Name: "Inner"}, Embedded: true, Fields: []GoField{
						{Name: "N", Type: GoType{Kind: GoNamed, Name: "int"}},
					}},
				}},
			},
			Relations: []Relation{
				{Field: "Customer", Kind: BelongsTo, Pointer: true, Schema: "app", Table: "customers", Columns: []string{"customer_id"}, RefColumns: []string{"id"}, Pos: pos(18)},
				{Field: "Tags", Kind: ManyToMany, Schema: "app", Table: "tags", Columns: []string{"id"}, RefColumns: []string{"id"},
					Through: &Through{Schema: "app", Table: "order_tags", Columns: []string{"order_id"}, RefColumns: []string{"tag_id"}}, Pos: pos(19)},
			},
		}},
		Functions: []*Function{{
			Schema: "app", Name: "touch", Procedure: true, Args: "n integer", Signature: "(n integer DEFAULT 1)",
			Definition: "(n integer DEFAULT 1) LANGUAGE sql AS $$ SELECT 1 $$", ParsedSignature: "n integer DEFAULT 1",
			ParsedDefinition: "(n integer DEFAULT 1)\n LANGUAGE sql\nAS $procedure$ SELECT 1 $procedure$", File: "sql/touch.sql", Pos: pos(4),
		}},
		Views: []*View{{
			Schema: "app", Name: "open_orders", Was: "pending_orders",
			Columns:    []*Column{{Name: "id", Type: Type{Name: "bigint"}, Comment: "the order", GoField: "ID", GoType: GoType{Kind: GoNamed, Name: "int64"}, Pos: pos(21)}},
			Definition: "SELECT id FROM app.orders", ParsedDefinition: "SELECT orders.id FROM app.orders",
			Options: ViewOptions{SecurityInvoker: true, SecurityBarrier: true, CheckOption: CheckLocal},
			Comment: "Orders still open.", Doc: "OpenOrder is an order still open.",
			GoType: GoType{Kind: GoNamed, Path: "example.com/app/schema", Name: "OpenOrder"}, Pos: pos(20),
			GoFields: []GoField{{Name: "ID", Type: GoType{Kind: GoNamed, Name: "int64"}}},
		}, {
			Schema: "app", Name: "order_totals", Materialized: true, WithNoData: true,
			Columns:    []*Column{{Name: "id", Type: Type{Name: "bigint"}}},
			Definition: "SELECT id FROM app.orders",
			Indexes:    []Index{{Name: "order_totals_id", Unique: true, Elements: []IndexElem{{Column: "id"}}, Pos: pos(22)}},
		}},
		Go: GoPackage{Path: "example.com/app/schema", Name: "schema"},
		Seed: &SeedSettings{Var: "Seed", Pos: pos(30), Seed: 7, HasSeed: true, Count: 5, Tables: []SeedTable{{
			Name: "orders", Schema: "app", Table: "orders", Pos: pos(31), Count: 3,
			Columns: []SeedColumn{{Name: "status", Pos: pos(32), Skip: true, Values: []string{"a", "b"}, Weights: []float64{1, 2}, Range: &SeedRange{Min: 1, Max: 2}, Nulls: new(0.5), Func: "Status"}},
			With:    []SeedChildren{{Name: "order_tags", Schema: "app", Table: "order_tags", Pos: pos(33), Counts: []SeedWeighted{{Weight: 1, Min: 1, Max: 2}}}},
		}}, Fixtures: []SeedFixture{{Path: "example.com/app/fixtures", Name: "Defaults", Pos: pos(34)}}},
	}
	// A view's columns are a table's kind of column: those of the first
	// table set every field.
	m.Views[1].Columns = m.Tables[0].Clone().Columns
	m.Views[1].Indexes = append(m.Views[1].Indexes, m.Tables[0].Clone().Indexes...)
	return m
}

// TestRichModelIsRich guards richModel: a field added to the model must be
// set there, or the JSON round trip would not cover it.
func TestRichModelIsRich(t *testing.T) {
	checkSet(t, "Model", []reflect.Value{reflect.ValueOf(*richModel())})
}

// checkSet reports every field, recursively, that is zero in all of vals
// (values of one type: all the elements of a slice, say), so it is enough
// for one table, column or index to set a field.
func checkSet(t *testing.T, path string, vals []reflect.Value) {
	t.Helper()
	var set []reflect.Value
	for _, v := range vals {
		if !v.IsZero() {
			set = append(set, v)
		}
	}
	if len(set) == 0 {
		t.Errorf("richModel: %s is never set", path)
		return
	}
	var next []reflect.Value
	switch typ := set[0].Type(); typ.Kind() {
	case reflect.Pointer:
		for _, v := range set {
			next = append(next, v.Elem())
		}
		checkSet(t, path, next)
	case reflect.Slice:
		for _, v := range set {
			for i := range v.Len() {
				next = append(next, v.Index(i))
			}
		}
		checkSet(t, path+"[]", next)
	case reflect.Struct:
		if typ == reflect.TypeFor[GoType]() {
			// GoType is recursive and its fields depend on its kind; the
			// model sets every kind, and TestGoTypeString covers them.
			return
		}
		if typ == reflect.TypeFor[GoField]() {
			// GoField is recursive too, and never written: TestClone
			// covers it.
			return
		}
		for i := range typ.NumField() {
			next = next[:0]
			for _, v := range vals {
				next = append(next, v.Field(i))
			}
			checkSet(t, path+"."+typ.Field(i).Name, next)
		}
	}
}

func TestModelJSONRoundTrip(t *testing.T) {
	m := richModel()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("json.Marshal(richModel()): %v", err)
	}
	var got Model
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", data, err)
	}
	// GoFields and Relations are for the generator only and never
	// written: a relation is not a column, and snapshots hold none. Nor
	// do they hold how a database prints expressions back.
	for _, tb := range m.Tables {
		tb.GoFields = nil
		tb.Relations = nil
		for _, col := range tb.Columns {
			col.ParsedDefault, col.ParsedGenerated = "", ""
		}
		for i := range tb.Checks {
			tb.Checks[i].Parsed = ""
		}
		for i := range tb.Policies {
			tb.Policies[i].ParsedUsing, tb.Policies[i].ParsedWithCheck = "", ""
		}
		for i := range tb.Triggers {
			tb.Triggers[i].ParsedWhen = ""
		}
		for i := range tb.Partition.Partitions {
			tb.Partition.Partitions[i].ParsedBound = ""
		}
		for i := range tb.Indexes {
			tb.Indexes[i].ParsedWhere = ""
			for k := range tb.Indexes[i].Elements {
				tb.Indexes[i].Elements[k].ParsedExpr = ""
			}
		}
	}
	for _, f := range m.Functions {
		f.ParsedSignature, f.ParsedDefinition, f.File = "", "", ""
	}
	m.Seed = nil // mizzle seed's settings: never in a snapshot
	for _, v := range m.Views {
		v.GoFields, v.ParsedDefinition = nil, ""
		for _, col := range v.Columns {
			col.ParsedDefault, col.ParsedGenerated = "", ""
		}
		for i := range v.Indexes {
			v.Indexes[i].ParsedWhere = ""
			for k := range v.Indexes[i].Elements {
				v.Indexes[i].Elements[k].ParsedExpr = ""
			}
		}
	}
	if diff := cmp.Diff(m, &got); diff != "" {
		t.Errorf("json.Unmarshal(json.Marshal(richModel())) mismatch (-want +got):\n%s", diff)
	}
	again, err := json.Marshal(&got)
	if err != nil {
		t.Fatalf("json.Marshal(round-tripped model): %v", err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("json.Marshal is not stable:\nfirst:  %s\nsecond: %s", data, again)
	}
	twice, _ := json.Marshal(richModel())
	if !bytes.Equal(data, twice) {
		t.Errorf("json.Marshal(richModel()) differs between calls:\nfirst:  %s\nsecond: %s", data, twice)
	}
}

// TestModelJSONZero checks that zero parts are left out of the JSON.
func TestModelJSONZero(t *testing.T) {
	m := &Model{Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{{Name: "c", Type: Type{Name: "text"}}}}}}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	want := `{"tables":[{"schema":"public","name":"t","columns":[{"name":"c","type":{"name":"text"}}]}]}`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("json.Marshal(%s) mismatch (-want +got):\n%s", want, diff)
	}
}

func TestGoTypeString(t *testing.T) {
	named := func(path, name string) *GoType { return &GoType{Kind: GoNamed, Path: path, Name: name} }
	tests := []struct {
		want string
		typ  GoType
	}{
		{"int64", *named("", "int64")},
		{"time.Time", *named("time", "Time")},
		{"schema.Status", *named("example.com/app/schema", "Status")},
		{"*time.Time", GoType{Kind: GoPointer, Elem: named("time", "Time")}},
		{"**int", GoType{Kind: GoPointer, Elem: &GoType{Kind: GoPointer, Elem: named("", "int")}}},
		{"[]string", GoType{Kind: GoSlice, Elem: named("", "string")}},
		{"[][]byte", GoType{Kind: GoSlice, Elem: &GoType{Kind: GoSlice, Elem: named("", "byte")}}},
		{"[16]byte", GoType{Kind: GoArray, Len: 16, Elem: named("", "byte")}},
		{"[0]int", GoType{Kind: GoArray, Elem: named("", "int")}},
		{"[1000000]int", GoType{Kind: GoArray, Len: 1000000, Elem: named("", "int")}},
		{"map[string]any", GoType{Kind: GoMap, Key: named("", "string"), Elem: &GoType{Kind: GoAny}}},
		{"map[uuid.UUID]*time.Time", GoType{Kind: GoMap, Key: named("github.com/google/uuid", "UUID"), Elem: &GoType{Kind: GoPointer, Elem: named("time", "Time")}}},
		{"any", GoType{Kind: GoAny}},
		{"sql.Null[string]", GoType{Kind: GoNamed, Path: "database/sql", Name: "Null", TypeArgs: []GoType{*named("", "string")}}},
		{"pair.Pair[int, []uuid.UUID]", GoType{Kind: GoNamed, Path: "example.com/pair", Name: "Pair", TypeArgs: []GoType{
			*named("", "int"),
			{Kind: GoSlice, Elem: named("github.com/google/uuid", "UUID")},
		}}},
		{"?", GoType{}},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.typ.String()); diff != "" {
				t.Errorf("(%+v).String() mismatch (-want +got):\n%s", tt.typ, diff)
			}
		})
	}
}

// TestClone checks that Clone copies everything and shares nothing: after
// zeroing every scalar of the copy through reflection, the original still
// equals a fresh richModel.
func TestClone(t *testing.T) {
	m := richModel()
	c := m.Clone()
	if diff := cmp.Diff(m, c); diff != "" {
		t.Fatalf("Clone mismatch (-want +got):\n%s", diff)
	}
	scribble(reflect.ValueOf(c).Elem())
	if diff := cmp.Diff(richModel(), m); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
}

// scribble overwrites every string, bool and integer reachable from v.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			scribble(v.Field(i))
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	}
}

// TestKey: a foreign key matches a key by its set of columns, as
// PostgreSQL does, and only a key it could depend on.
func TestKey(t *testing.T) {
	tbl := &Table{
		PrimaryKey: &PrimaryKey{Name: "t_pkey", Columns: []string{"a", "b"}},
		Uniques:    []Unique{{Name: "t_ab_key", Columns: []string{"b", "a"}}, {Name: "t_c_key", Columns: []string{"c"}}},
		Indexes: []Index{
			{Name: "t_d_idx", Unique: true, Elements: []IndexElem{{Column: "e"}, {Column: "d"}}},
			{Name: "t_f_partial", Unique: true, Elements: []IndexElem{{Column: "f"}}, Where: "f > 0"},
			{Name: "t_g_plain", Elements: []IndexElem{{Column: "g"}}},
			{Name: "t_h_opclass", Unique: true, Elements: []IndexElem{{Column: "h", Opclass: "text_pattern_ops"}}},
			{Name: "t_i_expr", Unique: true, Elements: []IndexElem{{Column: "i"}, {Expr: "lower(i)"}}},
		},
	}
	for _, tt := range []struct {
		cols []string
		want string
	}{
		{[]string{"a", "b"}, "t_pkey"},
		{[]string{"b", "a"}, "t_pkey"}, // the primary key first, in either order
		{[]string{"c"}, "t_c_key"},
		{[]string{"d", "e"}, "t_d_idx"},
		{[]string{"a"}, ""},
		{[]string{"a", "b", "c"}, ""},
		{[]string{"a", "a"}, ""},
		{[]string{"f"}, ""},
		{[]string{"g"}, ""},
		{[]string{"h"}, ""},
		{[]string{"i"}, ""},
		{nil, ""},
	} {
		if got := tbl.Key(tt.cols); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.cols, got, tt.want)
		}
		if got := tbl.HasKey(tt.cols); got != (tt.want != "") {
			t.Errorf("HasKey(%q) = %v, want %v", tt.cols, got, tt.want != "")
		}
	}
}
