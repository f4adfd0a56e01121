package introspect

// The catalog queries Inspect issues, in order. Each reads one kind of
// object for every selected schema at once, so their number does not grow
// with the database. All of them take the selected schema names as $1
// (text[]), the result of schemasQuery; none is built from user values.
//
// Names are ordered with COLLATE "C" so that rows arrive in the byte order
// schema.Model.Sort uses, whatever the database's collation.
//
// Objects that belong to an extension (a pg_depend row with deptype 'e') are
// left out everywhere: they are the extension's, and CREATE EXTENSION
// recreates them.

// schemasQuery reads the server version (which decides the text of
// indexesQuery and constraintsQuery) and the schemas to read: those named in
// $1, or when $1 is empty every schema but the system's and those created by
// extensions. It returns one row whatever the database holds.
const schemasQuery = `SELECT pg_catalog.current_setting('server_version_num')::int,
	coalesce(array_agg(n.nspname::text ORDER BY n.nspname COLLATE "C"), '{}')
FROM pg_catalog.pg_namespace n
WHERE CASE WHEN coalesce(cardinality($1::text[]), 0) > 0 THEN n.nspname = ANY ($1::text[])
	ELSE n.nspname NOT IN ('pg_catalog', 'information_schema')
		AND n.nspname NOT LIKE 'pg\_toast%'
		AND n.nspname NOT LIKE 'pg\_temp\_%'
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND dep.objid = n.oid AND dep.deptype = 'e')
	END`

// extensionsQuery reads the extensions installed in the selected schemas,
// but plpgsql, which every database has. The version is read only when it
// is not the one CREATE EXTENSION installs by default, as a schema that
// names none means that one.
const extensionsQuery = `SELECT x.extname::text, n.nspname::text,
	CASE WHEN x.extversion IS DISTINCT FROM a.default_version THEN x.extversion::text ELSE '' END
FROM pg_catalog.pg_extension x
JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = x.extname
WHERE x.extname <> 'plpgsql' AND n.nspname = ANY ($1::text[])
ORDER BY x.extname COLLATE "C"`

// enumsQuery reads enum types with their labels in sort order and their
// comments.
const enumsQuery = `SELECT n.nspname::text, t.typname::text,
	coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}'),
	coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), '')
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.objid = t.oid AND dep.deptype = 'e')
GROUP BY n.nspname, t.typname, t.oid
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"`

// columnsQuery reads ordinary and partitioned tables (partitions are read
// with their table, by othersQuery) with one row per column in attnum
// order, and a row with a null attnum for a table without columns. A
// partitioned table's rows carry its partition key as pg_get_partkeydef
// prints it ("RANGE (at)"), a plain table's an empty text.
//
// For an array column the element type is described (bt), since the model
// spells arrays as their element type plus a flag. format_type of the element
// type with the column's typmod gives the element with its modifier, which is
// how varchar(20)[] keeps its length.
//
// A column's storage is read when it is not its type's (SET STORAGE), and its
// statistics target, -1 (or null, from PostgreSQL 17) unless SET STATISTICS.
// The table's comment comes with each of its rows (looked up once per
// table, joined before the columns), the column's with its, each read by a
// lookup on pg_description's unique index: obj_description
// and col_description would run a query of their own for each row, and a
// join leaves the choice of plan to pg_description's statistics, which are
// stale after many objects are made at once (then PostgreSQL reads the whole
// table for every column: 1.3 s of a quiet server at 1,000 tables, against
// a few milliseconds for the lookups).
//
// A column is serial when its default is exactly nextval() of a sequence the
// column owns with an 'a' (auto) dependency, which is what the serial
// pseudo-types create; the comparison is of texts made by the same session,
// so the search path cannot make them differ, and it is made only for a
// column that owns such a sequence, as deparsing a default costs. The
// sequences columns own are found in one pass over pg_depend and joined: a
// lookup for each column was a fifth of the query's time.
const columnsQuery = `SELECT n.nspname::text, c.relname::text, c.relpersistence::text,
	coalesce(a.attnum, 0)::int, coalesce(a.attname::text, ''),
	coalesce(a.attnotnull, false), coalesce(a.attidentity::text, ''), coalesce(a.attgenerated::text, ''),
	coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), ''),
	coalesce(bt.oid <> t.oid, false),
	coalesce(bt.typtype::text, ''), coalesce(bn.nspname::text, ''), coalesce(bt.typname::text, ''),
	coalesce(pg_catalog.format_type(bt.oid, a.atttypmod), ''),
	coalesce(pg_catalog.quote_ident(bn.nspname), ''),
	coalesce(EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.objid = bt.oid AND dep.deptype = 'e'), false),
	coalesce(sq.nspname, ''), coalesce(sq.relname, ''),
	coalesce(CASE WHEN sq.oid IS NOT NULL THEN
		pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) = pg_catalog.format('nextval(%L::regclass)', sq.oid::pg_catalog.regclass) END, false),
	coalesce(CASE WHEN a.attcollation <> t.typcollation THEN
		(SELECT co.collname::text FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END, ''),
	coalesce(CASE WHEN a.attstorage <> t.typstorage THEN
		CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END, ''),
	coalesce(a.attstattarget::int, -1),
	c.relrowsecurity, c.relforcerowsecurity,
	coalesce(td.description, ''),
	coalesce((SELECT cd.description FROM pg_catalog.pg_description cd
		WHERE cd.objoid = c.oid AND cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND cd.objsubid = a.attnum), ''),
	CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (SELECT td.description FROM pg_catalog.pg_description td
	WHERE td.objoid = c.oid AND td.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND td.objsubid = 0) td ON true
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END
LEFT JOIN pg_catalog.pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN (
	SELECT DISTINCT ON (d.refobjid, d.refobjsubid) d.refobjid, d.refobjsubid, s.oid, sn.nspname::text, s.relname::text
	FROM pg_catalog.pg_depend d
	JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
	JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
	WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
		AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a'
	ORDER BY d.refobjid, d.refobjsubid, s.oid
) sq ON sq.refobjid = c.oid AND sq.refobjsubid = a.attnum
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", a.attnum`

// policiesQuery reads the row security policies of the tables columnsQuery
// reads (those of other tables are reported by othersQuery). The roles come
// sorted, none for PUBLIC (OID 0, which names every role, so that a role
// named next to it adds nothing); the expressions are deparsed without
// pretty-printing, as PostgreSQL compares nothing else.
const policiesQuery = `SELECT n.nspname::text, c.relname::text, pol.polname::text, pol.polpermissive, pol.polcmd::text,
	CASE WHEN 0::pg_catalog.oid = ANY (pol.polroles) THEN '{}'::text[] ELSE ARRAY(
		SELECT pg_catalog.pg_get_userbyid(r)::text FROM unnest(pol.polroles) r ORDER BY pg_catalog.pg_get_userbyid(r)::text COLLATE "C") END,
	coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), ''),
	coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), '')
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", pol.polname COLLATE "C"`

// sequencesQuery reads every sequence with its options: the standalone
// ones of the selected schemas, and those a column of a table
// columnsQuery reads owns ('a' for a serial column or OWNED BY, 'i' for an
// identity column), with that column.
const sequencesQuery = `SELECT n.nspname::text, c.relname::text, pg_catalog.format_type(s.seqtypid, NULL),
	s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
	coalesce(o.deptype::text, ''), coalesce(tn.nspname::text, ''), coalesce(t.relname::text, ''), coalesce(a.attname::text, '')
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend o ON o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objid = c.oid
	AND o.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class t ON t.oid = o.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid
WHERE CASE WHEN o.objid IS NULL THEN n.nspname = ANY ($1::text[])
		ELSE t.relkind IN ('r', 'p') AND NOT t.relispartition AND tn.nspname = ANY ($1::text[]) END
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`

// constraintsQuery reads primary keys, unique, check, foreign key and
// exclusion constraints (the last to report them) of the tables
// columnsQuery reads. A constraint with a parent (conparentid) is one
// PostgreSQL made from it: a foreign key to a partitioned table has one
// per partition, on the referencing table. The constrained columns (and
// those ON DELETE SET NULL or SET DEFAULT sets) come as attribute numbers
// in key order, named in Go from the columns columnsQuery read: naming
// them here, a subquery per constraint, was half the query's time. The
// referenced columns of a foreign key are named here, since the
// referenced table may be in a schema not read. A check's expression is
// deparsed without pretty-printing, as pg_dump does: every operation in
// parentheses, so that the text parses back to the same tree (a pretty
// deparse prints a AND (b AND c) as a AND b AND c, which parses to a flat
// chain). The parentheses around the whole are taken off in Go. {{nullsNotDistinct}} stands for the
// nulls-not-distinct flag of the constraint's index, {{delSetCols}} for the
// columns ON DELETE SET NULL or SET DEFAULT sets when not all (see
// queryText).
const constraintsQuery = `SELECT n.nspname::text, c.relname::text, k.conname::text, k.contype::text,
	coalesce(k.conkey, '{}'),
	coalesce(CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_expr(k.conbin, k.conrelid, false) END, ''),
	coalesce(rn.nspname::text, ''), coalesce(r.relname::text, ''),
	CASE WHEN k.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(attnum, i)
		JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.i) ELSE '{}' END,
	k.confdeltype::text, k.confupdtype::text, k.confmatchtype::text,
	k.condeferrable, k.convalidated, k.connoinherit,
	coalesce({{nullsNotDistinct}}, false),
	coalesce({{delSetCols}}, '{}')
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
LEFT JOIN pg_catalog.pg_index x ON x.indexrelid = k.conindid AND k.contype = 'u'
WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conparentid = 0
	AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", k.conname COLLATE "C"`

// indexesQuery reads the indexes that back no constraint (those are read as
// constraints), one row per index column in order; columns past indnkeyatts
// are INCLUDE columns. A materialized view's indexes are read too.
//
// An operator class is named only when it is not the one PostgreSQL would
// pick, as pg_get_indexdef does. The rule approximates GetDefaultOpClass: the
// class must be marked default for its access method, and be for the key's
// type itself unless no default class is (then it was found by binary
// coercion, like text_ops for varchar or array_ops for integer[]). The key's
// type is the table column's, with a domain resolved to its base type, or
// the index column's for an expression.
//
// Predicates and expressions are deparsed without pretty-printing, like
// checks (see constraintsQuery).
//
// {{nullsNotDistinct}} stands for the index's nulls-not-distinct flag (see
// queryText).
const indexesQuery = `SELECT n.nspname::text, c.relname::text, i.relname::text, x.indisunique, x.indisvalid,
	am.amname::text, coalesce(pg_catalog.pg_get_expr(x.indpred, x.indrelid, false), ''), coalesce({{nullsNotDistinct}}, false),
	k.i > x.indnkeyatts, coalesce(ta.attname::text, ''),
	CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(x.indexrelid, k.i::int, false) ELSE '' END,
	coalesce(CASE WHEN NOT (oc.opcdefault AND (oc.opcintype = kt.oid OR NOT EXISTS (
		SELECT FROM pg_catalog.pg_opclass o2
		WHERE o2.opcmethod = oc.opcmethod AND o2.opcdefault AND o2.opcintype = kt.oid)))
		THEN oc.opcname::text END, ''),
	coalesce(k.opt, 0)::int
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = i.relam
CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[], x.indoption::int2[])
	WITH ORDINALITY k(attnum, opc, opt, i)
LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = x.indrelid AND ta.attnum = k.attnum AND k.attnum > 0
LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = x.indexrelid AND ia.attnum = k.i
LEFT JOIN pg_catalog.pg_type ct ON ct.oid = coalesce(ta.atttypid, ia.atttypid)
LEFT JOIN pg_catalog.pg_type kt ON kt.oid = CASE WHEN ct.typtype = 'd' THEN ct.typbasetype ELSE ct.oid END
LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = k.opc
WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k2
		WHERE k2.conindid = x.indexrelid AND k2.contype IN ('p', 'u', 'x'))
	AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", i.relname COLLATE "C", k.i`

// othersQuery lists, for the report, what the selected schemas hold that
// the model has no place for: objects (aggregates, rules, domains, ...) and
// the settings of the tables it does read (grants, storage parameters,
// comments, ...). Each row is a kind (a Kind's
// value), the object's schema and name, a sub-object (a column, trigger,
// rule, policy, index or constraint of the table) and details whose meaning
// depends on the kind: a function's argument types, the schema and name of
// an inheriting table's parent or of the table an extended statistics
// object is on, what a comment is on, or the setting as SQL would write it.
//
// Sequences are read by sequencesQuery. Array types,
// multirange types and the constructor functions of range types come with
// the types they belong to (an 'i' dependency for the functions) and are not
// listed.
//
// t is the tables columnsQuery reads and the views viewsQuery reads (a
// view's options are read, a materialized view's storage parameters
// reported, by viewsQuery). A grant is an entry of the table's or column's
// ACL for a role other than the owner.
const othersQuery = `WITH t AS (
	SELECT c.oid, n.nspname::text AS nsp, c.relname::text AS rel, c.relacl, c.relowner, c.reloptions,
		c.relreplident, c.relkind
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
)
SELECT kind, schema_name, name, sub, detail_schema, detail FROM (
	SELECT CASE
			WHEN c.relispartition THEN 'partition'
			WHEN c.relkind = 'f' THEN 'foreign table'
			WHEN c.relkind = 'c' THEN 'composite type'
			ELSE 'partition'
		END AS kind, n.nspname::text AS schema_name, c.relname::text AS name,
		coalesce(p.relname::text, '') AS sub, coalesce(pn.nspname::text, '') AS detail_schema,
		CASE WHEN c.relispartition THEN coalesce(pg_catalog.pg_get_expr(c.relpartbound, c.oid), '') ||
			CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END
			ELSE '' END AS detail
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_catalog.pg_inherits h ON h.inhrelid = c.oid AND c.relispartition
	LEFT JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
	LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
	WHERE (n.nspname = ANY ($1::text[]) OR pn.nspname = ANY ($1::text[]))
		AND (c.relkind IN ('f', 'c')
			OR (c.relispartition AND c.relkind IN ('r', 'p')))
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
	UNION ALL
	SELECT 'inheritance', t.nsp, t.rel, '', pn.nspname::text, p.relname::text
	FROM t
	JOIN pg_catalog.pg_inherits h ON h.inhrelid = t.oid
	JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
	JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
	UNION ALL
	SELECT 'trigger', n.nspname::text, c.relname::text, tg.tgname::text, '', ''
	FROM pg_catalog.pg_trigger tg
	JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE NOT tg.tgisinternal AND n.nspname = ANY ($1::text[]) AND (c.relkind NOT IN ('r', 'p') OR c.relispartition)
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
		-- A partition's copy of its table's trigger is the table's.
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND dep.objid = tg.oid AND dep.deptype = 'P')
	UNION ALL
	SELECT 'rule', n.nspname::text, c.relname::text, r.rulename::text, '', ''
	FROM pg_catalog.pg_rewrite r
	JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE r.rulename <> '_RETURN' AND n.nspname = ANY ($1::text[])
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
	UNION ALL
	SELECT 'policy', n.nspname::text, c.relname::text, pol.polname::text, '', ''
	FROM pg_catalog.pg_policy pol
	JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = ANY ($1::text[]) AND (c.relkind NOT IN ('r', 'p') OR c.relispartition)
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
	UNION ALL
	SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END,
		n.nspname::text, p.proname::text, '', '', pg_catalog.pg_get_function_identity_arguments(p.oid)
	FROM pg_catalog.pg_proc p
	JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('a', 'w')
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dep.objid = p.oid AND dep.deptype IN ('e', 'i'))
	UNION ALL
	SELECT CASE ty.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' ELSE 'type' END,
		n.nspname::text, ty.typname::text, '', '', ''
	FROM pg_catalog.pg_type ty
	JOIN pg_catalog.pg_namespace n ON n.oid = ty.typnamespace
	WHERE ty.typtype IN ('b', 'd', 'r') AND NOT (ty.typelem <> 0 AND ty.typlen = -1)
		AND n.nspname = ANY ($1::text[])
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.objid = ty.oid AND dep.deptype = 'e')
	UNION ALL
	SELECT 'replica identity', t.nsp, t.rel, '', '', CASE t.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
		ELSE 'USING INDEX ' || coalesce((SELECT pg_catalog.quote_ident(i.relname) FROM pg_catalog.pg_index x
			JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = t.oid AND x.indisreplident), '') END
	FROM t WHERE t.relreplident <> 'd' AND t.relkind = 'r'
	UNION ALL
	SELECT 'grant', t.nsp, t.rel, '', '', g.privileges
	FROM t
	CROSS JOIN LATERAL (
		SELECT pg_catalog.string_agg(x.privilege_type || ' to ' ||
			CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END,
			', ' ORDER BY x.grantee, x.privilege_type) AS privileges
		FROM pg_catalog.aclexplode(t.relacl) x WHERE x.grantee <> t.relowner
	) g
	WHERE t.relacl IS NOT NULL AND g.privileges IS NOT NULL
	UNION ALL
	SELECT 'grant', t.nsp, t.rel, a.attname::text, '', g.privileges
	FROM t
	JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
	CROSS JOIN LATERAL (
		SELECT pg_catalog.string_agg(x.privilege_type || ' to ' ||
			CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END,
			', ' ORDER BY x.grantee, x.privilege_type) AS privileges
		FROM pg_catalog.aclexplode(a.attacl) x WHERE x.grantee <> t.relowner
	) g
	WHERE g.privileges IS NOT NULL
	UNION ALL
	SELECT 'storage parameters', t.nsp, t.rel, '', '', pg_catalog.array_to_string(t.reloptions, ', ')
	FROM t WHERE t.reloptions IS NOT NULL AND t.relkind = 'r'
	UNION ALL
	SELECT 'storage parameters', t.nsp, t.rel, i.relname::text, '', pg_catalog.array_to_string(i.reloptions, ', ')
	FROM t
	JOIN pg_catalog.pg_index x ON x.indrelid = t.oid
	JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
	WHERE i.reloptions IS NOT NULL
	UNION ALL
	SELECT 'cluster on', t.nsp, t.rel, i.relname::text, '', ''
	FROM t
	JOIN pg_catalog.pg_index x ON x.indrelid = t.oid AND x.indisclustered
	JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
	UNION ALL
	SELECT 'statistics', sn.nspname::text, st.stxname::text, '', t.nsp, t.rel
	FROM t
	JOIN pg_catalog.pg_statistic_ext st ON st.stxrelid = t.oid
	JOIN pg_catalog.pg_namespace sn ON sn.oid = st.stxnamespace
	UNION ALL
	SELECT 'comment', t.nsp, t.rel, i.relname::text, '', 'index'
	FROM t
	JOIN pg_catalog.pg_index x ON x.indrelid = t.oid
	JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
	JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objoid = i.oid AND d.objsubid = 0
	UNION ALL
	SELECT 'comment', t.nsp, t.rel, k.conname::text, '', 'constraint'
	FROM t
	JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid
	JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objoid = k.oid
	UNION ALL
	SELECT 'partition settings', s.nsp, s.rel, '', '', s.settings FROM (
		SELECT n.nspname::text AS nsp, c.relname::text AS rel, pg_catalog.concat_ws(', ',
			CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_index x WHERE x.indrelid = c.oid
				AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhrelid = x.indexrelid)) THEN 'indexes of its own' END,
			CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.conparentid = 0 AND k.coninhcount = 0
				AND k.contype IN ('p', 'u', 'f', 'c', 'x')) THEN 'constraints of its own' END,
			CASE WHEN c.relrowsecurity OR c.relforcerowsecurity THEN 'row level security' END,
			CASE WHEN c.relacl IS NOT NULL THEN 'privileges' END,
			CASE WHEN c.reloptions IS NOT NULL THEN 'storage parameters' END,
			CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,
			CASE WHEN c.relreplident <> 'd' THEN 'replica identity' END,
			CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_description d WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
				AND d.objoid = c.oid) THEN 'comments' END) AS settings
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relispartition AND c.relkind = 'r' AND n.nspname = ANY ($1::text[])
	) s WHERE s.settings <> ''
) o
ORDER BY kind, schema_name COLLATE "C", name COLLATE "C", sub COLLATE "C", detail_schema COLLATE "C", detail COLLATE "C"`
