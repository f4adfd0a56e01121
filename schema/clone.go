package schema

import "slices"

// Clone returns a deep copy of m: changing the copy, down to a column or an
// index element, leaves m as it was. The differ's callers and tests that
// derive one model from another rely on it.
func (m *Model) Clone() *Model {
	if m == nil {
		return nil
	}
	c := &Model{Go: m.Go, Extensions: cloneExtensions(m.Extensions), Sequences: cloneSequences(m.Sequences), Functions: cloneFunctions(m.Functions), Views: cloneViews(m.Views), Seed: m.Seed.Clone()}
	for _, s := range m.Schemas {
		s := *s
		c.Schemas = append(c.Schemas, &s)
	}
	for _, e := range m.Enums {
		e := *e
		e.Values = slices.Clone(e.Values)
		e.GoType = e.GoType.clone()
		c.Enums = append(c.Enums, &e)
	}
	for _, t := range m.Tables {
		c.Tables = append(c.Tables, t.Clone())
	}
	return c
}

// clone returns a deep copy of a table's or a view's column.
func (col *Column) clone() *Column {
	c := *col
	c.GoType = col.GoType.clone()
	c.Sequence = col.Sequence.Clone()
	return &c
}

// Clone returns a deep copy of t.
func (t *Table) Clone() *Table {
	c := *t
	c.Columns = make([]*Column, len(t.Columns))
	for i, col := range t.Columns {
		c.Columns[i] = col.clone()
	}
	if t.PrimaryKey != nil {
		pk := *t.PrimaryKey
		pk.Columns = slices.Clone(pk.Columns)
		c.PrimaryKey = &pk
	}
	c.Uniques = slices.Clone(t.Uniques)
	for i := range c.Uniques {
		c.Uniques[i].Columns = slices.Clone(c.Uniques[i].Columns)
	}
	c.Checks = slices.Clone(t.Checks)
	c.ForeignKeys = slices.Clone(t.ForeignKeys)
	for i := range c.ForeignKeys {
		fk := &c.ForeignKeys[i]
		fk.Columns = slices.Clone(fk.Columns)
		fk.RefColumns = slices.Clone(fk.RefColumns)
	}
	c.Indexes = slices.Clone(t.Indexes)
	for i := range c.Indexes {
		c.Indexes[i].Elements = slices.Clone(c.Indexes[i].Elements)
	}
	c.Policies = t.clonePolicies()
	c.Triggers = t.cloneTriggers()
	c.Partition = t.Partition.clone()
	c.GoType = t.GoType.clone()
	c.GoFields = cloneGoFields(t.GoFields)
	c.Relations = nil
	for _, r := range t.Relations {
		c.Relations = append(c.Relations, r.clone())
	}
	return &c
}

func cloneGoFields(fs []GoField) []GoField {
	if fs == nil {
		return nil
	}
	out := make([]GoField, len(fs))
	for i, f := range fs {
		f.Type = f.Type.clone()
		f.Fields = cloneGoFields(f.Fields)
		out[i] = f
	}
	return out
}

func (t GoType) clone() GoType {
	if t.TypeArgs != nil {
		args := make([]GoType, len(t.TypeArgs))
		for i, a := range t.TypeArgs {
			args[i] = a.clone()
		}
		t.TypeArgs = args
	}
	if t.Key != nil {
		k := t.Key.clone()
		t.Key = &k
	}
	if t.Elem != nil {
		e := t.Elem.clone()
		t.Elem = &e
	}
	return t
}
