package grammar

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/schema"
)

func TestLookupTag(t *testing.T) {
	tests := []struct {
		name    string
		tag     string
		want    string
		offsets []int // nil: checked only by the mapping property below
		found   bool
		wantErr bool
	}{
		{name: "only", tag: `db:"id"`, want: "id", offsets: []int{4, 5, 6}, found: true},
		{name: "empty value", tag: `db:""`, want: "", offsets: []int{4}, found: true},
		{name: "not found", tag: `json:"id"`},
		{name: "empty tag", tag: ``},
		{name: "blank tag", tag: `   `},
		{name: "key is a suffix of another key", tag: `xdb:"id"`},
		{name: "key is a prefix of another key", tag: `dbx:"id"`},
		{name: "after other key", tag: `json:"id" db:"id,pk"`, want: "id,pk", offsets: []int{14, 15, 16, 17, 18, 19}, found: true},
		{name: "before other key", tag: `db:"id" json:"id,omitempty"`, want: "id", offsets: []int{4, 5, 6}, found: true},
		{name: "extra spaces", tag: `json:"x"   db:"a"  `, want: "a", offsets: []int{15, 16}, found: true},
		{name: "other value mentions db", tag: `json:"db:\"x\"" db:"y"`, want: "y", offsets: []int{20, 21}, found: true},
		{
			// Each byte of an escape maps to its backslash; the end maps to
			// the closing quote.
			name:    "escaped quotes",
			tag:     `db:"x,check:\"A\" > 0"`,
			want:    `x,check:"A" > 0`,
			offsets: []int{4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 17, 18, 19, 20, 21},
			found:   true,
		},
		{name: "hex escape", tag: `db:"\x41b"`, want: "Ab", offsets: []int{4, 8, 9}, found: true},
		{name: "multi-byte escape", tag: `db:"\u00e9"`, want: "é", offsets: []int{4, 4, 10}, found: true},
		{name: "multi-byte literal", tag: `db:"é,pk"`, want: "é,pk", offsets: []int{4, 5, 6, 7, 8, 9}, found: true},
		{name: "malformed: no quotes", tag: `db:id`, wantErr: true},
		{name: "malformed: no quotes after other key", tag: `json:"id" db:id`, wantErr: true},
		{name: "malformed: space before quote", tag: `db: "id"`, wantErr: true},
		{name: "unterminated", tag: `db:"id`, wantErr: true},
		{name: "unterminated after other key", tag: `json:"x" db:"id,pk`, wantErr: true},
		{name: "bad escape", tag: `db:"\q"`, wantErr: true},
		// Not ours: reflect.StructTag.Lookup stops at the first malformed
		// pair too, and go vet reports it.
		{name: "other key malformed", tag: `json:x`},
		{name: "other key unterminated", tag: `json:"x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, offs, found, err := LookupTag(tt.tag, "db")
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LookupTag(%q) = %q, %v, nil; want an error", tt.tag, got, found)
				}
				return
			}
			if err != nil {
				t.Fatalf("LookupTag(%q): unexpected error %v", tt.tag, err)
			}
			if found != tt.found {
				t.Errorf("LookupTag(%q) found = %v, want %v", tt.tag, found, tt.found)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LookupTag(%q) value mismatch (-want +got):\n%s", tt.tag, diff)
			}
			if !found {
				if offs != nil {
					t.Errorf("LookupTag(%q) offsets = %v, want nil when not found", tt.tag, offs)
				}
				return
			}
			if tt.offsets != nil {
				if diff := cmp.Diff(tt.offsets, offs); diff != "" {
					t.Errorf("LookupTag(%q) offsets mismatch (-want +got):\n%s", tt.tag, diff)
				}
			}
			// Property: one offset per value byte plus one for the end; a
			// plain byte maps to itself, an escaped one to its backslash.
			if len(offs) != len(got)+1 {
				t.Fatalf("LookupTag(%q): %d offsets for a %d-byte value, want %d", tt.tag, len(offs), len(got), len(got)+1)
			}
			for i := range len(got) {
				if c := tt.tag[offs[i]]; c != got[i] && c != '\\' {
					t.Errorf("LookupTag(%q): value byte %d (%q) maps to tag byte %d (%q)", tt.tag, i, got[i], offs[i], c)
				}
				if i > 0 && offs[i] < offs[i-1] {
					t.Errorf("LookupTag(%q): offsets decrease at %d: %v", tt.tag, i, offs)
				}
			}
			if end := offs[len(got)]; tt.tag[end] != '"' {
				t.Errorf("LookupTag(%q): end offset %d is %q, want the closing quote", tt.tag, end, tt.tag[end])
			}
		})
	}
}

func TestSplitOptions(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []TagOption
		wantErr *OffsetError // only Off is compared
	}{
		{name: "empty", in: "", want: []TagOption{{Key: "", Off: 0}}},
		{name: "name only", in: "id", want: []TagOption{{Key: "id"}}},
		{name: "name and flag", in: "id,pk", want: []TagOption{{Key: "id"}, {Key: "pk", Off: 3}}},
		{name: "default name", in: ",pk", want: []TagOption{{Key: ""}, {Key: "pk", Off: 1}}},
		{name: "trailing comma", in: "id,", want: []TagOption{{Key: "id"}, {Key: "", Off: 3}}},
		{name: "empty middle", in: "a,,b", want: []TagOption{{Key: "a"}, {Key: "", Off: 2}, {Key: "b", Off: 3}}},
		{name: "colon in name is not a value", in: "a:b", want: []TagOption{{Key: "a:b"}}},
		{
			name: "parenthesised type",
			in:   "q,type:numeric(18,8)",
			want: []TagOption{{Key: "q"}, {Key: "type", Value: "numeric(18,8)", HasValue: true, Off: 2, ValOff: 7}},
		},
		{
			name: "quoted comma",
			in:   "s,default:'a,b'",
			want: []TagOption{{Key: "s"}, {Key: "default", Value: "'a,b'", HasValue: true, Off: 2, ValOff: 10}},
		},
		{
			name: "doubled quote",
			in:   "s,default:'it''s',notnull",
			want: []TagOption{
				{Key: "s"},
				{Key: "default", Value: "'it''s'", HasValue: true, Off: 2, ValOff: 10},
				{Key: "notnull", Off: 18},
			},
		},
		{
			name: "empty string literal",
			in:   "s,default:'',pk",
			want: []TagOption{{Key: "s"}, {Key: "default", Value: "''", HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 13}},
		},
		{
			name: "double-quoted comma",
			in:   `x,check:"a,b" > 0`,
			want: []TagOption{{Key: "x"}, {Key: "check", Value: `"a,b" > 0`, HasValue: true, Off: 2, ValOff: 8}},
		},
		{
			name: "comma in parentheses",
			in:   "x,check:(a, b) > 0",
			want: []TagOption{{Key: "x"}, {Key: "check", Value: "(a, b) > 0", HasValue: true, Off: 2, ValOff: 8}},
		},
		{
			name: "value with colon",
			in:   "x,default:'12:00'::time",
			want: []TagOption{{Key: "x"}, {Key: "default", Value: "'12:00'::time", HasValue: true, Off: 2, ValOff: 10}},
		},
		{
			name: "empty value",
			in:   "id,default:",
			want: []TagOption{{Key: "id"}, {Key: "default", Value: "", HasValue: true, Off: 3, ValOff: 11}},
		},
		{
			name: "leading and trailing spaces",
			in:   "  id ,  pk , type: text ",
			want: []TagOption{
				{Key: "id", Off: 2},
				{Key: "pk", Off: 8},
				{Key: "type", Value: "text", HasValue: true, Off: 13, ValOff: 19},
			},
		},
		{
			name: "spaces around colon",
			in:   "x,type : int",
			want: []TagOption{{Key: "x"}, {Key: "type", Value: "int", HasValue: true, Off: 2, ValOff: 9}},
		},
		{
			name: "tabs",
			in:   "id,\tpk,type:\tint",
			want: []TagOption{{Key: "id"}, {Key: "pk", Off: 4}, {Key: "type", Value: "int", HasValue: true, Off: 7, ValOff: 13}},
		},
		{name: "unbalanced open", in: "q,type:numeric(18,8", wantErr: &OffsetError{Off: 14}},
		{name: "innermost unclosed open", in: "x,check:((a)", wantErr: &OffsetError{Off: 8}},
		{name: "stray close", in: "x,check:a)", wantErr: &OffsetError{Off: 9}},
		// The name is not SQL: nothing in it hides the comma after it.
		{name: "parenthesis in the name", in: ")", want: []TagOption{{Key: ")"}}},
		{name: "comment and dollar quote in names", in: "a--b,was:$x$,index:c/*d,pk", want: []TagOption{
			{Key: "a--b"}, {Key: "was", Value: "$x$", HasValue: true, Off: 5, ValOff: 9}, {Key: "index", Value: "c/*d", HasValue: true, Off: 13, ValOff: 19}, {Key: "pk", Off: 24}}},
		// A SQL value is cut by the lexer that splits migrations.
		{name: "E string", in: `s,default:E'it\',s',pk`, want: []TagOption{{Key: "s"}, {Key: "default", Value: `E'it\',s'`, HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 20}}},
		{name: "dollar quote", in: "s,default:$$a,b$$,pk", want: []TagOption{{Key: "s"}, {Key: "default", Value: "$$a,b$$", HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 18}}},
		{name: "block comment", in: "s,default:0 /* , */,pk", want: []TagOption{{Key: "s"}, {Key: "default", Value: "0 /* , */", HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 20}}},
		{name: "unterminated dollar quote", in: "s,default:$$a,pk", wantErr: &OffsetError{Off: 10}},
		{name: "unterminated comment", in: "s,check:a /* b,pk", wantErr: &OffsetError{Off: 10}},
		{name: "unterminated quote", in: "s,default:'abc", wantErr: &OffsetError{Off: 10}},
		{name: "unterminated after doubled quote", in: "s,default:'it''s", wantErr: &OffsetError{Off: 10}},
		{name: "unterminated double quote", in: `s,check:"a`, wantErr: &OffsetError{Off: 8}},
		{
			name: "comma in brackets",
			in:   "x,default:ARRAY[1, 2],pk",
			want: []TagOption{{Key: "x"}, {Key: "default", Value: "ARRAY[1, 2]", HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 22}},
		},
		{name: "unclosed bracket", in: "x,default:ARRAY[1, 2", wantErr: &OffsetError{Off: 15}},
		{name: "bracket closed by parenthesis", in: "x,default:f(a[1)]", wantErr: &OffsetError{Off: 15}},
		{name: "paren in quotes does not count", in: "s,default:'(',pk", want: []TagOption{{Key: "s"}, {Key: "default", Value: "'('", HasValue: true, Off: 2, ValOff: 10}, {Key: "pk", Off: 14}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitOptions(tt.in)
			if tt.wantErr != nil {
				var oe *OffsetError
				if !errors.As(err, &oe) {
					t.Fatalf("SplitOptions(%q) = %+v, %v; want an *OffsetError at %d", tt.in, got, err, tt.wantErr.Off)
				}
				if oe.Off != tt.wantErr.Off {
					t.Errorf("SplitOptions(%q) error %q at offset %d, want offset %d", tt.in, oe.Msg, oe.Off, tt.wantErr.Off)
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitOptions(%q): unexpected error %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SplitOptions(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			checkSplit(t, tt.in, got)
		})
	}
}

func TestParseElements(t *testing.T) {
	const base = 10 // offsets are relative to the marker text; base shifts them
	type el = schema.IndexElem
	tests := []struct {
		name    string
		in      string
		want    []Element
		wantErr int // offset of the error; 0 means none expected
	}{
		{name: "column", in: "email", want: []Element{{el{Column: "email"}, 10}}},
		{name: "quoted column keeps case", in: `"Mixed"`, want: []Element{{el{Column: "Mixed"}, 10}}},
		{name: "quoted column with doubled quote", in: `"a""b"`, want: []Element{{el{Column: `a"b`}, 10}}},
		{name: "quoted column with space", in: `"my col" DESC`, want: []Element{{el{Column: "my col", Desc: true}, 10}}},
		{name: "expression", in: "lower(email)", want: []Element{{el{Expr: "lower(email)"}, 10}}},
		{name: "opclass", in: "data jsonb_path_ops", want: []Element{{el{Column: "data", Opclass: "jsonb_path_ops"}, 10}}},
		{name: "quoted column opclass", in: `"Mixed" text_pattern_ops`, want: []Element{{el{Column: "Mixed", Opclass: "text_pattern_ops"}, 10}}},
		{name: "desc nulls last", in: "created DESC NULLS LAST", want: []Element{{el{Column: "created", Desc: true, Nulls: "last"}, 10}}},
		{name: "lower-case nulls first", in: "created nulls first", want: []Element{{el{Column: "created", Nulls: "first"}, 10}}},
		{name: "asc", in: "a ASC", want: []Element{{el{Column: "a"}, 10}}},
		{name: "double space", in: "a  DESC", want: []Element{{el{Column: "a", Desc: true}, 10}}},
		{
			name: "expression opclass desc",
			in:   "lower(x) text_pattern_ops DESC",
			want: []Element{{el{Expr: "lower(x)", Opclass: "text_pattern_ops", Desc: true}, 10}},
		},
		{name: "operator expression", in: "a + b", want: []Element{{el{Expr: "a + b"}, 10}}},
		{name: "operator expression desc", in: "(a + b) DESC NULLS LAST", want: []Element{{el{Expr: "(a + b)", Desc: true, Nulls: "last"}, 10}}},
		{name: "default null order dropped", in: "a DESC NULLS FIRST, b ASC NULLS LAST, c NULLS LAST", want: []Element{
			{el{Column: "a", Desc: true}, 10}, {el{Column: "b"}, 30}, {el{Column: "c"}, 48}}},
		{name: "comma in call", in: "coalesce(parent_id, '')", want: []Element{{el{Expr: "coalesce(parent_id, '')"}, 10}}},
		{name: "comma in literal", in: "a, 'x, y' DESC", want: []Element{{el{Column: "a"}, 10}, {el{Expr: "'x, y'", Desc: true}, 13}}},
		{
			name: "several",
			in:   "a, b DESC,  c",
			want: []Element{{el{Column: "a"}, 10}, {el{Column: "b", Desc: true}, 13}, {el{Column: "c"}, 22}},
		},
		// What hides a comma or a blank is what hides it in a migration.
		{name: "comma in E string", in: `a, E'x\', y' DESC`, want: []Element{{el{Column: "a"}, 10}, {el{Expr: `E'x\', y'`, Desc: true}, 13}}},
		{name: "comma in dollar quote", in: "coalesce(b, $$x, y$$), c", want: []Element{{el{Expr: "coalesce(b, $$x, y$$)"}, 10}, {el{Column: "c"}, 33}}},
		{name: "comma in brackets", in: "(ARRAY[a, b]), c", want: []Element{{el{Expr: "(ARRAY[a, b])"}, 10}, {el{Column: "c"}, 25}}},
		{name: "tab before DESC", in: "a\tDESC", want: []Element{{el{Column: "a", Desc: true}, 10}}},
		{name: "leading tab", in: "a,\tb", want: []Element{{el{Column: "a"}, 10}, {el{Column: "b"}, 13}}},
		{name: "empty list", in: "", wantErr: 10},
		{name: "empty element", in: "a,,b", wantErr: 12},
		{name: "trailing comma", in: "a, ", wantErr: 13},
		{name: "nulls middle", in: "a NULLS MIDDLE", wantErr: 10},
		{name: "nulls middle second", in: "a, b nulls middle", wantErr: 13},
		{name: "zero-length quoted name", in: `a, ""`, wantErr: 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseElements(tt.in, base)
			if tt.wantErr != 0 {
				var oe *OffsetError
				if !errors.As(err, &oe) {
					t.Fatalf("ParseElements(%q) = %+v, %v; want an *OffsetError at %d", tt.in, got, err, tt.wantErr)
				}
				if oe.Off != tt.wantErr {
					t.Errorf("ParseElements(%q) error %q at offset %d, want offset %d", tt.in, oe.Msg, oe.Off, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseElements(%q): unexpected error %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Element{})); diff != "" {
				t.Errorf("ParseElements(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			checkElements(t, tt.in, base, got)
		})
	}
}

func TestActionFromTag(t *testing.T) {
	tests := []struct {
		in   string
		want schema.Action
		ok   bool
	}{
		{"cascade", schema.Cascade, true},
		{"CASCADE", schema.Cascade, true},
		{" cascade ", schema.Cascade, true},
		{"restrict", schema.Restrict, true},
		{"Restrict", schema.Restrict, true},
		{"set null", schema.SetNull, true},
		{"SET NULL", schema.SetNull, true},
		{"set  null", schema.SetNull, true},
		{"set\tnull", schema.SetNull, true},
		{"set default", schema.SetDefault, true},
		{"Set Default", schema.SetDefault, true},
		{"no action", schema.NoAction, true},
		{"NO ACTION", schema.NoAction, true},
		{"", "", false},
		{"   ", "", false},
		{"set", "", false},
		{"setnull", "", false},
		{"set nullx", "", false},
		{"cascades", "", false},
		{"cascade restrict", "", false},
		{"cascade,", "", false},
		{"no", "", false},
		{"null", "", false},
		{"delete", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ActionFromTag(tt.in)
			if ok != tt.ok {
				t.Errorf("ActionFromTag(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ActionFromTag(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestCutMarker(t *testing.T) {
	tests := []struct {
		comment    string
		name, args string
		off        int
		ok, looks  bool
	}{
		{"//mizzle:table Orders", "table", " Orders", 14, true, false},
		{"//mizzle:index(a)", "index", "(a)", 14, true, false},
		{"//mizzle:partition-of p DEFAULT", "partition-of", " p DEFAULT", 21, true, false},
		{"//mizzle:partition- x", "partition", "- x", 18, true, false},
		{"//mizzle:partition BY", "partition", " BY", 18, true, false},
		{"//mizzle:", "", "", 9, true, false},
		{"// mizzle:table", "", "", 0, false, true},
		{"//\tmizzle:table", "", "", 0, false, true},
		{"// mizzle: is a tool", "", "", 0, false, false},
		{"// Orders are trades.", "", "", 0, false, false},
	}
	for _, tt := range tests {
		name, args, off, ok := CutMarker(tt.comment)
		if name != tt.name || args != tt.args || off != tt.off || ok != tt.ok {
			t.Errorf("CutMarker(%q) = %q, %q, %d, %v; want %q, %q, %d, %v", tt.comment, name, args, off, ok, tt.name, tt.args, tt.off, tt.ok)
		}
		if got := LooksLikeMarker(tt.comment); got != tt.looks {
			t.Errorf("LooksLikeMarker(%q) = %v, want %v", tt.comment, got, tt.looks)
		}
	}
}

func TestNameList(t *testing.T) {
	for _, tc := range []struct {
		in    string
		names []string
		offs  []int
		rest  string
		err   string
	}{
		{in: " a", names: []string{"a"}, offs: []int{1}},
		{in: " a, b ,c USING (x)", names: []string{"a", "b", "c"}, offs: []int{1, 4, 7}, rest: "USING (x)"},
		{in: ` "a, b","C""D"`, names: []string{"a, b", `C"D`}, offs: []int{1, 8}},
		{in: " a,", err: "expected a name"},
		{in: " ", err: "expected a name"},
		{in: ` "a`, err: "unterminated quoted name"},
	} {
		sc := NewScanner(tc.in)
		names, offs, err := sc.NameList()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("NameList(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		rest, _ := sc.Rest()
		if err != nil || !slices.Equal(names, tc.names) || !slices.Equal(offs, tc.offs) || rest != tc.rest {
			t.Errorf("NameList(%q) = %q, %v, rest %q, %v; want %q, %v, rest %q", tc.in, names, offs, rest, err, tc.names, tc.offs, tc.rest)
		}
	}
}

func TestOption(t *testing.T) {
	for _, tc := range []struct {
		in, value string
		off       int
		found     bool
		rest      string
		err       string
	}{
		{in: " was:old AS RESTRICTIVE", value: "old", off: 5, found: true, rest: "AS RESTRICTIVE"},
		{in: ` was:"Old name" USING (x)`, value: "Old name", off: 5, found: true, rest: "USING (x)"},
		{in: " was: USING (x)", off: 5, found: true, rest: "USING (x)"},
		{in: " was:", off: 5, found: true},
		{in: " was:(x)", off: 5, found: true, rest: "(x)"},
		{in: " WAS:old", off: 1, rest: "WAS:old"},
		{in: " USING (x)", off: 1, rest: "USING (x)"},
		{in: "", off: 0},
		{in: ` was:"old`, off: 5, found: true, err: "unterminated quoted name"},
	} {
		sc := NewScanner(tc.in)
		value, off, found, err := sc.Option("was:")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !found {
				t.Errorf("Option(%q) = found %v, error %v; want found, error %q", tc.in, found, err, tc.err)
			}
			continue
		}
		rest, _ := sc.Rest()
		if err != nil || value != tc.value || off != tc.off || found != tc.found || rest != tc.rest {
			t.Errorf("Option(%q) = %q, %d, %v, rest %q, %v; want %q, %d, %v, rest %q",
				tc.in, value, off, found, rest, err, tc.value, tc.off, tc.found, tc.rest)
		}
	}
}
