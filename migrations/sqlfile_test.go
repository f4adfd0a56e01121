package migrations_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
)

// richStatements is a migration with the shapes a file must carry: a
// one-line statement, a multi-line one, warnings (one with a line break,
// which must not leak out of the comment) and blank space the emitter
// would not write.
func richStatements() []migrations.Statement {
	return []migrations.Statement{
		{SQL: `CREATE SCHEMA "app";`},
		{SQL: `CREATE TYPE "app"."status" AS ENUM ('draft', 'active', 'archived');`},
		{SQL: "CREATE TABLE \"app\".\"orders\" (\n\t\"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n\t\"note\" text DEFAULT '--> not a breakpoint, just text' NOT NULL,\n\tCONSTRAINT \"orders_pkey\" PRIMARY KEY (\"id\")\n);"},
		{SQL: `ALTER TABLE "public"."models" DROP COLUMN "variant";`, Warning: "Drops column models.variant and its data."},
		{SQL: "\n  ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"qty\" SET DATA TYPE integer USING \"qty\"::integer;  \n", Warning: "Casts orders.qty to integer:\nfails on fractional values."},
		{SQL: `CREATE INDEX "orders_note_idx" ON "app"."orders" USING btree ("note");`},
	}
}

func TestFormatSQL(t *testing.T) {
	got := migrations.FormatSQL(richStatements())
	golden.Check(t, filepath.Join("testdata", "folder", "golden", "format.sql"), got)
	if again := migrations.FormatSQL(richStatements()); string(again) != string(got) {
		t.Error("FormatSQL is not deterministic")
	}
}

func TestFormatSQLCustom(t *testing.T) {
	for _, stmts := range [][]migrations.Statement{nil, {}} {
		if got := string(migrations.FormatSQL(stmts)); got != "-- Custom SQL migration file, put your code below! --\n" {
			t.Errorf("FormatSQL(%#v) = %q, want the custom migration body", stmts, got)
		}
	}
	chunks := migrate.SplitSQL([]byte(migrations.CustomSQL))
	want := []migrate.Chunk{{SQL: "-- Custom SQL migration file, put your code below! --", Line: 1}}
	if diff := cmp.Diff(want, chunks); diff != "" {
		t.Errorf("SplitSQL(CustomSQL) mismatch (-want +got):\n%s", diff)
	}
}

// TestFormatSplitRoundTrip reads back what FormatSQL writes: one chunk per
// statement, its warning on the chunk's first line, at the line the
// statement starts on in the file.
func TestFormatSplitRoundTrip(t *testing.T) {
	stmts := richStatements()
	got := migrate.SplitSQL(migrations.FormatSQL(stmts))
	want := []migrate.Chunk{
		{Line: 1, SQL: `CREATE SCHEMA "app";`},
		{Line: 3, SQL: `CREATE TYPE "app"."status" AS ENUM ('draft', 'active', 'archived');`},
		{Line: 5, SQL: stmts[2].SQL},
		{Line: 11, SQL: "-- WARNING: Drops column models.variant and its data.\n" + stmts[3].SQL},
		{Line: 14, SQL: "-- WARNING: Casts orders.qty to integer: fails on fractional values.\n" +
			`ALTER TABLE "public"."orders" ALTER COLUMN "qty" SET DATA TYPE integer USING "qty"::integer;`},
		{Line: 17, SQL: stmts[5].SQL},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(migrate.Chunk{}, "Offset")); diff != "" {
		t.Errorf("SplitSQL(FormatSQL(stmts)) mismatch (-want +got):\n%s", diff)
	}
}
