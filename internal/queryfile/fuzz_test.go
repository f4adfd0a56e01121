package queryfile

import (
	"strings"
	"testing"
)

// FuzzParse: any file parses without a panic, each query's SQL holds $n
// for each of its parameters, and every position maps back inside the
// file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-- name: A :one\nSELECT @a, sqlc.arg(b), sqlc.narg('c') FROM t WHERE x @> @a",
		"-- name: B :many\nSELECT $1, $$ @x $$, '@y', \"@z\" /* @w */",
		"/* name: C :exec */ UPDATE t SET a = @a -- name: D :one",
		"-- name: E :execrows\nSELECT sqlc.arg(",
		"SELECT 1; -- name: F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		qs, _ := Parse("f.sql", src)
		lines := strings.Count(src, "\n") + 1
		for _, q := range qs {
			for i := range q.Params {
				if q.Params[i].Name == "" {
					t.Errorf("query %s: parameter %d has no name", q.Name, i+1)
				}
			}
			for n := int32(-1); n <= int32(len(q.SQL))+1; n++ {
				if p := q.Position(n); p.Line < 1 || p.Line > lines || p.Column < 1 {
					t.Fatalf("query %s: position %d maps to %s", q.Name, n, p)
				}
			}
		}
	})
}
