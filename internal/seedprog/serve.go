package seedprog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/seed"
)

// Serve is the program's side: it reads a Request from r, does the run
// with the functions compiled into the program (funcs by column, fixtures
// by reference), and returns the Result, which never is nil. The database
// URL is read from URLEnv and then removed from the environment, so the
// functions it calls do not find it there (package initializers of the
// user's packages run before, which no program can prevent).
func Serve(ctx context.Context, r io.Reader, funcs map[FuncRef]func(*rand.Rand, int) any, fixtures map[string]func(context.Context, pgx.Tx) error) *Result {
	res := &Result{Protocol: Protocol}
	url := os.Getenv(URLEnv)
	os.Unsetenv(URLEnv)
	var req Request
	dec := json.NewDecoder(r)
	if err := dec.Decode(&req); err != nil || req.Protocol != Protocol {
		res.Error = fmt.Sprintf("the seed program speaks protocol %d and was asked in protocol %d", Protocol, req.Protocol)
		return res
	}
	if url == "" {
		res.Error = "no database URL in " + URLEnv
		return res
	}
	fail := func(err error) *Result {
		res.Error = err.Error()
		var se *seed.Error
		if errors.As(err, &se) {
			res.Table, res.Column = se.Table, se.Column
		}
		var fe *seed.FixtureError
		if errors.As(err, &fe) {
			res.Fixture = fe.Name
		}
		return res
	}
	// Every function the command counts on is here: the program was
	// built from the same settings, so a missing one is a bug.
	for _, f := range req.Funcs {
		fn := funcs[f]
		if fn == nil {
			return fail(fmt.Errorf("the seed program has no Func for column %s of table %s", f.Column, f.Table))
		}
		t := req.Options.Tables[f.Table]
		if t.Columns == nil {
			t.Columns = map[string]seed.Column{}
		}
		c := t.Columns[f.Column]
		c.Func = fn
		t.Columns[f.Column] = c
		if req.Options.Tables == nil {
			req.Options.Tables = map[string]seed.Table{}
		}
		req.Options.Tables[f.Table] = t
	}
	var lo seed.LoadOptions
	lo.Reset = req.Reset
	for _, ref := range req.Fixtures {
		fn := fixtures[ref]
		if fn == nil {
			return fail(fmt.Errorf("the seed program has no fixture %s", ref))
		}
		lo.Fixtures = append(lo.Fixtures, seed.Fixture{Name: ref, Run: fn})
	}
	var p *seed.Plan
	if !req.FixturesOnly {
		var err error
		if p, err = seed.New(req.Model, req.Options); err != nil {
			return fail(err)
		}
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL: say only that it failed.
		return fail(errors.New("the database URL does not parse"))
	}
	cfg.RuntimeParams["standard_conforming_strings"] = "on"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer conn.Close(context.Background())
	start := time.Now()
	written, err := seed.Load(ctx, conn, p, lo)
	if err != nil {
		return fail(err)
	}
	res.Written, res.Elapsed = written, time.Since(start)
	return res
}

// WriteResult writes res to the file ResultEnv names.
func WriteResult(res *Result) error {
	path := os.Getenv(ResultEnv)
	if path == "" {
		return errors.New("seedrun: no " + ResultEnv + ": this program is built and run by mizzle seed")
	}
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
