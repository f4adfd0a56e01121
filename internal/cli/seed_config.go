package cli

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/schema"
)

// seedConfig is mizzle.yaml's seed: section, the settings of mizzle seed:
//
//	seed:
//	  count: 100
//	  seed: 42
//	  tables:
//	    users: 20
//	    customers:
//	      count: 50
//	      with:
//	        # 1 to 3 orders for most customers, 10 to 20 for one in five
//	        orders: [{weight: 4, min: 1, max: 3}, {weight: 1, min: 10, max: 20}]
//	    orders:
//	      columns:
//	        quantity: {min: 1, max: 100}
//	        status: {values: [OPEN, CLOSED], weights: [3, 1]}
//	  fixtures:
//	    - example.com/app/fixtures.DefaultModels
type seedConfig struct {
	Count  int                        `yaml:"count"`
	Seed   *uint64                    `yaml:"seed"`
	Tables map[string]seedTableConfig `yaml:"tables"`
	// Fixtures are the fixtures' references, "import/path.Function",
	// each with its line.
	Fixtures []yaml.Node `yaml:"fixtures"`
	fixtures []schema.SeedFixture
	// line is the line of the section in mizzle.yaml; 0 when the file
	// has none.
	line int
}

func (c *seedConfig) UnmarshalYAML(n *yaml.Node) error {
	if err := knownKeys(n, "count", "seed", "tables", "fixtures"); err != nil {
		return err
	}
	type plain seedConfig // without this method
	var v plain
	if err := n.Decode(&v); err != nil {
		return err
	}
	*c = seedConfig(v)
	c.line = n.Line
	seen := map[string]int{}
	for _, fn := range c.Fixtures {
		var ref string
		if err := fn.Decode(&ref); err != nil || fn.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a fixture is named by a string, import/path.Function", fn.Line)
		}
		fx, err := loader.ParseFixture(ref)
		if err != nil {
			return fmt.Errorf("line %d: %v", fn.Line, err)
		}
		if line, dup := seen[ref]; dup {
			return fmt.Errorf("line %d: fixture %s is listed already, at line %d: it would run twice", fn.Line, ref, line)
		}
		seen[ref] = fn.Line
		fx.Pos = schema.Position{Line: fn.Line}
		c.fixtures = append(c.fixtures, fx)
	}
	return nil
}

// seedTableConfig is a table's settings: a count alone, or a mapping.
type seedTableConfig struct {
	Count   int
	Columns map[string]seedColumnConfig
	// With are the rows of child tables per row of this one, by the
	// child's name.
	With map[string][]seed.Weighted
	line int
}

// seedWeightedConfig is one weighted range of with:; weight left out
// is 1, as in Go.
type seedWeightedConfig struct {
	Weight *float64 `yaml:"weight"`
	Min    *int     `yaml:"min"`
	Max    *int     `yaml:"max"`
}

type seedColumnConfig struct {
	Skip    bool      `yaml:"skip"`
	Values  []string  `yaml:"values"`
	Weights []float64 `yaml:"weights"`
	Min     *float64  `yaml:"min"`
	Max     *float64  `yaml:"max"`
	Nulls   *float64  `yaml:"nulls"`
}

func (t *seedTableConfig) UnmarshalYAML(n *yaml.Node) error {
	t.line = n.Line
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&t.Count)
	}
	if err := knownKeys(n, "count", "columns", "with"); err != nil {
		return err
	}
	var v struct {
		Count   int                  `yaml:"count"`
		Columns map[string]yaml.Node `yaml:"columns"`
		With    map[string]yaml.Node `yaml:"with"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	t.Count = v.Count
	for child, wn := range v.With {
		ws, err := decodeWith(child, &wn)
		if err != nil {
			return err
		}
		if t.With == nil {
			t.With = map[string][]seed.Weighted{}
		}
		t.With[child] = ws
	}
	for name, cn := range v.Columns {
		if err := knownKeys(&cn, "skip", "values", "weights", "min", "max", "nulls"); err != nil {
			return err
		}
		var c seedColumnConfig
		if err := cn.Decode(&c); err != nil {
			return err
		}
		if (c.Min == nil) != (c.Max == nil) {
			return fmt.Errorf("line %d: a range needs both min and max", cn.Line)
		}
		if t.Columns == nil {
			t.Columns = map[string]seedColumnConfig{}
		}
		t.Columns[name] = c
	}
	return nil
}

// decodeWith reads the weighted ranges of with: for one child table: a
// list of {weight, min, max}, each with min and max.
func decodeWith(child string, n *yaml.Node) ([]seed.Weighted, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, fmt.Errorf("line %d: with: %s: want a list of ranges of rows, such as [{min: 1, max: 3}]", n.Line, child)
	}
	var ws []seed.Weighted
	for _, en := range n.Content {
		if err := knownKeys(en, "weight", "min", "max"); err != nil {
			return nil, err
		}
		var w seedWeightedConfig
		if err := en.Decode(&w); err != nil {
			return nil, err
		}
		if w.Min == nil || w.Max == nil {
			return nil, fmt.Errorf("line %d: with: %s: a range of rows needs both min and max", en.Line, child)
		}
		sw := seed.Weighted{Weight: 1, Min: *w.Min, Max: *w.Max}
		if w.Weight != nil {
			sw.Weight = *w.Weight
		}
		ws = append(ws, sw)
	}
	return ws, nil
}

// knownKeys refuses a key of mapping n that is not one of keys: a nested
// Decode does not apply the file's KnownFields.
func knownKeys(n *yaml.Node, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping with the keys %s", n.Line, strings.Join(keys, ", "))
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(keys, k.Value) {
			return fmt.Errorf("line %d: unknown key %q (the keys are %s)", k.Line, k.Value, strings.Join(keys, ", "))
		}
	}
	return nil
}

// options turns the section into the seed package's options.
func (c seedConfig) options() seed.Options {
	o := seed.Options{Count: c.Count}
	if c.Seed != nil {
		o.Seed = *c.Seed
	}
	for name, t := range c.Tables {
		if o.Tables == nil {
			o.Tables = map[string]seed.Table{}
		}
		st := seed.Table{Count: t.Count, With: t.With}
		for col, cc := range t.Columns {
			if st.Columns == nil {
				st.Columns = map[string]seed.Column{}
			}
			sc := seed.Column{Skip: cc.Skip, Values: cc.Values, Weights: cc.Weights, Nulls: cc.Nulls}
			if cc.Min != nil {
				sc.Range = &seed.Range{Min: *cc.Min, Max: *cc.Max}
			}
			st.Columns[col] = sc
		}
		o.Tables[name] = st
	}
	return o
}
