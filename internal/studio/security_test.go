package studio_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/studio"
)

func TestAPINeedsTheCookie(t *testing.T) {
	ts := newStudio(t, "")
	if _, code := ts.get(t, "/api/info"); code != http.StatusOK {
		t.Fatalf("signed in: status %d", code)
	}
	res, err := http.Get(ts.Base + "/api/info") // no cookie jar
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the cookie: status %d, want 401", res.StatusCode)
	}
}

func TestWrongTokenIsRefused(t *testing.T) {
	ts := newStudio(t, "")
	ts.Client.Jar = nil
	if _, code := ts.post(t, "/api/session", map[string]string{"token": ts.Token() + "x"}); code != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", code)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	ts := newStudio(t, "")
	req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/session", strings.NewReader(`{"token":"`+ts.Token()+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	c := res.Cookies()
	if len(c) != 1 {
		t.Fatalf("cookies: %v", c)
	}
	if !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode || c[0].Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/", c[0])
	}
	if strings.Contains(c[0].Value, ts.Token()) {
		t.Error("the cookie carries the token")
	}
}

func TestForeignHostIsRefused(t *testing.T) {
	ts := newStudio(t, "")
	for _, host := range []string{"evil.example:80", "evil.example", "127.0.0.1:1"} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+"/", nil)
		req.Host = host
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: status %d, want 421", host, res.StatusCode)
		}
		if strings.Contains(string(body), "<script") {
			t.Errorf("Host %s: the page was served", host)
		}
	}
}

func TestMutationNeedsHeaderAndJSON(t *testing.T) {
	ts := newStudio(t, "")
	for name, set := range map[string]func(*http.Request){
		"no CSRF header": func(r *http.Request) { r.Header.Set("Content-Type", "application/json") },
		"text/plain": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "text/plain")
		},
		"form": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		},
		"cross-site": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		},
		"foreign origin": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "https://evil.example")
		},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/session", strings.NewReader(`{"token":"`+ts.Token()+`"}`))
		set(req)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 || len(res.Cookies()) > 0 {
			t.Errorf("%s: status %d, cookies %v; want refused", name, res.StatusCode, res.Cookies())
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newStudio(t, "")
	for _, path := range []string{"/", "/static/js/main.js", "/api/info"} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+path, nil)
		req.Header.Set("Origin", "https://evil.example")
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline script or eval", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
		for k := range h {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s: CORS header %s", path, k)
			}
		}
		if strings.HasPrefix(path, "/api/") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, h.Get("Cache-Control"))
		}
	}
}
