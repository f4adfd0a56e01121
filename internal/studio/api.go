package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// mux routes the page and the API. Each area of the API registers its
// routes from its own file.
func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	s.pageRoutes(mux)
	mux.HandleFunc("POST /api/session", s.api(s.handleSession))
	mux.HandleFunc("GET /api/info", s.api(s.handleInfo))
	mux.HandleFunc("GET /api/log", s.api(s.handleLog))
	s.catalogRoutes(mux) // catalog.go: the sidebar, a table's description
	s.rowsRoutes(mux)    // rows.go: the data grid's pages, counts, export
	s.editRoutes(mux)    // edit.go: staged edits, previewed and saved
	s.consoleRoutes(mux) // console.go: the SQL console
	s.schemaRoutes(mux)  // schema.go: structure, ER diagram, drift
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Message: "no such API: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// apiFunc answers an API request with a value to send as JSON, or an
// error. A handler that writes its response itself (a stream) returns
// nil, nil.
type apiFunc func(w http.ResponseWriter, r *http.Request) (any, error)

// api turns fn into a handler: its value is sent as JSON, its error as
// {"error": {...}} with the error's status, secrets redacted.
func (s *Server) api(fn apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(w, r)
		if err != nil {
			writeError(w, s.toAPIError(err))
			return
		}
		if v != nil {
			writeJSON(w, http.StatusOK, v)
		}
	}
}

// apiError is the body of every failed API request:
//
//	{"error": {"message": "...", "code": "42703", "line": 1, "column": 8, ...}}
//
// Line and Column, 1-based, place a database error in the statement the
// request sent, when PostgreSQL gave a position.
type apiError struct {
	Status  int    `json:"-"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"` // SQLSTATE
	Detail  string `json:"detail,omitempty"`
	Hint    string `json:"hint,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// badRequest is a 400 with message.
func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// toAPIError turns err into the error sent: a database error keeps its
// code, detail and hint; a cancelled request is a 499; every message
// goes through Redact.
func (s *Server) toAPIError(err error) *apiError {
	var ae *apiError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ae):
		c := *ae
		ae = &c
	case errors.As(err, &pe):
		ae = &apiError{Status: http.StatusUnprocessableEntity, Message: pe.Message, Code: pe.Code, Detail: pe.Detail, Hint: pe.Hint}
		// query_canceled is also a cancel request's (a page gone away):
		// only the timeout's gets the hint.
		if pe.Code == "57014" && strings.Contains(pe.Message, "statement timeout") {
			ae.Message += fmt.Sprintf(" (the studio's statement timeout is %s)", s.opts.StatementTimeout)
		}
	case errors.Is(err, context.Canceled):
		ae = &apiError{Status: 499, Message: "cancelled"}
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	ae.Message, ae.Detail, ae.Hint = s.redact(ae.Message), s.redact(ae.Detail), s.redact(ae.Hint)
	return ae
}

// lineColumn turns PostgreSQL's position, 1-based and counted in
// characters, into a 1-based line and column.
func lineColumn(sql string, pos int) (line, col int) {
	line, col = 1, 1
	n := 1
	for _, r := range sql {
		if n == pos {
			break
		}
		n++
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}

// maxBody bounds a request's body: the guard refuses to read more.
const maxBody = 16 << 20

// decodeJSON reads r's body into v, refusing unknown fields and
// anything after the value.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("the request's body is over the studio's limit of %d MB", maxBody>>20)}
		}
		return badRequest("the request's JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("the request's JSON body: more than one value")
	}
	return nil
}

// handleInfo describes the studio and its database.
func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) (any, error) {
	res, err := s.collect(r.Context(), s.pool, "SELECT current_database(), current_user, current_setting('server_version')", nil, 1, 1<<10)
	if err != nil {
		return nil, err
	}
	row := res.Rows[0]
	return map[string]any{
		"database":          row[0],
		"user":              row[1],
		"server_version":    row[2],
		"read_only":         s.opts.ReadOnly,
		"schema":            s.opts.Model != nil,
		"statement_timeout": s.opts.StatementTimeout.String(),
	}, nil
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Column is a column of a result, as the page shows it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // as format_type writes it: "timestamp with time zone"
	OID  uint32 `json:"oid"`
}

// Result is a statement's result in PostgreSQL's text form: a nil cell
// is NULL, never the empty string.
type Result struct {
	Columns   []Column    `json:"columns"`
	Rows      [][]*string `json:"rows"`
	Truncated bool        `json:"truncated"` // rows or bytes were cut at the cap
	Tag       string      `json:"tag"`       // the command tag: "SELECT 20"
}

// collect runs sql with args on q, every result column asked for in text
// form, and reads at most maxRows rows and about maxBytes bytes of
// values (Truncated says when it stopped early). The statement is
// recorded in the operation log.
func (s *Server) collect(ctx context.Context, q querier, sql string, args []any, maxRows, maxBytes int) (res *Result, err error) {
	start := time.Now()
	defer func() {
		n := int64(-1)
		if res != nil {
			n = int64(len(res.Rows))
		}
		s.log.add(sql, args, start, n, err)
	}()
	rows, err := q.Query(ctx, sql, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res = &Result{Rows: [][]*string{}}
	for _, fd := range rows.FieldDescriptions() {
		res.Columns = append(res.Columns, Column{Name: fd.Name, OID: fd.DataTypeOID})
	}
	bytes := 0
	for rows.Next() {
		if len(res.Rows) >= maxRows || bytes >= maxBytes {
			res.Truncated = true
			break
		}
		raw := rows.RawValues()
		row := make([]*string, len(raw))
		for i, v := range raw {
			if v != nil {
				t := string(v)
				row[i] = &t
				bytes += len(v)
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if res.Truncated {
		rows.Close()
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res.Tag = rows.CommandTag().String()
	if err := s.nameTypes(ctx, res.Columns); err != nil {
		return nil, err
	}
	return res, nil
}

// nameTypes fills the Type of columns from their OIDs.
func (s *Server) nameTypes(ctx context.Context, cols []Column) error {
	var missing []uint32
	s.types.mu.Lock()
	for i := range cols {
		if t, ok := s.types.names[cols[i].OID]; ok {
			cols[i].Type = t
		} else {
			missing = append(missing, cols[i].OID)
		}
	}
	s.types.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, "SELECT oid, format_type(oid, NULL) FROM pg_catalog.pg_type WHERE oid = ANY($1)", missing)
	if err != nil {
		return err
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		OID  uint32
		Name string
	}])
	if err != nil {
		return err
	}
	s.types.mu.Lock()
	defer s.types.mu.Unlock()
	if s.types.names == nil {
		s.types.names = map[uint32]string{}
	}
	for _, g := range got {
		s.types.names[g.OID] = g.Name
	}
	for i := range cols {
		cols[i].Type = s.types.names[cols[i].OID]
	}
	return nil
}

// typeNames caches format_type by OID.
type typeNames struct {
	mu    sync.Mutex
	names map[uint32]string
}

// exec runs sql on q and records it in the operation log.
func (s *Server) exec(ctx context.Context, q querier, sql string, args ...any) (pgconn.CommandTag, error) {
	start := time.Now()
	tag, err := q.Exec(ctx, sql, args...)
	s.log.add(sql, args, start, tag.RowsAffected(), err)
	return tag, err
}
