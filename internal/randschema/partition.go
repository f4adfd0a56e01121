package randschema

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Partitioned tables. A table made partitioned keeps its key for good (the
// differ refuses to change it): key columns are integers, text or dates,
// never generated, and no change drops or retypes them. Every row has a
// partition: a RANGE or LIST table always has a DEFAULT partition, and a
// HASH table partitions that cover every remainder. The bounds of the
// other partitions hold values no row has (numbers from 1000, text from
// "z", dates from 2030; rows hold 1 and 2, "k1" and "k2", 2020), so rows
// are always in the DEFAULT partition or a hash one, and the partitions
// that Change adds, drops or gives a new bound hold no row. Primary keys,
// unique constraints and unique indexes hold every key column, as
// PostgreSQL requires: fixPartitionKeys drops those that do not. Bounds
// are spelled as PostgreSQL prints them back.

// partitionName makes a fresh partition name.
func (g *gen) partitionName() string {
	if g.chance(0.1) {
		return fmt.Sprintf("P%d", g.num())
	}
	return fmt.Sprintf("p%d", g.num())
}

// keyFamilies are the column families a partition key may use.
func keyFamily(c *schema.Column) bool {
	if c.Generated != "" || c.Type.Schema != "" || c.Type.Array {
		return false
	}
	switch c.Type.Name {
	case "smallint", "integer", "bigint", "text", "date":
		return true
	}
	return false
}

// partitionTable makes t partitioned, when it has columns a key may use.
func (g *gen) partitionTable(t *schema.Table) {
	var cands []string
	for _, c := range t.Columns {
		if keyFamily(c) {
			cands = append(cands, c.Name)
		}
	}
	if len(cands) == 0 {
		return
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	p := &schema.Partitioning{Strategy: pick(g, []schema.PartitionStrategy{schema.PartitionRange, schema.PartitionList, schema.PartitionHash})}
	n := 1
	if p.Strategy != schema.PartitionList && len(cands) > 1 && g.chance(0.3) {
		n = 2
	}
	p.Columns = cands[:n]
	t.Partition = p
	switch p.Strategy {
	case schema.PartitionHash:
		for _, b := range pick(g, [][][2]int{{{1, 0}}, {{2, 0}, {2, 1}}, {{2, 0}, {4, 1}, {4, 3}}}) {
			p.Partitions = append(p.Partitions, schema.Partition{Name: g.partitionName(), Bound: schema.FormatHashBound(b[0], b[1])})
		}
	default:
		p.Partitions = append(p.Partitions, schema.Partition{Name: g.partitionName(), Bound: schema.DefaultBound})
		for range g.r.IntN(3) {
			g.newPartition(t)
		}
	}
	fixPartitionKeys(g.m, t)
	if t.PrimaryKey == nil && !isKeySet(t, p.Columns) && g.chance(0.5) {
		t.PrimaryKey = &schema.PrimaryKey{Columns: slices.Clone(p.Columns)}
		t.PrimaryKey.Name = autoPK(t)
		for _, c := range p.Columns {
			t.Column(c).NotNull = true
		}
	}
}

// newPartition adds a partition of a RANGE or LIST table whose bound no
// row's values and no other partition's bound meet.
func (g *gen) newPartition(t *schema.Table) schema.Partition {
	p := t.Partition
	n := g.num()
	part := schema.Partition{Name: g.partitionName(), Bound: g.bound(t, n)}
	p.Partitions = append(p.Partitions, part)
	return part
}

// bound spells a fresh bound for t's partition numbered n.
func (g *gen) bound(t *schema.Table, n int) string {
	p := t.Partition
	typ := func(i int) string { return t.Column(p.Columns[i]).Type.Name }
	if p.Strategy == schema.PartitionList {
		vals := []string{keyValue(typ(0), n, 0)}
		if g.chance(0.4) {
			vals = append(vals, keyValue(typ(0), n, 1))
		}
		return "FOR VALUES IN (" + strings.Join(vals, ", ") + ")"
	}
	from, to := []string{keyValue(typ(0), n, 0)}, []string{keyValue(typ(0), n, 1)}
	if len(p.Columns) > 1 {
		from, to = append(from, "MINVALUE"), append(to, "MAXVALUE")
	}
	return "FOR VALUES FROM (" + strings.Join(from, ", ") + ") TO (" + strings.Join(to, ", ") + ")"
}

// keyValue is value i (0 or 1, in order) of a bound numbered n for a key
// column of type typ, as PostgreSQL prints it in a bound.
func keyValue(typ string, n, i int) string {
	switch typ {
	case "text":
		return quote.Literal(fmt.Sprintf("z%d%s", n, []string{"", "a"}[i]))
	case "date":
		return quote.Literal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2*n+i).Format("2006-01-02"))
	}
	v := fmt.Sprint(1000 + 2*n + i)
	if typ == "integer" {
		return v // the one integer type PostgreSQL prints bare in a bound
	}
	return quote.Literal(v)
}

// fixPartitionKeys drops the primary key, unique constraints and unique
// indexes of t that PostgreSQL refuses on a partitioned table, and the
// foreign keys of m that then reference no key.
func fixPartitionKeys(m *schema.Model, t *schema.Table) {
	if t.Partition == nil {
		return
	}
	if pk := t.PrimaryKey; pk != nil && len(t.MissingPartitionKey(pk.Columns)) > 0 {
		t.PrimaryKey = nil
	}
	t.Uniques = slices.DeleteFunc(t.Uniques, func(u schema.Unique) bool { return len(t.MissingPartitionKey(u.Columns)) > 0 })
	t.Indexes = slices.DeleteFunc(t.Indexes, func(ix schema.Index) bool {
		if !ix.Unique {
			return false
		}
		var cols []string
		for _, e := range ix.Elements {
			if e.Column == "" {
				return true
			}
			cols = append(cols, e.Column)
		}
		return len(t.MissingPartitionKey(cols)) > 0
	})
	for _, o := range m.Tables {
		o.ForeignKeys = slices.DeleteFunc(o.ForeignKeys, func(fk schema.ForeignKey) bool {
			return fk.RefSchema == t.Schema && fk.RefTable == t.Name && !t.HasKey(fk.RefColumns)
		})
	}
}

// isPartitionKey reports whether name is a column of t's partition key.
func isPartitionKey(t *schema.Table, name string) bool {
	return t.Partition != nil && slices.Contains(t.Partition.Columns, name)
}

// rangeOrList returns a random RANGE or LIST partitioned table, or nil.
func (c *changer) rangeOrList() *schema.Table {
	var ts []*schema.Table
	for _, t := range c.m.Tables {
		if t.Partition != nil && t.Partition.Strategy != schema.PartitionHash {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	return pick(&c.gen, ts)
}

// boundedPartition returns the index of a random partition of t other
// than the DEFAULT one, or -1.
func (c *changer) boundedPartition(t *schema.Table) int {
	var is []int
	for i, p := range t.Partition.Partitions {
		if p.Bound != schema.DefaultBound {
			is = append(is, i)
		}
	}
	if len(is) == 0 {
		return -1
	}
	return pick(&c.gen, is)
}

func (c *changer) addPartition() (string, bool) {
	t := c.rangeOrList()
	if t == nil {
		return "", false
	}
	p := c.newPartition(t)
	return fmt.Sprintf("add partition %s %s of %s", p.Name, p.Bound, t.Name), true
}

func (c *changer) dropPartition() (string, bool) {
	t := c.rangeOrList()
	if t == nil {
		return "", false
	}
	i := c.boundedPartition(t)
	if i < 0 {
		return "", false
	}
	name := t.Partition.Partitions[i].Name
	t.Partition.Partitions = slices.Delete(t.Partition.Partitions, i, i+1)
	return fmt.Sprintf("drop partition %s of %s", name, t.Name), true
}

// changeBound gives a partition a new bound (the differ drops and creates
// it: it holds no row).
func (c *changer) changeBound() (string, bool) {
	t := c.rangeOrList()
	if t == nil {
		return "", false
	}
	i := c.boundedPartition(t)
	if i < 0 {
		return "", false
	}
	p := &t.Partition.Partitions[i]
	p.Bound = c.bound(t, c.num())
	return fmt.Sprintf("change the bound of partition %s of %s to %s", p.Name, t.Name, p.Bound), true
}
