package migrate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizzle/mizzle/migrate"
)

func TestSplitSQL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []migrate.Chunk
	}{
		{"empty", "", nil},
		{"blank", "\n  \n\t\n", nil},
		{"one statement, no breakpoint", "SELECT 1;", []migrate.Chunk{{SQL: "SELECT 1;", Line: 1}}},
		{
			// drizzle-kit ends a statement's line with the breakpoint,
			// except after CREATE TABLE, whose text ends in a newline.
			"drizzle-kit layout",
			"CREATE TYPE \"public\".\"role\" AS ENUM('admin', 'user');--> statement-breakpoint\n" +
				"CREATE TABLE \"users\" (\n\t\"id\" serial PRIMARY KEY NOT NULL\n);\n" +
				"--> statement-breakpoint\n" +
				"CREATE INDEX \"users_idx\" ON \"users\" USING btree (\"id\");",
			[]migrate.Chunk{
				{SQL: "CREATE TYPE \"public\".\"role\" AS ENUM('admin', 'user');", Line: 1},
				{SQL: "CREATE TABLE \"users\" (\n\t\"id\" serial PRIMARY KEY NOT NULL\n);", Line: 2},
				{SQL: "CREATE INDEX \"users_idx\" ON \"users\" USING btree (\"id\");", Line: 6},
			},
		},
		{
			"blank lines and empty chunks",
			"\n\n  SELECT 1;\n\n--> statement-breakpoint\n--> statement-breakpoint\n\n\nSELECT\n  2;\n\n",
			[]migrate.Chunk{{SQL: "SELECT 1;", Line: 3}, {SQL: "SELECT\n  2;", Line: 9}},
		},
		{
			"CRLF line endings",
			"SELECT 1;\r\n--> statement-breakpoint\r\nSELECT 2;\r\n",
			[]migrate.Chunk{{SQL: "SELECT 1;", Line: 1}, {SQL: "SELECT 2;", Line: 3}},
		},
		{
			"comment-only chunk is kept",
			"-- nothing yet\n--> statement-breakpoint\nSELECT 1;",
			[]migrate.Chunk{{SQL: "-- nothing yet", Line: 1}, {SQL: "SELECT 1;", Line: 3}},
		},
		{
			"breakpoint at the very end",
			"SELECT 1;\n--> statement-breakpoint",
			[]migrate.Chunk{{SQL: "SELECT 1;", Line: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := migrate.SplitSQL([]byte(tt.in))
			for _, c := range got {
				if c.Offset+len(c.SQL) > len(tt.in) || tt.in[c.Offset:c.Offset+len(c.SQL)] != c.SQL {
					t.Errorf("chunk %q: Offset %d does not point at it", c.SQL, c.Offset)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(migrate.Chunk{}, "Offset")); diff != "" {
				t.Errorf("SplitSQL(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
