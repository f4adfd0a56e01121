package studio

import "net/http"

// editRoutes registers the API of staged edits: inserts, updates and deletes previewed as SQL and saved in one transaction.
func (s *Server) editRoutes(mux *http.ServeMux) {}
