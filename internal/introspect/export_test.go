package introspect

import "github.com/mizzle/mizzle/schema"

// WholeKeep is how many normalized models the cache keeps.
const WholeKeep = wholeKeep

// UnitKeys returns the answer cache's keys for m on a server described by
// server: each table's and view's by its schema-qualified name, the
// functions' as "functions".
func UnitKeys(m *schema.Model, server string) map[string]string {
	ks, ok := answerKeys(m, server)
	if !ok {
		return nil
	}
	out := map[string]string{"functions": ks.functions}
	for k, key := range ks.units {
		out[k.schema+"."+k.name] = key
	}
	return out
}
