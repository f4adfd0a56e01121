package migrations

import (
	"fmt"
	"slices"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Partitioned tables: CreateTable spells PARTITION BY; the partitions are
// changes of their own. A partition shares its parent's columns, keys,
// checks, foreign keys and indexes, which PostgreSQL creates, changes and
// drops on every partition when they change on the parent: the differ
// changes them on the parent only.
type (
	// CreatePartition creates a partition of a partitioned table, in the
	// table's schema.
	CreatePartition struct {
		Parent    TableName
		Partition schema.Partition
	}
	// DropPartition detaches a partition from its table and drops it with
	// its rows. Recreated says a
	// partition of the same name is created again later in the migration,
	// with another bound.
	DropPartition struct {
		Parent    TableName
		Name      string
		Recreated bool
	}
)

func (CreatePartition) change() {}
func (DropPartition) change()   {}

// PartitionKeyError reports a change to a table's partitioning that
// PostgreSQL cannot make in place: partitioning a plain table, making a
// partitioned one plain, changing the strategy or the key's columns, or
// changing the type of a key column. Moving the rows into a new table is
// the user's to write.
type PartitionKeyError struct {
	Table  QName
	Reason string
}

func (e *PartitionKeyError) Error() string {
	return fmt.Sprintf("table %s: %s, which PostgreSQL cannot do in place; create a new table, move the rows and drop the old one (a migration of your own: generate --custom)",
		e.Table, e.Reason)
}

func samePartition(a, b schema.Partition) bool {
	return a.Name == b.Name && parsed(a.Bound, a.ParsedBound) == parsed(b.Bound, b.ParsedBound)
}

// partitionKeySQL spells PARTITION BY's argument: RANGE ("a", "b").
func partitionKeySQL(p *schema.Partitioning) string {
	return p.Strategy.SQL() + " (" + identList(p.Columns) + ")"
}

// checkPartitioning refuses what PostgreSQL cannot change in a kept
// table's partitioning. It runs after the renames (cur names the key's
// columns as the new model does) and planKeeps (which knows the columns
// whose type changes or that are recreated).
func (d *differ) checkPartitioning() error {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		q := QName{t.Schema, t.Name}
		switch {
		case c.Partition == nil && t.Partition == nil:
			continue
		case c.Partition == nil:
			return &PartitionKeyError{q, "it becomes partitioned (BY " + partitionKeySQL(t.Partition) + ")"}
		case t.Partition == nil:
			return &PartitionKeyError{q, "it is no longer partitioned"}
		case c.Partition.Strategy != t.Partition.Strategy || !slices.Equal(c.Partition.Columns, t.Partition.Columns):
			return &PartitionKeyError{q, "its partition key changes from " + partitionKeySQL(c.Partition) + " to " + partitionKeySQL(t.Partition)}
		}
		for _, k := range c.Partition.Columns {
			col, old := t.Column(k), c.Column(k)
			switch {
			case d.recreated[c][k]:
				return &PartitionKeyError{q, fmt.Sprintf("partition key column %s is dropped and added again", quote.Ident(k))}
			case d.typeChanged[objKey{c, k}]:
				return &PartitionKeyError{q, fmt.Sprintf("the type of partition key column %s changes", quote.Ident(k))}
			case old != nil && col != nil && old.Type.Schema != "":
				for ne := range d.rebuilt {
					if ne.Schema == old.Type.Schema && ne.Name == old.Type.Name {
						return &PartitionKeyError{q, fmt.Sprintf("enum %s of partition key column %s is recreated",
							quote.Ident(ne.Schema, ne.Name), quote.Ident(k))}
					}
				}
			}
		}
	}
	return nil
}

// movePartitions moves the partitions of c, which moves to schema to,
// along: ALTER TABLE ... SET SCHEMA moves a partitioned table alone.
func (d *differ) movePartitions(c *schema.Table, to string) {
	if c.Partition == nil {
		return
	}
	for _, p := range c.Partition.Partitions {
		d.emit(SetTableSchema{Table: TableName{c.Schema, p.Name}, To: to})
	}
}

// dropPartitions drops the partitions of kept tables that go or whose
// bound changes (a partition's bound cannot be altered; detaching and
// attaching it again would keep its rows only if they fit the new bound,
// which the differ cannot know, so it is dropped and created again, with
// the warning a dropped table has). A dropped table takes its partitions
// with it.
func (d *differ) dropPartitions() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil || c.Partition == nil {
			continue
		}
		for _, p := range c.Partition.Partitions {
			np := t.Partition.Partition(p.Name)
			if np != nil && samePartition(p, *np) {
				continue
			}
			d.emit(DropPartition{Parent: nameOf(c), Name: p.Name, Recreated: np != nil})
		}
	}
}

// createPartitions creates the partitions that are new or were dropped
// for a new bound, after the tables (a partition needs its parent) and
// before the constraints and indexes added to their parents, which
// PostgreSQL then adds to each partition.
func (d *differ) createPartitions() {
	for _, t := range d.to.Tables {
		if t.Partition == nil {
			continue
		}
		c := d.tables[t]
		for _, p := range t.Partition.Partitions {
			if c != nil {
				if old := c.Partition.Partition(p.Name); old != nil && samePartition(*old, p) {
					continue
				}
			}
			d.emit(CreatePartition{Parent: nameOf(t), Partition: p})
		}
	}
}

// partitionStatements spells the partition changes.
func partitionStatements(c Change) (sql []string, warning string, ok bool) {
	switch c := c.(type) {
	case CreatePartition:
		return []string{fmt.Sprintf("CREATE TABLE %s PARTITION OF %s %s;",
			quote.Ident(c.Parent.Schema, c.Partition.Name), c.Parent.String(), c.Partition.Bound)}, "", true
	case DropPartition:
		name := quote.Ident(c.Parent.Schema, c.Name)
		warning := fmt.Sprintf("drops partition %s of %s and all of its rows", name, c.Parent.String())
		if c.Recreated {
			warning = fmt.Sprintf("drops partition %s of %s and all of its rows, to create it again with its new bound", name, c.Parent.String())
		}
		// Detached first: PostgreSQL refuses to drop a partition of a
		// table a foreign key references, and checks on detaching that no
		// row references the partition's rows.
		return []string{
			fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s;", c.Parent.String(), name),
			fmt.Sprintf("DROP TABLE %s;", name),
		}, warning, true
	}
	return nil, "", false
}

// partitionBySQL is what CREATE TABLE of a partitioned table ends with.
func partitionBySQL(t *schema.Table) string {
	if t.Partition == nil {
		return ""
	}
	return " PARTITION BY " + partitionKeySQL(t.Partition)
}

// describePartition names a partition change for a migration's name.
func describePartition(c Change) (string, bool, bool) {
	switch c := c.(type) {
	case CreatePartition:
		return "create_" + c.Partition.Name, true, true
	case DropPartition:
		return "drop_" + c.Name, false, true
	}
	return "", false, false
}
