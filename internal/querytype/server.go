package querytype

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// ScratchPrefix begins the name of every database CreateScratch creates,
// so that one left behind (the process was killed) is recognisable.
const ScratchPrefix = "mizzle_queries_"

// Scratch is a database created for typing queries on a server that
// holds others: it is created empty (from template0) under a fresh name,
// and dropped by Close. The database the caller connected to is used for
// CREATE DATABASE and DROP DATABASE only.
type Scratch struct {
	// Conn is connected to the scratch database.
	Conn  *pgx.Conn
	admin *pgx.ConnConfig
	name  string
}

// CreateScratch creates a scratch database on the server of admin, which
// must be a role that may create databases, and connects to it.
func CreateScratch(ctx context.Context, admin *pgx.ConnConfig) (*Scratch, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := &Scratch{admin: admin, name: ScratchPrefix + hex.EncodeToString(b[:])}
	if err := s.adminExec(ctx, "CREATE DATABASE "+pgx.Identifier{s.name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return nil, fmt.Errorf("creating a scratch database to type the queries in: %w", err)
	}
	cfg := admin.Copy()
	cfg.Database = s.name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		err = fmt.Errorf("connecting to the scratch database: %w", err)
		if derr := s.drop(ctx); derr != nil {
			err = fmt.Errorf("%w; %w", err, derr)
		}
		return nil, err
	}
	s.Conn = conn
	return s, nil
}

// Name is the scratch database's name.
func (s *Scratch) Name() string { return s.name }

// Close closes the connection and drops the database.
func (s *Scratch) Close(ctx context.Context) error {
	if s.Conn != nil {
		s.Conn.Close(ctx)
	}
	return s.drop(ctx)
}

func (s *Scratch) drop(ctx context.Context) error {
	if err := s.adminExec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{s.name}.Sanitize()); err != nil {
		return fmt.Errorf("dropping the scratch database %s: %w", s.name, err)
	}
	return nil
}

// adminExec runs one statement on a connection of its own to the admin
// database, which nothing else uses.
func (s *Scratch) adminExec(ctx context.Context, sql string) error {
	conn, err := pgx.ConnectConfig(ctx, s.admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Cluster is a throwaway PostgreSQL cluster in a temporary directory, for
// a machine with the server programs and no running server to use.
type Cluster struct {
	pg   *pgcluster.Cluster
	dir  string
	port int
	// reaper stops the cluster and removes dir if this process ends
	// without Stop (a ^C): it waits for a line that only Stop writes.
	reaper   *exec.Cmd
	reaperIn io.WriteCloser
}

// reaperScript is run as sh -c reaperScript sh PG_CTL DATADIR DIR.
const reaperScript = `read -r line && exit 0
"$1" stop -D "$2" -m immediate -w -s
rm -rf "$3"`

// StartCluster initdb's and starts a cluster of the server programs bin
// on a free loopback port, with durability off. With a cache directory,
// the data directory is a copy of the initdb template kept there, made by
// the first cluster (template.go).
func StartCluster(bin pgcluster.Binaries, cacheDir string) (*Cluster, error) {
	cred, err := pgcluster.RunAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(pgcluster.TempParent(), "mizzle-queries-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{pg: &pgcluster.Cluster{
		Bin: bin, DataDir: filepath.Join(dir, "data"), LogFile: filepath.Join(dir, "postgres.log"),
		WorkDir: dir, Cred: cred,
	}, dir: dir}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	cmd := c.pg.Command("/bin/sh", "-c", reaperScript, "sh", bin.PgCtl, c.pg.DataDir, dir)
	cmd.SysProcAttr.Setpgid = true
	if c.reaperIn, err = cmd.StdinPipe(); err == nil {
		err = cmd.Start()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting the cleanup process: %w", err)
	}
	c.reaper = cmd
	tmpl := templateDir(cacheDir, bin)
	copied, err := fromTemplate(tmpl, c.pg.DataDir, cred)
	if err != nil {
		// A template that does not copy is removed, and initdb runs.
		os.RemoveAll(tmpl)
		copied = false
	}
	err = c.start(tmpl, copied)
	if err != nil && copied {
		// A template that does not start is removed, and initdb runs.
		os.RemoveAll(tmpl)
		if _, serr := os.Stat(filepath.Join(c.pg.DataDir, "postmaster.pid")); serr == nil {
			c.pg.Stop(pgcluster.Immediate)
		}
		if err = os.RemoveAll(c.pg.DataDir); err == nil {
			err = c.start(tmpl, false)
		}
	}
	if err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	return c, nil
}

// start initdb's the data directory unless it was copied from the
// template, keeping a template of it when there is none, and starts the
// server.
func (c *Cluster) start(tmpl string, copied bool) error {
	if !copied {
		if err := c.pg.Init(pgcluster.InitOptions{NoSync: true}); err != nil {
			return err
		}
		saveTemplate(c.pg.DataDir, tmpl)
	}
	// The port is only known to be free until FreePort closes it.
	var err error
	for attempt := 1; ; attempt++ {
		if c.port, err = pgcluster.FreePort(); err != nil {
			return err
		}
		if err = c.pg.Start(c.port, "fsync=off", "synchronous_commit=off", "full_page_writes=off"); err == nil || attempt == 3 {
			return err
		}
	}
}

// ConnConfig is the cluster's postgres database, as its superuser.
func (c *Cluster) ConnConfig() (*pgx.ConnConfig, error) {
	return pgx.ParseConfig(fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port))
}

// Stop stops the cluster and removes its directory.
func (c *Cluster) Stop() error {
	var err error
	if _, serr := os.Stat(filepath.Join(c.pg.DataDir, "postmaster.pid")); serr == nil {
		err = c.pg.Stop(pgcluster.Immediate)
	}
	if err == nil {
		err = os.RemoveAll(c.dir)
		io.WriteString(c.reaperIn, "done\n")
	}
	c.reaperIn.Close()
	c.reaper.Wait()
	return err
}
