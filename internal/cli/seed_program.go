package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/internal/seedprog"
	"github.com/mizzle/mizzle/schema"
)

// seedInProgram does the run in the seed program built in the schema's
// module, for settings that name Go code: the fixtures are checked first
// (their packages load, the functions have the fixture's signature), then
// the program is built and run with the plan's inputs, the reset planned
// and confirmed here included. The user code's output goes to stderr,
// where it does not mix with the summary.
func seedInProgram(ctx context.Context, env *env, f seedFlags, m *schema.Model, o seed.Options, lo seed.LoadOptions,
	funcs []seedprog.Func, fixtures []schema.SeedFixture, url, from string) ([]seed.Written, time.Duration, error) {
	if err := seedprog.CheckFixtures(ctx, f.schema, nil, fixtures); err != nil {
		return nil, 0, fmt.Errorf("nothing was written: %w", err)
	}
	req := &seedprog.Request{Protocol: seedprog.Protocol, Model: m, Options: o, Reset: lo.Reset, FixturesOnly: f.fixturesOnly}
	for _, fn := range funcs {
		req.Funcs = append(req.Funcs, fn.FuncRef)
	}
	for _, fx := range fixtures {
		req.Fixtures = append(req.Fixtures, fx.String())
	}
	// The program connects as this command would: the same sslmode.
	programURL := url
	if os.Getenv("PGSSLMODE") == "" {
		cfg, err := parseConnString(url, from)
		if err != nil {
			return nil, 0, err
		}
		programURL = withSSLMode(url, sslMode(&cfg.Config))
	}
	prog := &seedprog.Program{Dir: f.schema, SchemaPath: m.Go.Path, Funcs: funcs, Fixtures: fixtures}
	res, err := prog.Run(ctx, req, programURL, nil, env.stderr)
	var skew *seedprog.SkewError
	switch {
	case errors.As(err, &skew):
		return nil, 0, fmt.Errorf("nothing was written: %w; run \"go get %s@%s\" in the module, or run the mizzle its go.mod requires (go run %s/cmd/mizzle seed ...)",
			err, modulePath, version(), modulePath)
	case err != nil:
		return nil, 0, fmt.Errorf("nothing was written: %w", redacted(err, url))
	case res.Error == "":
		return res.Written, res.Elapsed, nil
	}
	msg := redact(res.Error, url)
	if res.Fixture != "" {
		for _, fx := range fixtures {
			if fx.String() == res.Fixture {
				return nil, 0, fmt.Errorf("%s: seed failed, nothing was written: %s", fx.Pos, msg)
			}
		}
	}
	if pos := seedSettingPos(m.Seed, &seed.Error{Table: res.Table, Column: res.Column}); pos != (schema.Position{}) && res.Table != "" {
		return nil, 0, fmt.Errorf("%s: seed failed, nothing was written: %s", pos.Rel(env.cwd), msg)
	}
	return nil, 0, fmt.Errorf("seed failed, nothing was written: %s", msg)
}
