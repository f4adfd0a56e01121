package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

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

// typeQueries reads the query files of f.queries and types them on a
// scratch database holding the migrations of the folder migDir, then
// pending, the statements of the migration being written (or not yet
// written). Without a queries folder, or with no query in it, it returns
// none and starts nothing.
func typeQueries(ctx context.Context, env *env, f queryFlags, model *schema.Model, migDir string, pending []migrations.Statement) ([]gen.Query, error) {
	if f.queries == "" {
		return nil, nil
	}
	rel := relPath(env, f.queries)
	if fi, err := os.Stat(f.queries); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--queries %s: not a directory", rel)
	}
	qs, err := queryfile.Read(os.DirFS(f.queries), filepath.ToSlash(rel))
	if err != nil || len(qs) == 0 {
		return nil, err
	}
	admin, connString, from, stop, err := queryServer(ctx, env, f)
	if err != nil {
		return nil, err
	}
	defer stop()
	// Said, since it takes a moment and names what generate connects to.
	fmt.Fprintf(env.stderr, "Typing %d SQL %s in a scratch database on %s\n", len(qs), plural(len(qs), "query", "queries"), from)
	// The server's errors may quote the connection string.
	s, err := querytype.CreateScratch(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, redacted(err, connString))
	}
	defer func() {
		if err := s.Close(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(env.stderr, "%s %s: %v\n", env.paint(bold, "warning:"), from, redacted(err, connString))
		}
	}()
	if err := buildSchema(ctx, s.Conn, migDir, pending); err != nil {
		return nil, err
	}
	typed, err := querytype.Type(ctx, s.Conn, model, qs)
	if err != nil {
		return nil, err
	}
	// The methods' documentation names a query's file relative to the
	// query package, the same from whichever folder generate runs.
	src, err := filepath.Rel(absPath(env, f.dir), absPath(env, f.queries))
	if err != nil {
		return nil, err
	}
	for i := range typed {
		typed[i].Source = fmt.Sprintf("%s:%d", path.Join(filepath.ToSlash(src), path.Base(qs[i].Pos.Filename)), qs[i].Pos.Line)
	}
	return typed, nil
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
// which it is in from. stop stops a cluster it started.
func queryServer(ctx context.Context, env *env, f queryFlags) (admin *pgx.ConnConfig, connString, from string, stop func(), err error) {
	noop := func() {}
	if f.databaseURL != "" {
		cfg, err := connConfig(f.databaseURL, "--database-url")
		return cfg, f.databaseURL, "the server of --database-url", noop, err
	}
	cfg, err := env.config()
	if err != nil {
		return nil, "", "", nil, err
	}
	if u := devFor(env, cfg).RunningURL(ctx); u != "" {
		c, err := connConfig(u, "mizzle dev")
		return c, u, "the dev cluster", noop, err
	}
	c, err := querytype.StartCluster()
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
