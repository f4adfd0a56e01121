package grammar

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// A partitioned table is written with two markers on its type:
//
//	//mizzle:partition BY RANGE|LIST|HASH (columns)
//	//mizzle:partition-of NAME FOR VALUES FROM (values) TO (values)
//	//mizzle:partition-of NAME FOR VALUES IN (values)
//	//mizzle:partition-of NAME FOR VALUES WITH (MODULUS m, REMAINDER r)
//	//mizzle:partition-of NAME DEFAULT
//
// The key is a list of the table's columns (not expressions). A partition
// is a table of the parent's schema; its bound is CREATE TABLE ...
// PARTITION OF's, values as SQL.

// PartitionBy reads //mizzle:partition's arguments: the strategy and the
// key's columns, with each column's offset.
func PartitionBy(args string) (schema.PartitionStrategy, []string, []int, error) {
	sc := NewScanner(args)
	if !sc.Keyword("by") {
		return "", nil, nil, &OffsetError{sc.Offset(), "expected BY RANGE, BY LIST or BY HASH"}
	}
	var s schema.PartitionStrategy
	for _, st := range []schema.PartitionStrategy{schema.PartitionRange, schema.PartitionList, schema.PartitionHash} {
		if sc.Keyword(string(st)) {
			s = st
			break
		}
	}
	if s == "" {
		return "", nil, nil, &OffsetError{sc.Offset(), "BY needs RANGE, LIST or HASH"}
	}
	inside, base, err := sc.Group("the partition key")
	if err != nil {
		return "", nil, nil, err
	}
	var cols []string
	var offs []int
	for _, part := range sqlsplit.SplitList(inside) {
		text := strings.TrimSpace(part.Text)
		off := base + part.Offset + LeadingSpace(part.Text)
		switch {
		case text == "":
			return "", nil, nil, &OffsetError{off, "empty element in the partition key"}
		case !isColumnWord(text):
			return "", nil, nil, &OffsetError{off, fmt.Sprintf("the partition key takes columns, not %q (an expression, a collation or an operator class)", text)}
		}
		name := unquoteName(text)
		if name == "" {
			return "", nil, nil, &OffsetError{off, `zero-length quoted name ""`}
		}
		cols = append(cols, name)
		offs = append(offs, off)
	}
	if rest, off := sc.Rest(); rest != "" {
		return "", nil, nil, &OffsetError{off, fmt.Sprintf("unexpected %q after the partition key", rest)}
	}
	return s, cols, offs, nil
}

// FormatPartitionBy writes //mizzle:partition's arguments.
func FormatPartitionBy(p *schema.Partitioning) string {
	cols := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = ColumnRef(c)
	}
	return "BY " + p.Strategy.SQL() + " (" + strings.Join(cols, ", ") + ")"
}

var hashArgs = regexp.MustCompile(`(?i)^\s*modulus\s+([0-9]+)\s*,\s*remainder\s+([0-9]+)\s*$`)

// PartitionBound reads a partition's bound, what follows its name in
// //mizzle:partition-of, and returns it as the model spells it
// (schema.Partition.Bound): key words as PostgreSQL prints them, values
// as written, blanks around them trimmed.
func PartitionBound(sc *Scanner) (string, error) {
	var bound string
	switch {
	case sc.Keyword("default"):
		bound = schema.DefaultBound
	case sc.Keyword("for", "values", "from"):
		from, off, err := sc.Group("the lower bound")
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(from) == "" {
			return "", &OffsetError{off, "the lower bound is empty"}
		}
		if !sc.Keyword("to") {
			return "", &OffsetError{sc.Offset(), "expected TO (values) after FROM (values)"}
		}
		to, off, err := sc.Group("the upper bound")
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(to) == "" {
			return "", &OffsetError{off, "the upper bound is empty"}
		}
		bound = "FOR VALUES FROM (" + strings.TrimSpace(from) + ") TO (" + strings.TrimSpace(to) + ")"
	case sc.Keyword("for", "values", "in"):
		in, off, err := sc.Group("the values")
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(in) == "" {
			return "", &OffsetError{off, "the list of values is empty"}
		}
		bound = "FOR VALUES IN (" + strings.TrimSpace(in) + ")"
	case sc.Keyword("for", "values", "with"):
		in, off, err := sc.Group("MODULUS m, REMAINDER r")
		if err != nil {
			return "", err
		}
		m := hashArgs.FindStringSubmatch(in)
		if m == nil {
			return "", &OffsetError{off, fmt.Sprintf("expected MODULUS m, REMAINDER r, found %q", strings.TrimSpace(in))}
		}
		mod, err1 := strconv.Atoi(m[1])
		rem, err2 := strconv.Atoi(m[2])
		switch {
		case err1 != nil || err2 != nil || mod < 1 || mod > 1<<31-1:
			return "", &OffsetError{off, "the modulus must be a positive integer"}
		case rem >= mod:
			return "", &OffsetError{off, fmt.Sprintf("the remainder (%d) must be less than the modulus (%d)", rem, mod)}
		}
		bound = schema.FormatHashBound(mod, rem)
	default:
		return "", &OffsetError{sc.Offset(), "expected FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), FOR VALUES WITH (MODULUS m, REMAINDER r) or DEFAULT"}
	}
	if rest, off := sc.Rest(); rest != "" {
		return "", &OffsetError{off, fmt.Sprintf("unexpected %q after the bound", rest)}
	}
	return bound, nil
}

// FormatPartitionOf writes //mizzle:partition-of's arguments.
func FormatPartitionOf(p schema.Partition) string {
	return Name(p.Name) + " " + p.Bound
}
