package introspect

import (
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// partitionKey reads a partition key as pg_get_partkeydef prints it
// ("RANGE (at, \"Odd\")"). ok is false for a key the model cannot hold:
// an expression, a collation or an operator class other than the
// column's.
func partitionKey(def string) (*schema.Partitioning, bool) {
	word, rest, found := strings.Cut(def, " ")
	if !found {
		return nil, false
	}
	p := &schema.Partitioning{Strategy: schema.PartitionStrategy(strings.ToLower(word))}
	switch p.Strategy {
	case schema.PartitionRange, schema.PartitionList, schema.PartitionHash:
	default:
		return nil, false
	}
	rest = strings.TrimSpace(rest)
	if end, _ := sqlsplit.ClosingParen(rest, 0); !strings.HasPrefix(rest, "(") || end != len(rest)-1 {
		return nil, false
	}
	for _, part := range sqlsplit.SplitList(rest[1 : len(rest)-1]) {
		name, ok := identifier(strings.TrimSpace(part.Text))
		if !ok {
			return nil, false
		}
		p.Columns = append(p.Columns, name)
	}
	return p, len(p.Columns) > 0
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

// identifier reads a name as quote_ident writes it: bare, or quoted with
// its quotes doubled.
func identifier(s string) (string, bool) {
	if plainIdent.MatchString(s) {
		return s, true
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
		return "", false
	}
	return strings.ReplaceAll(inner, `""`, `"`), true
}

// partitionRow adds a partition othersQuery read to its table, or
// reports why the model cannot hold it. parentSchema and parent name its
// table; bound is pg_get_expr's text for it, followed for a partition
// that is partitioned itself by its PARTITION BY.
func (in *inspector) partitionRow(nsp, name, parentSchema, parent, bound string) {
	object := quote.Ident(nsp, name)
	of := "of " + quote.Ident(parentSchema, parent)
	t := in.tables[relKey{schema: parentSchema, name: parent}]
	switch {
	case strings.Contains(bound, " PARTITION BY "):
		in.report(Partition, object, of+", partitioned itself (sub-partitioning): "+bound)
	case !in.reading(parentSchema):
		in.report(Partition, object, of+", in a schema not read")
	case t == nil || t.Partition == nil:
		// Its table is reported, or was created after the tables were read.
		in.report(Partition, object, of+", a table not read")
	case nsp != parentSchema:
		in.report(Partition, object, of+", in another schema than its table")
	default:
		t.Partition.Partitions = append(t.Partition.Partitions, schema.Partition{Name: name, Bound: bound})
	}
}

func (in *inspector) reading(nsp string) bool {
	for _, s := range in.schemas {
		if s == nsp {
			return true
		}
	}
	return false
}
