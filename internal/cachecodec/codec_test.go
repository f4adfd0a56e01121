package cachecodec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// codecSample has a field of every kind the codec takes, and the values
// gob and JSON would not keep apart.
type codecSample struct {
	S        string
	Repeated []string
	B        bool
	I        int
	I8       int8
	U16      uint16
	F        float64
	Arr      [3]byte
	NilSlice []int
	Empty    []int
	NilPtr   *codecSample
	ZeroPtr  *codecSample
	Kids     []codecSample
	Named    sampleKind
}

type sampleKind int

func TestCodecRoundTrip(t *testing.T) {
	in := codecSample{
		S:        "schema.go",
		Repeated: []string{"a", "schema.go", "a", "", "ü", ""},
		B:        true,
		I:        -1 << 40,
		I8:       -128,
		U16:      65535,
		F:        -0.5,
		Arr:      [3]byte{0, 200, 255},
		Empty:    []int{},
		ZeroPtr:  &codecSample{},
		Kids:     []codecSample{{S: "a", Empty: []int{}}, {NilPtr: &codecSample{S: "schema.go"}}},
		Named:    sampleKind(2),
	}
	data, err := Encode(&in)
	if err != nil {
		t.Fatal(err)
	}
	var out codecSample
	if err := Decode(data, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-in +out):\n%s", diff)
	}
	if out.NilSlice != nil || out.Empty == nil || out.NilPtr != nil || out.ZeroPtr == nil {
		t.Errorf("nil and empty are not kept apart: %+v", out)
	}
	// Each distinct string is written once.
	if n := strings.Count(string(data), "schema.go"); n != 1 {
		t.Errorf(`"schema.go" written %d times`, n)
	}

	// Every cut of the data is an error, not a panic or a short value.
	for i := range len(data) {
		var v codecSample
		if err := Decode(data[:i], &v); err == nil {
			t.Fatalf("decoding the first %d of %d bytes: no error", i, len(data))
		}
	}
	if err := Decode(append(data, 0), &out); err == nil {
		t.Error("a byte too many: no error")
	}
}

func TestCodecRefuses(t *testing.T) {
	type withMap struct{ M map[string]int }
	type withAny struct{ A any }
	type withUnexported struct{ s string }
	type behindNil struct{ P *withMap }
	type inEmptySlice struct{ S []withAny }
	for name, v := range map[string]any{
		"map":                  &withMap{},
		"interface":            &withAny{},
		"unexported":           &withUnexported{s: "hidden"},
		"map behind nil":       &behindNil{},
		"interface in nothing": &inEmptySlice{},
	} {
		if _, err := Encode(v); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

// TestDecodePrefix reads a struct's first field alone, as a cache reads an
// entry's key before deciding to decode the rest.
func TestDecodePrefix(t *testing.T) {
	in := codecSample{S: "schema.go", Repeated: []string{"schema.go", "b"}, I: 7}
	data, err := Encode(&in)
	if err != nil {
		t.Fatal(err)
	}
	var first string
	rest, err := DecodePrefix(data, &first)
	if err != nil {
		t.Fatal(err)
	}
	if first != in.S {
		t.Errorf("first field %q, want %q", first, in.S)
	}
	if len(rest) == 0 || len(rest) >= len(data) {
		t.Errorf("%d of %d bytes left after the first field", len(rest), len(data))
	}
	if _, err := DecodePrefix(data[:1], &first); err == nil {
		t.Error("a cut prefix: no error")
	}
}
