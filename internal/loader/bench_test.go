package loader_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// BenchmarkLoad loads generated schema packages of 100 and 1,000 tables,
// see schemaArchive, to show that loading stays linear in the number of
// tables. The time includes everything Load does: running the go command
// (go list), parsing and type-checking the package, and building the model.
// ns/table is the time of one Load divided by its tables.
//
// The part= sub-benchmarks split the 1,000-table load into its steps, to
// compare with tables=1000 (-bench 'BenchmarkLoad/tables=1000$' runs that
// one alone, for a profile): golist runs the go command as Load does (go list
// -compiled -export -deps, which checks the build cache for the package and
// its dependencies) and parses nothing; typecheck is packages.Load in the
// mode Load uses, so it adds parsing and type-checking. The rest of Load's
// time is mizzle's own model building. They are sub-benchmarks of the same
// benchmark so that -count interleaves them with the full loads, which
// keeps the comparison fair on a busy machine.
//
// Each module is written, and loaded once to warm the build cache, before
// any timed loop.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100, 1000} {
		dir, env := testmod.Write(b, schemaArchive(n, 100))
		cfg := loader.Config{Dir: dir, Env: env}
		loadTables(b, cfg, n) // warm-up: compiles export data once
		b.Run(fmt.Sprintf("tables=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				loadTables(b, cfg, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/table")
		})
		if n != 1000 {
			continue
		}
		parts := []struct {
			name string
			mode packages.LoadMode
		}{
			// The go list flags of typecheck's mode; export data is not read.
			{"golist", packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
				packages.NeedImports | packages.NeedExportFile},
			// The mode of loader.Load.
			{"typecheck", packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
				packages.NeedTypes | packages.NeedTypesInfo},
		}
		for _, part := range parts {
			b.Run(fmt.Sprintf("part=%s/tables=%d", part.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					pcfg := &packages.Config{Mode: part.mode, Dir: dir, Env: env}
					pkgs, err := packages.Load(pcfg, ".")
					if err != nil {
						b.Fatal(err)
					}
					if len(pkgs) != 1 || len(pkgs[0].Errors) > 0 || len(pkgs[0].GoFiles) != n/100+1 {
						b.Fatalf("unexpected packages: %v", pkgs)
					}
				}
			})
		}
	}
}

// BenchmarkLoadCached is BenchmarkLoad's 1,000-table load three ways, for
// benchstat to compare: cache=none is Load
// without a cache; cache=miss starts each load from an empty cache, so it
// adds hashing the inputs, encoding the model and writing the entry (a
// project's first generate); cache=hit finds the entry: it computes the
// key, reads and checks the entry, re-hashes every input and decodes the
// model, and starts no go command.
func BenchmarkLoadCached(b *testing.B) {
	const n = 1000
	dir, env := testmod.Write(b, schemaArchive(n, 100))
	loadTables(b, loader.Config{Dir: dir, Env: env}, n) // warm the build cache
	b.Run("cache=none", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loadTables(b, loader.Config{Dir: dir, Env: env}, n)
		}
	})
	b.Run("cache=miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			cache, err := os.MkdirTemp(b.TempDir(), "")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			loadTables(b, loader.Config{Dir: dir, Env: env, CacheDir: cache}, n)
		}
	})
	b.Run("cache=hit", func(b *testing.B) {
		hits := 0
		cfg := loader.Config{Dir: dir, Env: env, CacheDir: b.TempDir(), Logf: func(format string, args ...any) {
			if strings.HasPrefix(format, "loader: cache hit") {
				hits++
			}
		}}
		loadTables(b, cfg, n)
		b.ReportAllocs()
		for b.Loop() {
			loadTables(b, cfg, n)
		}
		if hits != b.N {
			b.Fatalf("%d hits in %d loads", hits, b.N)
		}
	})
}

// TestGeneratedSchemaLoads checks the generator of the benchmarks' schemas:
// 20 tables over three files load with their columns, the shared enum, one
// foreign key to the previous table (the first to itself) and one index
// each.
func TestGeneratedSchemaLoads(t *testing.T) {
	t.Parallel()
	const n = 20
	dir, env := testmod.Write(t, schemaArchive(n, 8))
	m := loadTables(t, loader.Config{Dir: dir, Env: env}, n)
	if len(m.Enums) != 1 || m.Enums[0].Name != "status" || len(m.Enums[0].Values) != 3 {
		t.Errorf("enums = %+v, want status with 3 values", m.Enums)
	}
	for i := range n {
		name := tableName(i)
		tbl := m.Table(schema.DefaultSchema, name)
		if tbl == nil {
			t.Errorf("table %s is missing", name)
			continue
		}
		if len(tbl.Columns) != len(columns) {
			t.Errorf("%s has %d columns, want %d", name, len(tbl.Columns), len(columns))
		}
		if tbl.PrimaryKey == nil || strings.Join(tbl.PrimaryKey.Columns, ",") != "id" {
			t.Errorf("%s primary key = %+v, want (id)", name, tbl.PrimaryKey)
		}
		want := tableName(max(i-1, 0))
		if len(tbl.ForeignKeys) != 1 || tbl.ForeignKeys[0].RefTable != want {
			t.Errorf("%s foreign keys = %+v, want one to %s", name, tbl.ForeignKeys, want)
		}
		if len(tbl.Indexes) != 1 || len(tbl.Indexes[0].Elements) != 2 {
			t.Errorf("%s indexes = %+v, want one on two columns", name, tbl.Indexes)
		}
	}
}

// loadTables loads the package in cfg and checks that it has n tables.
func loadTables(t testing.TB, cfg loader.Config, n int) *schema.Model {
	t.Helper()
	m, err := loader.Load(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Load: %s", formatErr(err, cfg.Dir))
	}
	if len(m.Tables) != n {
		t.Fatalf("loaded %d tables, want %d", len(m.Tables), n)
	}
	return m
}

// schemaArchive generates a schema package of n tables, perFile tables to a
// file, plus a file with the Status enum they share. Each table has eleven
// columns of mixed types (a primary key, text, nullable text, a timestamp
// with a default, a uuid, a numeric, a boolean, the enum, a text array and
// jsonb), a reference to the previous table (the first table references
// itself) and an index marker.
func schemaArchive(n, perFile int) *txtar.Archive {
	ar := &txtar.Archive{Files: []txtar.File{{Name: "status.go", Data: []byte(statusSource)}}}
	for first := 0; first < n; first += perFile {
		var b strings.Builder
		b.WriteString(tablesHeader)
		for i := first; i < min(first+perFile, n); i++ {
			writeTable(&b, i, max(i-1, 0))
		}
		name := fmt.Sprintf("tables_%04d.go", first/perFile)
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(b.String())})
	}
	return ar
}

func typeName(i int) string  { return fmt.Sprintf("Table%04d", i) }
func tableName(i int) string { return fmt.Sprintf("table_%04d", i) }

const statusSource = `package schema

// Status is the state of a row, a PostgreSQL enum.
type Status string

const (
	StatusOpen    Status = "open"
	StatusClosed  Status = "closed"
	StatusPending Status = "pending"
)
`

const tablesHeader = `package schema

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)
`

// columns are the fields of every generated table; %s in a tag is the type
// name of the referenced table.
var columns = []struct{ field, typ, tag string }{
	{"ID", "int64", "id,pk,identity"},
	{"ParentID", "*int64", "parent_id,ref:%s.ID,ondelete:set null"},
	{"Name", "string", "name"},
	{"Note", "*string", "note"},
	{"CreatedAt", "time.Time", "created_at,default:now()"},
	{"ExternalID", "uuid.UUID", "external_id,default:gen_random_uuid()"},
	{"Amount", "decimal.Decimal", "amount,type:numeric(18,8)"},
	{"Active", "bool", "active,default:true"},
	{"Status", "Status", "status,default:'open'"},
	{"Tags", "[]string", "tags"},
	{"Data", "json.RawMessage", "data"},
}

// writeTable writes table i, which references table ref.
func writeTable(b *strings.Builder, i, ref int) {
	fmt.Fprintf(b, "\n// %s is a generated table.\n//\n", typeName(i))
	fmt.Fprintf(b, "//mizzle:table %s\n", tableName(i))
	fmt.Fprintf(b, "//mizzle:index %s_status_created_idx (status, created_at DESC)\n", tableName(i))
	fmt.Fprintf(b, "type %s struct {\n", typeName(i))
	for _, c := range columns {
		tag := strings.ReplaceAll(c.tag, "%s", typeName(ref))
		fmt.Fprintf(b, "\t%-10s %-15s `db:%q`\n", c.field, c.typ, tag)
	}
	b.WriteString("}\n")
}
