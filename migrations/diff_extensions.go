package migrations

import (
	"fmt"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Extensions.
type (
	// CreateExtension creates an extension if it is not there yet.
	CreateExtension struct{ Extension *schema.Extension }
	// AlterExtension moves an extension to another schema (To set) or
	// updates it to another version (Version set).
	AlterExtension struct {
		Name    string
		To      string // schema; empty when it stays
		Version string // empty when it stays
	}
	// DropExtension drops an extension, with what it created. Without
	// CASCADE: an object of the schema that still uses it makes the
	// statement fail rather than go with it.
	DropExtension struct{ Name string }
)

func (CreateExtension) change() {}
func (AlterExtension) change()  {}
func (DropExtension) change()   {}

// extensionSchema is the schema an extension's objects are in.
func extensionSchema(x *schema.Extension) string {
	if x.Schema == "" {
		return schema.DefaultSchema
	}
	return x.Schema
}

// createExtensions creates the new extensions and moves or updates the
// others, right after the schemas: the types, operator classes and
// functions they bring may be used by anything that follows.
func (d *differ) createExtensions() {
	for _, x := range d.to.Extensions {
		old := d.cur.Extension(x.Name)
		if old == nil {
			d.emit(CreateExtension{Extension: x})
			continue
		}
		c := AlterExtension{Name: x.Name}
		if extensionSchema(old) != extensionSchema(x) {
			c.To = extensionSchema(x)
		}
		// No version declared means whatever is installed will do.
		if x.Version != "" && x.Version != old.Version {
			c.Version = x.Version
		}
		if c.To != "" || c.Version != "" {
			d.emit(c)
		}
	}
}

// dropExtensions drops the extensions the new model lacks, once what used
// them is gone and before the schemas they lived in are.
func (d *differ) dropExtensions() {
	for _, x := range d.cur.Extensions {
		if d.to.Extension(x.Name) == nil {
			d.emit(DropExtension{Name: x.Name})
		}
	}
}

// extensionSQL spells the extension changes:
//
//	CREATE EXTENSION IF NOT EXISTS "citext" SCHEMA "ext" VERSION '1.6';
func extensionSQL(c Change) (sql []string, warning string) {
	switch c := c.(type) {
	case CreateExtension:
		s := "CREATE EXTENSION IF NOT EXISTS " + quote.Ident(c.Extension.Name)
		if c.Extension.Schema != "" {
			s += " SCHEMA " + quote.Ident(c.Extension.Schema)
		}
		if c.Extension.Version != "" {
			s += " VERSION " + quote.Literal(c.Extension.Version)
		}
		return []string{s + ";"}, ""
	case AlterExtension:
		var out []string
		if c.To != "" {
			out = append(out, fmt.Sprintf("ALTER EXTENSION %s SET SCHEMA %s;", quote.Ident(c.Name), quote.Ident(c.To)))
		}
		if c.Version != "" {
			out = append(out, fmt.Sprintf("ALTER EXTENSION %s UPDATE TO %s;", quote.Ident(c.Name), quote.Literal(c.Version)))
		}
		return out, ""
	case DropExtension:
		return []string{fmt.Sprintf("DROP EXTENSION %s;", quote.Ident(c.Name))},
			fmt.Sprintf("drops extension %s and the types, functions and operators it created; this fails while anything else still uses them", quote.Ident(c.Name))
	}
	return nil, ""
}
