package studio

import "net/http"

// catalogRoutes registers the API of the sidebar (schemas, tables, views and their estimated row counts) and a table's description (columns, keys, indexes, constraints, enums).
func (s *Server) catalogRoutes(mux *http.ServeMux) {}
