// Package goschema writes a schema.Model as the Go source of a schema
// package in mizzle's grammar: tagged structs with //mizzle: markers and
// enums as typed string constants. It is the inverse of internal/loader,
// and `mizzle pull` uses it on a model read from a database.
//
// It owns the choices that make the inverse exact: the Go type of each SQL
// type (with a type: option wherever the loader's default mapping would
// give another type), nullability as pointers, Go identifiers made from SQL
// names, and explicit names for constraints and indexes whenever the
// database's name is not the one the loader would derive. Loading the files
// it returns gives back Result.Model, which is the input model less what the
// grammar cannot say; every such difference is named in Result.Warnings.
//
// It does not know where the model came from, and it neither prints nor
// touches the disk: files come out as values, gofmt'd.
package goschema

import (
	"cmp"
	"errors"
	"fmt"
	"go/format"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// Header is the first line of every file Write returns. The files are the
// user's from then on (nothing regenerates them), so they do not carry
// "Code generated ... DO NOT EDIT."; the line lets a later pull recognise
// its own output.
const Header = "// Written by mizzle pull from the database's catalog. This is your schema now: edit it freely."

// Options say how to write the package.
type Options struct {
	// Package is the package name; "schema" when empty.
	Package string
	// Split writes one file per table (named after its Go type) next to
	// schema.go, which then holds the package doc and the enums. Otherwise
	// everything goes into schema.go.
	Split bool
}

// File is a file of the package: a Go source file, or the SQL file of a
// function.
type File struct {
	Name string // path relative to the package: "schema.go", "sql/touch.sql"
	Data []byte
}

// Result is a written schema package.
type Result struct {
	// Files are the package's files, sorted by name.
	Files []File
	// Model is what the files declare, which is what the loader reads
	// back from them: the input model, sorted, except for what Warnings
	// lists. A baseline snapshot of the pulled database is this model.
	Model *schema.Model
	// Warnings name each thing of the input the grammar cannot say and
	// what was written instead, one sentence each.
	Warnings []string
}

// Write turns m into a schema package. m is not changed. It fails when a
// name cannot be written at all (a column name with a comma, for example,
// which a db tag cannot hold), listing every such name.
func Write(m *schema.Model, opts Options) (*Result, error) {
	if opts.Package == "" {
		opts.Package = "schema"
	}
	if !isIdent(opts.Package) {
		return nil, fmt.Errorf("package name %q is not a Go identifier", opts.Package)
	}
	w := &writer{
		out:      m.Clone(),
		opts:     opts,
		pkgScope: newNamer(),
		types:    map[[2]string]string{},
		enums:    map[[2]string]string{},
		fields:   map[*schema.Table][]string{},
	}
	w.out.Go = schema.GoPackage{}
	w.out.Sort()
	trimExprs(w.out)
	if err := w.checkNames(); err != nil {
		return nil, err
	}
	w.prune()
	w.pruneTriggers()
	w.prepareViews()
	if len(w.out.Tables) == 0 {
		return nil, errors.New("no tables to write: a schema package needs at least one table")
	}
	w.name()
	w.nameViews()
	for _, t := range w.out.Tables {
		w.columnTypes(t)
	}
	for _, t := range w.out.Tables {
		w.foreignKeys(t)
	}
	files, err := w.files()
	if err != nil {
		return nil, err
	}
	// What the loader derives from the files: the schemas that hold
	// something.
	w.out.Schemas = nil
	used := map[string]bool{}
	for _, t := range w.out.Tables {
		used[t.Schema] = true
	}
	for _, e := range w.out.Enums {
		used[e.Schema] = true
	}
	for _, x := range w.out.Extensions {
		used[x.Schema] = true
	}
	for _, s := range w.out.Sequences {
		used[s.Schema] = true
	}
	for _, f := range w.out.Functions {
		used[f.Schema] = true
	}
	for _, v := range w.out.Views {
		used[v.Schema] = true
	}
	for s := range used {
		if s != schema.DefaultSchema && s != "" {
			w.out.Schemas = append(w.out.Schemas, &schema.Schema{Name: s})
		}
	}
	w.out.Sort()
	return &Result{Files: files, Model: w.out, Warnings: w.warnings}, nil
}

type writer struct {
	out      *schema.Model
	opts     Options
	warnings []string

	pkgScope *namer
	types    map[[2]string]string       // table (schema, name) → Go type
	enums    map[[2]string]string       // enum (schema, name) → Go type
	consts   map[*schema.Enum][]string  // enum → constant per value
	fields   map[*schema.Table][]string // table → Go field per column
	views    viewNames                  // see view.go
}

func (w *writer) warn(format string, args ...any) {
	w.warnings = append(w.warnings, fmt.Sprintf(format, args...))
}

var goIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isIdent(s string) bool { return goIdent.MatchString(s) && !token.IsKeyword(s) }

// badTagName reports why a column name cannot be a db tag's first element,
// or "". The name ends at the first comma (grammar.SplitOptions), a colon
// would read as an option, "-" means "no column", and the name is trimmed.
func badTagName(name string) string {
	switch {
	case name == "-":
		return `"-" means "not a column" in a db tag`
	case strings.TrimSpace(name) != name:
		return "a db tag's name cannot start or end with white space"
	case strings.ContainsAny(name, ",:\n\r\x00"):
		return `a db tag's name cannot hold , : or a line break`
	}
	return ""
}

// checkNames reports the names no Go source can carry: the grammar has no
// way to write them, and writing another name would make the next migration
// rename the object.
func (w *writer) checkNames() error {
	var problems []string
	oneLine := func(what, name string) {
		if strings.ContainsAny(name, "\n\r\x00") {
			problems = append(problems, fmt.Sprintf("%s %s: a //mizzle: marker cannot hold a line break", what, quote.Ident(name)))
		}
	}
	for _, s := range w.out.Sequences {
		oneLine("sequence", s.Name)
		oneLine("schema", s.Schema)
	}
	for _, x := range w.out.Extensions {
		oneLine("extension", x.Name)
		oneLine("schema", x.Schema)
		oneLine("extension version", x.Version)
	}
	for _, e := range w.out.Enums {
		oneLine("enum", e.Name)
		oneLine("schema", e.Schema)
	}
	for _, f := range w.out.Functions {
		oneLine("function", f.Name)
		oneLine("schema", f.Schema)
	}
	for _, t := range w.out.Tables {
		oneLine("table", t.Name)
		oneLine("schema", t.Schema)
		for _, c := range t.Columns {
			if why := badTagName(c.Name); why != "" {
				problems = append(problems, fmt.Sprintf("column %s: %s", quote.Ident(t.Schema, t.Name, c.Name), why))
			}
		}
		if t.PrimaryKey != nil {
			oneLine("primary key", t.PrimaryKey.Name)
		}
		for _, u := range t.Uniques {
			oneLine("constraint", u.Name)
		}
		for _, k := range t.Checks {
			oneLine("constraint", k.Name)
		}
		for _, fk := range t.ForeignKeys {
			oneLine("constraint", fk.Name)
		}
		for _, ix := range t.Indexes {
			oneLine("index", ix.Name)
		}
		for _, tg := range t.Triggers {
			oneLine("trigger", tg.Name)
		}
		if t.Partition != nil {
			for _, p := range t.Partition.Partitions {
				oneLine("partition", p.Name)
			}
		}
	}
	problems = w.checkViewNames(problems)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("cannot write these names in Go source (rename them in the database first):\n  %s", strings.Join(problems, "\n  "))
}

// trimExprs takes the white space off both ends of every expression, as
// the loader does with the text of an option or a marker: PostgreSQL's
// deparse of a CASE starts with a line break.
func trimExprs(m *schema.Model) {
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			c.Default = strings.TrimSpace(c.Default)
			c.Generated = strings.TrimSpace(c.Generated)
		}
		for i := range t.Checks {
			t.Checks[i].Expr = strings.TrimSpace(t.Checks[i].Expr)
		}
		for i := range t.Policies {
			p := &t.Policies[i]
			p.Using, p.WithCheck = strings.TrimSpace(p.Using), strings.TrimSpace(p.WithCheck)
		}
		for i := range t.Triggers {
			t.Triggers[i].When = strings.TrimSpace(t.Triggers[i].When)
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			ix.Where = strings.TrimSpace(ix.Where)
			for k := range ix.Elements {
				ix.Elements[k].Expr = strings.TrimSpace(ix.Elements[k].Expr)
			}
		}
	}
}

// prune leaves out what the loader would reject outright: tables without
// columns and enums without values.
func (w *writer) prune() {
	w.out.Tables = slices.DeleteFunc(w.out.Tables, func(t *schema.Table) bool {
		if len(t.Columns) == 0 {
			w.warn("table %s has no columns, which a struct cannot declare: left out", quote.Ident(t.Schema, t.Name))
			return true
		}
		return false
	})
	w.out.Enums = slices.DeleteFunc(w.out.Enums, func(e *schema.Enum) bool {
		if len(e.Values) == 0 {
			w.warn("enum %s has no values, which an enum type needs as constants: left out", quote.Ident(e.Schema, e.Name))
			return true
		}
		return false
	})
}

// publicFirst orders objects of public before the others, so their Go
// names are the short ones when a name exists in several schemas.
func publicFirst(aSchema, bSchema string) int {
	rank := func(s string) int {
		if s == schema.DefaultSchema {
			return 0
		}
		return 1
	}
	return cmp.Compare(rank(aSchema), rank(bSchema))
}

// name gives every table, enum, constant and field its Go identifier.
// Package-scope names are handed out tables first, then enums, then
// constants; a clash takes the schema's name as a prefix, then a number.
func (w *writer) name() {
	tables := slices.Clone(w.out.Tables)
	slices.SortStableFunc(tables, func(a, b *schema.Table) int { return publicFirst(a.Schema, b.Schema) })
	for _, t := range tables {
		w.types[[2]string{t.Schema, t.Name}] = w.pkgScope.claim("Table", camel(t.Name), camel(t.Schema+"_"+t.Name))
	}
	enums := slices.Clone(w.out.Enums)
	slices.SortStableFunc(enums, func(a, b *schema.Enum) int { return publicFirst(a.Schema, b.Schema) })
	for _, e := range enums {
		w.enums[[2]string{e.Schema, e.Name}] = w.pkgScope.claim("Enum", camel(e.Name), camel(e.Schema+"_"+e.Name), camel(e.Name)+"Enum")
	}
	w.consts = map[*schema.Enum][]string{}
	for _, e := range enums {
		typ := w.enums[[2]string{e.Schema, e.Name}]
		for _, v := range e.Values {
			w.consts[e] = append(w.consts[e], w.pkgScope.claim(typ+"Value", typ+camel(v)))
		}
	}
	for _, t := range w.out.Tables {
		scope := newNamer()
		for _, c := range t.Columns {
			w.fields[t] = append(w.fields[t], scope.claim("Column", camel(c.Name)))
		}
	}
}

// enumType returns the Go type of a package enum, or "".
func (w *writer) enumType(t schema.Type) string {
	if t.Schema == "" {
		return ""
	}
	return w.enums[[2]string{t.Schema, t.Name}]
}

// columnTypes settles each column's type as it will be written: a type no
// type: option can name is replaced in the model, with a warning.
func (w *writer) columnTypes(t *schema.Table) {
	for _, c := range t.Columns {
		g := goTypeOf(c.Type, w.enumType)
		if g.def == c.Type {
			continue
		}
		spelled := typeOption(c.Type)
		back, err := schema.ParseType(spelled)
		if err != nil || back != c.Type {
			if err != nil {
				back = schema.Type{Name: "text", Array: c.Type.Array}
				spelled = typeOption(back)
			}
			typ := c.Type.String()
			if c.Type.Schema != "" {
				typ = quote.Ident(c.Type.Schema, c.Type.Name)
				if c.Type.Mod != "" {
					typ += "(" + c.Type.Mod + ")"
				}
				if c.Type.Array {
					typ += "[]"
				}
			}
			w.warn("column %s: type %s is written as type:%s", quote.Ident(t.Schema, t.Name, c.Name), typ, spelled)
			c.Type = back
		}
		if c.Type.IsSerial() && !c.NotNull {
			// The loader refuses a nullable serial; PostgreSQL makes
			// serial columns NOT NULL, so this one was altered since.
			w.warn("column %s: a nullable %s is written as NOT NULL (the grammar's serial types are)", quote.Ident(t.Schema, t.Name, c.Name), c.Type)
			c.NotNull = true
		}
	}
}

// foreignKeys drops the foreign keys the loader would not accept: to a
// table the package does not declare (another schema than those pulled),
// between columns of different types, or to columns that are not a key of
// the loader's kind.
func (w *writer) foreignKeys(t *schema.Table) {
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk schema.ForeignKey) bool {
		on := fmt.Sprintf("foreign key %s on %s", quote.Ident(fk.Name), quote.Ident(t.Schema, t.Name))
		target := w.out.Table(fk.RefSchema, fk.RefTable)
		if target == nil {
			w.warn("%s references %s, which is not pulled: left out", on, quote.Ident(fk.RefSchema, fk.RefTable))
			return true
		}
		for i, col := range fk.Columns {
			from, to := t.Column(col), target.Column(fk.RefColumns[i])
			if from == nil || to == nil {
				w.warn("%s names a column that does not exist: left out", on)
				return true
			}
			if from.Type.Storage() != to.Type.Storage() {
				w.warn("%s: column %s is %s but references %s, which is %s; mizzle needs equal types: left out",
					on, quote.Ident(col), from.Type, quote.Ident(to.Name), to.Type)
				return true
			}
		}
		if !target.HasKey(fk.RefColumns) {
			w.warn("%s references columns that are neither the primary key nor a unique constraint or plain unique index: left out", on)
			return true
		}
		return false
	})
}

// files writes and formats the package's files.
func (w *writer) files() ([]File, error) {
	var files []File
	add := func(name string, src *source) error {
		data, err := src.format(w.opts.Package)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		files = append(files, File{Name: name, Data: data})
		return nil
	}
	main := newSource(true)
	for _, x := range w.out.Extensions {
		main.pkgMarkers = append(main.pkgMarkers, extensionMarker(x))
	}
	for _, s := range w.out.Sequences {
		main.pkgMarkers = append(main.pkgMarkers, sequenceMarker(s))
	}
	sqlFiles, fnMarkers := w.functionFiles()
	files = append(files, sqlFiles...)
	main.pkgMarkers = append(main.pkgMarkers, fnMarkers...)
	for _, e := range w.out.Enums {
		w.writeEnum(main, e)
	}
	used := map[string]bool{"schema": true}
	for _, t := range w.out.Tables {
		if !w.opts.Split {
			w.writeTable(main, t)
			continue
		}
		src := newSource(false)
		w.writeTable(src, t)
		base := fileStem(w.types[[2]string{t.Schema, t.Name}])
		stem := base
		for n := 2; used[stem]; n++ {
			stem = fmt.Sprintf("%s_%d", base, n)
		}
		used[stem] = true
		if err := add(stem+".go", src); err != nil {
			return nil, err
		}
	}
	for _, v := range w.out.Views {
		if !w.opts.Split {
			w.writeView(main, v)
			continue
		}
		src := newSource(false)
		w.writeView(src, v)
		base := fileStem(w.views.types[v])
		stem := base
		for n := 2; used[stem]; n++ {
			stem = fmt.Sprintf("%s_%d", base, n)
		}
		used[stem] = true
		if err := add(stem+".go", src); err != nil {
			return nil, err
		}
	}
	if err := add("schema.go", main); err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Name, b.Name) })
	return files, nil
}

// source is one Go file being written.
type source struct {
	pkgDoc bool
	// pkgMarkers are the markers of the package's doc comment.
	pkgMarkers []string
	imports    map[string]bool
	body       strings.Builder
}

func newSource(pkgDoc bool) *source { return &source{pkgDoc: pkgDoc, imports: map[string]bool{}} }

func (s *source) printf(format string, args ...any) { fmt.Fprintf(&s.body, format, args...) }

func (s *source) format(pkg string) ([]byte, error) {
	var b strings.Builder
	b.WriteString(Header + "\n\n")
	if s.pkgDoc {
		fmt.Fprintf(&b, "// Package %s declares the database's tables and enums in mizzle's schema\n// grammar (see `mizzle help schema`).\n", pkg)
		if len(s.pkgMarkers) > 0 {
			b.WriteString("//\n")
			for _, m := range s.pkgMarkers {
				b.WriteString(m + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	var std, other []string
	for imp := range s.imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			other = append(other, imp)
		} else {
			std = append(std, imp)
		}
	}
	slices.Sort(std)
	slices.Sort(other)
	if len(std)+len(other) > 0 {
		b.WriteString("import (\n")
		for _, imp := range std {
			fmt.Fprintf(&b, "\t%q\n", imp)
		}
		if len(std) > 0 && len(other) > 0 {
			b.WriteString("\n")
		}
		for _, imp := range other {
			fmt.Fprintf(&b, "\t%q\n", imp)
		}
		b.WriteString(")\n\n")
	}
	b.WriteString(s.body.String())
	return format.Source([]byte(b.String()))
}

func (w *writer) writeEnum(src *source, e *schema.Enum) {
	typ := w.enums[[2]string{e.Schema, e.Name}]
	src.printf("// %s is the enum %s.\n//\n", typ, quote.Ident(e.Schema, e.Name))
	src.printf("//mizzle:enum %s\n", grammar.Name(e.Name))
	if e.Schema != schema.DefaultSchema {
		src.printf("//mizzle:schema %s\n", grammar.Name(e.Schema))
	}
	writeComment(src, e.Comment)
	src.printf("type %s string\n\n", typ)
	src.printf("// The values of %s, in PostgreSQL's sort order.\nconst (\n", typ)
	for i, v := range e.Values {
		src.printf("\t%s %s = %s\n", w.consts[e][i], typ, strconv.Quote(v))
	}
	src.printf(")\n\n")
}

func columnList(cols []string) string {
	refs := make([]string, len(cols))
	for i, c := range cols {
		refs[i] = grammar.ColumnRef(c)
	}
	return "(" + strings.Join(refs, ", ") + ")"
}

// tagWriter collects one field's db tag options in the grammar's order.
type tagWriter struct {
	name                                     string
	pk, unique, index                        bool
	typ, identity, def, generated, ref, chck string
	onDelete, onUpdate                       schema.Action
	comment                                  string
	sequence                                 []string // the sequence's options, as options
}

func (tw *tagWriter) String() string {
	opts := []string{tw.name}
	if tw.pk {
		opts = append(opts, "pk")
	}
	if tw.typ != "" {
		opts = append(opts, "type:"+tw.typ)
	}
	if tw.identity != "" {
		opts = append(opts, tw.identity)
	}
	opts = append(opts, tw.sequence...)
	if tw.def != "" {
		opts = append(opts, "default:"+tw.def)
	}
	if tw.generated != "" {
		opts = append(opts, "generated:"+tw.generated)
	}
	if tw.unique {
		opts = append(opts, "unique")
	}
	if tw.index {
		opts = append(opts, "index")
	}
	if tw.chck != "" {
		opts = append(opts, "check:"+tw.chck)
	}
	if tw.ref != "" {
		opts = append(opts, "ref:"+tw.ref)
		if tw.onDelete != schema.NoAction {
			opts = append(opts, "ondelete:"+string(tw.onDelete))
		}
		if tw.onUpdate != schema.NoAction {
			opts = append(opts, "onupdate:"+string(tw.onUpdate))
		}
	}
	if tw.comment != "" {
		opts = append(opts, "comment:"+grammar.FormatCommentOption(tw.comment))
	}
	tag := "db:" + strconv.Quote(strings.Join(opts, ","))
	if strings.Contains(tag, "`") {
		return strconv.Quote(tag)
	}
	return "`" + tag + "`"
}

var lineBreak = regexp.MustCompile(`\s*[\r\n]\s*`)

// oneLine makes expression text fit on a marker's line, meaning the same.
// PostgreSQL's pretty printer breaks CASE expressions over lines and
// indents them: outside quotes that is white space, written as one space.
// A line break in a string constant is written as an escape, the constant
// becoming an E'...' string. Only a line break in a quoted identifier, a
// U&'...' string or a dollar quote cannot be written: it becomes a space,
// warned about. What is quoted is found by sqlsplit's lexer, the loader's
// and the migrator's, so an E'...' string's \' does not end it.
func (w *writer) oneLine(expr, what string) string {
	if !strings.ContainsAny(expr, "\n\r") {
		return expr
	}
	var b strings.Builder
	lost := false
	end := 0
	for t := range sqlsplit.Tokens(expr) {
		if gap := expr[end:t.Offset]; strings.ContainsAny(gap, "\n\r") {
			b.WriteByte(' ')
		} else {
			b.WriteString(gap)
		}
		end = t.Offset + len(t.Text)
		part := t.Text
		switch {
		case !strings.ContainsAny(part, "\n\r"):
		case t.Comment:
			part = lineBreak.ReplaceAllString(part, " ")
		case part[0] == '\'':
			part = escapeLineBreaks(part, false)
		case len(part) > 1 && (part[0] == 'E' || part[0] == 'e') && part[1] == '\'':
			part = escapeLineBreaks(part, true)
		default:
			part = lineBreak.ReplaceAllString(part, " ")
			lost = true
		}
		b.WriteString(part)
	}
	if lost {
		w.warn("%s has a line break inside a quoted name or a dollar quote, which a //mizzle: marker cannot hold: written as a space", what)
	}
	// The loader trims what it reads, so a line break at either end must
	// not become a space there.
	return strings.TrimSpace(b.String())
}

// escapeLineBreaks writes a string constant's line breaks as escapes: an
// E'...' string already takes them, a standard one becomes one,
// its backslashes doubled (a doubled quote means a quote in both).
func escapeLineBreaks(lit string, isE bool) string {
	r := strings.NewReplacer("\n", `\n`, "\r", `\r`)
	if isE {
		return r.Replace(lit)
	}
	return "E" + r.Replace(strings.ReplaceAll(lit, `\`, `\\`))
}

func (w *writer) writeTable(src *source, t *schema.Table) {
	typ := w.types[[2]string{t.Schema, t.Name}]
	fields := w.fields[t]
	tags := make([]*tagWriter, len(t.Columns))
	fieldIndex := map[string]int{}
	for i, c := range t.Columns {
		fieldIndex[c.Name] = i
		tw := &tagWriter{name: c.Name, def: c.Default, generated: c.Generated, comment: c.Comment, sequence: sequenceTagOptions(c.Sequence)}
		switch c.Identity {
		case schema.IdentityByDefault:
			tw.identity = "identity"
		case schema.IdentityAlways:
			tw.identity = "identity:always"
		}
		if g := goTypeOf(c.Type, w.enumType); g.def != c.Type {
			tw.typ = typeOption(c.Type)
		}
		tags[i] = tw
	}
	var markers []string
	mark := func(format string, args ...any) { markers = append(markers, fmt.Sprintf(format, args...)) }
	on := quote.Ident(t.Schema, t.Name)

	// Primary key: pk options when the loader would derive its name and
	// its columns come in field order, else a marker.
	if pk := t.PrimaryKey; pk != nil {
		inOrder := slices.IsSortedFunc(pk.Columns, func(a, b string) int { return cmp.Compare(fieldIndex[a], fieldIndex[b]) })
		switch {
		case pk.Name == pkName(t.Name, pk.Columns) && inOrder:
			for _, c := range pk.Columns {
				tags[fieldIndex[c]].pk = true
			}
		case pk.Name == pkName(t.Name, pk.Columns):
			mark("//mizzle:pk %s", columnList(pk.Columns))
		default:
			mark("//mizzle:pk %s %s", grammar.Name(pk.Name), columnList(pk.Columns))
		}
	}
	for _, u := range t.Uniques {
		if len(u.Columns) == 1 && !u.NullsNotDistinct && u.Name == schema.AutoName(t.Name, u.Columns[0], "unique") && !tags[fieldIndex[u.Columns[0]]].unique {
			tags[fieldIndex[u.Columns[0]]].unique = true
			continue
		}
		nnd := ""
		if u.NullsNotDistinct {
			nnd = " NULLS NOT DISTINCT"
		}
		mark("//mizzle:unique %s %s%s", grammar.Name(u.Name), columnList(u.Columns), nnd)
	}
	dropped := map[string]bool{}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if len(ix.Elements) == 1 && ix.Elements[0] == (schema.IndexElem{Column: ix.Elements[0].Column}) && ix.Elements[0].Column != "" &&
			!ix.Unique && ix.Method == "" && ix.Where == "" && ix.Name == schema.AutoName(t.Name, ix.Elements[0].Column, "index") &&
			!tags[fieldIndex[ix.Elements[0].Column]].index {
			tags[fieldIndex[ix.Elements[0].Column]].index = true
			continue
		}
		m := w.indexMarker(t, ix)
		if m == "" {
			w.warn("index %s on %s has an element the grammar cannot write: left out", quote.Ident(ix.Name), on)
			dropped[ix.Name] = true
			continue
		}
		mark("%s", m)
	}
	t.Indexes = slices.DeleteFunc(t.Indexes, func(ix schema.Index) bool { return dropped[ix.Name] })
	for i := range t.Checks {
		k := &t.Checks[i]
		if strings.ContainsAny(k.Expr, "\n\r") {
			// A column's check: option can keep the line breaks (a tag
			// escapes them) when the name is the one it derives.
			if col := checkColumn(t, k.Name); col != nil && tags[fieldIndex[col.Name]].chck == "" {
				tags[fieldIndex[col.Name]].chck = k.Expr
				continue
			}
			k.Expr = w.oneLine(k.Expr, fmt.Sprintf("check %s on %s", quote.Ident(k.Name), on))
		}
		mark("//mizzle:check %s (%s)", grammar.Name(k.Name), k.Expr)
	}
	for _, fk := range t.ForeignKeys {
		target := w.types[[2]string{fk.RefSchema, fk.RefTable}]
		targetTable := w.out.Table(fk.RefSchema, fk.RefTable)
		if len(fk.Columns) == 1 && fk.Name == schema.AutoName(t.Name, fk.Columns[0], fk.RefTable, fk.RefColumns[0], "fk") &&
			tags[fieldIndex[fk.Columns[0]]].ref == "" {
			tw := tags[fieldIndex[fk.Columns[0]]]
			tw.ref = target + "." + w.fields[targetTable][slices.IndexFunc(targetTable.Columns, func(c *schema.Column) bool { return c.Name == fk.RefColumns[0] })]
			tw.onDelete, tw.onUpdate = fk.OnDelete, fk.OnUpdate
			continue
		}
		s := fmt.Sprintf("//mizzle:fk %s %s REFERENCES %s %s", grammar.Name(fk.Name), columnList(fk.Columns), target, columnList(fk.RefColumns))
		if fk.OnDelete != schema.NoAction {
			s += " ON DELETE " + strings.ToUpper(string(fk.OnDelete))
		}
		if fk.OnUpdate != schema.NoAction {
			s += " ON UPDATE " + strings.ToUpper(string(fk.OnUpdate))
		}
		mark("%s", s)
	}

	markers = append(markers, w.rlsMarkers(t)...)
	markers = append(markers, w.triggerMarkers(t)...)
	markers = append(markers, w.partitionMarkers(t)...)

	src.printf("// %s is the table %s.\n//\n", typ, on)
	src.printf("//mizzle:table %s\n", grammar.Name(t.Name))
	if t.Schema != schema.DefaultSchema {
		src.printf("//mizzle:schema %s\n", grammar.Name(t.Schema))
	}
	writeComment(src, t.Comment)
	for _, m := range markers {
		src.printf("%s\n", m)
	}
	src.printf("type %s struct {\n", typ)
	for i, c := range t.Columns {
		g := goTypeOf(c.Type, w.enumType)
		if g.imp != "" {
			src.imports[g.imp] = true
		}
		expr := g.expr
		if !c.NotNull {
			expr = "*" + expr
		}
		src.printf("\t%s %s %s\n", fields[i], expr, tags[i])
	}
	src.printf("}\n\n")
}

// extensionMarker writes an extension as its //mizzle:extension marker.
func extensionMarker(x *schema.Extension) string {
	m := "//mizzle:extension " + grammar.Name(x.Name)
	if x.Schema != "" {
		m += " SCHEMA " + grammar.Name(x.Schema)
	}
	if x.Version != "" {
		m += " VERSION " + grammar.Name(x.Version)
	}
	return m
}

// writeComment writes a table's or enum's comment as //mizzle:comment
// markers.
func writeComment(src *source, text string) {
	if text == "" {
		return
	}
	for _, line := range grammar.CommentMarkers(text) {
		if line == "" {
			src.printf("//mizzle:comment\n")
			continue
		}
		src.printf("//mizzle:comment %s\n", line)
	}
}

// pkName is the loader's name for a primary key without one.
func pkName(table string, cols []string) string {
	if len(cols) == 1 {
		return schema.AutoName(table, "pkey")
	}
	return schema.AutoName(append(append([]string{table}, cols...), "pk")...)
}

// checkColumn returns the column whose check: option would derive name.
func checkColumn(t *schema.Table, name string) *schema.Column {
	for _, c := range t.Columns {
		if schema.AutoName(t.Name, c.Name, "check") == name {
			return c
		}
	}
	return nil
}

// indexMarker writes an index as //mizzle:index, or //mizzle:unique for a
// unique one (with USING when it is on plain columns, which would
// otherwise read as a constraint). It returns "" for an index it cannot
// write.
func (w *writer) indexMarker(t *schema.Table, ix *schema.Index) string {
	what := fmt.Sprintf("index %s on %s", quote.Ident(ix.Name), quote.Ident(t.Schema, t.Name))
	els := make([]string, len(ix.Elements))
	plain := ix.Where == ""
	for i := range ix.Elements {
		e := &ix.Elements[i]
		if e.Column == "" {
			e.Expr = w.oneLine(e.Expr, what)
		}
		text := grammar.FormatElement(*e)
		if back, err := grammar.ParseElement(text); err != nil || back != *e {
			// An expression the marker parser would misread (one ending
			// in DESC, or "NOT b", two words like a column and an
			// operator class) is the same expression in parentheses,
			// though no longer in PostgreSQL's spelling.
			paren := *e
			paren.Expr = "(" + e.Expr + ")"
			text = grammar.FormatElement(paren)
			if got, perr := grammar.ParseElement(text); e.Column != "" || perr != nil || got != paren {
				return "" // not reached for PostgreSQL's own spelling
			}
			if err != nil {
				w.warn("%s: element %q would not read back (%v): written in parentheses", what, e.Expr, err)
			} else {
				w.warn("%s: element %q would read back as %s: written in parentheses", what, e.Expr, describe(back))
			}
			*e = paren
		}
		if e.Column == "" || e.Opclass != "" || e.Desc || e.Nulls != "" {
			plain = false
		}
		els[i] = text
	}
	kind, using := "index", ""
	if ix.Unique {
		kind = "unique"
	}
	switch {
	case ix.Method != "":
		using = " USING " + ix.Method
	case ix.Unique && plain:
		using = " USING btree"
	}
	s := fmt.Sprintf("//mizzle:%s %s%s (%s)", kind, grammar.Name(ix.Name), using, strings.Join(els, ", "))
	if ix.NullsNotDistinct {
		s += " NULLS NOT DISTINCT"
	}
	if ix.Where != "" {
		ix.Where = w.oneLine(ix.Where, what)
		s += " WHERE " + ix.Where
	}
	return s
}

func describe(e schema.IndexElem) string {
	if e.Column != "" {
		s := "column " + quote.Ident(e.Column)
		if e.Opclass != "" {
			s += " with operator class " + e.Opclass
		}
		return s
	}
	return fmt.Sprintf("expression %q", e.Expr)
}
