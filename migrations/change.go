package migrations

import (
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// A Change is one step of a migration. The set of changes is closed: the
// types in this package are all there is. Each change carries what its SQL
// needs and nothing else; tables are named by the state the database is in
// when the change runs (after the renames before it).
type Change interface {
	change()
}

// TableName names a table by schema and name.
type TableName struct {
	Schema, Name string
}

// String returns the table's name quoted and schema-qualified, as SQL
// and messages spell it: "public"."orders".
func (t TableName) String() string { return quote.Ident(t.Schema, t.Name) }

func nameOf(t *schema.Table) TableName { return TableName{t.Schema, t.Name} }

// Schemas.
type (
	// CreateSchema creates a schema (namespace).
	CreateSchema struct{ Name string }
	// DropSchema drops an empty schema.
	DropSchema struct{ Name string }
	// RenameSchema renames a schema, keeping what is in it. Aside marks
	// the move to a temporary name that breaks a cycle of renames (a
	// swap), which rename hints ask for at every run until removed.
	RenameSchema struct {
		From, To string
		Aside    bool
	}
)

// Enums.
type (
	// CreateEnum creates an enum type with its values in order.
	CreateEnum struct{ Enum *schema.Enum }
	// DropEnum drops an enum type no column uses any more.
	DropEnum struct{ Schema, Name string }
	// RenameEnum renames an enum type within its schema (Aside: see
	// RenameSchema).
	RenameEnum struct {
		Schema, From, To string
		Aside            bool
	}
	// SetEnumSchema moves an enum type to another schema.
	SetEnumSchema struct{ From, Name, To string }
	// AddEnumValue adds a value to an enum, placed BEFORE or AFTER an
	// existing one (exactly one of Before and After is set, unless the
	// value goes last and After names the last value).
	AddEnumValue struct {
		Schema, Enum  string
		Value         string
		Before, After string
	}
	// RebuildEnum replaces an enum whose values were removed or reordered,
	// which ALTER TYPE cannot do: the columns using it are turned into
	// text, the type is dropped and created anew, and the columns are cast
	// back, with their defaults dropped before and restored after.
	RebuildEnum struct {
		Enum    *schema.Enum // the new definition
		Removed []string     // values that are gone, for the warning
		Added   []string     // values that are new, for the warning
		// ForUse says the enum is rebuilt only because the migration uses
		// a value it adds.
		ForUse  bool
		Columns []EnumColumn
	}
)

// EnumColumn is a column that uses an enum being rebuilt.
type EnumColumn struct {
	Table  TableName
	Column string
	Array  bool
	// Default is the column's default before the rebuild (dropped first)
	// and Restore the one it gets after it; either may be empty.
	Default, Restore string
	// ToText leaves the column as text: it changes to another type later
	// in the same migration.
	ToText bool
}

// Tables.
type (
	// CreateTable creates a table with its columns, primary key, unique and
	// check constraints. Foreign keys and indexes are separate changes.
	CreateTable struct{ Table *schema.Table }
	// DropTable drops a table and its data.
	DropTable struct{ Table TableName }
	// RenameTable renames a table within its schema (Aside: see
	// RenameSchema).
	RenameTable struct {
		Table TableName
		To    string
		Aside bool
	}
	// SetTableSchema moves a table to another schema.
	SetTableSchema struct {
		Table TableName
		To    string
	}
)

// Columns.
type (
	// AddColumn adds a column to an existing table.
	AddColumn struct {
		Table  TableName
		Column *schema.Column
	}
	// DropColumn drops a column and its data.
	DropColumn struct {
		Table  TableName
		Column string
		// Generated says the column was a generated one (its data can be
		// computed again, so dropping it loses nothing).
		Generated bool
	}
	// RenameColumn renames a column, keeping its data (Aside: see
	// RenameSchema).
	RenameColumn struct {
		Table    TableName
		From, To string
		Aside    bool
	}
	// AlterColumnType changes a column's type. Using is the USING
	// expression when PostgreSQL has no assignment cast from the old type.
	AlterColumnType struct {
		Table    TableName
		Column   string
		From, To schema.Type
		Using    string
	}
	// SetDefault sets a column's default expression.
	SetDefault struct {
		Table  TableName
		Column string
		Expr   string
	}
	// DropDefault removes a column's default.
	DropDefault struct {
		Table  TableName
		Column string
	}
	// SetNotNull adds NOT NULL to an existing column.
	SetNotNull struct {
		Table  TableName
		Column string
	}
	// DropNotNull makes a column nullable.
	DropNotNull struct {
		Table  TableName
		Column string
	}
	// AddIdentity turns an integer column into an identity column and
	// moves its sequence past the values already in the table.
	AddIdentity struct {
		Table  TableName
		Column string
		Kind   schema.Identity
	}
	// SetIdentity switches an identity column between ALWAYS and BY DEFAULT.
	SetIdentity struct {
		Table  TableName
		Column string
		Kind   schema.Identity
	}
	// DropIdentity makes an identity column a plain one, keeping its values.
	DropIdentity struct {
		Table  TableName
		Column string
	}
	// DropExpression turns a generated column into a plain one that keeps
	// its current values.
	DropExpression struct {
		Table  TableName
		Column string
	}
)

// Constraints and indexes.
type (
	// AddPrimaryKey adds a primary key to an existing table.
	AddPrimaryKey struct {
		Table      TableName
		PrimaryKey schema.PrimaryKey
	}
	// AddUnique adds a unique constraint to an existing table.
	AddUnique struct {
		Table  TableName
		Unique schema.Unique
	}
	// AddCheck adds a check constraint to an existing table.
	AddCheck struct {
		Table TableName
		Check schema.Check
	}
	// AddForeignKey adds a foreign key constraint to an existing table.
	AddForeignKey struct {
		Table      TableName
		ForeignKey schema.ForeignKey
	}
	// DropConstraint drops a primary key, unique, check or foreign key
	// constraint by its name.
	DropConstraint struct {
		Table TableName
		Name  string
		Kind  string // "primary key", "unique", "check" or "foreign key", for readers
	}
	// RenameConstraint renames a constraint whose definition is unchanged.
	RenameConstraint struct {
		Table    TableName
		From, To string
	}
	// CreateIndex creates an index on an existing table.
	CreateIndex struct {
		Table TableName
		Index schema.Index
	}
	// DropIndex drops an index.
	DropIndex struct{ Schema, Name string }
	// RenameIndex renames an index whose definition is unchanged.
	RenameIndex struct{ Schema, From, To string }
)

func (CreateSchema) change()     {}
func (DropSchema) change()       {}
func (RenameSchema) change()     {}
func (CreateEnum) change()       {}
func (DropEnum) change()         {}
func (RenameEnum) change()       {}
func (SetEnumSchema) change()    {}
func (AddEnumValue) change()     {}
func (RebuildEnum) change()      {}
func (CreateTable) change()      {}
func (DropTable) change()        {}
func (RenameTable) change()      {}
func (SetTableSchema) change()   {}
func (AddColumn) change()        {}
func (DropColumn) change()       {}
func (RenameColumn) change()     {}
func (AlterColumnType) change()  {}
func (SetDefault) change()       {}
func (DropDefault) change()      {}
func (SetNotNull) change()       {}
func (DropNotNull) change()      {}
func (AddIdentity) change()      {}
func (SetIdentity) change()      {}
func (DropIdentity) change()     {}
func (DropExpression) change()   {}
func (AddPrimaryKey) change()    {}
func (AddUnique) change()        {}
func (AddCheck) change()         {}
func (AddForeignKey) change()    {}
func (DropConstraint) change()   {}
func (RenameConstraint) change() {}
func (CreateIndex) change()      {}
func (DropIndex) change()        {}
func (RenameIndex) change()      {}

// Create returns the changes that build m in an empty database, in an order
// PostgreSQL accepts: schemas, then enums, then tables, then the foreign keys
// between them (so tables may reference each other in any order, or
// themselves), then indexes.
func Create(m *schema.Model) []Change {
	cs, err := Diff(&schema.Model{}, m, Options{})
	if err != nil {
		// Nothing was there to be renamed, so nothing can be ambiguous.
		panic("migrations: Create: " + err.Error())
	}
	return cs
}
