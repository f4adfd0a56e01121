package migrations_test

import (
	"fmt"
	"testing"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// BenchmarkDiff diffs a model of n tables against itself with 10% of its
// tables changed (a column added, a type widened, an index added), and
// emits the SQL: the work of generate after the schema is loaded. Its
// ns/table should stay flat from 100 to 1,000 tables.
func BenchmarkDiff(b *testing.B) {
	for _, n := range []int{100, 1000} {
		from, to := benchModel(n, false), benchModel(n, true)
		b.Run(fmt.Sprintf("tables=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var changes []migrations.Change
			for b.Loop() {
				var err error
				changes, err = migrations.Diff(from, to, migrations.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := migrations.SQL(changes); err != nil {
					b.Fatal(err)
				}
			}
			if want := 3 * n / 10; len(changes) != want {
				b.Fatalf("%d changes, want %d", len(changes), want)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/table")
		})
	}
}

// benchModel returns n tables like the loader benchmark's: eight columns,
// a primary key, a foreign key to the previous table and an index each,
// all using one enum. changed alters every tenth table.
func benchModel(n int, changed bool) *schema.Model {
	m := &schema.Model{Enums: []*schema.Enum{{Schema: "public", Name: "status", Values: []string{"OPEN", "CLOSED"}}}}
	for i := range n {
		name := fmt.Sprintf("table_%04d", i)
		t := &schema.Table{Schema: "public", Name: name, Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true, Identity: schema.IdentityByDefault},
			{Name: "name", Type: schema.Type{Name: "text"}, NotNull: true},
			{Name: "code", Type: schema.Type{Name: "character varying", Mod: "32"}, NotNull: true},
			{Name: "amount", Type: schema.Type{Name: "numeric", Mod: "18,8"}, NotNull: true, Default: "0"},
			{Name: "created_at", Type: schema.Type{Name: "timestamp with time zone"}, NotNull: true, Default: "now()"},
			{Name: "active", Type: schema.Type{Name: "boolean"}, NotNull: true, Default: "true"},
			{Name: "status", Type: schema.Type{Schema: "public", Name: "status"}, NotNull: true},
			{Name: "parent_id", Type: schema.Type{Name: "bigint"}},
		}}
		t.PrimaryKey = &schema.PrimaryKey{Name: name + "_pkey", Columns: []string{"id"}}
		if i > 0 {
			prev := fmt.Sprintf("table_%04d", i-1)
			t.ForeignKeys = []schema.ForeignKey{{Name: name + "_parent_id_" + prev + "_id_fk", Columns: []string{"parent_id"},
				RefSchema: "public", RefTable: prev, RefColumns: []string{"id"}}}
		}
		t.Indexes = []schema.Index{{Name: name + "_code_index", Elements: []schema.IndexElem{{Column: "code"}}}}
		if changed && i%10 == 0 {
			t.Columns = append(t.Columns, &schema.Column{Name: "note", Type: schema.Type{Name: "text"}})
			t.Columns[2].Type.Mod = "64"
			t.Indexes = append(t.Indexes, schema.Index{Name: name + "_name_index", Elements: []schema.IndexElem{{Column: "name"}}})
		}
		m.Tables = append(m.Tables, t)
	}
	m.Sort()
	return m
}

// BenchmarkParseSnapshot decodes the snapshot of a 1,000-table model, as
// ReadFolder does for every migration and generate for every run that the
// no-op memo does not answer.
func BenchmarkParseSnapshot(b *testing.B) {
	_, data := migrations.MarshalSnapshot(migrations.ZeroID, benchModel(1000, false))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := migrations.ParseSnapshot(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLint lints the first migration of a 1,000-table schema (every
// table new) and the next one, which changes a tenth of them, against
// the snapshot before it: the work of mizzle lint per migration.
func BenchmarkLint(b *testing.B) {
	from, to := benchModel(1000, false), benchModel(1000, true)
	sqlOf := func(changes []migrations.Change) []byte {
		stmts, err := migrations.SQL(changes)
		if err != nil {
			b.Fatal(err)
		}
		var out []byte
		for _, s := range stmts {
			out = append(out, s.SQL+";\n"...)
		}
		return out
	}
	first := sqlOf(migrations.Create(from))
	changes, err := migrations.Diff(from, to, migrations.Options{})
	if err != nil {
		b.Fatal(err)
	}
	next := sqlOf(changes)
	for _, c := range []struct {
		name   string
		sql    []byte
		before *schema.Model
		want   int
	}{
		{"first/tables=1000", first, &schema.Model{}, 0},
		// A lock-timeout finding, then an index per changed table; the
		// wider varchar keeps its bytes, so it is no finding.
		{"next/tables=1000", next, from, 1 + 100},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.sql)))
			b.ReportAllocs()
			var found []migrations.Finding
			for b.Loop() {
				found = migrations.LintSQL("0000_init.sql", c.sql, c.before, migrations.LintOptions{})
			}
			if len(found) != c.want {
				b.Fatalf("%d findings, want %d: %v", len(found), c.want, found[:min(len(found), 5)])
			}
		})
	}
}
