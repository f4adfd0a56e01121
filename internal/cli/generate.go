package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/atomicfile"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

type generateFlags struct {
	schema, migrations, name string
	custom, dropAndAdd       bool
	online                   bool
	query                    queryFlags
	lint                     migrations.LintOptions
}

func newGenerateCmd(env *env) *cobra.Command {
	var f generateFlags
	cmd := &cobra.Command{
		Use:   "generate [--schema DIR] [--migrations DIR] [--query DIR] [--queries DIR] [--name NAME] [--custom | --online]",
		Short: "Write the migration that takes the last snapshot to the schema",
		Long: `Load the schema package, compare it with the last snapshot in the migrations
folder, and write the difference as a new migration: NNNN_name.sql, its
snapshot in meta/ and an entry in meta/_journal.json. Nothing is written when
the schema has a mistake or nothing changed.

Renames are never guessed. A rename hint (was:OLD on a field, //mizzle:was OLD
on a type) says what was renamed. When a column or table disappears and
another appears without a hint, generate asks on a terminal; elsewhere (go
generate, CI) it stops and names both, unless --drop-and-add says they are
different objects.

Statements that destroy data or may fail on existing rows are printed as
warnings and carry a -- WARNING comment in the SQL file.

With --online (or online: true in mizzle.yaml), changes to existing tables
are written in the forms that let reads and writes go on while they run:
indexes built and dropped CONCURRENTLY, foreign keys and checks added NOT
VALID and validated afterwards, SET NOT NULL through a validated check,
unique and primary keys built from an index made CONCURRENTLY. What must
run outside a transaction goes into a second migration, NNNN_name_online.sql,
whose first line is -- mizzle:no-transaction; migrate runs it after the
first. Without tableLockTimeout in mizzle.yaml, each sets lock_timeout
(2s) itself.

With --query DIR (or query: in mizzle.yaml), generate also writes the typed
query package of the schema into DIR, whose name is the package's name.
Only files mizzle generated there are replaced or removed. --no-query and
--no-migrations run one half.

With --queries DIR (or queries: in mizzle.yaml), the named SQL queries of
the .sql files in DIR (-- name: TopAuthors :many, as sqlc writes them)
become typed methods of the query package. Their types come from
PostgreSQL: generate builds the schema from the migrations in a scratch
database it creates and drops, on the server of --database-url, else the
running dev cluster, else a throwaway cluster of the installed server
programs, else the server of DATABASE_URL or databaseUrl. A query the
server refuses is an error at its file:line:col, and nothing is written.
The types are kept in the cache directory (MIZZLE_CACHE), keyed by the
query files, the migrations and the model's Go types: while those are
unchanged, generate uses no server (--no-cache reloads the schema
package only; MIZZLE_CACHE=off turns this cache off too). A :copyfrom
query (INSERT INTO t (a, b) VALUES (@a, @b)) becomes a method that loads
a slice of rows with COPY.

Settings come from flags, else from mizzle.yaml in the working directory or
a parent (paths relative to that file), else the defaults.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f.schema = cfg.path(fl.Changed("schema"), f.schema, cfg.Schema, ".")
			f.migrations = cfg.path(fl.Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
			if err := resolveQueryFlags(cmd, cfg, f.schema, &f.query); err != nil {
				return err
			}
			f.lint = lintOptions(cfg)
			if !fl.Changed("online") {
				f.online = cfg.Online
			}
			if f.online && f.custom {
				return &usageError{"--online plans the migration and --custom writes an empty one: use one of them"}
			}
			if f.name != "" && migrations.TagName(f.name) == "" {
				return &usageError{fmt.Sprintf("--name %q: a name needs a letter or digit", f.name)}
			}
			return generate(cmd, env, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.StringVar(&f.migrations, "migrations", "migrations", "the migrations folder")
	fl.StringVar(&f.name, "name", "", "the migration's name (default: one that describes the change)")
	fl.BoolVar(&f.custom, "custom", false, "write an empty migration for hand-written SQL")
	fl.BoolVar(&f.dropAndAdd, "drop-and-add", false, "treat a vanished and a new column or table as a drop and an add, not a rename")
	fl.BoolVar(&f.online, "online", false, "write changes to existing tables in forms that do not block writes, the CONCURRENTLY ones in a second, no-transaction migration")
	addQueryFlags(cmd, &f.query)
	addNoCacheFlag(cmd)
	return cmd
}

func generate(cmd *cobra.Command, env *env, f generateFlags) error {
	if err := checkDir("--schema", f.schema); err != nil {
		return err
	}
	if f.query.noMigrations {
		return generateQueryOnly(cmd, env, f.schema, f.migrations, f.query)
	}
	if fi, err := os.Stat(f.migrations); err == nil && !fi.IsDir() {
		return fmt.Errorf("--migrations %s: not a directory", f.migrations)
	}
	// An earlier run with the same inputs found nothing to write: say so
	// again without decoding the models (see noop.go).
	memo := openNoopMemo(cmd, env, f)
	if memo.hit() {
		fmt.Fprintln(env.stdout, noChanges)
		return nil
	}
	folder, err := migrations.ReadFolder(os.DirFS(f.migrations))
	if err != nil {
		return folderError(f.migrations, err)
	}
	last, err := folder.Last()
	switch {
	case f.custom && errors.Is(err, migrations.ErrDrizzleKitBase):
		// A custom migration is how a drizzle-kit project is adopted: its
		// snapshot records the schema as it is now.
		last = nil
	case err != nil:
		return folderError(f.migrations, err)
	}

	// Everything is computed before anything is written: the query code,
	// the changes (which may stop at a rename question), the SQL and the
	// migration. Then the query files and the migration's are written
	// together, the journal last, and a failure undoes them all: the query
	// code never follows a schema whose migration was not written.
	var model *schema.Model
	query := &queryPlan{}
	var typed *typedQueries
	if f.custom && last != nil {
		model = last
	} else {
		model, err = loadSchema(cmd, f.schema)
		if err != nil {
			return err
		}
	}
	// A custom migration plans nothing: its SQL is the user's.
	p := &migrations.Plan{From: last, To: model}
	if !f.custom {
		p, err = plan(env, last, model, f.dropAndAdd, "Nothing was written.")
		if err != nil {
			return err
		}
	}
	if !f.custom || last == nil {
		// The queries are typed on the schema as the folder will hold
		// it: its migrations, then the statements of this one.
		var pending []migrations.Statement
		if !f.custom {
			pending = p.Statements
		}
		if typed, err = typeQueries(cmd.Context(), env, f.query, model, f.migrations, pending); err != nil {
			return err
		}
		if query, err = planQuery(env, model, f.query, typed.list); err != nil {
			return err
		}
	}
	if !f.custom {
		if p.Empty() {
			// The query code follows the schema whatever the migrations
			// folder holds: an up-to-date folder still gets it.
			if err := applyFiles(query.ops, writeFileAtomic); err != nil {
				return err
			}
			query.report(env)
			fmt.Fprintln(env.stdout, noChanges)
			if len(query.ops) == 0 {
				memo.record(cmd, env, f)
			}
			return nil
		}
	}
	name := f.name
	switch {
	case name != "":
	case f.custom:
		name = "custom"
	default:
		name = migrations.Name(p.Changes)
	}
	parts, err := migrationParts(folder, name, last, model, p, f)
	if err != nil {
		return err
	}
	ops := query.ops
	for _, part := range parts {
		ops = append(ops, migrationOps(f.migrations, part.mig)...)
	}
	if err := applyFiles(ops, writeFileAtomic); err != nil {
		return err
	}
	// The next run finds what was pending in the folder.
	typed.remember(f.migrations)
	query.report(env)
	for _, part := range parts {
		mig, stmts := part.mig, part.stmts
		rel := filepath.Join(f.migrations, mig.Tag+".sql")
		if filepath.IsAbs(rel) {
			if r, err := filepath.Rel(env.cwd, rel); err == nil {
				rel = r
			}
		}
		for _, st := range stmts {
			if st.Warning != "" {
				fmt.Fprintf(env.stderr, "%s %s: %s\n", env.paint(bold, "warning:"), rel, st.Warning)
			}
		}
		// What lint finds is written above the statements, with the safe way;
		// here it is one line each, at its statement in the file.
		if script := migrate.ReadScript(mig.SQL); len(script.Statements) == len(stmts) {
			for i, st := range stmts {
				for _, l := range st.Lint {
					l.File, l.Line, l.Column = rel, script.Statements[i].Line, script.Statements[i].Column
					fmt.Fprintf(env.stderr, "%s %s\n", env.paint(bold, "lint:"), l)
				}
			}
		}
		switch {
		case f.custom:
			fmt.Fprintf(env.stdout, "%s: empty migration written; put your SQL in it.\n", rel)
		default:
			n := len(stmts)
			fmt.Fprintf(env.stdout, "%s: %d %s written%s.\n", rel, n, plural(n, "statement", "statements"), part.note)
		}
	}
	return nil
}

// migrationPart is one migration generate writes, with its statements.
type migrationPart struct {
	mig   *migrations.Migration
	stmts []migrations.Statement
	note  string // said after "written"
}

// migrationParts builds the migrations of plan p: one, or with --online,
// up to two (see migrations.Online), each with what lint finds in it.
func migrationParts(folder *migrations.Folder, name string, last, model *schema.Model, p *migrations.Plan, f generateFlags) ([]migrationPart, error) {
	if !f.online || f.custom {
		stmts := migrations.LintStatements(last, p.Statements, f.lint)
		mig, err := folder.Next(name, model, stmts, migrationTime())
		if err != nil {
			return nil, err
		}
		return []migrationPart{{mig: mig, stmts: stmts}}, nil
	}
	tx, noTx, mid, err := migrations.Online(last, model, p.Changes, migrations.OnlineOptions{TableLockTimeout: f.lint.TableLockTimeout})
	if err != nil {
		return nil, err
	}
	tx = migrations.LintStatements(last, tx, f.lint)
	noTx = migrations.LintNoTransactionStatements(mid, noTx, f.lint)
	migs, err := folder.NextOnline(name, mid, model, tx, noTx, migrationTime())
	if err != nil {
		return nil, err
	}
	var out []migrationPart
	if len(tx) > 0 {
		out = append(out, migrationPart{mig: migs[0], stmts: tx})
	}
	if len(noTx) > 0 {
		out = append(out, migrationPart{mig: migs[len(migs)-1], stmts: noTx, note: ", outside a transaction"})
	}
	return out, nil
}

// lintOptions are the facts lint takes from mizzle.yaml.
func lintOptions(cfg *config) migrations.LintOptions {
	return migrations.LintOptions{TableLockTimeout: time.Duration(cfg.TableLockTimeout)}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// migrationTime is the journal's "when" of a new migration: now, or
// SOURCE_DATE_EPOCH (seconds) when set, for reproducible output.
func migrationTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var sec int64
		if _, err := fmt.Sscan(s, &sec); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	return time.Now()
}

// folderError names the migrations folder in an error about one of its
// files, so the file names in it are paths the user can open.
func folderError(dir string, err error) error {
	var list schema.ErrorList
	if errors.As(err, &list) {
		out := make(schema.ErrorList, len(list))
		for i, e := range list {
			e := *e
			e.Pos.Filename = filepath.Join(dir, e.Pos.Filename)
			out[i] = &e
		}
		return out
	}
	return fmt.Errorf("%s: %w", dir, err)
}

// writeMigration writes a new migration's files. The journal goes last
// (Files orders them so): it is what makes the migration exist, so a
// failure before it leaves at worst an unlisted file that check reports,
// never a journal entry without its SQL. On a failure (a full disk), the
// files and folders this run created are removed, so the folder is as it
// was and the next generate or migrate does not trip over them.
func writeMigration(dir string, mig *migrations.Migration) error {
	return writeMigrationWith(dir, mig, writeFileAtomic)
}

// writeMigrationWith is writeMigration writing each file with write: in
// tests, a writer that fails the way a full disk does.
func writeMigrationWith(dir string, mig *migrations.Migration, write func(path string, data []byte) error) error {
	return applyFiles(migrationOps(dir, mig), write)
}

// migrationOps are the writes of a new migration's files, the journal
// last.
func migrationOps(dir string, mig *migrations.Migration) []fileOp {
	var ops []fileOp
	for _, f := range mig.Files() {
		ops = append(ops, fileOp{path: filepath.Join(dir, filepath.FromSlash(f.Path)), name: f.Path, data: f.Data})
	}
	return ops
}

// fileOp is one change to a file that generate makes: write data to path,
// or with remove, delete the file. name is how an error names the file.
type fileOp struct {
	path, name string
	data       []byte
	remove     bool
}

// applyFiles makes the changes of ops in order, writing with write. Every
// change a run makes goes through it, so that a failure (a full disk)
// undoes them all, last first: the files and folders the run created are
// removed, the files it replaced or removed get their old contents back.
// The error then says what was undone.
func applyFiles(ops []fileOp, write func(path string, data []byte) error) error {
	var made []madeChange
	for _, op := range ops {
		var missing []string
		for d := filepath.Dir(op.path); ; d = filepath.Dir(d) {
			if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
				break
			}
			missing = append([]string{d}, missing...)
		}
		old, err := os.ReadFile(op.path)
		existed := err == nil
		switch {
		case err != nil && !errors.Is(err, fs.ErrNotExist):
		case op.remove:
			err = os.Remove(op.path)
		default:
			err = write(op.path, op.data)
		}
		// A folder made before a failure counts too.
		for _, d := range missing {
			if _, err := os.Lstat(d); err == nil {
				made = append(made, madeChange{op: fileOp{path: d}, dir: true})
			}
		}
		if err != nil {
			return undoChanges(err, made, write)
		}
		made = append(made, madeChange{op: op, old: old, existed: existed})
	}
	return nil
}

// madeChange is a change applyFiles made, with what undoes it.
type madeChange struct {
	op      fileOp
	old     []byte // the file's contents before, when it existed
	existed bool
	dir     bool // a folder the run created
}

// undoChanges undoes made, last first, and returns err saying what was
// undone, and what could not be.
func undoChanges(err error, made []madeChange, write func(path string, data []byte) error) error {
	var removed, restored, failed []string
	for i := len(made) - 1; i >= 0; i-- {
		m := made[i]
		switch {
		case m.dir:
			// Remove leaves a folder that is not empty.
			os.Remove(m.op.path)
		case m.existed:
			if write(m.op.path, m.old) == nil {
				restored = append(restored, m.op.name)
			} else {
				failed = append(failed, m.op.name)
			}
		case os.Remove(m.op.path) == nil:
			removed = append(removed, m.op.name)
		default:
			failed = append(failed, m.op.name)
		}
	}
	var said []string
	for _, l := range []struct {
		what  string
		names []string
	}{{"removed what this run had written", removed}, {"restored", restored}, {"could not undo", failed}} {
		if len(l.names) > 0 {
			slices.Reverse(l.names)
			said = append(said, l.what+": "+strings.Join(l.names, ", "))
		}
	}
	if len(said) > 0 {
		return fmt.Errorf("%w (%s)", err, strings.Join(said, "; "))
	}
	return err
}

// writeFileAtomic replaces a file through a temporary one, so a reader
// (or an interrupted run) never sees half a journal. An error names the
// file, not the temporary one.
func writeFileAtomic(path string, data []byte) (err error) {
	defer func() {
		if err == nil {
			return
		}
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			err = pe.Err
		case errors.As(err, &le):
			err = le.Err
		}
		err = fmt.Errorf("writing %s: %w", path, err)
	}()
	return atomicfile.Write(path, data, 0o644)
}
