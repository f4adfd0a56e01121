package pg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// updateCols appends to dst the positions of the columns an update of
// whole rows sets: those named, or, when none is, every column that is
// neither part of the primary key nor filled by the database. what names
// the call in errors. (Appending lets a caller keep the positions in an
// array of its own, which needs no allocation.)
func (t *Table[R]) updateCols(dst []int, what string, cols []AnyColumn) ([]int, error) {
	if len(t.PK) == 0 {
		return nil, fmt.Errorf("pg: %s %q: the table has no primary key to find rows by; use Update().Where", what, t.Name)
	}
	isPK := func(i int) bool {
		for _, k := range t.PK {
			if k == i {
				return true
			}
		}
		return false
	}
	start := len(dst)
	set := dst
	if len(cols) == 0 {
		// A column with an onupdate: value gets that value, as from an
		// UpdateQuery that does not set it, rather than the row's copy of
		// what was stored.
		for i, m := range t.Modes {
			if m != table.InsertNever && !isPK(i) && !t.hasOnUpdate(i) {
				set = append(set, i)
			}
		}
		if len(set) == start && len(t.OnUpdate) == 0 {
			return nil, fmt.Errorf("pg: %s %q: every column is part of the primary key or filled by the database: nothing to set", what, t.Name)
		}
		return set, nil
	}
	for _, c := range cols {
		r := c.ref()
		i := t.index(r)
		switch {
		case i < 0:
			return nil, fmt.Errorf("pg: %s %q: column %s is not one of its columns", what, t.Name, r.qual)
		case isPK(i):
			return nil, fmt.Errorf("pg: %s %q: column %s is part of the primary key, which finds the row: change a key with Update().Where", what, t.Name, r.name)
		case t.Modes[i] == table.InsertNever:
			return nil, fmt.Errorf("pg: %s %q: column %s is filled by the database (generated, or identity ALWAYS) and cannot be written", what, t.Name, r.name)
		}
		for _, j := range set[start:] {
			if j == i {
				return nil, fmt.Errorf("pg: %s %q: column %s is named twice", what, t.Name, r.name)
			}
		}
		set = append(set, i)
	}
	return set, nil
}

// errZeroKey is what UpdateRow and UpdateMany return for a row whose
// primary key is all zero values.
var errZeroKey = errors.New("the row's primary key is zero: it was not read from the table nor inserted into it (to change rows whose key is zero, use Update().Where)")

// UpdateRow writes row over the stored row with the same primary key, in
// one statement, and returns it as stored (RETURNING every column, so
// that values the database changes, by a trigger or a rounding, are
// seen). It sets the columns named in cols, or, when none is, every
// column but the primary key's and those the database fills (generated,
// identity ALWAYS). A column with an onupdate: value in the schema that
// cols does not name gets that value, as from an UpdateQuery.
//
// A row whose primary key fields are all zero is refused before anything
// is sent: it was never read from the table nor inserted into it, and
// updating "the row with id 0" is almost always a forgotten load. When no
// stored row has the key, UpdateRow returns an error wrapping ErrNotFound
// that names the key, and changes nothing.
func (t *Table[R]) UpdateRow(ctx context.Context, db DBTX, row R, cols ...AnyColumn) (R, error) {
	var zero R
	var setBuf [16]int
	set, err := t.updateCols(setBuf[:0], "update of", cols)
	if err != nil {
		return zero, err
	}
	if t.ZeroKey != nil && t.ZeroKey(&row) {
		return zero, fmt.Errorf("pg: update of %q: %w", t.Name, errZeroKey)
	}
	vals := t.Values(&row, make([]any, 0, len(t.Cols)))
	s := newStmt(32+len(t.From)+16*(len(set)+len(t.PK))+len(t.List), t.Alias)
	defer s.release()
	b := &s.b
	b.writeSQL("UPDATE ")
	b.writeSQL(t.From)
	b.writeSQL(" SET ")
	for n, i := range set {
		if n > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL(t.Cols[i])
		b.writeSQL(" = ")
		b.writeArg(vals[i])
	}
	t.writeRowOnUpdate(b, set)
	for n, i := range t.PK {
		if n == 0 {
			b.writeSQL(" WHERE ")
		} else {
			b.writeSQL(" AND ")
		}
		b.writeCol(t.Alias + "." + t.Cols[i])
		b.writeSQL(" = ")
		b.writeArg(vals[i])
	}
	b.writeSQL(" RETURNING ")
	b.writeSQL(t.List)
	var out R
	err = t.Scan(db.QueryRow(ctx, b.finish(), b.args...), &out)
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, &NotFoundError{Table: t.Name, Key: t.keyString(vals)}
	}
	if err != nil {
		return zero, wrap(opUpdate, t.Name, err)
	}
	return out, nil
}

// keyString spells the primary key of a row whose values are vals, for
// a NotFoundError.
func (t *Table[R]) keyString(vals []any) string {
	key := make([]any, len(t.PK))
	for n, i := range t.PK {
		key[n] = vals[i]
	}
	return t.keyText(key)
}

// keyText spells a primary key whose values are key.
func (t *Table[R]) keyText(key []any) string {
	var b strings.Builder
	for n, i := range t.PK {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.Names[i])
		b.WriteString(" = ")
		switch v := key[n].(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		case fmt.Stringer:
			b.WriteString(strconv.Quote(v.String()))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// UpdateMany writes each of rows over the stored row with the same
// primary key, all in one statement, and returns how many rows it
// changed. It sets the columns named in cols, or, when none is, every
// column but the primary key's and those the database fills; each row
// brings its own values, and a column with an onupdate: value that cols
// does not name gets that value, as from UpdateRow:
//
//	UPDATE t SET c = v.c, ... FROM (VALUES ($1::bigint, $2::text), ($3, $4), ...) AS v(id, c)
//	WHERE t.id = v.id
//
// (a VALUES list, rather than unnest of one array per column: for a
// thousand rows the two measured within noise of each other, and VALUES
// needs no array type per column, which enums and domains may lack). A
// row whose key no stored row has changes nothing, so the count is then
// smaller than len(rows). Refused before anything is sent: a row whose
// primary key is all zero values (as by UpdateRow), two rows with the
// same key (PostgreSQL would apply one of them, unsaid which), and more
// values than the 65535 parameters of one statement.
func (t *Table[R]) UpdateMany(ctx context.Context, db DBTX, rows []R, cols ...AnyColumn) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	// The key's columns, then those set: the columns of the VALUES list.
	var sentBuf [16]int
	sent, err := t.updateCols(append(sentBuf[:0], t.PK...), "update of", cols)
	if err != nil {
		return 0, err
	}
	set := sent[len(t.PK):]
	for _, i := range sent {
		if i >= len(t.Types) || t.Types[i] == "" {
			return 0, fmt.Errorf("pg: update of %q: the type of column %s is not recorded: generate the table's code again", t.Name, t.Names[i])
		}
	}
	if n := len(rows) * len(sent); n > maxParams {
		return 0, fmt.Errorf("pg: updating %d rows of %d columns of %q needs %d parameters, more than PostgreSQL's %d: update in chunks",
			len(rows), len(sent), t.Name, n, maxParams)
	}
	for r := range rows {
		if t.ZeroKey != nil && t.ZeroKey(&rows[r]) {
			return 0, fmt.Errorf("pg: update of %q: row %d: %w", t.Name, r, errZeroKey)
		}
	}
	// The alias of the VALUES list, which must differ from the table's.
	v := `"v"`
	if t.Alias == v {
		v = `"v_"`
	}
	var b builder
	b.buf = make([]byte, 0, t.updateManySize(sent, len(rows), v))
	b.args = make([]any, 0, len(rows)*len(sent))
	b.writeSQL("UPDATE ")
	b.writeSQL(t.From)
	b.writeSQL(" SET ")
	for n, i := range set {
		if n > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL(t.Cols[i])
		b.writeSQL(" = ")
		b.writeSQL(v)
		b.writeSQL(".")
		b.writeSQL(t.Cols[i])
	}
	t.writeRowOnUpdate(&b, set)
	b.writeSQL(" FROM (VALUES ")
	var all []any // the row's every value, when there is no Value
	keys := newKeySet(len(t.PK))
	defer keys.release()
	for r := range rows {
		if t.Value == nil {
			all = t.Values(&rows[r], all[:0])
		}
		if r > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL("(")
		k := len(b.args)
		for n, i := range sent {
			if n > 0 {
				b.writeSQL(", ")
			}
			if t.Value != nil {
				b.writeArg(t.Value(&rows[r], i))
			} else {
				b.writeArg(all[i])
			}
			if r == 0 {
				// The first row's casts type the VALUES list's columns.
				b.writeSQL("::")
				b.writeSQL(t.Types[i])
			}
		}
		b.writeSQL(")")
		// The key's values lead the row's.
		if prev, dup := keys.add(b.args[k:k+len(t.PK)], r); dup {
			return 0, fmt.Errorf("pg: update of %q: rows %d and %d have the same primary key (%s): PostgreSQL would apply only one of them",
				t.Name, prev, r, t.keyText(b.args[k:k+len(t.PK)]))
		}
	}
	b.writeSQL(") AS ")
	b.writeSQL(v)
	b.writeSQL(" (")
	for n, i := range sent {
		if n > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL(t.Cols[i])
	}
	b.writeSQL(")")
	for n, i := range t.PK {
		if n == 0 {
			b.writeSQL(" WHERE ")
		} else {
			b.writeSQL(" AND ")
		}
		b.writeSQL(t.Alias + "." + t.Cols[i] + " = " + v + "." + t.Cols[i])
	}
	return exec(ctx, db, &b, opUpdate, t.Name)
}

// updateManySize returns the length of UpdateMany's statement for rows
// rows whose values are those of the columns sent, or a little more, so
// that its buffer is allocated once: every column's name, type and alias
// counted generously, and each row's parameters at the width of the last.
func (t *Table[R]) updateManySize(sent []int, rows int, v string) int {
	n := 64 + len(t.From)
	for _, i := range sent {
		n += 3*len(t.Cols[i]) + len(t.Types[i]) + len(t.Alias) + 2*len(v) + 16
	}
	width := 1 // of the last parameter's number
	for m := rows * len(sent); m >= 10; m /= 10 {
		width++
	}
	return n + rows*(4+len(sent)*(3+width))
}

// keySet finds rows with the same primary key. Keys are compared as Go
// values; a key of a type Go cannot compare (a []byte key of a bytea
// column) turns the check off, and PostgreSQL then decides.
type keySet struct {
	one  map[any]int
	many map[string]int
}

// keySets keeps the sets of finished calls, whose maps, emptied, keep
// their room: a bulk update's thousand keys then cost no allocation.
var keySets = sync.Pool{New: func() any { return new(keySet) }}

// maxPooledKeys bounds the sets kept, so that one huge update does not
// keep its map's memory for good.
const maxPooledKeys = 1 << 14

func newKeySet(keyCols int) *keySet {
	k := keySets.Get().(*keySet)
	if keyCols == 1 {
		if k.one == nil {
			k.one = make(map[any]int)
		}
	} else if k.many == nil {
		k.many = make(map[string]int)
	}
	return k
}

// release empties k and gives it back for another call to use. A set
// grown past maxPooledKeys is dropped instead.
func (k *keySet) release() {
	if len(k.one) > maxPooledKeys || len(k.many) > maxPooledKeys {
		return
	}
	clear(k.one)
	clear(k.many)
	keySets.Put(k)
}

// add records the key of row r, whose values are key, and reports the
// row that had it already.
func (k *keySet) add(key []any, r int) (prev int, dup bool) {
	if len(key) == 1 {
		v := key[0]
		if !hashable(v) {
			return 0, false
		}
		if p, ok := k.one[v]; ok {
			return p, true
		}
		k.one[v] = r
		return 0, false
	}
	// A composite key as text: %#v keeps the types apart, so that 1 and
	// "1" differ, and spells a comparable value the same every time.
	var s strings.Builder
	for _, v := range key {
		fmt.Fprintf(&s, "%#v\x00", v)
	}
	if p, ok := k.many[s.String()]; ok {
		return p, true
	}
	k.many[s.String()] = r
	return 0, false
}

// hashable reports whether v can be a map key, without reflection: the
// types keys usually have are listed, and any other is tried.
func hashable(v any) (ok bool) {
	switch v.(type) {
	case int64, int32, int16, int, string, [16]byte:
		return true
	case []byte:
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = map[any]bool{v: true}
	return true
}
