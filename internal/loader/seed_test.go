package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// seedSchema is a schema package with seed settings in Go: an enum's
// typed constants as values, constant expressions, an unkeyed range, a
// With whose range has no weight, a table of another schema by its
// qualified name.
const seedSchema = `-- schema/schema.go --
package schema

import (
	"math/rand/v2"

	"github.com/mizzle/mizzle/seed"
)

type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

const perUser = 3

// Memo makes an order's note.
func Memo(r *rand.Rand, row int) *string { return nil }

//mizzle:table users
type User struct {
	ID   int64  ` + "`db:\"id,pk,identity\"`" + `
	Name string ` + "`db:\"name\"`" + `
}

//mizzle:table orders
//mizzle:schema shop
type Order struct {
	ID       int64   ` + "`db:\"id,pk,identity\"`" + `
	UserID   int64   ` + "`db:\"user_id,ref:User.ID\"`" + `
	Status   Status  ` + "`db:\"status\"`" + `
	Quantity int32   ` + "`db:\"quantity\"`" + `
	Note     *string ` + "`db:\"note\"`" + `
}

var Seed = seed.Config{
	Seed:  42,
	Count: 2 * 5,
	Tables: map[string]seed.Table{
		"users": {Count: 20, With: map[string][]seed.Weighted{
			"orders": {{Min: 1, Max: perUser}, {Weight: 0.5, Min: 10, Max: 12}},
		}},
		"shop.orders": {Columns: map[string]seed.Column{
			"status":   {Values: []any{StatusOpen, StatusClosed}, Weights: []float64{3, 1}},
			"quantity": {Range: &seed.Range{1, 100.5}},
			"note":     {Func: Memo},
		}},
	},
	Fixtures: []string{"example.com/app/fixtures.Defaults", "example.com/app/more.Trades"},
}
`

func TestLoadSeedSettings(t *testing.T) {
	dir, env := testmod.Write(t, txtar.Parse([]byte(seedSchema)))
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	m.RelativePositions(dir)
	pos := func(line, col int) schema.Position {
		return schema.Position{Filename: "schema/schema.go", Line: line, Column: col}
	}
	want := &schema.SeedSettings{
		Var: "Seed", Pos: pos(37, 5), Seed: 42, HasSeed: true, Count: 10,
		Tables: []schema.SeedTable{
			{Name: "shop.orders", Schema: "shop", Table: "orders", Pos: pos(44, 3), Columns: []schema.SeedColumn{
				{Name: "note", Pos: pos(47, 4), Func: "Memo"},
				{Name: "quantity", Pos: pos(46, 4), Range: &schema.SeedRange{Min: 1, Max: 100.5}},
				{Name: "status", Pos: pos(45, 4), Values: []string{"OPEN", "CLOSED"}, Weights: []float64{3, 1}},
			}},
			{Name: "users", Schema: "public", Table: "users", Pos: pos(41, 3), Count: 20, With: []schema.SeedChildren{
				{Name: "orders", Schema: "shop", Table: "orders", Pos: pos(42, 4), Counts: []schema.SeedWeighted{{Weight: 1, Min: 1, Max: 3}, {Weight: 0.5, Min: 10, Max: 12}}},
			}},
		},
		Fixtures: []schema.SeedFixture{
			{Path: "example.com/app/fixtures", Name: "Defaults", Pos: pos(50, 21)},
			{Path: "example.com/app/more", Name: "Trades", Pos: pos(50, 58)},
		},
	}
	if diff := cmp.Diff(want, m.Seed); diff != "" {
		t.Errorf("seed settings (-want +got):\n%s", diff)
	}
}

// TestCacheSeedSettings: the model cache carries the seed settings, and
// editing them is a miss that loads the new ones.
func TestCacheSeedSettings(t *testing.T) {
	dir, env := testmod.Write(t, txtar.Parse([]byte(seedSchema)))
	cfg := loader.Config{Dir: filepath.Join(dir, "schema"), Env: env}
	want := uncachedLoad(t, cfg)
	if want.Seed == nil {
		t.Fatal("no seed settings loaded")
	}
	cache := t.TempDir()
	if _, hit := cachedLoad(t, cfg, cache); hit {
		t.Fatal("first load with an empty cache was a hit")
	}
	got, hit := cachedLoad(t, cfg, cache)
	if !hit {
		t.Fatal("second load was not a hit")
	}
	if diff := cmp.Diff(want.Seed, got.Seed); diff != "" {
		t.Fatalf("seed settings from the cache (-want +got):\n%s", diff)
	}

	file := filepath.Join(cfg.Dir, "schema.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(src), `"users": {Count: 20,`, `"users": {Count: 7,`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	got, hit = cachedLoad(t, cfg, cache)
	if hit {
		t.Fatal("the load after editing the settings was a hit")
	}
	if n := got.Seed.Tables[1].Count; n != 7 {
		t.Errorf("users' count after the edit is %d, want 7", n)
	}
	if got, hit = cachedLoad(t, cfg, cache); !hit || got.Seed.Tables[1].Count != 7 {
		t.Errorf("the edited settings from the cache: hit %v, users' count %d, want a hit and 7", hit, got.Seed.Tables[1].Count)
	}
}

// TestSeedDocExample loads the example of the seed package's doc comment
// beside a schema it fits, so that the example keeps working.
func TestSeedDocExample(t *testing.T) {
	src, err := os.ReadFile("../../seed/seed.go")
	if err != nil {
		t.Fatal(err)
	}
	_, example, _ := strings.Cut(string(src), "//	var Seed = seed.Config{")
	example, _, _ = strings.Cut(example, "\n//\n// Two settings")
	var b strings.Builder
	for _, line := range strings.Split(example, "\n") {
		b.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "//"), "\t") + "\n")
	}
	ar := txtar.Parse([]byte(`-- schema/schema.go --
package schema

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mizzle/mizzle/seed"
)

type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

//mizzle:table users
type User struct {
	ID int64 ` + "`db:\"id,pk,identity\"`" + `
}

//mizzle:table orders
type Order struct {
	ID       int64      ` + "`db:\"id,pk,identity\"`" + `
	UserID   int64      ` + "`db:\"user_id,ref:User.ID\"`" + `
	Status   Status     ` + "`db:\"status\"`" + `
	Quantity int32      ` + "`db:\"quantity\"`" + `
	ClosedAt *time.Time ` + "`db:\"closed_at\"`" + `
	Note     *string    ` + "`db:\"note\"`" + `
	SKU      string     ` + "`db:\"sku\"`" + `
}

var Seed = seed.Config{` + b.String()))
	dir, env := testmod.Write(t, ar)
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	if err != nil {
		t.Fatalf("%v\n%s", err, ar.Files[0].Data)
	}
	if m.Seed == nil || len(m.Seed.Tables) != 2 || len(m.Seed.Tables[0].Columns) != 5 || len(m.Seed.Fixtures) != 1 {
		t.Errorf("the example's settings: %+v", m.Seed)
	}
}

// TestSeedUnknownField: a seed package newer than the running mizzle, with
// a setting this loader does not know, is an error at the setting rather
// than a setting dropped.
func TestSeedUnknownField(t *testing.T) {
	ar := txtar.Parse([]byte(`-- schema/schema.go --
package schema

import "github.com/mizzle/mizzle/seed"

//mizzle:table users
type User struct {
	ID int64 ` + "`db:\"id,pk\"`" + `
}

var Seed = seed.Config{Count: 3, Shuffle: true}
-- newer/go.mod --
module github.com/mizzle/mizzle

go 1.26
-- newer/seed/seed.go --
package seed

type Config struct {
	Count   int
	Shuffle bool
}
`))
	dir, env := testmod.Write(t, ar)
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	before, _, ok := strings.Cut(string(data), "replace github.com/mizzle/mizzle => ")
	if !ok {
		t.Fatalf("go.mod does not replace mizzle:\n%s", data)
	}
	if err := os.WriteFile(gomod, []byte(before+"replace github.com/mizzle/mizzle => ./newer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	want := "schema.go:10:34: this mizzle does not know the seed setting Shuffle: update mizzle to the version of the seed package the module requires"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}
