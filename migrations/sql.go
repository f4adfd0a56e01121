package migrations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// Statement is one SQL statement and the change it comes from.
type Statement struct {
	SQL    string
	Source Change
	// Warning, when set, says in one sentence what the statement destroys
	// or risks (data loss, a failing cast, a long lock). Migration files
	// carry it as a comment above the statement.
	Warning string
	// Lint is what lint finds in the statement (see LintStatements);
	// migration files carry it as comments above the statement, after
	// the warning.
	Lint []Finding
}

// SQL turns changes into statements, one or more per change. It is pure: the
// same changes always give the same bytes.
func SQL(changes []Change) ([]Statement, error) {
	var out []Statement
	for _, c := range changes {
		stmts, warning, err := statements(c)
		if err != nil {
			return nil, err
		}
		for i, sql := range stmts {
			st := Statement{SQL: sql, Source: c}
			if i == 0 {
				st.Warning = warning
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// statements spells one change, with the warning that goes above it.
func statements(c Change) (sql []string, warning string, err error) {
	one := func(format string, args ...any) []string { return []string{fmt.Sprintf(format, args...)} }
	switch c := c.(type) {
	case CreateSchema:
		return one("CREATE SCHEMA %s;", quote.Ident(c.Name)), "", nil
	case DropSchema:
		return one("DROP SCHEMA %s;", quote.Ident(c.Name)), "", nil
	case RenameSchema:
		return one("ALTER SCHEMA %s RENAME TO %s;", quote.Ident(c.From), quote.Ident(c.To)), swapWarning(c.Aside), nil
	case CreateEnum:
		return []string{createEnum(c.Enum)}, "", nil
	case DropEnum:
		return one("DROP TYPE %s;", quote.Ident(c.Schema, c.Name)), "", nil
	case RenameEnum:
		return one("ALTER TYPE %s RENAME TO %s;", quote.Ident(c.Schema, c.From), quote.Ident(c.To)), swapWarning(c.Aside), nil
	case SetEnumSchema:
		return one("ALTER TYPE %s SET SCHEMA %s;", quote.Ident(c.From, c.Name), quote.Ident(c.To)), "", nil
	case AddEnumValue:
		s := fmt.Sprintf("ALTER TYPE %s ADD VALUE %s", quote.Ident(c.Schema, c.Enum), quote.Literal(c.Value))
		switch {
		case c.Before != "":
			s += " BEFORE " + quote.Literal(c.Before)
		case c.After != "":
			s += " AFTER " + quote.Literal(c.After)
		}
		return []string{s + ";"}, "", nil
	case RebuildEnum:
		return rebuildEnum(c), rebuildWarning(c), nil
	case CreateTable:
		return []string{createTable(c.Table)}, "", nil
	case DropTable:
		return one("DROP TABLE %s;", c.Table.String()),
			fmt.Sprintf("drops table %s and all of its rows", c.Table.String()), nil
	case RenameTable:
		return one("ALTER TABLE %s RENAME TO %s;", c.Table.String(), quote.Ident(c.To)), swapWarning(c.Aside), nil
	case SetTableSchema:
		return one("ALTER TABLE %s SET SCHEMA %s;", c.Table.String(), quote.Ident(c.To)), "", nil
	case AddColumn:
		col := c.Column
		if col.NotNull && col.Default == "" && col.Identity == "" && col.Generated == "" && !col.Type.IsSerial() {
			warning = fmt.Sprintf("adds NOT NULL column %s without a default: this fails if %s has rows",
				quote.Ident(col.Name), c.Table.String())
		}
		return one("ALTER TABLE %s ADD COLUMN %s;", c.Table.String(), columnDef(col)), warning, nil
	case DropColumn:
		if !c.Generated {
			warning = fmt.Sprintf("drops column %s of %s and the data in it", quote.Ident(c.Column), c.Table.String())
		}
		return one("ALTER TABLE %s DROP COLUMN %s;", c.Table.String(), quote.Ident(c.Column)), warning, nil
	case RenameColumn:
		return one("ALTER TABLE %s RENAME COLUMN %s TO %s;", c.Table.String(), quote.Ident(c.From), quote.Ident(c.To)), swapWarning(c.Aside), nil
	case AlterColumnType:
		s := alterColumn(c.Table, c.Column, "SET DATA TYPE "+typeSQL(c.To))
		if c.Using != "" {
			s = strings.TrimSuffix(s, ";") + " USING " + c.Using + ";"
		}
		if !widens(c.From, c.To) {
			warning = fmt.Sprintf("changes the type of %s in %s from %s to %s: %s",
				quote.Ident(c.Column), c.Table.String(), typeSQL(c.From), typeSQL(c.To), typeChangeRisk(c))
		}
		return []string{s}, warning, nil
	case SetDefault:
		return []string{alterColumn(c.Table, c.Column, "SET DEFAULT "+c.Expr)}, "", nil
	case DropDefault:
		return []string{alterColumn(c.Table, c.Column, "DROP DEFAULT")}, "", nil
	case SetNotNull:
		return []string{alterColumn(c.Table, c.Column, "SET NOT NULL")},
			fmt.Sprintf("sets NOT NULL on %s of %s: this fails if a row holds NULL there", quote.Ident(c.Column), c.Table.String()), nil
	case DropNotNull:
		return []string{alterColumn(c.Table, c.Column, "DROP NOT NULL")}, "", nil
	case AddIdentity:
		return []string{
			alterColumn(c.Table, c.Column, "ADD GENERATED "+identityKind(c.Kind)+" AS IDENTITY"),
			// The new sequence starts at 1; move it past the values the
			// column already holds.
			fmt.Sprintf("SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max(%s), 0) + 1, false) FROM %s;",
				quote.Literal(c.Table.String()), quote.Literal(c.Column), quote.Ident(c.Column), c.Table.String()),
		}, "", nil
	case SetIdentity:
		return []string{alterColumn(c.Table, c.Column, "SET GENERATED "+identityKind(c.Kind))}, "", nil
	case DropIdentity:
		return []string{alterColumn(c.Table, c.Column, "DROP IDENTITY")}, "", nil
	case DropExpression:
		return []string{alterColumn(c.Table, c.Column, "DROP EXPRESSION")}, "", nil
	case AddPrimaryKey:
		return one("ALTER TABLE %s ADD %s;", c.Table.String(), primaryKeyDef(c.PrimaryKey)), "", nil
	case AddUnique:
		return one("ALTER TABLE %s ADD %s;", c.Table.String(), uniqueDef(c.Unique)), "", nil
	case AddCheck:
		return one("ALTER TABLE %s ADD %s;", c.Table.String(), checkDef(c.Check)), "", nil
	case AddForeignKey:
		return []string{addForeignKey(c.Table, c.ForeignKey)}, "", nil
	case DropConstraint:
		return one("ALTER TABLE %s DROP CONSTRAINT %s;", c.Table.String(), quote.Ident(c.Name)), "", nil
	case RenameConstraint:
		return one("ALTER TABLE %s RENAME CONSTRAINT %s TO %s;", c.Table.String(), quote.Ident(c.From), quote.Ident(c.To)), "", nil
	case CreateIndex:
		return []string{createIndex(c.Table, c.Index)}, "", nil
	case DropIndex:
		return one("DROP INDEX %s;", quote.Ident(c.Schema, c.Name)), "", nil
	case RenameIndex:
		return one("ALTER INDEX %s RENAME TO %s;", quote.Ident(c.Schema, c.From), quote.Ident(c.To)), "", nil
	case SetComment:
		return []string{commentSQL(c)}, "", nil
	case CreateExtension, AlterExtension, DropExtension:
		sql, warning := extensionSQL(c)
		return sql, warning, nil
	case CreateSequence, AlterSequence, RenameSequence, SetSequenceSchema, DropSequence, SetColumnSequence, DropSerialSequence:
		sql, warning := sequenceSQL(c)
		return sql, warning, nil
	}
	if sql, warning, ok := rlsStatements(c); ok {
		return sql, warning, nil
	}
	if sql, warning, ok := functionStatements(c); ok {
		return sql, warning, nil
	}
	if sql, warning, ok := partitionStatements(c); ok {
		return sql, warning, nil
	}
	if sql, warning, ok := viewStatements(c); ok {
		return sql, warning, nil
	}
	return nil, "", fmt.Errorf("migrations: no SQL for change %T", c)
}

// swapWarning is the warning above the first rename of a swap: snapshots
// do not keep rename hints, so hints that swap two names swap them again
// at the next run.
func swapWarning(aside bool) string {
	if !aside {
		return ""
	}
	return "swaps names as rename hints (was:) ask: remove those hints now, or the next migration swaps the names back"
}

// typeChangeRisk says what a type change that does not widen risks.
func typeChangeRisk(c AlterColumnType) string {
	from, to := c.From.Name, c.To.Name
	switch {
	case strings.HasPrefix(from, "timestamp") && strings.HasPrefix(to, "timestamp"):
		return "existing values are converted in the session's time zone"
	case from == "json" && to == "jsonb":
		return "duplicate keys, key order and whitespace are not kept"
	case c.Using != "" || category(c.From) != category(c.To):
		return "values that do not convert fail the migration"
	case category(c.From) == catNumeric && c.To.IsInteger():
		return "values out of range fail the migration"
	case category(c.From) == catNumeric:
		return "values out of range fail the migration, and extra digits are rounded off"
	}
	return "values that do not fit fail the migration"
}

func alterColumn(t TableName, column, action string) string {
	return fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s;", t.String(), quote.Ident(column), action)
}

func identityKind(k schema.Identity) string {
	if k == schema.IdentityAlways {
		return "ALWAYS"
	}
	return "BY DEFAULT"
}

// rebuildEnum replaces an enum: columns to text, the type dropped and
// created with its new values, the columns cast back.
func rebuildEnum(c RebuildEnum) []string {
	e := c.Enum
	var out []string
	text := "text"
	for _, col := range c.Columns {
		if col.Default != "" {
			out = append(out, alterColumn(col.Table, col.Column, "DROP DEFAULT"))
		}
		t := text
		if col.Array {
			t += "[]"
		}
		out = append(out, alterColumn(col.Table, col.Column, "SET DATA TYPE "+t))
	}
	out = append(out, fmt.Sprintf("DROP TYPE %s;", quote.Ident(e.Schema, e.Name)), createEnum(e))
	for _, col := range c.Columns {
		if col.ToText {
			continue
		}
		typ := schema.Type{Schema: e.Schema, Name: e.Name, Array: col.Array}
		out = append(out, alterColumn(col.Table, col.Column,
			fmt.Sprintf("SET DATA TYPE %s USING %s::%s", typeSQL(typ), quote.Ident(col.Column), typeSQL(typ))))
		if col.Restore != "" {
			out = append(out, alterColumn(col.Table, col.Column, "SET DEFAULT "+col.Restore))
		}
	}
	return out
}

func rebuildWarning(c RebuildEnum) string {
	name := quote.Ident(c.Enum.Schema, c.Enum.Name)
	if c.ForUse {
		vals := make([]string, len(c.Added))
		for i, v := range c.Added {
			vals[i] = quote.Literal(v)
		}
		return fmt.Sprintf("recreates enum %s so that this migration can use its new %s %s (a value added by ALTER TYPE ... ADD VALUE is unusable until its transaction commits); the columns using it are rewritten",
			name, plural(len(vals), "value", "values"), strings.Join(vals, ", "))
	}
	if len(c.Removed) == 0 {
		return fmt.Sprintf("recreates enum %s to reorder its values; the columns using it are rewritten", name)
	}
	vals := make([]string, len(c.Removed))
	for i, v := range c.Removed {
		vals[i] = quote.Literal(v)
	}
	return fmt.Sprintf("recreates enum %s without %s: rows holding a removed value fail the migration", name, strings.Join(vals, ", "))
}

// CREATE TYPE "public"."status" AS ENUM ('OPEN', 'CLOSED');
func createEnum(e *schema.Enum) string {
	vals := make([]string, len(e.Values))
	for i, v := range e.Values {
		vals[i] = quote.Literal(v)
	}
	return fmt.Sprintf("CREATE TYPE %s AS ENUM (%s);", quote.Ident(e.Schema, e.Name), strings.Join(vals, ", "))
}

// CREATE TABLE "public"."orders" (
//
//	"id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL,
//	"note" text DEFAULT 'x',
//	CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
//	CONSTRAINT "orders_note_check" CHECK (note <> '')
//
// );
func createTable(t *schema.Table) string {
	var lines []string
	for _, c := range t.Columns {
		lines = append(lines, columnDef(c))
	}
	if pk := t.PrimaryKey; pk != nil {
		lines = append(lines, primaryKeyDef(*pk))
	}
	for _, u := range t.Uniques {
		lines = append(lines, uniqueDef(u))
	}
	for _, c := range t.Checks {
		lines = append(lines, checkDef(c))
	}
	return fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)%s;", quote.Ident(t.Schema, t.Name), strings.Join(lines, ",\n\t"), partitionBySQL(t))
}

func primaryKeyDef(pk schema.PrimaryKey) string {
	return fmt.Sprintf("CONSTRAINT %s PRIMARY KEY (%s)", quote.Ident(pk.Name), identList(pk.Columns))
}

func uniqueDef(u schema.Unique) string {
	nnd := ""
	if u.NullsNotDistinct {
		nnd = " NULLS NOT DISTINCT"
	}
	return fmt.Sprintf("CONSTRAINT %s UNIQUE%s (%s)", quote.Ident(u.Name), nnd, identList(u.Columns))
}

func checkDef(c schema.Check) string {
	return fmt.Sprintf("CONSTRAINT %s CHECK (%s)", quote.Ident(c.Name), c.Expr)
}

func columnDef(c *schema.Column) string {
	var b strings.Builder
	b.WriteString(quote.Ident(c.Name) + " " + typeSQL(c.Type))
	switch c.Identity {
	case schema.IdentityByDefault:
		b.WriteString(" GENERATED BY DEFAULT AS IDENTITY" + identityOptions(c))
	case schema.IdentityAlways:
		b.WriteString(" GENERATED ALWAYS AS IDENTITY" + identityOptions(c))
	}
	if c.Default != "" {
		b.WriteString(" DEFAULT " + c.Default)
	}
	if c.Generated != "" {
		b.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ") STORED")
	}
	if c.NotNull {
		b.WriteString(" NOT NULL")
	}
	return b.String()
}

// typeSQL spells a column type: built-in and extension types as
// format_type() prints them, user-defined types (enums) quoted and
// schema-qualified.
func typeSQL(t schema.Type) string {
	if t.Schema == "" && t.Name == "char" {
		// The one-byte "char" must stay quoted: bare char is character(1).
		t.Name = `"char"`
	}
	if t.Schema == "" {
		return t.String()
	}
	s := quote.Ident(t.Schema, t.Name)
	if t.Array {
		s += "[]"
	}
	return s
}

// ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_model_id_models_id_fk"
// FOREIGN KEY ("model_id") REFERENCES "public"."models" ("id") ON DELETE CASCADE;
func addForeignKey(t TableName, fk schema.ForeignKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s)",
		t.String(), quote.Ident(fk.Name), identList(fk.Columns),
		quote.Ident(fk.RefSchema, fk.RefTable), identList(fk.RefColumns))
	if fk.OnDelete != schema.NoAction {
		b.WriteString(" ON DELETE " + strings.ToUpper(string(fk.OnDelete)))
	}
	if fk.OnUpdate != schema.NoAction {
		b.WriteString(" ON UPDATE " + strings.ToUpper(string(fk.OnUpdate)))
	}
	b.WriteString(";")
	return b.String()
}

// CREATE UNIQUE INDEX "users_lower_email_key" ON "public"."users" USING btree
// (lower(email)) NULLS NOT DISTINCT WHERE deleted IS NULL;
func createIndex(t TableName, ix schema.Index) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	fmt.Fprintf(&b, "INDEX %s ON %s", quote.Ident(ix.Name), t.String())
	if ix.Method != "" {
		b.WriteString(" USING " + ix.Method)
	}
	els := make([]string, len(ix.Elements))
	for i, e := range ix.Elements {
		s := quote.Ident(e.Column)
		if e.Column == "" {
			s = indexExpr(e.Expr)
		}
		if e.Opclass != "" {
			s += " " + e.Opclass
		}
		if e.Desc {
			s += " DESC"
		}
		if e.Nulls != "" {
			s += " NULLS " + strings.ToUpper(e.Nulls)
		}
		els[i] = s
	}
	b.WriteString(" (" + strings.Join(els, ", ") + ")")
	if ix.NullsNotDistinct {
		b.WriteString(" NULLS NOT DISTINCT")
	}
	if ix.Where != "" {
		b.WriteString(" WHERE " + ix.Where)
	}
	b.WriteString(";")
	return b.String()
}

// indexExpr parenthesises an index expression unless it already is one
// function call or one parenthesised group, as CREATE INDEX requires.
func indexExpr(e string) string {
	open := strings.IndexByte(e, '(')
	end := -1
	if open >= 0 {
		end, _ = sqlsplit.ClosingParen(e, open)
	}
	if end == len(e)-1 &&
		(open == 0 || bareName.MatchString(e[:open])) {
		return e
	}
	return "(" + e + ")"
}

var bareName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote.Ident(n)
	}
	return strings.Join(q, ", ")
}
