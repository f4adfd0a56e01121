package schema

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Sequence is a standalone sequence (CREATE SEQUENCE): one no column owns,
// which defaults and the application draw numbers from. The sequences of
// identity and serial columns are part of their columns (Column.Sequence).
type Sequence struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Type is the sequence's data type: smallint, integer or bigint.
	Type string `json:"type"`
	// Options are the options that are not the defaults for Type; nil when
	// all are.
	Options *SequenceOptions `json:"options,omitempty"`
	// Was is the sequence's previous name, a rename hint.
	Was string   `json:"was,omitempty"`
	Pos Position `json:"pos,omitzero"`
}

// SequenceOptions are a sequence's options. A zero or nil field is the
// default that CREATE SEQUENCE gives a sequence of its type and direction:
// INCREMENT 1, MINVALUE 1 and MAXVALUE the type's largest (ascending) or
// MINVALUE the type's smallest and MAXVALUE -1 (descending), START the
// MINVALUE (ascending) or the MAXVALUE (descending), CACHE 1, NO CYCLE.
// Models hold only the options that are not defaults (see
// NormalizeSequence), so that a schema that spells a default out and a
// database read back compare equal.
type SequenceOptions struct {
	Start     *int64 `json:"start,omitempty"`
	Increment int64  `json:"increment,omitempty"` // 0 means 1
	MinValue  *int64 `json:"minValue,omitempty"`
	MaxValue  *int64 `json:"maxValue,omitempty"`
	Cache     int64  `json:"cache,omitempty"` // 0 means 1
	Cycle     bool   `json:"cycle,omitempty"`
}

// SequenceValues are a sequence's options with every default filled in.
type SequenceValues struct {
	Start, Increment, Min, Max, Cache int64
	Cycle                             bool
}

// SequenceTypes are the data types a sequence can have.
var SequenceTypes = []string{"smallint", "integer", "bigint"}

// SequenceBounds returns the smallest and largest values of a sequence
// type; ok is false for a type a sequence cannot have.
func SequenceBounds(typ string) (lo, hi int64, ok bool) {
	switch typ {
	case "smallint":
		return math.MinInt16, math.MaxInt16, true
	case "integer":
		return math.MinInt32, math.MaxInt32, true
	case "bigint":
		return math.MinInt64, math.MaxInt64, true
	}
	return 0, 0, false
}

// Values returns the options of a sequence of type typ (smallint, integer
// or bigint; anything else is taken as bigint) with the defaults filled
// in. A nil o has every default.
func (o *SequenceOptions) Values(typ string) SequenceValues {
	lo, hi, ok := SequenceBounds(typ)
	if !ok {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	var z SequenceOptions
	if o == nil {
		o = &z
	}
	v := SequenceValues{Increment: cmp.Or(o.Increment, 1), Cache: cmp.Or(o.Cache, 1), Cycle: o.Cycle}
	v.Min, v.Max = 1, hi
	if v.Increment < 0 {
		v.Min, v.Max = lo, -1
	}
	if o.MinValue != nil {
		v.Min = *o.MinValue
	}
	if o.MaxValue != nil {
		v.Max = *o.MaxValue
	}
	v.Start = v.Min
	if v.Increment < 0 {
		v.Start = v.Max
	}
	if o.Start != nil {
		v.Start = *o.Start
	}
	return v
}

// NormalizeSequence returns the options that are not the defaults for a
// sequence of type typ with values v: nil when all are.
func NormalizeSequence(typ string, v SequenceValues) *SequenceOptions {
	def := (*SequenceOptions)(nil).Values(typ)
	o := &SequenceOptions{Cycle: v.Cycle}
	if v.Increment != 1 {
		o.Increment = v.Increment
		def = o.Values(typ)
	}
	if v.Min != def.Min {
		o.MinValue = &v.Min
	}
	if v.Max != def.Max {
		o.MaxValue = &v.Max
	}
	if v.Start != o.Values(typ).Start {
		o.Start = &v.Start
	}
	if v.Cache != 1 {
		o.Cache = v.Cache
	}
	if *o == (SequenceOptions{}) {
		return nil
	}
	return o
}

// Check reports the first reason PostgreSQL would refuse the options for a
// sequence of type typ, or nil.
func (o *SequenceOptions) Check(typ string) error {
	lo, hi, ok := SequenceBounds(typ)
	if !ok {
		return fmt.Errorf("a sequence is smallint, integer or bigint, not %s", typ)
	}
	v := o.Values(typ)
	switch {
	case o != nil && o.MinValue != nil && (v.Min < lo || v.Min > hi):
		return fmt.Errorf("MINVALUE %d is out of range for %s", v.Min, typ)
	case o != nil && o.MaxValue != nil && (v.Max < lo || v.Max > hi):
		return fmt.Errorf("MAXVALUE %d is out of range for %s", v.Max, typ)
	case v.Min >= v.Max:
		return fmt.Errorf("MINVALUE %d must be less than MAXVALUE %d", v.Min, v.Max)
	case v.Start < v.Min:
		return fmt.Errorf("START %d cannot be less than MINVALUE %d", v.Start, v.Min)
	case v.Start > v.Max:
		return fmt.Errorf("START %d cannot be greater than MAXVALUE %d", v.Start, v.Max)
	case v.Cache < 1:
		return fmt.Errorf("CACHE %d must be at least 1", v.Cache)
	}
	return nil
}

// Sequence returns the sequence with the given schema and name, or nil.
func (m *Model) Sequence(schemaName, name string) *Sequence {
	for _, s := range m.Sequences {
		if s.Schema == schemaName && s.Name == name {
			return s
		}
	}
	return nil
}

func sortSequences(ss []*Sequence) {
	slices.SortFunc(ss, func(a, b *Sequence) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
}

// Clone returns a deep copy of o.
func (o *SequenceOptions) Clone() *SequenceOptions {
	if o == nil {
		return nil
	}
	c := *o
	for _, p := range []**int64{&c.Start, &c.MinValue, &c.MaxValue} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return &c
}

func cloneSequences(ss []*Sequence) []*Sequence {
	if ss == nil {
		return nil
	}
	out := make([]*Sequence, len(ss))
	for i, s := range ss {
		s := *s
		s.Options = s.Options.Clone()
		out[i] = &s
	}
	return out
}

// validateSequences reports sequences without a name, declared twice,
// named like a table of their schema (they share a namespace), of a type a
// sequence cannot have, or with options PostgreSQL refuses; and the
// sequence options of columns that are neither identity nor serial.
func (m *Model) validateSequences(add func(format string, args ...any)) {
	type key struct{ schema, name string }
	seen := map[key]bool{}
	for _, s := range m.Sequences {
		what := "sequence " + qualifiedName(s.Schema, s.Name)
		switch {
		case s.Schema == "" || s.Name == "":
			add("%s: empty schema or name", what)
		case seen[key{s.Schema, s.Name}]:
			add("%s appears twice", what)
		case m.Table(s.Schema, s.Name) != nil:
			add("%s has the name of a table of its schema", what)
		default:
			if err := s.Options.Check(s.Type); err != nil {
				add("%s: %v", what, err)
			}
		}
		seen[key{s.Schema, s.Name}] = true
	}
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			if c.Sequence == nil {
				continue
			}
			what := "table " + qualifiedName(t.Schema, t.Name)
			if c.Identity == IdentityNone && !c.Type.IsSerial() {
				add("%s: column %q has sequence options but is neither identity nor serial", what, c.Name)
			} else if err := c.Sequence.Check(c.Type.Storage().Name); err != nil {
				add("%s: column %q: %v", what, c.Name, err)
			}
		}
	}
}
