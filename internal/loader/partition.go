package loader

import (
	"slices"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// partitionMarkers reads //mizzle:partition BY ... (columns) and every
// //mizzle:partition-of NAME bound of a table, once its columns, keys and
// indexes are known, and reports what PostgreSQL would refuse: a key on a
// missing or generated column, a primary key or unique constraint without
// the key's columns, bounds that do not suit the strategy, hash bounds
// that conflict, a partition named twice.
func (b *tableBuilder) partitionMarkers() {
	t := b.ti.t
	l := b.l
	var by *marker
	var ofs []*marker
	for _, m := range b.ti.decl.markers {
		switch m.Name {
		case "partition":
			if by == nil {
				by = m
			}
		case "partition-of":
			ofs = append(ofs, m)
		}
	}
	if by == nil {
		for _, m := range ofs {
			l.errs.Addf(m.pos, "//mizzle:partition-of on %s, which is not partitioned: add //mizzle:partition BY RANGE|LIST|HASH (columns)", b.ti.decl.obj.Name())
		}
		return
	}
	strategy, cols, offs, err := grammar.PartitionBy(by.Args)
	if err != nil {
		l.markerError(by, err)
		return
	}
	p := &schema.Partitioning{Strategy: strategy, Columns: cols, Pos: by.pos}
	ok := true
	for i, c := range cols {
		col := t.Column(c)
		switch {
		case col == nil:
			l.errs.Addf(by.at(offs[i]), "//mizzle:partition: table %q has no column %q", t.Name, c)
			ok = false
		case slices.Index(cols, c) < i:
			l.errs.Addf(by.at(offs[i]), "//mizzle:partition: column %q is named twice", c)
			ok = false
		case col.Generated != "":
			l.errs.Addf(by.at(offs[i]), "//mizzle:partition: column %q is generated, which PostgreSQL refuses in a partition key", c)
			ok = false
		}
	}
	if strategy == schema.PartitionList && len(cols) > 1 {
		l.errs.Addf(by.at(offs[1]), "//mizzle:partition: a LIST partition key has one column")
		ok = false
	}
	if ok {
		b.partitionKeyInKeys(p)
	}
	var hashes [][2]int
	defaultAt := 0
	for _, m := range ofs {
		sc := grammar.NewScanner(m.Args)
		name, ok := b.markerName(m, sc)
		if !ok {
			continue
		}
		boundAt := sc.Offset()
		bound, err := grammar.PartitionBound(sc)
		if err != nil {
			l.markerError(m, err)
			continue
		}
		if first := p.Partition(name); first != nil {
			l.errs.Addf(m.pos, "//mizzle:partition-of: partition %q of table %q declared twice (first at line %d)", name, t.Name, first.Pos.Line)
			continue
		}
		switch kind := schema.BoundKind(bound); {
		case kind == "default" && strategy == schema.PartitionHash:
			l.errs.Addf(m.at(boundAt), "//mizzle:partition-of: a HASH partitioned table has no DEFAULT partition")
			continue
		case kind == "default" && defaultAt > 0:
			l.errs.Addf(m.at(boundAt), "//mizzle:partition-of: a second DEFAULT partition (the first at line %d)", defaultAt)
			continue
		case kind == "default":
			defaultAt = m.pos.Line
		case kind != string(strategy):
			l.errs.Addf(m.at(boundAt), "//mizzle:partition-of: table %q is partitioned BY %s, which takes %s", t.Name, strategy.SQL(), boundSyntax[strategy])
			continue
		case kind == "hash":
			mod, rem, _ := schema.HashBound(bound)
			if msg := schema.HashConflict(append(hashes, [2]int{mod, rem})); msg != "" {
				l.errs.Addf(m.at(boundAt), "//mizzle:partition-of: %s", msg)
				continue
			}
			hashes = append(hashes, [2]int{mod, rem})
		}
		p.Partitions = append(p.Partitions, schema.Partition{Name: name, Bound: bound, Pos: m.pos})
	}
	t.Partition = p
}

// boundSyntax is the bound each strategy takes, for messages.
var boundSyntax = map[schema.PartitionStrategy]string{
	schema.PartitionRange: "FOR VALUES FROM (values) TO (values) or DEFAULT",
	schema.PartitionList:  "FOR VALUES IN (values) or DEFAULT",
	schema.PartitionHash:  "FOR VALUES WITH (MODULUS m, REMAINDER r)",
}

// partitionKeyInKeys reports the primary key, unique constraints and
// unique indexes that lack a column of the partition key: PostgreSQL
// enforces uniqueness partition by partition, so it refuses them.
func (b *tableBuilder) partitionKeyInKeys(p *schema.Partitioning) {
	t := b.ti.t
	l := b.l
	saved := t.Partition
	t.Partition = p
	defer func() { t.Partition = saved }()
	if pk := t.PrimaryKey; pk != nil {
		if miss := t.MissingPartitionKey(pk.Columns); len(miss) > 0 {
			l.errs.Addf(pk.Pos, "the primary key of table %q lacks partition key column %q: PostgreSQL requires a partitioned table's primary key to hold every column of the partition key", t.Name, miss[0])
		}
	}
	for _, u := range t.Uniques {
		if miss := t.MissingPartitionKey(u.Columns); len(miss) > 0 {
			l.errs.Addf(u.Pos, "unique constraint %q of table %q lacks partition key column %q: PostgreSQL requires a partitioned table's unique constraints to hold every column of the partition key", u.Name, t.Name, miss[0])
		}
	}
	for _, ix := range t.Indexes {
		if !ix.Unique {
			continue
		}
		var cols []string
		for _, e := range ix.Elements {
			if e.Column == "" {
				l.errs.Addf(ix.Pos, "unique index %q of table %q has an expression, which PostgreSQL refuses on a partitioned table", ix.Name, t.Name)
				cols = nil
				break
			}
			cols = append(cols, e.Column)
		}
		if cols == nil {
			continue
		}
		if miss := t.MissingPartitionKey(cols); len(miss) > 0 {
			l.errs.Addf(ix.Pos, "unique index %q of table %q lacks partition key column %q: PostgreSQL requires a partitioned table's unique indexes to hold every column of the partition key", ix.Name, t.Name, miss[0])
		}
	}
}
