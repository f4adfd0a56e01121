package migrations

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// qname is a table or index named in a statement, resolved as PostgreSQL
// would on the default search path: an unqualified name is in public.
type qname struct{ schema, name string }

func (q qname) String() string { return quote.Ident(q.schema, q.name) }

// linter holds what lint knows while it reads one migration.
type linter struct {
	file   string
	opts   LintOptions
	before *schema.Model // nil: unknown, every table taken to exist
	noTx   bool
	// made are the tables and indexes created by the migration so far:
	// nothing waits for their locks, and they hold no rows.
	made map[qname]bool
	// lockTimeout says a SET lock_timeout came before; reported says the
	// lock-timeout finding was made (once per migration is enough).
	lockTimeout, reported bool
	// notNull are the CHECK (col IS NOT NULL) constraints added so far,
	// by table and name (see lint_notnull.go).
	notNull map[qname]map[string]notNullCheck
}

// existing reports whether the table t existed before the migration, so
// that locking it or rewriting it matters.
func (l *linter) existing(t qname) bool {
	if l.made[t] {
		return false
	}
	if l.before == nil {
		return true
	}
	return l.beforeTable(t) != nil || l.matview(t)
}

// matview reports whether t was a materialized view before the
// migration: its indexes are built and dropped under the same locks as a
// table's.
func (l *linter) matview(t qname) bool {
	if l.before == nil {
		return false
	}
	v := l.before.View(t.schema, t.name)
	return v != nil && v.Materialized
}

// partitioned reports whether the table t was a partitioned table
// before the migration.
func (l *linter) partitioned(t qname) bool {
	bt := l.beforeTable(t)
	return bt != nil && bt.Partition != nil
}

func (l *linter) beforeTable(t qname) *schema.Table {
	if l.before == nil {
		return nil
	}
	for _, bt := range l.before.Tables {
		if bt.Schema == t.schema && bt.Name == t.name {
			return bt
		}
	}
	return nil
}

// indexTable returns the table of the index named ix before the migration,
// and whether lint knows it.
func (l *linter) indexTable(ix qname) (qname, bool) {
	if l.before == nil {
		return qname{}, false
	}
	for _, t := range l.before.Tables {
		if t.Schema != ix.schema {
			continue
		}
		for _, i := range t.Indexes {
			if i.Name == ix.name {
				return qname{t.Schema, t.Name}, true
			}
		}
		for _, u := range t.Uniques {
			if u.Name == ix.name {
				return qname{t.Schema, t.Name}, true
			}
		}
	}
	for _, v := range l.before.Views {
		if v.Schema == ix.schema && slices.ContainsFunc(v.Indexes, func(i schema.Index) bool { return i.Name == ix.name }) {
			return qname{v.Schema, v.Name}, true
		}
	}
	return qname{}, false
}

// words is a statement's tokens without its comments, with a cursor.
type words struct {
	toks []sqlsplit.Token
	i    int
}

func tokenize(sql string) *words {
	w := &words{}
	for t := range sqlsplit.Tokens(sql) {
		if !t.Comment {
			w.toks = append(w.toks, t)
		}
	}
	return w
}

// is reports whether the next tokens are the key words kws (any case),
// and moves past them if so.
func (w *words) is(kws ...string) bool {
	if w.i+len(kws) > len(w.toks) {
		return false
	}
	for k, kw := range kws {
		t := w.toks[w.i+k]
		if !t.Word || !strings.EqualFold(t.Text, kw) {
			return false
		}
	}
	w.i += len(kws)
	return true
}

// has reports whether the key word appears anywhere from the cursor on,
// outside parentheses.
func (w *words) has(kw string) bool {
	depth := 0
	for _, t := range w.toks[w.i:] {
		switch {
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
		case depth == 0 && t.Word && strings.EqualFold(t.Text, kw):
			return true
		}
	}
	return false
}

// name reads a possibly qualified name; ok is false when the next token is
// not a name.
func (w *words) name() (q qname, ok bool) {
	first, ok := w.ident()
	if !ok {
		return qname{}, false
	}
	if w.i < len(w.toks) && w.toks[w.i].Text == "." {
		w.i++
		second, ok := w.ident()
		if !ok {
			return qname{}, false
		}
		return qname{first, second}, true
	}
	return qname{schema.DefaultSchema, first}, true
}

// ident reads one identifier: a quoted one as written inside its quotes,
// an unquoted one folded to lower case as PostgreSQL folds it.
func (w *words) ident() (string, bool) {
	if w.i >= len(w.toks) {
		return "", false
	}
	t := w.toks[w.i]
	switch {
	case t.Word:
		w.i++
		return strings.ToLower(t.Text), true
	case len(t.Text) >= 2 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"':
		w.i++
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`), true
	}
	return "", false
}

// rest is the statement's text from the cursor on.
func (w *words) rest(sql string) string {
	if w.i >= len(w.toks) {
		return ""
	}
	return sql[w.toks[w.i].Offset:]
}

// statement lints one statement and returns its findings.
func (l *linter) statement(s migrate.Statement) []Finding {
	var out []Finding
	add := func(code, msg, fix string) { out = append(out, l.finding(s, s.Line, s.Column, code, msg, fix)) }
	out = append(out, l.longIdentifiers(s)...)
	w := tokenize(s.SQL)
	// locked is the existing table the statement locks, if it does.
	var locked qname
	lockedWhat := ""
	switch {
	case w.is("SET"):
		_ = w.is("SESSION") || w.is("LOCAL")
		if n, ok := w.ident(); ok && n == "lock_timeout" {
			if w.i < len(w.toks) && (w.toks[w.i].Text == "=" || strings.EqualFold(w.toks[w.i].Text, "TO")) {
				w.i++
			}
			l.lockTimeout = w.i < len(w.toks) && !isZero(w.toks[w.i].Text)
		}
	case w.is("CREATE", "TABLE") || w.is("CREATE", "UNLOGGED", "TABLE") || w.is("CREATE", "MATERIALIZED", "VIEW"):
		w.is("IF", "NOT", "EXISTS")
		if t, ok := w.name(); ok {
			l.made[t] = true
		}
	case w.is("CREATE", "INDEX") || w.is("CREATE", "UNIQUE", "INDEX"):
		concurrently := w.is("CONCURRENTLY")
		w.is("IF", "NOT", "EXISTS")
		ix, _ := w.name()
		if ix.name == "on" && strings.EqualFold(w.toks[w.i-1].Text, "ON") {
			ix = qname{} // CREATE INDEX ON t: no name
		} else {
			w.is("ON")
		}
		only := w.is("ONLY")
		t, ok := w.name()
		if ix.name != "" {
			l.made[qname{t.schema, ix.name}] = true
		}
		if !ok {
			break
		}
		if concurrently {
			out = append(out, l.concurrentInTx(s, "CREATE INDEX CONCURRENTLY")...)
			break
		}
		if !l.existing(t) {
			break
		}
		locked, lockedWhat = t, "CREATE INDEX"
		switch {
		case l.partitioned(t) && only:
			// ON ONLY a partitioned table reads no rows: its partitions'
			// indexes are built and attached one by one.
		case l.matview(t):
			add("index-not-concurrent",
				fmt.Sprintf("CREATE INDEX on the existing materialized view %s blocks its REFRESH until the index is built", t),
				"build it with CREATE INDEX CONCURRENTLY, alone in a migration that starts with "+migrate.NoTransaction+"")
		case l.partitioned(t):
			add("index-not-concurrent",
				fmt.Sprintf("CREATE INDEX on the existing partitioned table %s blocks inserts, updates and deletes on every partition until the index is built on all of them, and PostgreSQL cannot build it CONCURRENTLY", t),
				"create it ON ONLY the table, build each partition's index with CREATE INDEX CONCURRENTLY in a migration that starts with "+migrate.NoTransaction+", then ALTER INDEX ... ATTACH PARTITION each one (generate --online writes this)")
		default:
			add("index-not-concurrent",
				fmt.Sprintf("CREATE INDEX on the existing table %s blocks its inserts, updates and deletes until the index is built", t),
				"build it with CREATE INDEX CONCURRENTLY, alone in a migration that starts with "+migrate.NoTransaction+"")
		}
	case w.is("DROP", "INDEX"):
		concurrently := w.is("CONCURRENTLY")
		w.is("IF", "EXISTS")
		ix, ok := w.name()
		if !ok {
			break
		}
		if concurrently {
			out = append(out, l.concurrentInTx(s, "DROP INDEX CONCURRENTLY")...)
			break
		}
		t, known := l.indexTable(ix)
		if l.made[ix] || (known && !l.existing(t)) {
			break
		}
		what := "its table"
		if known {
			what = "the table " + t.String()
			if l.matview(t) {
				what = "the materialized view " + t.String()
			}
			locked = t
		} else {
			locked = ix
		}
		lockedWhat = "DROP INDEX"
		if known && l.partitioned(t) {
			add("index-not-concurrent",
				fmt.Sprintf("DROP INDEX %s takes an ACCESS EXCLUSIVE lock on the partitioned table %s and its partitions, and PostgreSQL cannot drop a partitioned table's index CONCURRENTLY", ix, t),
				"the drop reads no rows, so it is short once it has its locks: keep a lock_timeout before it, and silence this with "+LintIgnore+" index-not-concurrent and the reason")
			break
		}
		add("index-not-concurrent",
			fmt.Sprintf("DROP INDEX %s takes an ACCESS EXCLUSIVE lock on %s: every query on it waits until the drop is done", ix, what),
			"drop it with DROP INDEX CONCURRENTLY, alone in a migration that starts with "+migrate.NoTransaction)
	case w.is("REINDEX") || w.is("REFRESH", "MATERIALIZED", "VIEW"):
		if w.has("CONCURRENTLY") {
			out = append(out, l.concurrentInTx(s, strings.ToUpper(w.toks[0].Text)+" CONCURRENTLY")...)
		}
	case w.is("ALTER", "TABLE"):
		w.is("IF", "EXISTS")
		w.is("ONLY")
		t, ok := w.name()
		if !ok {
			break
		}
		if w.i < len(w.toks) && w.toks[w.i].Text == "*" {
			w.i++
		}
		if !l.existing(t) {
			break
		}
		locked, lockedWhat = t, "ALTER TABLE"
		restAt := len(s.SQL) - len(w.rest(s.SQL))
		for _, part := range sqlsplit.SplitList(w.rest(s.SQL)) {
			text := strings.TrimLeft(part.Text, " \t\r\n")
			line, col := at(s, restAt+part.Offset+len(part.Text)-len(text))
			for _, f := range l.alterAction(t, tokenize(text), text) {
				out = append(out, l.finding(s, line, col, f.Code, f.Message, f.Fix))
			}
		}
	case w.is("DROP", "TABLE"):
		w.is("IF", "EXISTS")
		for {
			t, ok := w.name()
			if !ok {
				break
			}
			if l.existing(t) {
				locked, lockedWhat = t, "DROP TABLE"
				add("drop", fmt.Sprintf("DROP TABLE %s deletes the table and its rows; code still running that reads it fails", t),
					"stop using the table in the application first, deploy, then drop it in a later migration")
			}
			if w.i >= len(w.toks) || w.toks[w.i].Text != "," {
				break
			}
			w.i++
		}
	case w.is("DROP", "SCHEMA"):
		w.is("IF", "EXISTS")
		if n, ok := w.ident(); ok {
			add("drop", fmt.Sprintf("DROP SCHEMA %s deletes the schema and, with CASCADE, everything in it", quote.Ident(n)),
				"drop the objects in it one by one, in migrations that lint can read")
		}
	case w.is("ALTER", "TYPE"):
		if _, ok := w.name(); ok && w.is("ADD", "VALUE") {
			if !w.has("BEFORE") && !w.has("AFTER") {
				add("enum-value-position", "the value is added at the end of the enum, so it sorts after every other value; ORDER BY on the column sorts by the enum's order",
					"say where it belongs with BEFORE 'value' or AFTER 'value', or ignore this with the reason that the end is right")
			}
		}
	case w.is("CREATE", "TRIGGER") || w.is("CREATE", "OR", "REPLACE", "TRIGGER") || w.is("CREATE", "POLICY") ||
		w.is("ALTER", "POLICY") || w.is("DROP", "POLICY") || w.is("DROP", "TRIGGER"):
		// They lock the table they are ON.
		for w.i < len(w.toks) && !w.is("ON") {
			w.i++
		}
		if t, ok := w.name(); ok && l.existing(t) {
			locked, lockedWhat = t, strings.ToUpper(w.toks[0].Text+" "+w.toks[1].Text)
		}
	}
	if lockedWhat != "" && !l.lockTimeout && l.opts.TableLockTimeout <= 0 && !l.reported {
		l.reported = true
		fix := "set tableLockTimeout: 2s in mizzle.yaml, which migrate sets for every migration (with --retries it tries again later), or start the migration with SET LOCAL lock_timeout = '2s';"
		if l.noTx {
			fix = "put SET lock_timeout = '2s'; before it (outside a transaction, SET lasts for the session)"
		}
		out = append([]Finding{l.finding(s, s.Line, s.Column, "lock-timeout",
			fmt.Sprintf("%s waits for a lock on %s with no lock_timeout: while it waits, every later query on the table waits behind it", lockedWhat, locked),
			fix)}, out...)
	}
	return out
}

// at returns the line and column in the file of the byte at offset off in
// the statement s.
func at(s migrate.Statement, off int) (line, col int) {
	before := s.SQL[:off]
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		return s.Line + strings.Count(before, "\n"), off - i
	}
	return s.Line, s.Column + off
}

// isZero reports whether a lock_timeout value turns the timeout off.
func isZero(v string) bool {
	v = strings.Trim(v, `'"`)
	n, err := strconv.Atoi(strings.TrimRight(v, "msin "))
	return err == nil && n == 0
}

// concurrentInTx reports a CONCURRENTLY statement in a migration that
// runs in a transaction, where PostgreSQL refuses it.
func (l *linter) concurrentInTx(s migrate.Statement, what string) []Finding {
	if l.noTx {
		return nil
	}
	return []Finding{l.finding(s, s.Line, s.Column, "concurrent-in-transaction",
		what+" cannot run inside a transaction block, and the migration runs in one",
		"move it to a migration of its own whose first line is "+migrate.NoTransaction)}
}

// alterAction lints one action of an ALTER TABLE on the existing table t.
func (l *linter) alterAction(t qname, w *words, text string) []Finding {
	var out []Finding
	add := func(code, msg, fix string) { out = append(out, Finding{Code: code, Message: msg, Fix: fix}) }
	v := l.opts.version()
	switch {
	case w.is("ADD", "CONSTRAINT"):
		name, _ := w.ident()
		l.addNotNullCheck(t, name, w)
		out = append(out, l.addConstraint(t, w)...)
	case w.is("ADD", "CHECK") || w.is("ADD", "FOREIGN") || w.is("ADD", "UNIQUE") || w.is("ADD", "PRIMARY"):
		w.i--
		out = append(out, l.addConstraint(t, w)...)
	case w.is("ADD"):
		w.is("COLUMN")
		w.is("IF", "NOT", "EXISTS")
		c, _ := w.ident()
		col := quote.Ident(c)
		def := w.has("DEFAULT")
		switch {
		case w.has("GENERATED") && w.has("IDENTITY"):
			add("table-rewrite", fmt.Sprintf("adding the identity column %s rewrites %s under an ACCESS EXCLUSIVE lock, numbering every row", col, t),
				"add the column as a nullable bigint, fill it in batches from a sequence, then make it an identity column")
		case w.has("GENERATED") && w.has("STORED"):
			add("table-rewrite", fmt.Sprintf("adding the stored generated column %s rewrites %s under an ACCESS EXCLUSIVE lock", col, t),
				"add a plain nullable column, fill it in batches and keep it current with a trigger")
		case def && (v < 11 || volatileDefault(text)):
			why := "its default is volatile, so every row gets its own value"
			if v < 11 {
				why = "before PostgreSQL 11 any default is written into every row"
			}
			add("table-rewrite", fmt.Sprintf("adding %s rewrites %s under an ACCESS EXCLUSIVE lock: %s", col, t, why),
				"add the column without a default, SET DEFAULT for new rows, then fill the old rows in batches")
		case isSerial(w):
			add("table-rewrite", fmt.Sprintf("adding the serial column %s rewrites %s under an ACCESS EXCLUSIVE lock, numbering every row", col, t),
				"add the column as a nullable bigint, fill it in batches from a sequence, then set its default and NOT NULL")
		case !def && notNull(text):
			add("add-required-column", fmt.Sprintf("adding %s NOT NULL without a default fails if %s has any row", col, t),
				"give it a constant default (PostgreSQL 11 and later add it without a rewrite), or add it nullable, fill it, then SET NOT NULL the safe way")
		}
		if w.has("REFERENCES") {
			add("constraint-not-valid", fmt.Sprintf("the foreign key declared with %s reads every row of %s under a SHARE ROW EXCLUSIVE lock on it and on the table it references", col, t),
				"add the column alone, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID and VALIDATE CONSTRAINT in a later migration")
		}
		if w.has("UNIQUE") || w.has("PRIMARY") {
			add("unique-constraint", fmt.Sprintf("the key declared with %s builds its index under an ACCESS EXCLUSIVE lock on %s", col, t),
				"add the column alone, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX")
		}
	case w.is("ALTER"):
		w.is("COLUMN")
		c, _ := w.ident()
		col := quote.Ident(c)
		switch {
		case w.is("SET", "NOT", "NULL"):
			if v >= 12 && l.provenNotNull(t, c) {
				break // PostgreSQL proves it from the check and skips the scan
			}
			fix := "add CHECK (" + col + " IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL (PostgreSQL uses the check and skips the scan) and drop the check"
			if v < 12 {
				fix = "before PostgreSQL 12 SET NOT NULL always scans the table: keep a validated CHECK (" + col + " IS NOT NULL) instead"
			}
			add("set-not-null", fmt.Sprintf("SET NOT NULL on %s scans every row of %s under an ACCESS EXCLUSIVE lock", col, t), fix)
		case w.is("SET", "DATA", "TYPE") || w.is("TYPE"):
			to := strings.TrimSpace(w.rest(text))
			if k := indexWord(to, "USING", "COLLATE"); k >= 0 {
				to = strings.TrimSpace(to[:k])
			}
			if !l.keepsStorage(t, c, to, strings.Contains(strings.ToUpper(text), "USING")) {
				add("table-rewrite", fmt.Sprintf("changing the type of %s to %s rewrites %s and its indexes under an ACCESS EXCLUSIVE lock", col, to, t),
					"add a column of the new type, write both from the application, fill it in batches, then switch reads over and drop the old column")
			}
		}
	case w.is("DROP", "CONSTRAINT"):
		w.is("IF", "EXISTS")
		name, _ := w.ident()
		l.dropNotNullCheck(t, name)
	case w.is("VALIDATE", "CONSTRAINT"):
		name, _ := w.ident()
		l.validateNotNullCheck(t, name)
	case w.is("DROP"):
		w.is("COLUMN")
		w.is("IF", "EXISTS")
		c, _ := w.ident()
		add("drop", fmt.Sprintf("dropping %s.%s deletes its values; code still running that reads or writes it fails", t, quote.Ident(c)),
			"stop using the column in the application first, deploy, then drop it in a later migration")
	case w.is("RENAME", "CONSTRAINT"):
	case w.is("RENAME", "TO"):
		n, _ := w.ident()
		add("rename", fmt.Sprintf("renaming %s to %s breaks the code still running that uses the old name", t, quote.Ident(n)),
			"deploy code that works with both names first (for a table, a view under the old name can stand in), or keep the old name")
	case w.is("RENAME"):
		w.is("COLUMN")
		c, _ := w.ident()
		w.is("TO")
		n, _ := w.ident()
		add("rename", fmt.Sprintf("renaming %s.%s to %s breaks the code still running that uses the old name", t, quote.Ident(c), quote.Ident(n)),
			"keep the column's name in the database and rename the field in Go only, or deploy code that works with both first")
	}
	return out
}

// addConstraint lints ADD [CONSTRAINT name] CHECK | FOREIGN KEY | UNIQUE |
// PRIMARY KEY on the existing table t, the cursor on the constraint kind.
func (l *linter) addConstraint(t qname, w *words) []Finding {
	var out []Finding
	add := func(code, msg, fix string) { out = append(out, Finding{Code: code, Message: msg, Fix: fix}) }
	switch {
	case w.is("CHECK"), w.is("FOREIGN", "KEY"):
		if !w.has("NOT") || !w.has("VALID") {
			what := "the check"
			lock := "an ACCESS EXCLUSIVE lock on " + t.String()
			if strings.EqualFold(w.toks[w.i-1].Text, "KEY") {
				what = "the foreign key"
				lock = "a SHARE ROW EXCLUSIVE lock on " + t.String() + " and on the table it references"
			}
			fix := "add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later migration, which takes a lock that lets reads and writes go on"
			if what == "the foreign key" && l.partitioned(t) && l.opts.version() < 18 {
				fix = "PostgreSQL before 18 refuses NOT VALID on a partitioned table's foreign key: add it while the table is small, or silence this with " + LintIgnore + " constraint-not-valid and the reason"
			}
			add("constraint-not-valid", fmt.Sprintf("adding %s reads every row under %s", what, lock), fix)
		}
	case w.is("UNIQUE"), w.is("PRIMARY", "KEY"):
		switch {
		case w.has("USING"):
		case l.partitioned(t):
			add("unique-constraint", fmt.Sprintf("adding the key builds its index on every partition of %s under an ACCESS EXCLUSIVE lock: every query on it waits", t),
				"PostgreSQL cannot add a partitioned table's key USING INDEX: add the key while the table is small, or silence this with "+LintIgnore+" unique-constraint and the reason")
		default:
			add("unique-constraint", fmt.Sprintf("adding the key builds its index under an ACCESS EXCLUSIVE lock on %s: every query on it waits", t),
				"CREATE UNIQUE INDEX CONCURRENTLY first (in a no-transaction migration), then ADD CONSTRAINT ... USING INDEX")
		}
	}
	return out
}

// keepsStorage reports whether changing column c of t to the type to keeps
// its stored bytes, so that PostgreSQL changes only the catalog: a longer
// varchar, varchar to text, a wider numeric.
func (l *linter) keepsStorage(t qname, c, to string, using bool) bool {
	bt := l.beforeTable(t)
	if bt == nil || using {
		return false
	}
	var from schema.Type
	found := false
	for _, col := range bt.Columns {
		if col.Name == c {
			from, found = col.Type, true
		}
	}
	next, err := schema.ParseType(to)
	if !found || err != nil || from.Array != next.Array || from.Schema != next.Schema {
		return false
	}
	if from == next {
		return true
	}
	switch {
	case from.Name == "character varying" && next.Name == "text" && !next.Array:
		return true
	case from.Name == "text" && next.Name == "character varying" && next.Mod == "":
		return true
	case from.Name == next.Name && (from.Name == "character varying" || from.Name == "bit varying"):
		return next.Mod == "" || (from.Mod != "" && atoi(next.Mod) >= atoi(from.Mod))
	case from.Name == "numeric" && next.Name == "numeric":
		if next.Mod == "" {
			return true
		}
		fp, fs, _ := strings.Cut(from.Mod, ",")
		np, ns, _ := strings.Cut(next.Mod, ",")
		return from.Mod != "" && fs == ns && atoi(np) >= atoi(fp)
	case from.Name == "cidr" && next.Name == "inet":
		return true
	}
	return false
}

// volatileDefault reports whether a column definition's default calls a
// function PostgreSQL evaluates anew for each row, so that adding the
// column writes every row.
func volatileDefault(def string) bool {
	low := strings.ToLower(def)
	k := strings.Index(low, "default")
	if k < 0 {
		return false
	}
	for _, f := range []string{"random(", "gen_random_uuid(", "uuid_generate_v", "clock_timestamp(", "timeofday(", "nextval(", "uuidv7(", "uuidv4("} {
		if strings.Contains(low[k:], f) {
			return true
		}
	}
	return false
}

// isSerial reports whether the column definition at the cursor (after its
// name) has a serial type, which fills every row from a sequence.
func isSerial(w *words) bool {
	if w.i >= len(w.toks) || !w.toks[w.i].Word {
		return false
	}
	switch strings.ToLower(w.toks[w.i].Text) {
	case "smallserial", "serial", "bigserial", "serial2", "serial4", "serial8":
		return true
	}
	return false
}

// notNull reports whether a column definition says NOT NULL (and not, say,
// a CHECK that mentions it).
func notNull(def string) bool {
	fs := sqlsplit.Fields(def)
	for i := 0; i+1 < len(fs); i++ {
		if strings.EqualFold(fs[i].Text, "NOT") && strings.EqualFold(fs[i+1].Text, "NULL") {
			return true
		}
	}
	return false
}

// indexWord returns the offset of the first of the key words in s outside
// parentheses and quotes, or -1.
func indexWord(s string, kws ...string) int {
	for _, f := range sqlsplit.Fields(s) {
		for _, kw := range kws {
			if strings.EqualFold(f.Text, kw) {
				return f.Offset
			}
		}
	}
	return -1
}

// longIdentifiers reports identifiers longer than PostgreSQL keeps.
func (l *linter) longIdentifiers(s migrate.Statement) []Finding {
	var out []Finding
	for t := range sqlsplit.Tokens(s.SQL) {
		if t.Comment {
			continue
		}
		name := ""
		switch {
		case t.Word:
			name = t.Text
		case len(t.Text) >= 2 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"':
			name = strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`)
		}
		if len(name) > schema.MaxIdentifierLength {
			out = append(out, l.finding(s, s.Line, s.Column, "identifier-too-long",
				fmt.Sprintf("the identifier %s is %d bytes long: PostgreSQL keeps its first %d bytes, so two long names can become one", quote.Ident(name), len(name), schema.MaxIdentifierLength),
				"shorten it to 63 bytes or fewer"))
		}
	}
	return out
}

// finding is a finding of the rule code about statement s, at line and
// col, with the rule's severity.
func (l *linter) finding(s migrate.Statement, line, col int, code, msg, fix string) Finding {
	r, ok := ruleOf(code)
	if !ok {
		panic("migrations: lint rule " + code + " is not in LintRules")
	}
	return Finding{Code: code, Severity: r.Severity, File: l.file, Line: line, Column: col, Statement: s.SQL, Message: msg, Fix: fix}
}
