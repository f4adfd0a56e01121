package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/bench/query/db"
	"github.com/mizzle/mizzle/bench/query/schema"
)

// The operator benchmarks read pages of docs: an array condition and a
// jsonb one, each as a programmer writes it by hand in pgx.
const (
	docRows      = 10_000
	docTags      = 20
	docLimit     = 20
	pgxArrayPage = `SELECT id, tags, attrs FROM docs WHERE tags @> $1 ORDER BY id LIMIT 20`
	pgxJSONPage  = `SELECT id, tags, attrs FROM docs WHERE attrs->>'lang' = $1 ORDER BY id LIMIT 20`
)

var langs = []string{"en", "fr", "de", "es", "it"}

// tag is the i-th of docTags tags, made once: no benchmark formats in its
// timed loop.
var tags = func() (out [][]string) {
	for i := range docTags {
		out = append(out, []string{fmt.Sprintf("t%02d", i)})
	}
	return out
}()

var seedDocsOnce sync.Once

// seedDocs fills docs once with docRows documents, each with two tags and
// one of the languages, untimed; the operator benchmarks only read it.
func seedDocs(b *testing.B) {
	b.Helper()
	if h == nil {
		b.Skip(envURL + " is not set")
	}
	var err error
	seedDocsOnce.Do(func() {
		ctx := context.Background()
		if _, err = h.setup.Exec(ctx, `TRUNCATE "public"."docs" RESTART IDENTITY`); err != nil {
			return
		}
		_, err = h.setup.CopyFrom(ctx, pgx.Identifier{"docs"}, []string{"tags", "attrs"},
			pgx.CopyFromSlice(docRows, func(i int) ([]any, error) {
				return []any{
					[]string{tags[i%docTags][0], tags[(i/docTags)%docTags][0]},
					schema.DocAttrs{Lang: langs[i%len(langs)], Level: i % 7},
				}, nil
			}))
		if err == nil {
			_, err = h.setup.Exec(ctx, `VACUUM ANALYZE "public"."docs"`)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
}

// pgxDocs runs a page query the hand-written way.
func pgxDocs(ctx context.Context, sql string, arg any) (int, error) {
	rows, err := h.pgx.Query(ctx, sql, arg)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	out := make([]schema.Doc, 0, docLimit)
	for rows.Next() {
		out = append(out, schema.Doc{})
		d := &out[len(out)-1]
		if err := rows.Scan(&d.ID, &d.Tags, &d.Attrs); err != nil {
			return 0, err
		}
	}
	return len(out), rows.Err()
}

func checkPage(n int, err error) error {
	if err != nil {
		return err
	}
	if n != docLimit {
		return fmt.Errorf("got %d docs, want %d", n, docLimit)
	}
	return nil
}

// BenchmarkArrayContains reads a page of the docs having a tag: tags @> $1.
func BenchmarkArrayContains(b *testing.B) {
	seedDocs(b)
	run(b, plan{},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			return checkPage(pgxDocs(ctx, pgxArrayPage, tags[i%docTags]))
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			out, err := h.mizzle.Docs.Select().
				Where(db.Docs.Tags.Contains(tags[i%docTags])).
				OrderBy(db.Docs.ID.Asc()).
				Limit(docLimit).
				All(ctx)
			return checkPage(len(out), err)
		}},
	)
}

// BenchmarkJSONText reads a page of the docs in a language: attrs->>'lang' = $1.
func BenchmarkJSONText(b *testing.B) {
	seedDocs(b)
	run(b, plan{},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			return checkPage(pgxDocs(ctx, pgxJSONPage, langs[i%len(langs)]))
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			out, err := h.mizzle.Docs.Select().
				Where(db.Docs.Attrs.Text("lang").Eq(langs[i%len(langs)])).
				OrderBy(db.Docs.ID.Asc()).
				Limit(docLimit).
				All(ctx)
			return checkPage(len(out), err)
		}},
	)
}
