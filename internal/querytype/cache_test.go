package querytype_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/internal/querytype"
	"github.com/mizzle/mizzle/schema"
)

func parseQueries(t *testing.T, src string) []*queryfile.Query {
	t.Helper()
	qs, errs := queryfile.Parse("queries/a.sql", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return qs
}

func cacheModel() *schema.Model {
	mood := schema.GoType{Kind: schema.GoNamed, Path: "example.com/app/schema", Name: "Mood"}
	return &schema.Model{
		Enums: []*schema.Enum{{Schema: "public", Name: "mood", Values: []string{"a"}, GoType: mood}},
		Tables: []*schema.Table{{Schema: "public", Name: "author", GoType: schema.GoType{Kind: schema.GoNamed, Path: "example.com/app/schema", Name: "Author"},
			Columns: []*schema.Column{{Name: "id", GoField: "ID", GoType: schema.GoType{Kind: schema.GoNamed, Name: "int64"}}}}},
	}
}

// TestCacheKey: the key changes with every input the typing reads, and
// only with those.
func TestCacheKey(t *testing.T) {
	const src = "-- name: A :one\nSELECT id FROM author WHERE id = @id;\n"
	base := querytype.NewKey(parseQueries(t, src), []byte("migrations"), cacheModel())
	if again := querytype.NewKey(parseQueries(t, src), []byte("migrations"), cacheModel()); again != base {
		t.Error("the same inputs give another key")
	}
	changed := map[string]querytype.Key{
		"statement":  querytype.NewKey(parseQueries(t, "-- name: A :one\nSELECT id FROM author WHERE id = @id2;\n"), []byte("migrations"), cacheModel()),
		"command":    querytype.NewKey(parseQueries(t, "-- name: A :many\nSELECT id FROM author WHERE id = @id;\n"), []byte("migrations"), cacheModel()),
		"annotation": querytype.NewKey(parseQueries(t, "-- name: A :one\n-- mizzle:nullable id\nSELECT id FROM author WHERE id = @id;\n"), []byte("migrations"), cacheModel()),
		"schema":     querytype.NewKey(parseQueries(t, src), []byte("migrations 2"), cacheModel()),
	}
	m := cacheModel()
	m.Tables[0].Columns[0].GoType.Name = "int32"
	changed["column type"] = querytype.NewKey(parseQueries(t, src), []byte("migrations"), m)
	m = cacheModel()
	m.Tables[0].Columns[0].GoField = "Id"
	changed["field"] = querytype.NewKey(parseQueries(t, src), []byte("migrations"), m)
	m = cacheModel()
	m.Enums[0].GoType.Name = "Feeling"
	changed["enum type"] = querytype.NewKey(parseQueries(t, src), []byte("migrations"), m)
	for what, k := range changed {
		if k == base {
			t.Errorf("a change of the %s keeps the key", what)
		}
	}
	other, errs := queryfile.Parse("elsewhere/b.sql", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	changed["file name"] = querytype.NewKey(other, []byte("migrations"), cacheModel())
	// Where the file is and the line the query starts at are not in the
	// answer.
	moved, errs := queryfile.Parse("../queries/a.sql", "\n\n"+src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if querytype.NewKey(moved, []byte("migrations"), cacheModel()) != base {
		t.Error("the file's folder and the query's line change the key")
	}
	// What the mapping does not read leaves it.
	m = cacheModel()
	m.Tables[0].Columns[0].Comment = "the id"
	m.Enums[0].Values = append(m.Enums[0].Values, "b")
	if querytype.NewKey(parseQueries(t, src), []byte("migrations"), m) != base {
		t.Error("a comment and an enum value change the key")
	}
}

// TestCache: an entry gives back what was put, for its server's major
// version or any; anything but exactly what Put wrote is a miss.
func TestCache(t *testing.T) {
	c := querytype.Cache{Dir: t.TempDir()}
	k := querytype.NewKey(parseQueries(t, "-- name: A :one\nSELECT 1 AS one;\n"), nil, cacheModel())
	row := schema.GoType{Kind: schema.GoNamed, Path: "example.com/app/schema", Name: "Author"}
	qs := []gen.Query{{Name: "A", Command: "one", SQL: "SELECT 1 AS one", Source: "queries/a.sql:1", File: "a",
		Params:  []gen.QueryParam{{Name: "id", Type: schema.GoType{Kind: schema.GoPointer, Elem: &schema.GoType{Kind: schema.GoNamed, Name: "int64"}}}},
		Columns: []gen.QueryColumn{{Name: "one", Type: schema.GoType{Kind: schema.GoNamed, Name: "int32"}, Field: "One"}}, RowType: &row}}
	if _, ok := c.Get(k, ""); ok {
		t.Fatal("a hit in an empty cache")
	}
	if err := c.Put(k, "16", qs); err != nil {
		t.Fatal(err)
	}
	for _, server := range []string{"16", ""} {
		got, ok := c.Get(k, server)
		if !ok {
			t.Fatalf("server %q: a miss", server)
		}
		if diff := cmp.Diff(qs, got); diff != "" {
			t.Errorf("server %q (-put +got):\n%s", server, diff)
		}
	}
	if _, ok := c.Get(k, "15"); ok {
		t.Error("an entry typed on 16 answers for 15")
	}
	other := k
	other[0]++
	if _, ok := c.Get(other, ""); ok {
		t.Error("another key hits")
	}

	files, err := filepath.Glob(filepath.Join(c.Dir, "queries", "*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("entries %v (%v)", files, err)
	}
	good, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-10] ^= 1
	_, body, _ := bytes.Cut(bytes.TrimPrefix(good, []byte("mizzle typed queries 2\n")), []byte("\n"))
	// A body that decodes, with its checksum, but a field this mizzle
	// does not know: an entry of another layout.
	unknown := []byte(`{"server":"16","queries":[],"extra":1}`)
	sum := sha256.Sum256(unknown)
	for what, data := range map[string][]byte{
		"truncated":      good[:len(good)/2],
		"a flipped byte": flipped,
		"another magic":  bytes.Replace(good, []byte("queries 2"), []byte("queries 0"), 1),
		"empty":          {},
		"trailing data":  append(bytes.Clone(good), "{}"...),
		"no checksum":    append([]byte("mizzle typed queries 2\n"), body...),
		"unknown field":  []byte("mizzle typed queries 2\n" + hex.EncodeToString(sum[:]) + "\n" + string(unknown)),
	} {
		if err := os.WriteFile(files[0], data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get(k, ""); ok {
			t.Errorf("%s entry: a hit", what)
		}
	}
	// Put replaces a damaged entry.
	if err := c.Put(k, "16", qs); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k, "16"); !ok {
		t.Error("no hit after Put replaced a damaged entry")
	}

	// A hit refreshes an entry's time; a Put removes the entries unused
	// for a week.
	old := time.Now().Add(-8 * 24 * time.Hour)
	if err := os.Chtimes(files[0], old, old); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k, ""); !ok {
		t.Fatal("a miss")
	}
	if fi, err := os.Stat(files[0]); err != nil || time.Since(fi.ModTime()) > time.Hour {
		t.Errorf("a hit left the entry's time (%v)", err)
	}
	if err := os.Chtimes(files[0], old, old); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(other, "16", qs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("an entry unused for 8 days is still there (%v)", err)
	}
	if _, ok := c.Get(other, "16"); !ok {
		t.Error("the new entry is missing")
	}

	// Off: nothing written, nothing found.
	off := querytype.Cache{}
	if err := off.Put(k, "16", qs); err != nil {
		t.Fatal(err)
	}
	if _, ok := off.Get(k, ""); ok {
		t.Error("a hit with the cache off")
	}
}

// TestHashFS: a folder's hash follows its names and contents, not where
// it is.
func TestHashFS(t *testing.T) {
	sum := func(fsys fstest.MapFS) []byte {
		h := sha256.New()
		if err := querytype.HashFS(h, fsys); err != nil {
			t.Fatal(err)
		}
		return h.Sum(nil)
	}
	a := fstest.MapFS{"meta/_journal.json": {Data: []byte("{}")}, "0000_a.sql": {Data: []byte("CREATE TABLE a ();")}}
	b := fstest.MapFS{"meta/_journal.json": {Data: []byte("{}")}, "0000_a.sql": {Data: []byte("CREATE TABLE b ();")}}
	c := fstest.MapFS{"meta/_journal.json": {Data: []byte("{}")}, "0000_b.sql": {Data: []byte("CREATE TABLE a ();")}}
	if bytes.Equal(sum(a), sum(b)) || bytes.Equal(sum(a), sum(c)) {
		t.Error("a changed content or name keeps the hash")
	}
	if !bytes.Equal(sum(a), sum(fstest.MapFS{"0000_a.sql": {Data: []byte("CREATE TABLE a ();")}, "meta/_journal.json": {Data: []byte("{}")}})) {
		t.Error("the same folder hashes differently")
	}
}
