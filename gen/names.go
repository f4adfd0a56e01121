package gen

import (
	"errors"
	"fmt"
	"go/token"
	"slices"
	"strings"
	"unicode"

	"github.com/mizzle/mizzle/schema"
)

// packageInfo is everything the emitters need, computed once: Go names
// checked for collisions before anything is written (the sqlc habit).
type packageInfo struct {
	model  *schema.Model
	pkg    string // the generated package's name
	tables []*tableInfo
}

// tableInfo is a table with the Go names generated code uses for it.
type tableInfo struct {
	t    *schema.Table
	name string // exported base name: "Orders"
	// as is the name of the columns' method that gives them under an
	// alias: As, unless a column's field takes that name.
	as   string
	file string // "orders.gen.go"
	cols []*columnInfo
	pk   []*columnInfo
	// view is set when the table stands for a view (view.go).
	view *schema.View

	belongsTo []*relationInfo // its foreign keys: q.Orders.LoadModel
	hasMany   []*relationInfo // foreign keys that refer to it: q.Models.LoadOrders
	keys      []*keyInfo      // composite keys that relations load it by
}

// columnInfo is a column with its Go names and how inserts treat it.
type columnInfo struct {
	c     *schema.Column
	field string   // descriptor field name: "ID"; the struct path without dots
	path  []string // the selector path in the row struct: ["Base", "ID"]
	param string   // parameter name in Get: "id"
	mode  string   // pg.InsertValue, pg.InsertDefault or pg.InsertNever
	// readBack: Insert reads the column back (RETURNING) rather than keep
	// the value sent. See readBack.
	readBack bool
	// noZeroTest: the column has a default, but its field's type has no
	// zero test (a struct == does not apply to), so it is always sent.
	noZeroTest bool
}

// reservedTop are names the package file declares; a table may not take
// them (nor their derived names).
var reservedTop = map[string]bool{"New": true, "Queries": true, "RegisterTypes": true}

func newPackageInfo(m *schema.Model) (*packageInfo, error) {
	p := &packageInfo{model: m}
	enums := map[[2]string]bool{}
	for _, e := range m.Enums {
		enums[[2]string{e.Schema, e.Name}] = true
	}
	names, err := TableNames(m)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	files := map[string]bool{"queries.gen.go": true}
	vtables, views, vnames, err := viewTables(m, names)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	viewOf := map[*schema.Table]*schema.View{}
	for i, vt := range vtables {
		viewOf[vt] = views[i]
	}
	names = append(names, vnames...)
	for i, t := range append(slices.Clone(m.Tables), vtables...) {
		if t.GoType.Kind != schema.GoNamed || t.GoType.Name == "" {
			return nil, fmt.Errorf("gen: table %q has no Go struct", t.Name)
		}
		name := names[i]
		ti := &tableInfo{t: t, name: name, view: viewOf[t]}
		ti.file = strings.ToLower(schema.SnakeCase(name)) + ".gen.go"
		for files[ti.file] {
			ti.file = strings.TrimSuffix(ti.file, ".gen.go") + "_table.gen.go"
		}
		files[ti.file] = true
		params := map[string]bool{"ctx": true, "q": true, "r": true, "err": true}
		fields := map[string]bool{}
		for _, c := range t.Columns {
			if c.GoField == "" || c.GoType.Kind == "" {
				return nil, fmt.Errorf("gen: column %q of table %q has no Go field", c.Name, t.Name)
			}
			ci := &columnInfo{c: c, path: strings.Split(c.GoField, ".")}
			ci.field = strings.Join(ci.path, "")
			if fields[ci.field] {
				return nil, fmt.Errorf("gen: two columns of table %q would both be named %s in Go", t.Name, ci.field)
			}
			fields[ci.field] = true
			ci.param = paramName(ci.path[len(ci.path)-1], params)
			switch {
			case c.Generated != "" || c.Identity == schema.IdentityAlways:
				ci.mode = "InsertNever"
			case c.Default != "" || c.Identity == schema.IdentityByDefault || c.Type.IsSerial():
				ci.mode = "InsertDefault"
				if !hasZeroTest(c.GoType) {
					// No zero test, so no way to tell "left for the
					// default": the field is always sent.
					ci.mode, ci.noZeroTest = "InsertValue", true
				}
			default:
				ci.mode = "InsertValue"
			}
			ci.readBack = readBack(ci, enums)
			ti.cols = append(ti.cols, ci)
		}
		if t.PrimaryKey != nil {
			for _, name := range t.PrimaryKey.Columns {
				for _, ci := range ti.cols {
					if ci.c.Name == name {
						ti.pk = append(ti.pk, ci)
					}
				}
			}
		}
		// Relation fields sit in the same columns struct.
		for _, r := range t.Relations {
			fields[r.Field] = true
		}
		ti.as = "As"
		for _, n := range []string{"As", "Alias", "AsAlias"} {
			if !fields[n] {
				ti.as = n
				break
			}
		}
		p.tables = append(p.tables, ti)
	}
	p.addRelations()
	return p, nil
}

// TableNames returns the Go name the generated code gives each table of m,
// in order: the base of its Queries field, its columns' and queries' types
// (Orders, OrdersColumns, OrdersQueries). The name comes from the table's
// SQL name (and schema, outside public), not its Go struct, so tables whose
// names differ only in case or punctuation (user_id, userId, UserID) would
// share one: the error names every such pair. mizzle pull checks a
// database with it before writing a package gen could not generate for.
func TableNames(m *schema.Model) ([]string, error) {
	names := make([]string, len(m.Tables))
	seen := map[string]*schema.Table{}
	var clashes []string
	for i, t := range m.Tables {
		name := exported(t.Name)
		if t.Schema != schema.DefaultSchema {
			name = exported(t.Schema) + name
		}
		if reservedTop[name] || reservedTop[name+"Columns"] || reservedTop[name+"Queries"] {
			name += "Table"
		}
		if other, ok := seen[name]; ok {
			clashes = append(clashes, fmt.Sprintf("tables %q and %q would both be named %s in Go", other.Schema+"."+other.Name, t.Schema+"."+t.Name, name))
		} else {
			seen[name] = t
		}
		names[i] = name
	}
	if len(clashes) > 0 {
		return nil, errors.New(strings.Join(clashes, "; "))
	}
	return names, nil
}

// exported turns an SQL name into an exported Go identifier: "order_items"
// is OrderItems, "Orders" stays Orders, "api_keys" is APIKeys.
func exported(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if up := strings.ToUpper(part); initialisms[up] {
			b.WriteString(up)
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	out := b.String()
	if out == "" || !unicode.IsLetter([]rune(out)[0]) || !token.IsExported(out) {
		out = "T" + out
	}
	return out
}

// initialisms are written in capitals in Go names, as Go's style has it.
var initialisms = map[string]bool{"ID": true, "API": true, "URL": true, "UUID": true, "JSON": true, "HTTP": true, "SQL": true, "IP": true}

// paramName makes a parameter name from a field name ("ModelID" is
// "modelID", "URL" is "url"), unique among taken and never a keyword.
func paramName(field string, taken map[string]bool) string {
	r := []rune(field)
	// Lower the leading run of capitals, keeping the last one when a
	// lower-case letter follows it (URLPath is urlPath).
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) {
		n--
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	name := string(r)
	if token.IsKeyword(name) {
		name += "Value"
	}
	for base, i := name, 2; taken[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	taken[name] = true
	return name
}
