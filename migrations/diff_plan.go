package migrations

import (
	"slices"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// This file holds the second half of the differ: once names line up,
// decide what stays, then emit drops (dependants first), column changes,
// and creations (dependencies first).

// planEnums decides nothing new; it is the place where a rebuilt enum's
// columns are known, before constraints are judged.
func (d *differ) planEnums() {
	d.reverse = map[*schema.Table]*schema.Table{}
	for t, c := range d.tables {
		d.reverse[c] = t
	}
}

// mentions reports whether a SQL expression may refer to one of the
// columns. It errs on the side of yes: a constraint or index judged to
// mention a column is dropped and created again, which is safe.
func mentions(expr string, cols map[string]bool) bool {
	for c := range cols {
		if strings.Contains(expr, c) {
			return true
		}
	}
	return false
}

// planKeeps decides which constraints and indexes of cur stay untouched:
// the same name and definition in the new model, on columns that are not
// recreated, and (for foreign keys) on keys and types that do not change.
func (d *differ) planKeeps() {
	d.recreated = map[*schema.Table]map[string]bool{}
	d.typeChanged = map[objKey]bool{}
	// touched are the columns whose dependants must be rebuilt: recreated
	// ones and those of a rebuilt enum.
	touched := map[*schema.Table]map[string]bool{}
	mark := func(m map[*schema.Table]map[string]bool, t *schema.Table, col string) {
		if m[t] == nil {
			m[t] = map[string]bool{}
		}
		m[t][col] = true
	}
	for t, c := range d.tables {
		for _, col := range t.Columns {
			old := c.Column(col.Name)
			if old == nil {
				continue
			}
			if needsRecreate(old, col) {
				mark(d.recreated, c, col.Name)
				mark(touched, c, col.Name)
				continue
			}
			if old.Type.Storage() != col.Type.Storage() {
				d.typeChanged[objKey{c, col.Name}] = true
			}
			if old.Type.Schema != "" {
				for ne := range d.rebuilt {
					if ne.Schema == old.Type.Schema && ne.Name == old.Type.Name {
						mark(touched, c, col.Name)
					}
				}
			}
		}
	}
	// PostgreSQL refuses to change the type of a column a generated
	// column uses: such generated columns are recreated around the change.
	for t, c := range d.tables {
		changed := map[string]bool{}
		for _, col := range c.Columns {
			if d.typeChanged[objKey{c, col.Name}] {
				changed[col.Name] = true
			}
		}
		if len(changed) == 0 {
			continue
		}
		for _, col := range t.Columns {
			if old := c.Column(col.Name); old != nil && col.Generated != "" && sameGenerated(old, col) &&
				mentions(col.Generated, changed) {
				mark(d.recreated, c, col.Name)
				mark(touched, c, col.Name)
			}
		}
	}
	d.keep = map[objKey]bool{}
	onTouched := func(c *schema.Table, cols []string) bool {
		return slices.ContainsFunc(cols, func(n string) bool { return touched[c][n] })
	}
	for t, c := range d.tables {
		if pk := c.PrimaryKey; pk != nil && t.PrimaryKey != nil && pk.Name == t.PrimaryKey.Name &&
			slices.Equal(pk.Columns, t.PrimaryKey.Columns) && !onTouched(c, pk.Columns) {
			d.keep[objKey{c, pk.Name}] = true
		}
		for _, u := range c.Uniques {
			if i := slices.IndexFunc(t.Uniques, func(n schema.Unique) bool { return n.Name == u.Name }); i >= 0 &&
				sameUnique(u, t.Uniques[i]) && !onTouched(c, u.Columns) {
				d.keep[objKey{c, u.Name}] = true
			}
		}
		for _, ck := range c.Checks {
			if i := slices.IndexFunc(t.Checks, func(n schema.Check) bool { return n.Name == ck.Name }); i >= 0 &&
				sameCheck(t.Checks[i], ck) && !mentions(ck.Expr, touched[c]) {
				d.keep[objKey{c, ck.Name}] = true
			}
		}
		for _, ix := range c.Indexes {
			if i := slices.IndexFunc(t.Indexes, func(n schema.Index) bool { return n.Name == ix.Name }); i >= 0 &&
				sameIndex(ix, t.Indexes[i]) && !indexTouched(ix, touched[c]) {
				d.keep[objKey{c, ix.Name}] = true
			}
		}
	}
	// Foreign keys last: one stays only if the key it references stays.
	curBy := make(map[TableName]*schema.Table, len(d.cur.Tables))
	for _, c := range d.cur.Tables {
		curBy[nameOf(c)] = c
	}
	for t, c := range d.tables {
		for _, fk := range c.ForeignKeys {
			i := slices.IndexFunc(t.ForeignKeys, func(n schema.ForeignKey) bool { return n.Name == fk.Name })
			if i < 0 || !sameForeignKey(fk, t.ForeignKeys[i]) || onTouched(c, fk.Columns) ||
				slices.ContainsFunc(fk.Columns, func(n string) bool { return d.typeChanged[objKey{c, n}] }) {
				continue
			}
			ref := curBy[TableName{fk.RefSchema, fk.RefTable}]
			if ref == nil || d.dropped[ref] || onTouched(ref, fk.RefColumns) ||
				slices.ContainsFunc(fk.RefColumns, func(n string) bool { return d.typeChanged[objKey{ref, n}] }) {
				continue
			}
			if key := ref.Key(fk.RefColumns); key != "" && !d.keep[objKey{ref, key}] {
				continue
			}
			d.keep[objKey{c, fk.Name}] = true
		}
	}
}

// needsRecreate reports whether a column can only be changed by dropping
// and adding it: PostgreSQL (before 17) cannot change a generation
// expression or make a plain column generated, and a serial column needs
// a sequence made for it.
func needsRecreate(old, col *schema.Column) bool {
	if col.Generated != "" && !sameGenerated(old, col) {
		return true
	}
	return col.Type.IsSerial() && !old.Type.IsSerial()
}

func indexTouched(ix schema.Index, cols map[string]bool) bool {
	if len(cols) == 0 {
		return false
	}
	for _, e := range ix.Elements {
		if cols[e.Column] || (e.Expr != "" && mentions(e.Expr, cols)) {
			return true
		}
	}
	return ix.Where != "" && mentions(ix.Where, cols)
}

func sameUnique(a, b schema.Unique) bool {
	return slices.Equal(a.Columns, b.Columns) && a.NullsNotDistinct == b.NullsNotDistinct
}

func sameForeignKey(a, b schema.ForeignKey) bool {
	return slices.Equal(a.Columns, b.Columns) && a.RefSchema == b.RefSchema && a.RefTable == b.RefTable &&
		slices.Equal(a.RefColumns, b.RefColumns) && a.OnDelete == b.OnDelete && a.OnUpdate == b.OnUpdate
}

// renameConstraints renames, on matched tables, constraints and indexes
// whose definition is unchanged but whose name is not: the usual result of
// renaming a table whose constraint names were derived from its name.
// Renaming keeps the index instead of building it again.
func (d *differ) renameConstraints() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		tn := nameOf(c)
		if pk := c.PrimaryKey; pk != nil && t.PrimaryKey != nil && pk.Name != t.PrimaryKey.Name &&
			slices.Equal(pk.Columns, t.PrimaryKey.Columns) && !d.nameTaken(c, t.PrimaryKey.Name) {
			d.emit(RenameConstraint{Table: tn, From: pk.Name, To: t.PrimaryKey.Name})
			pk.Name = t.PrimaryKey.Name
		}
		pairUp(c.Uniques, t.Uniques, func(u schema.Unique) string { return u.Name }, sameUnique, func(i int, to string) {
			if !d.nameTaken(c, to) {
				d.emit(RenameConstraint{Table: tn, From: c.Uniques[i].Name, To: to})
				c.Uniques[i].Name = to
			}
		})
		pairUp(c.Checks, t.Checks, func(k schema.Check) string { return k.Name }, sameCheck, func(i int, to string) {
			if !d.nameTaken(c, to) {
				d.emit(RenameConstraint{Table: tn, From: c.Checks[i].Name, To: to})
				c.Checks[i].Name = to
			}
		})
		pairUp(c.ForeignKeys, t.ForeignKeys, func(f schema.ForeignKey) string { return f.Name }, sameForeignKey, func(i int, to string) {
			if !d.nameTaken(c, to) {
				d.emit(RenameConstraint{Table: tn, From: c.ForeignKeys[i].Name, To: to})
				c.ForeignKeys[i].Name = to
			}
		})
		pairUp(c.Indexes, t.Indexes, func(x schema.Index) string { return x.Name }, sameIndex, func(i int, to string) {
			if !d.nameTaken(c, to) {
				d.emit(RenameIndex{Schema: c.Schema, From: c.Indexes[i].Name, To: to})
				c.Indexes[i].Name = to
			}
		})
	}
}

// nameTaken reports whether a constraint or index name is in use in the
// table's schema now (index-backed names share the schema's namespace).
func (d *differ) nameTaken(c *schema.Table, name string) bool {
	for _, t := range d.cur.Tables {
		if t.Schema != c.Schema {
			continue
		}
		if t.PrimaryKey != nil && t.PrimaryKey.Name == name ||
			slices.ContainsFunc(t.Uniques, func(u schema.Unique) bool { return u.Name == name }) ||
			slices.ContainsFunc(t.Indexes, func(x schema.Index) bool { return x.Name == name }) {
			return true
		}
		if t == c && (slices.ContainsFunc(t.Checks, func(k schema.Check) bool { return k.Name == name }) ||
			slices.ContainsFunc(t.ForeignKeys, func(f schema.ForeignKey) bool { return f.Name == name })) {
			return true
		}
	}
	return false
}

// pairUp calls rename for each old element whose name is gone from news
// and whose definition equals exactly one new element whose name is not
// among olds.
func pairUp[T any](olds, news []T, name func(T) string, same func(a, b T) bool, rename func(i int, to string)) {
	has := func(s []T, n string) bool { return slices.ContainsFunc(s, func(x T) bool { return name(x) == n }) }
	used := map[string]bool{}
	for i, o := range olds {
		if has(news, name(o)) {
			continue
		}
		var match []string
		for _, n := range news {
			if !has(olds, name(n)) && !used[name(n)] && same(o, n) {
				match = append(match, name(n))
			}
		}
		if len(match) == 1 {
			used[match[0]] = true
			rename(i, match[0])
		}
	}
}

// dropForeignKeys drops the foreign keys of kept tables that do not stay.
// Those of dropped tables go with their tables (see dropTables).
func (d *differ) dropForeignKeys() {
	for _, c := range d.cur.Tables {
		if d.dropped[c] {
			continue
		}
		for _, fk := range c.ForeignKeys {
			if !d.keep[objKey{c, fk.Name}] {
				d.emit(DropConstraint{Table: nameOf(c), Name: fk.Name, Kind: "foreign key"})
			}
		}
	}
}

func (d *differ) dropIndexes() {
	for _, c := range d.cur.Tables {
		if d.dropped[c] {
			continue
		}
		for _, ix := range c.Indexes {
			if !d.keep[objKey{c, ix.Name}] {
				d.emit(DropIndex{Schema: c.Schema, Name: ix.Name})
			}
		}
	}
}

// dropTables drops tables referenced by no other dropped table first; the
// foreign keys of a cycle among dropped tables are dropped before them.
func (d *differ) dropTables() {
	var left []*schema.Table
	for _, c := range d.cur.Tables {
		if d.dropped[c] {
			left = append(left, c)
		}
	}
	referenced := func(t *schema.Table) bool {
		for _, o := range left {
			if o == t {
				continue
			}
			for _, fk := range o.ForeignKeys {
				if fk.RefSchema == t.Schema && fk.RefTable == t.Name {
					return true
				}
			}
		}
		return false
	}
	for len(left) > 0 {
		i := slices.IndexFunc(left, func(t *schema.Table) bool { return !referenced(t) })
		if i < 0 {
			for _, t := range left {
				for _, fk := range t.ForeignKeys {
					if fk.RefSchema != t.Schema || fk.RefTable != t.Name {
						d.emit(DropConstraint{Table: nameOf(t), Name: fk.Name, Kind: "foreign key"})
					}
				}
				t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool {
					return fk.RefSchema != t.Schema || fk.RefTable != t.Name
				})
			}
			continue
		}
		d.emit(DropTable{Table: nameOf(left[i])})
		left = slices.Delete(left, i, i+1)
	}
}

// dropConstraints drops the primary keys, unique and check constraints of
// kept tables that do not stay.
func (d *differ) dropConstraints() {
	for _, c := range d.cur.Tables {
		if d.dropped[c] {
			continue
		}
		if pk := c.PrimaryKey; pk != nil && !d.keep[objKey{c, pk.Name}] {
			d.emit(DropConstraint{Table: nameOf(c), Name: pk.Name, Kind: "primary key"})
		}
		for _, u := range c.Uniques {
			if !d.keep[objKey{c, u.Name}] {
				d.emit(DropConstraint{Table: nameOf(c), Name: u.Name, Kind: "unique"})
			}
		}
		for _, k := range c.Checks {
			if !d.keep[objKey{c, k.Name}] {
				d.emit(DropConstraint{Table: nameOf(c), Name: k.Name, Kind: "check"})
			}
		}
	}
}

// columns drops, rebuilds enums, then adds and alters columns.
func (d *differ) columns() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		// Generated columns that become plain go first: PostgreSQL
		// refuses to drop or retype a column a generated one uses.
		for _, col := range t.Columns {
			if old := c.Column(col.Name); old != nil && old.Generated != "" && col.Generated == "" && !d.recreated[c][col.Name] {
				d.emit(DropExpression{Table: nameOf(c), Column: col.Name})
				old.Generated, old.ParsedGenerated = "", ""
			}
		}
		// Generated columns go first: they may depend on the others.
		var drops []*schema.Column
		for _, col := range c.Columns {
			if t.Column(col.Name) == nil || d.recreated[c][col.Name] {
				drops = append(drops, col)
			}
		}
		slices.SortStableFunc(drops, func(a, b *schema.Column) int {
			return boolCmp(a.Generated == "", b.Generated == "")
		})
		for _, col := range drops {
			d.emit(DropColumn{Table: nameOf(c), Column: col.Name, Generated: col.Generated != ""})
		}
		c.Columns = slices.DeleteFunc(c.Columns, func(col *schema.Column) bool { return slices.Contains(drops, col) })
	}
	d.rebuildEnums()
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		// Alter before adding: a new generated column may use a column
		// whose type or generation changes here.
		for _, col := range t.Columns {
			if old := c.Column(col.Name); old != nil {
				d.alterColumn(nameOf(c), old, col)
			}
		}
		// Generated columns last: they may use the other new ones.
		for _, generated := range []bool{false, true} {
			for _, col := range t.Columns {
				if c.Column(col.Name) == nil && (col.Generated != "") == generated {
					d.emit(AddColumn{Table: nameOf(c), Column: col})
					d.columnSequence(nameOf(c), nil, col, false)
				}
			}
		}
	}
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// rebuildEnums replaces the enums whose values were removed or reordered.
func (d *differ) rebuildEnums() {
	for _, e := range d.to.Enums {
		old, ok := d.rebuilt[e]
		if !ok {
			continue
		}
		rb := RebuildEnum{Enum: e, ForUse: d.rebuiltForUse[e]}
		for _, v := range old.Values {
			if !slices.Contains(e.Values, v) {
				rb.Removed = append(rb.Removed, v)
			}
		}
		for _, v := range e.Values {
			if !slices.Contains(old.Values, v) {
				rb.Added = append(rb.Added, v)
			}
		}
		for _, c := range d.cur.Tables {
			if d.dropped[c] {
				continue
			}
			t := d.reverse[c]
			for _, col := range c.Columns {
				if col.Type.Schema != e.Schema || col.Type.Name != e.Name {
					continue
				}
				nc := t.Column(col.Name)
				ec := EnumColumn{Table: nameOf(c), Column: col.Name, Array: col.Type.Array, Default: col.Default}
				if nc.Type == col.Type {
					ec.Restore = nc.Default
					col.Default, col.ParsedDefault = nc.Default, nc.ParsedDefault
				} else {
					ec.ToText = true
					col.Type = schema.Type{Name: "text", Array: col.Type.Array}
					col.Default, col.ParsedDefault = "", ""
				}
				rb.Columns = append(rb.Columns, ec)
			}
		}
		d.emit(rb)
		old.Values = slices.Clone(e.Values)
	}
}

// alterColumn changes a column of a kept table in place, in the order
// PostgreSQL needs: identity and generation off first, the type, then
// defaults and NOT NULL, then identity on.
func (d *differ) alterColumn(tn TableName, old, col *schema.Column) {
	if old.Identity != "" && col.Identity == "" {
		d.emit(DropIdentity{Table: tn, Column: col.Name})
	}
	if old.Generated != "" && col.Generated == "" {
		d.emit(DropExpression{Table: tn, Column: col.Name})
	}
	// def is the default the column has now, as it compares.
	def := parsed(old.Default, old.ParsedDefault)
	if old.Type.IsSerial() && !col.Type.IsSerial() {
		// The serial's nextval() default is in the database, not the model.
		def = "nextval"
	}
	if from, to := old.Type.Storage(), col.Type.Storage(); from != to {
		using := castUsing(col.Name, from, to)
		// A default is converted along with the column, and one of an enum
		// type would keep depending on the enum ('a'::e::text), which may
		// be dropped next: take it off and set it again after.
		if (using != "" || from.Schema != "") && def != "" {
			d.emit(DropDefault{Table: tn, Column: col.Name})
			def = ""
		}
		d.emit(AlterColumnType{Table: tn, Column: col.Name, From: from, To: to, Using: using})
	}
	if old.NotNull && !col.NotNull {
		d.emit(DropNotNull{Table: tn, Column: col.Name})
	}
	if def != parsed(col.Default, col.ParsedDefault) && !col.Type.IsSerial() {
		if col.Default == "" {
			d.emit(DropDefault{Table: tn, Column: col.Name})
		} else {
			d.emit(SetDefault{Table: tn, Column: col.Name, Expr: col.Default})
		}
	}
	if old.Type.IsSerial() && !col.Type.IsSerial() {
		// The sequence the serial type made is the column's: it would
		// stay until the column is dropped, and be taken for an identity's.
		d.emit(DropSerialSequence{Table: tn, Column: col.Name})
	}
	if !old.NotNull && col.NotNull {
		d.emit(SetNotNull{Table: tn, Column: col.Name})
	}
	switch {
	case old.Identity == "" && col.Identity != "":
		d.emit(AddIdentity{Table: tn, Column: col.Name, Kind: col.Identity})
	case old.Identity != "" && col.Identity != "" && old.Identity != col.Identity:
		d.emit(SetIdentity{Table: tn, Column: col.Name, Kind: col.Identity})
	}
	d.columnSequence(tn, old, col, false)
}

func (d *differ) dropEnums() {
	for _, e := range d.cur.Enums {
		if d.to.Enum(e.Schema, e.Name) == nil {
			d.emit(DropEnum{Schema: e.Schema, Name: e.Name})
		}
	}
}

func (d *differ) dropSchemas() {
	for _, s := range d.cur.Schemas {
		if !slices.ContainsFunc(d.to.Schemas, func(n *schema.Schema) bool { return n.Name == s.Name }) {
			d.emit(DropSchema{Name: s.Name})
		}
	}
}

func (d *differ) createTables() {
	for _, t := range d.to.Tables {
		if d.tables[t] == nil {
			d.emit(CreateTable{Table: t})
			for _, col := range t.Columns {
				d.columnSequence(nameOf(t), nil, col, true)
			}
		}
	}
}

// kept reports whether the constraint or index name of the new table t
// stays as it is.
func (d *differ) kept(t *schema.Table, name string) bool {
	c := d.tables[t]
	return c != nil && d.keep[objKey{c, name}]
}

func (d *differ) addConstraints() {
	for _, t := range d.to.Tables {
		if d.tables[t] == nil {
			continue // created with its constraints
		}
		tn := nameOf(t)
		if pk := t.PrimaryKey; pk != nil && !d.kept(t, pk.Name) {
			d.emit(AddPrimaryKey{Table: tn, PrimaryKey: *pk})
		}
		for _, u := range t.Uniques {
			if !d.kept(t, u.Name) {
				d.emit(AddUnique{Table: tn, Unique: u})
			}
		}
		for _, k := range t.Checks {
			if !d.kept(t, k.Name) {
				d.emit(AddCheck{Table: tn, Check: k})
			}
		}
	}
}

func (d *differ) addForeignKeys() {
	for _, t := range d.to.Tables {
		for _, fk := range t.ForeignKeys {
			if !d.kept(t, fk.Name) {
				d.emit(AddForeignKey{Table: nameOf(t), ForeignKey: fk})
			}
		}
	}
}

func (d *differ) createIndexes() {
	for _, t := range d.to.Tables {
		for _, ix := range t.Indexes {
			if !d.kept(t, ix.Name) {
				d.emit(CreateIndex{Table: nameOf(t), Index: ix})
			}
		}
	}
}
