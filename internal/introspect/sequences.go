package introspect

import (
	"fmt"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// serialKey names a column, for the sequence its serial type made.
type serialKey struct{ schema, table, column string }

// sequenceRow reads a row of sequencesQuery: a standalone sequence into
// the model, or the options of an identity or serial column's sequence
// onto that column. Options are kept only when they are not the defaults
// for the sequence's type (see schema.NormalizeSequence), as the loader
// keeps them.
func (in *inspector) sequenceRow(r row) error {
	var (
		nsp, name, typ               string
		v                            schema.SequenceValues
		deptype, tnsp, table, column string
	)
	err := r.Scan(&nsp, &name, &typ, &v.Start, &v.Increment, &v.Min, &v.Max, &v.Cache, &v.Cycle,
		&deptype, &tnsp, &table, &column)
	if err != nil {
		return err
	}
	if deptype == "" {
		in.m.Sequences = append(in.m.Sequences, &schema.Sequence{
			Schema: nsp, Name: name, Type: typ, Options: schema.NormalizeSequence(typ, v),
		})
		return nil
	}
	t := in.tables[relKey{schema: tnsp, name: table}]
	if t == nil {
		return nil // created after the tables were read
	}
	col := t.Column(column)
	if col == nil {
		return nil
	}
	seq := quote.Ident(nsp, name)
	switch {
	case deptype == "i" && col.Identity != schema.IdentityNone:
	case deptype == "a" && col.Type.IsSerial() && in.serials[serialKey{tnsp, table, column}] == [2]string{nsp, name}:
	default:
		// Owned (OWNED BY) by a column that does not draw from it.
		in.report(OwnedSequence, seq, "owned by "+quote.Ident(tnsp, table, column))
		return nil
	}
	if colType := col.Type.Storage().Name; typ != colType {
		// The model's column sequence has the column's type: a database
		// built from it has the defaults of that type instead.
		in.report(SequenceOptions, quote.Ident(tnsp, table, column), strings.Join(append([]string{"AS " + typ}, clauses(schema.NormalizeSequence(typ, v))...), " "))
		return nil
	}
	col.Sequence = schema.NormalizeSequence(typ, v)
	return nil
}

// clauses spells options as CREATE SEQUENCE would, for a report.
func clauses(o *schema.SequenceOptions) []string {
	if o == nil {
		return nil
	}
	var out []string
	if o.Increment != 0 {
		out = append(out, fmt.Sprintf("INCREMENT %d", o.Increment))
	}
	if o.MinValue != nil {
		out = append(out, fmt.Sprintf("MINVALUE %d", *o.MinValue))
	}
	if o.MaxValue != nil {
		out = append(out, fmt.Sprintf("MAXVALUE %d", *o.MaxValue))
	}
	if o.Start != nil {
		out = append(out, fmt.Sprintf("START %d", *o.Start))
	}
	if o.Cache != 0 {
		out = append(out, fmt.Sprintf("CACHE %d", o.Cache))
	}
	if o.Cycle {
		out = append(out, "CYCLE")
	}
	return out
}

// shadowSequences points the names of the model's sequences that a
// default spells qualified in its nextval('schema.name') literal at their
// scratch schemas, where Normalize builds them: the literal is resolved
// when the default is built, and the real schema may not hold the
// sequence (yet). Unqualified names resolve through the search path,
// which starts with the shadow of public.
func shadowSequences(m *schema.Model, sc *scratch) *strings.Replacer {
	var pairs []string
	for _, s := range m.Sequences {
		to := sc.name(s.Schema)
		pairs = append(pairs,
			quote.Literal(quote.Ident(s.Schema, s.Name)), quote.Literal(quote.Ident(to, s.Name)),
			quote.Literal(s.Schema+"."+s.Name), quote.Literal(to+"."+s.Name),
			quote.Literal(quote.Ident(s.Schema)+"."+s.Name), quote.Literal(to+"."+s.Name),
			quote.Literal(s.Schema+"."+quote.Ident(s.Name)), quote.Literal(to+"."+quote.Ident(s.Name)))
	}
	return strings.NewReplacer(pairs...)
}
