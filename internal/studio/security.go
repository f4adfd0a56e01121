package studio

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// contentSecurityPolicy allows the page nothing but its own origin: no
// inline script, no remote font, style, image or connection.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// CSRFHeader must be on every request that changes something: a header
// of its own forces a browser's preflight on any cross-origin request,
// which the studio never answers, so a page elsewhere cannot send one.
const CSRFHeader = "X-Mizzle-Studio"

// secure wraps the studio's handler in its defences, outermost first:
// the Host allowlist (DNS rebinding), the response headers, the refusal
// of cross-origin requests that change state, and, on /api/, the
// session cookie and the rules for requests that change state.
func (s *Server) secure(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	api := s.apiGuard(next)
	inner := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.hostAllowed(r.Host) {
			http.Error(w, "studio: this studio does not answer to the host "+quoteForText(r.Host), http.StatusMisdirectedRequest)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// AllowHost adds host ("name:port") to the Host headers accepted, for a
// server that tests serve themselves.
func (s *Server) AllowHost(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hosts[host] = true
	if s.cookie == "" {
		s.cookie = "mizzle_studio"
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			s.cookie += "_" + host[i+1:]
		}
	}
}

func (s *Server) hostAllowed(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hosts[strings.ToLower(host)]
}

func (s *Server) cookieName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cookie
}

// apiGuard refuses an API request without the session cookie (but the
// one that asks for it), and a request that changes state without the
// CSRF header and a JSON body.
func (s *Server) apiGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			if r.Header.Get(CSRFHeader) == "" {
				writeError(w, &apiError{Status: http.StatusForbidden, Message: "a request that changes something needs the " + CSRFHeader + " header"})
				return
			}
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeError(w, &apiError{Status: http.StatusUnsupportedMediaType, Message: "a request that changes something needs a JSON body (Content-Type: application/json)"})
				return
			}
		}
		if r.URL.Path == "/api/session" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(s.cookieName())
		if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) != 1 {
			writeError(w, &apiError{Status: http.StatusUnauthorized, Message: "not signed in: open the URL mizzle studio printed"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleSession exchanges the URL's token for the session cookie.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(in.Token), []byte(s.token)) != 1 {
		return nil, &apiError{Status: http.StatusUnauthorized, Message: "wrong token: open the URL mizzle studio printed"}
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(),
		Value:    s.session,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
	return struct{}{}, nil
}

// quoteForText shows a value from a request in a plain-text message.
func quoteForText(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s) + `"`
}

// secretForms returns the ways a password may be written in a message:
// as it is, %-escaped as in a URL, quoted as JSON quotes it, in base64
// and in hex.
func secretForms(pw string) []string {
	if pw == "" {
		return nil
	}
	js, _ := json.Marshal(pw)
	forms := []string{
		pw, url.QueryEscape(pw), url.PathEscape(pw), string(js[1 : len(js)-1]),
		base64.StdEncoding.EncodeToString([]byte(pw)), base64.URLEncoding.EncodeToString([]byte(pw)),
		base64.RawStdEncoding.EncodeToString([]byte(pw)), base64.RawURLEncoding.EncodeToString([]byte(pw)),
		hex.EncodeToString([]byte(pw)), strings.ToUpper(hex.EncodeToString([]byte(pw))),
	}
	// The longest first, so that a form holding another is replaced whole.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(forms)
}

// redact removes the connection's password from msg, in any of its
// forms, and whatever else Options.Redact removes.
func (s *Server) redact(msg string) string {
	for _, f := range s.secrets {
		msg = strings.ReplaceAll(msg, f, "xxxxx")
	}
	if s.opts.Redact != nil {
		msg = s.opts.Redact(msg)
	}
	return msg
}
