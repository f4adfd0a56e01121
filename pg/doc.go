// Package pg is the runtime of the query code mizzle generates: the DBTX
// interface the generated code runs on, typed columns and the predicates,
// orderings and assignments they make, the statement builder that writes
// them as SQL with $n placeholders, the generic select, insert, update and
// delete statements behind each generated table, transactions, and the
// errors applications test for.
//
// Applications use pg for predicates, queries built on the generated
// ones, transactions and errors. It does not know about schemas,
// migrations or the generator, it never uses reflection, keeps no global
// state and logs nothing.
//
// Two rules hold everywhere: identifiers are always quoted, and values always
// travel as bind parameters. Raw SQL written with [SQL] follows the second
// rule too: its ? marks become parameters, except where the argument is a
// typed column (written as its quoted, qualified name) or another
// expression of this package (written as its SQL).
//
// Queries ([SelectQuery], [UpdateQuery], [DeleteQuery], [JoinQuery],
// [ValuesQuery]) are values: every method that adds to one returns a new
// query and leaves its receiver as it was, so one query can be the base of
// several, and be run any number of times, from any number of goroutines.
// A statement that names a column of a table it does not read or write
// fails before it is sent, with an error naming the column and the
// statement's tables.
//
// A select reads any number of tables: Join, LeftJoin, RightJoin and
// FullJoin chain on a [SelectQuery], and As reads a table under another
// name, whose columns the generated columns' As method gives, so that a
// table joins itself. [SelectInto] reads any selected values (columns,
// aggregates, [Over] a [Window], [Scalar] subqueries) into a struct of the
// program's own, each field paired with its value by [Into] and checked by
// the compiler. [Exists], [NotExists] and Column.InSelect make subquery
// conditions, which may name the outer query's columns; [WithCTE] and
// [WithRecursive] name a query's rows; Union, Intersect and Except (and
// their ALL forms) combine two selects of one table's rows; Distinct and
// DistinctOn, and the locks ForUpdate, ForNoKeyUpdate, ForShare and
// ForKeyShare, with Of, NoWait and SkipLocked, complete a select.
//
// Values the package sends for the conditions, orderings and assignments
// of typed columns follow three rules beyond pgx's own encoding:
//
//   - In and NotIn send one parameter per value, and a statement takes at
//     most 65535, so a longer list fails before anything is sent, naming
//     the count; InArray and NotInArray send any number as one array
//     parameter (column = ANY($1)) and match the same rows.
//   - Like and ILike patterns are sent as given, wildcards included;
//     [EscapeLike] makes user input match literally.
//   - A timestamp without time zone stores a wall clock and no zone, so the
//     times sent to such a column (by generated code, and by the columns
//     [NewTimestampColumn] makes) are converted to UTC first: a time read
//     back is the instant written. Raw SQL written with [SQL] is sent as
//     given.
//
// Inserts (Insert, InsertMany, Upsert, UpsertMany, CopyFrom) never drop a
// value the caller set. A field that is not its type's zero value is
// always sent. A zero field of a column with a default (DEFAULT, identity
// BY DEFAULT, serial) lets the database fill it: the row gets DEFAULT, row
// by row, so one row of InsertMany may take the default while the next
// sets a value. Naming the column in the call (the with arguments) sends
// its zero value too: false over DEFAULT true, 0 over DEFAULT 1. Generated,
// and identity ALWAYS, columns are never sent. COPY cannot say DEFAULT,
// so CopyFrom refuses rows that disagree on a defaulted column, and an
// upsert's SetExcluded refuses a column some row does not send, each with
// an error naming the column, before anything is sent. Generated code
// decides zero-ness with each field's own test (r.Role != "", r.ID != 0,
// !r.CreatedAt.IsZero(), nil for pointers, slices and maps).
//
// PostgreSQL's own operators exist on the columns of their types, which
// the generator picks from the SQL type: an [ArrayColumn] has Contains
// (@>), ContainedBy (<@), Overlaps (&&) and Has (= ANY); a [JSONColumn]
// has Get (->), Text (->>, a [JSONText] to compare or select), Contains
// (@>), HasKey (?), HasAnyKey (?|), HasAllKeys (?&), PathExists (@?) and
// PathMatch (@@); a [RangeColumn] has Contains, ContainsElem, ContainedBy
// and Overlaps; a [TextColumn] has Search (full-text search, see
// [WebSearch]). In drizzle-orm's words:
//
//	arrayContains(posts.tags, ["go"])        db.Posts.Tags.Contains([]string{"go"})
//	sql`${users.prefs}->>'lang' = 'en'`      db.Users.Prefs.Text("lang").Eq("en")
//	db.transaction(fn, {isolationLevel})     pg.InTxWith(ctx, pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
//
// [Keyset2] and [Keyset3] page through rows with a row comparison,
// ("created_at", "id") < ($1, $2), in the direction of their order.
// [InTxWith] begins a transaction with an isolation level, read-only or
// deferrable, and [RetryTx] runs it again after a serialization failure or
// a deadlock, a bounded number of times.
//
// Relation fields of the row structs (tagged rel: in the schema) are
// loaded with With, nested and filtered per level, one query per level
// (drizzle's findMany({with: ...})):
//
//	users, err := q.Users.Select().With(
//		db.Users.Posts.Where(db.Posts.DeletedAt.IsNull()).OrderBy(db.Posts.ID.Desc()).Limit(5).
//			With(db.Posts.Comments),
//	).All(ctx)
//
// A column tagged gen:Func in the schema gets Func() when an insert finds
// its field zero (drizzle's $defaultFn), and one tagged onupdate:now() (or
// onupdate:gen:Func) is set by every update that does not set it itself
// (drizzle's $onUpdate): UpdateQuery, UpdateRow, UpdateMany and an
// upsert's DoUpdate.
//
// Beyond Exec and Returning, updates and deletes have ReturningOne (one
// row meant: ErrNotFound for none, ErrNotOne for more), [Returning1] to
// [Returning3] for chosen values, and From and Using for another table.
// Generated UpdateRow and UpdateMany write rows back by primary key, one
// or many in one statement, refusing a zero key. [OnConflictExpr] and
// IndexWhere target expression and partial unique indexes. A [Batch]
// sends typed queries in one round trip:
//
//	b := pg.NewBatch()
//	u := q.Users.Select().Where(db.Users.ID.Eq(id)).QueueFirst(b)
//	n := q.Posts.Update().Set(...).Where(...).Queue(b)
//	err := b.Send(ctx, q.DB())
//	user, err := u.Get()
//
// [WithReplicas] is a DBTX over a primary and its read replicas: the
// statements that only read go to the replicas in turn, everything else
// (writes, locks, transactions, batches, COPY) to the primary, and a
// context made with [OnPrimary] asks a read of the primary:
//
//	q := db.New(pg.WithReplicas(primary, replica))
//	user, err := q.Users.Get(pg.OnPrimary(ctx), id)
//
// Generated code also imports package pgimpl, which holds what only it
// calls (the table descriptions, the relation loaders) and carries the
// version assertion that keeps generated code and runtime in step.
package pg
