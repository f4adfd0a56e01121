package mizzletest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/introspect"
	iseed "github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
	"github.com/mizzle/mizzle/seed"
)

// Seed fills the template, after the migrations, with the rows mizzle seed
// writes for the settings c (the schema package's seed.Config, say), so
// that every test's copy starts with them at no cost of its own. The
// rows are the same in every test and every run: the same settings and
// migrations give the same rows, as with mizzle seed --seed.
//
// The tables and columns are read from the migrated template, every table
// but the migrations' history table; settings naming a table or a column
// it does not have, or asking for rows its constraints cannot take, fail
// the test, naming them. Two different settings get two templates.
//
// One difference from mizzle seed, which reads the settings from the
// source: in a Go value, a Column's Nulls of 0 cannot be told from one
// left out, so it is read as left out (one NULL in ten).
func Seed(c seed.Config) Option {
	o, err := seedOptions(c)
	key := ""
	if err == nil {
		key, err = seedKey(o)
	}
	return func(cfg *config) {
		if err != nil {
			cfg.err = fmt.Errorf("seed settings: %v", err)
			return
		}
		cfg.prepareKey = key
		cfg.prepare = func(ctx context.Context, conn *pgx.Conn) error {
			return seedTemplate(ctx, conn, o, historyTable(cfg.migrate))
		}
	}
}

// seedOptions turns the settings into the seeder's options, the values
// into PostgreSQL's text form as the loader reads them from the source.
// TestSeedKnowsEveryField fails until a new field of the settings is read
// here or refused.
func seedOptions(c seed.Config) (iseed.Options, error) {
	o := iseed.Options{Seed: c.Seed, Count: c.Count}
	// The template is kept under a hash of the settings, which cannot see
	// what a function does: one edited between runs on a kept server
	// would leave the old rows in every copy. So Go code is refused here
	// rather than run.
	if len(c.Fixtures) > 0 {
		return o, fmt.Errorf("the fixtures are run by mizzle seed, not here: call the fixture on the pool New returns, or on a transaction of it")
	}
	for _, name := range sortedKeys(c.Tables) {
		t := c.Tables[name]
		ot := iseed.Table{Count: t.Count}
		for _, col := range sortedKeys(t.Columns) {
			sc := t.Columns[col]
			if sc.Func != nil {
				return o, fmt.Errorf("table %s, column %s: a column's Func is run by mizzle seed, not here: use Values or Range, or write the column's rows in the test", name, col)
			}
			oc := iseed.Column{Skip: sc.Skip, Weights: sc.Weights}
			if sc.Values != nil && len(sc.Values) == 0 {
				return o, fmt.Errorf("table %s, column %s: Values is empty: leave it out, or list the values the column takes", name, col)
			}
			for i, v := range sc.Values {
				text, err := valueText(v)
				if err != nil {
					return o, fmt.Errorf("table %s, column %s: Values[%d]: %v", name, col, i, err)
				}
				oc.Values = append(oc.Values, text)
			}
			if len(sc.Weights) > 0 && len(sc.Values) == 0 {
				return o, fmt.Errorf("table %s, column %s: Weights without Values: a weight goes with each value", name, col)
			}
			if sc.Range != nil {
				oc.Range = &iseed.Range{Min: sc.Range.Min, Max: sc.Range.Max}
			}
			if sc.Nulls != 0 {
				n := sc.Nulls
				oc.Nulls = &n
			}
			if ot.Columns == nil {
				ot.Columns = map[string]iseed.Column{}
			}
			ot.Columns[col] = oc
		}
		for _, child := range sortedKeys(t.With) {
			ws := make([]iseed.Weighted, len(t.With[child]))
			for i, w := range t.With[child] {
				if w.Weight == 0 {
					w.Weight = 1 // a Weighted without Weight weighs 1
				}
				ws[i] = iseed.Weighted{Weight: w.Weight, Min: w.Min, Max: w.Max}
			}
			if ot.With == nil {
				ot.With = map[string][]iseed.Weighted{}
			}
			ot.With[child] = ws
		}
		if o.Tables == nil {
			o.Tables = map[string]iseed.Table{}
		}
		o.Tables[name] = ot
	}
	return o, nil
}

// valueText is a value of Values in PostgreSQL's text form: what the
// loader accepts in the source (a constant: a string, a number, a bool,
// of any type whose underlying type is one, such as the schema's enum
// types), written as it writes it.
func valueText(v any) (string, error) {
	if v == nil {
		return "", fmt.Errorf("nil is not a value: the share of NULLs is Nulls")
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64), nil
	}
	return "", fmt.Errorf("%v is a %T; a value is a string (in PostgreSQL's text form), a number or a bool", v, v)
}

// seedKey is what the template's content depends on besides the
// migrations: the options, and the version of mizzle that makes the rows
// from them, since a template left on a server of the user's must not
// hand an older mizzle's rows to a newer one.
func seedKey(o iseed.Options) (string, error) {
	b, err := json.Marshal(o) // map keys sorted: the same options, the same bytes
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte("seed\x00"))
	h.Write([]byte(mizzleVersion()))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// mizzleVersion is the version of mizzle's module linked into the test
// binary, "" when unknown (mizzle's own tests, a replace directive).
func mizzleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == "github.com/mizzle/mizzle" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/mizzle/mizzle" {
			if d.Replace != nil {
				return d.Replace.Path + "@" + d.Replace.Version
			}
			return d.Version + " " + d.Sum
		}
	}
	return ""
}

// seedTemplate reads the migrated template's tables and fills them,
// leaving out the migrations' history table.
func seedTemplate(ctx context.Context, conn *pgx.Conn, o iseed.Options, history migrate.TableName) error {
	m, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		return fmt.Errorf("seeding the template: reading its tables: %w", err)
	}
	m.Tables = slices.DeleteFunc(m.Tables, func(t *schema.Table) bool {
		return t.Schema == history.Schema && t.Name == history.Name
	})
	if err := checkColumns(m, o); err != nil {
		return fmt.Errorf("seed settings: %w", err)
	}
	p, err := iseed.New(m, o)
	if err != nil {
		return fmt.Errorf("seed settings: %w", err)
	}
	if _, err := iseed.Load(ctx, conn, p, iseed.LoadOptions{}); err != nil {
		return fmt.Errorf("seeding the template: %w", err)
	}
	return nil
}

// checkColumns checks the settings against the columns they are for, as
// the loader does for mizzle seed: the values of an enum column are its
// labels, those of a number column numbers, a Range is for a number
// column and a share of NULLs for a nullable one. The seeder would fail
// the COPY on the first two, naming no column, and ignore the last two.
func checkColumns(m *schema.Model, o iseed.Options) error {
	for _, name := range sortedKeys(o.Tables) {
		t := m.Table(schema.DefaultSchema, name)
		if s, n, ok := strings.Cut(name, "."); ok && t == nil {
			t = m.Table(s, n)
		}
		if t == nil {
			continue // the seeder names it
		}
		for _, col := range sortedKeys(o.Tables[name].Columns) {
			c, sc := t.Column(col), o.Tables[name].Columns[col]
			if c == nil {
				continue
			}
			where := fmt.Sprintf("table %s.%s, column %s", t.Schema, t.Name, col)
			typ := c.Type.Storage()
			number := isNumberType(typ)
			switch {
			case sc.Range != nil && !number:
				return fmt.Errorf("%s: Range is for number columns, and the column is %s", where, c.Type)
			case sc.Nulls != nil && *sc.Nulls > 0 && c.NotNull:
				return fmt.Errorf("%s: Nulls %g, and the column is NOT NULL", where, *sc.Nulls)
			}
			en := m.Enum(typ.Schema, typ.Name)
			for _, v := range sc.Values {
				switch {
				case typ.Array:
				case typ.Schema != "" && en != nil && !slices.Contains(en.Values, v):
					return fmt.Errorf("%s: %q is not a label of enum %s.%s, the column's type (its labels: %s)",
						where, v, en.Schema, en.Name, strings.Join(en.Values, ", "))
				case number && !isNumber(typ, v):
					return fmt.Errorf("%s: %q is not a value of the column, which is %s", where, v, c.Type)
				}
			}
		}
	}
	return nil
}

// isNumberType reports whether the seeder takes a Range for type t: the
// types of its number generators.
func isNumberType(t schema.Type) bool {
	if t.Schema != "" || t.Array {
		return false
	}
	switch t.Name {
	case "smallint", "integer", "bigint", "numeric", "real", "double precision":
		return true
	}
	return false
}

// isNumber reports whether v is a number of the number type t.
func isNumber(t schema.Type, v string) bool {
	var err error
	switch t.Name {
	case "smallint", "integer", "bigint":
		_, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	default:
		_, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
	}
	return err == nil
}

// historyTable is the table migrate records the migrations in with o.
func historyTable(o migrate.Options) migrate.TableName {
	switch {
	case o.Table != (migrate.TableName{}):
		return o.Table
	case o.Drizzle:
		return migrate.DrizzleTable
	}
	return migrate.DefaultTable
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
