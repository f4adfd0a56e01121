package studio

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// catalogRoutes registers the API of the sidebar (schemas, tables, views
// and their estimated row counts) and a table's description (columns,
// keys, indexes, constraints, enums).
func (s *Server) catalogRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/relations", s.api(s.handleRelations))
	mux.HandleFunc("GET /api/table", s.api(s.handleTable))
}

// relation is a table, a view, a materialized view, a partitioned or a
// foreign table, as the sidebar lists it.
type relation struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	// Estimate is the planner's row count (pg_class.reltuples): null for
	// a view, and for a relation never vacuumed or analyzed, whose
	// reltuples is -1. The sidebar never counts rows.
	Estimate *int64 `json:"estimate"`
}

// relKinds spells pg_class.relkind as the API does, for the kinds the
// studio shows.
const relKinds = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'matview' WHEN 'p' THEN 'partitioned' WHEN 'f' THEN 'foreign' END`

// userSchemas keeps the schemas a person browses: not the catalogs, the
// TOAST schemas or other sessions' temporary schemas.
const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`

// relationsSQL lists every user schema, and in the same statement the
// relations whose name holds $1 (case-insensitively; all of them when
// $1 is empty): a schema without a match still comes back, once, with
// NULL columns, so that one catalog query answers the sidebar.
const relationsSQL = `SELECT n.nspname, c.relname, ` + relKinds + `,
       CASE WHEN c.relkind <> 'v' AND c.reltuples >= 0 THEN c.reltuples::bigint END
  FROM pg_catalog.pg_namespace n
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
       AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
       AND pg_catalog.strpos(pg_catalog.lower(c.relname), pg_catalog.lower($1::text)) > 0
 WHERE ` + userSchemas + `
 ORDER BY n.nspname, c.relname`

// handleRelations answers the sidebar: the schemas, and the relations
// whose name holds ?q=, with their estimated row counts.
func (s *Server) handleRelations(w http.ResponseWriter, r *http.Request) (any, error) {
	res, err := s.collect(r.Context(), s.pool, relationsSQL, []any{r.URL.Query().Get("q")}, math.MaxInt, math.MaxInt)
	if err != nil {
		return nil, err
	}
	out := struct {
		Schemas   []string   `json:"schemas"`
		Relations []relation `json:"relations"`
	}{Schemas: []string{}, Relations: []relation{}}
	for _, row := range res.Rows {
		if n := len(out.Schemas); n == 0 || out.Schemas[n-1] != *row[0] {
			out.Schemas = append(out.Schemas, *row[0])
		}
		if row[1] == nil {
			continue // a schema with no (matching) relation
		}
		rel := relation{Schema: *row[0], Name: *row[1], Kind: *row[2]}
		if row[3] != nil {
			n, err := strconv.ParseInt(*row[3], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("the estimate of %s: %v", quote.Ident(rel.Schema, rel.Name), err)
			}
			rel.Estimate = &n
		}
		out.Relations = append(out.Relations, rel)
	}
	return out, nil
}

// tableDesc is a relation's description, as GET /api/table sends it;
// the unexported fields are what the data grid's queries need besides.
type tableDesc struct {
	Schema       string           `json:"schema"`
	Name         string           `json:"name"`
	Kind         string           `json:"kind"`
	Estimate     *int64           `json:"estimate"`
	Editable     bool             `json:"editable"`
	Comment      string           `json:"comment"`
	Columns      []*columnDesc    `json:"columns"`
	PrimaryKey   []string         `json:"primary_key"`
	ForeignKeys  []foreignKeyDesc `json:"foreign_keys"`
	ReferencedBy []referenceDesc  `json:"referenced_by"`
	Indexes      []indexDesc      `json:"indexes"`
	Constraints  []constraintDesc `json:"constraints"`
	Triggers     []triggerDesc    `json:"triggers"`
	Policies     []policyDesc     `json:"policies"`
	RLS          struct {
		Enabled bool `json:"enabled"`
		Forced  bool `json:"forced"`
	} `json:"rls"`

	// uniqueKey is the columns of the narrowest valid unique index on
	// plain NOT NULL columns without a predicate: a key that identifies
	// a row like a primary key does, for a table that has none.
	uniqueKey []string
	byName    map[string]*columnDesc
}

// columnDesc is a column of a relation.
type columnDesc struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"` // format_type, with the modifier: "character varying(20)"
	Nullable   bool     `json:"nullable"`
	Default    *string  `json:"default"`
	PK         bool     `json:"pk"`
	Identity   string   `json:"identity"` // "", "a" (always) or "d" (by default)
	Generated  bool     `json:"generated"`
	Enum       []string `json:"enum"` // the labels, in order, of an enum column
	FK         *fkRef   `json:"fk"`
	AppDefault bool     `json:"app_default"`
	Comment    string   `json:"comment"`

	oid      uint32
	castType string // the type, schema-qualified and quoted, to cast a text parameter to
	category string // pg_type.typcategory, of the base type for a domain
	// sliceable says that the column's ::text is its output function's
	// text (no cast function of its own, as bool's or inet's), so a long
	// value can be cut by the server before it travels.
	sliceable bool
}

// fkRef is the column a column references.
type fkRef struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
	Column string `json:"column"`
}

type foreignKeyDesc struct {
	Name       string   `json:"name"`
	Columns    []string `json:"columns"`
	RefSchema  string   `json:"ref_schema"`
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns"`
}

// referenceDesc is a foreign key of another table (or this one) that
// references this table.
type referenceDesc struct {
	Name       string   `json:"name"`
	Schema     string   `json:"schema"`
	Table      string   `json:"table"`
	Columns    []string `json:"columns"`     // the referencing table's
	RefColumns []string `json:"ref_columns"` // this table's
}

type indexDesc struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	Unique     bool   `json:"unique"`
	Primary    bool   `json:"primary"`
}

type constraintDesc struct {
	Name       string `json:"name"`
	Type       string `json:"type"` // "primary key", "unique", "foreign key", "check", "exclusion", "trigger", "not null"
	Definition string `json:"definition"`
}

type triggerDesc struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

type policyDesc struct {
	Name       string   `json:"name"`
	Command    string   `json:"command"` // ALL, SELECT, INSERT, UPDATE or DELETE
	Permissive bool     `json:"permissive"`
	Roles      []string `json:"roles"` // "public" for PUBLIC
	Using      *string  `json:"using"`
	Check      *string  `json:"check"`
}

// describeSQL returns the statement describing the relation $2 of
// schema $1 in one JSON document, built by the server: one round trip,
// one statement in the log. Its first column says whether the schema
// exists, for the error when the relation does not. Without full, it
// asks only for what the grid's statements need (the columns' names and
// types, the keys), which every page, count, cell and export reads
// again; full adds what only the description shows.
func describeSQL(full bool) string {
	sql := `SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1),
(SELECT json_build_object(
  'schema', n.nspname, 'name', c.relname, 'kind', ` + relKinds + `,
  'estimate', CASE WHEN c.relkind <> 'v' AND c.reltuples >= 0 THEN c.reltuples::bigint END,
`
	if full {
		sql += `  'comment', coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), ''),
  'rls', json_build_object('enabled', c.relrowsecurity, 'forced', c.relforcerowsecurity),
`
	}
	sql += `  'columns', (
    SELECT json_agg(json_build_object(
      'name', a.attname,
      'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
      'nullable', NOT a.attnotnull,
`
	if full {
		sql += `      'default', CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
`
	}
	sql += `      'pk', coalesce(a.attnum = ANY (pk.conkey), false),
      'identity', a.attidentity::text,
      'generated', a.attgenerated <> '',
`
	if full {
		sql += `      'enum', CASE WHEN t.typtype = 'e' THEN (
        SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END,
      'fk', (
        SELECT json_build_object('schema', rn.nspname, 'table', rc.relname, 'column', ra.attname)
          FROM pg_catalog.pg_constraint f
         CROSS JOIN LATERAL unnest(f.conkey, f.confkey) AS k(col, ref)
          JOIN pg_catalog.pg_class rc ON rc.oid = f.confrelid
          JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
          JOIN pg_catalog.pg_attribute ra ON ra.attrelid = f.confrelid AND ra.attnum = k.ref
         WHERE f.conrelid = c.oid AND f.contype = 'f' AND k.col = a.attnum
         ORDER BY f.conname LIMIT 1),
      'comment', coalesce(pg_catalog.col_description(c.oid, a.attnum), ''),
`
	}
	sql += `      'oid', a.atttypid::bigint,
      'type_schema', CASE WHEN arr.yes THEN en.nspname ELSE tn.nspname END,
      'type_name', CASE WHEN arr.yes THEN et.typname ELSE t.typname END,
      'type_array', arr.yes,
      'category', coalesce(bt.typcategory, t.typcategory),
      'sliceable', t.typlen = -1 AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_cast
         WHERE castsource = coalesce(bt.oid, t.oid) AND casttarget = 'pg_catalog.text'::pg_catalog.regtype AND castmethod = 'f')
    ) ORDER BY a.attnum)
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
      CROSS JOIN LATERAL (SELECT t.typelem <> 0 AND t.typlen = -1 AND t.typtype = 'b') AS arr(yes)
      LEFT JOIN pg_catalog.pg_type et ON arr.yes AND et.oid = t.typelem
      LEFT JOIN pg_catalog.pg_namespace en ON en.oid = et.typnamespace
      LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primary_key', (
    SELECT json_agg(a.attname ORDER BY k.i)
      FROM unnest(pk.conkey) WITH ORDINALITY AS k(num, i)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.num),
  'unique_key', (
    SELECT (SELECT json_agg(a.attname ORDER BY k.i)
              FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(num, i)
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.num)
      FROM pg_catalog.pg_index x
      JOIN pg_catalog.pg_class xc ON xc.oid = x.indexrelid
     WHERE x.indrelid = c.oid AND x.indisunique AND x.indisvalid AND x.indnatts = x.indnkeyatts
       AND x.indpred IS NULL AND x.indexprs IS NULL
       AND NOT EXISTS (
         SELECT FROM pg_catalog.pg_attribute a
          WHERE a.attrelid = c.oid AND a.attnum = ANY (x.indkey::int2[]) AND NOT a.attnotnull)
     ORDER BY x.indnkeyatts, xc.relname LIMIT 1)`
	if full {
		sql += `,
  'foreign_keys', coalesce((
    SELECT json_agg(json_build_object(
      'name', f.conname,
      'columns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(f.conkey) WITH ORDINALITY AS k(num, i)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.num),
      'ref_schema', rn.nspname, 'ref_table', rc.relname,
      'ref_columns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(f.confkey) WITH ORDINALITY AS k(num, i)
                        JOIN pg_catalog.pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.num)
    ) ORDER BY f.conname)
      FROM pg_catalog.pg_constraint f
      JOIN pg_catalog.pg_class rc ON rc.oid = f.confrelid
      JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     WHERE f.conrelid = c.oid AND f.contype = 'f'), '[]'),
  'referenced_by', coalesce((
    SELECT json_agg(json_build_object(
      'name', f.conname, 'schema', rn.nspname, 'table', rc.relname,
      'columns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(f.conkey) WITH ORDINALITY AS k(num, i)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.num),
      'ref_columns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(f.confkey) WITH ORDINALITY AS k(num, i)
                        JOIN pg_catalog.pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.num)
    ) ORDER BY rn.nspname, rc.relname, f.conname)
      FROM pg_catalog.pg_constraint f
      JOIN pg_catalog.pg_class rc ON rc.oid = f.conrelid
      JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     WHERE f.confrelid = c.oid AND f.contype = 'f'), '[]'),
  'indexes', coalesce((
    SELECT json_agg(json_build_object(
      'name', xc.relname, 'definition', pg_catalog.pg_get_indexdef(x.indexrelid),
      'unique', x.indisunique, 'primary', x.indisprimary
    ) ORDER BY xc.relname)
      FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class xc ON xc.oid = x.indexrelid
     WHERE x.indrelid = c.oid), '[]'),
  'constraints', coalesce((
    SELECT json_agg(json_build_object(
      'name', k.conname,
      'type', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
                WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'trigger' WHEN 'n' THEN 'not null'
                ELSE k.contype::text END,
      'definition', pg_catalog.pg_get_constraintdef(k.oid)
    ) ORDER BY k.conname)
      FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid), '[]'),
  'triggers', coalesce((
    SELECT json_agg(json_build_object('name', g.tgname, 'definition', pg_catalog.pg_get_triggerdef(g.oid)) ORDER BY g.tgname)
      FROM pg_catalog.pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal), '[]'),
  'policies', coalesce((
    SELECT json_agg(json_build_object(
      'name', p.polname,
      'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
      'permissive', p.polpermissive,
      'roles', (SELECT json_agg(CASE WHEN r.oid = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.oid)::text END ORDER BY r.i)
                  FROM unnest(p.polroles) WITH ORDINALITY AS r(oid, i)),
      'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
      'check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
    ) ORDER BY p.polname)
      FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid), '[]')`
	}
	return sql + `
)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f'))`
}

var (
	describeFull = describeSQL(true)
	describeGrid = describeSQL(false)
)

// describedColumn is a column as describeSQL writes it: the API's
// fields and what the grid's queries need besides.
type describedColumn struct {
	columnDesc
	OID        uint32 `json:"oid"`
	TypeSchema string `json:"type_schema"`
	TypeName   string `json:"type_name"`
	TypeArray  bool   `json:"type_array"`
	Category   string `json:"category"`
	Sliceable  bool   `json:"sliceable"`
}

// describe reads the description of the relation schema.name from the
// catalog, in full or as the grid needs it (see describeSQL); a
// relation or schema that does not exist is a 404 naming it.
func (s *Server) describe(ctx context.Context, schema, name string, full bool) (*tableDesc, error) {
	sql := describeGrid
	if full {
		sql = describeFull
	}
	res, err := s.collect(ctx, s.pool, sql, []any{schema, name}, 1, math.MaxInt)
	if err != nil {
		return nil, err
	}
	row := res.Rows[0]
	if row[1] == nil {
		if *row[0] != "t" {
			return nil, &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("no schema %s", quote.Ident(schema))}
		}
		return nil, &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("no table or view %s", quote.Ident(schema, name))}
	}
	var in struct {
		tableDesc
		Columns   []*describedColumn `json:"columns"`
		UniqueKey []string           `json:"unique_key"`
	}
	if err := json.Unmarshal([]byte(*row[1]), &in); err != nil {
		return nil, fmt.Errorf("reading the description of %s: %v", quote.Ident(schema, name), err)
	}
	d := &in.tableDesc
	d.Columns = make([]*columnDesc, len(in.Columns)) // [] for a table of no columns, never null
	d.byName = make(map[string]*columnDesc, len(in.Columns))
	for i, c := range in.Columns {
		col := &c.columnDesc
		col.oid, col.category, col.sliceable = c.OID, c.Category, c.Sliceable
		col.castType = quote.Ident(c.TypeSchema, c.TypeName)
		if c.TypeArray {
			col.castType += "[]"
		}
		d.Columns[i] = col
		d.byName[col.Name] = col
	}
	if d.PrimaryKey == nil {
		d.PrimaryKey = []string{}
	}
	d.uniqueKey = in.UniqueKey
	if len(d.PrimaryKey) > 0 {
		d.uniqueKey = d.PrimaryKey
	}
	d.Editable = (d.Kind == "table" || d.Kind == "partitioned") && len(d.PrimaryKey) > 0 && !s.opts.ReadOnly
	s.markAppDefaults(d)
	return d, nil
}

// markAppDefaults sets AppDefault on the columns the model gives a gen:
// function, whose value the application computes on insert.
func (s *Server) markAppDefaults(d *tableDesc) {
	if s.opts.Model == nil {
		return
	}
	for _, t := range s.opts.Model.Tables {
		if ts := cmp.Or(t.Schema, schema.DefaultSchema); ts != d.Schema || t.Name != d.Name {
			continue
		}
		for _, c := range t.Columns {
			if col := d.byName[c.Name]; col != nil && c.Gen != "" {
				col.AppDefault = true
			}
		}
	}
}

// handleTable answers a relation's description.
func (s *Server) handleTable(w http.ResponseWriter, r *http.Request) (any, error) {
	schema, name, err := relationParams(r)
	if err != nil {
		return nil, err
	}
	return s.describe(r.Context(), schema, name, true)
}

// relationParams reads the ?schema= and ?name= every table request
// carries.
func relationParams(r *http.Request) (schema, name string, err error) {
	q := r.URL.Query()
	schema, name = q.Get("schema"), q.Get("name")
	if schema == "" || name == "" {
		return "", "", badRequest("the request names no table: it needs ?schema= and ?name=")
	}
	return schema, name, nil
}
