package schema

import "slices"

// SeedSettings are the settings of mizzle seed that a schema package
// declares in Go (a package-level variable of type
// github.com/mizzle/mizzle/seed.Config), as the loader read them without
// running code and checked them against the model. They ride with the
// model so that a cached model keeps them; snapshots leave them out, and
// nothing but mizzle seed reads them. Lists stand for the Go maps, sorted
// by name, so the settings encode the same way every time.
type SeedSettings struct {
	// Var is the variable's name and Pos its declaration.
	Var string
	Pos Position
	// Seed and Count are Config.Seed and Config.Count; HasSeed says Seed
	// was written.
	Seed    uint64
	HasSeed bool
	Count   int
	Tables  []SeedTable
	// Fixtures are Config.Fixtures, in order.
	Fixtures []SeedFixture
}

// SeedFixture is a fixture function, named by its package's import path
// and its name; the loader checks only the form of the reference, since
// the package may import code generated from the schema.
type SeedFixture struct {
	Path, Name string
	Pos        Position
}

// String is the reference as written: "example.com/app/fixtures.Name".
func (f SeedFixture) String() string { return f.Path + "." + f.Name }

// HasGo reports whether the settings name Go functions that mizzle seed
// must run: a column's Func or a fixture.
func (s *SeedSettings) HasGo() bool {
	if s == nil {
		return false
	}
	if len(s.Fixtures) > 0 {
		return true
	}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Func != "" {
				return true
			}
		}
	}
	return false
}

// SeedTable is one table's settings.
type SeedTable struct {
	// Name is the key as written ("users", "app.users"); Schema and Table
	// the table it names.
	Name          string
	Schema, Table string
	Pos           Position
	Count         int
	Columns       []SeedColumn
	With          []SeedChildren
}

// SeedColumn is one column's settings.
type SeedColumn struct {
	Name string
	Pos  Position
	Skip bool
	// Values are in PostgreSQL's text form.
	Values  []string
	Weights []float64
	Range   *SeedRange
	// Nulls is the share of NULLs, nil when it was not written.
	Nulls *float64
	// Func is the name of the schema package's function that makes the
	// column's values; "" for none.
	Func string
}

// SeedRange is a closed interval of numbers.
type SeedRange struct {
	Min, Max float64
}

// SeedChildren is the rows of a child table per row of its parent.
type SeedChildren struct {
	// Name is the child's key as written; Schema and Table the table.
	Name          string
	Schema, Table string
	Pos           Position
	Counts        []SeedWeighted
}

// SeedWeighted is a range of child rows with its weight.
type SeedWeighted struct {
	Weight   float64
	Min, Max int
}

// Clone returns a deep copy of s.
func (s *SeedSettings) Clone() *SeedSettings {
	if s == nil {
		return nil
	}
	c := *s
	c.Fixtures = slices.Clone(s.Fixtures)
	c.Tables = slices.Clone(s.Tables)
	for i := range c.Tables {
		t := &c.Tables[i]
		t.Columns = slices.Clone(t.Columns)
		for j := range t.Columns {
			col := &t.Columns[j]
			col.Values = slices.Clone(col.Values)
			col.Weights = slices.Clone(col.Weights)
			if col.Range != nil {
				r := *col.Range
				col.Range = &r
			}
			if col.Nulls != nil {
				n := *col.Nulls
				col.Nulls = &n
			}
		}
		t.With = slices.Clone(t.With)
		for j := range t.With {
			t.With[j].Counts = slices.Clone(t.With[j].Counts)
		}
	}
	return &c
}

// relativePositions makes the settings' positions relative to dir.
func (s *SeedSettings) relativePositions(dir string) {
	if s == nil {
		return
	}
	s.Pos = s.Pos.Rel(dir)
	for i := range s.Fixtures {
		s.Fixtures[i].Pos = s.Fixtures[i].Pos.Rel(dir)
	}
	for i := range s.Tables {
		t := &s.Tables[i]
		t.Pos = t.Pos.Rel(dir)
		for j := range t.Columns {
			t.Columns[j].Pos = t.Columns[j].Pos.Rel(dir)
		}
		for j := range t.With {
			t.With[j].Pos = t.With[j].Pos.Rel(dir)
		}
	}
}
