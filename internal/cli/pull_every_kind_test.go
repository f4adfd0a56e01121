package cli

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrations"
)

// TestPullEveryKind pulls a database that holds every kind of object the
// grammar can say (an extension, a schema, an enum, a standalone sequence
// and identity options, comments, checks, keys, a partial index, row
// security and a policy, a function and its trigger, a partitioned table
// and its partitions, a view and a materialized view with its index):
// pull writes it with no warning, under --strict, and the baseline,
// migrated into an empty database, gives back exactly the same catalog,
// as PostgreSQL prints it. Then check and push find nothing to do.
func TestPullEveryKind(t *testing.T) {
	p, url := newPullProject(t, "every_kind.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	fresh := pgtest.NewDatabase(t)
	if code, stdout, stderr := p.run("", "migrate", "--database-url", fresh); code != exitOK {
		t.Fatalf("migrate on an empty database: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// --baseline recorded the baseline in the pulled database, so both
	// have the same history table too.
	want, got := pgtest.Catalog(t, dbConn(t, url)), pgtest.Catalog(t, dbConn(t, fresh))
	// The comparison sees every kind: the catalog names each.
	all := strings.Join(want, "\n")
	for _, kind := range []string{"touch_updated_at", "invoices_touch", "invoices_tenant", "events_2026", "open_invoices", "tenant_totals", "invoice_number_seq", "row security"} {
		if !strings.Contains(all, kind) {
			t.Errorf("the catalog of the pulled database does not show %q:\n%s", kind, all)
		}
	}
	if !slices.Equal(want, got) {
		t.Errorf("the database built from the baseline differs from the pulled one:\npulled:\n%s\nrebuilt:\n%s",
			strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	// What the catalog lines leave out (extensions, comments, sequence
	// options) the models hold: introspected, the two are the same.
	ctx := context.Background()
	pulled, _, err := introspect.Inspect(ctx, dbConn(t, url), introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, _, err := introspect.Inspect(ctx, dbConn(t, fresh), introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rebuilt.Extensions) != 1 || rebuilt.Table("public", "tenants").Comment != "a customer" {
		t.Errorf("the rebuilt database lacks the extension or a comment: %+v", rebuilt.Extensions)
	}
	if changes, err := migrations.Diff(pulled, rebuilt, migrations.Options{}); err != nil || len(changes) > 0 {
		t.Errorf("the database built from the baseline differs from the pulled one: %v %v", changes, err)
	}
	for _, cmd := range [][]string{
		{"check", "--schema", "schema", "--database-url", url},
		{"check", "--schema", "schema", "--database-url", fresh},
		{"push", "--schema", "schema", "--database-url", fresh, "--dry-run"},
	} {
		code, stdout, stderr := p.run("", cmd...)
		if code != exitOK {
			t.Errorf("%v after pull: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, stdout, stderr)
		}
	}
}
