package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// baselineName is the name of the migration pull writes: 0000_baseline.
const baselineName = "baseline"

type pullFlags struct {
	db                     dbFlags
	out, pkg               string
	schemas                []string
	split, baseline, force bool
	strict, allowLossy     bool
}

func newPullCmd(env *env) *cobra.Command {
	var f pullFlags
	cmd := &cobra.Command{
		Use:   "pull [--database-url URL] [--out DIR] [--split] [--baseline] [--strict | --allow-lossy]",
		Short: "Write the schema package and a baseline migration from a database",
		Long: `Read a database and write what it holds as a schema package in mizzle's
grammar (tagged structs, //mizzle: markers, enums as typed constants), gofmt'd,
into --out: one schema.go, or with --split one file per table. Then write the
migrations folder's first migration, 0000_baseline, with its snapshot and
journal entry: the SQL that creates the schema on an empty database.

Right after a pull, generate finds no schema changes. With --baseline the
database also records 0000_baseline as applied (in the history table, as
migrate would), so an existing database adopts mizzle without running any
DDL; migrate then applies only what comes after.

Every schema but PostgreSQL's own is read, or those listed with --schemas
(or schemas: in mizzle.yaml); the migration history table is left out.
Tables, enums, extensions, sequences, row security and policies, comments,
partitioned tables, functions, triggers, views and materialized views are
written. What the grammar cannot express (rules, domains, overloaded
functions, grants, storage parameters, ...) is named in a warning with a
count, never dropped silently: a database built from the baseline lacks it,
or has the default instead.

pull writes only a baseline that rebuilds the database: one that, applied
to an empty database, gives back the database read. It checks that (1)
there is no warning, and (2) the package as written, loaded back as
generate loads it (in the Go module around --out), declares exactly the
database read: planned against it, nothing to do. When either fails, pull
prints why and writes nothing; --allow-lossy writes the package and the
baseline anyway, and what the warnings name is then yours to add, with a
custom migration (mizzle generate --custom). --strict refuses any warning
whatever --allow-lossy says, for scripts that must never write a lossy
baseline.

pull refuses a migrations folder that already has migrations, and an --out
directory holding Go files it did not write, unless --force.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f.out = cfg.path(fl.Changed("out"), f.out, cfg.Schema, "schema")
			if !fl.Changed("schemas") {
				f.schemas = cfg.Schemas
			}
			if f.pkg == "" {
				f.pkg = defaultPackage(f.out)
			} else if !goIdent.MatchString(f.pkg) || token.IsKeyword(f.pkg) {
				return &usageError{fmt.Sprintf("--package %q: not a Go package name", f.pkg)}
			}
			return pull(cmd, env, &f, cfg)
		},
	}
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "schema", "the schema package's directory (schema: in mizzle.yaml when not given)")
	fl.StringVar(&f.pkg, "package", "", "the package name (default: the directory's name when it is one, else schema)")
	fl.StringSliceVar(&f.schemas, "schemas", nil, "the database schemas to read (default: all but PostgreSQL's own)")
	fl.BoolVar(&f.split, "split", false, "write one file per table, and the enums in schema.go")
	fl.BoolVar(&f.baseline, "baseline", false, "record 0000_baseline as applied in the database, without running it")
	fl.BoolVar(&f.force, "force", false, "write over Go files in --out that pull did not write")
	fl.BoolVar(&f.strict, "strict", false, "fail, writing nothing, when the schema package cannot hold all the database holds, even with --allow-lossy")
	fl.BoolVar(&f.allowLossy, "allow-lossy", false, "write the package and a baseline that would not rebuild the database, after the warnings that say why")
	return cmd
}

var goIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// defaultPackage names the package after its directory, as Go code
// usually is, when the name is a plain lower-case identifier.
func defaultPackage(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "schema"
	}
	if base := filepath.Base(abs); goIdent.MatchString(base) && !token.IsKeyword(base) {
		return base
	}
	return "schema"
}

func pull(cmd *cobra.Command, env *env, f *pullFlags, cfg *config) error {
	ctx := cmd.Context()
	// The migrator's options (the history table) are needed to leave that
	// table out of the pull. resolve also insists that the migrations
	// folder exists, which it need not yet: pull creates it. Its options
	// are complete by then; only a usage error stops here.
	opts, err := f.db.resolve(cmd, cfg)
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	url, from, err := databaseURL(env, f.db.databaseURL, cfg)
	if err != nil {
		return err
	}

	// Refuse early, before reading the database, what no outcome could fix.
	if fi, err := os.Stat(f.db.migrations); err == nil && !fi.IsDir() {
		return fmt.Errorf("--migrations %s: not a directory", f.db.migrations)
	}
	// The journal is enough to tell an empty folder: snapshots do not matter
	// to a folder pull refuses anyway.
	dir, err := migrate.Open(os.DirFS(f.db.migrations))
	if err != nil {
		return folderError(f.db.migrations, err)
	}
	if n := len(dir.Migrations); n > 0 {
		return fmt.Errorf("%s already has %d %s (%s is the last): pull writes the first migration of a new folder; "+
			"point --migrations at an empty folder", f.db.migrations, n, plural(n, "migration", "migrations"), dir.Migrations[n-1].Tag)
	}
	if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
		return fmt.Errorf("--out %s: not a directory", f.out)
	}
	ours, foreign, err := goFiles(f.out)
	if err != nil {
		return err
	}
	if len(foreign) > 0 && !f.force {
		return fmt.Errorf("%s already holds Go files that pull did not write (%s): pull writes a whole schema package; "+
			"use an empty directory, or pass --force to write next to them", f.out, strings.Join(foreign, ", "))
	}

	conn, err := connect(ctx, url, from)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	noJIT(ctx, conn)
	m, lost, err := inspectForPull(ctx, conn, f.schemas, opts)
	if err != nil {
		return redacted(err, url)
	}
	if len(m.Tables) == 0 {
		where := "outside PostgreSQL's own schemas"
		if len(f.schemas) > 0 {
			where = "in " + strings.Join(f.schemas, ", ")
		}
		return fmt.Errorf("nothing to pull: the database has no tables %s", where)
	}
	res, err := goschema.Write(m, goschema.Options{Package: f.pkg, Split: f.split})
	if err != nil {
		return err
	}
	// The typed query code names tables after their SQL names, so a pull
	// that generate could not turn into query code is refused here, by the
	// generator's own rule.
	if _, err := gen.TableNames(res.Model); err != nil {
		return fmt.Errorf("cannot pull: %v (the query code names a table after its SQL name); rename one of each in the database first", err)
	}
	var stale []string
	for _, name := range ours {
		if !slices.ContainsFunc(res.Files, func(gf goschema.File) bool { return gf.Name == name }) {
			stale = append(stale, name)
		}
	}
	// A function's SQL file is overwritten only when an earlier pull
	// wrote it.
	var foreignSQL []string
	for _, gf := range res.Files {
		path := filepath.Join(f.out, filepath.FromSlash(gf.Name))
		if _, err := os.Stat(path); err == nil && strings.HasSuffix(gf.Name, ".sql") && !writtenByPull(path) {
			foreignSQL = append(foreignSQL, gf.Name)
		}
	}
	if len(foreignSQL) > 0 && !f.force {
		return fmt.Errorf("%s already holds SQL files that pull did not write (%s): use an empty directory, or pass --force to overwrite them",
			f.out, strings.Join(foreignSQL, ", "))
	}
	if len(stale) > 0 && !f.force {
		return fmt.Errorf("%s holds files an earlier pull wrote that this one would not replace (%s): delete them, "+
			"or pass --force to keep them", f.out, strings.Join(stale, ", "))
	}

	baseline, err := migrations.NewPlan(nil, res.Model, migrations.Options{})
	if err != nil {
		return err
	}
	stmts := baseline.Statements
	folder := &migrations.Folder{Journal: dir.Journal} // empty: its journal's header is kept
	mig, err := folder.Next(baselineName, res.Model, stmts, migrationTime())
	if err != nil {
		return err
	}
	// Printed before writing, so that a refusal comes after them. Each one
	// means the baseline does not rebuild the database (see roundTrip).
	warnings := append(introspect.Summary(lost), res.Warnings...)
	warnings = append(warnings, roundTrip(ctx, f.out, res.Files, m)...)
	for _, w := range warnings {
		fmt.Fprintf(env.stderr, "%s %s\n", env.paint(bold, "warning:"), w)
	}
	if n := len(warnings); n > 0 && f.strict {
		return fmt.Errorf("pull --strict: the schema package cannot hold all the database holds (%d %s above); nothing was written",
			n, plural(n, "warning", "warnings"))
	}
	if n := len(warnings); n > 0 && !f.allowLossy {
		return fmt.Errorf("pull: a database built from the baseline would not be the one read (%d %s above), so nothing was written; "+
			"pass --allow-lossy to write the package and the baseline anyway, then add what %s with a custom migration (mizzle generate --custom)",
			n, plural(n, "warning", "warnings"), plural(n, "the warning names", "the warnings name"))
	}
	for _, gf := range res.Files {
		if err := writeFileAtomic(filepath.Join(f.out, filepath.FromSlash(gf.Name)), gf.Data); err != nil {
			return err
		}
	}
	if err := writeMigration(f.db.migrations, mig); err != nil {
		return err
	}

	if len(warnings) > 0 {
		fmt.Fprintln(env.stderr, "The schema package and the baseline migration do not hold what the warnings name, so a database\n"+
			"built from the migrations will lack it; add it with a custom migration (mizzle generate --custom).")
	}

	parts := []string{fmt.Sprintf("%d %s", len(res.Model.Tables), plural(len(res.Model.Tables), "table", "tables"))}
	if n := len(res.Model.Enums); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, "enum", "enums")))
	}
	if n := len(res.Model.Views); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, "view", "views")))
	}
	what := parts[0]
	if len(parts) > 1 {
		what = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	if len(res.Files) == 1 {
		fmt.Fprintf(env.stdout, "%s: %s written.\n", relPath(env, filepath.Join(f.out, res.Files[0].Name)), what)
	} else {
		fmt.Fprintf(env.stdout, "%s: %s written in %d files.\n", relPath(env, f.out), what, len(res.Files))
	}
	fmt.Fprintf(env.stdout, "%s: %d %s written.\n", relPath(env, filepath.Join(f.db.migrations, mig.Tag+".sql")),
		len(stmts), plural(len(stmts), "statement", "statements"))

	if f.baseline {
		d, err := migrate.Open(os.DirFS(f.db.migrations))
		if err == nil {
			err = d.Baseline(ctx, conn, mig.Tag, opts)
		}
		if err != nil {
			return migrateError(f.db.migrations, err, url)
		}
		fmt.Fprintf(env.stdout, "%s recorded as applied: the database is at the baseline.\n", mig.Tag)
	}
	return nil
}

// inspectForPull reads the database in one read-only snapshot, so a
// database being changed meanwhile still gives a consistent model, and
// leaves out the migration history tables, which belong to the migrator,
// not to the application.
func inspectForPull(ctx context.Context, conn *pgx.Conn, schemas []string, opts migrate.Options) (*schema.Model, []introspect.Lost, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	m, lost, err := introspect.Inspect(ctx, tx, introspect.Options{Schemas: schemas})
	if err != nil {
		return nil, nil, err
	}
	history := []migrate.TableName{migrate.DefaultTable, migrate.DrizzleTable, opts.Table}
	left := map[string]bool{}
	m.Tables = slices.DeleteFunc(m.Tables, func(t *schema.Table) bool {
		h := slices.Contains(history, migrate.TableName{Schema: t.Schema, Name: t.Name})
		if h {
			left[t.Schema] = true
		}
		return h
	})
	// A history table's schema that holds nothing else is the migrator's
	// too: the package does not declare it.
	m.Schemas = slices.DeleteFunc(m.Schemas, func(s *schema.Schema) bool {
		return left[s.Name] &&
			!slices.ContainsFunc(m.Tables, func(t *schema.Table) bool { return t.Schema == s.Name }) &&
			!slices.ContainsFunc(m.Enums, func(e *schema.Enum) bool { return e.Schema == s.Name }) &&
			!slices.ContainsFunc(m.Extensions, func(x *schema.Extension) bool { return x.Schema == s.Name })
	})
	return m, lost, nil
}

// goFiles lists the Go files of dir (tests aside) that a pull wrote, by
// their first line, and the others. A missing dir has none.
func goFiles(dir string) (ours, foreign []string, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if writtenByPull(filepath.Join(dir, name)) {
			ours = append(ours, name)
		} else {
			foreign = append(foreign, name)
		}
	}
	return ours, foreign, nil
}

func writtenByPull(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	line, _ := bufio.NewReader(fh).ReadBytes('\n')
	line = bytes.TrimRight(line, "\r\n")
	return bytes.Equal(line, []byte(goschema.Header)) || bytes.Equal(line, []byte(goschema.SQLHeader))
}

// relPath shows a path relative to the working directory when it is
// absolute, as the other commands print them.
func relPath(env *env, p string) string {
	if filepath.IsAbs(p) {
		if r, err := filepath.Rel(env.cwd, p); err == nil {
			return r
		}
	}
	return p
}
