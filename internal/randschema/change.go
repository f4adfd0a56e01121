package randschema

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// rowState says what the rows inserted into A hold in a column of B.
type rowState int

const (
	stValues   rowState = iota // value(type, k): distinct, never NULL, equal across referencing columns
	stDistinct                 // distinct and never NULL, but not value(type, k) (after a cross-family type change)
	stUniform                  // the same non-NULL value in every row (a column added with a default)
	stNull                     // NULL in every row (a column added without a default)
)

// changer applies mutations to a clone of the model, keeping track of what
// the rows of the original model hold, so that every change keeps them
// valid.
type changer struct {
	gen
	hasRows   map[*schema.Table]bool
	state     map[*schema.Column]rowState
	colInA    map[*schema.Column]bool
	enumInA   map[*schema.Enum]bool
	schemaInA map[string]bool
	// protected holds, per enum, the values rows use: they may not be
	// removed from the enum.
	protected map[*schema.Enum]map[string]bool
	// touched marks tables, columns and enums already renamed, moved or
	// retyped, so that one change does each at most once and the rename
	// hints stay unambiguous.
	touched map[any]bool
	// renamedSchemas maps new schema names to old ones.
	renamedSchemas map[string]string
	// views are the sources of the views (view.go).
	views map[*schema.View]*viewSource
	// extInA are the extensions of A.
	extInA map[string]bool
	// seqStartInA are the sequences of A, with their START: their
	// current value.
	seqStartInA map[*schema.Sequence]int64
}

// Change returns a copy of m with one to four random changes applied, and a
// description of each for failure messages. m is left as it was. The rows
// Rows(m) gives stay valid through the changes: see the package doc and the
// comments on each mutation. Change(m) is a valid, sorted model.
func Change(r *rand.Rand, m *schema.Model) (*schema.Model, []string) {
	c := &changer{
		gen:            gen{r: r, m: m.Clone()},
		hasRows:        map[*schema.Table]bool{},
		state:          map[*schema.Column]rowState{},
		colInA:         map[*schema.Column]bool{},
		enumInA:        map[*schema.Enum]bool{},
		schemaInA:      map[string]bool{},
		protected:      map[*schema.Enum]map[string]bool{},
		touched:        map[any]bool{},
		renamedSchemas: map[string]string{},
		extInA:         map[string]bool{},
		seqStartInA:    map[*schema.Sequence]int64{},
	}
	for _, x := range c.m.Extensions {
		c.extInA[x.Name] = true
	}
	for _, s := range c.m.Sequences {
		s.Was = ""
		c.seqStartInA[s] = s.Options.Values(s.Type).Start
	}
	c.continueCounter()
	// Rename hints describe one migration: those of m are history.
	for _, s := range c.m.Schemas {
		s.Was = ""
	}
	for _, e := range c.m.Enums {
		e.Was = ""
	}
	for _, t := range c.m.Tables {
		t.Was = ""
		for _, col := range t.Columns {
			col.Was = ""
		}
		for i := range t.Policies {
			t.Policies[i].Was = ""
		}
	}
	for _, v := range c.m.Views {
		v.Was = ""
	}
	c.views = viewSources(c.m)
	for _, s := range c.m.Schemas {
		c.schemaInA[s.Name] = true
	}
	for _, e := range c.m.Enums {
		c.enumInA[e] = true
		c.protected[e] = map[string]bool{}
		for _, v := range e.Values[:min(2, len(e.Values))] {
			c.protected[e][v] = true // the values of rows 1 and 2
		}
	}
	for _, t := range c.m.Tables {
		c.hasRows[t] = true
		for _, col := range t.Columns {
			c.state[col] = stValues
			c.colInA[col] = true
		}
	}
	mutations := c.mutations()
	var descs []string
	want := 1 + r.IntN(4)
	for try := 0; len(descs) < want && try < 200; try++ {
		if d, ok := pick(&c.gen, mutations)(); ok {
			descs = append(descs, d)
		}
	}
	for _, t := range c.m.Tables {
		fixPartitionKeys(c.m, t)
	}
	syncViews(c.m, c.views)
	normalize(c.m, c.renamedSchemas)
	return c.m, descs
}

type mutation func() (string, bool)

func (c *changer) mutations() []mutation {
	return []mutation{
		c.createTable, c.dropTable, c.renameTable, c.moveTable, c.renameSchema, c.dropSchema,
		c.createEnum, c.dropEnum, c.addEnumValue, c.removeEnumValue, c.reorderEnum, c.renameEnum,
		c.addColumn, c.addColumn, c.dropColumn, c.renameColumn, c.changeType, c.changeType,
		c.setDefault, c.dropDefault, c.setNotNull, c.dropNotNull,
		c.addIdentity, c.dropIdentity, c.addGenerated, c.dropGenerated,
		c.addPrimaryKey, c.dropPrimaryKey, c.changePrimaryKey,
		c.addUnique, c.dropUnique, c.addCheck, c.dropCheck, c.changeCheck,
		c.addForeignKey, c.dropForeignKey, c.changeForeignKey,
		c.addIndex, c.dropIndex, c.changeIndex,
		c.toggleRowSecurity, c.toggleForce, c.addPolicy, c.dropPolicy, c.changePolicy, c.renamePolicy,
		c.setComment, c.dropComment, c.createExtension, c.dropExtension,
		c.createSequence, c.dropSequence, c.alterSequence, c.renameSequence, c.drawFromSequence, c.setColumnSequence,
		c.functionMutation, c.triggerMutation,
		c.addPartition, c.addPartition, c.dropPartition, c.dropPartition, c.changeBound, c.changeBound,
		c.createView, c.dropView, c.renameView, c.changeViewColumns, c.changeViewOptions, c.setViewComment, c.addViewIndex,
	}
}

// ok reports whether the rows in column col of t meet n. A table created
// by this change has no rows, so anything goes there.
func (c *changer) ok(t *schema.Table, col *schema.Column, n need) bool {
	if !c.hasRows[t] {
		return true
	}
	s := c.state[col]
	switch n {
	case needNotNull:
		return s != stNull
	case needDistinct:
		return s == stValues || s == stDistinct
	case needValues:
		return s == stValues
	}
	return true
}

func qual(s, name string) string { return s + "." + name }

func (c *changer) randomTable() *schema.Table {
	if len(c.m.Tables) == 0 {
		return nil
	}
	return pick(&c.gen, c.m.Tables)
}

func (c *changer) schemaChoices() []string {
	out := []string{schema.DefaultSchema}
	for _, s := range c.m.Schemas {
		out = append(out, s.Name)
	}
	return out
}

// targetSchema picks a schema for a new or moved object, sometimes a new
// one (the differ then creates it).
func (c *changer) targetSchema() string {
	if c.chance(0.25) {
		name := c.schemaName()
		c.m.Schemas = append(c.m.Schemas, &schema.Schema{Name: name})
		return name
	}
	return pick(&c.gen, c.schemaChoices())
}

// Tables.

func (c *changer) createTable() (string, bool) {
	t := c.newTable(c.targetSchema(), nil)
	// Foreign keys from the new (empty) table may point anywhere.
	for range c.r.IntN(3) {
		c.newForeignKey(t, pick(&c.gen, c.m.Tables), nil)
	}
	return "create table " + qual(t.Schema, t.Name), true
}

func (c *changer) dropTable() (string, bool) {
	t := c.randomTable()
	if t == nil || len(c.m.Tables) == 1 {
		return "", false
	}
	c.removeTable(t)
	return "drop table " + qual(t.Schema, t.Name), true
}

// removeTable drops t and the foreign keys that reference it.
func (c *changer) removeTable(t *schema.Table) {
	c.m.Tables = slices.DeleteFunc(c.m.Tables, func(x *schema.Table) bool { return x == t })
	for _, o := range c.m.Tables {
		o.ForeignKeys = slices.DeleteFunc(o.ForeignKeys, func(fk schema.ForeignKey) bool {
			return fk.RefSchema == t.Schema && fk.RefTable == t.Name
		})
	}
}

func (c *changer) renameTable() (string, bool) {
	t := c.randomTable()
	if t == nil || !c.hasRows[t] || c.touched[t] {
		return "", false
	}
	c.touched[t] = true
	old := t.Name
	c.withAutoNames(func() {
		t.Was, t.Name = old, c.tableName()
		for _, o := range c.m.Tables {
			for i := range o.ForeignKeys {
				if fk := &o.ForeignKeys[i]; fk.RefSchema == t.Schema && fk.RefTable == old {
					fk.RefTable = t.Name
				}
			}
		}
	})
	return fmt.Sprintf("rename table %s to %s", qual(t.Schema, old), t.Name), true
}

func (c *changer) moveTable() (string, bool) {
	t := c.randomTable()
	if t == nil || !c.hasRows[t] || c.touched[t] {
		return "", false
	}
	to := c.targetSchema()
	if to == t.Schema {
		return "", false
	}
	c.touched[t] = true
	from := t.Schema
	for _, o := range c.m.Tables {
		for i := range o.ForeignKeys {
			if fk := &o.ForeignKeys[i]; fk.RefSchema == from && fk.RefTable == t.Name {
				fk.RefSchema = to
			}
		}
	}
	t.Schema = to
	return fmt.Sprintf("move table %s to schema %s", qual(from, t.Name), to), true
}

// Schemas. A schema exists while something lives in it (normalize), so
// creating one happens when a table or enum is put in a new schema, and
// dropping one when its last object goes.

func (c *changer) renameSchema() (string, bool) {
	var cands []string
	for _, s := range c.m.Schemas {
		if c.schemaInA[s.Name] && !c.touched["schema:"+s.Name] {
			cands = append(cands, s.Name)
		}
	}
	if len(cands) == 0 {
		return "", false
	}
	old := pick(&c.gen, cands)
	name := c.schemaName()
	c.touched["schema:"+name] = true
	c.renamedSchemas[name] = old
	c.m.Schemas = append(c.m.Schemas, &schema.Schema{Name: name})
	for _, e := range c.m.Enums {
		if e.Schema == old {
			e.Schema = name
		}
	}
	for _, t := range c.m.Tables {
		if t.Schema == old {
			t.Schema = name
		}
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefSchema == old {
				t.ForeignKeys[i].RefSchema = name
			}
		}
		for _, col := range t.Columns {
			if col.Type.Schema == old {
				col.Type.Schema = name
			}
		}
	}
	c.moveSequences(old, name)
	c.fixEnumDefaults()
	return fmt.Sprintf("rename schema %s to %s", old, name), true
}

func (c *changer) dropSchema() (string, bool) {
	if len(c.m.Schemas) == 0 {
		return "", false
	}
	name := pick(&c.gen, c.m.Schemas).Name
	for _, t := range slices.Clone(c.m.Tables) {
		if t.Schema == name && len(c.m.Tables) > 1 {
			c.removeTable(t)
		}
	}
	for _, t := range c.m.Tables {
		if t.Schema == name {
			c.moveTableTo(t, schema.DefaultSchema) // the last table is kept
		}
	}
	for _, e := range slices.Clone(c.m.Enums) {
		if e.Schema == name {
			c.removeEnum(e)
		}
	}
	c.moveSequences(name, "")
	return "drop schema " + name + " with everything in it", true
}

func (c *changer) moveTableTo(t *schema.Table, to string) {
	for _, o := range c.m.Tables {
		for i := range o.ForeignKeys {
			if fk := &o.ForeignKeys[i]; fk.RefSchema == t.Schema && fk.RefTable == t.Name {
				fk.RefSchema = to
			}
		}
	}
	t.Schema = to
}

// Enums.

func (c *changer) createEnum() (string, bool) {
	e := c.newEnum(c.targetSchema())
	c.protected[e] = map[string]bool{}
	d := "create enum " + qual(e.Schema, e.Name)
	if t := c.randomTable(); t != nil && c.chance(0.6) {
		col := c.addColumnOfType(t, schema.Type{Schema: e.Schema, Name: e.Name, Array: c.chance(0.3)})
		d += fmt.Sprintf(" and add column %s.%s of it", t.Name, col.Name)
	}
	return d, true
}

func (c *changer) randomEnum() *schema.Enum {
	if len(c.m.Enums) == 0 {
		return nil
	}
	return pick(&c.gen, c.m.Enums)
}

func (c *changer) dropEnum() (string, bool) {
	e := c.randomEnum()
	if e == nil {
		return "", false
	}
	c.removeEnum(e)
	return "drop enum " + qual(e.Schema, e.Name) + " and the columns of its type", true
}

// removeEnum drops e and the columns of its type (and what depends on
// them), as deleting the Go type and its fields would.
func (c *changer) removeEnum(e *schema.Enum) {
	for _, t := range slices.Clone(c.m.Tables) {
		for _, col := range slices.Clone(t.Columns) {
			if col.Type.Schema == e.Schema && col.Type.Name == e.Name {
				c.removeColumn(t, col.Name)
			}
		}
	}
	c.m.Enums = slices.DeleteFunc(c.m.Enums, func(x *schema.Enum) bool { return x == e })
}

func (c *changer) addEnumValue() (string, bool) {
	e := c.randomEnum()
	if e == nil {
		return "", false
	}
	v := c.label()
	at := c.r.IntN(len(e.Values) + 1)
	e.Values = slices.Insert(e.Values, at, v)
	return fmt.Sprintf("add value %q to enum %s at position %d", v, e.Name, at), true
}

// usedLabels returns the values of e that rows or defaults use.
func (c *changer) usedLabels(e *schema.Enum) map[string]bool {
	used := map[string]bool{}
	for v := range c.protected[e] {
		used[v] = true
	}
	for _, t := range c.m.Tables {
		for _, col := range t.Columns {
			if col.Type.Schema == e.Schema && col.Type.Name == e.Name {
				if l, ok := enumDefaultLabel(col.Default); ok {
					used[l] = true
				}
			}
		}
	}
	return used
}

func (c *changer) removeEnumValue() (string, bool) {
	e := c.randomEnum()
	if e == nil || len(e.Values) <= 2 {
		return "", false
	}
	used := c.usedLabels(e)
	var free []string
	for _, v := range e.Values {
		if !used[v] {
			free = append(free, v)
		}
	}
	if len(free) == 0 {
		return "", false
	}
	v := pick(&c.gen, free)
	e.Values = slices.DeleteFunc(e.Values, func(x string) bool { return x == v })
	return fmt.Sprintf("remove value %q from enum %s", v, e.Name), true
}

func (c *changer) reorderEnum() (string, bool) {
	e := c.randomEnum()
	if e == nil {
		return "", false
	}
	old := slices.Clone(e.Values)
	for slices.Equal(old, e.Values) {
		c.r.Shuffle(len(e.Values), func(i, j int) { e.Values[i], e.Values[j] = e.Values[j], e.Values[i] })
	}
	return fmt.Sprintf("reorder enum %s to %q", e.Name, e.Values), true
}

func (c *changer) renameEnum() (string, bool) {
	e := c.randomEnum()
	if e == nil || !c.enumInA[e] || c.touched[e] {
		return "", false
	}
	c.touched[e] = true
	old := e.Name
	e.Was, e.Name = old, c.enumName()
	for _, t := range c.m.Tables {
		for _, col := range t.Columns {
			if col.Type.Schema == e.Schema && col.Type.Name == old {
				col.Type.Name = e.Name
			}
		}
	}
	c.fixEnumDefaults()
	return fmt.Sprintf("rename enum %s to %s", qual(e.Schema, old), e.Name), true
}

// fixEnumDefaults respells the defaults of enum columns after their type
// was renamed or moved, as PostgreSQL prints them.
func (c *changer) fixEnumDefaults() {
	for _, t := range c.m.Tables {
		for _, col := range t.Columns {
			if col.Type.Schema == "" || col.Default == "" {
				continue
			}
			if col.Type.Array {
				col.Default = "'{}'::" + typeExpr(col.Type)
			} else if l, ok := enumDefaultLabel(col.Default); ok {
				col.Default = enumDefault(col.Type, l)
			}
		}
	}
}

// Columns.

func (c *changer) addColumn() (string, bool) {
	t := c.randomTable()
	if t == nil {
		return "", false
	}
	col := c.addColumnOfType(t, schema.Type{})
	return fmt.Sprintf("add column %s.%s %s", t.Name, col.Name, col.Type), true
}

// addColumnOfType adds a random column (of type typ unless it is zero).
// Rows get NULL, the default, an identity value or the generated value, so
// a NOT NULL column without any of those is made nullable.
func (c *changer) addColumnOfType(t *schema.Table, typ schema.Type) *schema.Column {
	col := c.newColumn(t, c.hasRows[t])
	if t.Partition != nil && col.Identity != "" {
		// PostgreSQL before 17 refuses to add an identity column to a
		// table with partitions.
		col.Identity = ""
		if c.hasRows[t] {
			col.NotNull = false
		}
	}
	if typ != (schema.Type{}) {
		col.Type, col.Identity, col.Generated = typ, "", ""
		col.Default = ""
		if c.chance(0.5) {
			col.Default = pick(&c.gen, defaults(typ, c.enumValues(typ)))
		}
		if c.hasRows[t] && col.Default == "" {
			col.NotNull = false
		}
	}
	switch {
	case col.Generated != "":
		src := t.Column(firstRef(col.Generated))
		c.state[col] = c.state[src]
		if c.hasRows[t] && c.state[src] == stNull {
			col.NotNull = false
		}
	case col.Identity != "":
		c.state[col] = stDistinct
	case col.Default != "":
		c.state[col] = stUniform
		if e := c.m.Enum(col.Type.Schema, col.Type.Name); e != nil && c.hasRows[t] {
			if l, ok := enumDefaultLabel(col.Default); ok {
				c.protected[e][l] = true // now in the rows
			}
		}
	default:
		c.state[col] = stNull
	}
	return col
}

// randomColumn picks a column of a random table for which okCol holds.
func (c *changer) randomColumn(okCol func(*schema.Table, *schema.Column) bool) (*schema.Table, *schema.Column) {
	type tc struct {
		t *schema.Table
		c *schema.Column
	}
	var cands []tc
	for _, t := range c.m.Tables {
		for _, col := range t.Columns {
			if okCol(t, col) {
				cands = append(cands, tc{t, col})
			}
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	x := pick(&c.gen, cands)
	return x.t, x.c
}

func (c *changer) dropColumn() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return len(t.Columns) > 1 && !isPartitionKey(t, col.Name)
	})
	if t == nil {
		return "", false
	}
	c.removeColumn(t, col.Name)
	return fmt.Sprintf("drop column %s.%s", t.Name, col.Name), true
}

// removeColumn drops a column and everything PostgreSQL drops with it:
// generated columns computed from it, keys, indexes and checks on it,
// foreign keys from it and to it. A table left without columns is dropped,
// as deleting its last field would force the user to.
func (c *changer) removeColumn(t *schema.Table, name string) {
	if t.Column(name) == nil {
		return // already gone with another
	}
	t.Columns = slices.DeleteFunc(t.Columns, func(x *schema.Column) bool { return x.Name == name })
	for _, o := range slices.Clone(t.Columns) {
		if references(o.Generated, name) {
			c.removeColumn(t, o.Name)
		}
	}
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, name) {
		c.dropReferencing(t, t.PrimaryKey.Columns)
		t.PrimaryKey = nil
	}
	for _, u := range slices.Clone(t.Uniques) {
		if slices.Contains(u.Columns, name) {
			c.dropReferencing(t, u.Columns)
		}
	}
	t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool { return slices.Contains(u.Columns, name) })
	t.Indexes = slices.DeleteFunc(t.Indexes, func(ix schema.Index) bool { return indexUses(ix, name) })
	t.Checks = slices.DeleteFunc(t.Checks, func(ck schema.Check) bool { return references(ck.Expr, name) })
	policiesOnColumn(t, name)
	triggersOnColumn(t, name)
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool { return slices.Contains(fk.Columns, name) })
	if len(t.Columns) == 0 {
		c.removeTable(t)
	}
}

// dropReferencing drops the foreign keys that reference the key cols of t
// (no two keys of a table have the same columns).
func (c *changer) dropReferencing(t *schema.Table, cols []string) {
	for _, o := range c.m.Tables {
		o.ForeignKeys = slices.DeleteFunc(o.ForeignKeys, func(fk schema.ForeignKey) bool {
			return fk.RefSchema == t.Schema && fk.RefTable == t.Name && slices.Equal(fk.RefColumns, cols)
		})
	}
}

func indexUses(ix schema.Index, col string) bool {
	if references(ix.Where, col) {
		return true
	}
	for _, e := range ix.Elements {
		if e.Column == col || references(e.Expr, col) {
			return true
		}
	}
	return false
}

func (c *changer) renameColumn() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool { return c.colInA[col] && !c.touched[col] })
	if t == nil {
		return "", false
	}
	c.touched[col] = true
	old := col.Name
	c.withAutoNames(func() {
		col.Was, col.Name = old, c.columnName()
		ren := func(cols []string) {
			for i, x := range cols {
				if x == old {
					cols[i] = col.Name
				}
			}
		}
		if t.PrimaryKey != nil {
			ren(t.PrimaryKey.Columns)
		}
		if t.Partition != nil {
			ren(t.Partition.Columns)
		}
		for i := range t.Uniques {
			ren(t.Uniques[i].Columns)
		}
		for i := range t.Checks {
			t.Checks[i].Expr = renameRef(t.Checks[i].Expr, old, col.Name)
		}
		for i := range t.ForeignKeys {
			ren(t.ForeignKeys[i].Columns)
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			ix.Where = renameRef(ix.Where, old, col.Name)
			for j := range ix.Elements {
				e := &ix.Elements[j]
				if e.Column == old {
					e.Column = col.Name
				}
				e.Expr = renameRef(e.Expr, old, col.Name)
			}
		}
		for _, o := range t.Columns {
			o.Generated = renameRef(o.Generated, old, col.Name)
		}
		renamePolicyRefs(t, old, col.Name)
		renameTriggerRefs(t, old, col.Name)
		for _, o := range c.m.Tables {
			for i := range o.ForeignKeys {
				if fk := &o.ForeignKeys[i]; fk.RefSchema == t.Schema && fk.RefTable == t.Name {
					ren(fk.RefColumns)
				}
			}
		}
	})
	return fmt.Sprintf("rename column %s.%s to %s", t.Name, old, col.Name), true
}

// inForeignKey reports whether a column is the source or the target of a
// foreign key.
func (c *changer) inForeignKey(t *schema.Table, name string) bool {
	for _, fk := range t.ForeignKeys {
		if slices.Contains(fk.Columns, name) {
			return true
		}
	}
	for _, o := range c.m.Tables {
		for _, fk := range o.ForeignKeys {
			if fk.RefSchema == t.Schema && fk.RefTable == t.Name && slices.Contains(fk.RefColumns, name) {
				return true
			}
		}
	}
	return false
}

// inExpression reports whether an expression (check, generated column,
// index expression or predicate) refers to the column, or an index uses it
// with a method or operator class that depends on its type.
func inExpression(t *schema.Table, name string) bool {
	for _, ck := range t.Checks {
		if references(ck.Expr, name) {
			return true
		}
	}
	for _, o := range t.Columns {
		if references(o.Generated, name) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if references(ix.Where, name) {
			return true
		}
		for _, e := range ix.Elements {
			if references(e.Expr, name) || e.Column == name && (e.Opclass != "" || ix.Method != "") {
				return true
			}
		}
	}
	return false
}

// changeType changes a column's type along a cast that keeps its values
// (castTargets). Columns in foreign keys, expressions, GIN or hash indexes
// and identity or generated columns are left alone: their canonical
// spelling or their validity would change with the type. A column is
// retyped at most once per change, and only while it holds the rows'
// original values, so a chain of casts cannot truncate anything.
func (c *changer) changeType() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return !c.touched[col] && col.Identity == "" && col.Generated == "" && !isPartitionKey(t, col.Name) &&
			(!c.hasRows[t] || c.state[col] == stValues) &&
			!c.inForeignKey(t, col.Name) && !inExpression(t, col.Name) && len(castTargets(col.Type)) > 0
	})
	if t == nil {
		return "", false
	}
	c.touched[col] = true
	from := col.Type
	col.Type = pick(&c.gen, castTargets(from))
	if !keepsValues(from, col.Type) {
		c.state[col] = stDistinct
	}
	if col.Default != "" {
		// The old default is spelled for the old type; a user changing
		// the type writes a default for the new one, or none.
		col.Default = ""
		if c.chance(0.7) {
			col.Default = pick(&c.gen, defaults(col.Type, nil))
		}
	}
	return fmt.Sprintf("change type of %s.%s from %s to %s", t.Name, col.Name, from, col.Type), true
}

func (c *changer) setDefault() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		// The default of a column added in this change fills the rows
		// already there, which a later change relies on.
		return col.Identity == "" && col.Generated == "" && (c.colInA[col] || !c.hasRows[t])
	})
	if t == nil {
		return "", false
	}
	d := pick(&c.gen, defaults(col.Type, c.enumValues(col.Type)))
	if d == col.Default {
		return "", false
	}
	col.Default = d
	return fmt.Sprintf("set default of %s.%s to %s", t.Name, col.Name, d), true
}

func (c *changer) dropDefault() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		// A NOT NULL column added in this change needs its default to
		// fill the rows already there.
		return col.Default != "" && !(col.NotNull && c.hasRows[t] && !c.colInA[col])
	})
	if t == nil {
		return "", false
	}
	col.Default = ""
	return fmt.Sprintf("drop default of %s.%s", t.Name, col.Name), true
}

func (c *changer) setNotNull() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return !col.NotNull && c.ok(t, col, needNotNull)
	})
	if t == nil {
		return "", false
	}
	col.NotNull = true
	return fmt.Sprintf("set not null on %s.%s", t.Name, col.Name), true
}

func (c *changer) dropNotNull() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return col.NotNull && col.Identity == "" &&
			(t.PrimaryKey == nil || !slices.Contains(t.PrimaryKey.Columns, col.Name))
	})
	if t == nil {
		return "", false
	}
	col.NotNull = false
	return fmt.Sprintf("drop not null on %s.%s", t.Name, col.Name), true
}

// addIdentity makes an integer column an identity column; its default goes
// (an identity column has none) and it becomes NOT NULL, which the rows
// allow.
func (c *changer) addIdentity() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return col.Type.IsInteger() && col.Identity == "" && col.Generated == "" && c.ok(t, col, needNotNull)
	})
	if t == nil {
		return "", false
	}
	col.Identity = pick(&c.gen, []schema.Identity{schema.IdentityByDefault, schema.IdentityAlways})
	col.Default, col.NotNull = "", true
	return fmt.Sprintf("add identity (generated %s) to %s.%s", col.Identity, t.Name, col.Name), true
}

func (c *changer) dropIdentity() (string, bool) {
	t, col := c.randomColumn(func(_ *schema.Table, col *schema.Column) bool { return col.Identity != "" })
	if t == nil {
		return "", false
	}
	col.Identity, col.Sequence = "", nil
	return fmt.Sprintf("drop identity of %s.%s", t.Name, col.Name), true
}

// addGenerated turns a column nothing else uses into a stored generated
// column computed from another column, taking that column's type (from a
// column of its own type when there is one). PostgreSQL can only do that
// by dropping and re-adding the column; the generated values equal the
// source's, so the rows still read the same.
func (c *changer) addGenerated() (string, bool) {
	t, col := c.randomColumn(func(t *schema.Table, col *schema.Column) bool {
		return col.Generated == "" && col.Identity == "" && !c.inForeignKey(t, col.Name) && !inExpression(t, col.Name) &&
			!c.inKeyOrIndex(t, col.Name) && !isPartitionKey(t, col.Name) && c.generatedSourceFor(t, col) != nil
	})
	if t == nil {
		return "", false
	}
	src := c.generatedSourceFor(t, col)
	from := col.Type
	col.Type = src.Type
	col.Generated = pick(&c.gen, generatedExprs(src.Type, src.Name))
	col.Default = ""
	c.state[col] = c.state[src]
	// Its values are now computed: making it plain again in this change
	// would keep those, not the rows' original values.
	c.touched[col] = true
	if c.hasRows[t] && c.state[src] == stNull {
		col.NotNull = false
	}
	d := fmt.Sprintf("add generation expression %s to %s.%s", col.Generated, t.Name, col.Name)
	if from != col.Type {
		d += fmt.Sprintf(" (type %s, was %s)", col.Type, from)
	}
	return d, true
}

// generatedSourceFor returns the column col may be computed from: one of
// col's type if there is one, else any.
func (c *changer) generatedSourceFor(t *schema.Table, col *schema.Column) *schema.Column {
	var other *schema.Column
	for _, s := range t.Columns {
		if s == col || s.Generated != "" || len(generatedExprs(s.Type, s.Name)) == 0 {
			continue
		}
		if s.Type == col.Type {
			return s
		}
		if other == nil {
			other = s
		}
	}
	return other
}

func (c *changer) inKeyOrIndex(t *schema.Table, name string) bool {
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, name) {
		return true
	}
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, name) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if indexUses(ix, name) {
			return true
		}
	}
	return false
}

// dropGenerated keeps the column and its values (ALTER COLUMN ... DROP
// EXPRESSION).
func (c *changer) dropGenerated() (string, bool) {
	t, col := c.randomColumn(func(_ *schema.Table, col *schema.Column) bool {
		// A column added in this change has no values to keep.
		return col.Generated != "" && !c.touched[col] && c.colInA[col]
	})
	if t == nil {
		return "", false
	}
	col.Generated = ""
	return fmt.Sprintf("drop generation expression of %s.%s", t.Name, col.Name), true
}

// Keys, checks, foreign keys and indexes. New ones are only put on columns
// whose rows satisfy them (see changer.ok).

func (c *changer) addPrimaryKey() (string, bool) {
	t := c.randomTable()
	if t == nil || t.PrimaryKey != nil || !c.newPrimaryKey(t, c.ok) {
		return "", false
	}
	return fmt.Sprintf("add primary key %s on %s (%s)", t.PrimaryKey.Name, t.Name, strings.Join(t.PrimaryKey.Columns, ", ")), true
}

func (c *changer) dropPrimaryKey() (string, bool) {
	t := c.randomTable()
	if t == nil || t.PrimaryKey == nil {
		return "", false
	}
	c.dropReferencing(t, t.PrimaryKey.Columns)
	name := t.PrimaryKey.Name
	t.PrimaryKey = nil
	return fmt.Sprintf("drop primary key %s of %s", name, t.Name), true
}

func (c *changer) changePrimaryKey() (string, bool) {
	t := c.randomTable()
	if t == nil || t.PrimaryKey == nil {
		return "", false
	}
	old := t.PrimaryKey
	t.PrimaryKey = nil
	if !c.newPrimaryKey(t, c.ok) || slices.Equal(old.Columns, t.PrimaryKey.Columns) {
		t.PrimaryKey = old
		return "", false
	}
	c.dropReferencing(t, old.Columns)
	return fmt.Sprintf("change primary key of %s from (%s) to %s (%s)", t.Name, strings.Join(old.Columns, ", "),
		t.PrimaryKey.Name, strings.Join(t.PrimaryKey.Columns, ", ")), true
}

func (c *changer) addUnique() (string, bool) {
	t := c.randomTable()
	if t == nil || !c.newUnique(t, c.ok) {
		return "", false
	}
	u := t.Uniques[len(t.Uniques)-1]
	return fmt.Sprintf("add unique %s on %s (%s)", u.Name, t.Name, strings.Join(u.Columns, ", ")), true
}

func (c *changer) dropUnique() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Uniques) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Uniques))
	u := t.Uniques[i]
	t.Uniques = slices.Delete(t.Uniques, i, i+1)
	c.dropReferencing(t, u.Columns)
	return fmt.Sprintf("drop unique %s of %s", u.Name, t.Name), true
}

func (c *changer) addCheck() (string, bool) {
	t := c.randomTable()
	if t == nil || !c.newCheck(t, c.ok) {
		return "", false
	}
	ck := t.Checks[len(t.Checks)-1]
	return fmt.Sprintf("add check %s on %s: %s", ck.Name, t.Name, ck.Expr), true
}

func (c *changer) dropCheck() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Checks) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Checks))
	name := t.Checks[i].Name
	t.Checks = slices.Delete(t.Checks, i, i+1)
	return fmt.Sprintf("drop check %s of %s", name, t.Name), true
}

// changeCheck gives a check another expression on the same column, keeping
// its name, as editing a check: option does.
func (c *changer) changeCheck() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Checks) == 0 {
		return "", false
	}
	ck := &t.Checks[c.r.IntN(len(t.Checks))]
	col := t.Column(firstRef(ck.Expr))
	exprs := checks(col.Type, col.Name)
	if !c.ok(t, col, needNotNull) {
		exprs = exprs[1:]
	}
	exprs = slices.DeleteFunc(exprs, func(e string) bool { return e == ck.Expr })
	if len(exprs) == 0 {
		return "", false
	}
	old := ck.Expr
	ck.Expr = pick(&c.gen, exprs)
	return fmt.Sprintf("change check %s of %s from %s to %s", ck.Name, t.Name, old, ck.Expr), true
}

// addForeignKey adds a foreign key the rows satisfy: from a table without
// rows to anything; from a table with rows either with new (NULL) columns,
// or with columns holding value(type, k) to a key whose columns hold them
// too, row k matching row k.
func (c *changer) addForeignKey() (string, bool) {
	t, target := c.randomTable(), c.randomTable()
	if t == nil {
		return "", false
	}
	var colOK func(*schema.Column) bool
	if c.hasRows[t] {
		if !c.hasRows[target] || !c.keyHoldsValues(target) {
			colOK = func(*schema.Column) bool { return false } // new, NULL columns only
		} else {
			colOK = func(col *schema.Column) bool { return c.state[col] == stValues && c.colInA[col] }
		}
	}
	n := len(t.Columns)
	fk, ok := c.newForeignKey(t, target, colOK)
	if !ok {
		return "", false
	}
	for _, col := range t.Columns[n:] {
		c.state[col] = stNull
	}
	return fmt.Sprintf("add foreign key %s on %s (%s) to %s (%s)", fk.Name, t.Name, strings.Join(fk.Columns, ", "),
		qual(fk.RefSchema, fk.RefTable), strings.Join(fk.RefColumns, ", ")), true
}

// keyHoldsValues reports whether every key column of t holds value(type, k).
func (c *changer) keyHoldsValues(t *schema.Table) bool {
	var cols []string
	if t.PrimaryKey != nil {
		cols = append(cols, t.PrimaryKey.Columns...)
	}
	for _, u := range t.Uniques {
		cols = append(cols, u.Columns...)
	}
	for _, name := range cols {
		if col := t.Column(name); c.state[col] != stValues || !c.colInA[col] {
			return false
		}
	}
	return true
}

func (c *changer) dropForeignKey() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.ForeignKeys) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.ForeignKeys))
	name := t.ForeignKeys[i].Name
	t.ForeignKeys = slices.Delete(t.ForeignKeys, i, i+1)
	return fmt.Sprintf("drop foreign key %s of %s", name, t.Name), true
}

func (c *changer) changeForeignKey() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.ForeignKeys) == 0 {
		return "", false
	}
	fk := &t.ForeignKeys[c.r.IntN(len(t.ForeignKeys))]
	del, upd := pick(&c.gen, actions), pick(&c.gen, actions)
	if del == fk.OnDelete && upd == fk.OnUpdate {
		return "", false
	}
	fk.OnDelete, fk.OnUpdate = del, upd
	return fmt.Sprintf("change actions of foreign key %s of %s to on delete %q on update %q", fk.Name, t.Name, del, upd), true
}

func (c *changer) addIndex() (string, bool) {
	t := c.randomTable()
	if t == nil || !c.newIndex(t, c.ok) {
		return "", false
	}
	return fmt.Sprintf("add index %s on %s", t.Indexes[len(t.Indexes)-1].Name, t.Name), true
}

func (c *changer) dropIndex() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Indexes) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Indexes))
	name := t.Indexes[i].Name
	t.Indexes = slices.Delete(t.Indexes, i, i+1)
	return fmt.Sprintf("drop index %s of %s", name, t.Name), true
}

// changeIndex gives an explicitly named index another definition under the
// same name. (An auto-named one would be renamed by the loader along with
// its new definition: that is a drop and an add.)
func (c *changer) changeIndex() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Indexes) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Indexes))
	if !explicitName.MatchString(t.Indexes[i].Name) {
		return "", false
	}
	ix, ok := c.randomIndex(t, c.ok)
	if !ok {
		return "", false
	}
	ix.Name = t.Indexes[i].Name
	if indexEqual(ix, t.Indexes[i]) {
		return "", false
	}
	t.Indexes[i] = ix
	return fmt.Sprintf("change definition of index %s of %s", ix.Name, t.Name), true
}

func indexEqual(a, b schema.Index) bool {
	return a.Name == b.Name && a.Unique == b.Unique && a.Method == b.Method && a.Where == b.Where &&
		a.NullsNotDistinct == b.NullsNotDistinct && slices.Equal(a.Elements, b.Elements)
}

// withAutoNames runs a rename and then renames the constraints and indexes
// whose names were auto-names before it, as the loader would derive them
// from the new names.
func (c *changer) withAutoNames(rename func()) {
	type mark struct {
		t    *schema.Table
		kind byte
		i    int
	}
	var marks []mark
	for _, t := range c.m.Tables {
		if t.PrimaryKey != nil && t.PrimaryKey.Name == autoPK(t) {
			marks = append(marks, mark{t, 'p', 0})
		}
		for i, u := range t.Uniques {
			if u.Name == autoUnique(t, u) {
				marks = append(marks, mark{t, 'u', i})
			}
		}
		for i, ck := range t.Checks {
			if ck.Name == autoCheck(t, ck) {
				marks = append(marks, mark{t, 'c', i})
			}
		}
		for i, fk := range t.ForeignKeys {
			if fk.Name == autoFK(t, fk) {
				marks = append(marks, mark{t, 'f', i})
			}
		}
		for i, ix := range t.Indexes {
			if ix.Name == autoIndex(t, ix) {
				marks = append(marks, mark{t, 'i', i})
			}
		}
	}
	rename()
	for _, mk := range marks {
		t := mk.t
		switch mk.kind {
		case 'p':
			t.PrimaryKey.Name = autoPK(t)
		case 'u':
			t.Uniques[mk.i].Name = autoUnique(t, t.Uniques[mk.i])
		case 'c':
			t.Checks[mk.i].Name = autoCheck(t, t.Checks[mk.i])
		case 'f':
			t.ForeignKeys[mk.i].Name = autoFK(t, t.ForeignKeys[mk.i])
		case 'i':
			t.Indexes[mk.i].Name = autoIndex(t, t.Indexes[mk.i])
		}
	}
}
