package schema

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSequenceValues(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		typ  string
		o    *SequenceOptions
		want SequenceValues
	}{
		{"bigint defaults", "bigint", nil, SequenceValues{Start: 1, Increment: 1, Min: 1, Max: math.MaxInt64, Cache: 1}},
		{"smallint defaults", "smallint", nil, SequenceValues{Start: 1, Increment: 1, Min: 1, Max: math.MaxInt16, Cache: 1}},
		{"descending integer", "integer", &SequenceOptions{Increment: -2},
			SequenceValues{Start: -1, Increment: -2, Min: math.MinInt32, Max: -1, Cache: 1}},
		{"START follows MINVALUE", "bigint", &SequenceOptions{MinValue: n(10)},
			SequenceValues{Start: 10, Increment: 1, Min: 10, Max: math.MaxInt64, Cache: 1}},
		{"START follows MAXVALUE going down", "integer", &SequenceOptions{Increment: -1, MaxValue: n(50)},
			SequenceValues{Start: 50, Increment: -1, Min: math.MinInt32, Max: 50, Cache: 1}},
		{"all set", "integer", &SequenceOptions{Start: n(7), Increment: 3, MinValue: n(-5), MaxValue: n(90), Cache: 4, Cycle: true},
			SequenceValues{Start: 7, Increment: 3, Min: -5, Max: 90, Cache: 4, Cycle: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.o.Values(tt.typ)
			if got != tt.want {
				t.Errorf("Values = %+v, want %+v", got, tt.want)
			}
			// Normalizing keeps what is not a default, and gives the same
			// values back.
			norm := NormalizeSequence(tt.typ, got)
			if back := norm.Values(tt.typ); back != got {
				t.Errorf("NormalizeSequence(%+v).Values = %+v", got, back)
			}
		})
	}
}

func TestNormalizeSequence(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		typ  string
		in   *SequenceOptions
		want *SequenceOptions
	}{
		{"defaults spelled out", "bigint", &SequenceOptions{Start: n(1), Increment: 1, MinValue: n(1), MaxValue: n(math.MaxInt64), Cache: 1}, nil},
		{"descending defaults spelled out", "smallint",
			&SequenceOptions{Start: n(-1), Increment: -1, MinValue: n(math.MinInt16), MaxValue: n(-1)}, &SequenceOptions{Increment: -1}},
		{"START equal to a moved MINVALUE", "bigint", &SequenceOptions{Start: n(10), MinValue: n(10)}, &SequenceOptions{MinValue: n(10)}},
		{"START 1 with MINVALUE below", "integer", &SequenceOptions{Start: n(1), MinValue: n(-5)}, &SequenceOptions{Start: n(1), MinValue: n(-5)}},
		{"another type's bound", "integer", &SequenceOptions{MaxValue: n(math.MaxInt64)}, &SequenceOptions{MaxValue: n(math.MaxInt64)}},
		{"cycle alone", "bigint", &SequenceOptions{Cycle: true}, &SequenceOptions{Cycle: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, NormalizeSequence(tt.typ, tt.in.Values(tt.typ))); diff != "" {
				t.Errorf("NormalizeSequence (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSequenceCheck(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		typ  string
		o    *SequenceOptions
		want string
	}{
		{"bigint", nil, ""},
		{"real", nil, "a sequence is smallint, integer or bigint, not real"},
		{"smallint", &SequenceOptions{MaxValue: n(40000)}, "MAXVALUE 40000 is out of range for smallint"},
		{"smallint", &SequenceOptions{MinValue: n(-40000)}, "MINVALUE -40000 is out of range for smallint"},
		{"bigint", &SequenceOptions{MinValue: n(10), MaxValue: n(10)}, "MINVALUE 10 must be less than MAXVALUE 10"},
		{"bigint", &SequenceOptions{Start: n(0)}, "START 0 cannot be less than MINVALUE 1"},
		{"integer", &SequenceOptions{Start: n(5), MaxValue: n(4), MinValue: n(-4)}, "START 5 cannot be greater than MAXVALUE 4"},
		{"bigint", &SequenceOptions{Cache: -1}, "CACHE -1 must be at least 1"},
	}
	for _, tt := range tests {
		err := tt.o.Check(tt.typ)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Check(%s, %+v) = %q, want %q", tt.typ, tt.o, got, tt.want)
		}
	}
}
