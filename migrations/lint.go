package migrations

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// Lint reads migrations for what makes them dangerous on a busy
// production database: a statement that waits for a lock with no limit
// (and makes every later query on the table wait behind it), an index
// built or dropped under a lock that blocks writes, a constraint
// validated under such a lock, a change that rewrites a table, and the
// changes that break running code (drops and renames). It reads the SQL
// as the migrator runs it, so hand-written migrations are linted like
// generated ones, and the schema before the migration, so that a table
// created by the migration itself needs no care.
//
// Lint does not run anything and needs no database.

// Severity says whether a finding fails the lint.
type Severity string

// The severities: an error makes mizzle lint exit 1; a warning is
// reported only.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one thing lint found in a migration.
type Finding struct {
	// Code names the rule, stable across versions: "lock-timeout",
	// "index-not-concurrent", ... (see LintRules).
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// File is the migration's SQL file, relative to the migrations
	// folder; Line and Column (bytes, from 1) are where the statement
	// starts.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Statement is the statement's SQL.
	Statement string `json:"statement"`
	// Message says what is dangerous; Fix says the safe way.
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	// Ignored is the reason recorded by a lint-ignore comment that
	// silences the finding; an ignored finding never fails the lint.
	Ignored string `json:"ignored,omitempty"`
}

// String is the finding on one line, as compilers print an error:
// "0003_x.sql:4:1: error lock-timeout: message".
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Code, f.Message)
	if f.Ignored != "" {
		s += " (ignored: " + f.Ignored + ")"
	}
	return s
}

// Failing reports whether the finding fails the lint: an error that no
// lint-ignore comment silences.
func (f Finding) Failing() bool { return f.Severity == SeverityError && f.Ignored == "" }

// LintIgnore is the comment that silences a finding of the statement it
// stands above, with a reason that is kept with the finding:
//
//	-- mizzle:lint-ignore index-not-concurrent the table is empty in production
const LintIgnore = "mizzle:lint-ignore"

// LintOptions are the facts lint cannot read from the migrations.
type LintOptions struct {
	// Version is the target server's major version (11, 12, ..., 18); 0
	// means a current server. The rules follow what the version does: a
	// column added with a constant default rewrites the table before 11,
	// and SET NOT NULL can use a validated check from 12.
	Version int
	// TableLockTimeout is the lock_timeout the migrator sets for every
	// migration (migrate's TableLockTimeout); when set, a migration needs
	// no SET lock_timeout of its own.
	TableLockTimeout time.Duration
}

// version is the major version the rules assume.
func (o LintOptions) version() int {
	if o.Version == 0 {
		return 18
	}
	return o.Version
}

// Rule is one of lint's rules.
type Rule struct {
	Code     string
	Severity Severity
	// Summary says in a few words what the rule finds.
	Summary string
}

// LintRules are lint's rules, in the order findings of one statement are
// reported.
var LintRules = []Rule{
	{"lock-timeout", SeverityError, "DDL that takes a lock on an existing table with no lock_timeout set before it"},
	{"index-not-concurrent", SeverityError, "CREATE INDEX or DROP INDEX without CONCURRENTLY on an existing table or materialized view"},
	{"concurrent-in-transaction", SeverityError, "CONCURRENTLY in a migration that runs in a transaction"},
	{"constraint-not-valid", SeverityError, "a foreign key or check added to an existing table without NOT VALID"},
	{"set-not-null", SeverityError, "SET NOT NULL on a column of an existing table"},
	{"add-required-column", SeverityError, "a NOT NULL column without a default added to an existing table"},
	{"table-rewrite", SeverityError, "a change that rewrites an existing table: a type change that is not binary-coercible, a volatile default, a stored generated or identity column"},
	{"unique-constraint", SeverityError, "a unique or primary key added to an existing table without an index built first"},
	{"drop", SeverityWarning, "a table, column or schema dropped"},
	{"rename", SeverityWarning, "a table or column renamed"},
	{"enum-value-position", SeverityWarning, "an enum value added without BEFORE or AFTER"},
	{"identifier-too-long", SeverityError, "an identifier longer than 63 bytes, which PostgreSQL truncates"},
	{"lint-ignore", SeverityError, "a lint-ignore comment without a known code or a reason"},
	{"unused-ignore", SeverityWarning, "a lint-ignore comment that silences nothing"},
}

func ruleOf(code string) (Rule, bool) {
	i := slices.IndexFunc(LintRules, func(r Rule) bool { return r.Code == code })
	if i < 0 {
		return Rule{}, false
	}
	return LintRules[i], true
}

// LintSQL lints one migration: file names it in the findings, data is its
// SQL file and before is the schema before it (the previous migration's
// snapshot; an empty model for the first migration). When before is nil
// (its snapshot is missing), every table the migration does not create is
// taken to exist already, the careful guess.
func LintSQL(file string, data []byte, before *schema.Model, opts LintOptions) []Finding {
	text := string(jsonfile.TrimBOM(data))
	script := migrate.ReadScript(data)
	l := &linter{
		file:   file,
		opts:   opts,
		before: before,
		noTx:   script.NoTransaction,
		made:   map[qname]bool{},
	}
	ignores := readIgnores(text, script.Statements)
	var out []Finding
	for i, s := range script.Statements {
		found := l.statement(s)
		out = append(out, ignores[i].apply(l, s, found)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return out
}

// LintStatements returns a copy of the statements of a new migration
// with what lint finds in each (against before, the schema the migration
// starts from) in its Lint field, for FormatSQL to write above it. A drop
// that carries its data-loss warning gets no drop finding: the warning
// says enough.
func LintStatements(before *schema.Model, stmts []Statement, opts LintOptions) []Statement {
	return lintStatements(before, stmts, opts, false)
}

func lintStatements(before *schema.Model, stmts []Statement, opts LintOptions, noTx bool) []Statement {
	out := slices.Clone(stmts)
	sql := formatSQL(stmts, noTx)
	script := migrate.ReadScript(sql)
	if len(script.Statements) != len(stmts) {
		return out // a statement that splits in two: nothing to place
	}
	for _, f := range LintSQL("", sql, before, opts) {
		i := 0
		for i+1 < len(script.Statements) && script.Statements[i+1].Line <= f.Line {
			i++
		}
		if (f.Code == "drop" && stmts[i].Warning != "") || f.Ignored != "" {
			continue // the warning, or the lint-ignore comment, says enough
		}
		out[i].Lint = append(slices.Clip(out[i].Lint), f)
	}
	return out
}

// LintFolder lints the migrations of f from the entry at index from on,
// each against the snapshot of the entry before it.
func LintFolder(f *Folder, from int, opts LintOptions) []Finding {
	var out []Finding
	for i := max(from, 0); i < len(f.Entries); i++ {
		before := &schema.Model{}
		if i > 0 {
			before = nil
			if s := f.Entries[i-1].Snapshot; s != nil {
				before = s.Model
			}
		}
		e := &f.Entries[i]
		out = append(out, LintSQL(e.SQLPath(), e.SQL, before, opts)...)
	}
	return out
}

// ignore is the lint-ignore comments above one statement.
type ignore struct {
	entries []ignoreEntry
}

type ignoreEntry struct {
	codes        []string
	reason       string
	line, column int
	used         bool
}

// readIgnores finds the lint-ignore comments between each statement and
// the one before it.
func readIgnores(text string, stmts []migrate.Statement) []ignore {
	out := make([]ignore, len(stmts))
	i := 0
	for t := range sqlsplit.Tokens(text) {
		for i < len(stmts) && t.Offset >= stmts[i].Offset+len(stmts[i].SQL) {
			i++
		}
		if i == len(stmts) {
			break
		}
		if !t.Comment || t.Offset >= stmts[i].Offset {
			continue
		}
		body, ok := strings.CutPrefix(t.Text, "--")
		if !ok {
			continue
		}
		rest, ok := strings.CutPrefix(strings.TrimSpace(body), LintIgnore)
		if !ok {
			continue
		}
		line, col := jsonfile.LineCol([]byte(text), int64(t.Offset))
		fields := strings.Fields(rest)
		e := ignoreEntry{line: line, column: col}
		if len(fields) > 0 {
			e.codes = strings.Split(fields[0], ",")
			e.reason = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), fields[0]))
		}
		out[i].entries = append(out[i].entries, e)
	}
	return out
}

// apply marks the findings of statement s that the comments silence, and
// adds findings for the comments themselves.
func (ig *ignore) apply(l *linter, s migrate.Statement, found []Finding) []Finding {
	for k := range ig.entries {
		e := &ig.entries[k]
		bad := ""
		switch {
		case len(e.codes) == 0:
			bad = "names no rule: write -- " + LintIgnore + " CODE reason"
		case e.reason == "":
			bad = "gives no reason: write why the statement is safe after the code, so that the next reader knows"
		}
		for _, c := range e.codes {
			if _, ok := ruleOf(c); !ok && bad == "" {
				bad = fmt.Sprintf("names %q, which is not a rule (mizzle lint --rules lists them)", c)
			}
		}
		if bad != "" {
			found = append(found, l.finding(s, e.line, e.column, "lint-ignore", "the lint-ignore comment "+bad, ""))
			e.used = true
			continue
		}
		for j := range found {
			if slices.Contains(e.codes, found[j].Code) && found[j].Ignored == "" {
				found[j].Ignored = e.reason
				e.used = true
			}
		}
	}
	for _, e := range ig.entries {
		if !e.used {
			found = append(found, l.finding(s, e.line, e.column, "unused-ignore",
				fmt.Sprintf("the lint-ignore comment for %s silences nothing in the statement below it: remove it", strings.Join(e.codes, ",")), ""))
		}
	}
	return found
}
