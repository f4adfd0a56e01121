package querytype

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/atomicfile"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/schema"
)

// The typed-query cache.
//
// Typing needs a server with the schema built in it: a throwaway cluster
// takes a second or more to start, and a machine may have no server at
// all. What Type returns depends on nothing but its inputs, so a run
// whose inputs are those of an earlier one takes the earlier answer:
//
//   - the queries as queryfile read them (name, command, file name, doc,
//     statement, parameters, annotations, COPY target): Key hashes them;
//     not where the file is or the line a query starts at, which the
//     caller names its Source from;
//   - the schema the server held: the caller hashes the migrations it
//     applied and the statements it ran after them (Key's schemaHash);
//   - the model's Go types that the mapping reads: each table's and
//     view's struct type and its columns' names, fields and Go types,
//     each enum's Go type;
//   - the typing rules and the entry's layout: cacheMagic, changed with
//     either;
//   - the server's major version, which an entry records: Get refuses an
//     entry of another major than the one the caller expects, and takes
//     any when the caller cannot tell without connecting.
//
// The cache is an optimisation only: an entry holds exactly what Type
// returned, so a run that misses types again and writes the same code.
// An entry that is not exactly what Put writes (a truncated file, a flipped
// byte, an older layout) is a miss, and one that cannot be written is not.

// trimAge is how long an entry may go unused before a Put removes it;
// touchAge how old an entry's modification time may be before a hit
// refreshes it, so that hits do not write each time. Every edit of a query
// file makes an entry, and the old ones would otherwise stay.
const (
	trimAge  = 7 * 24 * time.Hour
	touchAge = time.Hour
)

// cacheMagic starts every entry. Change it whenever the typing rules, the
// fields of gen.Query or the entry's layout change, so that an older
// mizzle's answers are misses rather than reused.
const cacheMagic = "mizzle typed queries 2\n"

// Key names the answer to one typing: a hash of its inputs but the
// server's version.
type Key [sha256.Size]byte

// NewKey hashes the inputs of typing qs on a database built as schemaHash
// says (a hash of the migrations and statements that built it) for the
// model m.
func NewKey(qs []*queryfile.Query, schemaHash []byte, m *schema.Model) Key {
	h := sha256.New()
	field := func(name string, v any) {
		data, _ := json.Marshal(v) // plain strings, slices and structs: no error
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	field("magic", cacheMagic)
	field("schema", schemaHash)
	for _, q := range qs {
		// Of a position, what Type's answer holds is the file's name (its
		// generated file); the folder as the working directory names it
		// and the line (the methods' documentation) are the caller's to
		// set, so that go generate in the schema's folder and mizzle
		// generate at the root, or a line added above, share an entry.
		params := make([]queryfile.Param, len(q.Params))
		for i, p := range q.Params {
			params[i] = queryfile.Param{Name: p.Name, Nullable: p.Nullable}
		}
		field("query", struct {
			Name, Command, Doc, SQL, File string
			Params                        []queryfile.Param
			NotNull, Nullable             []string
			Copy                          *queryfile.Copy
			Limit                         int
		}{q.Name, string(q.Command), q.Doc, q.SQL, path.Base(filepath.ToSlash(q.Pos.Filename)), params, q.NotNull, q.Nullable, q.Copy, q.Limit})
	}
	hashModelTypes(field, m)
	return Key(h.Sum(nil))
}

// hashModelTypes adds what the resolver reads of the model.
func hashModelTypes(field func(string, any), m *schema.Model) {
	type column struct {
		Name, Field string
		Type        schema.GoType
	}
	columns := func(cs []*schema.Column) []column {
		out := make([]column, len(cs))
		for i, c := range cs {
			out[i] = column{c.Name, c.GoField, c.GoType}
		}
		return out
	}
	for _, t := range m.Tables {
		field("table", struct {
			Schema, Name string
			Type         schema.GoType
			Columns      []column
		}{t.Schema, t.Name, t.GoType, columns(t.Columns)})
	}
	for _, v := range m.Views {
		field("view", struct {
			Schema, Name string
			Type         schema.GoType
			Columns      []column
		}{v.Schema, v.Name, v.GoType, columns(v.Columns)})
	}
	for _, e := range m.Enums {
		field("enum", struct {
			Schema, Name string
			Type         schema.GoType
		}{e.Schema, e.Name, e.GoType})
	}
}

// Cache keeps typed queries in a directory, one file per Key.
type Cache struct {
	// Dir is the directory; "" turns the cache off.
	Dir string
}

// entry is an entry's body, after its magic and checksum lines.
type entry struct {
	// Server is the major version of the server that typed the queries.
	Server  string      `json:"server"`
	Queries []gen.Query `json:"queries"`
}

func (c Cache) path(k Key) string {
	return filepath.Join(c.Dir, "queries", hex.EncodeToString(k[:]))
}

// Get returns the typed queries of key, typed on a server of the major
// version server, or of any when server is "". The second result is false
// on a miss.
func (c Cache) Get(k Key, server string) ([]gen.Query, bool) {
	if c.Dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(c.path(k))
	if err != nil {
		return nil, false
	}
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok {
		return nil, false
	}
	sum, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || string(sum) != checksum(body) {
		return nil, false
	}
	var e entry
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || dec.More() {
		return nil, false
	}
	if server != "" && e.Server != server {
		return nil, false
	}
	if fi, err := os.Stat(c.path(k)); err == nil && time.Since(fi.ModTime()) > touchAge {
		now := time.Now()
		os.Chtimes(c.path(k), now, now) // a missed touch only makes an early trim
	}
	return e.Queries, true
}

// trim removes the entries unused for trimAge.
func (c Cache) trim() {
	dir := filepath.Join(c.Dir, "queries")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && !e.IsDir() && time.Since(fi.ModTime()) > trimAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// Put records the typed queries of key, typed on a server of the major
// version server. The file is replaced whole, through a temporary one, so
// that a reader never sees half of it.
func (c Cache) Put(k Key, server string, qs []gen.Query) error {
	if c.Dir == "" {
		return nil
	}
	body, err := json.Marshal(entry{Server: server, Queries: qs})
	if err != nil {
		return err
	}
	c.trim()
	return atomicfile.Write(c.path(k), fmt.Appendf(nil, "%s%s\n%s", cacheMagic, checksum(body), body), 0o600)
}

func checksum(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// HashFS adds every file name under fsys's root and every file's content
// to h, in a fixed order: what a folder of migrations says, wherever it
// is. A missing folder is hashed as absent.
func HashFS(h hash.Hash, fsys fs.FS) error {
	if _, err := fs.Stat(fsys, "."); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(h, "absent\n")
		return nil
	}
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			fmt.Fprintf(h, "dir %d %s\n", len(path), path)
			return nil
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "file %d %s %d\n", len(path), path, len(data))
		h.Write(data)
		return nil
	})
}

// ServerMajor is the major version of the server conn is connected to,
// as PG_VERSION spells it ("16", or "9.6" before PostgreSQL 10), from
// what the server said at connection: no query.
func ServerMajor(conn *pgx.Conn) string {
	v := conn.PgConn().ParameterStatus("server_version")
	major, rest, _ := strings.Cut(v, ".")
	if n, err := strconv.Atoi(major); err == nil && n < 10 {
		minor, _, _ := strings.Cut(rest, ".")
		return major + "." + minor
	}
	// "17beta1", "16.4 (Debian 16.4-1)": the digits first.
	if i := strings.IndexFunc(major, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		major = major[:i]
	}
	return major
}
