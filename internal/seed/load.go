package seed

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/dbreset"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// LoadOptions change how Load writes.
type LoadOptions struct {
	// Reset, when set, empties tables first, in the same transaction: the
	// caller plans it (dbreset.PlanTruncateTables) and shows what its
	// CASCADE reaches before Load runs it.
	Reset *dbreset.Truncation
	// Fixtures run after the generated rows, in order, in the same
	// transaction, once the sequences have moved past the rows.
	Fixtures []Fixture
}

// Fixture is Go code that writes rows of its own in the load's
// transaction: the project's default records, written with its typed
// queries.
type Fixture struct {
	// Name says which fixture an error is about: its import path and
	// name.
	Name string
	Run  func(ctx context.Context, tx pgx.Tx) error
}

// FixtureError is a fixture that returned an error or panicked; the
// load was rolled back.
type FixtureError struct {
	Name string
	Err  error
}

func (e *FixtureError) Error() string { return "fixture " + e.Name + ": " + e.Err.Error() }

func (e *FixtureError) Unwrap() error { return e.Err }

// runFixture runs f, turning a panic into an error: the transaction is
// rolled back either way.
func runFixture(ctx context.Context, tx pgx.Tx, f Fixture) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &FixtureError{Name: f.Name, Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	if err := f.Run(ctx, tx); err != nil {
		return &FixtureError{Name: f.Name, Err: err}
	}
	return nil
}

// Written is what Load wrote to one table.
type Written struct {
	Table string // schema.table
	Rows  int64
}

// Load writes p's rows to the database conn is connected to, in one
// transaction: every table by COPY in p.Tables order, the foreign keys
// that close cycles by UPDATE, then the identity and serial sequences
// moved past the values written, then the fixtures, then ANALYZE of the
// tables. Any error rolls everything back, the reset included. A nil p
// writes no generated rows: the reset and the fixtures alone run.
func Load(ctx context.Context, conn *pgx.Conn, p *Plan, o LoadOptions) ([]Written, error) {
	var written []Written
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if o.Reset != nil {
			if err := o.Reset.RunIn(ctx, tx); err != nil {
				return err
			}
		}
		if p == nil {
			for _, f := range o.Fixtures {
				if err := runFixture(ctx, tx, f); err != nil {
					return err
				}
			}
			return nil
		}
		if err := registerEnums(ctx, conn, p); err != nil {
			return err
		}
		// The keys of the tables referenced but not filled, before anything
		// is written.
		for _, e := range p.External {
			rows, err := readKeys(ctx, tx, e)
			if err != nil {
				return err
			}
			if err := p.SetExisting(e, rows); err != nil {
				return err
			}
		}
		var restore []string
		for _, t := range p.Tables {
			r, err := setAside(ctx, tx, t)
			if err != nil {
				return err
			}
			restore = append(restore, r...)
		}
		for _, t := range p.Tables {
			rows := p.Rows(t)
			n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Table.Schema, t.Table.Name}, t.Columns, rows)
			if err != nil {
				// pgx ends the COPY with the rows' error as text: the
				// error itself keeps the table and column it is about.
				if rerr := rows.Err(); rerr != nil {
					return rerr
				}
				return explain(t, err)
			}
			written = append(written, Written{Table: t.Name(), Rows: n})
		}
		updates, err := p.Updates()
		if err != nil {
			return err
		}
		for _, u := range updates {
			if err := update(ctx, tx, p.model, u); err != nil {
				return explain(u.Table, err)
			}
		}
		for _, sql := range restore {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("restoring what the load set aside: %s: %w", sql, err)
			}
		}
		for _, t := range p.Tables {
			if err := moveSequences(ctx, tx, t); err != nil {
				return err
			}
		}
		for _, f := range o.Fixtures {
			if err := runFixture(ctx, tx, f); err != nil {
				return err
			}
		}
		for _, t := range p.Tables {
			if _, err := tx.Exec(ctx, "ANALYZE "+quote.Ident(t.Table.Schema, t.Table.Name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return written, nil
}

// setAside drops the plain indexes and the foreign keys of an empty
// table before its rows are copied, and returns the statements that make
// them again afterwards, as PostgreSQL's manual advises for filling a
// table: one index build and one check of each foreign key over all rows
// cost a fraction of a million index insertions and trigger calls. It is
// all in the load's transaction, so a failure puts everything back, and
// the definitions are the database's own (pg_get_indexdef,
// pg_get_constraintdef). Left in place: unique indexes and constraints
// (other tables' foreign keys may depend on them), indexes with a comment
// or serving as replica identity, foreign keys with a comment or not yet
// validated, and everything of a partitioned table.
func setAside(ctx context.Context, tx pgx.Tx, t *TablePlan) ([]string, error) {
	if t.Table.Partition != nil {
		return nil, nil
	}
	table := quote.Ident(t.Table.Schema, t.Table.Name)
	var empty bool
	if err := tx.QueryRow(ctx, "SELECT NOT EXISTS (SELECT FROM "+table+")").Scan(&empty); err != nil || !empty {
		return nil, err
	}
	var drop, restore []string
	rows, err := tx.Query(ctx, `SELECT ic.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid AND NOT i.indisreplident
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
  AND obj_description(i.indexrelid, 'pg_class') IS NULL
ORDER BY ic.relname`, table)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		drop = append(drop, "DROP INDEX "+quote.Ident(t.Table.Schema, name))
		restore = append(restore, def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = $1::regclass AND contype = 'f' AND convalidated AND conparentid = 0
  AND obj_description(oid, 'pg_constraint') IS NULL
ORDER BY conname`, table)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		drop = append(drop, "ALTER TABLE "+table+" DROP CONSTRAINT "+quote.Ident(name))
		restore = append(restore, "ALTER TABLE "+table+" ADD CONSTRAINT "+quote.Ident(name)+" "+def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, sql := range drop {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return nil, err
		}
	}
	return restore, nil
}

// registerEnums tells pgx the enum types the plan's columns use, and
// their arrays: COPY sends values in binary, which pgx encodes only for a
// type it knows.
func registerEnums(ctx context.Context, conn *pgx.Conn, p *Plan) error {
	seen := map[string]bool{}
	for _, t := range p.Tables {
		for _, cp := range t.cols {
			typ := cp.col.Type
			if typ.Schema == "" || p.model.Enum(typ.Schema, typ.Name) == nil {
				continue
			}
			name := quote.Ident(typ.Schema, typ.Name)
			names := []string{name}
			if typ.Array {
				names = append(names, name+"[]")
			}
			for _, n := range names {
				if seen[n] {
					continue
				}
				seen[n] = true
				pt, err := conn.LoadType(ctx, n)
				if err != nil {
					return fmt.Errorf("enum %s.%s: %w", typ.Schema, typ.Name, err)
				}
				conn.TypeMap().RegisterType(pt)
			}
		}
	}
	return nil
}

func readKeys(ctx context.Context, tx pgx.Tx, t *TablePlan) ([][]any, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote.Ident(c)
	}
	rows, err := tx.Query(ctx, "SELECT DISTINCT "+strings.Join(cols, ", ")+" FROM "+quote.Ident(t.Table.Schema, t.Table.Name)+
		" WHERE "+strings.Join(cols, " IS NOT NULL AND ")+" IS NOT NULL ORDER BY "+strings.Join(cols, ", "))
	if err != nil {
		return nil, fmt.Errorf("reading the keys of %s: %w", t.Name(), err)
	}
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// update fills a foreign key closing a cycle, in one statement: the keys
// and values go as text arrays, cast to the columns' types.
func update(ctx context.Context, tx pgx.Tx, m *schema.Model, u Update) error {
	if len(u.Keys) == 0 {
		return nil
	}
	t := u.Table.Table
	var sel, set, where []string
	var args []any
	add := func(vals func(r int) any) {
		arr := make([]*string, len(u.Keys))
		for r := range u.Keys {
			if v := vals(r); v != nil {
				s := Text(v)
				if t, ok := v.(time.Time); ok {
					// With its offset: a timestamptz read without one
					// would be in the session's time zone.
					s = t.Format("2006-01-02 15:04:05.999999Z07:00")
				}
				arr[r] = &s
			}
		}
		args = append(args, arr)
		sel = append(sel, fmt.Sprintf("$%d::text[]", len(args)))
	}
	for j := range u.Key {
		add(func(r int) any { return u.Keys[r][j] })
	}
	for j := range u.Columns {
		add(func(r int) any { return u.Values[r][j] })
	}
	names := append(slices.Clone(u.Key), u.Columns...)
	aliases := make([]string, len(names))
	for i := range names {
		aliases[i] = fmt.Sprintf("c%d", i)
	}
	for i, name := range names {
		expr := fmt.Sprintf("v.%s::%s", aliases[i], sqlType(t.Column(name).Type))
		if i < len(u.Key) {
			where = append(where, fmt.Sprintf("t.%s = %s", quote.Ident(name), expr))
		} else {
			set = append(set, fmt.Sprintf("%s = %s", quote.Ident(name), expr))
		}
	}
	sql := fmt.Sprintf("UPDATE %s AS t SET %s FROM unnest(%s) AS v(%s) WHERE %s",
		quote.Ident(t.Schema, t.Name), strings.Join(set, ", "), strings.Join(sel, ", "), strings.Join(aliases, ", "), strings.Join(where, " AND "))
	_, err := tx.Exec(ctx, sql, args...)
	return err
}

// sqlType spells a column's type for a cast, an enum's name quoted.
func sqlType(t schema.Type) string {
	t = t.Storage()
	if t.Schema == "" {
		return t.String()
	}
	s := quote.Ident(t.Schema, t.Name)
	if t.Array {
		s += "[]"
	}
	return s
}

// moveSequences sets the sequence of every identity and serial column of
// t to the largest value in the column, so the application's next insert
// takes the value after it rather than one the seed wrote.
func moveSequences(ctx context.Context, tx pgx.Tx, t *TablePlan) error {
	for _, c := range t.Sequences {
		table := quote.Ident(t.Table.Schema, t.Table.Name)
		sql := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max(%s) AS m FROM %s) AS x WHERE m IS NOT NULL", quote.Ident(c), table)
		if _, err := tx.Exec(ctx, sql, table, c); err != nil {
			return fmt.Errorf("moving the sequence of %s.%s: %w", t.Name(), c, err)
		}
	}
	return nil
}

// CheckError is a check constraint the generated rows broke: the seeder
// does not read checks, so the columns it names need values from the
// options.
type CheckError struct {
	Table      string // schema.table
	Constraint string
	Expr       string
	// Columns are the table's columns the check's expression names.
	Columns []string
	Err     error
}

func (e *CheckError) Error() string {
	cols := "its columns"
	if len(e.Columns) > 0 {
		cols = "column " + strings.Join(e.Columns, ", ")
	}
	return fmt.Sprintf("table %s: a generated row breaks check constraint %s (%s), which mizzle cannot read: give %s values (a fixed list or a range) in the seed options", e.Table, e.Constraint, e.Expr, cols)
}

func (e *CheckError) Unwrap() error { return e.Err }

var identWords = regexp.MustCompile(`"(?:[^"]|"")+"|[\pL_][\pL\pN_$]*`)

// explain turns a check violation into a CheckError and says what else a
// server error means for a seed.
func explain(t *TablePlan, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("table %s: %w", t.Name(), err)
	}
	switch pe.Code {
	case "23514":
		if pe.ConstraintName == "" && t.Table.Partition != nil {
			return fmt.Errorf("table %s: a generated row falls in no partition of the table: give the partition key's columns (%s) values that the partitions take in the seed options: %w", t.Name(), strings.Join(t.Table.Partition.Columns, ", "), err)
		}
		ce := &CheckError{Table: t.Name(), Constraint: pe.ConstraintName, Err: err}
		for _, c := range t.Table.Checks {
			if c.Name != pe.ConstraintName {
				continue
			}
			ce.Expr = c.Expr
			for _, w := range identWords.FindAllString(c.Expr, -1) {
				w = strings.ReplaceAll(strings.Trim(w, `"`), `""`, `"`)
				if t.Table.Column(w) != nil && !slices.Contains(ce.Columns, w) {
					ce.Columns = append(ce.Columns, w)
				}
			}
		}
		return ce
	case "23505":
		return fmt.Errorf("table %s: a generated row has the key of a row the table already holds (%s); seed an empty table, or reset it first: %w", t.Name(), pe.ConstraintName, err)
	}
	return fmt.Errorf("table %s: %w", t.Name(), err)
}
