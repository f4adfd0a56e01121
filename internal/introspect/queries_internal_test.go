package introspect

import (
	"context"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestQueryTextVersions runs the queries as they are written for each
// server version Inspect distinguishes. The test server is one version, so
// this proves the text for older servers is valid SQL and leaves out what
// they lack; it cannot prove that nothing else is missing on them.
func TestQueryTextVersions(t *testing.T) {
	tests := []struct {
		version int
		want    string // what the nulls-not-distinct flag reads
	}{
		{130000, "coalesce(false, false)"},
		{140011, "coalesce(false, false)"},
		{150000, "coalesce(x.indnullsnotdistinct, false)"},
		{170002, "coalesce(x.indnullsnotdistinct, false)"},
	}
	ctx := context.Background()
	conn := pgtest.Connect(t)
	for _, tt := range tests {
		for name, sql := range map[string]string{"constraints": constraintsQuery, "indexes": indexesQuery} {
			text := queryText(sql, tt.version)
			if strings.Contains(text, "{{") || !strings.Contains(text, tt.want) {
				t.Errorf("%s query for version %d does not read %q:\n%s", name, tt.version, tt.want, text)
			}
			rows, err := conn.Query(ctx, text, []string{"public"})
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			if err != nil {
				t.Errorf("%s query for version %d: %v", name, tt.version, err)
			}
		}
	}
}
