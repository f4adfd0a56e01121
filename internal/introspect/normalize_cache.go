package introspect

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/atomicfile"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// The answer cache.
//
// Building a model in scratch schemas is most of what a push with nothing
// to do costs: at 1,000 tables with a policy and a view each, seconds. Yet
// what PostgreSQL prints back for a table's expressions depends only on
// what was built and where, so NormalizeCached keeps each table's and each
// view's answers (its Parsed fields, and a view's query's columns) under a
// key that hashes everything the answers depend on, and builds only the
// tables and views whose key it has not seen. The entries live in one file
// per context (below), read whole, since opening a file per table cost
// more than the rest of a call that builds nothing.
//
// A unit's key hashes:
//
//   - the context: this format, mizzle's build (which fixes the statements
//     and how Inspect reads them back), the server's version, the search
//     path, the database's extensions with their versions and schemas, and
//     the statements that build what every unit may use (the scratch
//     schemas, enums, sequences and functions, whose own answers are kept
//     under the context's key);
//   - the statements that build the unit in its scratch schema, exactly as
//     they would be sent, and for a table the type and text of each
//     column's default;
//   - the same for each table or view of the model the unit's expressions
//     name (a policy's USING and WITH CHECK, a view's query): a name is
//     found by the SQL lexer, whatever its schema, so a word that only
//     looks like a table's name costs a build, never a wrong answer.
//
// What lies outside the model and the extensions (a table or function a
// policy reads from a schema mizzle does not manage, say) is not in the
// key: changing one leaves the kept answers in use until the model
// changes, or a run without the cache.
//
// Errors of the cache never fail a call: a file that cannot be read or
// decoded, or whose checksum fails, holds nothing, and one that cannot be
// written is not written. A call that builds something rewrites its
// context's file with the entries it used and those used in the last week.

// answerMagic starts every file and names its format: change it whenever
// the entry's layout or what a key covers changes.
const answerMagic = "mizzle normalize cache 1\n"

// answerTrimAge is how long an entry, or a context's file, may go unused
// before a call that writes removes it; answerTrimEvery is how often a
// call looks for files to remove.
const (
	answerTrimAge   = 7 * 24 * time.Hour
	answerTrimEvery = 24 * time.Hour
)

// unitSet is the tables and views one build makes, and whether it must be
// made even when there are none (when the functions' answers are not
// kept).
type unitSet struct {
	rels map[relKey]bool
	base bool
}

func (u *unitSet) has(k relKey) bool { return u.rels[k] }

func (u *unitSet) empty() bool { return len(u.rels) == 0 && !u.base }

// answers are what a build read back for one unit: a table, a view, or the
// context's functions. Texts are the real schemas' (scratch.fix applied).
type answers struct {
	Kind string `json:"kind"` // "table", "view" or "functions"
	// A table's.
	Columns  map[string]columnAnswer `json:"columns,omitempty"`
	Checks   map[string]string       `json:"checks,omitempty"`
	When     map[string]string       `json:"when,omitempty"`
	Bounds   map[string]string       `json:"bounds,omitempty"`
	Policies map[string][2]string    `json:"policies,omitempty"` // USING, WITH CHECK
	// A table's or a view's: those of its indexes that were built.
	Indexes map[string]indexAnswer `json:"indexes,omitempty"`
	// A view's.
	Definition  string           `json:"definition,omitempty"`
	ViewColumns []*schema.Column `json:"viewColumns,omitempty"`
	// The functions', by schema and name joined with a NUL.
	Functions map[string][2]string `json:"functions,omitempty"` // signature, definition
}

type columnAnswer struct {
	Default   string `json:"default,omitempty"`
	Generated string `json:"generated,omitempty"`
}

type indexAnswer struct {
	Where    string       `json:"where,omitempty"`
	Elements []elemAnswer `json:"elements"`
}

type elemAnswer struct {
	Expr    string `json:"expr,omitempty"`
	Opclass string `json:"opclass,omitempty"`
	Nulls   string `json:"nulls,omitempty"`
}

// answerFile is what a context's file holds after the magic and the
// checksum.
type answerFile struct {
	Entries map[string]*answerEntry `json:"entries"`
}

type answerEntry struct {
	Used    int64    `json:"used"` // when a call last used it, in Unix seconds
	Answers *answers `json:"answers"`
}

// answerCache is the cache as one call sees it.
type answerCache struct {
	dir     string // cacheDir/normalize
	path    string // the context's file
	file    answerFile
	keys    map[relKey]string
	funcKey string
	hits    map[relKey]*answers
	funcHit *answers
	miss    *unitSet // the units to build and keep, without what they need
}

// openAnswerCache reads what the cache in cacheDir holds for m on the
// server described by server (serverFacts). It returns a nil cache (every unit built, nothing
// kept) when the statements of m's context cannot be planned: the build
// will report why.
func openAnswerCache(m *schema.Model, cacheDir, server string) *answerCache {
	k, ok := answerKeys(m, server)
	if !ok {
		return nil
	}
	dir := filepath.Join(cacheDir, "normalize")
	c := &answerCache{dir: dir, path: filepath.Join(dir, k.context), keys: k.units, funcKey: k.functions,
		hits: map[relKey]*answers{}, miss: &unitSet{rels: map[relKey]bool{}}}
	c.file = readAnswerFile(c.path)
	if c.funcHit = c.get(k.functions, "functions"); c.funcHit == nil {
		c.miss.base = true
	}
	for _, t := range m.Tables {
		c.lookup(relKey{schema: t.Schema, name: t.Name}, "table")
	}
	for _, v := range m.Views {
		c.lookup(relKey{schema: v.Schema, name: v.Name}, "view")
	}
	return c
}

// readAnswerFile reads a context's file; one that is missing or damaged
// holds nothing.
func readAnswerFile(path string) answerFile {
	none := answerFile{Entries: map[string]*answerEntry{}}
	body, ok := readCacheFile(path, answerMagic)
	if !ok {
		return none
	}
	var f answerFile
	if err := json.Unmarshal(body, &f); err != nil || f.Entries == nil {
		return none
	}
	return f
}

// readCacheFile returns the body of the cache file at path, which
// writeCacheFile wrote with magic, or false when it is missing, of
// another format, or damaged.
func readCacheFile(path, magic string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok {
		return nil, false
	}
	sum, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, false
	}
	want := sha256.Sum256(body)
	return body, string(sum) == hex.EncodeToString(want[:])
}

// writeCacheFile writes body to path after magic and the body's
// checksum, whole or not at all (atomicfile). Like the rest of the cache it fails quietly, reporting only whether it
// wrote: a file not written is built again.
func writeCacheFile(path, magic string, body []byte) bool {
	sum := sha256.Sum256(body)
	return atomicfile.Write(path, append([]byte(magic+hex.EncodeToString(sum[:])+"\n"), body...), 0o600) == nil
}

func (c *answerCache) lookup(k relKey, kind string) {
	if a := c.get(c.keys[k], kind); a != nil {
		c.hits[k] = a
	} else {
		c.miss.rels[k] = true
	}
}

// get returns the answers kept under key, or nil when there are none or
// they are not of kind.
func (c *answerCache) get(key, kind string) *answers {
	e := c.file.Entries[key]
	if key == "" || e == nil || e.Answers == nil || e.Answers.Kind != kind {
		return nil
	}
	return e.Answers
}

// misses returns what must be built: the units the cache does not hold
// and the tables and views their expressions name, with what those name,
// and so on. Without a cache it returns nil, which builds everything.
func (c *answerCache) misses(m *schema.Model) *unitSet {
	if c == nil {
		return nil
	}
	if len(c.miss.rels) == 0 {
		return c.miss
	}
	rels := modelRelations(m)
	need := &unitSet{rels: map[relKey]bool{}, base: true}
	var todo []relKey
	for k := range c.miss.rels {
		todo = append(todo, k)
	}
	for len(todo) > 0 {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if need.rels[k] {
			continue
		}
		need.rels[k] = true
		todo = append(todo, rels.named(rels.exprs(k)...)...)
	}
	return need
}

// store keeps the answers of the units that missed, read from out (m's
// copy as the build normalized it) and columns (the views' query columns),
// with those that hit, and rewrites the context's file.
func (c *answerCache) store(out *schema.Model, columns map[relKey][]*schema.Column) {
	if c == nil {
		return
	}
	now := time.Now()
	for key, e := range c.file.Entries {
		if now.Sub(time.Unix(e.Used, 0)) > answerTrimAge {
			delete(c.file.Entries, key)
		}
	}
	keep := func(key string, a *answers) {
		if key != "" {
			c.file.Entries[key] = &answerEntry{Used: now.Unix(), Answers: a}
		}
	}
	if c.miss.base {
		keep(c.funcKey, functionAnswers(out))
	} else {
		keep(c.funcKey, c.funcHit)
	}
	for _, t := range out.Tables {
		k := relKey{schema: t.Schema, name: t.Name}
		switch {
		case c.hits[k] != nil:
			keep(c.keys[k], c.hits[k])
		case c.miss.rels[k]:
			keep(c.keys[k], tableAnswers(t))
		}
	}
	for _, v := range out.Views {
		k := relKey{schema: v.Schema, name: v.Name}
		cols, built := columns[k]
		switch {
		case c.hits[k] != nil:
			keep(c.keys[k], c.hits[k])
		case c.miss.rels[k] && built:
			keep(c.keys[k], viewAnswers(v, cols))
		}
	}
	body, err := json.Marshal(&c.file)
	if err != nil || !writeCacheFile(c.path, answerMagic, body) {
		return
	}
	c.trim()
}

// trim removes the files of contexts no call has written for
// answerTrimAge (and temporary files a crashed call left), at most once
// every answerTrimEvery.
func (c *answerCache) trim() {
	stamp := filepath.Join(c.dir, "trim.txt")
	if fi, err := os.Stat(stamp); err == nil && time.Since(fi.ModTime()) < answerTrimEvery {
		return
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		return
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && e.Name() != "trim.txt" && time.Since(fi.ModTime()) > answerTrimAge {
			os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}

// apply puts the kept answers into out, and the kept views' query columns
// into columns.
func (c *answerCache) apply(out *schema.Model, columns map[relKey][]*schema.Column) {
	if c == nil {
		return
	}
	if c.funcHit != nil {
		for _, f := range out.Functions {
			if a, ok := c.funcHit.Functions[f.Schema+"\x00"+f.Name]; ok {
				f.ParsedSignature, f.ParsedDefinition = a[0], a[1]
			}
		}
	}
	for _, t := range out.Tables {
		if a := c.hits[relKey{schema: t.Schema, name: t.Name}]; a != nil {
			a.applyTable(t)
		}
	}
	for _, v := range out.Views {
		k := relKey{schema: v.Schema, name: v.Name}
		if a := c.hits[k]; a != nil {
			v.ParsedDefinition = a.Definition
			applyIndexes(v.Indexes, a.Indexes)
			columns[k] = a.ViewColumns
		}
	}
}

// functionAnswers are the functions' answers in m, normalized.
func functionAnswers(m *schema.Model) *answers {
	a := &answers{Kind: "functions", Functions: map[string][2]string{}}
	for _, f := range m.Functions {
		a.Functions[f.Schema+"\x00"+f.Name] = [2]string{f.ParsedSignature, f.ParsedDefinition}
	}
	return a
}

// tableAnswers are the answers of t, normalized: its Parsed fields, and
// the operator classes and null orders of the indexes that were built.
func tableAnswers(t *schema.Table) *answers {
	a := &answers{Kind: "table", Columns: map[string]columnAnswer{}, Checks: map[string]string{},
		When: map[string]string{}, Bounds: map[string]string{}, Policies: map[string][2]string{}}
	for _, col := range t.Columns {
		if col.ParsedDefault != "" || col.ParsedGenerated != "" {
			a.Columns[col.Name] = columnAnswer{Default: col.ParsedDefault, Generated: col.ParsedGenerated}
		}
	}
	for _, k := range t.Checks {
		a.Checks[k.Name] = k.Parsed
	}
	for _, tg := range t.Triggers {
		a.When[tg.Name] = tg.ParsedWhen
	}
	if t.Partition != nil {
		for _, p := range t.Partition.Partitions {
			a.Bounds[p.Name] = p.ParsedBound
		}
	}
	for _, p := range t.Policies {
		a.Policies[p.Name] = [2]string{p.ParsedUsing, p.ParsedWithCheck}
	}
	a.Indexes = indexAnswers(t.Indexes)
	return a
}

func viewAnswers(v *schema.View, columns []*schema.Column) *answers {
	a := &answers{Kind: "view", Definition: v.ParsedDefinition, Indexes: indexAnswers(v.Indexes)}
	for _, col := range columns {
		a.ViewColumns = append(a.ViewColumns, &schema.Column{Name: col.Name, Type: col.Type})
	}
	return a
}

func indexAnswers(indexes []schema.Index) map[string]indexAnswer {
	out := map[string]indexAnswer{}
	for _, ix := range indexes {
		if !rewritten(ix) {
			continue // not built: Normalize keeps it as it is
		}
		ia := indexAnswer{Where: ix.ParsedWhere}
		for _, e := range ix.Elements {
			ia.Elements = append(ia.Elements, elemAnswer{Expr: e.ParsedExpr, Opclass: e.Opclass, Nulls: e.Nulls})
		}
		out[ix.Name] = ia
	}
	return out
}

// applyTable puts a's answers into t, which has the same key.
func (a *answers) applyTable(t *schema.Table) {
	for _, col := range t.Columns {
		if ca, ok := a.Columns[col.Name]; ok {
			col.ParsedDefault, col.ParsedGenerated = ca.Default, ca.Generated
		}
	}
	for i := range t.Checks {
		t.Checks[i].Parsed = a.Checks[t.Checks[i].Name]
	}
	for i := range t.Triggers {
		t.Triggers[i].ParsedWhen = a.When[t.Triggers[i].Name]
	}
	if t.Partition != nil {
		for i := range t.Partition.Partitions {
			t.Partition.Partitions[i].ParsedBound = a.Bounds[t.Partition.Partitions[i].Name]
		}
	}
	for i := range t.Policies {
		p := a.Policies[t.Policies[i].Name]
		t.Policies[i].ParsedUsing, t.Policies[i].ParsedWithCheck = p[0], p[1]
	}
	applyIndexes(t.Indexes, a.Indexes)
}

func applyIndexes(indexes []schema.Index, answers map[string]indexAnswer) {
	for i := range indexes {
		ia, ok := answers[indexes[i].Name]
		if !ok {
			continue
		}
		ix := &indexes[i]
		ix.ParsedWhere = ia.Where
		for k := range ix.Elements {
			if k < len(ia.Elements) {
				e := ia.Elements[k]
				ix.Elements[k].ParsedExpr, ix.Elements[k].Opclass, ix.Elements[k].Nulls = e.Expr, e.Opclass, e.Nulls
			}
		}
	}
}

// keyPrefix is the scratch schemas' prefix in the statements a key
// hashes, the same for every call, where a build's is random.
const keyPrefix = shadowPrefix + "key_"

// answerKeyset is the keys of one model's units.
type answerKeyset struct {
	context   string // names the context's file
	functions string
	units     map[relKey]string // "" for a unit that cannot be kept
}

// answerKeys computes the key of each table and view of m, and of its
// functions, on a server described by server (its version, search path
// and extensions). It reports false when the statements of m's context
// cannot be planned.
func answerKeys(m *schema.Model, server string) (answerKeyset, bool) {
	sc := &scratch{prefix: keyPrefix, number: map[string]int{}}
	shadow, _ := shadowModel(m, sc, nil)
	base := *shadow
	base.Tables, base.Views = nil, nil
	baseDDL, ok := statementsText(&schema.Model{}, &base)
	if !ok {
		return answerKeyset{}, false
	}
	field := func(h io.Writer, name, value string) {
		fmt.Fprintf(h, "%s %d %s\n", name, len(value), value)
	}
	sum := func(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
	h := sha256.New()
	field(h, "magic", answerMagic)
	field(h, "mizzle", buildID())
	field(h, "server", server)
	field(h, "context", baseDDL)
	ks := answerKeyset{context: sum(h), units: map[relKey]string{}}
	h = sha256.New()
	field(h, "context", ks.context)
	field(h, "kind", "functions")
	ks.functions = sum(h)

	// What builds each unit on its own.
	own := map[relKey]string{}
	shadows := map[relKey]*schema.Table{}
	for _, st := range shadow.Tables {
		shadows[relKey{schema: st.Schema, name: st.Name}] = st
	}
	seqs := shadowSequences(m, sc)
	for _, t := range m.Tables {
		var b strings.Builder
		if st := shadows[relKey{schema: sc.name(t.Schema), name: t.Name}]; st != nil {
			with := base
			with.Tables = []*schema.Table{st}
			text, ok := statementsText(&base, &with)
			if !ok {
				continue
			}
			b.WriteString(text)
		}
		for _, col := range t.Columns {
			if col.Default != "" {
				fmt.Fprintf(&b, "\ndefault %q %q", col.Name, defaultKey(shadowType(m, col.Type, sc), seqs.Replace(col.Default)))
			}
		}
		own[relKey{schema: t.Schema, name: t.Name}] = "table\n" + b.String()
	}
	shadowViews := map[relKey]*schema.View{}
	for _, sv := range shadow.Views {
		shadowViews[relKey{schema: sv.Schema, name: sv.Name}] = sv
	}
	for _, v := range m.Views {
		sv := shadowViews[relKey{schema: sc.name(v.Schema), name: v.Name}]
		if sv == nil {
			continue
		}
		with := base
		with.Views = []*schema.View{sv}
		if text, ok := statementsText(&base, &with); ok {
			own[relKey{schema: v.Schema, name: v.Name}] = "view\n" + text
		}
	}

	rels := modelRelations(m)
	visiting := map[relKey]bool{}
	var key func(k relKey) string
	key = func(k relKey) string {
		if s, done := ks.units[k]; done {
			return s
		}
		text, ok := own[k]
		if !ok || visiting[k] {
			return "" // cannot be planned alone, or a view that names itself
		}
		visiting[k] = true
		defer delete(visiting, k)
		h := sha256.New()
		field(h, "context", ks.context)
		field(h, "unit", k.schema+"\x00"+k.name)
		field(h, "statements", text)
		deps := rels.named(rels.exprs(k)...)
		slices.SortFunc(deps, func(a, b relKey) int {
			return cmp.Or(strings.Compare(a.schema, b.schema), strings.Compare(a.name, b.name))
		})
		for _, d := range deps {
			if d == k {
				continue
			}
			dep := own[d]
			if rels.views[d] != nil {
				// A view's columns depend on what its query names.
				dep = key(d)
			}
			if dep == "" {
				return ""
			}
			field(h, "named", d.schema+"\x00"+d.name+"\x00"+dep)
		}
		s := sum(h)
		ks.units[k] = s
		return s
	}
	for _, t := range m.Tables {
		k := relKey{schema: t.Schema, name: t.Name}
		ks.units[k] = key(k)
	}
	for _, v := range m.Views {
		k := relKey{schema: v.Schema, name: v.Name}
		ks.units[k] = key(k)
	}
	return ks, true
}

// statementsText is the statements that go from one model to the other,
// one after another, or false when the differ refuses them.
func statementsText(from, to *schema.Model) (string, bool) {
	changes, err := migrations.Diff(from, to, migrations.Options{})
	if err != nil {
		return "", false
	}
	stmts, err := migrations.SQL(changes)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for _, s := range stmts {
		fmt.Fprintf(&b, "%d %s\n", len(s.SQL), s.SQL)
	}
	return b.String(), true
}

// relations are a model's tables and views, by schema and name and by
// name alone.
type relations struct {
	tables map[relKey]*schema.Table
	views  map[relKey]*schema.View
	byName map[string][]relKey
}

func modelRelations(m *schema.Model) *relations {
	r := &relations{tables: map[relKey]*schema.Table{}, views: map[relKey]*schema.View{}, byName: map[string][]relKey{}}
	for _, t := range m.Tables {
		k := relKey{schema: t.Schema, name: t.Name}
		r.tables[k] = t
		r.byName[t.Name] = append(r.byName[t.Name], k)
	}
	for _, v := range m.Views {
		k := relKey{schema: v.Schema, name: v.Name}
		r.views[k] = v
		r.byName[v.Name] = append(r.byName[v.Name], k)
	}
	return r
}

// exprs are the expressions of unit k that may name other tables and
// views: a table's policies, a view's query.
func (r *relations) exprs(k relKey) []string {
	if t := r.tables[k]; t != nil {
		var out []string
		for _, p := range t.Policies {
			out = append(out, p.Using, p.WithCheck)
		}
		return out
	}
	if v := r.views[k]; v != nil {
		return []string{v.Definition}
	}
	return nil
}

// named returns the tables and views whose names appear as identifiers in
// exprs: a word as PostgreSQL folds it, or a quoted identifier.
func (r *relations) named(exprs ...string) []relKey {
	var out []relKey
	seen := map[string]bool{}
	for _, e := range exprs {
		for t := range sqlsplit.Tokens(e) {
			name := ""
			switch {
			case t.Word:
				name = strings.ToLower(t.Text)
			case len(t.Text) >= 2 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"':
				name = strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`)
			}
			if name != "" && !seen[name] {
				seen[name] = true
				out = append(out, r.byName[name]...)
			}
		}
	}
	return out
}

// buildID identifies this mizzle: the executable and its build
// information.
func buildID() string {
	info := "no build information"
	if bi, ok := debug.ReadBuildInfo(); ok {
		info = bi.String()
	}
	exe, err := os.Executable()
	if err != nil {
		return info
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return info
	}
	return fmt.Sprintf("%s %d %d\n%s", exe, fi.Size(), fi.ModTime().UnixNano(), info)
}
