package studio

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// maxLogEntries bounds the operation log: the oldest entries go first.
const maxLogEntries = 1000

// LogEntry is one statement the studio ran, as the log panel shows it.
type LogEntry struct {
	Time       time.Time `json:"time"`
	SQL        string    `json:"sql"`
	Args       []string  `json:"args,omitempty"` // NULL, 'text', 42
	DurationMS float64   `json:"duration_ms"`
	Rows       int64     `json:"rows"` // read or changed; -1 when it failed
	Error      string    `json:"error,omitempty"`
}

// The log keeps a statement and its arguments cut at these lengths: a
// console statement may be 16 MB, and the log holds a thousand.
const (
	maxLogSQL = 16 << 10
	maxLogArg = 1 << 10
)

// opLog is the operation log: every statement the studio ran, newest
// last, at most max of them.
type opLog struct {
	mu      sync.Mutex
	max     int
	redact  func(string) string // applied before anything is kept
	entries []LogEntry
}

func (l *opLog) add(sql string, args []any, start time.Time, rows int64, err error) {
	e := LogEntry{Time: start, DurationMS: float64(time.Since(start).Microseconds()) / 1000, Rows: rows}
	e.SQL = l.clean(sql, maxLogSQL)
	for _, a := range args {
		e.Args = append(e.Args, l.clean(formatArg(a), maxLogArg))
	}
	if err != nil {
		e.Error = l.clean(err.Error(), maxLogSQL)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= l.max {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-l.max+1:]...)
	}
	l.entries = append(l.entries, e)
}

// clean redacts s, then cuts it to max bytes: in that order, so that a
// cut cannot leave part of a password unrecognised.
func (l *opLog) clean(s string, max int) string {
	if l.redact != nil {
		s = l.redact(s)
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

// formatArg writes a statement's argument as PostgreSQL's own log does:
// NULL bare, text in single quotes, so that NULL and 'NULL' differ.
func formatArg(a any) string {
	text := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch v := a.(type) {
	case nil:
		return "NULL"
	case *string:
		if v == nil {
			return "NULL"
		}
		return text(*v)
	case string:
		return text(v)
	case []byte:
		if v == nil {
			return "NULL"
		}
		return text(string(v))
	}
	return fmt.Sprint(a)
}

func (l *opLog) list() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogEntry{}, l.entries...)
}

func (s *Server) handleLog(w http.ResponseWriter, r *http.Request) (any, error) {
	// Entries are redacted as they are added (opLog.redact).
	return map[string]any{"entries": s.log.list()}, nil
}
