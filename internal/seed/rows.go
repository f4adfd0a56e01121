package seed

import (
	"fmt"
	"strings"
)

// Rows makes the rows of one table of a Plan, one at a time, as pgx's
// CopyFromSource reads them: Next, Values, Err. The tables a table's
// foreign keys reference must have been made first (in Plan.Tables
// order), since their keys are picked from the values kept of them.
type Rows struct {
	p   *Plan
	t   *TablePlan
	i   int
	row []any
	err error
	// with is the parent row the next child row hangs on, and left the
	// rows still to hang there.
	with, left int
}

// Rows returns the rows of t, which must be one of p.Tables.
func (p *Plan) Rows(t *TablePlan) *Rows {
	r := &Rows{p: p, t: t, row: make([]any, len(t.cols)), with: -1}
	for _, f := range t.fks {
		if f.parent != t && !f.deferred && !f.parent.done {
			r.err = fmt.Errorf("seed: rows of %s asked for before those of %s", t.Name(), f.parent.Name())
		}
	}
	return r
}

// Next makes the next row; false at the end or on an error.
func (r *Rows) Next() bool {
	if r.err != nil {
		return false
	}
	t := r.t
	if r.i >= t.Count {
		t.done = true
		return false
	}
	if err := r.make(r.i); err != nil {
		r.err = err
		return false
	}
	r.i++
	return true
}

// Values returns the row Next made. The slice is reused by the next call.
func (r *Rows) Values() ([]any, error) { return r.row, nil }

// Err returns the error that ended the rows, if any.
func (r *Rows) Err() error { return r.err }

func (r *Rows) make(i int) error {
	t, row := r.t, r.row
	for _, tu := range t.tuples {
		k := tu.p.at(uint64(i))
		for d, size := range tu.sizes {
			tu.cur[d] = k % size
			k /= size
		}
	}
	for _, f := range t.fks {
		if f.self {
			continue
		}
		if f.deferred {
			for _, ci := range f.cols {
				row[ci] = nil
			}
			continue
		}
		var pr int
		switch {
		case f.tuple != nil:
			pr = int(f.tuple.cur[f.dim])
		case t.withFK == f:
			for r.left == 0 {
				r.with++
				r.left = t.withCounts[r.with]
			}
			r.left--
			pr = r.with
		default:
			if f.nulls > 0 && f.s.float() < f.nulls {
				for j, ci := range f.cols {
					if !contains(f.overlap, j) {
						row[ci] = nil
					}
				}
				continue
			}
			var ok bool
			pr, ok = r.pickParent(f)
			if !ok {
				if f.nullable {
					for j, ci := range f.cols {
						if !contains(f.overlap, j) {
							row[ci] = nil
						}
					}
					continue
				}
				return r.noParent(f)
			}
		}
		for j, ci := range f.cols {
			if !contains(f.overlap, j) {
				row[ci] = f.parent.store[f.fk.RefColumns[j]][pr]
			}
		}
	}
	for ci, cp := range t.cols {
		switch {
		case cp.fk != nil:
		case cp.fn != nil:
			v, err := callFunc(t, cp, i)
			if err != nil {
				return err
			}
			row[ci] = v
		case cp.seq:
			row[ci] = seqValue(cp, i)
		case cp.tuple != nil:
			row[ci] = cp.gen.at(cp.tuple.cur[cp.dim], cp.s)
		case cp.carrier != nil:
			row[ci] = cp.gen.at(cp.carrier.at(uint64(i)), cp.s)
		case cp.nulls > 0 && cp.s.float() < cp.nulls:
			row[ci] = nil
		default:
			row[ci] = cp.gen.random(cp.s)
		}
	}
	for _, ci := range t.stored {
		name := t.cols[ci].col.Name
		t.store[name] = append(t.store[name], row[ci])
	}
	for _, f := range t.fks {
		if !f.self {
			continue
		}
		// A row refers to a row before it (the first, when the key may
		// be NULL, to none), or, when it must refer to one, possibly to
		// itself: the key checks run at the end of COPY, when every row
		// of it is in.
		if f.nullable && (i == 0 || f.s.float() < f.nulls) {
			for _, ci := range f.cols {
				row[ci] = nil
			}
			continue
		}
		upto := i
		if !f.nullable {
			upto = i + 1
		}
		pr := int(f.s.intn(uint64(upto)))
		for j, ci := range f.cols {
			v := t.store[f.fk.RefColumns[j]][pr]
			row[ci] = v
		}
	}
	return nil
}

// pickParent picks a parent row at random, among those agreeing with the
// columns an earlier foreign key set.
func (r *Rows) pickParent(f *fkPlan) (int, bool) {
	n := parentRows(f.parent)
	if len(f.overlap) == 0 {
		if n == 0 {
			return 0, false
		}
		return int(f.s.intn(uint64(n))), true
	}
	var refs, key []string
	for _, j := range f.overlap {
		refs = append(refs, f.fk.RefColumns[j])
		v := r.row[f.cols[j]]
		if v == nil {
			return 0, false
		}
		key = append(key, Text(v))
	}
	idx := f.parent.index(refs)
	rows := idx[strings.Join(key, "\x00")]
	if len(rows) == 0 {
		return 0, false
	}
	return rows[f.s.intn(uint64(len(rows)))], true
}

func parentRows(t *TablePlan) int {
	for _, v := range t.store {
		return len(v)
	}
	return 0
}

// index returns t's rows by the values of cols.
func (t *TablePlan) index(cols []string) map[string][]int {
	name := strings.Join(cols, "\x00")
	if idx, ok := t.indexes[name]; ok {
		return idx
	}
	idx := map[string][]int{}
	for i := range parentRows(t) {
		var key []string
		for _, c := range cols {
			key = append(key, Text(t.store[c][i]))
		}
		k := strings.Join(key, "\x00")
		idx[k] = append(idx[k], i)
	}
	if t.indexes == nil {
		t.indexes = map[string]map[string][]int{}
	}
	t.indexes[name] = idx
	return idx
}

func (r *Rows) noParent(f *fkPlan) error {
	if len(f.overlap) > 0 {
		return &Error{Table: r.t.Name(), Msg: fmt.Sprintf("foreign key %s: no row of %s agrees with the columns another foreign key set, and its columns are NOT NULL", f.fk.Name, f.parent.Name())}
	}
	return &Error{Table: r.t.Name(), Msg: fmt.Sprintf("foreign key %s references %s, which holds no rows, and its columns are NOT NULL", f.fk.Name, f.parent.Name())}
}

// callFunc calls a column's Func for row i; a panic in it is an error
// naming the column, not the end of the program.
func callFunc(t *TablePlan, cp *colPlan, i int) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Table: t.Name(), Column: cp.col.Name, Msg: fmt.Sprintf("its Func panicked at row %d: %v", i, r)}
		}
	}()
	return cp.fn(cp.rnd, i), nil
}

func contains(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func seqValue(cp *colPlan, i int) any {
	v := int64(i) + 1
	switch cp.col.Type.Storage().Name {
	case "smallint":
		return int16(v)
	case "integer":
		return int32(v)
	}
	return v
}

// Update is a foreign key closing a cycle, filled after every table is
// written: the rows by their primary key, and the values to set.
type Update struct {
	Table *TablePlan
	// Key are the primary key's columns and Columns the foreign key's.
	Key, Columns []string
	// Keys and Values hold one row each: Keys[r] identifies the row whose
	// foreign key columns take Values[r].
	Keys, Values [][]any
}

// Updates returns the foreign keys closing cycles, with their values,
// once every table has been made.
func (p *Plan) Updates() ([]Update, error) {
	var us []Update
	for _, t := range p.Tables {
		for _, f := range t.fks {
			if !f.deferred {
				continue
			}
			u := Update{Table: t, Key: t.Table.PrimaryKey.Columns, Columns: f.fk.Columns}
			n := parentRows(f.parent)
			for i := range t.Count {
				if f.nulls > 0 && f.s.float() < f.nulls {
					continue
				}
				if n == 0 {
					break
				}
				pr := int(f.s.intn(uint64(n)))
				var key, vals []any
				for _, c := range u.Key {
					key = append(key, t.store[c][i])
				}
				for _, rc := range f.fk.RefColumns {
					vals = append(vals, f.parent.store[rc][pr])
				}
				u.Keys = append(u.Keys, key)
				u.Values = append(u.Values, vals)
			}
			us = append(us, u)
		}
	}
	return us, nil
}

// SetExisting gives an external table (one of p.External) the rows it
// holds: the values of its Columns, one slice per row. A NOT NULL foreign
// key to a table without rows is an error.
func (p *Plan) SetExisting(t *TablePlan, rows [][]any) error {
	for _, c := range t.Columns {
		t.store[c] = make([]any, 0, len(rows))
	}
	for _, row := range rows {
		for j, c := range t.Columns {
			t.store[c] = append(t.store[c], row[j])
		}
	}
	t.done = true
	if len(rows) > 0 {
		return nil
	}
	for _, tp := range p.Tables {
		for _, f := range tp.fks {
			if f.parent == t && !f.nullable {
				return &Error{Table: tp.Name(), Msg: fmt.Sprintf("foreign key %s references %s, which this run does not fill and which holds no rows; fill it too, or first", f.fk.Name, t.Name())}
			}
		}
	}
	return nil
}
