package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/pgcluster"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/internal/querytype"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// Typed SQL files: generate reads the queries folder (queries: in
// mizzle.yaml, --queries), builds the schema in a scratch database and
// asks the server for the types of each query, which gen writes methods
// with. The scratch database is created by mizzle and dropped after, on
// the first of: the server of --database-url, the running dev cluster, a
// throwaway cluster of the installed server programs, the server of
// DATABASE_URL (environment, .env) or databaseUrl in mizzle.yaml. The
// database a URL names is used for CREATE and DROP DATABASE only.

// findBinaries finds the server programs of a throwaway cluster: a
// variable so that a test can take them away without touching PATH or
// the machine.
var findBinaries = pgcluster.FindBinaries

// typedQueries are the queries of a queries folder, typed.
type typedQueries struct {
	// list is what gen writes, each Source named from the query package.
	list []gen.Query
	// typed is what querytype.Type returned (or the cache held), and
	// server the major version of the server that typed them.
	typed  []gen.Query
	server string
	files  []*queryfile.Query
	model  *schema.Model
}

// typeQueries reads the query files of f.queries and types them on a
// scratch database holding the migrations of the folder migDir, then
// pending, the statements of the migration being written (or not yet
// written). Without a queries folder, or with no query in it, it returns
// none and starts nothing. When the typed-query cache has the answer for
// these files, migrations, statements and model, it starts and connects
// to nothing; what it types, it records there.
func typeQueries(ctx context.Context, env *env, f queryFlags, model *schema.Model, migDir string, pending []migrations.Statement) (*typedQueries, error) {
	qs, err := readQueries(env, f)
	if err != nil || len(qs) == 0 {
		return &typedQueries{}, err
	}
	tq := &typedQueries{files: qs, model: model}
	cache := queryCache()
	key, keyed := queryKey(qs, migDir, pending, model)
	if typed, ok := cachedTypes(key, keyed, expectedServer(env, f), qs); ok {
		tq.typed = typed
		return tq, tq.name(env, f)
	}
	if tq.typed, tq.server, err = typeOnServer(ctx, env, f, model, qs, migDir, pending, false); err != nil {
		return nil, err
	}
	if keyed {
		// A cache that cannot be written is only slower next time.
		cache.Put(key, tq.server, tq.typed)
	}
	return tq, tq.name(env, f)
}

// cachedTypes looks the queries up in the typed-query cache when there is
// a key. An entry that does not answer for exactly these queries, in order,
// is a miss.
func cachedTypes(key querytype.Key, keyed bool, server string, qs []*queryfile.Query) ([]gen.Query, bool) {
	if !keyed {
		return nil, false
	}
	typed, ok := queryCache().Get(key, server)
	if !ok || len(typed) != len(qs) {
		return nil, false
	}
	for i, q := range qs {
		if typed[i].Name != q.Name {
			return nil, false
		}
	}
	return typed, true
}

// readQueries reads the query files of f.queries, each named in positions
// as the user names the folder.
func readQueries(env *env, f queryFlags) ([]*queryfile.Query, error) {
	if f.queries == "" {
		return nil, nil
	}
	rel := relPath(env, f.queries)
	if fi, err := os.Stat(f.queries); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--queries %s: not a directory", rel)
	}
	return queryfile.Read(os.DirFS(f.queries), filepath.ToSlash(rel))
}

// typeOnServer types qs in a scratch database on the server queryServer
// finds, and returns them with the server's major version. With
// throwawayOnly (check, which writes to no server of the project's, not
// even a scratch database), only a throwaway cluster will do.
func typeOnServer(ctx context.Context, env *env, f queryFlags, model *schema.Model, qs []*queryfile.Query, migDir string, pending []migrations.Statement, throwawayOnly bool) ([]gen.Query, string, error) {
	admin, connString, from, stop, err := queryServer(ctx, env, f, throwawayOnly)
	if err != nil {
		return nil, "", err
	}
	defer stop()
	// Said, since it takes a moment and names what generate connects to.
	fmt.Fprintf(env.stderr, "Typing %d SQL %s in a scratch database on %s\n", len(qs), plural(len(qs), "query", "queries"), from)
	var conn *pgx.Conn
	if connString == "" {
		// A throwaway cluster of this run's: its own database is the
		// scratch one, which goes with it, and creating another would
		// copy template0 for nothing.
		if conn, err = pgx.ConnectConfig(ctx, admin); err != nil {
			return nil, "", fmt.Errorf("%s: %w", from, err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
	} else {
		// The server's errors may quote the connection string.
		s, err := querytype.CreateScratch(ctx, admin)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", from, redacted(err, connString))
		}
		defer func() {
			if err := s.Close(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(env.stderr, "%s %s: %v\n", env.paint(bold, "warning:"), from, redacted(err, connString))
			}
		}()
		conn = s.Conn
	}
	if err := buildSchema(ctx, conn, migDir, pending); err != nil {
		return nil, "", err
	}
	typed, err := querytype.Type(ctx, conn, model, qs)
	if err != nil {
		return nil, "", err
	}
	return typed, querytype.ServerMajor(conn), nil
}

// name sets tq.list: the typed queries with each method's documentation
// naming its query's file relative to the query package, the same from
// whichever folder generate runs.
func (tq *typedQueries) name(env *env, f queryFlags) error {
	src, err := filepath.Rel(absPath(env, f.dir), absPath(env, f.queries))
	if err != nil {
		return err
	}
	tq.list = slices.Clone(tq.typed)
	for i := range tq.list {
		q := tq.files[i]
		tq.list[i].Source = fmt.Sprintf("%s:%d", path.Join(filepath.ToSlash(src), path.Base(q.Pos.Filename)), q.Pos.Line)
	}
	return nil
}

// remember records the typed queries again under the key of the
// migrations folder migDir as it is now, with no statement pending: after
// generate wrote a migration, the folder holds what was pending, and the
// next run asks for that key.
func (tq *typedQueries) remember(migDir string) {
	if tq == nil || tq.typed == nil {
		return
	}
	if key, ok := queryKey(tq.files, migDir, nil, tq.model); ok {
		queryCache().Put(key, tq.server, tq.typed)
	}
}

// queryCache is the typed-query cache. It lives with the model cache in
// the user's cache directory (MIZZLE_CACHE, or off), never in the
// project: a clone without it types again and writes the same code. It is
// not the model cache, so --no-cache, which reloads the schema package,
// leaves it on.
func queryCache() querytype.Cache {
	dir, err := modelCacheDir(false)
	if err != nil {
		return querytype.Cache{}
	}
	return querytype.Cache{Dir: dir}
}

// queryKey is the cache key of typing qs on the migrations of migDir and
// then pending, and false when the folder cannot be read.
func queryKey(qs []*queryfile.Query, migDir string, pending []migrations.Statement, model *schema.Model) (querytype.Key, bool) {
	h := sha256.New()
	if err := querytype.HashFS(h, os.DirFS(migDir)); err != nil {
		return querytype.Key{}, false
	}
	for _, st := range pending {
		fmt.Fprintf(h, "pending %d\n%s", len(st.SQL), st.SQL)
	}
	return querytype.NewKey(qs, h.Sum(nil), model), true
}

// expectedServer is the major version of the server generate would type
// on, as far as it can tell without starting or connecting to one: the
// dev cluster's when the project has one, else the installed server
// programs'. With --database-url, or with neither, it cannot tell, and
// says "" (an entry typed on any version does).
func expectedServer(env *env, f queryFlags) string {
	if f.databaseURL != "" {
		return ""
	}
	if cfg, err := env.config(); err == nil {
		if v := devFor(env, cfg).Major(); v != "" {
			return v
		}
	}
	bin, err := findBinaries("")
	if err != nil {
		return ""
	}
	v, _ := bin.Version()
	return v
}

func absPath(env *env, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(env.cwd, p)
}

// buildSchema applies the migrations of dir, when it has a journal, and
// then the pending statements.
func buildSchema(ctx context.Context, conn *pgx.Conn, dir string, pending []migrations.Statement) error {
	if _, err := os.Stat(filepath.Join(dir, "meta", "_journal.json")); err == nil {
		d, err := migrate.Open(os.DirFS(dir))
		if err != nil {
			return folderError(dir, err)
		}
		if _, err := d.Apply(ctx, conn, migrate.Options{}); err != nil {
			return fmt.Errorf("applying the migrations to the scratch database that types the queries: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for i, st := range pending {
		if _, err := conn.Exec(ctx, st.SQL); err != nil {
			return fmt.Errorf("the new migration's statement %d fails on the scratch database that types the queries: %w\n%s", i+1, err, st.SQL)
		}
	}
	return nil
}

// queryServer finds the server to make the scratch database on, and says
// which it is in from. stop stops a cluster it started. connString is ""
// only for a throwaway cluster of this run's, whose own database may be
// used.
func queryServer(ctx context.Context, env *env, f queryFlags, throwawayOnly bool) (admin *pgx.ConnConfig, connString, from string, stop func(), err error) {
	noop := func() {}
	if f.databaseURL != "" {
		cfg, err := connConfig(f.databaseURL, "--database-url")
		return cfg, f.databaseURL, "the server of --database-url", noop, err
	}
	cfg, err := env.config()
	if err != nil {
		return nil, "", "", nil, err
	}
	if u := devFor(env, cfg).RunningURL(ctx); u != "" && !throwawayOnly {
		c, err := connConfig(u, "mizzle dev")
		return c, u, "the dev cluster", noop, err
	}
	bin, err := findBinaries("")
	var c *querytype.Cluster
	if err == nil {
		c, err = querytype.StartCluster(bin, queryCache().Dir)
	}
	switch {
	case err == nil:
		admin, err := c.ConnConfig()
		stop := func() {
			if err := c.Stop(); err != nil {
				fmt.Fprintf(env.stderr, "%s stopping the throwaway cluster: %v\n", env.paint(bold, "warning:"), err)
			}
		}
		if err != nil {
			stop()
			return nil, "", "", nil, err
		}
		return admin, "", "a throwaway cluster", stop, nil
	case !errors.Is(err, pgcluster.ErrNotInstalled):
		return nil, "", "", nil, fmt.Errorf("starting a throwaway cluster to type the queries: %w", err)
	}
	if throwawayOnly {
		return nil, "", "", nil, errors.New("the typed-query cache has no types for these query files and migrations, and typing them needs PostgreSQL's server programs, which are not installed: " +
			pgcluster.InstallHelp + ", or run mizzle generate where they are (check starts a throwaway cluster only: it creates no database on another server)")
	}
	// No server programs here: a server the project names, where mizzle
	// makes a database of its own.
	u, src, lerr := lookupDatabase(env, "", cfg)
	if lerr != nil {
		return nil, "", "", nil, lerr
	}
	if u == "" {
		return nil, "", "", nil, errors.New("typing the queries needs a PostgreSQL server, and there is none: " + pgcluster.InstallHelp +
			", start one with mizzle dev, or pass --database-url with a server where mizzle may create a scratch database")
	}
	admin, err = connConfig(u, src)
	return admin, u, "the server of " + src, noop, err
}
