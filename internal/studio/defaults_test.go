package studio_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/studio"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// appDefaultsModule is a schema package whose gen: functions return
// values the tests recognize: a counter that starts again in each run
// of the helper, a fixed time, an array that needs quoting, and one
// that panics.
const appDefaultsModule = `
-- schema/schema.go --
package schema

import (
	"fmt"
	"time"
)

var n int

func NewCode() string { n++; return fmt.Sprintf("gen-%d", n) }

func Stamp() time.Time { return time.Date(2001, 2, 3, 4, 5, 6, 789000000, time.FixedZone("", 3600)) }

func Labels() []string { return []string{"a", "b\"c", "d\\e"} }

func Nothing() *string { return nil }

func Boom() string { panic("boom") }

//mizzle:table docs
type Doc struct {
	ID    int64     ` + "`" + `db:"id,pk"` + "`" + `
	Code  string    ` + "`" + `db:"code,gen:NewCode"` + "`" + `
	At    time.Time ` + "`" + `db:"at,gen:Stamp"` + "`" + `
	Tags  []string  ` + "`" + `db:"tags,gen:Labels"` + "`" + `
	Note  *string   ` + "`" + `db:"note,gen:Nothing"` + "`" + `
	Title string    ` + "`" + `db:"title"` + "`" + `
}

//mizzle:table bombs
type Bomb struct {
	ID  int64  ` + "`" + `db:"id,pk"` + "`" + `
	Tag string ` + "`" + `db:"tag,gen:Boom"` + "`" + `
}
`

const appDefaultsSetup = `
CREATE TABLE docs (id bigint PRIMARY KEY, code text NOT NULL, at timestamptz NOT NULL, tags text[], note text DEFAULT 'db', title text);
CREATE TABLE bombs (id bigint PRIMARY KEY, tag text);
`

// loadAppDefaults writes the module and loads its schema; the go
// command the studio runs builds offline, as the loader's does.
func loadAppDefaults(t *testing.T) (*schema.Model, string) {
	t.Helper()
	dir, env := testmod.Write(t, txtar.Parse([]byte(appDefaultsModule)))
	m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, "schema"), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	return m, filepath.Join(dir, "schema")
}

func TestAppDefaultsFillInserts(t *testing.T) {
	m, dir := loadAppDefaults(t)
	before, _ := os.ReadDir(dir)
	ts := newStudio(t, appDefaultsSetup, func(o *studio.Options) { o.Model, o.SchemaDir = m, dir })
	edits := []map[string]any{
		{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("1"), "title": v("first")}},
		{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("2"), "code": v("mine"), "note": dflt}},
		{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("3")}},
	}
	prev, code := ts.post(t, "/api/preview", map[string]any{"edits": edits})
	if code != http.StatusOK {
		t.Fatalf("preview: %d %v", code, prev)
	}
	st := prev["statements"].([]any)[0].(map[string]any)
	if want := `INSERT INTO "public"."docs" ("id", "code", "at", "tags", "note", "title") VALUES ($1::text::bigint, $2::text::text, $3::text::timestamp with time zone, $4::text::text[], $5::text::text, $6::text::text) RETURNING *`; st["sql"] != want {
		t.Errorf("preview:\n got %s\nwant %s", st["sql"], want)
	}
	var funcs []string
	for _, d := range st["app_defaults"].([]any) {
		d := d.(map[string]any)
		funcs = append(funcs, d["column"].(string)+"="+d["func"].(string))
	}
	if want := []string{"code=NewCode", "at=Stamp", "tags=Labels", "note=Nothing"}; !reflect.DeepEqual(funcs, want) {
		t.Errorf("app_defaults %v, want %v", funcs, want)
	}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	if code != http.StatusOK {
		t.Fatalf("save: %d %v", code, body)
	}
	got := []string{}
	for _, id := range []string{"1", "2", "3"} {
		got = append(got, strings.Join(rowText(t, ts, `SELECT code, at AT TIME ZONE 'UTC', tags, coalesce(note, '<NULL>') FROM docs WHERE id = `+id), " | "))
	}
	want := []string{
		`gen-1 | 2001-02-03 03:05:06.789 | {a,"b\"c","d\\e"} | <NULL>`,
		`mine | 2001-02-03 03:05:06.789 | {a,"b\"c","d\\e"} | db`,
		`gen-2 | 2001-02-03 03:05:06.789 | {a,"b\"c","d\\e"} | <NULL>`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	after, _ := os.ReadDir(dir)
	if !slices.EqualFunc(before, after, func(a, b os.DirEntry) bool { return a.Name() == b.Name() }) {
		t.Errorf("the schema's folder changed: %v, then %v", before, after)
	}
}

func TestAppDefaultThatPanics(t *testing.T) {
	m, dir := loadAppDefaults(t)
	ts := newStudio(t, appDefaultsSetup, func(o *studio.Options) { o.Model, o.SchemaDir = m, dir })
	edits := []map[string]any{
		{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("1")}},
		{"op": "insert", "schema": "public", "name": "bombs", "values": map[string]any{"id": v("1")}},
	}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	if msg := errMessage(body); code != http.StatusUnprocessableEntity || !strings.Contains(msg, "gen:Boom panicked: boom") {
		t.Errorf("%d %v, want 422 naming gen:Boom", code, body)
	}
	if n := count(t, ts, "SELECT FROM docs"); n != 0 {
		t.Errorf("%d rows saved", n)
	}
	// Given a value, the function is not called.
	edits[1]["values"] = map[string]any{"id": v("1"), "tag": v("set")}
	if body, code := ts.post(t, "/api/save", map[string]any{"edits": edits}); code != http.StatusOK {
		t.Errorf("with the tag set: %d %v", code, body)
	}
}

func TestAppDefaultThatDoesNotBuild(t *testing.T) {
	m, dir := loadAppDefaults(t)
	for _, tb := range m.Tables {
		for _, c := range tb.Columns {
			if c.Gen == "Labels" {
				c.Gen = "Lables" // as a model of another version of the schema would say
			}
		}
	}
	ts := newStudio(t, appDefaultsSetup, func(o *studio.Options) { o.Model, o.SchemaDir = m, dir })
	edits := []map[string]any{{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("1")}}}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	msg := errMessage(body)
	if code != http.StatusUnprocessableEntity || !strings.Contains(msg, "did not build: gen:Lables does not build: helper.go:") || !strings.Contains(msg, "undefined: schema.Lables") || strings.Contains(msg, os.TempDir()) {
		t.Errorf("%d %q", code, msg)
	}
	// A table without app-side defaults saves as ever.
	edits = []map[string]any{{"op": "insert", "schema": "public", "name": "bombs", "values": map[string]any{"id": v("1"), "tag": v("x")}}}
	if body, code := ts.post(t, "/api/save", map[string]any{"edits": edits}); code != http.StatusOK {
		t.Errorf("bombs: %d %v", code, body)
	}
}

// TestAppDefaultsWithoutTheSchemaFolder: a model that came without its
// folder cannot run its functions, and an insert that needs them says
// so.
func TestAppDefaultsWithoutTheSchemaFolder(t *testing.T) {
	m, _ := loadAppDefaults(t)
	ts := newStudio(t, appDefaultsSetup, func(o *studio.Options) { o.Model = m })
	edits := []map[string]any{{"op": "insert", "schema": "public", "name": "docs", "values": map[string]any{"id": v("1")}}}
	body, code := ts.post(t, "/api/preview", map[string]any{"edits": edits})
	if code != http.StatusUnprocessableEntity || !strings.Contains(errMessage(body), "did not build: no schema package to build them from") {
		t.Errorf("%d %v", code, body)
	}
}
