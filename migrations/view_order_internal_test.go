package migrations

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mizzle/mizzle/schema"
)

// viewOrderByScan is the rule viewOrder follows, written the plain way:
// take the first view in sorted order that names no view left, or when a
// cycle leaves none, the first left.
func viewOrderByScan(vs []*schema.View, names map[*schema.View]map[string]bool) []*schema.View {
	left := sortedViews(vs)
	var out []*schema.View
	for len(left) > 0 {
		i := slices.IndexFunc(left, func(v *schema.View) bool {
			return !slices.ContainsFunc(left, func(o *schema.View) bool { return o != v && names[v][o.Name] })
		})
		if i < 0 {
			i = 0
		}
		out = append(out, left[i])
		left = slices.Delete(left, i, i+1)
	}
	return out
}

// TestViewOrder compares viewOrder with the plain rule on random views:
// chains, diamonds, cycles, names shared across schemas, names of no view
// and of the view itself.
func TestViewOrder(t *testing.T) {
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 1))
		n := 1 + r.IntN(12)
		var vs []*schema.View
		for i := range n {
			vs = append(vs, &schema.View{Schema: fmt.Sprintf("s%d", r.IntN(2)), Name: fmt.Sprintf("v%d", i%(n/2+1))})
		}
		names := map[*schema.View]map[string]bool{}
		for _, v := range vs {
			names[v] = map[string]bool{}
			for range r.IntN(4) {
				names[v][fmt.Sprintf("v%d", r.IntN(n+2))] = true
			}
		}
		got, want := viewOrder(vs, names), viewOrderByScan(vs, names)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: viewOrder gives %v, the plain rule %v", seed, viewNames(got), viewNames(want))
		}
	}
}

func viewNames(vs []*schema.View) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Schema+"."+v.Name)
	}
	return out
}
