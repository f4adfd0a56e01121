package migrations

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// OnlineLockTimeout is the lock_timeout the online migrations set for
// themselves when the migrator sets none (OnlineOptions.TableLockTimeout
// is zero): long enough for the short locks of a busy table's own
// queries, short enough that the application's queries queued behind a
// waiting ALTER TABLE wait no longer than that. A statement that waits
// longer fails with lock_not_available, and migrate --retries tries the
// migration again later.
const OnlineLockTimeout = 2 * time.Second

// OnlineOptions are what Online needs besides the changes.
type OnlineOptions struct {
	// TableLockTimeout is the lock_timeout the migrator sets for every
	// migration (mizzle.yaml's tableLockTimeout). When it is zero, the
	// online migrations set OnlineLockTimeout themselves where lint says
	// a statement waits for a lock on an existing table.
	TableLockTimeout time.Duration
}

// Online rewrites the statements of changes, which take before to after,
// into the forms that keep an existing table open for reads and writes
// while the migration runs, split in two migrations: tx runs in a
// transaction as usual, noTx after it, outside one, statement by
// statement (its file starts with migrate.NoTransaction).
//
// Only changes to tables and materialized views that exist in before are
// rewritten: one the migration creates is empty, and nothing waits for it.
//
//   - CreateIndex goes to noTx as CREATE INDEX CONCURRENTLY IF NOT EXISTS,
//     and DropIndex as DROP INDEX CONCURRENTLY IF EXISTS, unless a later
//     change of tx needs the name, or changes a column of the index's table.
//     On a partitioned table, which CONCURRENTLY refuses, the index is
//     created ON ONLY the table and each partition's is built
//     CONCURRENTLY and attached (see partitionedIndex); a partitioned
//     table's index is dropped in tx, as SQL writes it, since PostgreSQL
//     has no concurrent drop for it.
//   - AddForeignKey and AddCheck are added NOT VALID in tx, and validated
//     in noTx, which reads the rows under a lock that lets writes go on.
//   - SetNotNull adds a temporary CHECK (col IS NOT NULL) NOT VALID in tx
//     (OnlineCheckName), and noTx validates it, sets NOT NULL (which
//     PostgreSQL 12 and later prove from the check, without a scan) and
//     drops it. A column that a later change makes an identity column,
//     which needs NOT NULL first, keeps the plain SET NOT NULL.
//   - AddUnique and AddPrimaryKey go to noTx as CREATE UNIQUE INDEX
//     CONCURRENTLY under the constraint's name, then ADD CONSTRAINT ...
//     USING INDEX; on a partitioned table, which USING INDEX refuses,
//     they stay in tx.
//   - A foreign key of a partitioned table is added as SQL writes it
//     (PostgreSQL before 18 refuses NOT VALID there).
//   - A foreign key that references a key built in noTx goes there too,
//     after it.
//
// A change that stays in its plain form although lint reports it carries
// a lint-ignore comment saying why.
//
// Everything else stays in tx as SQL writes it, in order, and every
// statement keeps its warning (a rewritten change's is on the statement
// that can fail). mid is the model tx leaves: after, without what noTx
// adds, with the temporary checks, and with the columns noTx sets NOT
// NULL still nullable; it is tx's snapshot. When nothing moves, noTx is
// empty and tx is the plain SQL (with SET LOCAL lock_timeout where lint
// asks for it).
func Online(before, after *schema.Model, changes []Change, opts OnlineOptions) (tx, noTx []Statement, mid *schema.Model, err error) {
	if before == nil {
		before = &schema.Model{}
	}
	plan := classify(before, after, changes)
	mid = after.Clone()
	var readd []placement
	for i, c := range changes {
		plain, err := SQL([]Change{c})
		if err != nil {
			return nil, nil, nil, err
		}
		k := plan[i]
		if k.how == stay {
			if k.ignore != "" {
				plain[0].SQL = "-- " + LintIgnore + " " + k.ignore + "\n" + plain[0].SQL
			}
			tx = append(tx, plain...)
			continue
		}
		warning := plain[0].Warning
		st := func(sql string) Statement { return Statement{SQL: sql, Source: c} }
		switch c := c.(type) {
		case CreateIndex:
			if pt := after.Table(c.Table.Schema, c.Table.Name); pt != nil && pt.Partition != nil {
				noTx = append(noTx, partitionedIndex(c, pt.Partition.Partitions, warning)...)
			} else {
				s := st(strings.Replace(createIndex(c.Table, c.Index), "INDEX ", "INDEX CONCURRENTLY IF NOT EXISTS ", 1))
				s.Warning = warning
				noTx = append(noTx, s)
			}
			err = editIndexes(mid, c.Table, func(ixs []schema.Index) []schema.Index {
				return slices.DeleteFunc(ixs, func(ix schema.Index) bool { return ix.Name == c.Index.Name })
			})
		case DropIndex:
			s := st(fmt.Sprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", quote.Ident(c.Schema, c.Name)))
			s.Warning = warning
			noTx = append(noTx, s)
			// Added back once every index created in noTx is out of mid:
			// the index may be built again under its name.
			readd = append(readd, k)
		case AddUnique:
			ix := schema.Index{Name: c.Unique.Name, Unique: true, NullsNotDistinct: c.Unique.NullsNotDistinct}
			for _, col := range c.Unique.Columns {
				ix.Elements = append(ix.Elements, schema.IndexElem{Column: col})
			}
			s := st(strings.Replace(createIndex(c.Table, ix), "INDEX ", "INDEX CONCURRENTLY IF NOT EXISTS ", 1))
			s.Warning = warning
			noTx = append(noTx, s, st(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s;",
				c.Table, quote.Ident(c.Unique.Name), quote.Ident(c.Unique.Name))))
			err = editTable(mid, c.Table, func(t *schema.Table) {
				t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool { return u.Name == c.Unique.Name })
			})
		case AddPrimaryKey:
			pk := c.PrimaryKey
			s := st(fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s);", quote.Ident(pk.Name), c.Table, identList(pk.Columns)))
			s.Warning = warning
			noTx = append(noTx, s, st(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %s;",
				c.Table, quote.Ident(pk.Name), quote.Ident(pk.Name))))
			err = editTable(mid, c.Table, func(t *schema.Table) { t.PrimaryKey = nil })
		case AddForeignKey:
			add := st(strings.TrimSuffix(addForeignKey(c.Table, c.ForeignKey), ";") + " NOT VALID;")
			validate := st(fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", c.Table, quote.Ident(c.ForeignKey.Name)))
			validate.Warning = warning
			if k.how == move {
				if k.ignore != "" { // a partitioned table's: added as it is, after the key
					plain[0].SQL = "-- " + LintIgnore + " " + k.ignore + "\n" + plain[0].SQL
					noTx = append(noTx, plain...)
				} else {
					noTx = append(noTx, add, validate)
				}
				err = editTable(mid, c.Table, func(t *schema.Table) {
					t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool { return fk.Name == c.ForeignKey.Name })
				})
				break
			}
			tx = append(tx, add)
			noTx = append(noTx, validate)
		case AddCheck:
			add := st(fmt.Sprintf("ALTER TABLE %s ADD %s NOT VALID;", c.Table, checkDef(c.Check)))
			validate := st(fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", c.Table, quote.Ident(c.Check.Name)))
			validate.Warning = warning
			tx = append(tx, add)
			noTx = append(noTx, validate)
		case SetNotNull:
			name := OnlineCheckName(c.Table.Name, c.Column)
			check := schema.Check{Name: name, Expr: quote.Ident(c.Column) + " IS NOT NULL"}
			validate := st(fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", c.Table, quote.Ident(name)))
			validate.Warning = warning
			tx = append(tx, st(fmt.Sprintf("ALTER TABLE %s ADD %s NOT VALID;", c.Table, checkDef(check))))
			// mid spells it as PostgreSQL prints it back, as introspection
			// reads it between the two migrations.
			check.Expr = printedIdent(c.Column) + " IS NOT NULL"
			noTx = append(noTx, validate,
				st(alterColumn(c.Table, c.Column, "SET NOT NULL")),
				st(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;", c.Table, quote.Ident(name))))
			err = editTable(mid, c.Table, func(t *schema.Table) {
				for _, col := range t.Columns {
					if col.Name == c.Column {
						col.NotNull = false
					}
				}
				t.Checks = append(t.Checks, check)
			})
		}
		if err != nil {
			return nil, nil, nil, err
		}
	}
	for _, k := range readd {
		if err := editIndexes(mid, k.table, func(ixs []schema.Index) []schema.Index { return append(ixs, k.index) }); err != nil {
			return nil, nil, nil, err
		}
	}
	mid.Sort()
	if opts.TableLockTimeout <= 0 {
		tx, noTx = withLockTimeout(before, mid, tx, noTx)
	}
	return tx, noTx, mid, nil
}

// OnlineCheckName is the name of the temporary check through which the
// online migrations set NOT NULL on column of table: deterministic and
// within 63 bytes, and never "<table>_<column>_not_null", the name
// PostgreSQL 18 gives its own not-null constraints.
func OnlineCheckName(table, column string) string {
	return schema.AutoName(table, column, "online_not_null")
}

// partitionedIndex builds the index of c on a partitioned table without
// blocking writes, as PostgreSQL documents it has to be done, since
// CREATE INDEX CONCURRENTLY refuses a partitioned table: the index is
// created ON ONLY the table (invalid, and no rows read: a short lock on
// the table alone), each partition's index is built CONCURRENTLY
// (PartitionIndexName), then attached; the last attach makes the
// table's index valid. Every step can run again after a failure.
func partitionedIndex(c CreateIndex, parts []schema.Partition, warning string) []Statement {
	def := createIndex(c.Table, c.Index)
	on := " ON " + c.Table.String()
	only := strings.Replace(strings.Replace(def, on, " ON ONLY "+c.Table.String(), 1), "INDEX ", "INDEX IF NOT EXISTS ", 1)
	out := []Statement{{SQL: only, Source: c}}
	for _, p := range parts {
		pt := TableName{c.Table.Schema, p.Name}
		ix := c.Index
		ix.Name = PartitionIndexName(p.Name, c.Index.Name)
		build := Statement{SQL: strings.Replace(createIndex(pt, ix), "INDEX ", "INDEX CONCURRENTLY IF NOT EXISTS ", 1), Source: c}
		out = append(out, build, Statement{SQL: fmt.Sprintf("ALTER INDEX %s ATTACH PARTITION %s;",
			quote.Ident(c.Table.Schema, c.Index.Name), quote.Ident(c.Table.Schema, ix.Name)), Source: c})
	}
	out[0].Warning = warning
	return out
}

// PartitionIndexName is the name the online migrations give the index
// of partition that they attach to the partitioned table's index: the
// partition's and the index's names joined, within 63 bytes. The model
// holds an index once, on its partitioned table, so the name is seen
// only in the database (PostgreSQL names the partitions' indexes itself
// when it builds them all in one CREATE INDEX).
func PartitionIndexName(partition, index string) string {
	return schema.AutoName(partition, index)
}

// printedIdent is the column name as PostgreSQL prints it in an
// expression: bare when it is a lower-case word, else quoted. (A key word
// is quoted too, which mid's check then spells differently: the
// difference is only in the text, which drift checks compare as
// PostgreSQL parses it.)
func printedIdent(name string) string {
	if plainIdent.MatchString(name) {
		return name
	}
	return quote.Ident(name)
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// withLockTimeout starts tx with SET LOCAL lock_timeout, and wraps noTx
// in SET lock_timeout ... RESET lock_timeout, where lint finds a
// statement that waits for a lock on an existing table without one.
func withLockTimeout(before, mid *schema.Model, tx, noTx []Statement) ([]Statement, []Statement) {
	value := quote.Literal(OnlineLockTimeout.String())
	if needsLockTimeout(tx, before, false) {
		tx = append([]Statement{{SQL: "SET LOCAL lock_timeout = " + value + ";"}}, tx...)
	}
	if needsLockTimeout(noTx, mid, true) {
		noTx = append([]Statement{{SQL: "SET lock_timeout = " + value + ";"}}, noTx...)
		noTx = append(noTx, Statement{SQL: "RESET lock_timeout;"})
	}
	return tx, noTx
}

func needsLockTimeout(stmts []Statement, before *schema.Model, noTx bool) bool {
	if len(stmts) == 0 {
		return false
	}
	for _, f := range LintSQL("", formatSQL(stmts, noTx), before, LintOptions{}) {
		if f.Code == "lock-timeout" {
			return true
		}
	}
	return false
}

// FormatNoTransactionSQL is FormatSQL for a migration that runs outside
// a transaction: its first line is migrate.NoTransaction.
func FormatNoTransactionSQL(stmts []Statement) []byte {
	return formatSQL(stmts, true)
}

func formatSQL(stmts []Statement, noTx bool) []byte {
	if !noTx {
		return FormatSQL(stmts)
	}
	return append([]byte(migrate.NoTransaction+"\n"), FormatSQL(stmts)...)
}

// LintNoTransactionStatements is LintStatements for the statements of a
// migration that runs outside a transaction (FormatNoTransactionSQL).
func LintNoTransactionStatements(before *schema.Model, stmts []Statement, opts LintOptions) []Statement {
	return lintStatements(before, stmts, opts, true)
}

// NextOnline builds the migrations of an online plan (see Online) that
// follow f's last one: tx with mid as its snapshot, then noTx, named
// name+"_online", with after as its snapshot. An empty part is not
// written (the other then takes name and after's snapshot); with both
// empty, the one migration has no statements, as Next writes it.
func (f *Folder) NextOnline(name string, mid, after *schema.Model, tx, noTx []Statement, when time.Time) ([]*Migration, error) {
	if len(noTx) == 0 {
		m, err := f.Next(name, after, tx, when)
		if err != nil {
			return nil, err
		}
		return []*Migration{m}, nil
	}
	var out []*Migration
	if len(tx) > 0 {
		m, err := f.Next(name, mid, tx, when)
		if err != nil {
			return nil, err
		}
		j, err := migrate.ParseJournal(m.Journal)
		if err != nil {
			panic("migrations: NextOnline: the journal Next wrote does not read back: " + err.Error())
		}
		next := &Folder{Journal: f.journal(), Entries: slices.Clip(f.entries())}
		next.Entries = append(next.Entries, Entry{
			Migration: migrate.Migration{JournalEntry: j.Entries[len(j.Entries)-1], SQL: m.SQL},
			Snapshot:  &Snapshot{ID: m.SnapshotID, PrevID: f.LastID(), Model: mid},
		})
		f, name = next, name+"_online"
		out = append(out, m)
	}
	m, err := f.Next(name, after, noTx, when)
	if err != nil {
		return nil, err
	}
	m.SQL = FormatNoTransactionSQL(noTx)
	return append(out, m), nil
}

func (f *Folder) journal() migrate.Journal {
	if f == nil {
		return emptyFolder().Journal
	}
	return f.Journal
}

func (f *Folder) entries() []Entry {
	if f == nil {
		return nil
	}
	return f.Entries
}

// editTable calls do with m's table t, or fails when m has none: the
// changes do not take before to after.
func editTable(m *schema.Model, t TableName, do func(*schema.Table)) error {
	mt := m.Table(t.Schema, t.Name)
	if mt == nil {
		return fmt.Errorf("migrations: Online: a change names the table %s, which the schema after the changes does not have", t)
	}
	do(mt)
	return nil
}

// editIndexes sets the indexes of m's table or materialized view t to
// what do returns for them, or fails when m has neither.
func editIndexes(m *schema.Model, t TableName, do func([]schema.Index) []schema.Index) error {
	if v := m.View(t.Schema, t.Name); v != nil && v.Materialized {
		v.Indexes = do(v.Indexes)
		return nil
	}
	return editTable(m, t, func(mt *schema.Table) { mt.Indexes = do(mt.Indexes) })
}

// how says where Online puts a change.
type how int

const (
	stay  how = iota // in tx, as SQL writes it
	split            // added NOT VALID in tx, validated in noTx
	move             // in noTx only
)

// placement is where a change goes; for a DropIndex that moves, the
// index's table and definition, which mid keeps.
type placement struct {
	how   how
	table TableName
	index schema.Index
	// ignore, for a change that stays in its plain form although lint
	// reports it, is the lint-ignore comment that says why.
	ignore string
}

// indexAt is an index of before, at its table's name as the changes so
// far left it.
type indexAt struct {
	table       TableName
	def         schema.Index
	partitioned bool // the table is partitioned
}

// classify decides where each change goes (see Online), following the
// tables of before through the renames, moves and drops of changes.
func classify(before, after *schema.Model, changes []Change) []placement {
	existing := map[TableName]bool{}
	indexes := map[TableName]indexAt{} // by schema and index name
	for _, t := range before.Tables {
		tn := nameOf(t)
		existing[tn] = true
		for _, ix := range t.Indexes {
			indexes[TableName{t.Schema, ix.Name}] = indexAt{tn, ix, t.Partition != nil}
		}
	}
	// A materialized view holds rows too, and CONCURRENTLY builds and
	// drops its indexes; its name is a relation's, like a table's.
	for _, v := range before.Views {
		if !v.Materialized {
			continue
		}
		vn := TableName{v.Schema, v.Name}
		existing[vn] = true
		for _, ix := range v.Indexes {
			indexes[TableName{v.Schema, ix.Name}] = indexAt{table: vn, def: ix}
		}
	}
	retable := func(from, to TableName) {
		if existing[from] {
			delete(existing, from)
			existing[to] = true
		}
		for k, ix := range indexes {
			if ix.table == from {
				delete(indexes, k)
				ix.table = to
				indexes[TableName{to.Schema, k.Name}] = ix
			}
		}
	}
	drop := func(t TableName) {
		delete(existing, t)
		for k, ix := range indexes {
			if ix.table == t {
				delete(indexes, k)
			}
		}
	}
	// partitioned reports whether the table t of after is a partitioned
	// one, whose indexes and keys PostgreSQL cannot drop or add online.
	partitioned := func(t TableName) bool {
		at := after.Table(t.Schema, t.Name)
		return at != nil && at.Partition != nil
	}
	out := make([]placement, len(changes))
	movedKeys := map[TableName][]string{}
	var drops []int
	for i, c := range changes {
		switch c := c.(type) {
		case RenameSchema:
			for _, t := range tablesOf(existing, indexes) {
				if t.Schema == c.From {
					retable(t, TableName{c.To, t.Name})
				}
			}
		case RenameTable:
			retable(c.Table, TableName{c.Table.Schema, c.To})
		case SetTableSchema:
			retable(c.Table, TableName{c.To, c.Table.Name})
		case DropTable:
			drop(c.Table)
		case RenameView:
			retable(TableName{c.Schema, c.From}, TableName{c.Schema, c.To})
		case SetViewSchema:
			retable(TableName{c.From, c.Name}, TableName{c.To, c.Name})
		case DropView:
			drop(TableName{c.Schema, c.Name})
		case RenameIndex:
			if ix, ok := indexes[TableName{c.Schema, c.From}]; ok {
				delete(indexes, TableName{c.Schema, c.From})
				indexes[TableName{c.Schema, c.To}] = ix
			}
		case DropIndex:
			key := TableName(c) // the index's schema and name
			switch ix, ok := indexes[key]; {
			case !ok || !existing[ix.table]:
			case ix.partitioned:
				out[i].ignore = "index-not-concurrent PostgreSQL cannot drop a partitioned table's index concurrently; the drop reads no rows"
			default:
				out[i] = placement{how: move, table: ix.table, index: ix.def}
				drops = append(drops, i)
			}
			delete(indexes, key)
		case CreateIndex:
			if existing[c.Table] {
				out[i].how = move
				if c.Index.Unique {
					movedKeys[c.Table] = append(movedKeys[c.Table], c.Index.Name)
				}
			}
		case AddUnique:
			switch {
			case !existing[c.Table]:
			case partitioned(c.Table):
				out[i].ignore = keyOnPartitioned
			default:
				out[i].how = move
				movedKeys[c.Table] = append(movedKeys[c.Table], c.Unique.Name)
			}
		case AddPrimaryKey:
			switch {
			case !existing[c.Table]:
			case partitioned(c.Table):
				out[i].ignore = keyOnPartitioned
			default:
				out[i].how = move
				movedKeys[c.Table] = append(movedKeys[c.Table], c.PrimaryKey.Name)
			}
		case AddForeignKey:
			fk := c.ForeignKey
			ref := TableName{fk.RefSchema, fk.RefTable}
			switch rt := after.Table(ref.Schema, ref.Name); {
			case rt != nil && slices.Contains(movedKeys[ref], rt.Key(fk.RefColumns)):
				out[i].how = move
				if partitioned(c.Table) { // new or not: NOT VALID is refused
					out[i].ignore = fkOnPartitioned
				}
			case existing[c.Table] && partitioned(c.Table):
				out[i].ignore = fkOnPartitioned
			case existing[c.Table]:
				out[i].how = split
			}
		case AddCheck:
			if existing[c.Table] {
				out[i].how = split
			}
		case SetNotNull:
			switch {
			case !existing[c.Table]:
			case slices.ContainsFunc(changes[i+1:], func(l Change) bool {
				id, ok := l.(AddIdentity)
				return ok && id.Table == c.Table && id.Column == c.Column
			}):
				out[i].ignore = "set-not-null the column becomes an identity column in this migration, which needs NOT NULL first"
			case partitioned(c.Table) && slices.ContainsFunc(changes[i+1:], func(l Change) bool {
				pk, ok := l.(AddPrimaryKey)
				return ok && pk.Table == c.Table && slices.Contains(pk.PrimaryKey.Columns, c.Column)
			}):
				// The key stays in tx (keyOnPartitioned), and ADD PRIMARY KEY
				// sets NOT NULL on its columns there.
				out[i].ignore = "set-not-null the primary key added to the partitioned table in this transaction sets NOT NULL itself, under its own lock"
			default:
				out[i].how = split
			}
		}
	}
	// A dropped index stays in tx when a later change of tx takes its
	// name or drops a function or extension it may use, or when the
	// migration renames its table or changes its columns (a type change
	// would rebuild it, a dropped column drops it, a renamed one makes its
	// definition in mid stale); such a change locks the table as the drop
	// does.
	for _, i := range drops {
		d := changes[i].(DropIndex)
		for j := range changes {
			switch {
			case out[j].how == stay && touches(changes[j], out[i].table):
				out[i] = placement{ignore: "index-not-concurrent the migration renames the index's table or changes its columns, which takes the same lock"}
			case j > i && out[j].how == stay && takesName(changes[j], d.Schema, d.Name):
				out[i] = placement{ignore: "index-not-concurrent the name is taken again in this transaction"}
			case j > i && out[j].how == stay && needsGone(changes[j], out[i].index):
				out[i] = placement{ignore: "index-not-concurrent the index uses a function or extension this transaction drops, which needs the index gone first"}
			}
			if out[i].how != move {
				break
			}
		}
	}
	return out
}

// The lint-ignore reasons of the changes to a partitioned table that stay
// in their plain form, for want of an online one in PostgreSQL.
const (
	keyOnPartitioned = "unique-constraint PostgreSQL cannot add a partitioned table's key USING INDEX, so it builds the key's index itself"
	fkOnPartitioned  = "constraint-not-valid PostgreSQL before 18 refuses a NOT VALID foreign key on a partitioned table"
)

// tablesOf returns the tables named in existing and indexes, once each.
func tablesOf(existing map[TableName]bool, indexes map[TableName]indexAt) []TableName {
	var out []TableName
	for t := range existing {
		out = append(out, t)
	}
	for _, ix := range indexes {
		if !existing[ix.table] && !slices.Contains(out, ix.table) {
			out = append(out, ix.table)
		}
	}
	return out
}

// touches reports whether c changes the table or materialized view t,
// its name or its columns.
func touches(c Change, t TableName) bool {
	switch c := c.(type) {
	case RenameView:
		return TableName{c.Schema, c.From} == t
	case SetViewSchema:
		return TableName{c.From, c.Name} == t
	case RenameTable:
		return c.Table == t
	case SetTableSchema:
		return c.Table == t
	case DropTable:
		return c.Table == t
	case RenameColumn:
		return c.Table == t
	case AlterColumnType:
		return c.Table == t
	case DropColumn:
		return c.Table == t
	case DropExpression:
		return c.Table == t
	case RebuildEnum:
		return slices.ContainsFunc(c.Columns, func(col EnumColumn) bool { return col.Table == t })
	}
	return false
}

// needsGone reports whether c drops something the index ix may use, so
// that c fails while ix exists: a function its expressions or predicate
// name, or an extension (which may provide those functions, its operator
// classes or its access method).
func needsGone(c Change, ix schema.Index) bool {
	text := ix.Where
	ext := ix.Where != "" || (ix.Method != "" && ix.Method != "btree")
	for _, e := range ix.Elements {
		text += " " + e.Expr
		ext = ext || e.Expr != "" || e.Opclass != ""
	}
	switch c := c.(type) {
	case DropFunction:
		return strings.Contains(strings.ToLower(text), strings.ToLower(c.Name))
	case DropExtension:
		return ext
	}
	return false
}

// takesName reports whether c gives the name to a relation (a table or
// an index, which share their schema's names) in schema sch.
func takesName(c Change, sch, name string) bool {
	switch c := c.(type) {
	case CreateTable:
		t := c.Table
		if t.Schema != sch {
			return false
		}
		if t.Name == name || (t.PrimaryKey != nil && t.PrimaryKey.Name == name) {
			return true
		}
		return slices.ContainsFunc(t.Uniques, func(u schema.Unique) bool { return u.Name == name })
	case CreateIndex:
		return c.Table.Schema == sch && c.Index.Name == name
	case CreateView:
		return c.View.Schema == sch && c.View.Name == name
	case RenameView:
		return c.Schema == sch && c.To == name
	case AddUnique:
		return c.Table.Schema == sch && c.Unique.Name == name
	case AddPrimaryKey:
		return c.Table.Schema == sch && c.PrimaryKey.Name == name
	case RenameIndex:
		return c.Schema == sch && c.To == name
	case RenameConstraint:
		return c.Table.Schema == sch && c.To == name
	case RenameTable:
		return c.Table.Schema == sch && c.To == name
	case SetTableSchema:
		return c.To == sch && c.Table.Name == name
	}
	return false
}
