package studio

import "net/http"

// schemaRoutes registers the API of the schema view: a table's structure, the ER diagram as SVG, drift against the mizzle schema and the migrations.
func (s *Server) schemaRoutes(mux *http.ServeMux) {}
