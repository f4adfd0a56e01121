package migrations

import (
	"strings"
	"unicode"
)

// Name returns a short descriptive name for a migration made of changes,
// for its file name: "init" for a first migration that only creates,
// "add_trailing_stop" for one added column, "create_orders_and_more" when
// there is more to it. The name is lower snake case ASCII, at most 48
// bytes.
func Name(changes []Change) string {
	if len(changes) == 0 {
		return "empty"
	}
	onlyCreates := true
	var parts []string
	seen := map[string]bool{}
	for _, c := range changes {
		p, create := describe(c)
		onlyCreates = onlyCreates && create
		if p != "" && !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "comment" // comments only
	}
	if onlyCreates && len(parts) > 2 {
		return "init"
	}
	name := parts[0]
	switch {
	case len(parts) == 2 && len(name)+len(parts[1]) < 40:
		name += "_and_" + parts[1]
	case len(parts) > 1:
		name += "_and_more"
	}
	return sanitize(name, 48)
}

// describe names what one change does to what, and reports whether it
// creates something new (as a first migration does).
func describe(c Change) (string, bool) {
	switch c := c.(type) {
	case CreateSchema:
		return "create_schema_" + c.Name, true
	case DropSchema:
		return "drop_schema_" + c.Name, false
	case RenameSchema:
		return "rename_schema_" + c.From, false
	case CreateEnum:
		return "create_" + c.Enum.Name, true
	case DropEnum:
		return "drop_" + c.Name, false
	case RenameEnum:
		return "rename_" + c.From, false
	case SetEnumSchema:
		return "move_" + c.Name, false
	case AddEnumValue:
		return "add_" + c.Enum + "_" + c.Value, false
	case RebuildEnum:
		return "change_" + c.Enum.Name, false
	case CreateTable:
		return "create_" + c.Table.Name, true
	case DropTable:
		return "drop_" + c.Table.Name, false
	case RenameTable:
		return "rename_" + c.Table.Name, false
	case SetTableSchema:
		return "move_" + c.Table.Name, false
	case AddColumn:
		return "add_" + c.Column.Name, false
	case DropColumn:
		return "drop_" + c.Column, false
	case RenameColumn:
		return "rename_" + c.From, false
	case AlterColumnType, SetDefault, DropDefault, SetNotNull, DropNotNull,
		AddIdentity, SetIdentity, DropIdentity, DropExpression:
		return "alter_" + alteredColumn(c), false
	case AddPrimaryKey:
		return "add_" + c.PrimaryKey.Name, false
	case AddUnique:
		return "add_" + c.Unique.Name, false
	case AddCheck:
		return "add_" + c.Check.Name, false
	case AddForeignKey:
		return "add_" + c.ForeignKey.Name, true
	case DropConstraint:
		return "drop_" + c.Name, false
	case RenameConstraint:
		return "rename_" + c.From, false
	case CreateIndex:
		return "add_" + c.Index.Name, true
	case DropIndex:
		return "drop_" + c.Name, false
	case RenameIndex:
		return "rename_" + c.From, false
	case CreateExtension:
		return "create_" + c.Extension.Name, true
	case AlterExtension:
		return "alter_" + c.Name, false
	case DropExtension:
		return "drop_" + c.Name, false
	case CreateSequence:
		return "create_" + c.Sequence.Name, true
	case AlterSequence:
		return "alter_" + c.Name, false
	case RenameSequence:
		return "rename_" + c.From, false
	case SetSequenceSchema:
		return "move_" + c.Name, false
	case DropSequence:
		return "drop_" + c.Name, false
	case SetColumnSequence:
		return "alter_" + c.Column, false
	case DropSerialSequence:
		return "alter_" + c.Column, false
	case SetComment:
		// A comment goes along with what it is on; alone, it names the
		// migration (see Name).
		return "", true
	}
	if s := describeFunction(c); s != "" {
		return s, false
	}
	if p, create, ok := describePartition(c); ok {
		return p, create
	}
	if name, create, ok := describeView(c); ok {
		return name, create
	}
	return describeRLS(c), false
}

func alteredColumn(c Change) string {
	switch c := c.(type) {
	case AlterColumnType:
		return c.Column
	case SetDefault:
		return c.Column
	case DropDefault:
		return c.Column
	case SetNotNull:
		return c.Column
	case DropNotNull:
		return c.Column
	case AddIdentity:
		return c.Column
	case SetIdentity:
		return c.Column
	case DropIdentity:
		return c.Column
	case DropExpression:
		return c.Column
	}
	return ""
}

// sanitize turns s into lower snake case: camel case humps and every run
// of other characters than ASCII letters and digits become one underscore.
// The result is cut to max bytes.
func sanitize(s string, max int) string {
	var b strings.Builder
	under := false
	prevLower := false
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if (under || (prevLower && unicode.IsUpper(r))) && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
			b.WriteRune(unicode.ToLower(r))
		default:
			under, prevLower = true, false
		}
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max], "_")
	}
	if out == "" {
		return "migration"
	}
	return out
}
