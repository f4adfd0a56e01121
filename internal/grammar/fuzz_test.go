package grammar

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// splitOptionsSeeds are the inputs of TestSplitOptions and a few more.
var splitOptionsSeeds = []string{
	"", "id", "id,pk", ",pk", "id,", "a,,b", "a:b",
	"q,type:numeric(18,8)",
	"s,default:'a,b'",
	"s,default:'it''s',notnull",
	"s,default:'',pk",
	`x,check:"a,b" > 0`,
	"x,check:(a, b) > 0",
	"x,default:'12:00'::time",
	"id,default:",
	"  id ,  pk , type: text ",
	"x,type : int",
	"id,\tpk,type:\tint",
	"q,type:numeric(18,8",
	"x,check:((a)",
	"x,check:a)",
	")",
	"s,default:'abc",
	"s,default:'it''s",
	`s,check:"a`,
	"s,default:'(',pk",
	"amount,type:numeric(18, 8),check:amount >= 0,default:0",
	"owner_id,ref:User.ID,ondelete:set null",
	`s,default:E'it\',s',pk`, "s,default:$$a,b$$,pk", "s,default:0 /* , */,pk", "a--b,was:$x$,pk",
}

// FuzzSplitOptions checks that SplitOptions never panics, that its errors
// point into the input, and that a successful split cuts the input exactly at
// the commas SplitOptions's rules give, with offsets that point at each
// option's text.
func FuzzSplitOptions(f *testing.F) {
	for _, s := range splitOptionsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opts, err := SplitOptions(s)
		if err != nil {
			var oe *OffsetError
			if !errors.As(err, &oe) {
				t.Fatalf("SplitOptions(%q): error %v (%T) is not an *OffsetError", s, err, err)
			}
			if oe.Off < 0 || oe.Off >= len(s) {
				t.Fatalf("SplitOptions(%q): error %q at offset %d, outside the input", s, oe.Msg, oe.Off)
			}
			return
		}
		checkSplit(t, s, opts)
	})
}

// checkSplit verifies a successful SplitOptions result against s: the raw
// segments between separating commas rejoin to s, each segment is what
// topLevelProblem accepts (so no comma inside a SQL value's parentheses,
// brackets, quotes or comments split), and Key, Value, Off and ValOff
// describe the segment.
func checkSplit(t *testing.T, s string, opts []TagOption) {
	t.Helper()
	if len(opts) == 0 {
		t.Fatalf("SplitOptions(%q) returned no options", s)
	}
	var raws []string
	start := 0
	for i, o := range opts {
		if o.Off < start || o.Off > len(s) {
			t.Fatalf("SplitOptions(%q): option %d Off %d outside [%d, %d]", s, i, o.Off, start, len(s))
		}
		end := len(s)
		if i+1 < len(opts) {
			next := opts[i+1].Off
			if next <= o.Off || next > len(s) {
				t.Fatalf("SplitOptions(%q): offsets not increasing: option %d at %d, option %d at %d", s, i, o.Off, i+1, next)
			}
			end = strings.LastIndexByte(s[:next], ',')
			if end < o.Off {
				t.Fatalf("SplitOptions(%q): no comma between option %d (at %d) and option %d (at %d)", s, i, o.Off, i+1, next)
			}
		}
		raw := s[start:end]
		raws = append(raws, raw)
		if msg := topLevelProblem(raw, i); msg != "" {
			t.Fatalf("SplitOptions(%q): segment %d %q: %s", s, i, raw, msg)
		}
		text := strings.TrimSpace(raw)
		if want := start + len(raw) - len(strings.TrimLeftFunc(raw, unicode.IsSpace)); o.Off != want {
			t.Errorf("SplitOptions(%q): option %d (%q) Off = %d, want %d", s, i, text, o.Off, want)
		}
		k, v, hasValue := strings.Cut(text, ":")
		if i == 0 {
			k, v, hasValue = text, "", false // the column name never has a value
		}
		if !hasValue {
			k = text
		}
		if o.Key != strings.TrimSpace(k) || o.Value != strings.TrimSpace(v) || o.HasValue != hasValue {
			t.Errorf("SplitOptions(%q): option %d = {Key %q, Value %q, HasValue %v}, want {%q, %q, %v}",
				s, i, o.Key, o.Value, o.HasValue, strings.TrimSpace(k), strings.TrimSpace(v), hasValue)
		}
		if hasValue {
			// The value starts after the first colon and any blanks.
			after := o.Off + len(k) + 1
			want := after + len(v) - len(strings.TrimLeftFunc(v, unicode.IsSpace))
			if o.ValOff != want || !strings.HasPrefix(s[o.ValOff:], o.Value) {
				t.Errorf("SplitOptions(%q): option %d ValOff = %d, want %d (value %q)", s, i, o.ValOff, want, o.Value)
			}
		} else if o.ValOff != 0 {
			t.Errorf("SplitOptions(%q): option %d has no value but ValOff %d", s, i, o.ValOff)
		}
		start = end + 1
	}
	if got := strings.Join(raws, ","); got != s {
		t.Errorf("SplitOptions(%q): segments rejoin to %q", s, got)
	}
}

// topLevelProblem reports what is wrong with one option's raw text as a
// segment of the split, by the rules of SplitOptions: the name (segment 0)
// and a plain option hold no comma at all; a SQL option's value is one item
// of a list as sqlsplit.SplitList cuts it, with its brackets balanced.
func topLevelProblem(raw string, i int) string {
	k, v, ok := strings.Cut(raw, ":")
	if i == 0 || !ok || !sqlValued[strings.TrimSpace(k)] {
		if strings.Contains(raw, ",") {
			return "a comma inside a name or a plain option"
		}
		return ""
	}
	if parts := sqlsplit.SplitList(v); len(parts) != 1 {
		return "top-level comma inside a SQL value"
	}
	depth := 0
	for t := range sqlsplit.Tokens(v) {
		switch t.Text {
		case "(", "[":
			depth++
		case ")", "]":
			if depth--; depth < 0 {
				return "unbalanced " + t.Text
			}
		}
	}
	if depth != 0 {
		return "unclosed ( or ["
	}
	return ""
}

// parseElementsSeeds are the inputs of TestParseElements and a few more.
var parseElementsSeeds = []string{
	"email", `"Mixed"`, `"a""b"`, `"my col" DESC`, "lower(email)",
	"data jsonb_path_ops", `"Mixed" text_pattern_ops`,
	"created DESC NULLS LAST", "created nulls first", "a ASC", "a  DESC",
	"lower(x) text_pattern_ops DESC", "a + b", "(a + b) DESC NULLS FIRST",
	"coalesce(parent_id, '')", "a, 'x, y' DESC", "a, b DESC,  c", "a,\tb",
	"", "a,,b", "a, ", "a NULLS MIDDLE", "a, b nulls middle", `a, ""`,
	"NULLS LAST", "a DESC NULLS", "(a", "a)", "'a", `"a`,
}

// FuzzParseElements checks that ParseElements never panics, that its errors
// point into the input, and that each element it returns is a column or an
// expression whose offset points at its text and which FormatElement
// writes back as itself.
func FuzzParseElements(f *testing.F) {
	for _, s := range parseElementsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const base = 7
		els, err := ParseElements(s, base)
		if err != nil {
			var oe *OffsetError
			if !errors.As(err, &oe) {
				t.Fatalf("ParseElements(%q): error %v (%T) is not an *OffsetError", s, err, err)
			}
			if oe.Off < base || oe.Off > base+len(s) {
				t.Fatalf("ParseElements(%q): error %q at offset %d, outside [%d, %d]", s, oe.Msg, oe.Off, base, base+len(s))
			}
			return
		}
		checkElements(t, s, base, els)
	})
}

// checkElements verifies a successful ParseElements result.
func checkElements(t *testing.T, s string, base int, els []Element) {
	t.Helper()
	if want := len(sqlsplit.SplitList(s)); len(els) != want {
		t.Fatalf("ParseElements(%q): %d elements, want %d (one per top-level comma part)", s, len(els), want)
	}
	prev := base - 1
	for i, e := range els {
		if e.Off <= prev || e.Off >= base+len(s) {
			t.Fatalf("ParseElements(%q): element %d offset %d, want in (%d, %d)", s, i, e.Off, prev, base+len(s))
		}
		prev = e.Off
		if r := []rune(s[e.Off-base:])[0]; unicode.IsSpace(r) || r == ',' {
			t.Errorf("ParseElements(%q): element %d offset %d points at %q, not at its text", s, i, e.Off, r)
		}
		if (e.Column == "") == (e.Expr == "") {
			t.Errorf("ParseElements(%q): element %d = %+v, want exactly one of Column and Expr", s, i, e.IndexElem)
		}
		if e.Nulls != "" && e.Nulls != "first" && e.Nulls != "last" {
			t.Errorf("ParseElements(%q): element %d Nulls = %q", s, i, e.Nulls)
		}
		if e.Opclass != "" && !bareIdent.MatchString(e.Opclass) {
			t.Errorf("ParseElements(%q): element %d Opclass = %q, not an identifier", s, i, e.Opclass)
		}
		// The writer and the reader are one grammar: what FormatElement
		// writes reads back as the element it was.
		if back, err := ParseElement(FormatElement(e.IndexElem)); err != nil || back != e.IndexElem {
			t.Errorf("ParseElements(%q): element %d = %+v is written %q, which reads back as %+v, %v", s, i, e.IndexElem, FormatElement(e.IndexElem), back, err)
		}
	}
}
