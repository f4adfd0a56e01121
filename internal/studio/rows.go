package studio

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
)

// rowsRoutes registers the API of the data grid: a page of a table's
// rows, filtered and sorted, its count on demand, one long value in
// full, and its export as CSV or JSON (export.go).
func (s *Server) rowsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/rows", s.api(s.handleRows))
	mux.HandleFunc("GET /api/count", s.api(s.handleCount))
	mux.HandleFunc("GET /api/cell", s.api(s.handleCell))
	mux.HandleFunc("GET /api/export", s.api(s.handleExport))
}

const (
	defaultPageRows = 50
	maxPageRows     = 1000
	// maxCellBytes is the longest value a page carries: a longer one is
	// cut and listed in truncated_cells, and GET /api/cell gives it whole.
	maxCellBytes = 10_000
	// maxInValues bounds an in filter's list, far below the 65,535
	// parameters a statement takes.
	maxInValues = 1000
)

// filter is one condition of the grid's filters, all combined with AND.
// Value is compared as a value of the column's type, never as SQL.
type filter struct {
	Column string   `json:"column"`
	Op     string   `json:"op"`
	Value  *string  `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`

	col *columnDesc
}

// comparisons are the filters' operators that compare the column with
// one value.
var comparisons = map[string]string{"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

const filterOps = "eq, ne, lt, le, gt, ge, like, ilike, null, notnull or in"

// view is what a request asks of a relation: its filters and its order.
type view struct {
	t       *tableDesc
	filters []filter
	sort    *columnDesc // nil: the key's order
	desc    bool
}

// readView reads the relation, ?filters=, ?sort= and ?desc= of r, each
// checked against the catalog: a column the relation lacks is a 400
// naming it.
func (s *Server) readView(ctx context.Context, r *http.Request) (*view, error) {
	schema, name, err := relationParams(r)
	if err != nil {
		return nil, err
	}
	t, err := s.describe(ctx, schema, name, false)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	v := &view{t: t}
	if c := q.Get("sort"); c != "" {
		if v.sort = t.byName[c]; v.sort == nil {
			return nil, badRequest("sort: %s has no column %s", quote.Ident(t.Schema, t.Name), quote.Ident(c))
		}
	}
	switch d := q.Get("desc"); d {
	case "", "0", "false":
	case "1", "true":
		v.desc = true
	default:
		return nil, badRequest("desc: %q is neither 1 nor 0", d)
	}
	if f := q.Get("filters"); f != "" {
		dec := json.NewDecoder(strings.NewReader(f))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v.filters); err != nil || dec.More() {
			if err == nil {
				err = errors.New("more than one value")
			}
			return nil, badRequest("filters: not a JSON array of filters: %v", err)
		}
	}
	for i := range v.filters {
		if err := v.checkFilter(&v.filters[i]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// checkFilter checks that f names a column of the relation and carries
// what its operator needs.
func (v *view) checkFilter(f *filter) error {
	if f.col = v.t.byName[f.Column]; f.col == nil {
		return badRequest("filter on %s: %s has no such column", quote.Ident(f.Column), quote.Ident(v.t.Schema, v.t.Name))
	}
	where := "filter on " + quote.Ident(f.Column)
	switch f.Op {
	case "eq", "ne", "lt", "le", "gt", "ge", "like", "ilike":
		if f.Value == nil {
			return badRequest("%s: %s needs a value", where, f.Op)
		}
		if len(f.Values) > 0 {
			return badRequest("%s: %s takes one value, not values", where, f.Op)
		}
		if (f.Op == "like" || f.Op == "ilike") && f.col.category != "S" {
			return badRequest("%s: %s applies to text columns, and %s is %s", where, f.Op, quote.Ident(f.Column), f.col.Type)
		}
	case "in":
		if len(f.Values) == 0 {
			return badRequest("%s: in needs at least one value", where)
		}
		if len(f.Values) > maxInValues {
			return badRequest("%s: in takes at most %d values, not %d", where, maxInValues, len(f.Values))
		}
		if f.Value != nil {
			return badRequest("%s: in takes values, not value", where)
		}
	case "null", "notnull":
		if f.Value != nil || len(f.Values) > 0 {
			return badRequest("%s: %s takes no value", where, f.Op)
		}
	default:
		return badRequest("%s: unknown operator %q (want %s)", where, f.Op, filterOps)
	}
	return nil
}

// sqlText is a statement being written: its text and its values. The
// values are never written into the text: each is a parameter ($n), or,
// for COPY, which takes no parameters, a setting of the transaction read
// with current_setting; either way it is cast from text to the column's
// type, so that '2024-01-01' compares as a date.
type sqlText struct {
	strings.Builder
	args     []any
	settings bool // values are settings: see settingName
	// probes are the casts of the values, one per value, in order, for
	// checking them before the statement runs.
	probes []probe
}

// probe is a value the statement casts, and the place it came from,
// for naming it when the cast fails.
type probe struct {
	where string // "filter on \"id\""
	expr  string // "$3::pg_catalog.text::\"pg_catalog\".\"int4\""
	arg   string
}

// settingName is the name of the transaction setting holding the n-th
// value of a statement written with settings.
func settingName(n int) string { return "mizzle_studio.v" + strconv.Itoa(n) }

// value adds v as a value of type castType and returns its expression.
func (q *sqlText) value(v, castType, where string) string {
	q.args = append(q.args, v)
	n := len(q.args)
	var e string
	if q.settings {
		e = "pg_catalog.current_setting('" + settingName(n) + "')::" + castType
	} else {
		e = "$" + strconv.Itoa(n) + "::pg_catalog.text::" + castType
	}
	q.probes = append(q.probes, probe{where: where, expr: "$1::pg_catalog.text::" + castType, arg: v})
	return e
}

// number adds n as a bigint parameter: a limit or an offset.
func (q *sqlText) number(n int64) string {
	q.args = append(q.args, n)
	return "$" + strconv.Itoa(len(q.args))
}

// filterConds returns v's filters as conditions, their values added to
// q.
func (q *sqlText) filterConds(v *view) []string {
	var conds []string
	for _, f := range v.filters {
		col := quote.Ident(f.Column)
		where := "filter on " + col
		switch f.Op {
		case "null":
			conds = append(conds, col+" IS NULL")
		case "notnull":
			conds = append(conds, col+" IS NOT NULL")
		case "like", "ilike":
			conds = append(conds, col+" "+strings.ToUpper(f.Op)+" "+q.value(*f.Value, "pg_catalog.text", where))
		case "in":
			vals := make([]string, len(f.Values))
			for i, x := range f.Values {
				vals[i] = q.value(x, f.col.castType, where)
			}
			conds = append(conds, col+" IN ("+strings.Join(vals, ", ")+")")
		default:
			conds = append(conds, col+" "+comparisons[f.Op]+" "+q.value(*f.Value, f.col.castType, where))
		}
	}
	return conds
}

// from writes FROM v's relation and WHERE conds, when there are any.
func (q *sqlText) from(v *view, conds []string) {
	q.WriteString(" FROM ")
	q.WriteString(quote.Ident(v.t.Schema, v.t.Name))
	if len(conds) > 0 {
		q.WriteString(" WHERE ")
		q.WriteString(strings.Join(conds, " AND "))
	}
}

// order is the columns rows are sorted by: the sort column if any, then
// the key's columns as tie-breakers, or, for a table without a key,
// its rows' physical position, so that pages at least do not overlap.
// keyset says that the order ends in a unique key, so that the last
// row's values of these columns say where the next page starts.
func (v *view) order() (cols []string, keyset bool) {
	if v.sort != nil {
		cols = append(cols, v.sort.Name)
	}
	if len(v.t.uniqueKey) > 0 {
		for _, k := range v.t.uniqueKey {
			if v.sort == nil || k != v.sort.Name {
				cols = append(cols, k)
			}
		}
		return cols, true
	}
	if v.t.Kind == "table" || v.t.Kind == "matview" {
		cols = append(cols, "ctid")
	}
	return cols, false
}

// orderBy writes the ORDER BY clause of cols, with where NULLs go said
// (where PostgreSQL puts them: last going up, first going down).
func (q *sqlText) orderBy(cols []string, desc bool) {
	if len(cols) == 0 {
		return
	}
	dir := " ASC NULLS LAST"
	if desc {
		dir = " DESC NULLS FIRST"
	}
	q.WriteString(" ORDER BY ")
	for i, c := range cols {
		if i > 0 {
			q.WriteString(", ")
		}
		if c == "ctid" {
			q.WriteString(c) // the system column, never a user's: a table cannot have a column of that name
		} else {
			q.WriteString(quote.Ident(c))
		}
		q.WriteString(dir)
	}
}

// cursor is what the opaque ?after= holds: where the next page starts,
// as the last row's values of the order's columns (keyset), or as a
// number of rows to skip. Offset is the number of rows before the next
// page either way, for the page's "offset".
type cursor struct {
	Sort   string    `json:"s,omitempty"`
	Desc   bool      `json:"d,omitempty"`
	Cols   []string  `json:"c,omitempty"`
	Values []*string `json:"v,omitempty"`
	Offset int64     `json:"o"`
}

func (c *cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	c := new(cursor)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(c)
	}
	if err != nil || c.Offset < 0 {
		return nil, badRequest("after: not a cursor this studio made")
	}
	return c, nil
}

// keyRange is rows after a cursor: those that pass cond, in the order
// of cols.
type keyRange struct {
	cond string
	cols []string
}

// keysetRanges returns the rows after the cursor's, in the order of
// cols: one row-value comparison, or, where the sort column holds NULLs,
// which neither < nor > orders, two ranges, the rows of the first all
// before those of the second. Two ranges are read apart (see
// handleRows), since PostgreSQL reads neither half of "a OR b" in an
// index's order, and a range of NULLs is read in the key's order alone,
// which is theirs (the sort column's index would give them all, to be
// sorted by key).
func (v *view) keysetRanges(q *sqlText, cols []string, c *cursor) ([]keyRange, error) {
	sortName := ""
	if v.sort != nil {
		sortName = v.sort.Name
	}
	if c.Sort != sortName || c.Desc != v.desc || !slices.Equal(c.Cols, cols) || len(c.Values) != len(cols) {
		return nil, badRequest("after: the cursor was made for another order of the rows: start again from the first page")
	}
	op := " > "
	if v.desc {
		op = " < "
	}
	row := func(cols []string, vals []*string) (string, error) {
		ls, rs := make([]string, len(cols)), make([]string, len(cols))
		for i, name := range cols {
			if vals[i] == nil {
				return "", badRequest("after: the cursor holds NULL for %s, a key column", quote.Ident(name))
			}
			ls[i] = quote.Ident(name)
			rs[i] = q.value(*vals[i], v.t.byName[name].castType, "after (the cursor)")
		}
		if len(cols) == 1 {
			return ls[0] + op + rs[0], nil
		}
		return "(" + strings.Join(ls, ", ") + ")" + op + "(" + strings.Join(rs, ", ") + ")", nil
	}
	if v.sort == nil || !v.sort.Nullable || cols[0] != sortName || len(cols) == 1 {
		cond, err := row(cols, c.Values)
		return []keyRange{{cond, cols}}, err
	}
	// A nullable sort column: NULLs come last going up, first going down.
	s, keyCols := quote.Ident(sortName), cols[1:]
	if c.Values[0] == nil {
		rest, err := row(keyCols, c.Values[1:])
		nulls := keyRange{s + " IS NULL AND " + rest, keyCols} // the rest of the NULLs
		if !v.desc {
			return []keyRange{nulls}, err // the last rows
		}
		return []keyRange{nulls, {s + " IS NOT NULL", cols}}, err // then every value
	}
	all, err := row(cols, c.Values)
	if !v.desc {
		return []keyRange{{all, cols}, {s + " IS NULL", keyCols}}, err // the greater values, then the NULLs
	}
	return []keyRange{{all, cols}}, err // the lesser values: the NULLs are behind
}

// pageReply is a page of rows as GET /api/rows sends it.
type pageReply struct {
	Columns []Column    `json:"columns"`
	Rows    [][]*string `json:"rows"`
	// Key is the positions in Columns of the columns that identify a
	// row (the primary key, or else a unique key of NOT NULL columns);
	// null when none does.
	Key            []int    `json:"key"`
	Next           *string  `json:"next"`
	Offset         int64    `json:"offset"`
	Limit          int      `json:"limit"`
	TruncatedCells [][2]int `json:"truncated_cells"`
}

// intParam reads the integer parameter name of r, def when absent.
func intParam(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s: %q is not a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// handleRows answers a page of a relation's rows.
func (s *Server) handleRows(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	limit, err := intParam(r, "limit", defaultPageRows, 1, maxPageRows)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(r, "offset", 0, 0, math.MaxInt64-maxPageRows)
	if err != nil {
		return nil, err
	}
	v, err := s.readView(ctx, r)
	if err != nil {
		return nil, err
	}
	var after *cursor
	if a := r.URL.Query().Get("after"); a != "" {
		if after, err = decodeCursor(a); err != nil {
			return nil, err
		}
	}
	cols, keyset := v.order()
	q := &sqlText{}
	filters := q.filterConds(v)
	ranges := []keyRange{{cols: cols}}
	if after != nil && after.Values != nil {
		if !keyset {
			return nil, badRequest("after: the cursor was made for another order of the rows: start again from the first page")
		}
		if ranges, err = v.keysetRanges(q, cols, after); err != nil {
			return nil, err
		}
	}
	if after != nil {
		offset = after.Offset
	}
	lim := q.number(limit + 1)
	// sel writes the SELECT of the page's rows in r.
	sel := func(r keyRange, aliases bool) {
		q.WriteString("SELECT ")
		for i, c := range v.t.Columns {
			if i > 0 {
				q.WriteString(", ")
			}
			if c.sliceable {
				// Cut on the server: a megabyte of JSON need not travel to
				// be shown as its first 10,000 bytes. A character is at
				// most 4 bytes, and one more than the limit says it was cut.
				fmt.Fprintf(q, "pg_catalog.substr(%s::pg_catalog.text, 1, %d)", quote.Ident(c.Name), maxCellBytes+1)
			} else {
				q.WriteString(quote.Ident(c.Name))
			}
			if aliases {
				fmt.Fprintf(q, " AS c%d", i)
			}
		}
		if keyset {
			// The order's columns again, uncut, for the next page's cursor.
			for i, c := range cols {
				q.WriteString(", ")
				q.WriteString(quote.Ident(c))
				if aliases {
					fmt.Fprintf(q, " AS k%d", i)
				}
			}
		}
		conds := filters
		if r.cond != "" {
			conds = append(slices.Clip(filters), r.cond)
		}
		q.from(v, conds)
		q.orderBy(r.cols, v.desc)
		q.WriteString(" LIMIT " + lim)
	}
	if len(ranges) == 1 {
		sel(ranges[0], false)
		if (after == nil || after.Values == nil) && offset > 0 {
			q.WriteString(" OFFSET " + q.number(offset))
		}
	} else {
		// Each range in the index's order, the first range's rows first.
		q.WriteString("SELECT * FROM (")
		for i, r := range ranges {
			if i > 0 {
				q.WriteString(" UNION ALL ")
			}
			q.WriteString("(")
			sel(r, true)
			q.WriteString(")")
		}
		q.WriteString(") AS page")
		keys := make([]string, len(cols))
		for i := range cols {
			keys[i] = "k" + strconv.Itoa(i)
		}
		q.orderBy(keys, v.desc)
		q.WriteString(" LIMIT " + lim)
	}
	if err := s.checkValues(ctx, q); err != nil {
		return nil, err
	}
	res, err := s.collect(ctx, s.pool, q.String(), q.args, int(limit)+1, math.MaxInt)
	if err != nil {
		return nil, s.explainFailure(ctx, v, err)
	}
	out := &pageReply{Rows: res.Rows, Offset: offset, Limit: int(limit), TruncatedCells: [][2]int{}}
	for _, c := range v.t.Columns {
		out.Columns = append(out.Columns, Column{Name: c.Name, Type: c.Type, OID: c.oid})
	}
	if len(v.t.uniqueKey) > 0 {
		for _, k := range v.t.uniqueKey {
			for i, c := range v.t.Columns {
				if c.Name == k {
					out.Key = append(out.Key, i)
				}
			}
		}
	}
	if len(out.Rows) > int(limit) {
		out.Rows = out.Rows[:limit]
		next := &cursor{Offset: offset + limit}
		if keyset {
			next.Cols, next.Desc = cols, v.desc
			if v.sort != nil {
				next.Sort = v.sort.Name
			}
			next.Values = out.Rows[limit-1][len(v.t.Columns):]
		}
		n := next.encode()
		out.Next = &n
	}
	for i, row := range out.Rows {
		row = row[:len(v.t.Columns)]
		out.Rows[i] = row
		for j, cell := range row {
			if cell != nil && len(*cell) > maxCellBytes {
				cut := cutUTF8(*cell, maxCellBytes)
				row[j] = &cut
				out.TruncatedCells = append(out.TruncatedCells, [2]int{i, j})
			}
		}
	}
	return out, nil
}

// cutUTF8 returns s cut to at most n bytes, not inside a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// checkValues casts the values of q to their types in one statement
// before q runs: a filter's value that its column's type does not take
// ("abc" for an integer) is a 400 naming the filter, with PostgreSQL's
// message. PostgreSQL itself would not always say: a cast whose input
// function is not immutable (a date's) runs only when a row reaches it,
// so an empty table would answer a bad date with no rows.
func (s *Server) checkValues(ctx context.Context, q *sqlText) error {
	if len(q.probes) == 0 {
		return nil
	}
	var sql strings.Builder
	args := make([]any, len(q.probes))
	sql.WriteString("SELECT ")
	for i, p := range q.probes {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString(strings.Replace(p.expr, "$1", "$"+strconv.Itoa(i+1), 1))
		args[i] = p.arg
	}
	if _, err := s.collect(ctx, s.pool, sql.String(), args, 1, math.MaxInt); err == nil {
		return nil
	} else if !isDataError(err) {
		return err
	}
	// One failed: find which, to name it.
	for _, p := range q.probes {
		if _, err := s.collect(ctx, s.pool, "SELECT "+p.expr, []any{p.arg}, 1, math.MaxInt); err != nil {
			return valueError(p.where, p.arg, err)
		}
	}
	return badRequest("a value of the request does not fit its column's type")
}

// isDataError says that err is PostgreSQL refusing a value (SQLSTATE
// class 22: data exception) or a domain's check (23514).
func isDataError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || pe.Code == "23514")
}

// valueError is a 400 for the value arg of where, with PostgreSQL's
// reason.
func valueError(where, arg string, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	return &apiError{Status: http.StatusBadRequest, Code: pe.Code, Detail: pe.Detail, Hint: pe.Hint,
		Message: fmt.Sprintf("%s: the value %s: %s", where, quote.Literal(arg), pe.Message)}
}

// explainFailure turns err, the failure of a statement written from v,
// into a 400 naming the filter or the sort when one of them is what
// PostgreSQL refused: an operator the column's type lacks (no < on
// json), or a type it cannot sort.
func (s *Server) explainFailure(ctx context.Context, v *view, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || (pe.Code != "42883" && pe.Code != "42804" && pe.Code != "42725") {
		return err
	}
	for _, f := range v.filters {
		op := comparisons[f.Op]
		if f.Op == "in" {
			op = "="
		}
		if op == "" {
			continue
		}
		sql := "SELECT NULL::" + f.col.castType + " " + op + " NULL::" + f.col.castType
		if _, perr := s.collect(ctx, s.pool, sql, nil, 1, math.MaxInt); perr != nil {
			return operatorError("filter on "+quote.Ident(f.Column), perr)
		}
	}
	if v.sort != nil {
		sql := "SELECT NULL::" + v.sort.castType + " ORDER BY 1"
		if _, perr := s.collect(ctx, s.pool, sql, nil, 1, math.MaxInt); perr != nil {
			return operatorError("sort by "+quote.Ident(v.sort.Name), perr)
		}
	}
	return err
}

func operatorError(where string, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	return &apiError{Status: http.StatusBadRequest, Code: pe.Code, Hint: pe.Hint, Message: where + ": " + pe.Message}
}

// handleCount answers the exact number of rows that pass the filters:
// asked for, never on load, and bounded by the statement timeout.
func (s *Server) handleCount(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	v, err := s.readView(ctx, r)
	if err != nil {
		return nil, err
	}
	q := &sqlText{}
	q.WriteString("SELECT pg_catalog.count(*)")
	q.from(v, q.filterConds(v))
	if err := s.checkValues(ctx, q); err != nil {
		return nil, err
	}
	res, err := s.collect(ctx, s.pool, q.String(), q.args, 1, math.MaxInt)
	if err != nil {
		return nil, s.explainFailure(ctx, v, err)
	}
	n, err := strconv.ParseInt(*res.Rows[0][0], 10, 64)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"count": n}, nil
}

// handleCell answers one value in full: a cell the page showed cut.
// ?key= is the row's key as the page has it, a JSON object of the key
// columns' text values.
func (s *Server) handleCell(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	schema, name, err := relationParams(r)
	if err != nil {
		return nil, err
	}
	t, err := s.describe(ctx, schema, name, false)
	if err != nil {
		return nil, err
	}
	rel := quote.Ident(t.Schema, t.Name)
	colName := r.URL.Query().Get("column")
	col := t.byName[colName]
	if col == nil {
		return nil, badRequest("column: %s has no column %s", rel, quote.Ident(colName))
	}
	if len(t.uniqueKey) == 0 {
		return nil, badRequest("%s has no key: no value of it can be asked for by its row", rel)
	}
	var key map[string]*string
	dec := json.NewDecoder(strings.NewReader(r.URL.Query().Get("key")))
	if err := dec.Decode(&key); err != nil || dec.More() {
		return nil, badRequest("key: not a JSON object of the key's columns")
	}
	q := &sqlText{}
	q.WriteString("SELECT " + quote.Ident(col.Name) + " FROM " + rel + " WHERE ")
	for i, k := range t.uniqueKey {
		v, ok := key[k]
		if !ok || v == nil {
			return nil, badRequest("key: no value for %s, a column of the key of %s", quote.Ident(k), rel)
		}
		if i > 0 {
			q.WriteString(" AND ")
		}
		q.WriteString(quote.Ident(k) + " = " + q.value(*v, t.byName[k].castType, "key "+quote.Ident(k)))
	}
	for k := range key {
		if !slices.Contains(t.uniqueKey, k) {
			return nil, badRequest("key: %s is not a column of the key of %s", quote.Ident(k), rel)
		}
	}
	if err := s.checkValues(ctx, q); err != nil {
		return nil, err
	}
	res, err := s.collect(ctx, s.pool, q.String(), q.args, 1, math.MaxInt)
	if err != nil {
		return nil, err
	}
	if len(res.Rows) == 0 {
		return nil, &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("no row of %s has that key: it may have been deleted or changed", rel)}
	}
	return map[string]*string{"value": res.Rows[0][0]}, nil
}
