package studio_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
)

// getSVG fetches the ER diagram and checks that it is served as an image
// with the API's headers and is well-formed XML.
func getSVG(t *testing.T, ts *testStudio, query string) []byte {
	t.Helper()
	res, err := ts.Client.Get(ts.Base + "/api/er.svg" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/er.svg%s: status %d: %s", query, res.StatusCode, data)
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/svg+xml",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("Content-Security-Policy: %q", res.Header.Get("Content-Security-Policy"))
	}
	checkXML(t, data)
	return data
}

// checkXML fails unless data is one well-formed XML document whose root
// is an svg element, and returns nothing else of it.
func checkXML(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name.Local != "svg" {
					t.Errorf("root element <%s>, want <svg>", tok.Name.Local)
				}
			}
			if tok.Name.Local == "script" || tok.Name.Local == "foreignObject" {
				t.Errorf("the SVG holds a <%s> element", tok.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Errorf("%d root elements, want 1", roots)
	}
}

// TestERGolden draws the schemas of testdata/er and compares the SVG with
// the archive's want.svg (-update rewrites it). An archive holds the
// database (setup.sql) and the query string (query).
func TestERGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "er", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no archives: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]string{}
			for _, f := range ar.Files {
				sections[f.Name] = string(f.Data)
			}
			ts := newStudio(t, sections["setup.sql"])
			query := strings.TrimSpace(sections["query"])
			if query != "" {
				query = "?" + query
			}
			svg := getSVG(t, ts, query)
			golden.CheckSection(t, file, ar, "want.svg", svg)
			if again := getSVG(t, ts, query); !bytes.Equal(svg, again) {
				t.Error("a second request drew another diagram")
			}
		})
	}
}

// TestERHostileNames draws names that would end an element, open a
// script or break an attribute if written as they are: they must come
// out as text.
func TestERHostileNames(t *testing.T) {
	ts := newStudio(t, `
CREATE SCHEMA "x<y";
CREATE TABLE "x<y"."<script>alert(1)</script>" ("a""b&c" int PRIMARY KEY, "]]><svg onload=alert(2)>" text);
CREATE TABLE "x<y"."it's ""quoted""" (id int PRIMARY KEY REFERENCES "x<y"."<script>alert(1)</script>", "ctl`+"\x01"+`char" int);
`)
	svg := getSVG(t, ts, "?schema=x%3Cy")
	text := xmlText(t, svg)
	for _, want := range []string{"<script>alert(1)</script>", `a"b&c`, "]]><svg onload=alert(2)>", `it's "quoted"`, "ctl\uFFFDchar"} {
		if !strings.Contains(text, want) {
			t.Errorf("the diagram's text lacks %q:\n%s", want, text)
		}
	}
	if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte("<svg onload")) {
		t.Errorf("a name reached the SVG unescaped:\n%s", svg)
	}
}

// xmlText returns the character data of an XML document, unescaped.
func xmlText(t *testing.T, data []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(cd)
		}
	}
}

// tables200 creates 200 tables, each referencing one or two before it.
const tables200 = `DO $$
BEGIN
	CREATE TABLE t000 (id bigint PRIMARY KEY, name text NOT NULL);
	FOR i IN 1..199 LOOP
		EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, name text NOT NULL, parent_id bigint REFERENCES %I, other_id bigint REFERENCES %I, created_at timestamptz)',
			't' || lpad(i::text, 3, '0'), 't' || lpad((i / 2)::text, 3, '0'), 't' || lpad((i * 7 % i)::text, 3, '0'));
	END LOOP;
END $$`

// TestER200Tables draws a schema of 200 tables, each referencing one or
// two before it, through the whole API (catalog read, layout, SVG) in
// well under a second on a quiet machine; the bound here is loose, for
// loaded CI machines. BenchmarkRenderER measures the drawing alone.
func TestER200Tables(t *testing.T) {
	ts := newStudio(t, tables200)
	start := time.Now()
	svg := getSVG(t, ts, "?schema=public")
	elapsed := time.Since(start)
	t.Logf("200 tables: %d bytes of SVG in %v", len(svg), elapsed)
	if n := bytes.Count(svg, []byte(`<g class="table">`)); n != 200 {
		t.Errorf("%d tables drawn, want 200", n)
	}
	if n := bytes.Count(svg, []byte(`<g class="edge">`)); n != 398 {
		t.Errorf("%d edges drawn, want 398", n)
	}
	if elapsed > 10*time.Second {
		t.Errorf("the diagram of 200 tables took %v", elapsed)
	}
}
