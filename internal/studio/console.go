package studio

import "net/http"

// consoleRoutes registers the API of the SQL console: one statement at a time, EXPLAIN, positioned errors, caps.
func (s *Server) consoleRoutes(mux *http.ServeMux) {}
