package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

type pushFlags struct {
	schema, databaseURL                string
	schemas                            []string
	force, strict, verbose, dryRun, da bool
	cacheDir                           string // the model cache's directory, "" for none
}

func newPushCmd(env *env) *cobra.Command {
	var f pushFlags
	cmd := &cobra.Command{
		Use:   "push [--schema DIR] [--database-url URL] [--dry-run] [--force]",
		Short: "Make a development database match the schema, without migrations",
		Long: `Read the database, compare it with the schema package, print the plan and
apply it in one transaction. For development databases: production runs
migrate.

Statements that lose data or may fail on existing rows are listed with the
number of rows they touch, and so are the indexes and the unique, check,
foreign key and primary key constraints that only the database has (added
by hand, say), which push would drop. On a terminal push asks before
applying them; elsewhere it refuses unless --force. It never empties a table to make a
change fit: SET NOT NULL on a column holding NULLs, or a new NOT NULL column
without a default on a table with rows, is refused with the count.

Only the schemas the schema package uses (and public) are read and changed,
or those listed in schemas: in mizzle.yaml or with --schemas; objects that
belong to extensions are never touched. Renames are settled as in generate.

The schema package is loaded through the model cache, as generate loads it,
and what PostgreSQL printed back for each table's and view's expressions
(push builds them in scratch schemas, rolled back, to compare them as the
database spells them) is kept next to it: a table or view that has not
changed since the last push is not built again. MIZZLE_CACHE and
--no-cache work as for generate.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f.schema = cfg.path(fl.Changed("schema"), f.schema, cfg.Schema, ".")
			if !fl.Changed("schemas") {
				f.schemas = cfg.Schemas
			}
			noCache, _ := fl.GetBool("no-cache")
			if f.cacheDir, err = modelCacheDir(noCache); err != nil {
				return err
			}
			return push(cmd.Context(), env, f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", ".", "directory of the schema package")
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then .env, then mizzle.yaml)")
	fl.StringSliceVar(&f.schemas, "schemas", nil, "the database schemas mizzle manages (default: public and those the schema package uses)")
	fl.BoolVar(&f.force, "force", false, "apply statements that lose data or drop indexes and constraints without asking")
	fl.BoolVar(&f.strict, "strict", false, "always ask before applying, even when nothing is lost")
	fl.BoolVar(&f.verbose, "verbose", false, "print every statement in full")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan and apply nothing")
	fl.BoolVar(&f.da, "drop-and-add", false, "treat a vanished and a new column or table as a drop and an add, not a rename")
	addNoCacheFlag(cmd)
	return cmd
}

func push(ctx context.Context, env *env, f pushFlags, cfg *config) error {
	if err := checkDir("--schema", f.schema); err != nil {
		return err
	}
	// The database first: a wrong URL fails at once, not after the
	// schema package has loaded.
	url, from, err := databaseURL(env, f.databaseURL, cfg)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, url, from)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	noJIT(ctx, conn)
	// Two more connections, opened while the schema loads, let the
	// server answer the catalog queries side by side (see
	// inspectAndNormalize).
	more := make(chan []*pgx.Conn, 1)
	go func() { more <- connectMore(ctx, conn, 2) }()
	m, err := loader.Load(ctx, loader.Config{Dir: f.schema, CacheDir: f.cacheDir})
	extra := <-more
	defer func() {
		for _, c := range extra {
			c.Close(ctx)
		}
	}()
	if err != nil {
		return err
	}

	managed := managedSchemas(f.schemas, m)
	for _, t := range m.Tables {
		if !slices.Contains(managed, t.Schema) {
			return &usageError{fmt.Sprintf("table %s.%s is in schema %q, which --schemas does not list", t.Schema, t.Name, t.Schema)}
		}
	}
	actual, want, err := inspectAndNormalize(ctx, conn, extra, m, managed, f.cacheDir)
	if err != nil {
		return redacted(err, url)
	}
	p, err := plan(env, actual, want, f.da, "Nothing was changed.")
	if err != nil {
		return err
	}
	if p.Empty() {
		fmt.Fprintln(env.stdout, "Nothing to push: the database matches the schema.")
		return nil
	}
	if err := p.Assess(ctx, conn); err != nil {
		return redacted(err, url)
	}
	stmts := p.Statements
	refusals := p.RisksOf(migrations.RiskRefusal)
	fmt.Fprintf(env.stdout, "%d %s to apply:\n", len(stmts), plural(len(stmts), "statement", "statements"))
	for _, s := range stmts {
		text := s.SQL
		if !f.verbose {
			text = firstLine(text)
		}
		fmt.Fprintf(env.stdout, "  %s\n", strings.ReplaceAll(text, "\n", "\n  "))
	}
	// Losses and the warnings no count settles (a swap of names, which
	// the next push would swap back while the hints stay) are shown;
	// only losses need consent.
	for _, r := range p.Risks {
		if r.Kind != migrations.RiskRefusal {
			fmt.Fprintf(env.stderr, "%s %s\n", env.paint(bold, "warning:"), r)
		}
	}
	if len(refusals) > 0 {
		for _, r := range refusals {
			fmt.Fprintf(env.stderr, "%s %s\n", env.paint(red, "mizzle:"), r)
		}
		fmt.Fprintln(env.stderr, "Nothing was changed: push does not empty or rewrite data to make a change fit. Fix the rows first, or add a default.")
		return errReported
	}
	if f.dryRun {
		fmt.Fprintln(env.stdout, "Dry run: nothing was changed.")
		return nil
	}
	if len(p.RisksOf(migrations.RiskLoss)) > 0 || f.strict {
		switch {
		case f.force && !f.strict:
		case env.interactive:
			fmt.Fprint(env.stderr, "Apply these statements? [y/N] ")
			answer, _ := env.stdin.ReadString('\n')
			if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
				fmt.Fprintln(env.stderr, "Nothing was changed.")
				return errReported
			}
		default:
			fmt.Fprintln(env.stderr, "Nothing was changed: the statements warned about lose data or drop indexes and constraints; run again with --force to apply them.")
			return errReported
		}
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return &statementFailed{sql: s.SQL, err: err}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("push failed, nothing was changed: %w", redacted(err, url))
	}
	fmt.Fprintf(env.stdout, "Pushed %d %s.\n", len(stmts), plural(len(stmts), "statement", "statements"))
	return nil
}

// statementFailed is a statement push ran that PostgreSQL refused: the
// statement, then the server's message with its DETAIL and HINT. It keeps
// the server's error for errors.As.
type statementFailed struct {
	sql string
	err error
}

func (e *statementFailed) Error() string { return e.sql + "\n" + migrate.ServerMessage(e.err) }

func (e *statementFailed) Unwrap() error { return e.err }

// managedSchemas is the database schemas a command compares or changes:
// those listed (--schemas, schemas: in mizzle.yaml), else public and the
// ones the model declares.
func managedSchemas(listed []string, m *schema.Model) []string {
	if len(listed) > 0 {
		return listed
	}
	managed := []string{schema.DefaultSchema}
	for _, s := range m.Schemas {
		managed = append(managed, s.Name)
	}
	return managed
}

// connectMore opens up to n more connections like conn. It gives what it
// could open: they only make push faster, so a server that refuses more
// clients is not a failure.
func connectMore(ctx context.Context, conn *pgx.Conn, n int) []*pgx.Conn {
	conns := make([]*pgx.Conn, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			c, err := pgx.ConnectConfig(ctx, conn.Config())
			if err == nil {
				noJIT(ctx, c)
				conns[i] = c
			}
		})
	}
	wg.Wait()
	return slices.DeleteFunc(conns, func(c *pgx.Conn) bool { return c == nil })
}

// inspectAndNormalize reads the database and normalizes the schema's
// model at the same time when there are extra connections: the catalog
// queries spread over conn and all but the last extra connection, and
// Normalize, which mostly works in this process when its answers are
// cached, runs on the last. With none, it does one after the other on
// conn.
func inspectAndNormalize(ctx context.Context, conn *pgx.Conn, extra []*pgx.Conn, m *schema.Model, managed []string, cacheDir string) (actual, want *schema.Model, err error) {
	opts := introspect.Options{Schemas: managed}
	if len(extra) == 0 {
		if actual, _, err = introspect.Inspect(ctx, conn, opts); err != nil {
			return nil, nil, err
		}
		want, err = introspect.NormalizeCached(ctx, conn, m, cacheDir)
		return actual, want, err
	}
	normConn := extra[len(extra)-1]
	for _, c := range extra[:len(extra)-1] {
		opts.Parallel = append(opts.Parallel, c)
	}
	var normErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		want, normErr = introspect.NormalizeCached(ctx, normConn, m, cacheDir)
	}()
	actual, _, err = introspect.Inspect(ctx, conn, opts)
	<-done
	if err != nil {
		return nil, nil, err
	}
	if normErr != nil {
		return nil, nil, normErr
	}
	return actual, want, nil
}
