package studio

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// consoleRoutes registers the API of the SQL console: one statement at a time, EXPLAIN, positioned errors, caps.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/console", s.api(s.handleConsole))
	mux.HandleFunc("POST /api/console/export", s.api(s.handleConsoleExport))
}

// The console's result caps: what a page can show, not what a query can
// return (an export has none).
const (
	maxConsoleRows  = 1000
	maxConsoleBytes = 10 << 20
)

// consoleResult is the console's answer: the statement's result and
// what running it said.
type consoleResult struct {
	*Result
	DurationMS   float64  `json:"duration_ms"`
	RowsAffected int64    `json:"rows_affected"` // as the command tag counts them, the rows past the cap too
	Notices      []string `json:"notices"`
}

// consoleStatement returns the one statement of sql, refusing none and
// several: the console runs what the page shows, one statement, so that
// an error's position and a result belong to it.
func consoleStatement(sql string) (sqlsplit.Statement, error) {
	stmts := sqlsplit.Split(sql)
	switch len(stmts) {
	case 0:
		return sqlsplit.Statement{}, badRequest("no statement to run")
	case 1:
		return stmts[0], nil
	}
	return sqlsplit.Statement{}, badRequest("the console runs one statement at a time, and this holds %d: the second begins at line %d", len(stmts), stmts[1].Line)
}

// consoleConn opens a connection of its own for one console statement,
// with the pool's settings (the statement timeout, read-only mode), and
// closes it after: whatever the statement leaves behind (a SET, an open
// transaction, a temporary table) leaves with it, never reaching the
// studio's other queries. A request that ends (the browser went away)
// sends PostgreSQL a cancel request, so that the query stops at once
// rather than when it next writes to a closed socket.
func (s *Server) consoleConn(ctx context.Context) (conn *pgx.Conn, notices func() []string, err error) {
	cfg := s.pool.Config().ConnConfig
	var mu sync.Mutex
	var got []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, s.redact(n.Severity+": "+n.Message))
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
	}
	conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return conn, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string{}, got...)
	}, nil
}

func (s *Server) handleConsole(w http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		SQL     string `json:"sql"`
		Explain string `json:"explain"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	stmt, err := consoleStatement(in.SQL)
	if err != nil {
		return nil, err
	}
	var prefix string
	switch in.Explain {
	case "":
	case "plan":
		prefix = "EXPLAIN "
	case "analyze":
		prefix = "EXPLAIN ANALYZE "
	default:
		return nil, badRequest("explain %q: want \"\", \"plan\" or \"analyze\"", in.Explain)
	}
	ctx := r.Context()
	conn, notices, err := s.consoleConn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	// EXPLAIN ANALYZE runs the statement: inside a transaction rolled
	// back, it changes nothing. Read-only mode runs everything so.
	if s.opts.ReadOnly || in.Explain == "analyze" {
		begin := "BEGIN"
		if s.opts.ReadOnly {
			begin = "BEGIN READ ONLY"
		}
		if _, err := s.exec(ctx, conn, begin); err != nil {
			return nil, err
		}
		defer s.exec(context.Background(), conn, "ROLLBACK") //nolint:errcheck // the connection is closed next
	}
	before := len(notices())
	start := time.Now()
	res, err := s.collect(ctx, conn, prefix+stmt.Text, nil, maxConsoleRows, maxConsoleBytes)
	d := time.Since(start)
	if err != nil {
		return nil, s.consoleError(err, in.SQL, stmt, prefix)
	}
	return &consoleResult{
		Result:       res,
		DurationMS:   float64(d.Microseconds()) / 1000,
		RowsAffected: pgconn.NewCommandTag(res.Tag).RowsAffected(),
		Notices:      notices()[before:],
	}, nil
}

// consoleError places a database error in the text the page sent: the
// statement was sent without what surrounds it, and perhaps after an
// EXPLAIN. Line and column count characters from 1. Any other error of
// the statement (one the driver finds) is the statement's fault too: a
// 422, not a 500.
func (s *Server) consoleError(err error, sql string, stmt sqlsplit.Statement, prefix string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &apiError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
	}
	ae := &apiError{Status: http.StatusUnprocessableEntity, Message: pe.Message, Code: pe.Code, Detail: pe.Detail, Hint: pe.Hint}
	if pe.Position > 0 {
		pos := pe.Position - int32(utf8.RuneCountInString(prefix))
		if pos < 1 { // in EXPLAIN itself: the statement cannot be explained
			pos = 1
		}
		ae.Line, ae.Column = lineColumn(sql, utf8.RuneCountInString(sql[:stmt.ErrorOffset(pos)])+1)
	}
	if pe.Code == "57014" { // query_canceled: the statement timeout
		ae.Message += fmt.Sprintf(" (the studio's statement timeout is %s)", s.opts.StatementTimeout)
	}
	return ae
}

// handleConsoleExport streams the result of one statement as CSV or
// JSON, all of its rows: the statement timeout bounds it, no cap does.
func (s *Server) handleConsoleExport(w http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		SQL    string `json:"sql"`
		Format string `json:"format"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	if in.Format != "csv" && in.Format != "json" {
		return nil, badRequest("format %q: want csv or json", in.Format)
	}
	stmt, err := consoleStatement(in.SQL)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	conn, _, err := s.consoleConn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	if s.opts.ReadOnly {
		if _, err := s.exec(ctx, conn, "BEGIN READ ONLY"); err != nil {
			return nil, err
		}
		defer s.exec(context.Background(), conn, "ROLLBACK") //nolint:errcheck // the connection is closed next
	}
	start := time.Now()
	n := int64(-1)
	defer func() { s.log.add(stmt.Text, nil, start, n, err) }()
	rows, err := conn.Query(ctx, stmt.Text, pgx.QueryResultFormats{pgx.TextFormatCode})
	if err != nil {
		return nil, s.consoleError(err, in.SQL, stmt, "")
	}
	defer rows.Close()
	var names []string
	for _, fd := range rows.FieldDescriptions() {
		names = append(names, fd.Name)
	}
	if len(names) == 0 {
		rows.Close()
		if err = rows.Err(); err != nil {
			return nil, s.consoleError(err, in.SQL, stmt, "")
		}
		err = badRequest("the statement returns no rows to export (%s)", rows.CommandTag())
		return nil, err
	}
	if in.Format == "json" {
		seen := map[string]bool{}
		for _, name := range names {
			if seen[name] {
				err = badRequest("the column name %q appears twice: name the columns apart (AS) to export them as JSON objects", name)
				return nil, err
			}
			seen[name] = true
		}
	}
	// The first row, or the error that comes instead, before the
	// status: an error after it can only cut the download short.
	more := rows.Next()
	if !more {
		if err = rows.Err(); err != nil {
			return nil, s.consoleError(err, in.SQL, stmt, "")
		}
	}
	ext, ctype := ".csv", "text/csv; charset=utf-8"
	if in.Format == "json" {
		ext, ctype = ".json", "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="query`+ext+`"`)
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	n = 0
	if in.Format == "csv" {
		writeCSVRow(bw, names)
	} else {
		bw.WriteString("[")
	}
	for ; more; more = rows.Next() {
		if in.Format == "csv" {
			writeCSVValues(bw, rows.RawValues())
		} else {
			if n > 0 {
				bw.WriteString(",")
			}
			writeJSONRow(bw, names, rows.RawValues())
		}
		n++
	}
	if err = rows.Err(); err != nil {
		if cw.n == 0 { // nothing sent yet: still time for an error
			w.Header().Del("Content-Disposition")
			return nil, s.consoleError(err, in.SQL, stmt, "")
		}
		// The status is sent: abort the response, so that the download
		// fails rather than end early looking whole.
		panic(http.ErrAbortHandler)
	}
	if in.Format == "json" {
		bw.WriteString("]\n")
	}
	err = bw.Flush()
	return nil, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeCSVRow writes names as a CSV header.
func writeCSVRow(w *bufio.Writer, names []string) {
	vals := make([][]byte, len(names))
	for i, n := range names {
		vals[i] = []byte(n)
	}
	writeCSVValues(w, vals)
}

// writeCSVValues writes a CSV record as PostgreSQL's COPY ... CSV does:
// NULL is an empty field, the empty string a quoted one, "".
func writeCSVValues(w *bufio.Writer, vals [][]byte) {
	for i, v := range vals {
		if i > 0 {
			w.WriteByte(',')
		}
		if v == nil {
			continue
		}
		s := string(v)
		if s != "" && !strings.ContainsAny(s, ",\"\r\n") {
			w.WriteString(s)
			continue
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(s, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteByte('\n')
}

// writeJSONRow writes a row as a JSON object of text values, null for
// NULL.
func writeJSONRow(w *bufio.Writer, names []string, vals [][]byte) {
	w.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			w.WriteByte(',')
		}
		k, _ := json.Marshal(names[i])
		w.Write(k)
		w.WriteByte(':')
		if v == nil {
			w.WriteString("null")
			continue
		}
		b, _ := json.Marshal(string(v))
		w.Write(b)
	}
	w.WriteByte('}')
}
