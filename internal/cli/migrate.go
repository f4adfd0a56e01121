package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// dbFlags are the flags of the commands that talk to a database about
// migrations.
type dbFlags struct {
	databaseURL, migrations, table string
	drizzle                        bool
}

func (f *dbFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.databaseURL, "database-url", "", "the database (default: $DATABASE_URL, then DATABASE_URL in .env, then databaseUrl in mizzle.yaml, then the running dev database)")
	fl.StringVar(&f.migrations, "migrations", "migrations", "the migrations folder")
	fl.StringVar(&f.table, "table", "", `the history table, "schema.table" (default "mizzle.__mizzle_migrations", or "drizzle.__drizzle_migrations" with --drizzle)`)
	fl.BoolVar(&f.drizzle, "drizzle", false, "record migrations as drizzle-orm's migrator does (id, hash, created_at), in its table by default")
}

// resolve applies the config file and returns the migrator's options.
func (f *dbFlags) resolve(cmd *cobra.Command, cfg *config) (migrate.Options, error) {
	fl := cmd.Flags()
	f.migrations = cfg.path(fl.Changed("migrations"), f.migrations, cfg.Migrations, "migrations")
	if wd, err := os.Getwd(); err == nil && !fl.Changed("migrations") {
		// A folder from the config file comes out absolute; relative to
		// the working directory, status and statement errors name its
		// files as migrate's refusals do.
		f.migrations = schema.Position{Filename: f.migrations}.Rel(wd).Filename
	}
	if !fl.Changed("drizzle") {
		f.drizzle = cfg.Drizzle
	}
	if !fl.Changed("table") {
		f.table = cfg.MigrationsTable
	}
	opts, err := historyOptions(f.drizzle, f.table)
	if err != nil {
		return opts, err
	}
	opts.Pooler = poolerOption(cfg.Pooler)
	if fi, err := os.Stat(f.migrations); err != nil || !fi.IsDir() {
		return opts, fmt.Errorf("--migrations %s: no such directory", f.migrations)
	}
	return opts, nil
}

// poolerOption is the migrator's Pooler for a setting of pooler: in
// mizzle.yaml or --pooler; nil when neither says.
func poolerOption(set *bool) migrate.Pooler {
	switch {
	case set == nil:
		return migrate.PoolerDetect
	case *set:
		return migrate.PoolerOn
	}
	return migrate.PoolerOff
}

// historyOptions are the options naming the history table: drizzle-orm's
// layout or mizzle's, and table ("schema.table" or "table", empty for the
// default).
func historyOptions(drizzle bool, table string) (migrate.Options, error) {
	opts := migrate.Options{Drizzle: drizzle}
	if table != "" {
		s, n, ok := strings.Cut(table, ".")
		if !ok {
			s, n = migrate.DefaultTable.Schema, table
			if drizzle {
				s = migrate.DrizzleTable.Schema
			}
		}
		if s == "" || n == "" || strings.Contains(n, ".") {
			return opts, &usageError{fmt.Sprintf("--table %q: want schema.table or table", table)}
		}
		opts.Table = migrate.TableName{Schema: s, Name: n}
	}
	return opts, nil
}

// open resolves the flags against the config and connects to the database.
// The caller closes the connection; url is for redacting messages.
func (f *dbFlags) open(cmd *cobra.Command, env *env, cfg *config) (opts migrate.Options, conn *pgx.Conn, url string, err error) {
	if opts, conn, url, err = f.openIfAny(cmd, env, cfg); err == nil && conn == nil {
		err = errNoDatabase
	}
	return opts, conn, url, err
}

// openIfAny is open for the commands that work without a database too
// (check, drop): it returns a nil connection, and no error, when there is
// none to be found.
func (f *dbFlags) openIfAny(cmd *cobra.Command, env *env, cfg *config) (opts migrate.Options, conn *pgx.Conn, url string, err error) {
	if opts, err = f.resolve(cmd, cfg); err != nil {
		return opts, nil, "", err
	}
	url, from, err := lookupDatabase(env, f.databaseURL, cfg)
	if err != nil || url == "" {
		return opts, nil, "", err
	}
	conn, err = connect(cmd.Context(), url, from)
	return opts, conn, url, err
}

func newMigrateCmd(env *env) *cobra.Command {
	var f dbFlags
	var lockTimeout, tableLockTimeout time.Duration
	var retries int
	var outOfOrder, ahead, pooler bool
	cmd := &cobra.Command{
		Use:   "migrate [--database-url URL] [--migrations DIR] [--table-lock-timeout D] [--retries N] [--pooler]",
		Short: "Apply the pending migrations to a database",
		Long: `Apply the migrations of the folder that the database has not recorded yet, in
journal order, each in its own transaction together with its row in the
history table (mizzle.__mizzle_migrations).

A migration is pending when its tag is not recorded, never because of its
timestamp. Before applying anything, migrate refuses a folder whose applied
migrations changed since, a SQL file the journal does not list, a journal
entry without its file, a pending migration placed before applied ones
(unless --allow-out-of-order), history the journal does not list (unless
--allow-ahead, and the folder is an earlier version of the history), and a
statement that would end the migration's transaction (COMMIT, BEGIN, ...).

An advisory lock makes concurrent runs safe: the others wait (up to
--lock-timeout) and then find nothing to do. A migration with a
"-- mizzle:no-transaction" line before its first statement runs outside a
transaction, for CREATE INDEX CONCURRENTLY; it is then not atomic, and an
invalid index a failed run left is dropped and built again.

--table-lock-timeout (or tableLockTimeout in mizzle.yaml) bounds how long
each statement waits for a lock on a table (PostgreSQL's lock_timeout, set
for each migration). Without it, an ALTER TABLE waiting behind a long
query makes every later query on the table wait too; with it, the
migration fails instead, and --retries N tries it again up to N times,
waiting 1s, 2s, 4s, ... in between and saying so. A no-transaction
migration goes on from the statement that failed.

Through a transaction pooler (PgBouncer in transaction mode, or a managed
pooler), which hands each transaction to any server connection, the lock
cannot outlive a transaction: with --pooler (or pooler: true in
mizzle.yaml), or when migrate detects a pooler (the connection's backend
key is not the server's process id), each migration's transaction takes
the lock and reads the history again, so concurrent runs take turns and
still apply each migration once; nothing is prepared, and a
no-transaction migration is refused: apply it on a direct connection.
--pooler=false keeps the session lock, for a pooler in session mode.

With --allow-ahead, a database that has newer migrations than the folder
(after rolling back a release) is accepted, with a warning, when the folder
is an earlier version of its history.

When the URL has no sslmode: disable for a local server, require otherwise.
The password is never printed.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("table-lock-timeout") {
				tableLockTimeout = time.Duration(cfg.TableLockTimeout)
			}
			switch {
			case retries < 0:
				return &usageError{fmt.Sprintf("--retries %d: give 0 or more", retries)}
			case retries > 0 && tableLockTimeout <= 0:
				return &usageError{"--retries needs --table-lock-timeout (or tableLockTimeout in mizzle.yaml): without it a migration waits for its locks as long as it takes, and never fails to get one"}
			}
			opts, conn, url, err := f.open(cmd, env, cfg)
			if err != nil {
				return err
			}
			opts.LockTimeout, opts.AllowOutOfOrder, opts.AllowAhead = lockTimeout, outOfOrder, ahead
			opts.TableLockTimeout, opts.Retries = tableLockTimeout, retries
			if cmd.Flags().Changed("pooler") {
				opts.Pooler = poolerOption(&pooler)
			}
			defer conn.Close(cmd.Context())
			start := time.Now()
			opts.Events = func(e migrate.Event) {
				switch e.Kind {
				case migrate.EventPoolerDetected:
					fmt.Fprintln(env.stderr, "Connected through a connection pooler (detected): each migration takes the migration lock in its own transaction, as with --pooler.")
				case migrate.EventLockWait:
					fmt.Fprintln(env.stderr, "Another migration is running; waiting for it to finish...")
				case migrate.EventApplied:
					fmt.Fprintf(env.stdout, "applied %s (%s)\n", e.Migration, roundDuration(e.Duration))
				case migrate.EventLockRetry:
					fmt.Fprintf(env.stderr, "%s %s: %s; try %d of %d in %s\n", env.paint(bold, "warning:"), e.Migration,
						migrate.ServerMessage(e.Err), e.Attempt+1, retries+1, e.Wait)
				case migrate.EventInvalidIndexDropped:
					fmt.Fprintf(env.stderr, "%s %s: dropped the invalid index %s that a failed run left, to build it again\n",
						env.paint(bold, "warning:"), e.Migration, e.Object)
				case migrate.EventAhead:
					fmt.Fprintf(env.stderr, "%s the database has %s applied, which the folder does not have: it is ahead of this release (--allow-ahead)\n",
						env.paint(bold, "warning:"), e.Migration)
				}
			}
			d, err := migrate.Open(os.DirFS(f.migrations))
			if err != nil {
				return migrateError(f.migrations, err, url)
			}
			done, err := d.Apply(cmd.Context(), conn, opts)
			if err != nil {
				return migrateError(f.migrations, err, url)
			}
			switch n := len(done); n {
			case 0:
				fmt.Fprintln(env.stdout, "Nothing to migrate: the database is up to date.")
			default:
				fmt.Fprintf(env.stdout, "%d %s applied in %s.\n", n, plural(n, "migration", "migrations"), roundDuration(time.Since(start)))
			}
			return nil
		},
	}
	f.register(cmd)
	lockTimeout = time.Minute
	cmd.Flags().Var(positiveDuration{&lockTimeout}, "lock-timeout", "how long to wait for another migrate to finish (more than zero)")
	cmd.Flags().Var(positiveDuration{&tableLockTimeout}, "table-lock-timeout", "how long each statement waits for a lock on a table before the migration fails (PostgreSQL's lock_timeout; default: tableLockTimeout in mizzle.yaml, else no limit)")
	cmd.Flags().IntVar(&retries, "retries", 0, "how many more times to try a migration that could not get a lock within --table-lock-timeout")
	cmd.Flags().BoolVar(&pooler, "pooler", false, "the database URL goes through a transaction pooler: lock in each migration's transaction, prepare nothing, refuse no-transaction migrations (default: pooler in mizzle.yaml, else detected; --pooler=false for a session-mode pooler)")
	cmd.Flags().BoolVar(&outOfOrder, "allow-out-of-order", false, "apply pending migrations that come before applied ones in the journal")
	cmd.Flags().BoolVar(&ahead, "allow-ahead", false, "accept a database that has newer migrations than the folder, when the folder is an earlier version of its history (after rolling back a release)")
	return cmd
}

func newStatusCmd(env *env) *cobra.Command {
	var f dbFlags
	var asJSON, ahead bool
	cmd := &cobra.Command{
		Use:   "status [--database-url URL] [--migrations DIR] [--json]",
		Short: "Show applied and pending migrations, changing nothing",
		Long: `Show the migrations the database has applied and those still pending, and
the problems that would make migrate refuse to run, without changing
anything. Exits 1 when there is a problem; --json prints it all for CI.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.config()
			if err != nil {
				return err
			}
			opts, conn, url, err := f.open(cmd, env, cfg)
			if err != nil {
				return err
			}
			defer conn.Close(cmd.Context())
			opts.AllowAhead = ahead
			d, err := migrate.Open(os.DirFS(f.migrations))
			var st *migrate.Status
			if err == nil {
				st, err = d.Status(cmd.Context(), conn, opts)
			}
			if err != nil {
				// A folder that does not read is status's own finding:
				// with --json its problems go in the status document,
				// each with its place, where CI looks for them.
				if probs := folderProblems(err); asJSON && probs != nil {
					if err := printStatusJSON(env, f.migrations, &migrate.Status{Problems: probs}); err != nil {
						return err
					}
					return errReported
				}
				return migrateError(f.migrations, err, url)
			}
			if asJSON {
				if err := printStatusJSON(env, f.migrations, st); err != nil {
					return err
				}
			} else {
				printStatus(env, f.migrations, st)
			}
			if len(st.Problems) > 0 {
				return errReported
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	cmd.Flags().BoolVar(&ahead, "allow-ahead", false, "report newer migrations than the folder's as ahead, not as a problem, as migrate --allow-ahead accepts them")
	return cmd
}

func printStatus(env *env, dir string, st *migrate.Status) {
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	ahead := map[int]bool{}
	for i, a := range st.Applied {
		for _, b := range st.Ahead {
			ahead[i] = ahead[i] || a == b
		}
	}
	for i, a := range st.Applied {
		tag := a.Tag
		if tag == "" {
			tag = "sha256:" + a.Hash[:12]
		}
		at := ""
		if !a.AppliedAt.IsZero() {
			at = a.AppliedAt.Local().Format("2006-01-02 15:04:05")
		}
		state := "applied"
		if ahead[i] {
			state = "ahead" // applied, but not in this folder
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", state, tag, at, roundDuration(a.Duration))
	}
	for _, e := range st.Pending {
		// No empty cells after the tag: tabwriter would pad them into
		// trailing spaces.
		fmt.Fprintf(tw, "pending\t%s\n", e.Tag)
	}
	tw.Flush()
	for _, p := range st.Problems {
		pos := p.Pos
		pos.Filename = filepath.Join(dir, pos.Filename)
		fmt.Fprintf(env.stderr, "%s: %s\n", env.paint(bold, pos.String()), p.Msg)
	}
	if n := len(st.Ahead); n > 0 {
		fmt.Fprintf(env.stdout, "%d applied (%d of them newer than the folder), %d pending.\n", len(st.Applied), n, len(st.Pending))
		return
	}
	fmt.Fprintf(env.stdout, "%d applied, %d pending.\n", len(st.Applied), len(st.Pending))
}

func printStatusJSON(env *env, dir string, st *migrate.Status) error {
	type applied struct {
		Tag        string     `json:"tag,omitempty"`
		Hash       string     `json:"hash"`
		When       int64      `json:"when"`
		AppliedAt  *time.Time `json:"appliedAt,omitempty"`
		DurationMS int64      `json:"durationMs"`
	}
	type pending struct {
		Tag  string `json:"tag"`
		When int64  `json:"when"`
	}
	out := struct {
		Applied  []applied        `json:"applied"`
		Pending  []pending        `json:"pending"`
		Ahead    []applied        `json:"ahead,omitempty"`
		Problems []jsonDiagnostic `json:"problems"`
	}{Applied: []applied{}, Pending: []pending{}, Problems: []jsonDiagnostic{}}
	toJSON := func(a migrate.AppliedMigration) applied {
		j := applied{Tag: a.Tag, Hash: a.Hash, When: a.When, DurationMS: a.Duration.Milliseconds()}
		if !a.AppliedAt.IsZero() {
			t := a.AppliedAt.UTC()
			j.AppliedAt = &t
		}
		return j
	}
	for _, a := range st.Applied {
		out.Applied = append(out.Applied, toJSON(a))
	}
	for _, a := range st.Ahead {
		out.Ahead = append(out.Ahead, toJSON(a))
	}
	for _, e := range st.Pending {
		out.Pending = append(out.Pending, pending{Tag: e.Tag, When: e.When})
	}
	for _, p := range st.Problems {
		pos := p.Pos
		pos.Filename = filepath.Join(dir, pos.Filename)
		out.Problems = append(out.Problems, toJSONDiagnostic(p, pos))
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// folderProblems returns the problems of a migrations folder that did not
// read, or that Migrate refused, or nil when err is not about the folder's
// contents.
func folderProblems(err error) schema.ErrorList {
	var list schema.ErrorList
	if errors.As(err, &list) {
		return list
	}
	return nil
}

// migrateError names the folder's files in an error and keeps the
// password out of it.
func migrateError(dir string, err error, url string) error {
	var se *migrate.StatementError
	if errors.As(err, &se) {
		c := *se
		c.Pos.Filename = filepath.Join(dir, se.Pos.Filename)
		return redacted(&c, url)
	}
	var list schema.ErrorList
	if errors.As(err, &list) {
		return folderError(dir, err)
	}
	return redacted(err, url)
}

// roundDuration keeps durations readable: milliseconds, or seconds with
// two decimals past one second.
func roundDuration(d time.Duration) string {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
