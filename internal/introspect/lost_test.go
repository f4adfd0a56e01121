package introspect_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestSummary checks the wording of lost objects: one sentence per kind,
// what weakens access first, with the count, at most ten names and what a
// database built without them does differently.
func TestSummary(t *testing.T) {
	var lost []introspect.Lost
	for i := range 12 {
		lost = append(lost, introspect.Lost{Kind: introspect.View, Object: fmt.Sprintf(`"public"."v%02d"`, i)})
	}
	lost = append(lost,
		introspect.Lost{Kind: introspect.Grant, Object: `"public"."t"`, Detail: "SELECT to PUBLIC"},
		introspect.Lost{Kind: introspect.Policy, Object: `"p" on "public"."t"`},
		introspect.Lost{Kind: "something new", Object: `"public"."x"`},
	)
	want := []string{
		`1 row security policy on a table not read (a partition, say), which the schema cannot express yet: "p" on "public"."t"; ` +
			`a database built from the baseline has none`,
		`1 table or column has privileges granted, which the schema cannot express yet: "public"."t" (SELECT to PUBLIC); ` +
			`a database built from the baseline has the default privileges only`,
		`12 views, which the schema cannot express yet: "public"."v00", "public"."v01", "public"."v02", "public"."v03", ` +
			`"public"."v04", "public"."v05", "public"."v06", "public"."v07", "public"."v08", "public"."v09", and 2 more`,
		`1 something new, which the schema cannot express yet: "public"."x"`,
	}
	if diff := cmp.Diff(want, introspect.Summary(lost)); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
	if got := introspect.Summary(nil); len(got) != 0 {
		t.Errorf("Summary(nil) = %q, want nothing", got)
	}
}
