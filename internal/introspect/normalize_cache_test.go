package introspect_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// buildCounter is a connection for Normalize that counts the builds: each
// build sets its scratch search path with Exec before anything else, and
// nothing else Normalize does uses Exec.
type buildCounter struct {
	conn   *pgx.Conn
	builds int
}

func (c *buildCounter) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := c.conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: &c.builds}, nil
}

type countingTx struct {
	pgx.Tx
	n *int
}

func (t *countingTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	*t.n++
	return t.Tx.Exec(ctx, sql, args...)
}

// normalizeCached runs NormalizeCached on conn and fails t unless it built
// (or did not build, as build says) and gave what Normalize gives.
func normalizeCached(t *testing.T, conn *pgx.Conn, m *schema.Model, dir string, build bool) {
	t.Helper()
	ctx := context.Background()
	want, err := introspect.Normalize(ctx, conn, m)
	if err != nil {
		t.Fatal(err)
	}
	c := &buildCounter{conn: conn}
	got, err := introspect.NormalizeCached(ctx, c, m, dir)
	if err != nil {
		t.Fatal(err)
	}
	if built := c.builds > 0; built != build {
		t.Errorf("NormalizeCached built: %v, want %v", built, build)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NormalizeCached differs from Normalize (-Normalize +NormalizeCached):\n%s", diff)
	}
}

// TestNormalizeCachedCorpus: on every schema of the corpus, the first call
// builds and the second builds nothing, and both give what Normalize
// gives.
func TestNormalizeCachedCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			m := testmod.Load(t, file)
			conn := pgtest.Connect(t)
			dir := t.TempDir()
			normalizeCached(t, conn, m, dir, true)
			normalizeCached(t, conn, m, dir, false)
		})
	}
}

// cacheSchema has a table whose policy reads another, and a view on a view.
const cacheSchema = `
CREATE TABLE a (id bigint PRIMARY KEY, qty integer CHECK (qty > 0), note text DEFAULT 'x');
CREATE INDEX a_note_idx ON a (lower(note)) WHERE qty > 2;
CREATE TABLE b (id bigint PRIMARY KEY, a_id integer);
ALTER TABLE b ENABLE ROW LEVEL SECURITY;
CREATE POLICY b_read ON b USING (EXISTS (SELECT 1 FROM a WHERE a.qty = b.a_id));
CREATE TABLE c (id bigint PRIMARY KEY, n integer CHECK (n < 5));
CREATE VIEW v AS SELECT id, qty FROM a WHERE qty > 1;
CREATE VIEW w AS SELECT id FROM v WHERE qty < 10;
`

// cacheModel is cacheSchema's model, read from a database of its own.
func cacheModel(t *testing.T) *schema.Model {
	t.Helper()
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, cacheSchema); err != nil {
		t.Fatal(err)
	}
	m, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNormalizeCachedChanges: after a change to the model, what the cache
// gives is what Normalize gives, also for what the change reaches through
// a policy or a view's query, and it builds again.
func TestNormalizeCachedChanges(t *testing.T) {
	numeric := schema.Type{Name: "numeric", Mod: "10,2"}
	for _, tc := range []struct {
		name   string
		change func(m *schema.Model)
	}{
		// a's check, b's policy, v's query and w's query (through v) all
		// print a cast once qty is numeric.
		{"a column's type", func(m *schema.Model) {
			m.Table("public", "a").Column("qty").Type = numeric
			m.View("public", "v").Column("qty").Type = numeric
		}},
		// Only b's policy reads b.a_id.
		{"a column another table's policy reads", func(m *schema.Model) {
			m.Table("public", "b").Column("a_id").Type = numeric
		}},
		{"a default", func(m *schema.Model) { m.Table("public", "a").Column("note").Default = "'y'" }},
		{"a check", func(m *schema.Model) { m.Table("public", "c").Checks[0].Expr = "n < 6" }},
		{"an index predicate", func(m *schema.Model) { m.Table("public", "a").Indexes[0].Where = "qty > 3" }},
		{"a policy", func(m *schema.Model) { m.Table("public", "b").Policies[0].Using = "a_id > 0" }},
		{"a view's query", func(m *schema.Model) { m.View("public", "w").Definition = "SELECT id FROM v WHERE qty < 11" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := cacheModel(t)
			conn := pgtest.Connect(t)
			dir := t.TempDir()
			normalizeCached(t, conn, m, dir, true)
			tc.change(m)
			normalizeCached(t, conn, m, dir, true)
			normalizeCached(t, conn, m, dir, false)
		})
	}
	// A comment is not built: changing one keeps every answer.
	t.Run("a comment", func(t *testing.T) {
		m := cacheModel(t)
		conn := pgtest.Connect(t)
		dir := t.TempDir()
		normalizeCached(t, conn, m, dir, true)
		m.Table("public", "a").Comment = "changed"
		normalizeCached(t, conn, m, dir, false)
	})
}

// TestNormalizeCachedServer: what the model's expressions may resolve to
// outside it, the search path and the extensions, is in the key.
func TestNormalizeCachedServer(t *testing.T) {
	ctx := context.Background()
	m := cacheModel(t)
	conn := pgtest.Connect(t)
	dir := t.TempDir()
	normalizeCached(t, conn, m, dir, true)
	normalizeCached(t, conn, m, dir, false)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA other; SET search_path TO other, public"); err != nil {
		t.Fatal(err)
	}
	normalizeCached(t, conn, m, dir, true)
	normalizeCached(t, conn, m, dir, false)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION citext SCHEMA other"); err != nil {
		t.Fatal(err)
	}
	normalizeCached(t, conn, m, dir, true)
	normalizeCached(t, conn, m, dir, false)
}

// cacheFiles returns the answer file of the units and the file of the
// whole normalized model that dir holds, and fails t unless there is
// exactly one of each.
func cacheFiles(t *testing.T, dir string) (units, whole string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "normalize", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		p := &units
		switch {
		case name == "trim.txt":
			continue
		case strings.HasPrefix(name, "model-"):
			p = &whole
		}
		if *p != "" {
			t.Fatalf("two cache files of a kind: %s and %s", *p, f)
		}
		*p = f
	}
	if units == "" || whole == "" {
		t.Fatalf("cache files %q: want one answer file and one model", files)
	}
	return units, whole
}

// TestNormalizeCachedDamaged: a cache file that is damaged in any way holds
// nothing; the call builds (or finds the answers in the other file),
// gives what Normalize gives, and writes it again.
func TestNormalizeCachedDamaged(t *testing.T) {
	m := cacheModel(t)
	conn := pgtest.Connect(t)
	dir := t.TempDir()
	normalizeCached(t, conn, m, dir, true)
	units, whole := cacheFiles(t, dir)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, []byte("\n")) }
	checksum := func(body string) []byte {
		sum := sha256.Sum256([]byte(body))
		return []byte(hex.EncodeToString(sum[:]))
	}
	damaged := func(good []byte, otherMagic string, notBody string) []struct {
		name string
		data []byte
	} {
		magic, rest, _ := bytes.Cut(good, []byte("\n"))
		sum, body, _ := bytes.Cut(rest, []byte("\n"))
		changed := bytes.Clone(body)
		changed[len(changed)/2] ^= 1
		return []struct {
			name string
			data []byte
		}{
			{"empty", nil},
			{"cut short", good[:len(good)/2]},
			{"another magic", join([]byte(otherMagic), sum, body)},
			{"a changed byte", join(magic, sum, changed)},
			{"no checksum", join(magic, body)},
			{"not its encoding, with its checksum", join(magic, checksum(notBody), []byte(notBody))},
		}
	}
	goodUnits, err := os.ReadFile(units)
	if err != nil {
		t.Fatal(err)
	}
	// The answer file alone: without the whole model, it is what answers.
	cases := damaged(goodUnits, "mizzle normalize cache 0", "not JSON")
	cases = append(cases, struct {
		name string
		data []byte
	}{"no entries, with its checksum", join(bytes.SplitN(goodUnits, []byte("\n"), 2)[0], checksum("{}"), []byte("{}"))})
	for _, tc := range cases {
		t.Run("answers/"+tc.name, func(t *testing.T) {
			if err := os.Remove(whole); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(units, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			normalizeCached(t, conn, m, dir, true)
			normalizeCached(t, conn, m, dir, false)
		})
	}
	// The whole model: the answer file still holds every answer, so
	// nothing is built, and the model is written again as it was.
	goodWhole, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range damaged(goodWhole, "mizzle normalized model 0", "not a model") {
		t.Run("model/"+tc.name, func(t *testing.T) {
			if err := os.WriteFile(whole, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			normalizeCached(t, conn, m, dir, false)
			if again, err := os.ReadFile(whole); err != nil || !bytes.Equal(again, goodWhole) {
				t.Errorf("the model was not written again as it was: %v", err)
			}
		})
	}
}

// TestNormalizeCachedWhole: the normalized model is kept whole, and
// answers alone a call on the same model; a changed model misses it; only
// the most recently used few are kept.
func TestNormalizeCachedWhole(t *testing.T) {
	m := cacheModel(t)
	conn := pgtest.Connect(t)
	dir := t.TempDir()
	normalizeCached(t, conn, m, dir, true)
	units, _ := cacheFiles(t, dir)
	// Without the units' answers, the whole model answers.
	if err := os.Remove(units); err != nil {
		t.Fatal(err)
	}
	normalizeCached(t, conn, m, dir, false)
	// A change the units' keys ignore (a comment) misses the whole model:
	// with the answers gone, it builds.
	m.Table("public", "a").Comment = "changed"
	normalizeCached(t, conn, m, dir, true)
	for i := range 2 * introspect.WholeKeep {
		m.Table("public", "a").Comment = fmt.Sprintf("changed %d", i)
		normalizeCached(t, conn, m, dir, false)
	}
	models, err := filepath.Glob(filepath.Join(dir, "normalize", "model-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != introspect.WholeKeep {
		t.Errorf("%d models kept, want %d", len(models), introspect.WholeKeep)
	}
	// The latest is among them: without the units' answers (in the same
	// file, whose name the comments do not change), it answers.
	if err := os.Remove(units); err != nil {
		t.Fatal(err)
	}
	normalizeCached(t, conn, m, dir, false)
}

// TestNormalizeCachedKeys: a change gives new keys to what it reaches and
// to nothing else, so only that is built again.
func TestNormalizeCachedKeys(t *testing.T) {
	base := cacheModel(t)
	all := []string{"functions", "public.a", "public.b", "public.c", "public.v", "public.w"}
	for _, tc := range []struct {
		name    string
		change  func(m *schema.Model)
		server  string
		changed []string
	}{
		{"nothing", func(*schema.Model) {}, "", nil},
		// b's policy names a, v's query a, w's query v.
		{"a column's type", func(m *schema.Model) {
			m.Table("public", "a").Column("qty").Type = schema.Type{Name: "numeric"}
		}, "", []string{"public.a", "public.b", "public.v", "public.w"}},
		{"a check", func(m *schema.Model) { m.Table("public", "c").Checks[0].Expr = "n < 6" }, "", []string{"public.c"}},
		{"a default", func(m *schema.Model) { m.Table("public", "a").Column("note").Default = "'y'" }, "", []string{"public.a", "public.b", "public.v", "public.w"}},
		{"a policy", func(m *schema.Model) { m.Table("public", "b").Policies[0].Using = "a_id > 0" }, "", []string{"public.b"}},
		{"a view's query", func(m *schema.Model) { m.View("public", "w").Definition = "SELECT id FROM v WHERE qty < 11" }, "", []string{"public.w"}},
		{"a comment", func(m *schema.Model) { m.Table("public", "a").Comment = "changed" }, "", nil},
		{"the server", func(*schema.Model) {}, "another server", all},
		{"a function", func(m *schema.Model) {
			m.Functions = append(m.Functions, &schema.Function{Schema: "public", Name: "f", Definition: "() RETURNS integer LANGUAGE sql AS 'SELECT 1'"})
		}, "", all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := introspect.UnitKeys(base, "a server")
			m := base.Clone()
			tc.change(m)
			server := "a server"
			if tc.server != "" {
				server = tc.server
			}
			after := introspect.UnitKeys(m, server)
			if before == nil || after == nil {
				t.Fatalf("no keys: %v, %v", before, after)
			}
			var changed []string
			for _, k := range all {
				if before[k] == "" || after[k] == "" {
					t.Errorf("%s has no key: %q, %q", k, before[k], after[k])
				}
				if before[k] != after[k] {
					changed = append(changed, k)
				}
			}
			if diff := cmp.Diff(tc.changed, changed); diff != "" {
				t.Errorf("changed keys (-want +got):\n%s", diff)
			}
		})
	}
}
