package grammar

import (
	"slices"
	"testing"

	"github.com/mizzle/mizzle/schema"
)

func TestPartitionBy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		s    schema.PartitionStrategy
		cols []string
		offs []int
		err  string
		at   int
	}{
		{in: " BY RANGE (at)", s: schema.PartitionRange, cols: []string{"at"}, offs: []int{11}},
		{in: ` by hash (id, "Odd""x")`, s: schema.PartitionHash, cols: []string{"id", `Odd"x`}, offs: []int{10, 14}},
		{in: " BY LIST(kind)", s: schema.PartitionList, cols: []string{"kind"}, offs: []int{9}},
		{in: " RANGE (at)", err: "expected BY RANGE, BY LIST or BY HASH", at: 1},
		{in: " BY TREE (at)", err: "BY needs RANGE, LIST or HASH", at: 4},
		{in: " BY RANGE at", err: `expected "(" before the partition key, found "at"`, at: 10},
		{in: " BY RANGE (a, lower(b))", err: `the partition key takes columns, not "lower(b)" (an expression, a collation or an operator class)`, at: 14},
		{in: " BY RANGE (a,)", err: "empty element in the partition key", at: 13},
		{in: ` BY RANGE ("")`, err: `zero-length quoted name ""`, at: 11},
		{in: " BY RANGE (a) x", err: `unexpected "x" after the partition key`, at: 14},
	} {
		s, cols, offs, err := PartitionBy(tc.in)
		if tc.err != "" {
			oe, ok := err.(*OffsetError)
			if !ok || oe.Msg != tc.err || oe.Off != tc.at {
				t.Errorf("PartitionBy(%q) error = %#v, want %q at %d", tc.in, err, tc.err, tc.at)
			}
			continue
		}
		if err != nil || s != tc.s || !slices.Equal(cols, tc.cols) || !slices.Equal(offs, tc.offs) {
			t.Errorf("PartitionBy(%q) = %q, %q, %v, %v; want %q, %q, %v", tc.in, s, cols, offs, err, tc.s, tc.cols, tc.offs)
		}
		p := &schema.Partitioning{Strategy: s, Columns: cols}
		s2, cols2, _, err := PartitionBy(" " + FormatPartitionBy(p))
		if err != nil || s2 != s || !slices.Equal(cols2, cols) {
			t.Errorf("PartitionBy(FormatPartitionBy(%+v)) = %q, %q, %v", p, s2, cols2, err)
		}
	}
}

func TestPartitionBound(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      string
		at       int
	}{
		{in: " DEFAULT", want: "DEFAULT"},
		{in: " for values from ( '2026-01-01' ) to ('2027-01-01')", want: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"},
		{in: " FOR VALUES FROM (MINVALUE, 1) TO (10, MAXVALUE)", want: "FOR VALUES FROM (MINVALUE, 1) TO (10, MAXVALUE)"},
		{in: " FOR VALUES IN ('a', ')', NULL)", want: "FOR VALUES IN ('a', ')', NULL)"},
		{in: " FOR VALUES WITH (MODULUS 4, REMAINDER 3)", want: "FOR VALUES WITH (modulus 4, remainder 3)"},
		{in: " FOR VALUES WITH (modulus 4,remainder 0)", want: "FOR VALUES WITH (modulus 4, remainder 0)"},
		{in: " FOR VALUES WITH (MODULUS 4, REMAINDER 4)", err: "the remainder (4) must be less than the modulus (4)", at: 18},
		{in: " FOR VALUES WITH (MODULUS 0, REMAINDER 0)", err: "the modulus must be a positive integer", at: 18},
		{in: " FOR VALUES WITH (REMAINDER 1, MODULUS 2)", err: `expected MODULUS m, REMAINDER r, found "REMAINDER 1, MODULUS 2"`, at: 18},
		{in: " FOR VALUES FROM (1)", err: "expected TO (values) after FROM (values)", at: 20},
		{in: " FOR VALUES FROM () TO (1)", err: "the lower bound is empty", at: 18},
		{in: " FOR VALUES FROM (1) TO ( )", err: "the upper bound is empty", at: 25},
		{in: " FOR VALUES IN ()", err: "the list of values is empty", at: 16},
		{in: " FOR VALUES IN ('a)", err: "unterminated quoted string in the values", at: 15},
		{in: " VALUES IN (1)", err: "expected FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), FOR VALUES WITH (MODULUS m, REMAINDER r) or DEFAULT", at: 1},
		{in: " DEFAULT x", err: `unexpected "x" after the bound`, at: 9},
	} {
		got, err := PartitionBound(NewScanner(tc.in))
		if tc.err != "" {
			oe, ok := err.(*OffsetError)
			if !ok || oe.Msg != tc.err || oe.Off != tc.at {
				t.Errorf("PartitionBound(%q) error = %#v, want %q at %d", tc.in, err, tc.err, tc.at)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PartitionBound(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		// What the writer writes reads back the same.
		sc := NewScanner(" " + FormatPartitionOf(schema.Partition{Name: "p x", Bound: got}))
		name, _, _ := sc.Name()
		again, err := PartitionBound(sc)
		if name != "p x" || again != got || err != nil {
			t.Errorf("reading back %q: %q, %q, %v", got, name, again, err)
		}
	}
}
