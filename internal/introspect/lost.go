package introspect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Lost is something a database holds that the model has no place for. A
// database built from the model lacks it (or has the default instead), so
// pull names every one.
type Lost struct {
	Kind Kind
	// Object names it, quoted: "public"."items", "public"."items"."qty",
	// "items_touch" on "public"."items".
	Object string
	// Detail says what exactly, when Kind does not: "fillfactor=70",
	// "STORAGE EXTERNAL", "SELECT to PUBLIC".
	Detail string
}

// String is the object with its kind and detail, one line:
// `view "public"."v"`, `storage parameters "public"."t" (fillfactor=70)`.
func (l Lost) String() string {
	s := string(l.Kind) + " " + l.Object
	if l.Detail != "" {
		s += " (" + l.Detail + ")"
	}
	return s
}

// Kind is what a Lost object is. Its value is a short name for the kind;
// Summary words it for people.
type Kind string

// The kinds of Lost objects, in the order Summary reports them: what
// changes who may read the data first, then what changes what the data
// means, then objects that are simply missing, then the rest.
const (
	Policy            Kind = "policy"
	Grant             Kind = "grant"
	SetColumns        Kind = "set columns"
	SequenceOptions   Kind = "sequence options"
	OwnedSequence     Kind = "owned sequence"
	Collation         Kind = "collation"
	TypeColumn        Kind = "column type"
	Virtual           Kind = "virtual generated column"
	ReplicaIdentity   Kind = "replica identity"
	Trigger           Kind = "trigger"
	Rule              Kind = "rule"
	View              Kind = "view"
	MaterializedView  Kind = "materialized view"
	Function          Kind = "function"
	Procedure         Kind = "procedure"
	Aggregate         Kind = "aggregate"
	Domain            Kind = "domain"
	CompositeType     Kind = "composite type"
	RangeType         Kind = "range type"
	BaseType          Kind = "type"
	PartitionedTable  Kind = "partitioned table"
	Partition         Kind = "partition"
	PartitionSettings Kind = "partition settings"
	Inheritance       Kind = "inheritance"
	ForeignTable      Kind = "foreign table"
	Unlogged          Kind = "unlogged table"
	Exclusion         Kind = "exclusion constraint"
	Deferrable        Kind = "deferrable constraint"
	NotValid          Kind = "not valid constraint"
	MatchFull         Kind = "match full"
	NoInherit         Kind = "no inherit"
	InvalidIndex      Kind = "invalid index"
	Include           Kind = "include"
	StorageParameters Kind = "storage parameters"
	ClusterOn         Kind = "cluster on"
	ColumnStorage     Kind = "column storage"
	Statistics        Kind = "statistics"
	Comment           Kind = "comment"
)

// kindText words a kind: the noun for one and for several, and what a
// database built without it does differently, when that is not plain.
type kindText struct {
	one, many, consequence string
}

var kinds = []struct {
	kind Kind
	text kindText
}{
	{Policy, kindText{"row security policy on a table not read (a partition, say)", "row security policies on tables not read (partitions, say)",
		"a database built from the baseline has none"}},
	{Grant, kindText{"table or column has privileges granted", "tables or columns have privileges granted",
		"a database built from the baseline has the default privileges only"}},
	{SetColumns, kindText{"foreign key sets only some of its columns on delete", "foreign keys set only some of their columns on delete",
		"the baseline's foreign keys set all their columns"}},
	{SequenceOptions, kindText{"serial column's sequence has another type than the column", "serial columns' sequences have another type than their column",
		"the baseline's sequences have the column's type, and its default options"}},
	{OwnedSequence, kindText{"sequence is owned by a column that does not use it as its default", "sequences are owned by columns that do not use them as their default", ""}},
	{Collation, kindText{"column has a collation other than its type's", "columns have a collation other than their type's",
		"the baseline's columns use their type's collation"}},
	{TypeColumn, kindText{"column uses a type the schema does not declare", "columns use types the schema does not declare",
		"the baseline names these types but does not create them: on an empty database, create them first"}},
	{Virtual, kindText{"column is VIRTUAL generated", "columns are VIRTUAL generated", "the baseline's columns are STORED"}},
	{ReplicaIdentity, kindText{"table has a REPLICA IDENTITY other than DEFAULT", "tables have a REPLICA IDENTITY other than DEFAULT",
		"logical replication from a database built from the baseline sees only the old key of changed rows"}},
	{Trigger, kindText{"trigger", "triggers", ""}},
	{Rule, kindText{"rule", "rules", ""}},
	{View, kindText{"view", "views", ""}},
	{MaterializedView, kindText{"materialized view", "materialized views", ""}},
	{Function, kindText{"function", "functions", ""}},
	{Procedure, kindText{"procedure", "procedures", ""}},
	{Aggregate, kindText{"aggregate", "aggregates", ""}},
	{Domain, kindText{"domain", "domains", ""}},
	{CompositeType, kindText{"composite type", "composite types", ""}},
	{RangeType, kindText{"range type", "range types", ""}},
	{BaseType, kindText{"base type", "base types", ""}},
	{PartitionedTable, kindText{"partitioned table whose key has an expression, a collation or an operator class", "partitioned tables whose keys have an expression, a collation or an operator class",
		"the baseline has neither them nor their partitions"}},
	{Partition, kindText{"partition", "partitions", ""}},
	{PartitionSettings, kindText{"partition has indexes, constraints or settings of its own", "partitions have indexes, constraints or settings of their own",
		"the baseline's partitions have only what their tables declare"}},
	{Inheritance, kindText{"table inherits from another (INHERITS)", "tables inherit from others (INHERITS)",
		"the baseline's tables do not inherit, and have the inherited columns as their own"}},
	{ForeignTable, kindText{"foreign table", "foreign tables", ""}},
	{Unlogged, kindText{"table is UNLOGGED", "tables are UNLOGGED", "the baseline's tables are logged"}},
	{Exclusion, kindText{"exclusion constraint", "exclusion constraints", ""}},
	{Deferrable, kindText{"constraint is DEFERRABLE", "constraints are DEFERRABLE", "the baseline's constraints are checked at once"}},
	{NotValid, kindText{"constraint is NOT VALID", "constraints are NOT VALID", "the baseline's constraints are validated"}},
	{MatchFull, kindText{"foreign key is MATCH FULL", "foreign keys are MATCH FULL", "the baseline's foreign keys are MATCH SIMPLE"}},
	{NoInherit, kindText{"check constraint is NO INHERIT", "check constraints are NO INHERIT", "the baseline's checks are inherited"}},
	{InvalidIndex, kindText{"index is invalid (a failed CREATE INDEX CONCURRENTLY)", "indexes are invalid (a failed CREATE INDEX CONCURRENTLY)",
		"the baseline builds them"}},
	{Include, kindText{"index has INCLUDE columns", "indexes have INCLUDE columns", "the baseline's indexes lack them"}},
	{StorageParameters, kindText{"table or index has storage parameters (WITH)", "tables or indexes have storage parameters (WITH)",
		"the baseline's tables and indexes have the defaults"}},
	{ClusterOn, kindText{"table is marked for CLUSTER on an index", "tables are marked for CLUSTER on an index", ""}},
	{ColumnStorage, kindText{"column has a storage or statistics setting", "columns have storage or statistics settings",
		"the baseline's columns have the defaults"}},
	{Statistics, kindText{"extended statistics object (CREATE STATISTICS)", "extended statistics objects (CREATE STATISTICS)", ""}},
	{Comment, kindText{"comment (COMMENT ON)", "comments (COMMENT ON)", ""}},
}

// listed is how many objects Summary names for one kind; it counts the
// rest.
const listed = 10

// Summary words lost objects for people: one sentence per kind, in a
// fixed order (what weakens access first), each with the number of
// objects, the first of them by name and what a database built without
// them does differently.
//
//	2 tables have ROW LEVEL SECURITY enabled, which the schema cannot
//	express yet: "public"."notes", "public"."secrets"; a database built from
//	the baseline lets every role with privileges on them read and change
//	every row
func Summary(lost []Lost) []string {
	byKind := map[Kind][]Lost{}
	for _, l := range lost {
		byKind[l.Kind] = append(byKind[l.Kind], l)
	}
	var out []string
	say := func(k Kind, text kindText) {
		ls := byKind[k]
		if len(ls) == 0 {
			return
		}
		delete(byKind, k)
		noun := text.one
		if len(ls) > 1 {
			noun = text.many
		}
		names := make([]string, 0, listed+1)
		for i, l := range ls {
			if i == listed {
				names = append(names, fmt.Sprintf("and %d more", len(ls)-listed))
				break
			}
			name := l.Object
			if l.Detail != "" {
				name += " (" + l.Detail + ")"
			}
			names = append(names, name)
		}
		s := fmt.Sprintf("%d %s, which the schema cannot express yet: %s", len(ls), noun, strings.Join(names, ", "))
		if text.consequence != "" {
			s += "; " + text.consequence
		}
		out = append(out, s)
	}
	for _, k := range kinds {
		say(k.kind, k.text)
	}
	// Not reached unless a kind is missing from kinds; still never silent.
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		say(k, kindText{one: string(k), many: string(k)})
	}
	return out
}
