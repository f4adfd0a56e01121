package studio

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// maxLogEntries bounds the operation log: the oldest entries go first.
const maxLogEntries = 1000

// LogEntry is one statement the studio ran, as the log panel shows it.
type LogEntry struct {
	Time       time.Time `json:"time"`
	SQL        string    `json:"sql"`
	Args       []string  `json:"args,omitempty"`
	DurationMS float64   `json:"duration_ms"`
	Rows       int64     `json:"rows"` // read or changed; -1 when it failed
	Error      string    `json:"error,omitempty"`
}

// opLog is the operation log: every statement the studio ran, newest
// last, at most max of them.
type opLog struct {
	mu      sync.Mutex
	max     int
	entries []LogEntry
}

func (l *opLog) add(sql string, args []any, start time.Time, rows int64, err error) {
	e := LogEntry{Time: start, SQL: sql, DurationMS: float64(time.Since(start).Microseconds()) / 1000, Rows: rows}
	for _, a := range args {
		e.Args = append(e.Args, fmt.Sprint(a))
	}
	if err != nil {
		e.Error = err.Error()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= l.max {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-l.max+1:]...)
	}
	l.entries = append(l.entries, e)
}

func (l *opLog) list() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogEntry{}, l.entries...)
}

func (s *Server) handleLog(w http.ResponseWriter, r *http.Request) (any, error) {
	entries := s.log.list()
	for i := range entries {
		e := &entries[i]
		// A statement may quote the password too (a dblink's connection
		// string), not only an error.
		e.SQL, e.Error = s.redact(e.SQL), s.redact(e.Error)
		e.Args = slices.Clone(e.Args)
		for j, a := range e.Args {
			e.Args[j] = s.redact(a)
		}
	}
	return map[string]any{"entries": entries}, nil
}
