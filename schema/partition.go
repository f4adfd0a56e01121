package schema

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// PartitionStrategy is how a partitioned table splits its rows: PARTITION
// BY RANGE, LIST or HASH.
type PartitionStrategy string

// Partition strategies, spelled as in PARTITION BY, lower case.
const (
	PartitionRange PartitionStrategy = "range"
	PartitionList  PartitionStrategy = "list"
	PartitionHash  PartitionStrategy = "hash"
)

// SQL spells the strategy as PARTITION BY does.
func (s PartitionStrategy) SQL() string { return upper(string(s)) }

// Partitioning makes a table a partitioned one (PARTITION BY) and lists
// its partitions. The partitions share the table's columns, and the keys,
// checks, foreign keys and indexes declared on the table, which PostgreSQL
// gives each of them: the model holds those once, on the table.
type Partitioning struct {
	Strategy PartitionStrategy `json:"strategy"`
	// Columns are the partition key, in order: plain columns of the table.
	Columns    []string    `json:"columns"`
	Partitions []Partition `json:"partitions,omitempty"`
	Pos        Position    `json:"pos,omitzero"`
}

// Partition is a partition of a partitioned table, a table of its own in
// the same schema (CREATE TABLE name PARTITION OF table bound).
type Partition struct {
	Name string `json:"name"`
	// Bound is the partition's bound as CREATE TABLE ... PARTITION OF has
	// it, its key words spelled as PostgreSQL prints them back: "FOR VALUES
	// FROM (...) TO (...)", "FOR VALUES IN (...)", "FOR VALUES WITH
	// (modulus M, remainder R)" or "DEFAULT". The values are SQL text.
	Bound string `json:"bound"`
	// ParsedBound is Bound as PostgreSQL prints it back, when known (see
	// Check.Parsed): the values become constants of the key's types.
	ParsedBound string   `json:"-"`
	Pos         Position `json:"pos,omitzero"`
}

// DefaultBound is the bound of a DEFAULT partition.
const DefaultBound = "DEFAULT"

// BoundKind says which form a bound has: "range" (FROM ... TO), "list"
// (IN), "hash" (WITH), "default", or "" for text that is none of them. A
// DEFAULT partition suits range and list tables.
func BoundKind(bound string) string {
	switch {
	case bound == DefaultBound:
		return "default"
	case strings.HasPrefix(bound, "FOR VALUES FROM ("):
		return "range"
	case strings.HasPrefix(bound, "FOR VALUES IN ("):
		return "list"
	case hashBound.MatchString(bound):
		return "hash"
	}
	return ""
}

var hashBound = regexp.MustCompile(`^FOR VALUES WITH \(modulus ([0-9]+), remainder ([0-9]+)\)$`)

// HashBound reads a hash partition's bound: its modulus and remainder.
// ok is false for a bound of another kind, or numbers out of range.
func HashBound(bound string) (modulus, remainder int, ok bool) {
	m := hashBound.FindStringSubmatch(bound)
	if m == nil {
		return 0, 0, false
	}
	mod, err1 := strconv.Atoi(m[1])
	rem, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || mod < 1 || mod > 1<<31-1 {
		return 0, 0, false
	}
	return mod, rem, true
}

// FormatHashBound spells a hash partition's bound as PostgreSQL prints it.
func FormatHashBound(modulus, remainder int) string {
	return "FOR VALUES WITH (modulus " + strconv.Itoa(modulus) + ", remainder " + strconv.Itoa(remainder) + ")"
}

// Partition returns the partition of t with the given name, or nil.
func (p *Partitioning) Partition(name string) *Partition {
	if p == nil {
		return nil
	}
	for i := range p.Partitions {
		if p.Partitions[i].Name == name {
			return &p.Partitions[i]
		}
	}
	return nil
}

func (p *Partitioning) clone() *Partitioning {
	if p == nil {
		return nil
	}
	c := *p
	c.Columns = slices.Clone(p.Columns)
	c.Partitions = slices.Clone(p.Partitions)
	return &c
}

func (p *Partitioning) sort() {
	if p != nil {
		slices.SortFunc(p.Partitions, func(a, b Partition) int { return cmp.Compare(a.Name, b.Name) })
	}
}

// MissingPartitionKey returns the partition key columns that cols lacks:
// PostgreSQL refuses a primary key or unique constraint of a partitioned
// table that does not hold every column of the partition key.
func (t *Table) MissingPartitionKey(cols []string) []string {
	if t.Partition == nil {
		return nil
	}
	var out []string
	for _, k := range t.Partition.Columns {
		if !slices.Contains(cols, k) {
			out = append(out, k)
		}
	}
	return out
}

// uniqueColumns returns the plain columns of a unique index, and false
// when it has an expression, which PostgreSQL refuses in a unique index of
// a partitioned table.
func uniqueColumns(ix Index) ([]string, bool) {
	var cols []string
	for _, e := range ix.Elements {
		if e.Column == "" {
			return nil, false
		}
		cols = append(cols, e.Column)
	}
	return cols, true
}

// validatePartitioning reports what is wrong with t's partitioning to add
// (Model.Validate checks partition names against the other tables').
func (t *Table) validatePartitioning(what string, add func(format string, args ...any)) {
	p := t.Partition
	if p == nil {
		return
	}
	switch p.Strategy {
	case PartitionRange, PartitionList, PartitionHash:
	default:
		add("%s: partition strategy %q is not one of RANGE, LIST, HASH", what, string(p.Strategy))
	}
	if len(p.Columns) == 0 {
		add("%s: the partition key has no columns", what)
	}
	if p.Strategy == PartitionList && len(p.Columns) > 1 {
		add("%s: a LIST partition key has one column, not %d", what, len(p.Columns))
	}
	seenCol := map[string]bool{}
	for _, c := range p.Columns {
		switch {
		case t.Column(c) == nil:
			add("%s: the partition key is on column %q, which the table does not have", what, c)
		case seenCol[c]:
			add("%s: the partition key names column %q twice", what, c)
		case t.Column(c).Generated != "":
			add("%s: the partition key is on generated column %q, which PostgreSQL refuses", what, c)
		}
		seenCol[c] = true
	}
	keyHas := func(of string, cols []string) {
		if miss := t.MissingPartitionKey(cols); len(miss) > 0 {
			add("%s: %s lacks partition key column %q: PostgreSQL requires it", what, of, miss[0])
		}
	}
	if pk := t.PrimaryKey; pk != nil {
		keyHas("the primary key", pk.Columns)
	}
	for _, u := range t.Uniques {
		keyHas("unique constraint "+strconv.Quote(u.Name), u.Columns)
	}
	for _, ix := range t.Indexes {
		if !ix.Unique {
			continue
		}
		cols, ok := uniqueColumns(ix)
		if !ok {
			add("%s: unique index %q has an expression, which PostgreSQL refuses on a partitioned table", what, ix.Name)
			continue
		}
		keyHas("unique index "+strconv.Quote(ix.Name), cols)
	}
	seen := map[string]bool{}
	defaults := 0
	var hashes [][2]int
	for _, part := range p.Partitions {
		pw := what + ": partition " + strconv.Quote(part.Name)
		switch {
		case part.Name == "":
			add("%s: a partition has no name", what)
			continue
		case seen[part.Name]:
			add("%s appears twice", pw)
		}
		seen[part.Name] = true
		kind := BoundKind(part.Bound)
		switch {
		case kind == "":
			add("%s: bound %q is none of FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), FOR VALUES WITH (modulus M, remainder R), DEFAULT", pw, part.Bound)
		case kind == "default" && p.Strategy == PartitionHash:
			add("%s: a HASH partitioned table has no DEFAULT partition", pw)
		case kind == "default":
			defaults++
			if defaults == 2 {
				add("%s: a second DEFAULT partition", pw)
			}
		case kind != string(p.Strategy):
			add("%s: bound %q does not suit a %s partitioned table", pw, part.Bound, p.Strategy.SQL())
		case kind == "hash":
			mod, rem, ok := HashBound(part.Bound)
			if !ok || rem >= mod {
				add("%s: the remainder must be less than the modulus", pw)
				break
			}
			hashes = append(hashes, [2]int{mod, rem})
		}
	}
	if msg := HashConflict(hashes); msg != "" {
		add("%s: %s", what, msg)
	}
}

// HashConflict says what PostgreSQL refuses in a table's hash bounds,
// each a modulus and a remainder: a modulus that is not a factor of every
// larger one, or two partitions taking the same rows; "" when they are
// consistent.
func HashConflict(bounds [][2]int) string {
	type hb struct{ mod, rem int }
	for i, x := range bounds {
		for _, y := range bounds[:i] {
			a, b := hb{x[0], x[1]}, hb{y[0], y[1]}
			lo, hi := a, b
			if lo.mod > hi.mod {
				lo, hi = hi, lo
			}
			if hi.mod%lo.mod != 0 {
				return "hash modulus " + strconv.Itoa(lo.mod) + " is not a factor of modulus " + strconv.Itoa(hi.mod) +
					": every modulus must be a factor of the next larger one"
			}
			if hi.rem%lo.mod == lo.rem {
				return "hash partitions (modulus " + strconv.Itoa(a.mod) + ", remainder " + strconv.Itoa(a.rem) +
					") and (modulus " + strconv.Itoa(b.mod) + ", remainder " + strconv.Itoa(b.rem) + ") overlap"
			}
		}
	}
	return ""
}
