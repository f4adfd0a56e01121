package pg

import "testing"

// TestReadOnly: which statements the router may send to a replica, by
// their words outside quotes and comments. TestReplicasRouteByStatement
// runs the statements that matter on a real standby.
func TestReadOnly(t *testing.T) {
	for sql, want := range map[string]bool{
		`SELECT 1`:                              true,
		`  select "update" FROM t`:              true, // a quoted identifier
		`SELECT 'insert into t' FROM t`:         true,
		`-- DELETE FROM t` + "\nSELECT 1":       true,
		`/* FOR UPDATE */ SELECT 1`:             true,
		`((SELECT 1))`:                          true,
		`TABLE t`:                               true,
		`VALUES (1), (2)`:                       true,
		`WITH a AS (SELECT 1) SELECT * FROM a`:  true,
		`SELECT $tag$update$tag$`:               true,
		``:                                      false,
		`-- only a comment`:                     false,
		`(`:                                     false,
		`SHOW search_path`:                      false,
		`EXPLAIN ANALYZE DELETE FROM t`:         false,
		`INSERT INTO t VALUES (1) RETURNING id`: false,
		`SELECT * INTO u FROM t`:                false,
		`SELECT * FROM t FOR UPDATE`:            false,
		`SELECT * FROM t FOR KEY SHARE`:         false,
		`WITH d AS (DELETE FROM t RETURNING *) TABLE d`:                                  false,
		`WITH m AS (MERGE INTO t USING u ON true WHEN MATCHED THEN DO NOTHING) SELECT 1`: false,
		`SELECT 1; DELETE FROM t`:                                                        false,
		`SELECT NEXTVAL('s')`:                                                            false,
		`SELECT pg_advisory_lock(1)`:                                                     false,
		`SELECT pg_try_advisory_xact_lock(1)`:                                            false,
		`SELECT set_config('a.b', 'c', false)`:                                           false,
		`SELECT pg_try_advisory_xact_lock_shared(1)`:                                     false,
		`SELECT PG_ADVISORY_UNLOCK_ALL_OF_THIS_SESSION_PLEASE()`:                         false, // longer than any name the router knows
		`SELECT a_column_name_longer_than_thirty_two_bytes FROM t`:                       true,
		`SELECT share FROM stocks`:                                                       false, // a column spelled like a key word: the primary
		`LOCK TABLE t`:                                                                   false,
		`COPY t TO STDOUT`:                                                               false,
	} {
		if got := readOnly(sql); got != want {
			t.Errorf("readOnly(%q) = %v, want %v", sql, got, want)
		}
	}
}

// BenchmarkReadOnly is what the router adds to each Query and QueryRow:
// reading the words of a generated select of ten columns with a
// condition, an order and a limit.
func BenchmarkReadOnly(b *testing.B) {
	const sql = `SELECT "users"."id", "users"."org_id", "users"."email", "users"."name", "users"."role", "users"."active", "users"."created_at", "users"."updated_at", "users"."deleted_at", "users"."note" FROM "public"."users" WHERE ("users"."org_id" = $1 AND "users"."deleted_at" IS NULL) ORDER BY "users"."id" DESC LIMIT 20`
	b.ReportAllocs()
	for b.Loop() {
		if !readOnly(sql) {
			b.Fatal("not read only")
		}
	}
}
