package cli

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// queryFlags are generate's settings for the typed query code.
type queryFlags struct {
	dir                   string // the query package's folder; "" means none
	noQuery, noMigrations bool
	// queries is the folder of hand-written SQL queries (queries.go); ""
	// means none. databaseURL names a server to type them on.
	queries, databaseURL string
}

// addQueryFlags registers generate's query flags.
func addQueryFlags(cmd *cobra.Command, f *queryFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "query", "", "write the typed query package into this folder (its name is the package name)")
	fl.BoolVar(&f.noQuery, "no-query", false, "write the migration only, not the query code")
	fl.BoolVar(&f.noMigrations, "no-migrations", false, "write the query code only, not a migration")
	fl.StringVar(&f.queries, "queries", "", "the folder of .sql query files that become typed methods of the query package")
	fl.StringVar(&f.databaseURL, "database-url", "", "a server where generate may create (and drop) a scratch database to type the queries in (default: the dev cluster, else a throwaway cluster)")
}

// resolveQueryFlags applies mizzle.yaml to the query flags and checks them.
// Query code is written when a folder is configured (query: in mizzle.yaml)
// or given (--query); there is no default folder, so generate never
// creates a package the project did not ask for.
func resolveQueryFlags(cmd *cobra.Command, cfg *config, schemaDir string, f *queryFlags) error {
	fl := cmd.Flags()
	f.dir = cfg.path(fl.Changed("query"), f.dir, cfg.Query, "")
	f.queries = cfg.path(fl.Changed("queries"), f.queries, cfg.Queries, "")
	switch {
	case fl.Changed("queries") && f.noQuery:
		return &usageError{"--queries and --no-query: choose one"}
	case fl.Changed("queries") && f.dir == "":
		return &usageError{"--queries: the queries become methods of the query package: give --query DIR or set query: in " + configName}
	case f.noQuery && f.noMigrations:
		return &usageError{"--no-query and --no-migrations: nothing left to generate"}
	case f.noQuery && fl.Changed("query"):
		return &usageError{"--query and --no-query: choose one"}
	case f.noMigrations && f.dir == "":
		return &usageError{"--no-migrations: no query folder; give --query DIR or set query: in " + configName}
	case f.noQuery:
		f.dir, f.queries = "", ""
	}
	if f.dir == "" {
		// queries: in mizzle.yaml without query: has nothing to go in.
		f.queries = ""
	}
	if f.dir == "" {
		return nil
	}
	if same, _ := sameDir(f.dir, schemaDir); same {
		return &usageError{fmt.Sprintf("--query %s: the query code needs its own package, not the schema package's folder", f.dir)}
	}
	if name := filepath.Base(filepath.Clean(f.dir)); !token.IsIdentifier(name) || name == "_" {
		return &usageError{fmt.Sprintf("--query %s: the folder's name is the package's name, and %q is not a Go identifier", f.dir, name)}
	}
	return nil
}

func sameDir(a, b string) (bool, error) {
	a, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	b, err = filepath.Abs(b)
	return a == b, err
}

// generateQueryOnly is generate --no-migrations: load the schema and write
// the query code.
func generateQueryOnly(cmd *cobra.Command, env *env, schemaDir, migDir string, f queryFlags) error {
	model, err := loadSchema(cmd, schemaDir)
	if err != nil {
		return err
	}
	var typed []gen.Query
	if f.queries != "" {
		// The queries are typed against the schema, which may be ahead of
		// the migrations folder: what a migration would add is applied
		// after the folder's, renames taken as drops and adds.
		folder, err := migrations.ReadFolder(os.DirFS(migDir))
		if err != nil {
			return folderError(migDir, err)
		}
		last, err := folder.Last()
		if err != nil && !errors.Is(err, migrations.ErrDrizzleKitBase) {
			return folderError(migDir, err)
		}
		p, err := migrations.NewPlan(last, model, migrations.Options{DropAndAdd: true})
		if err != nil {
			return err
		}
		tq, err := typeQueries(cmd.Context(), env, f, model, migDir, p.Statements)
		if err != nil {
			return err
		}
		typed = tq.list
	}
	plan, err := planQuery(env, model, f, typed)
	if err != nil {
		return err
	}
	if err := applyFiles(plan.ops, writeFileAtomic); err != nil {
		return err
	}
	plan.report(env)
	return nil
}

// queryPlan is what generate writes into the query folder: the changes,
// and what the message about them says.
type queryPlan struct {
	ops                                      []fileOp
	rel                                      string // the folder, as the user names it
	tables, views, queries, changed, removed int
}

// planQuery computes the query package of model, with the typed queries, and the changes that make
// f.dir hold it, writing nothing: generate writes them with the migration,
// once nothing can stop it any more. Only files generate wrote are
// replaced or removed (they start with gen.Header); files that did not
// change are not rewritten. Without a query folder the plan is empty.
func planQuery(env *env, model *schema.Model, f queryFlags, queries []gen.Query) (*queryPlan, error) {
	if f.dir == "" {
		return &queryPlan{}, nil
	}
	files, err := gen.Generate(model, gen.Options{Package: filepath.Base(filepath.Clean(f.dir)), Queries: queries})
	if err != nil {
		return nil, err
	}
	rel := f.dir
	if filepath.IsAbs(rel) {
		if r, err := filepath.Rel(env.cwd, rel); err == nil {
			rel = r
		}
	}
	p := &queryPlan{rel: rel, tables: len(model.Tables), views: len(model.Views), queries: len(queries)}
	p.ops, p.changed, p.removed, err = planGenerated(f.dir, rel, files)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// report says what the plan wrote, if anything.
func (p *queryPlan) report(env *env) {
	if p.changed+p.removed == 0 {
		return
	}
	msg := fmt.Sprintf("%s: query code for %d %s", p.rel, p.tables, plural(p.tables, "table", "tables"))
	if p.views > 0 {
		msg += fmt.Sprintf(" and %d %s", p.views, plural(p.views, "view", "views"))
	}
	if p.queries > 0 {
		msg += fmt.Sprintf(" and %d SQL %s", p.queries, plural(p.queries, "query", "queries"))
	}
	msg += " written"
	if p.removed > 0 {
		msg += fmt.Sprintf(", %d old %s removed", p.removed, plural(p.removed, "file", "files"))
	}
	fmt.Fprintln(env.stdout, msg+".")
}

// planGenerated returns the changes that make dir hold files: writing
// those that differ, and removing files an earlier run generated that are
// no longer produced. A file that was not generated (no gen.Header on its
// first line) is never touched; one in the way of a generated file is an
// error. rel is dir as messages name it.
func planGenerated(dir, rel string, files []gen.File) (ops []fileOp, changed, removed int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, 0, 0, err
	}
	var stale []fileOp
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		generated, err := isGenerated(path)
		if err != nil {
			return nil, 0, 0, err
		}
		wanted := slices.ContainsFunc(files, func(f gen.File) bool { return f.Name == e.Name() })
		switch {
		case wanted && !generated:
			return nil, 0, 0, fmt.Errorf("%s: not written by mizzle (no %q line), so it is not replaced: move it away", path, gen.Header)
		case !wanted && generated:
			stale = append(stale, fileOp{path: path, name: filepath.Join(rel, e.Name()), remove: true})
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		ops = append(ops, fileOp{path: path, name: filepath.Join(rel, f.Name), data: f.Data})
	}
	changed, removed = len(ops), len(stale)
	return append(ops, stale...), changed, removed, nil
}

// isGenerated reports whether a Go file starts with mizzle's header line.
func isGenerated(path string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	buf := make([]byte, len(gen.Header)+2)
	n, _ := fh.Read(buf)
	line, _, _ := bytes.Cut(buf[:n], []byte("\n"))
	return string(bytes.TrimSuffix(line, []byte("\r"))) == gen.Header, nil
}
