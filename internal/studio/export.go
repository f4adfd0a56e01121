package studio

import (
	"context"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
)

// exportBuffer is how much of a download is held back before its
// headers go: an error before then (a value the column's type refuses,
// the statement timeout) is still answered as a JSON error, not as a
// short file.
const exportBuffer = 64 << 10

// handleExport streams the rows of the grid's view (its filters and
// order, every row, every value whole) as CSV (?format=csv, the default)
// or as a JSON array of objects of text values (?format=json).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	format := r.URL.Query().Get("format")
	switch format {
	case "":
		format = "csv"
	case "csv", "json":
	default:
		return nil, badRequest("format: %q is neither csv nor json", format)
	}
	v, err := s.readView(ctx, r)
	if err != nil {
		return nil, err
	}
	d := &download{w: w, filename: safeFilename(v.t.Schema+"."+v.t.Name) + "." + format}
	if format == "csv" {
		d.contentType = "text/csv; charset=utf-8"
		err = s.exportCSV(ctx, v, d)
	} else {
		d.contentType = "application/json; charset=utf-8"
		err = s.exportJSON(ctx, v, d)
	}
	if err == nil {
		err = d.finish()
	}
	if err != nil {
		if !d.committed {
			return nil, s.explainFailure(ctx, v, err)
		}
		// The download has begun, with status 200: cut the connection so
		// that the browser reports it failed rather than keep a file
		// that looks whole. The log has the reason.
		cancel()
		panic(http.ErrAbortHandler)
	}
	return nil, nil
}

// exportSelect writes the statement of v's rows, every column whole.
func exportSelect(q *sqlText, v *view) {
	q.WriteString("SELECT ")
	for i, c := range v.t.Columns {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(quote.Ident(c.Name))
	}
	q.from(v, q.filterConds(v))
	cols, _ := v.order()
	q.orderBy(cols, v.desc)
}

// exportCSV streams v as PostgreSQL's own CSV: COPY writes it, NULL as
// an empty field and the empty string as "". COPY takes no parameters,
// so the filters' values are the transaction's settings, set with
// parameters first, and the statement reads them with current_setting:
// no value is ever written into its text.
func (s *Server) exportCSV(ctx context.Context, v *view, d *download) error {
	q := &sqlText{settings: true}
	q.WriteString("COPY (")
	exportSelect(q, v)
	q.WriteString(") TO STDOUT WITH (FORMAT csv, HEADER)")
	if err := s.checkValues(ctx, q); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // it only read
	if len(q.args) > 0 {
		names, values := make([]string, len(q.args)), make([]string, len(q.args))
		for i, a := range q.args {
			names[i], values[i] = settingName(i+1), a.(string)
		}
		const set = "SELECT pg_catalog.set_config(name, value, true) FROM unnest($1::text[], $2::text[]) AS s(name, value)"
		if _, err := s.collect(ctx, tx, set, []any{names, values}, len(names), math.MaxInt); err != nil {
			return err
		}
	}
	start := time.Now()
	tag, err := conn.Conn().PgConn().CopyTo(ctx, d, q.String())
	n := tag.RowsAffected()
	if err != nil {
		n = -1
	}
	s.log.add(q.String(), q.args, start, n, err)
	return err
}

// exportJSON streams v as a JSON array of objects, one a line, each
// value the column's text form or null.
func (s *Server) exportJSON(ctx context.Context, v *view, d *download) (err error) {
	q := &sqlText{}
	exportSelect(q, v)
	if err := s.checkValues(ctx, q); err != nil {
		return err
	}
	start := time.Now()
	n := int64(0)
	defer func() {
		if err != nil {
			n = -1
		}
		s.log.add(q.String(), q.args, start, n, err)
	}()
	rows, err := s.pool.Query(ctx, q.String(), append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, q.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	keys := make([][]byte, len(v.t.Columns))
	for i, c := range v.t.Columns {
		k, _ := json.Marshal(c.Name)
		keys[i] = append(k, ':')
	}
	buf := []byte("[")
	for rows.Next() {
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n{"...)
		for i, raw := range rows.RawValues() {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[i]...)
			if raw == nil {
				buf = append(buf, "null"...)
			} else {
				b, _ := json.Marshal(string(raw))
				buf = append(buf, b...)
			}
		}
		buf = append(buf, '}')
		n++
		if len(buf) >= 32<<10 {
			if _, err := d.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	buf = append(buf, "\n]\n"...)
	_, err = d.Write(buf)
	return err
}

// download is a streamed attachment whose headers wait for its first
// exportBuffer bytes, or for its end, whichever comes first.
type download struct {
	w           http.ResponseWriter
	contentType string
	filename    string
	buf         []byte
	committed   bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.committed {
		d.buf = append(d.buf, p...)
		if len(d.buf) < exportBuffer {
			return len(p), nil
		}
		if err := d.commit(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return d.w.Write(p)
}

func (d *download) commit() error {
	d.committed = true
	h := d.w.Header()
	h.Set("Content-Type", d.contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.filename}))
	d.w.WriteHeader(http.StatusOK)
	_, err := d.w.Write(d.buf)
	d.buf = nil
	return err
}

// finish sends what is held back, headers first if they have not gone.
func (d *download) finish() error {
	if !d.committed {
		return d.commit()
	}
	return nil
}

// safeFilename keeps the letters, digits, dots, dashes and underscores
// of name (ASCII: what every browser and file system takes as is) and
// makes the rest underscores.
func safeFilename(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
}
