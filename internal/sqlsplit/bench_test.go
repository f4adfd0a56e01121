package sqlsplit

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkSplit splits a script of about 1 MB in the shape of migrations:
// DDL with comments, inserts with quoted strings, functions with dollar
// quotes and SQL-standard bodies.
func BenchmarkSplit(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		fmt.Fprintf(&sb, `-- WARNING: table %[1]d is rebuilt
CREATE TABLE "public"."t%[1]d" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"name" text NOT NULL DEFAULT 'it''s; %[1]d',
	"path" text DEFAULT E'C:\\dir\\%[1]d',
	"data" jsonb /* documents; */ NOT NULL
);
--> statement-breakpoint
INSERT INTO "public"."t%[1]d" ("name", "data") VALUES ('a;b', '{"k": [1, 2]}'), ($$x;y$$, '{}');
CREATE INDEX "t%[1]d_name_idx" ON "public"."t%[1]d" USING btree (lower("name")) WHERE "name" <> '';
CREATE FUNCTION f%[1]d() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	NEW.name := NEW.name || ';';
	RETURN NEW;
END
$fn$;
CREATE FUNCTION g%[1]d(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN x END; END;
`, i)
	}
	src := sb.String()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Split(src)
	}
}
