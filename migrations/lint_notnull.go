package migrations

// SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock, unless
// (PostgreSQL 12 and later) a validated CHECK (col IS NOT NULL) proves
// that no row holds NULL. Lint keeps the checks that can prove it: those
// of the schema before the migration (a snapshot knows no NOT VALID, and
// a migration that mizzle applied validated what it added), and those the
// migration adds, validated at once or by a VALIDATE CONSTRAINT after
// their NOT VALID.

import "github.com/mizzle/mizzle/internal/sqlsplit"

// notNullCheck is a CHECK (column IS NOT NULL) constraint.
type notNullCheck struct {
	column string
	valid  bool
}

// provenNotNull reports whether a validated check of t proves column
// holds no NULL.
func (l *linter) provenNotNull(t qname, column string) bool {
	if bt := l.beforeTable(t); bt != nil {
		for _, c := range bt.Checks {
			if _, seen := l.notNull[t][c.Name]; seen {
				continue // dropped or added again by the migration: see below
			}
			if col, ok := notNullColumn(tokenize(c.Expr).toks); ok && col == column {
				return true
			}
		}
	}
	for _, c := range l.notNull[t] {
		if c.valid && c.column == column {
			return true
		}
	}
	return false
}

// addNotNullCheck records the constraint name added to t when it is a
// CHECK (col IS NOT NULL), the cursor on the constraint's kind; the
// cursor does not move.
func (l *linter) addNotNullCheck(t qname, name string, w *words) {
	at := w.i
	defer func() { w.i = at }()
	if name == "" || !w.is("CHECK") || w.i >= len(w.toks) || w.toks[w.i].Text != "(" {
		return
	}
	// The check's parenthesised expression, then its options.
	end, depth := w.i, 0
	for ; end < len(w.toks); end++ {
		switch w.toks[end].Text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 {
			break
		}
	}
	if end == len(w.toks) {
		return
	}
	col, ok := notNullColumn(w.toks[w.i : end+1])
	if !ok {
		return
	}
	w.i = end + 1
	notValid := w.is("NOT", "VALID")
	if l.notNull == nil {
		l.notNull = map[qname]map[string]notNullCheck{}
	}
	if l.notNull[t] == nil {
		l.notNull[t] = map[string]notNullCheck{}
	}
	l.notNull[t][name] = notNullCheck{column: col, valid: !notValid}
}

// validateNotNullCheck marks the check name of t validated.
func (l *linter) validateNotNullCheck(t qname, name string) {
	if c, ok := l.notNull[t][name]; ok {
		c.valid = true
		l.notNull[t][name] = c
	}
}

// dropNotNullCheck forgets the check name of t; a check of the schema
// before is remembered as dropped (not valid), so that it proves nothing.
func (l *linter) dropNotNullCheck(t qname, name string) {
	if l.notNull == nil {
		l.notNull = map[qname]map[string]notNullCheck{}
	}
	if l.notNull[t] == nil {
		l.notNull[t] = map[string]notNullCheck{}
	}
	l.notNull[t][name] = notNullCheck{}
}

// notNullColumn reads "col IS NOT NULL" in any number of parentheses,
// and nothing else, returning the column.
func notNullColumn(toks []sqlsplit.Token) (string, bool) {
	for len(toks) >= 2 && toks[0].Text == "(" && toks[len(toks)-1].Text == ")" {
		toks = toks[1 : len(toks)-1]
	}
	in := &words{toks: toks}
	col, ok := in.ident()
	if !ok || !in.is("IS", "NOT", "NULL") || in.i != len(toks) {
		return "", false
	}
	return col, true
}
