package schema

import (
	"strings"
	"testing"
)

func TestValidatePartitioning(t *testing.T) {
	rng := func(parts ...Partition) *Partitioning {
		return &Partitioning{Strategy: PartitionRange, Columns: []string{"at"}, Partitions: parts}
	}
	hash := func(parts ...Partition) *Partitioning {
		return &Partitioning{Strategy: PartitionHash, Columns: []string{"id"}, Partitions: parts}
	}
	r2026 := Partition{Name: "e_2026", Bound: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"}
	for _, tc := range []struct {
		name string
		p    *Partitioning
		edit func(*Model)
		want string
	}{
		{"ok", rng(r2026, Partition{Name: "e_other", Bound: DefaultBound}), nil, ""},
		{"hash ok", hash(Partition{Name: "h0", Bound: FormatHashBound(2, 0)}, Partition{Name: "h1", Bound: FormatHashBound(4, 1)}, Partition{Name: "h3", Bound: FormatHashBound(4, 3)}), nil, ""},
		{"strategy", &Partitioning{Strategy: "tree", Columns: []string{"at"}}, nil, `partition strategy "tree" is not one of RANGE, LIST, HASH`},
		{"no key", &Partitioning{Strategy: PartitionRange}, nil, `the partition key has no columns`},
		{"list two", &Partitioning{Strategy: PartitionList, Columns: []string{"id", "at"}}, nil, `a LIST partition key has one column, not 2`},
		{"key column", &Partitioning{Strategy: PartitionRange, Columns: []string{"nope"}}, nil, `the partition key is on column "nope", which the table does not have`},
		{"key twice", &Partitioning{Strategy: PartitionRange, Columns: []string{"at", "at"}}, nil, `the partition key names column "at" twice`},
		{"key generated", &Partitioning{Strategy: PartitionRange, Columns: []string{"g"}}, nil, `the partition key is on generated column "g"`},
		{"pk", rng(), func(m *Model) { m.Tables[0].PrimaryKey = &PrimaryKey{Name: "e_pkey", Columns: []string{"id"}} }, `the primary key lacks partition key column "at": PostgreSQL requires it`},
		{"unique", rng(), func(m *Model) { m.Tables[0].Uniques = []Unique{{Name: "u", Columns: []string{"id"}}} }, `unique constraint "u" lacks partition key column "at"`},
		{"unique index", rng(), func(m *Model) {
			m.Tables[0].Indexes = []Index{{Name: "ix", Unique: true, Elements: []IndexElem{{Column: "id"}}}}
		}, `unique index "ix" lacks partition key column "at"`},
		{"unique expr", rng(), func(m *Model) {
			m.Tables[0].Indexes = []Index{{Name: "ix", Unique: true, Elements: []IndexElem{{Column: "at"}, {Expr: "lower(id::text)"}}}}
		}, `unique index "ix" has an expression, which PostgreSQL refuses on a partitioned table`},
		{"plain index", rng(), func(m *Model) { m.Tables[0].Indexes = []Index{{Name: "ix", Elements: []IndexElem{{Column: "id"}}}} }, ""},
		{"no name", rng(Partition{Bound: DefaultBound}), nil, `a partition has no name`},
		{"twice", rng(r2026, r2026), nil, `partition "e_2026" appears twice`},
		{"table name", rng(Partition{Name: "other", Bound: DefaultBound}), nil, `partition "other" has the name of a table of schema "public"`},
		{"own name", rng(Partition{Name: "e", Bound: DefaultBound}), nil, `partition "e" has the name of a table of schema "public"`},
		{"other partition", rng(Partition{Name: "o1", Bound: DefaultBound}), func(m *Model) {
			m.Tables[1].Partition = &Partitioning{Strategy: PartitionList, Columns: []string{"id"}, Partitions: []Partition{{Name: "o1", Bound: DefaultBound}}}
		}, `partition "o1" has the name of a partition of "public"."`},
		{"bound", rng(Partition{Name: "p", Bound: "FROM (1) TO (2)"}), nil, `bound "FROM (1) TO (2)" is none of`},
		{"bound kind", rng(Partition{Name: "p", Bound: "FOR VALUES IN (1)"}), nil, `bound "FOR VALUES IN (1)" does not suit a RANGE partitioned table`},
		{"two defaults", rng(Partition{Name: "p", Bound: DefaultBound}, Partition{Name: "q", Bound: DefaultBound}), nil, `a second DEFAULT partition`},
		{"hash default", hash(Partition{Name: "p", Bound: DefaultBound}), nil, `a HASH partitioned table has no DEFAULT partition`},
		{"hash remainder", hash(Partition{Name: "p", Bound: FormatHashBound(2, 2)}), nil, `the remainder must be less than the modulus`},
		{"hash modulus 0", hash(Partition{Name: "p", Bound: FormatHashBound(0, 0)}), nil, `the remainder must be less than the modulus`},
		{"hash factor", hash(Partition{Name: "p", Bound: FormatHashBound(2, 0)}, Partition{Name: "q", Bound: FormatHashBound(3, 1)}), nil,
			`hash modulus 2 is not a factor of modulus 3`},
		{"hash overlap", hash(Partition{Name: "p", Bound: FormatHashBound(2, 1)}, Partition{Name: "q", Bound: FormatHashBound(4, 3)}), nil,
			`hash partitions (modulus 4, remainder 3) and (modulus 2, remainder 1) overlap`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols := func() []*Column {
				return []*Column{{Name: "id", Type: Type{Name: "bigint"}}, {Name: "at", Type: Type{Name: "date"}},
					{Name: "g", Type: Type{Name: "bigint"}, Generated: "id + 1"}}
			}
			m := &Model{Tables: []*Table{
				{Schema: "public", Name: "e", Columns: cols(), Partition: tc.p},
				{Schema: "public", Name: "other", Columns: cols()},
			}}
			if tc.edit != nil {
				tc.edit(m)
			}
			err := m.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestClonePartitioning(t *testing.T) {
	m := &Model{Tables: []*Table{{Schema: "public", Name: "t", Partition: &Partitioning{Strategy: PartitionList, Columns: []string{"a"},
		Partitions: []Partition{{Name: "p", Bound: "FOR VALUES IN (1)"}}}}}}
	c := m.Clone()
	c.Tables[0].Partition.Columns[0] = "x"
	c.Tables[0].Partition.Partitions[0].Name = "q"
	if p := m.Tables[0].Partition; p.Columns[0] != "a" || p.Partitions[0].Name != "p" {
		t.Errorf("changing the clone changed the model: %+v", p)
	}
}

func TestBoundKind(t *testing.T) {
	for bound, want := range map[string]string{
		"DEFAULT": "default", "FOR VALUES FROM (1) TO (2)": "range", "FOR VALUES IN ('a')": "list",
		"FOR VALUES WITH (modulus 4, remainder 1)": "hash", "FOR VALUES WITH (MODULUS 4, REMAINDER 1)": "", "default": "",
	} {
		if got := BoundKind(bound); got != want {
			t.Errorf("BoundKind(%q) = %q, want %q", bound, got, want)
		}
	}
}
