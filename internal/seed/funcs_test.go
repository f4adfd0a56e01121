package seed_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// sku is a column Func: a code from the column's stream and the row.
func sku(r *rand.Rand, row int) any { return fmt.Sprintf("SKU-%d-%d", row, r.IntN(1000)) }

// TestFunc: a column's Func makes its values, called with the row and a
// rand from the column's stream, so the same seed gives the same values
// and the other columns keep theirs; a Func on a foreign key's column or
// with values of its own is an error, and a panic in it is an error
// naming the column.
func TestFunc(t *testing.T) {
	m := testmod.Load(t, shop)
	before := mustColumns(t, m, shopOptions())
	withFunc := func(f func(*rand.Rand, int) any) seed.Options {
		o := shopOptions()
		o.Tables["products"].Columns["code"] = seed.Column{Func: f}
		return o
	}
	after := mustColumns(t, m, withFunc(sku))
	for key, vals := range before {
		if key != "public.products.code" && after[key] != vals {
			t.Errorf("%s changed when code got a Func", key)
		}
	}
	codes := strings.Split(strings.TrimSpace(after["public.products.code"]), "\n")
	if len(codes) != 6 || !strings.HasPrefix(codes[0], "SKU-0-") || !strings.HasPrefix(codes[5], "SKU-5-") {
		t.Errorf("the Func's values: %q", codes)
	}
	if again := mustColumns(t, m, withFunc(sku)); again["public.products.code"] != after["public.products.code"] {
		t.Error("the same seed gave the Func other random numbers")
	}
	o := withFunc(sku)
	o.Seed = 8
	if other := mustColumns(t, m, o); other["public.products.code"] == after["public.products.code"] {
		t.Error("seed 8 gave the Func the random numbers of seed 7")
	}

	// Mistakes.
	o = shopOptions()
	o.Tables["users"] = seed.Table{Columns: map[string]seed.Column{"tenant_id": {Func: sku}}}
	if _, err := seed.New(m, o); err == nil || !strings.Contains(err.Error(), "column tenant_id: foreign key users_tenant_id_tenants_id_fk sets the column, so it takes no values of its own") {
		t.Errorf("a Func on a foreign key: %v", err)
	}
	o = withFunc(sku)
	o.Tables["products"].Columns["code"] = seed.Column{Func: sku, Values: []string{"a"}}
	if _, err := seed.New(m, o); err == nil || !strings.Contains(err.Error(), "column code: a Func and values") {
		t.Errorf("a Func with values: %v", err)
	}
	p, err := seed.New(m, withFunc(func(r *rand.Rand, row int) any {
		if row == 3 {
			panic("no code for row 3")
		}
		return "x" + fmt.Sprint(row)
	}))
	if err != nil {
		t.Fatal(err)
	}
	var rowsErr error
	for _, tp := range p.Tables {
		rows := p.Rows(tp)
		for rows.Next() {
		}
		if rowsErr = rows.Err(); rowsErr != nil {
			break
		}
	}
	if rowsErr == nil || rowsErr.Error() != "table public.products, column code: its Func panicked at row 3: no code for row 3" {
		t.Errorf("a panicking Func: %v", rowsErr)
	}
}

func mustColumns(t *testing.T, m *schema.Model, o seed.Options) map[string]string {
	t.Helper()
	p, err := seed.New(m, o)
	if err != nil {
		t.Fatal(err)
	}
	return columnsOf(t, p)
}

// TestFixtures: fixtures run after the generated rows, in order, in the
// same transaction (seeing the rows, with the sequences past them); one
// that fails or panics rolls everything back, the error naming it; and
// without a plan the fixtures run alone.
func TestFixtures(t *testing.T) {
	ctx := context.Background()
	m := testmod.Load(t, shop)
	conn := create(t, m)
	var order []string
	insertTenant := func(name string) seed.Fixture {
		return seed.Fixture{Name: "example.com/app/fixtures." + name, Run: func(ctx context.Context, tx pgx.Tx) error {
			order = append(order, name)
			_, err := tx.Exec(ctx, "INSERT INTO tenants (name, slug, country) VALUES ($1, $2, 'x')", name, strings.ToLower(name))
			return err
		}}
	}
	p, err := seed.New(m, shopOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, conn, p, seed.LoadOptions{Fixtures: []seed.Fixture{insertTenant("First"), insertTenant("Second")}}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(order) != "[First Second]" {
		t.Errorf("fixtures ran in the order %v", order)
	}
	// The generated tenants are 3; the fixtures' follow them.
	if n := count(t, conn, "SELECT id FROM tenants WHERE name = 'Second'"); n != 5 {
		t.Errorf("the second fixture's tenant has id %d, want 5", n)
	}

	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, tx pgx.Tx) error
		want string
	}{
		{"Fails", func(context.Context, pgx.Tx) error { return errors.New("no models file") }, "fixture example.com/app/fixtures.Fails: no models file"},
		{"Panics", func(context.Context, pgx.Tx) error { panic("nil map") }, "fixture example.com/app/fixtures.Panics: panic: nil map"},
	} {
		p, err := seed.New(m, shopOptions())
		if err != nil {
			t.Fatal(err)
		}
		reset := resetOf(t, conn, p)
		_, err = seed.Load(ctx, conn, p, seed.LoadOptions{Reset: reset, Fixtures: []seed.Fixture{insertTenant("Third"), {Name: "example.com/app/fixtures." + tc.name, Run: tc.run}}})
		var fe *seed.FixtureError
		if err == nil || err.Error() != tc.want || !errors.As(err, &fe) || fe.Name != "example.com/app/fixtures."+tc.name {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if n := count(t, conn, "SELECT count(*) FROM tenants"); n != 5 {
			t.Errorf("%s: %d tenants after the rollback, want the 5 from before", tc.name, n)
		}
	}

	// A Func's panic during the COPY comes back as the seed.Error it
	// is, with its table and column, not as the COPY's text.
	o := shopOptions()
	o.Tables["products"].Columns["code"] = seed.Column{Func: func(*rand.Rand, int) any { panic("no code") }}
	bad, err := seed.New(m, o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = seed.Load(ctx, conn, bad, seed.LoadOptions{Reset: resetOf(t, conn, bad)})
	var se *seed.Error
	if !errors.As(err, &se) || se.Table != "public.products" || se.Column != "code" {
		t.Errorf("a Func's panic in a load: %v", err)
	}

	// Without a plan: the reset and the fixtures alone.
	reset := resetOf(t, conn, p)
	written, err := seed.Load(ctx, conn, nil, seed.LoadOptions{Reset: reset, Fixtures: []seed.Fixture{insertTenant("Alone")}})
	if err != nil || len(written) != 0 {
		t.Fatalf("fixtures alone: %v, %v", written, err)
	}
	if n := count(t, conn, "SELECT count(*) FROM tenants WHERE name = 'Alone' AND id = 1"); n != 1 {
		t.Error("the fixture alone did not write its tenant after the reset")
	}
	if n := count(t, conn, "SELECT count(*) FROM users"); n != 0 {
		t.Errorf("%d users after a run of fixtures alone", n)
	}
}
