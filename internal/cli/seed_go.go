package cli

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/internal/seedprog"
	"github.com/mizzle/mizzle/schema"
)

// seedOptions are mizzle seed's settings before its flags: the schema
// package's seed.Config, which the loader read and checked, or mizzle.yaml's
// seed: section. A project that writes both is an error naming both: which
// one should win is a guess either way, and the one that lost would be
// dropped in silence. The flags are the per-run override of either.
func seedOptions(env *env, cfg *config, m *schema.Model) (seed.Options, error) {
	s := m.Seed
	if s == nil {
		for name, t := range cfg.Seed.Tables {
			if !hasTable(m, name) {
				return seed.Options{}, fmt.Errorf("%s:%d: seed: %q is not a table of the schema", cfg.file, t.line, name)
			}
			for _, child := range slices.Sorted(maps.Keys(t.With)) {
				if !hasTable(m, child) {
					return seed.Options{}, fmt.Errorf("%s:%d: seed: %s: with: %q is not a table of the schema", cfg.file, t.line, name, child)
				}
			}
		}
		return cfg.Seed.options(), nil
	}
	if cfg.Seed.line > 0 {
		return seed.Options{}, fmt.Errorf("%s:%d: seed: the schema package declares its seed settings in Go too (%s at %s): keep them in one place, the Go variable or this section",
			cfg.file, cfg.Seed.line, s.Var, s.Pos.Rel(env.cwd))
	}
	o := seed.Options{Count: s.Count, Seed: s.Seed}
	for _, t := range s.Tables {
		if o.Tables == nil {
			o.Tables = map[string]seed.Table{}
		}
		st := seed.Table{Count: t.Count}
		for _, c := range t.Columns {
			if st.Columns == nil {
				st.Columns = map[string]seed.Column{}
			}
			sc := seed.Column{Skip: c.Skip, Values: c.Values, Weights: c.Weights, Nulls: c.Nulls}
			if c.Range != nil {
				sc.Range = &seed.Range{Min: c.Range.Min, Max: c.Range.Max}
			}
			if c.Func != "" {
				sc.Func = funcInProgram
			}
			st.Columns[c.Name] = sc
		}
		for _, w := range t.With {
			if st.With == nil {
				st.With = map[string][]seed.Weighted{}
			}
			ws := make([]seed.Weighted, len(w.Counts))
			for i, c := range w.Counts {
				ws[i] = seed.Weighted{Weight: c.Weight, Min: c.Min, Max: c.Max}
			}
			st.With[w.Name] = ws
		}
		o.Tables[t.Name] = st
	}
	return o, nil
}

// seedSettingPos is the position in the Go seed settings of the table or
// column a planning error names, or the zero Position when the settings
// are not Go's or say nothing of it.
func seedSettingPos(s *schema.SeedSettings, err error) schema.Position {
	var se *seed.Error
	if s == nil || !errors.As(err, &se) || se.Table == "" {
		return schema.Position{}
	}
	for _, t := range s.Tables {
		if t.Schema+"."+t.Table != se.Table {
			continue
		}
		for _, c := range t.Columns {
			if c.Name == se.Column {
				return c.Pos
			}
		}
		return t.Pos
	}
	return schema.Position{}
}

// funcInProgram stands for a column's Func while mizzle seed plans the
// run: the plan must know that the column has one (its values are the
// function's, neither generated nor checked for uniqueness), and the
// function itself exists only in the seed program, which sets the real
// one before it plans again and writes.
func funcInProgram(*rand.Rand, int) any {
	panic("mizzle seed: a column's Func is called only in the seed program")
}

// seedGo is the Go code a run calls: the columns' Funcs of the Go
// settings and the fixtures of either the Go settings or mizzle.yaml
// (positioned at mizzle.yaml's lines).
func seedGo(env *env, cfg *config, m *schema.Model) (funcs []seedprog.Func, fixtures []schema.SeedFixture) {
	if s := m.Seed; s != nil {
		for _, t := range s.Tables {
			for _, c := range t.Columns {
				if c.Func != "" {
					funcs = append(funcs, seedprog.Func{FuncRef: seedprog.FuncRef{Table: t.Name, Column: c.Name}, Name: c.Func})
				}
			}
		}
		for _, f := range s.Fixtures {
			f.Pos = f.Pos.Rel(env.cwd)
			fixtures = append(fixtures, f)
		}
		return funcs, fixtures
	}
	for _, f := range cfg.Seed.fixtures {
		f.Pos.Filename = cfg.file
		f.Pos = f.Pos.Rel(env.cwd)
		fixtures = append(fixtures, f)
	}
	return nil, fixtures
}
