package migrations

import "github.com/mizzle/mizzle/schema"

// A Change is one step of a migration. The set of changes is closed: the
// types in this package are all there is.
type Change interface {
	change()
}

// CreateSchema creates a schema (namespace).
type CreateSchema struct {
	Name string
}

// CreateEnum creates an enum type with its values in order.
type CreateEnum struct {
	Enum *schema.Enum
}

// CreateTable creates a table with its columns, primary key, unique and
// check constraints. Foreign keys and indexes are separate changes.
type CreateTable struct {
	Table *schema.Table
}

// AddForeignKey adds a foreign key constraint to an existing table.
type AddForeignKey struct {
	Table      *schema.Table
	ForeignKey schema.ForeignKey
}

// CreateIndex creates an index on an existing table.
type CreateIndex struct {
	Table *schema.Table
	Index schema.Index
}

func (CreateSchema) change()  {}
func (CreateEnum) change()    {}
func (CreateTable) change()   {}
func (AddForeignKey) change() {}
func (CreateIndex) change()   {}

// Create returns the changes that build m in an empty database, in an order
// PostgreSQL accepts: schemas, then enums, then tables, then the foreign keys
// between them (so tables may reference each other in any order, or
// themselves), then indexes.
func Create(m *schema.Model) []Change {
	var out []Change
	for _, s := range m.Schemas {
		out = append(out, CreateSchema{Name: s.Name})
	}
	for _, e := range m.Enums {
		out = append(out, CreateEnum{Enum: e})
	}
	for _, t := range m.Tables {
		out = append(out, CreateTable{Table: t})
	}
	for _, t := range m.Tables {
		for _, fk := range t.ForeignKeys {
			out = append(out, AddForeignKey{Table: t, ForeignKey: fk})
		}
	}
	for _, t := range m.Tables {
		for _, ix := range t.Indexes {
			out = append(out, CreateIndex{Table: t, Index: ix})
		}
	}
	return out
}
