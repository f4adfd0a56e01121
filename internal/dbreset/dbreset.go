// Package dbreset empties, or rebuilds from its migrations, the part of a
// database that a schema manages: mizzle reset.
//
// Truncate empties the schema's tables with one TRUNCATE ... RESTART
// IDENTITY CASCADE, after PlanTruncate has said which tables that empties,
// including the tables the schema does not declare that CASCADE reaches
// through their foreign keys. Recreate drops the managed schemas and the
// migrations' history table and applies every migration again, all in one
// transaction, after OutsideDependents has named what else that drop takes
// along. Check is the rule of which databases may be reset at all: a
// local one, the project's dev database, or one the caller names.
//
// The package changes a database only in Truncation.Run and Recreate,
// each one transaction: a refusal or a failure leaves the database as it
// was. It does not know about flags, prompts or printing (the CLI's), nor
// how the schema is loaded.
package dbreset

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// RefusedError is Check's refusal. It holds no password.
type RefusedError struct {
	Database string // the URL's
	Host     string // host:port of the URL, or of its first host
	// Force is the name the caller gave to reset the database anyway,
	// when it is not the URL's database; empty when the caller gave none.
	Force string
}

func (e *RefusedError) Error() string {
	if e.Force != "" {
		return fmt.Sprintf("the database of the URL is %q, not %q", e.Database, e.Force)
	}
	return fmt.Sprintf("database %q on %s is neither local nor the project's dev database", e.Database, e.Host)
}

// Check returns nil when the database of cfg may be reset: force names it,
// or, without force, every host of it is local (a loopback address,
// localhost or a Unix socket) or it is the dev database (devURL, "" when
// there is none). Otherwise a *RefusedError: a force that names another
// database is refused even for a local one, as the caller meant another.
func Check(cfg *pgconn.Config, devURL, force string) error {
	if force != "" {
		if force == cfg.Database {
			return nil
		}
		return &RefusedError{Database: cfg.Database, Host: hostPort(cfg), Force: force}
	}
	local := isLocal(cfg.Host)
	for _, fb := range cfg.Fallbacks {
		local = local && isLocal(fb.Host)
	}
	if local {
		return nil
	}
	if devURL != "" {
		if dev, err := pgconn.ParseConfig(devURL); err == nil && dev.Host == cfg.Host && dev.Port == cfg.Port && dev.Database == cfg.Database {
			return nil
		}
	}
	return &RefusedError{Database: cfg.Database, Host: hostPort(cfg)}
}

func isLocal(host string) bool {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hostPort(cfg *pgconn.Config) string {
	if strings.HasPrefix(cfg.Host, "/") {
		return fmt.Sprintf("%s (port %d)", cfg.Host, cfg.Port)
	}
	return net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

// Table is a table by schema and name.
type Table struct{ Schema, Name string }

// String is the table's quoted, qualified name.
func (t Table) String() string { return quote.Ident(t.Schema, t.Name) }

// Truncation is what Truncate will empty.
type Truncation struct {
	// Tables are the schema's tables, which the statement names.
	Tables []Table
	// Cascade are the tables the schema does not declare that the
	// statement empties too: they reference one of Tables with a foreign
	// key (CASCADE), or inherit from one, or reference or inherit from
	// such a table, and so on. Sorted.
	Cascade []Table
	// SQL is the one statement Run executes.
	SQL string
}

// PlanTruncate reads, changing nothing, what emptying the tables of m
// would empty. A table of m that the database does not have is an error
// naming it.
func PlanTruncate(ctx context.Context, conn *pgx.Conn, m *schema.Model) (*Truncation, error) {
	tables := make([]Table, len(m.Tables))
	for i, t := range m.Tables {
		tables[i] = Table{t.Schema, t.Name}
	}
	return PlanTruncateTables(ctx, conn, tables)
}

// PlanTruncateTables is PlanTruncate for some tables: those mizzle seed
// --reset fills, say. Cascade then holds every other table the statement
// empties, declared by the schema or not.
func PlanTruncateTables(ctx context.Context, conn *pgx.Conn, tables []Table) (*Truncation, error) {
	tr := &Truncation{Tables: tables}
	if len(tr.Tables) == 0 {
		return tr, nil
	}
	var missing []string
	for _, t := range tr.Tables {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", t.String()).Scan(&ok); err != nil {
			return nil, err
		}
		if !ok {
			missing = append(missing, t.String())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the database has no table %s: apply the migrations first (mizzle migrate), or rebuild it with reset --recreate",
			strings.Join(missing, ", "))
	}
	var err error
	if tr.Cascade, err = cascade(ctx, conn, tr.Tables); err != nil {
		return nil, err
	}
	names := make([]string, len(tr.Tables))
	for i, t := range tr.Tables {
		names[i] = t.String()
	}
	tr.SQL = "TRUNCATE " + strings.Join(names, ", ") + " RESTART IDENTITY CASCADE"
	return tr, nil
}

// cascadeQuery lists the tables outside $1 that TRUNCATE ... CASCADE of
// $1 empties: the tables that inherit from one it empties (a TRUNCATE
// without ONLY empties them), and those with a foreign key to one, followed
// as PostgreSQL follows them, until none is left. A partition is emptied
// with its partitioned table, so only tables that are not partitions are
// listed.
const cascadeQuery = `
WITH RECURSIVE reached(oid) AS (
	SELECT unnest($1::regclass[])::oid
	UNION
	SELECT x.oid FROM reached r, LATERAL (
		SELECT k.conrelid AS oid FROM pg_constraint k WHERE k.confrelid = r.oid AND k.contype = 'f'
		UNION ALL
		SELECT h.inhrelid FROM pg_inherits h WHERE h.inhparent = r.oid) x
)
SELECT n.nspname, c.relname
FROM reached r JOIN pg_class c ON c.oid = r.oid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.oid <> ALL ($1::regclass[]::oid[]) AND NOT c.relispartition
ORDER BY 1, 2`

func cascade(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, tables []Table) ([]Table, error) {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.String()
	}
	rows, err := q.Query(ctx, cascadeQuery, names)
	if err != nil {
		return nil, fmt.Errorf("reading the foreign keys that reference the tables: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Table, error) {
		var t Table
		err := r.Scan(&t.Schema, &t.Name)
		return t, err
	})
}

// Run empties the tables in one transaction (RunIn's).
func (tr *Truncation) Run(ctx context.Context, conn *pgx.Conn) error {
	if tr.SQL == "" {
		return nil
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return tr.RunIn(ctx, tx) })
}

// RunIn empties the tables inside tx, for a caller whose transaction does
// more (mizzle seed --reset fills them next). It first reads again what
// CASCADE reaches, and changes nothing when that is no longer what the
// plan said (a foreign key was added since).
func (tr *Truncation) RunIn(ctx context.Context, tx pgx.Tx) error {
	if tr.SQL == "" {
		return nil
	}
	now, err := cascade(ctx, tx, tr.Tables)
	if err != nil {
		return err
	}
	if !slices.Equal(now, tr.Cascade) {
		return fmt.Errorf("the tables that reference the ones to empty changed since they were listed; nothing was emptied: run again")
	}
	if _, err := tx.Exec(ctx, tr.SQL); err != nil {
		return fmt.Errorf("%s: %w", tr.SQL, err)
	}
	return nil
}

// outsideQuery lists the objects outside the schemas $1 that depend
// directly on a table, view, sequence, type or function in them, and that
// DROP SCHEMA ... CASCADE of $1 would therefore drop too: foreign keys and
// other constraints, views (by their rule), columns typed with one of
// their types, defaults, triggers and functions.
const outsideQuery = `
WITH managed AS (SELECT oid FROM pg_namespace WHERE nspname = ANY ($1)),
refs AS (
	SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
	WHERE d.deptype = 'n' AND (
		(d.refclassid = 'pg_class'::regclass AND (SELECT relnamespace FROM pg_class WHERE oid = d.refobjid) IN (SELECT oid FROM managed)) OR
		(d.refclassid = 'pg_type'::regclass AND (SELECT typnamespace FROM pg_type WHERE oid = d.refobjid) IN (SELECT oid FROM managed)) OR
		(d.refclassid = 'pg_proc'::regclass AND (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid) IN (SELECT oid FROM managed)))
),
dependents AS (
	SELECT CASE WHEN r.classid = 'pg_rewrite'::regclass
			THEN pg_describe_object('pg_class'::regclass, (SELECT ev_class FROM pg_rewrite WHERE oid = r.objid), 0)
			ELSE pg_describe_object(r.classid, r.objid, r.objsubid) END AS what,
		CASE r.classid
			WHEN 'pg_constraint'::regclass THEN (SELECT coalesce(nullif(connamespace, 0), (SELECT relnamespace FROM pg_class WHERE oid = conrelid)) FROM pg_constraint WHERE oid = r.objid)
			WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class WHERE w.oid = r.objid)
			WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = r.objid)
			WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = r.objid)
			WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.oid = r.objid)
			WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = r.objid)
			WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = r.objid)
		END AS ns
	FROM refs r
)
SELECT DISTINCT what FROM dependents
WHERE ns IS NOT NULL AND ns NOT IN (SELECT oid FROM managed)
	AND ns NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema') OR nspname LIKE 'pg\_toast%')
ORDER BY 1`

// OutsideDependents names, as PostgreSQL describes them ("constraint
// order_fk on table audit.log", "view report.totals"), what outside
// schemas depends on an object inside them and would be dropped with
// them by Recreate. It changes nothing.
func OutsideDependents(ctx context.Context, conn *pgx.Conn, schemas []string) ([]string, error) {
	rows, err := conn.Query(ctx, outsideQuery, schemas)
	if err != nil {
		return nil, fmt.Errorf("reading what depends on the schemas: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Recreate drops the schemas, with everything in them, and the history
// table of opts, then applies every migration of d, all in one
// transaction: it completes, or the database stays as it was. The public
// schema is created again with its owner, privileges and comment, since
// migrations take it as given. It returns the migrations applied.
func Recreate(ctx context.Context, conn *pgx.Conn, d *migrate.Dir, schemas []string, opts migrate.Options) ([]migrate.AppliedMigration, error) {
	history := opts.Table
	if history == (migrate.TableName{}) {
		history = migrate.DefaultTable
		if opts.Drizzle {
			history = migrate.DrizzleTable
		}
	}
	return d.ApplyInTx(ctx, conn, opts, func(ctx context.Context, tx pgx.Tx) error {
		for _, s := range schemas {
			if s == schema.DefaultSchema {
				if err := recreatePublic(ctx, tx); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote.Ident(s)+" CASCADE"); err != nil {
				return fmt.Errorf("dropping schema %s: %w", quote.Ident(s), err)
			}
		}
		if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+quote.Ident(history.Schema, history.Name)); err != nil {
			return fmt.Errorf("dropping the history table %s: %w", quote.Ident(history.Schema, history.Name), err)
		}
		return nil
	})
}

// recreatePublic drops the public schema and creates it again as it was:
// its owner, the privileges granted on it, its comment.
func recreatePublic(ctx context.Context, tx pgx.Tx) error {
	var owner string
	var comment *string
	err := tx.QueryRow(ctx, `SELECT pg_get_userbyid(nspowner), obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'public'`).Scan(&owner, &comment)
	if err == pgx.ErrNoRows {
		_, err = tx.Exec(ctx, "CREATE SCHEMA public")
		return err
	}
	if err != nil {
		return fmt.Errorf("reading schema public: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
		FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee <> n.nspowner`)
	if err != nil {
		return fmt.Errorf("reading the privileges on schema public: %w", err)
	}
	type grant struct {
		grantee   *string // nil for PUBLIC
		privilege string
		grantable bool
	}
	grants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (grant, error) {
		var g grant
		err := r.Scan(&g.grantee, &g.privilege, &g.grantable)
		return g, err
	})
	if err != nil {
		return fmt.Errorf("reading the privileges on schema public: %w", err)
	}
	stmts := []string{"DROP SCHEMA public CASCADE", "CREATE SCHEMA public AUTHORIZATION " + quote.Ident(owner)}
	for _, g := range grants {
		if g.privilege != "USAGE" && g.privilege != "CREATE" {
			return fmt.Errorf("schema public has the privilege %q, which is not a schema's", g.privilege)
		}
		to := "PUBLIC"
		if g.grantee != nil {
			to = quote.Ident(*g.grantee)
		}
		s := "GRANT " + g.privilege + " ON SCHEMA public TO " + to
		if g.grantable {
			s += " WITH GRANT OPTION"
		}
		stmts = append(stmts, s)
	}
	if comment != nil {
		stmts = append(stmts, "COMMENT ON SCHEMA public IS "+quote.Literal(*comment))
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
