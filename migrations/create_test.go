package migrations_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestCreate plans the creation of each schema of the shared corpus (testdata/schemas),
// compares the SQL with testdata/create/<case>.sql, applies it to a fresh
// database, and checks that PostgreSQL has exactly the tables, columns,
// constraints and indexes the model names.
func TestCreate(t *testing.T) {
	files, err := filepath.Glob("../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in the loader's corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := testmod.Load(t, file)
			stmts, err := migrations.SQL(migrations.Create(m))
			if err != nil {
				t.Fatal(err)
			}
			var sql strings.Builder
			for _, s := range stmts {
				sql.WriteString(s.SQL + "\n")
			}
			golden.Check(t, filepath.Join("testdata", "create", name+".sql"), []byte(sql.String()))

			ctx := context.Background()
			conn := pgtest.Connect(t)
			for _, s := range stmts {
				if _, err := conn.Exec(ctx, s.SQL); err != nil {
					t.Fatalf("%s\n%v", s.SQL, err)
				}
			}
			checkNames(t, conn, m)
		})
	}
}

// checkNames compares the names PostgreSQL reports with the model's, which
// catches names the server would have truncated or invented.
func checkNames(t *testing.T, conn *pgx.Conn, m *schema.Model) {
	t.Helper()
	ctx := context.Background()
	for _, tbl := range m.Tables {
		var cols []string
		rows, err := conn.Query(ctx, `SELECT attname FROM pg_attribute
			WHERE attrelid = to_regclass(format('%I.%I', $1::text, $2::text)) AND attnum > 0 AND NOT attisdropped
			ORDER BY attnum`, tbl.Schema, tbl.Name)
		if err != nil {
			t.Fatal(err)
		}
		cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var wantCols []string
		for _, c := range tbl.Columns {
			wantCols = append(wantCols, c.Name)
		}
		if !slices.Equal(cols, wantCols) {
			t.Errorf("table %s: columns %q, want %q", tbl.Name, cols, wantCols)
		}

		// A constraint with a parent is one PostgreSQL made from it: a
		// foreign key to a partitioned table has one per partition.
		rows, err = conn.Query(ctx, `SELECT conname FROM pg_constraint
			WHERE conrelid = to_regclass(format('%I.%I', $1::text, $2::text)) AND contype IN ('p', 'u', 'c', 'f')
				AND conparentid = 0
			ORDER BY conname COLLATE "C"`, tbl.Schema, tbl.Name)
		if err != nil {
			t.Fatal(err)
		}
		cons, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var wantCons []string
		if tbl.PrimaryKey != nil {
			wantCons = append(wantCons, tbl.PrimaryKey.Name)
		}
		for _, u := range tbl.Uniques {
			wantCons = append(wantCons, u.Name)
		}
		for _, c := range tbl.Checks {
			wantCons = append(wantCons, c.Name)
		}
		for _, fk := range tbl.ForeignKeys {
			wantCons = append(wantCons, fk.Name)
		}
		slices.Sort(wantCons)
		if !slices.Equal(cons, wantCons) {
			t.Errorf("table %s: constraints %q, want %q", tbl.Name, cons, wantCons)
		}

		rows, err = conn.Query(ctx, `SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			WHERE x.indrelid = to_regclass(format('%I.%I', $1::text, $2::text))
			AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)
			ORDER BY i.relname COLLATE "C"`, tbl.Schema, tbl.Name)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var wantIdx []string
		for _, ix := range tbl.Indexes {
			wantIdx = append(wantIdx, ix.Name)
		}
		slices.Sort(wantIdx)
		if !slices.Equal(idx, wantIdx) {
			t.Errorf("table %s: indexes %q, want %q", tbl.Name, idx, wantIdx)
		}

		rows, err = conn.Query(ctx, `SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
			WHERE h.inhparent = to_regclass(format('%I.%I', $1::text, $2::text)) AND c.relkind IN ('r', 'p')
			ORDER BY c.relname COLLATE "C"`, tbl.Schema, tbl.Name)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var wantParts []string
		if tbl.Partition != nil {
			for _, p := range tbl.Partition.Partitions {
				wantParts = append(wantParts, p.Name)
			}
		}
		slices.Sort(wantParts)
		if !slices.Equal(parts, wantParts) {
			t.Errorf("table %s: partitions %q, want %q", tbl.Name, parts, wantParts)
		}
	}
}
