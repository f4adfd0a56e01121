package migrate

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/jsonfile"
)

func TestTxControl(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"COMMIT", "COMMIT"},
		{"commit work", "COMMIT"},
		{"COMMIT AND CHAIN", "COMMIT"},
		{"/* done */ Commit", "COMMIT"},
		{"END", "END"},
		{"end transaction", "END"},
		{"BEGIN", "BEGIN"},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN"},
		{"START TRANSACTION", "START TRANSACTION"},
		{"ROLLBACK", "ROLLBACK"},
		{"ROLLBACK AND NO CHAIN", "ROLLBACK"},
		{"ABORT", "ABORT"},
		{"PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION"},
		{"prepare transaction E'x'", "PREPARE TRANSACTION"},

		// Inside the transaction, or refused by PostgreSQL inside one.
		{"SAVEPOINT a", ""},
		{"RELEASE SAVEPOINT a", ""},
		{"ROLLBACK TO SAVEPOINT a", ""},
		{"ROLLBACK WORK TO a", ""},
		{"COMMIT PREPARED 'x'", ""},
		{"ROLLBACK PREPARED 'x'", ""},
		{"PREPARE transaction AS SELECT 1", ""},
		{"PREPARE transaction (int) AS SELECT $1", ""},
		{"PREPARE q AS SELECT 1", ""},
		{"START", ""},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", ""},

		// BEGIN and END inside another statement.
		{"DO $$ BEGIN COMMIT; END $$", ""},
		{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", ""},
		{"CREATE TABLE \"begin\" (\"end\" int)", ""},
		{"\"commit\"", ""},
		{"SELECT 'COMMIT'", ""},
	}
	for _, tt := range tests {
		if got := txControl(tt.sql); got != tt.want {
			t.Errorf("txControl(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestReadScript(t *testing.T) {
	type pos struct{ line, col int }
	tests := []struct {
		name  string
		data  string
		noTx  bool
		stray pos
		first pos // of the first statement
	}{
		{"marker on the first line", NoTransaction + "\nCREATE INDEX CONCURRENTLY i ON t (a);", true, pos{}, pos{2, 1}},
		{"after blank lines", "\n\n" + NoTransaction + "\r\nCREATE INDEX CONCURRENTLY i ON t (a);", true, pos{}, pos{4, 1}},
		{"after comments", "-- Copyright\n/* why:\n   big table */\n" + NoTransaction + "  \nSELECT 1;", true, pos{}, pos{5, 1}},
		{"without the space", "--mizzle:no-transaction\nSELECT 1;", true, pos{}, pos{2, 1}},
		{"after a byte-order mark", "\ufeff" + NoTransaction + "\nSELECT 1;", true, pos{}, pos{2, 1}},
		{"byte-order mark before a statement", "\ufeffSELECT 1;", false, pos{}, pos{1, 1}},
		{"after the first statement", "SELECT 1;\n" + NoTransaction + "\nSELECT 2;", false, pos{2, 1}, pos{1, 1}},
		{"in a later chunk", "SELECT 1;\n--> statement-breakpoint\n  " + NoTransaction + "\nSELECT 2;", false, pos{3, 3}, pos{1, 1}},
		{"inside a block comment", "/*\n" + NoTransaction + "\n*/\nSELECT 1;", false, pos{}, pos{4, 1}},
		{"inside a string", "SELECT '\n" + NoTransaction + "\n';", false, pos{}, pos{1, 1}},
		{"another marker", "-- mizzle:no-transactions\nSELECT 1;", false, pos{}, pos{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := readScript([]byte(tt.data))
			if sc.noTx != tt.noTx {
				t.Errorf("noTx = %v, want %v", sc.noTx, tt.noTx)
			}
			if got := (pos{sc.strayMarker.line, sc.strayMarker.col}); got != tt.stray {
				t.Errorf("stray marker at %v, want %v", got, tt.stray)
			}
			if len(sc.stmts) == 0 {
				t.Fatal("no statement")
			}
			s := sc.stmts[0]
			if got := (pos{s.line, s.col}); got != tt.first {
				t.Errorf("first statement %q at %v, want %v", s.sql, got, tt.first)
			}
			if sc.text[s.offset:s.offset+len(s.sql)] != s.sql {
				t.Errorf("first statement %q is not at offset %d of the text", s.sql, s.offset)
			}
			if s.sql[0] == "\ufeff"[0] {
				t.Errorf("the byte-order mark is part of the statement %q", s.sql)
			}
		})
	}
}

func TestChangedMsg(t *testing.T) {
	const lf = "CREATE TABLE a ();\n--> statement-breakpoint\nCREATE TABLE b ();\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	tests := []struct {
		name, applied, file, want string
	}{
		{"CRLF checkout", lf, crlf, "changed since it was applied, but only in its line endings (the file has CRLF where the applied one had LF)"},
		{"LF checkout", crlf, lf, "changed since it was applied, but only in its line endings (the file has LF where the applied one had CRLF)"},
		{"mark added", lf, jsonfile.BOM + lf, "changed since it was applied, but only in a byte-order mark at its start, which the applied one did not have"},
		{"mark removed", jsonfile.BOM + lf, lf, "changed since it was applied, but only in the byte-order mark the applied one had at its start"},
		{"both", lf, jsonfile.BOM + crlf, "changed since it was applied, but only in its line endings (the file has CRLF where the applied one had LF) and in a byte-order mark"},
		{"a real change", lf, strings.Replace(lf, "b", "c", 1), "changed since it was applied (applied sha256"},
		{"a real change and line endings", lf, strings.Replace(crlf, "b", "c", 1), "changed since it was applied (applied sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := changedMsg([]byte(tt.file), FileHash([]byte(tt.applied)))
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("changedMsg:\n%s\nwant it to start with:\n%s", got, tt.want)
			}
			hashes := "applied sha256 " + FileHash([]byte(tt.applied)) + ", file sha256 " + FileHash([]byte(tt.file))
			if !strings.Contains(got, hashes) {
				t.Errorf("changedMsg does not give both hashes:\n%s", got)
			}
		})
	}
}

func TestCreatedBy(t *testing.T) {
	tests := []struct {
		sql  string
		want created
		ok   bool
	}{
		{`CREATE INDEX CONCURRENTLY big_v_idx ON big (v)`, created{"index", "big_v_idx", true}, true},
		{`create unique index concurrently if not exists "public"."U x" on t (a)`, created{"index", `"public"."U x"`, true}, true},
		{`CREATE INDEX "i" ON "trading"."t" ("a")`, created{"index", `"trading"."i"`, false}, true},
		{`CREATE INDEX CONCURRENTLY i ON ONLY s.t (a)`, created{"index", `s.i`, true}, true},
		{`CREATE INDEX i ON t (a)`, created{"index", `i`, false}, true},
		{`CREATE INDEX s.i ON u.t (a)`, created{"index", `s.i`, false}, true},
		{`CREATE INDEX /* later */ public . i ON t (a)`, created{"index", "public.i", false}, true},
		{`CREATE INDEX ON t (a)`, created{}, false},
		{`CREATE INDEX CONCURRENTLY ON t (a)`, created{}, false},
		{`CREATE UNLOGGED TABLE IF NOT EXISTS s.t (a int)`, created{"table", "s.t", false}, true},
		{`CREATE TABLE "t" (a int)`, created{"table", `"t"`, false}, true},
		{`CREATE OR REPLACE VIEW v AS SELECT 1`, created{"view", "v", false}, true},
		{`CREATE MATERIALIZED VIEW m AS SELECT 1`, created{"materialized view", "m", false}, true},
		{`CREATE SEQUENCE s`, created{"sequence", "s", false}, true},
		{`CREATE TYPE e AS ENUM ('a')`, created{}, false},
		{`CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`, created{}, false},
		{`ALTER TABLE t ADD COLUMN a int`, created{}, false},
		{`CREATE TABLE IF EXISTS t ()`, created{}, false},
	}
	for _, tt := range tests {
		got, ok := createdBy(tt.sql)
		if got != tt.want || ok != tt.ok {
			t.Errorf("createdBy(%q) = %+v, %v; want %+v, %v", tt.sql, got, ok, tt.want, tt.ok)
		}
	}
}
