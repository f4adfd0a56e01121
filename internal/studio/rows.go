package studio

import "net/http"

// rowsRoutes registers the API of the data grid: a page of a table's rows, filtered and sorted, its count on demand, and its export as CSV or JSON.
func (s *Server) rowsRoutes(mux *http.ServeMux) {}
