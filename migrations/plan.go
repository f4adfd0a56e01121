package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// A Plan is what it takes to turn a database in state From into state To:
// the changes, the statements that make them, and what those risk.
//
// Every command that compares two models works from one: generate writes
// its statements as a migration, push runs them, check reports them as
// changes not generated yet or as drift, pull writes them as a baseline.
// They differ in where the models come from and what is done with the
// statements, never in how the statements and their risks are found.
type Plan struct {
	// From and To are the models the plan goes between, as given to
	// NewPlan; neither is modified.
	From, To *schema.Model
	// Changes are the differ's changes, in an order PostgreSQL accepts.
	Changes []Change
	// Statements spell the changes, in the same order.
	Statements []Statement
	// Risks are what the statements may destroy or fail on, in statement
	// order. NewPlan sets them from the models alone (one RiskWarning per
	// statement that has a Warning); Assess settles those the database's
	// rows can answer.
	Risks []Risk
}

// A Risk is one thing a statement of a plan may destroy or fail on.
type Risk struct {
	Kind RiskKind
	// Statement is the index in Plan.Statements of the statement at risk,
	// the first of its change.
	Statement int
	// Message says in one sentence what is at risk, naming the table and
	// column.
	Message string
	// Rows is how many rows are at stake, as Assess counted them; -1 when
	// nothing was counted.
	Rows int64
}

// String returns the risk's message.
func (r Risk) String() string { return r.Message }

// RiskKind says how serious a risk is and who settled it.
type RiskKind uint8

const (
	// RiskWarning is what the models alone tell: the statement's Warning,
	// which a migration file carries as a comment. Assess leaves it when
	// no count can settle it (a swap of names, an enum rebuilt to reorder
	// its values).
	RiskWarning RiskKind = iota + 1
	// RiskLoss is a loss Assess found in the database, with its count
	// where rows are at stake: rows, values, a type conversion, or an
	// index or constraint the database has and the plan drops without
	// creating again. Applying it needs consent.
	RiskLoss
	// RiskRefusal is a statement the database's rows cannot take without
	// being emptied or rewritten: SET NOT NULL over NULLs, a NOT NULL
	// column without a default added to a table with rows, an enum value
	// removed while rows use it. The plan must not be applied as it is.
	RiskRefusal
)

func (k RiskKind) String() string {
	switch k {
	case RiskWarning:
		return "warning"
	case RiskLoss:
		return "loss"
	case RiskRefusal:
		return "refusal"
	}
	return fmt.Sprintf("RiskKind(%d)", uint8(k))
}

// NewPlan plans the way from one model to another: Diff with opts, then
// SQL, then the risks the models alone tell. Diff's errors, an
// *AmbiguityError among them, are returned as they are. A nil from is an
// empty database (the plan's From is then an empty model), so
// NewPlan(nil, m, Options{}) creates m.
func NewPlan(from, to *schema.Model, opts Options) (*Plan, error) {
	if from == nil {
		from = &schema.Model{}
	}
	changes, err := Diff(from, to, opts)
	if err != nil {
		return nil, err
	}
	stmts, err := SQL(changes)
	if err != nil {
		return nil, err
	}
	p := &Plan{From: from, To: to, Changes: changes, Statements: stmts}
	p.Risks = warnings(stmts)
	return p, nil
}

// Empty reports whether the plan has nothing to do: the models are the
// same.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// RisksOf returns the plan's risks of one kind, in statement order.
func (p *Plan) RisksOf(kind RiskKind) []Risk {
	var out []Risk
	for _, r := range p.Risks {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// warnings are the risks the models alone tell.
func warnings(stmts []Statement) []Risk {
	var out []Risk
	for i, s := range stmts {
		out = append(out, warned(i, s)...)
	}
	return out
}

// warned is the warning of s, the i-th statement, as a risk, if it has one.
func warned(i int, s Statement) []Risk {
	if s.Warning == "" {
		return nil
	}
	return []Risk{{Kind: RiskWarning, Statement: i, Message: s.Warning, Rows: -1}}
}

// TxBeginner opens a transaction with options: *pgx.Conn and
// *pgxpool.Pool do.
type TxBeginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// Assess settles the plan's risks with the rows of the database its
// statements are for (From is that database as read): it counts the rows
// each risky statement touches and replaces the warnings the counts answer
// by losses and refusals, or by nothing when no row is at stake (SET NOT
// NULL on a column holding no NULL). Warnings no count can answer stay.
//
// Dropping an index or a constraint loses no row, but what it enforced or
// sped up goes silently, and the one the database has may be there on
// purpose (a DBA's index, a check added by hand): a drop is a loss unless
// the plan creates one of the same name again, rebuilding it to To's
// definition.
//
// The counts run in one read-only transaction, rolled back, so they see
// one state of the database and can change nothing; identifiers are quoted
// and values bound. Assess may be called again: it starts from the
// statements each time. On an error the risks are left as they were.
func (p *Plan) Assess(ctx context.Context, db TxBeginner) error {
	first, err := p.firsts()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	risks, err := p.assess(ctx, tx, first)
	if err != nil {
		return err
	}
	p.Risks = risks
	return nil
}

// firsts reports, for each statement, whether it is the first of its
// change: a change spelled in several statements (an enum rebuild) is
// assessed once, and its risks point at its first statement.
func (p *Plan) firsts() ([]bool, error) {
	out := make([]bool, len(p.Statements))
	i := 0
	for _, c := range p.Changes {
		sql, _, err := statements(c)
		if err != nil {
			return nil, err
		}
		if len(sql) == 0 {
			continue
		}
		if i+len(sql) > len(p.Statements) {
			return nil, p.mismatch()
		}
		out[i] = true
		i += len(sql)
	}
	if i != len(p.Statements) {
		return nil, p.mismatch()
	}
	return out, nil
}

func (p *Plan) mismatch() error {
	return fmt.Errorf("migrations: a plan's %d statements do not spell its %d changes", len(p.Statements), len(p.Changes))
}

func (p *Plan) assess(ctx context.Context, tx pgx.Tx, first []bool) ([]Risk, error) {
	count := func(table TableName, where string, args ...any) (int64, error) {
		sql := "SELECT count(*) FROM " + table.String()
		if where != "" {
			sql += " WHERE " + where
		}
		var n int64
		err := tx.QueryRow(ctx, sql, args...).Scan(&n)
		return n, err
	}
	var out []Risk
	add := func(kind RiskKind, i int, n int64, format string, args ...any) {
		out = append(out, Risk{Kind: kind, Statement: i, Message: fmt.Sprintf(format, args...), Rows: n})
	}
	recreated := recreatedObjects(p.Statements)
	for i, s := range p.Statements {
		if !first[i] {
			continue
		}
		var n int64
		var err error
		switch c := s.Source.(type) {
		case DropTable:
			if n, err = count(c.Table, ""); err != nil {
				return nil, err
			}
			add(RiskLoss, i, n, "drops table %s with %s", c.Table, rows(n))
		case DropPartition:
			part := TableName{c.Parent.Schema, c.Name}
			if n, err = count(part, ""); err != nil {
				return nil, err
			}
			add(RiskLoss, i, n, "drops partition %s of %s with %s", part, c.Parent, rows(n))
		case DropColumn:
			if c.Generated {
				continue
			}
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NOT NULL"); err != nil {
				return nil, err
			}
			add(RiskLoss, i, n, "drops column %s of %s, losing the values of %s", quote.Ident(c.Column), c.Table, rows(n))
		case DropConstraint:
			if recreated[objectKey{c.Table.Schema, c.Table.Name, c.Name}] {
				continue
			}
			add(RiskLoss, i, -1, "drops %s %s of %s, which the schema does not declare", constraintKind(c.Kind), quote.Ident(c.Name), c.Table)
		case DropIndex:
			if recreated[objectKey{c.Schema, "", c.Name}] {
				continue
			}
			kind, on := "index", ""
			if t, ix := indexTable(p.From, c.Schema, c.Name); ix != nil {
				if ix.Unique {
					kind = "unique index"
				}
				on = " on " + quote.Ident(t.Schema, t.Name)
			}
			add(RiskLoss, i, -1, "drops %s %s%s, which the schema does not declare", kind, quote.Ident(c.Schema, c.Name), on)
		case DropFunction:
			if !c.Recreated {
				add(RiskLoss, i, -1, "drops %s %s, which the schema does not declare", map[bool]string{false: "function", true: "procedure"}[c.Procedure], quote.Ident(c.Schema, c.Name))
			}
		case DropExtension:
			add(RiskLoss, i, -1, "drops extension %s, which the schema does not declare, with the types, functions and operators it created", quote.Ident(c.Name))
		case DropSequence:
			add(RiskLoss, i, -1, "drops sequence %s, which the schema does not declare, with its current value", quote.Ident(c.Schema, c.Name))
		case SetNotNull:
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NULL"); err != nil {
				return nil, err
			}
			if n > 0 {
				add(RiskRefusal, i, n, "cannot set NOT NULL on %s of %s: %s NULL there", quote.Ident(c.Column), c.Table, rowsVerb(n, "holds", "hold"))
			}
		case AddColumn:
			if s.Warning == "" {
				continue
			}
			if n, err = count(c.Table, ""); err != nil {
				return nil, err
			}
			if n > 0 {
				add(RiskRefusal, i, n, "cannot add NOT NULL column %s without a default to %s: it has %s", quote.Ident(c.Column.Name), c.Table, rows(n))
			}
		case AlterColumnType:
			if s.Warning == "" {
				continue
			}
			if n, err = count(c.Table, quote.Ident(c.Column)+" IS NOT NULL"); err != nil {
				return nil, err
			}
			add(RiskLoss, i, n, "changes the type of %s in %s from %s to %s, converting %s", quote.Ident(c.Column), c.Table, c.From, c.To, rows(n))
		case RebuildEnum:
			if len(c.Removed) == 0 {
				out = append(out, warned(i, s)...)
				continue
			}
			lits := make([]string, len(c.Removed))
			for k, v := range c.Removed {
				lits[k] = quote.Literal(v)
			}
			for _, col := range c.Columns {
				cond := quote.Ident(col.Column) + "::text = ANY($1)"
				if col.Array {
					cond = quote.Ident(col.Column) + "::text[] && $1"
				}
				if n, err = count(col.Table, cond, c.Removed); err != nil {
					return nil, err
				}
				if n > 0 {
					add(RiskRefusal, i, n, "cannot remove %s from enum %s: %s of %s %s it in %s", strings.Join(lits, ", "),
						quote.Ident(c.Enum.Schema, c.Enum.Name), rows(n), col.Table, plural(int(n), "uses", "use"), quote.Ident(col.Column))
				}
			}
		default:
			out = append(out, warned(i, s)...)
		}
	}
	return out, nil
}

func rows(n int64) string { return fmt.Sprintf("%d %s", n, plural(int(n), "row", "rows")) }

// rowsVerb is n rows and a verb agreeing with them: "1 row holds".
func rowsVerb(n int64, one, many string) string { return rows(n) + " " + plural(int(n), one, many) }

// objectKey names an index (by schema, with no table) or a constraint (by
// its table) in a plan.
type objectKey struct{ schema, table, name string }

// recreatedObjects are the indexes and constraints the plan creates: one
// it drops and creates again is being rebuilt, not lost.
func recreatedObjects(stmts []Statement) map[objectKey]bool {
	out := map[objectKey]bool{}
	for _, s := range stmts {
		switch c := s.Source.(type) {
		case CreateIndex:
			out[objectKey{c.Table.Schema, "", c.Index.Name}] = true
		case AddPrimaryKey:
			out[objectKey{c.Table.Schema, c.Table.Name, c.PrimaryKey.Name}] = true
		case AddUnique:
			out[objectKey{c.Table.Schema, c.Table.Name, c.Unique.Name}] = true
		case AddCheck:
			out[objectKey{c.Table.Schema, c.Table.Name, c.Check.Name}] = true
		case AddForeignKey:
			out[objectKey{c.Table.Schema, c.Table.Name, c.ForeignKey.Name}] = true
		}
	}
	return out
}

// constraintKind spells a DropConstraint's kind for a sentence.
func constraintKind(kind string) string {
	switch kind {
	case "unique", "check":
		return kind + " constraint"
	}
	return kind
}

// indexTable finds the index name of schema sch in m: its table and the
// index. An index keeps its name when its table moves to another schema,
// so a name found in no table of sch is looked for in every schema.
func indexTable(m *schema.Model, sch, name string) (*schema.Table, *schema.Index) {
	if m == nil {
		return nil, nil
	}
	var found *schema.Table
	var index *schema.Index
	for _, t := range m.Tables {
		for i := range t.Indexes {
			if t.Indexes[i].Name != name {
				continue
			}
			if t.Schema == sch {
				return t, &t.Indexes[i]
			}
			found, index = t, &t.Indexes[i]
		}
	}
	return found, index
}
