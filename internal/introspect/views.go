package introspect

import (
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// viewsQuery reads views and materialized views with one row per column in
// attnum order: the query as pg_get_viewdef prints it without
// pretty-printing (computed once per view), the options, whether a
// materialized view holds rows, the comments (by subqueries, as
// columnsQuery reads them, and for the same reason), and each column's type as columnsQuery reads it.
const viewsQuery = `WITH v AS MATERIALIZED (
	SELECT c.oid, n.nspname::text AS nsp, c.relname::text AS rel, c.relkind = 'm' AS materialized,
		coalesce(pg_catalog.pg_get_viewdef(c.oid, false), '') AS def,
		coalesce(c.reloptions::text[], '{}') AS options, c.relispopulated,
		coalesce((SELECT d.description FROM pg_catalog.pg_description d
			WHERE d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0), '') AS comment
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY ($1::text[])
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
			WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid AND dep.deptype = 'e')
)
SELECT v.nsp, v.rel, v.materialized, v.def, v.options, v.relispopulated, v.comment,
	coalesce(a.attnum, 0)::int, coalesce(a.attname::text, ''),
	coalesce(bt.oid <> t.oid, false),
	coalesce(bt.typtype::text, ''), coalesce(bn.nspname::text, ''), coalesce(bt.typname::text, ''),
	coalesce(pg_catalog.format_type(bt.oid, a.atttypmod), ''),
	coalesce(pg_catalog.quote_ident(bn.nspname), ''),
	coalesce(EXISTS (SELECT FROM pg_catalog.pg_depend dep
		WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.objid = bt.oid AND dep.deptype = 'e'), false),
	coalesce((SELECT cd.description FROM pg_catalog.pg_description cd
		WHERE cd.objoid = v.oid AND cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND cd.objsubid = a.attnum), '')
FROM v
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END
LEFT JOIN pg_catalog.pg_namespace bn ON bn.oid = bt.typnamespace
ORDER BY v.nsp COLLATE "C", v.rel COLLATE "C", a.attnum`

func (in *inspector) viewRow(r row) error {
	var (
		nsp, rel, def, comment string
		materialized, filled   bool
		options                []string
		attnum                 int32
		name, colComment       string
		ct                     catalogType
	)
	err := r.Scan(&nsp, &rel, &materialized, &def, &options, &filled, &comment, &attnum, &name,
		&ct.array, &ct.typtype, &ct.schema, &ct.name, &ct.format, &ct.quotedSchema, &ct.extension, &colComment)
	if err != nil {
		return err
	}
	key := relKey{schema: nsp, name: rel}
	v := in.views[key]
	if v == nil {
		def = strings.TrimSpace(def)
		for strings.HasSuffix(def, ";") {
			def = strings.TrimSpace(strings.TrimSuffix(def, ";"))
		}
		v = &schema.View{Schema: nsp, Name: rel, Materialized: materialized, Definition: def,
			WithNoData: materialized && !filled, Comment: comment, Columns: []*schema.Column{}}
		in.viewOptions(v, options)
		in.views[key] = v
		in.m.Views = append(in.m.Views, v)
	}
	if attnum == 0 {
		return nil
	}
	col := &schema.Column{Name: name, Comment: colComment}
	var why string
	col.Type, why = ct.modelType()
	if why != "" {
		in.report(TypeColumn, quote.Ident(nsp, rel, name), why)
	}
	v.Columns = append(v.Columns, col)
	return nil
}

// viewOptions reads a view's reloptions into its options; what the model
// has no place for (a materialized view's storage parameters) is reported.
func (in *inspector) viewOptions(v *schema.View, options []string) {
	var other []string
	for _, o := range options {
		key, val, _ := strings.Cut(o, "=")
		on := false
		switch strings.ToLower(val) {
		case "true", "on", "yes", "1", "t", "y":
			on = true
		}
		switch {
		case v.Materialized:
			other = append(other, o)
		case key == "security_invoker":
			v.Options.SecurityInvoker = on
		case key == "security_barrier":
			v.Options.SecurityBarrier = on
		case key == "check_option" && (val == schema.CheckLocal || val == schema.CheckCascaded):
			v.Options.CheckOption = val
		default:
			other = append(other, o)
		}
	}
	if len(other) > 0 {
		in.report(StorageParameters, quote.Ident(v.Schema, v.Name), strings.Join(other, ", "))
	}
}
