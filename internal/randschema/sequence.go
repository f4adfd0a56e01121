package randschema

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Sequences. A sequence of A has not been drawn from when the changes are
// applied, so its current value is its START: a change to its options
// keeps that value within the new bounds, as PostgreSQL requires. A
// column default draws from a sequence of public only (nextval('q7'::
// regclass), as PostgreSQL prints it), so that no schema rename or drop
// respells it; it is set on a bigint column of A, whose rows it leaves as
// they are.

func (g *gen) sequenceName() string {
	if g.chance(0.2) {
		return fmt.Sprintf("Q%d", g.num())
	}
	return fmt.Sprintf("q%d", g.num())
}

// newSequence adds a sequence with random options to schemaName.
func (g *gen) newSequence(schemaName string) *schema.Sequence {
	s := &schema.Sequence{Schema: schemaName, Name: g.sequenceName(), Type: pick(g, schema.SequenceTypes)}
	s.Options = g.sequenceOptions(s.Type)
	g.m.Sequences = append(g.m.Sequences, s)
	return s
}

// sequenceOptions makes random valid options for a sequence of type typ:
// ascending or descending, bounds inside smallint's, as the model holds
// them.
func (g *gen) sequenceOptions(typ string) *schema.SequenceOptions {
	o := &schema.SequenceOptions{}
	if g.chance(0.5) {
		o.Increment = pick(g, []int64{2, 5, -1, -3, 10})
	}
	if g.chance(0.4) {
		v := int64(g.r.IntN(200)) - 100
		o.MinValue = &v
	}
	if g.chance(0.4) {
		v := int64(g.r.IntN(20000)) + 200
		o.MaxValue = &v
	}
	vals := o.Values(typ)
	if vals.Min >= vals.Max {
		o.MinValue, o.MaxValue = nil, nil
		vals = o.Values(typ)
	}
	if g.chance(0.5) {
		lo, hi := max(vals.Min, -1000), min(vals.Max, 1000)
		if lo < hi {
			v := lo + int64(g.r.IntN(int(hi-lo)))
			o.Start = &v
		}
	}
	if g.chance(0.3) {
		o.Cache = int64(1 + g.r.IntN(20))
	}
	o.Cycle = g.chance(0.3)
	return schema.NormalizeSequence(typ, o.Values(typ))
}

// columnSequenceOptions makes random options for an identity column's
// sequence that rows already in the table never contradict: ascending, no
// MAXVALUE, MINVALUE at most 1.
func (g *gen) columnSequenceOptions(typ string) *schema.SequenceOptions {
	o := &schema.SequenceOptions{}
	if g.chance(0.5) {
		o.Increment = pick(g, []int64{2, 3, 5, 10})
	}
	if g.chance(0.3) {
		v := pick(g, []int64{-100, 0, 1})
		o.MinValue = &v
	}
	if g.chance(0.6) {
		v := int64(1 + g.r.IntN(1000))
		o.Start = &v
	}
	if g.chance(0.3) {
		o.Cache = int64(1 + g.r.IntN(20))
	}
	o.Cycle = g.chance(0.2)
	return schema.NormalizeSequence(typ, o.Values(typ))
}

// lowerName matches the names regclass prints without quotes.
var lowerName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// nextval is a default drawing from s, as PostgreSQL prints it.
func nextval(s *schema.Sequence) string {
	name := s.Name
	if !lowerName.MatchString(name) {
		name = quote.Ident(name)
	}
	return "nextval(" + quote.Literal(name) + "::regclass)"
}

func (c *changer) createSequence() (string, bool) {
	s := c.newSequence(pick(&c.gen, c.schemaChoices()))
	return "create sequence " + qual(s.Schema, s.Name), true
}

func (c *changer) dropSequence() (string, bool) {
	if len(c.m.Sequences) == 0 {
		return "", false
	}
	s := pick(&c.gen, c.m.Sequences)
	c.removeSequence(s)
	return "drop sequence " + qual(s.Schema, s.Name), true
}

// removeSequence drops s with the defaults that draw from it.
func (c *changer) removeSequence(s *schema.Sequence) {
	c.m.Sequences = slices.DeleteFunc(c.m.Sequences, func(x *schema.Sequence) bool { return x == s })
	if s.Schema != schema.DefaultSchema {
		return
	}
	def := nextval(s)
	for _, t := range c.m.Tables {
		for _, col := range t.Columns {
			if col.Default == def {
				col.Default = ""
			}
		}
	}
}

func (c *changer) alterSequence() (string, bool) {
	if len(c.m.Sequences) == 0 {
		return "", false
	}
	s := pick(&c.gen, c.m.Sequences)
	typ := s.Type
	if i := slices.Index(schema.SequenceTypes, typ); i < len(schema.SequenceTypes)-1 && c.chance(0.3) {
		typ = schema.SequenceTypes[i+1] // widened only: narrowing fails on values out of range
	}
	o := c.sequenceOptions(typ)
	if start, ok := c.seqStartInA[s]; ok {
		// The current value is A's START, which the new bounds must hold.
		if v := o.Values(typ); start < v.Min || start > v.Max {
			return "", false
		}
	}
	s.Type, s.Options = typ, o
	return "alter sequence " + qual(s.Schema, s.Name), true
}

func (c *changer) renameSequence() (string, bool) {
	var cands []*schema.Sequence
	for _, s := range c.m.Sequences {
		if _, inA := c.seqStartInA[s]; inA && !c.touched[s] {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		return "", false
	}
	s := pick(&c.gen, cands)
	c.touched[s] = true
	old, oldDef := s.Name, nextval(s)
	s.Was, s.Name = old, c.sequenceName()
	if s.Schema == schema.DefaultSchema {
		for _, t := range c.m.Tables {
			for _, col := range t.Columns {
				if col.Default == oldDef {
					col.Default = nextval(s)
				}
			}
		}
	}
	return fmt.Sprintf("rename sequence %s to %s", qual(s.Schema, old), s.Name), true
}

// drawFromSequence makes a bigint column's default draw from a sequence
// of public.
func (c *changer) drawFromSequence() (string, bool) {
	var seqs []*schema.Sequence
	for _, s := range c.m.Sequences {
		if s.Schema == schema.DefaultSchema {
			seqs = append(seqs, s)
		}
	}
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return col.Type == schema.Type{Name: "bigint"} && col.Identity == "" && col.Generated == "" && (c.colInA[col] || !c.hasRows[t])
	})
	if len(seqs) == 0 || t == nil {
		return "", false
	}
	s := pick(&c.gen, seqs)
	col.Default = nextval(s)
	return fmt.Sprintf("sequence default of %s.%s: %s", t.Name, col.Name, col.Default), true
}

// setColumnSequence sets random options on an identity column's sequence.
func (c *changer) setColumnSequence() (string, bool) {
	t, col := c.randomColumn(func(_ *schema.Table, col *schema.Column) bool { return col.Identity != "" })
	if t == nil {
		return "", false
	}
	col.Sequence = c.columnSequenceOptions(col.Type.Name)
	return fmt.Sprintf("set sequence options of %s.%s", t.Name, col.Name), true
}

// moveSequences follows a schema rename, or with to empty drops the
// sequences of a dropped schema.
func (c *changer) moveSequences(from, to string) {
	for _, s := range slices.Clone(c.m.Sequences) {
		switch {
		case s.Schema != from:
		case to == "":
			c.removeSequence(s)
		default:
			s.Schema = to
		}
	}
}
