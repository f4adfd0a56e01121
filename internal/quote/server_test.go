package quote_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// hostile are strings that quoting has to survive.
var hostile = []string{
	`back\slash`, "it's", `a\'); CREATE TABLE injected(x int); --`, "café ☕",
	`\`, `\\`, `'`, `\'`, `''`, "", "a,b", `say "hi"`, " padded ", "x'); DROP TABLE t; --",
	"$$", "/*", "*/", "--", ";", "\n", `E'\x41'`,
}

// randomStrings returns n strings drawn mostly from the characters that
// matter to a lexer.
func randomStrings(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune(`\'"$;-/*() ,aZ0` + "\n\t€☕")
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		out[i] = b.String()
	}
	return out
}

// readBack sends the literals of ss in a simple query, the way a migration
// file reaches the server (pgx's own simple protocol refuses to run with
// standard_conforming_strings off, so pgconn's is used), and returns what
// the server read.
func readBack(t testing.TB, conn *pgx.Conn, ss []string) []string {
	t.Helper()
	lits := make([]string, len(ss))
	for i, s := range ss {
		lits[i] = quote.Literal(s)
	}
	sql := "SELECT v FROM unnest(ARRAY[" + strings.Join(lits, ", ") + "]::text[]) WITH ORDINALITY AS x(v, i) ORDER BY i"
	results, err := conn.PgConn().Exec(context.Background(), sql).ReadAll()
	if err != nil {
		t.Fatalf("reading back %d literals: %v", len(ss), err)
	}
	var got []string
	for _, row := range results[0].Rows {
		got = append(got, string(row[0]))
	}
	return got
}

// TestLiteralServer checks that the server reads every literal back as
// the string it quotes, under both settings of
// standard_conforming_strings.
func TestLiteralServer(t *testing.T) {
	conn := pgtest.Connect(t)
	ss := append(slices.Clone(hostile), randomStrings(2000)...)
	for _, setting := range []string{"on", "off"} {
		if _, err := conn.Exec(context.Background(), "SET standard_conforming_strings = "+setting); err != nil {
			t.Fatal(err)
		}
		got := readBack(t, conn, ss)
		for i := range ss {
			if i >= len(got) || got[i] != ss[i] {
				t.Fatalf("standard_conforming_strings = %s: %s reads back as %q", setting, quote.Literal(ss[i]), got[i:min(i+1, len(got))])
			}
		}
	}
}

// FuzzLiteralServer is TestLiteralServer for the fuzzer's strings.
func FuzzLiteralServer(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	conn := pgtest.Connect(f)
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			return // not a text value PostgreSQL can hold
		}
		for _, setting := range []string{"on", "off"} {
			if _, err := conn.Exec(context.Background(), "SET standard_conforming_strings = "+setting); err != nil {
				t.Fatal(err)
			}
			if got := readBack(t, conn, []string{s}); len(got) != 1 || got[0] != s {
				t.Fatalf("standard_conforming_strings = %s: %s reads back as %q", setting, quote.Literal(s), got)
			}
		}
	})
}

// TestEnumLabelsStandardStrings applies the migration of an enum with
// hostile labels to databases set to each value of
// standard_conforming_strings, as one script (the way psql or another
// tool would run the file): the labels are stored exactly and nothing else
// runs.
func TestEnumLabelsStandardStrings(t *testing.T) {
	labels := []string{`back\slash`, "it's", `a\'); CREATE TABLE injected(x int); --`, "café ☕", `\`, "b"}
	m := &schema.Model{Enums: []*schema.Enum{{Schema: "public", Name: "e", Values: labels}}}
	stmts, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	for _, s := range stmts {
		script = append(script, s.SQL)
	}
	for _, setting := range []string{"on", "off"} {
		t.Run(setting, func(t *testing.T) {
			ctx := context.Background()
			url := pgtest.NewDatabase(t)
			setup, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			var name string
			if err := setup.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
				t.Fatal(err)
			}
			if _, err := setup.Exec(ctx, "ALTER DATABASE "+quote.Ident(name)+" SET standard_conforming_strings = "+setting); err != nil {
				t.Fatal(err)
			}
			setup.Close(ctx)
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var got string
			if err := conn.QueryRow(ctx, "SHOW standard_conforming_strings").Scan(&got); err != nil || got != setting {
				t.Fatalf("standard_conforming_strings = %q, %v; want %s", got, err, setting)
			}
			if _, err := conn.PgConn().Exec(ctx, strings.Join(script, "\n")).ReadAll(); err != nil {
				t.Fatalf("%s: %v", strings.Join(script, "\n"), err)
			}
			var stored []string
			var injected *string
			if err := conn.QueryRow(ctx, `SELECT array_agg(enumlabel::text ORDER BY enumsortorder), to_regclass('injected')::text FROM pg_enum`).Scan(&stored, &injected); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(stored, labels) {
				t.Errorf("labels stored as %q, want %q", stored, labels)
			}
			if injected != nil {
				t.Errorf("the label's text ran as SQL: table %s exists", *injected)
			}
		})
	}
}
