package schema

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPositionString(t *testing.T) {
	tests := []struct {
		name string
		pos  Position
		want string
	}{
		{"zero", Position{}, "-"},
		{"file", Position{Filename: "a.go"}, "a.go"},
		{"file and line", Position{Filename: "a.go", Line: 3}, "a.go:3"},
		{"full", Position{Filename: "a.go", Line: 3, Column: 7}, "a.go:3:7"},
		{"line", Position{Line: 3}, "3"},
		{"line and column", Position{Line: 3, Column: 7}, "3:7"},
		{"column without line is dropped", Position{Filename: "a.go", Column: 7}, "a.go"},
		{"column only", Position{Column: 7}, "-"},
		{"negative line", Position{Filename: "a.go", Line: -1, Column: 2}, "a.go"},
		{"path", Position{Filename: "dir/a.go", Line: 10, Column: 1}, "dir/a.go:10:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.pos.String()); diff != "" {
				t.Errorf("(%#v).String() mismatch (-want +got):\n%s", tt.pos, diff)
			}
		})
	}
}

func TestPositionRel(t *testing.T) {
	root := t.TempDir() // absolute on every platform
	dir := filepath.Join(root, "mod")
	in := func(elem ...string) string { return filepath.Join(append([]string{dir}, elem...)...) }
	tests := []struct {
		name string
		file string
		want string
	}{
		{"inside", in("a.go"), "a.go"},
		{"below", in("pkg", "a.go"), filepath.Join("pkg", "a.go")},
		{"dot-dot file name inside", in("..gen", "a.go"), filepath.Join("..gen", "a.go")},
		{"outside", filepath.Join(root, "other", "a.go"), filepath.Join(root, "other", "a.go")},
		{"sibling with the same prefix", filepath.Join(root, "modx", "a.go"), filepath.Join(root, "modx", "a.go")},
		{"parent", root, root},
		{"already relative", filepath.Join("pkg", "a.go"), filepath.Join("pkg", "a.go")},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := Position{Filename: tt.file, Line: 4, Column: 2}
			want := Position{Filename: tt.want, Line: 4, Column: 2}
			if diff := cmp.Diff(want, pos.Rel(dir)); diff != "" {
				t.Errorf("(%#v).Rel(%q) mismatch (-want +got):\n%s", pos, dir, diff)
			}
		})
	}
}

func TestErrorListSort(t *testing.T) {
	e := func(file string, line, col int, msg string) *Error {
		return &Error{Pos: Position{Filename: file, Line: line, Column: col}, Msg: msg}
	}
	tests := []struct {
		name string
		in   ErrorList
		want ErrorList
	}{
		{"nil", nil, nil},
		{"one", ErrorList{e("a.go", 1, 1, "x")}, ErrorList{e("a.go", 1, 1, "x")}},
		{
			name: "by file, line, column, message",
			in: ErrorList{
				e("b.go", 1, 1, "x"),
				e("a.go", 2, 1, "x"),
				e("a.go", 1, 5, "x"),
				e("a.go", 1, 1, "z"),
				e("a.go", 1, 1, "y"),
				e("a.go", 10, 1, "x"), // numeric, not string, order of lines
				e("", 0, 0, "no position"),
			},
			want: ErrorList{
				e("", 0, 0, "no position"),
				e("a.go", 1, 1, "y"),
				e("a.go", 1, 1, "z"),
				e("a.go", 1, 5, "x"),
				e("a.go", 2, 1, "x"),
				e("a.go", 10, 1, "x"),
				e("b.go", 1, 1, "x"),
			},
		},
		{
			name: "exact duplicates removed",
			in: ErrorList{
				e("a.go", 1, 1, "x"),
				e("a.go", 2, 1, "y"),
				e("a.go", 1, 1, "x"),
				e("a.go", 1, 2, "x"), // another column: kept
				e("a.go", 1, 1, "x"),
				e("a.go", 1, 1, "X"), // another message: kept
			},
			want: ErrorList{
				e("a.go", 1, 1, "X"),
				e("a.go", 1, 1, "x"),
				e("a.go", 1, 2, "x"),
				e("a.go", 2, 1, "y"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in.Error()
			if diff := cmp.Diff(tt.want, tt.in.Sort()); diff != "" {
				t.Errorf("ErrorList(%q).Sort() mismatch (-want +got):\n%s", in, diff)
			}
		})
	}
}

func TestErrorListError(t *testing.T) {
	var three ErrorList
	three.Add(Position{Filename: "a.go", Line: 1, Column: 2}, "first")
	three.Addf(Position{Filename: "a.go", Line: 3}, "second %d", 2)
	three.Add(Position{}, "third")
	tests := []struct {
		name string
		list ErrorList
		want string
	}{
		{"nil", nil, "no errors"},
		{"empty", ErrorList{}, "no errors"},
		{"one", three[:1], "a.go:1:2: first"},
		{"three", three, "a.go:1:2: first (and 2 more errors)"},
		{"no position", three[2:], "-: third"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.list.Error()); diff != "" {
				t.Errorf("ErrorList(%d errors).Error() mismatch (-want +got):\n%s", len(tt.list), diff)
			}
		})
	}
	if diff := cmp.Diff("a.go:3: second 2", three[1].Error()); diff != "" {
		t.Errorf("Addf: Error() mismatch (-want +got):\n%s", diff)
	}
}

func TestErrorListErr(t *testing.T) {
	if err := ErrorList(nil).Err(); err != nil {
		t.Errorf("ErrorList(nil).Err() = %v, want nil", err)
	}
	if err := (ErrorList{}).Err(); err != nil {
		t.Errorf("ErrorList{}.Err() = %v, want nil", err)
	}
	var l ErrorList
	l.Add(Position{Filename: "a.go", Line: 1}, "bad")
	err := l.Err()
	if err == nil {
		t.Fatalf("ErrorList(%q).Err() = nil, want the list", l.Error())
	}
	var got ErrorList
	if !errors.As(err, &got) {
		t.Fatalf("ErrorList(%q).Err() = %T, not an ErrorList", l.Error(), err)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("ErrorList(%q).Err() mismatch (-want +got):\n%s", l.Error(), diff)
	}
}
