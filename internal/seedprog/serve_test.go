package seedprog

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// TestServeRefuses: a request of another protocol, without a URL, or
// counting on a function the program was not built with, does nothing and
// says why; the URL leaves the environment either way.
func TestServeRefuses(t *testing.T) {
	req := func(r Request) *strings.Reader {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReader(string(data))
	}
	m := &schema.Model{}
	for _, tc := range []struct {
		name string
		url  string
		in   *strings.Reader
		want string
	}{
		{"protocol", "postgres://x", req(Request{Protocol: 99, Model: m}), "the seed program speaks protocol 1 and was asked in protocol 99"},
		{"not json", "postgres://x", strings.NewReader("{"), "the seed program speaks protocol 1 and was asked in protocol 0"},
		{"no url", "", req(Request{Protocol: Protocol, Model: m}), "no database URL in " + URLEnv},
		{"no func", "postgres://x", req(Request{Protocol: Protocol, Model: m, Funcs: []FuncRef{{"users", "name"}}}), "the seed program has no Func for column name of table users"},
		{"no fixture", "postgres://x", req(Request{Protocol: Protocol, Model: m, Fixtures: []string{"example.com/f.Run"}}), "the seed program has no fixture example.com/f.Run"},
		{"plan", "postgres://x", req(Request{Protocol: Protocol, Model: m, Options: seed.Options{Count: -1}}), "count -1 is negative"},
	} {
		t.Setenv(URLEnv, tc.url)
		res := Serve(context.Background(), tc.in, nil, nil)
		if res.Protocol != Protocol || res.Error != tc.want || len(res.Written) != 0 {
			t.Errorf("%s: %+v, want the error %q", tc.name, res, tc.want)
		}
		if v, ok := os.LookupEnv(URLEnv); ok {
			t.Errorf("%s: %s is still %q", tc.name, URLEnv, v)
		}
	}
}

// TestModelRoundTrip: the program plans over the model as it arrives in
// JSON, so the model must come through whole: the same options give the
// same rows as over the loaded model, or a project that adds a Func to
// one column would see every other column change.
func TestModelRoundTrip(t *testing.T) {
	m := testmod.Load(t, "../seed/testdata/shop.txtar")
	data, err := json.Marshal(Request{Protocol: Protocol, Model: m})
	if err != nil {
		t.Fatal(err)
	}
	var req Request
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	o := seed.Options{Seed: 7, Count: 6, Tables: map[string]seed.Table{"tenants": {With: map[string][]seed.Weighted{"users": {{Weight: 1, Min: 1, Max: 3}}}}}}
	if a, b := rowsOf(t, m, o), rowsOf(t, req.Model, o); a != b {
		t.Errorf("the model through JSON makes other rows:\n%s\n%s", a, b)
	}
}

func rowsOf(t *testing.T, m *schema.Model, o seed.Options) string {
	t.Helper()
	p, err := seed.New(m, o)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tp := range p.Tables {
		rows := p.Rows(tp)
		for rows.Next() {
			vals, _ := rows.Values()
			for _, v := range vals {
				b.WriteString(seed.Text(v) + "|")
			}
			b.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
