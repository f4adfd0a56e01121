package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/pgtest"
)

// seedGoSchema declares its seed settings in Go: counts, children per
// parent, an enum's constant as the only value, a range, no NULLs.
const seedGoSchema = `package schema

import "github.com/mizzle/mizzle/seed"

type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

//mizzle:table users
type User struct {
	ID   int64  ` + "`db:\"id,pk,identity\"`" + `
	Name string ` + "`db:\"name\"`" + `
}

//mizzle:table orders
type Order struct {
	ID       int64   ` + "`db:\"id,pk,identity\"`" + `
	UserID   int64   ` + "`db:\"user_id,ref:User.ID\"`" + `
	Status   Status  ` + "`db:\"status\"`" + `
	Quantity int32   ` + "`db:\"quantity\"`" + `
	Note     *string ` + "`db:\"note\"`" + `
}

//mizzle:table tags
type Tag struct {
	ID    int64  ` + "`db:\"id,pk,identity\"`" + `
	Label string ` + "`db:\"label\"`" + `
}

var Seed = seed.Config{
	Seed:  3,
	Count: 4,
	Tables: map[string]seed.Table{
		"users": {Count: 5, With: map[string][]seed.Weighted{"orders": {{Min: 2, Max: 2}}}},
		"orders": {Columns: map[string]seed.Column{
			"status":   {Values: []any{StatusClosed}},
			"quantity": {Range: &seed.Range{Min: 7, Max: 9}},
			"note":     {Nulls: 0},
		}},
	},
}
`

// TestSeedGoSettings runs mizzle seed on a schema whose settings are
// written in Go: the counts and values land (with --no-cache, which
// leaves the cache alone, and without), a second run with the model
// cache warm uses them, an edit to them is seen, the flags win over them,
// mizzle.yaml's seed: section beside them is an error naming both, and a
// mistake in them is an error at its position.
func TestSeedGoSettings(t *testing.T) {
	p := newProject(t, seedGoSchema)
	cache := t.TempDir()
	t.Setenv("MIZZLE_CACHE", cache)
	url := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--no-cache"); code != exitOK {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	seedOK := func(wantSeed string, args ...string) {
		t.Helper()
		code, stdout, stderr := p.run(".", append([]string{"seed", "--schema", "schema", "--database-url", url, "--reset"}, args...)...)
		if code != exitOK || !strings.Contains(stdout, wantSeed) {
			t.Fatalf("seed %s: exit %d, want %q in stdout\n%s%s", args, code, wantSeed, stdout, stderr)
		}
	}
	check := func(users, orders, tags int) {
		t.Helper()
		for _, c := range []struct {
			sql  string
			want int
		}{
			{`SELECT count(*) FROM users`, users},
			{`SELECT count(*) FROM orders`, orders},
			{`SELECT count(*) FROM tags`, tags},
			{`SELECT count(*) FROM orders WHERE status = 'CLOSED' AND quantity BETWEEN 7 AND 9 AND note IS NOT NULL`, orders},
			{`SELECT count(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING count(*) = 2) s`, users},
		} {
			if n := queryInt(t, url, c.sql); n != c.want {
				t.Errorf("%s: %d, want %d", c.sql, n, c.want)
			}
		}
	}
	seedOK("(seed 3):\n", "--no-cache")
	check(5, 10, 4)
	if entries := cacheEntries(t, cache); len(entries) > 0 {
		t.Fatalf("seed --no-cache wrote into the cache: %v", entries)
	}
	seedOK("(seed 3):\n")
	check(5, 10, 4)

	// The model cache holds the settings: a load says it is a hit and
	// has them, and a second seed neither rewrites the entry nor loses
	// them.
	entries := cacheEntries(t, cache)
	if len(entries) != 1 {
		t.Fatalf("cache entries after seed: %v, want one", entries)
	}
	before, err := os.Stat(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(p.dir, "schema"), CacheDir: cache,
		Logf: func(format string, args ...any) { log.WriteString(format + "\n") }})
	if err != nil || !strings.Contains(log.String(), "hit") || m.Seed == nil || len(m.Seed.Tables) != 2 {
		t.Fatalf("load from the cache: %v, settings %+v\n%s", err, m.Seed, log.String())
	}
	seedOK("(seed 3):\n")
	check(5, 10, 4)
	if after, err := os.Stat(entries[0]); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the second seed rewrote the cache entry (%v): it was not a hit", err)
	}

	// The flags win over the settings.
	seedOK("(seed 8):\n", "--seed", "8", "--count", "2")
	check(5, 10, 2)

	// An edit to the settings is seen.
	src := strings.Replace(seedGoSchema, `"users": {Count: 5,`, `"users": {Count: 6,`, 1)
	p.writeSchema(src)
	seedOK("(seed 3):\n")
	check(6, 12, 4)

	// mizzle.yaml's seed: section beside them is an error naming both,
	// and writes nothing.
	p.writeConfig("schema: schema\nseed:\n  count: 7\n")
	code, stdout, stderr := p.run(".", "seed", "--database-url", url, "--reset")
	if code != exitFailure || !strings.Contains(stderr, "mizzle.yaml:3: seed: the schema package declares its seed settings in Go too (Seed at schema/schema.go:33:5): keep them in one place") {
		t.Errorf("yaml and Go: exit %d\n%s%s", code, stdout, stderr)
	}
	check(6, 12, 4)
	if err := os.Remove(filepath.Join(p.dir, "mizzle.yaml")); err != nil {
		t.Fatal(err)
	}

	// A mistake in the settings is an error at its position.
	p.writeSchema(strings.Replace(src, `"quantity": {Range`, `"qty": {Range`, 1))
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--reset")
	if code != exitFailure || !strings.Contains(stderr, `schema/schema.go:40:4: table public.orders has no column "qty"`) {
		t.Errorf("a wrong column: exit %d\n%s%s", code, stdout, stderr)
	}
	check(6, 12, 4)

	// What only planning finds is placed at the setting it is about.
	p.writeSchema(strings.Replace(src, `Max: 9}`, `Max: 1e12}`, 1))
	code, stdout, stderr = p.run(".", "seed", "--schema", "schema", "--database-url", url, "--reset")
	if code != exitFailure || !strings.Contains(stderr, `schema/schema.go:40:4: nothing was written: table public.orders, column quantity: range 7 to 1e+12 does not fit integer`) {
		t.Errorf("a range too wide: exit %d\n%s%s", code, stdout, stderr)
	}
	check(6, 12, 4)
}

// TestSeedConfigInTestFile: a seed.Config declared in a _test.go file is
// never read (the loader reads the package without its tests), so mizzle
// seed names it in a warning while the package declares no settings, and
// says nothing once the package has its own.
func TestSeedConfigInTestFile(t *testing.T) {
	// The schema imports the seed package, so the module requires this
	// mizzle, and declares no settings at first.
	withSeed := strings.Replace(seedSchema, "import (", "import (\n\t\"github.com/mizzle/mizzle/seed\"\n", 1)
	p := newProject(t, withSeed+"\nvar _ seed.Range\n")
	url := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	testSrc := "package schema\n\nimport mseed \"github.com/mizzle/mizzle/seed\"\n\nvar (\n\tother = 3\n\tSeed  = mseed.Config{Count: 2}\n)\n\nvar Typed mseed.Config\n"
	if err := os.WriteFile(filepath.Join(p.dir, "schema", "seed_test.go"), []byte(testSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	p.writeConfig("schema: schema\nseed:\n  tables:\n    Orders:\n      columns:\n        quantity: {min: 1, max: 2}\n")
	code, stdout, stderr := p.run(".", "seed", "--database-url", url)
	for _, want := range []string{
		"warning: schema/seed_test.go:7:2: Seed is a seed.Config in a test file, which mizzle seed does not read",
		"warning: schema/seed_test.go:10:5: Typed is a seed.Config in a test file",
	} {
		if code != exitOK || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, want %q in stderr\n%s%s", code, want, stdout, stderr)
		}
	}
	if strings.Contains(stderr, "other") {
		t.Errorf("a variable of another type is named:\n%s", stderr)
	}
	// With settings of its own, the package's test file is not the
	// likely intent.
	p.writeSchema(withSeed +
		"\nvar Settings = seed.Config{Tables: map[string]seed.Table{\"Orders\": {Columns: map[string]seed.Column{\"quantity\": {Range: &seed.Range{Min: 1, Max: 2}}}}}}\n")
	p.writeConfig("schema: schema\n")
	code, stdout, stderr = p.run(".", "seed", "--database-url", url, "--reset")
	if code != exitOK || strings.Contains(stderr, "warning") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}
