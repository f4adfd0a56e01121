package studio

import (
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/mizzle/mizzle/templates"
)

// page is the studio's one HTML page; the scripts draw the rest.
var page = template.Must(template.ParseFS(templates.FS, "index.html"))

// pageRoutes serves the page, at / and any path under it the page's own
// links use, and its static files. Neither needs the session: the page
// holds no data, and it is what exchanges the token for the cookie.
func (s *Server) pageRoutes(mux *http.ServeMux) {
	static, err := fs.Sub(templates.FS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		// Files only: a folder would be answered with a listing.
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = page.Execute(w, map[string]any{"ReadOnly": s.opts.ReadOnly})
	})
}
