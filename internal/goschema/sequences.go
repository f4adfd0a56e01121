package goschema

import (
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// sequenceMarker writes a standalone sequence as its //mizzle:sequence
// marker, with the options that are not the defaults.
func sequenceMarker(s *schema.Sequence) string {
	name := grammar.Name(s.Name)
	if strings.Contains(s.Name, ".") {
		name = quote.Ident(s.Name)
	}
	if s.Schema != schema.DefaultSchema {
		sch := grammar.Name(s.Schema)
		if sch != s.Schema || name != s.Name || strings.Contains(s.Schema, ".") {
			// One part quoted: both are, which the marker reads back.
			sch, name = quote.Ident(s.Schema), quote.Ident(s.Name)
		}
		name = sch + "." + name
	}
	m := "//mizzle:sequence " + name
	if s.Type != "bigint" {
		m += " AS " + s.Type
	}
	for _, o := range sequenceOptions(s.Options) {
		m += " " + strings.ToUpper(o.key) + " " + o.value
		if o.value == "" {
			m = strings.TrimSuffix(m, " ")
		}
	}
	return m
}

type sequenceOption struct{ key, value string }

// sequenceOptions lists the options the model holds, in the grammar's
// order.
func sequenceOptions(o *schema.SequenceOptions) []sequenceOption {
	if o == nil {
		return nil
	}
	var out []sequenceOption
	num := func(key string, n int64) { out = append(out, sequenceOption{key, strconv.FormatInt(n, 10)}) }
	if o.Start != nil {
		num("start", *o.Start)
	}
	if o.Increment != 0 {
		num("increment", o.Increment)
	}
	if o.MinValue != nil {
		num("minvalue", *o.MinValue)
	}
	if o.MaxValue != nil {
		num("maxvalue", *o.MaxValue)
	}
	if o.Cache != 0 {
		num("cache", o.Cache)
	}
	if o.Cycle {
		out = append(out, sequenceOption{key: "cycle"})
	}
	return out
}

// sequenceTagOptions writes an identity or serial column's sequence
// options as db tag options: start:100, increment:5, cycle.
func sequenceTagOptions(o *schema.SequenceOptions) []string {
	var out []string
	for _, so := range sequenceOptions(o) {
		if so.value == "" {
			out = append(out, so.key)
		} else {
			out = append(out, so.key+":"+so.value)
		}
	}
	return out
}
