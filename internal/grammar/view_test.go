package grammar

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/schema"
)

func TestParseView(t *testing.T) {
	for _, tc := range []struct {
		args         string
		materialized bool
		want         ViewSpec
	}{
		{" v AS q", false, ViewSpec{Name: "v", Const: "q"}},
		{" app.v AS q", false, ViewSpec{Schema: "app", Name: "v", Const: "q"}},
		{` "my.app"."the view" AS q`, false, ViewSpec{Schema: "my.app", Name: "the view", Const: "q"}},
		{` "as" AS q`, false, ViewSpec{Name: "as", Const: "q"}},
		{" v WITH (security_invoker, security_barrier=false, check_option=LOCAL) as q", false,
			ViewSpec{Name: "v", Const: "q", Options: schema.ViewOptions{SecurityInvoker: true, CheckOption: "local"}}},
		{" v with (security_barrier = on) AS q", false, ViewSpec{Name: "v", Const: "q", Options: schema.ViewOptions{SecurityBarrier: true}}},
		{" m WITH NO DATA AS q", true, ViewSpec{Name: "m", Const: "q", WithNoData: true}},
		{" m AS q", true, ViewSpec{Name: "m", Const: "q"}},
	} {
		got, err := ParseView(tc.args, tc.materialized)
		if err != nil {
			t.Errorf("ParseView(%q): %v", tc.args, err)
			continue
		}
		got.NameOff, got.ConstOff, got.SchemaOff, got.OptsOff = 0, 0, 0, 0
		if got != tc.want {
			t.Errorf("ParseView(%q) = %+v, want %+v", tc.args, got, tc.want)
		}
	}
	for _, tc := range []struct{ args, want string }{
		{"", "needs the view's name"},
		{" AS q", "needs the view's name"},
		{" v", "needs AS and the Go constant"},
		{" v AS", "AS needs the name of a Go string constant"},
		{" v AS 1q", "AS needs the name of a Go string constant"},
		{" v AS a.b", "AS needs the name of a Go string constant"},
		{" app. AS q", `expected a name after the schema's "."`},
		{" a.b.c AS q", "double-quote a name that holds a dot"},
		{" v WITH security_invoker AS q", `expected "(" before the view's options`},
		{" v WITH () AS q", "empty option"},
		{" v WITH (fillfactor=70) AS q", `unknown view option "fillfactor"`},
		{" v WITH (security_invoker=maybe) AS q", "the value is true or false"},
		{" v WITH (check_option) AS q", "check_option needs =local or =cascaded"},
		{" v WITH (security_invoker, security_invoker) AS q", "given twice"},
		{` "" AS q`, "zero-length quoted name"},
	} {
		_, err := ParseView(tc.args, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseView(%q) = %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	if _, err := ParseView(" m WITH (security_invoker) AS q", true); err == nil || !strings.Contains(err.Error(), "WITH NO DATA only") {
		t.Errorf("a materialized view with options: %v", err)
	}
}

// TestFormatView checks that what FormatView writes ParseView reads back.
func TestFormatView(t *testing.T) {
	for _, v := range []*schema.View{
		{Schema: "public", Name: "v"},
		{Schema: "app", Name: "v", Options: schema.ViewOptions{SecurityInvoker: true, SecurityBarrier: true, CheckOption: "cascaded"}},
		{Schema: "my.app", Name: "the (view)"},
		{Schema: "public", Name: "as"},
		{Schema: "public", Name: `say "hi"`},
		{Schema: "public", Name: "m", Materialized: true, WithNoData: true},
	} {
		text := " " + FormatView(v, "q")
		got, err := ParseView(text, v.Materialized)
		if err != nil {
			t.Errorf("ParseView(FormatView(%+v)) = %q: %v", v, text, err)
			continue
		}
		wantSchema := v.Schema
		if wantSchema == "public" {
			wantSchema = ""
		}
		if got.Schema != wantSchema || got.Name != v.Name || got.Options != v.Options || got.WithNoData != v.WithNoData || got.Const != "q" {
			t.Errorf("FormatView(%+v) = %q, read back as %+v", v, text, got)
		}
	}
}
