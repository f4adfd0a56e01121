package randschema

import (
	"slices"

	"github.com/mizzle/mizzle/schema"
)

// extensionNames are the extensions random models install: contrib
// modules every PostgreSQL test server has, in public. Nothing of the
// model uses what they create, so any of them can come and go.
var extensionNames = []string{"citext", "hstore", "pg_trgm", "btree_gin", "fuzzystrmatch"}

// newExtension adds an extension the model lacks, if one is left; not
// one of avoid (the names the model had before a change: names are
// fresh).
func (g *gen) newExtension(avoid map[string]bool) (*schema.Extension, bool) {
	var left []string
	for _, n := range extensionNames {
		if g.m.Extension(n) == nil && !avoid[n] {
			left = append(left, n)
		}
	}
	if len(left) == 0 {
		return nil, false
	}
	x := &schema.Extension{Name: pick(g, left)}
	g.m.Extensions = append(g.m.Extensions, x)
	return x, true
}

func (c *changer) createExtension() (string, bool) {
	avoid := map[string]bool{}
	for n := range c.extInA {
		avoid[n] = true
	}
	x, ok := c.newExtension(avoid)
	if !ok {
		return "", false
	}
	return "create extension " + x.Name, true
}

func (c *changer) dropExtension() (string, bool) {
	if len(c.m.Extensions) == 0 {
		return "", false
	}
	x := pick(&c.gen, c.m.Extensions)
	c.m.Extensions = slices.DeleteFunc(c.m.Extensions, func(y *schema.Extension) bool { return y == x })
	return "drop extension " + x.Name, true
}
