package studio

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// driftReport is GET /api/drift's answer: how the database stands against
// the mizzle schema (drift) and against the migrations folder. Either
// part may be missing, each with its reason.
type driftReport struct {
	Available bool   `json:"available"` // a Go schema or a migrations folder
	Reason    string `json:"reason,omitempty"`

	// Drift is set when the studio has a Go schema: Changes and
	// Statements then turn the database into it, as push would.
	Drift       bool             `json:"drift"`
	DriftReason string           `json:"drift_reason,omitempty"`
	Changes     []driftChange    `json:"changes"`
	Statements  []driftStatement `json:"statements"`
	// Normalized is false when the Go schema could not be built in
	// scratch schemas to be read back in the database's spelling (a
	// read-only studio or role): Note then says that a default, check or
	// index expression may differ in spelling only.
	Normalized bool   `json:"normalized"`
	Note       string `json:"note,omitempty"`

	// MigrationsFolder is set when the studio has a migrations folder.
	MigrationsFolder bool             `json:"migrations_folder"`
	MigrationsReason string           `json:"migrations_reason,omitempty"`
	Migrations       []driftMigration `json:"migrations"`
	// Problems are what migrate would refuse to run for: a changed file,
	// history the folder does not list, a folder that does not read.
	Problems []string `json:"problems"`
}

// driftChange is one change of the plan, by kind: "add column".
type driftChange struct {
	Kind string `json:"kind"`
}

// driftStatement is a statement of the plan, with the kind of change it
// makes and its warning when it may lose data or fail.
type driftStatement struct {
	SQL     string `json:"sql"`
	Kind    string `json:"kind"`
	Warning string `json:"warning,omitempty"`
}

// driftMigration is a migration of the journal, or a row of the history
// table the journal does not list (InFolder false).
type driftMigration struct {
	Tag       string  `json:"tag"`
	Applied   bool    `json:"applied"`
	AppliedAt *string `json:"applied_at"` // RFC 3339, UTC; null when pending or not recorded
	InFolder  bool    `json:"in_folder"`
}

func (s *Server) handleDrift(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	rep := &driftReport{Changes: []driftChange{}, Statements: []driftStatement{}, Migrations: []driftMigration{}, Problems: []string{}}
	if s.opts.Model == nil && s.opts.Migrations == "" {
		rep.Reason = "the studio has neither a Go schema nor a migrations folder: start it with --schema DIR (or schema: in mizzle.yaml) to compare the database with the schema, and --migrations DIR to list the migrations"
		return rep, nil
	}
	rep.Available = true
	if s.opts.Model == nil {
		rep.DriftReason = "no Go schema: start the studio with --schema DIR (or schema: in mizzle.yaml) to compare the database with it"
	} else if err := s.drift(ctx, rep); err != nil {
		return nil, err
	}
	if s.opts.Migrations == "" {
		rep.MigrationsReason = "no migrations folder: start the studio with --migrations DIR (it looks for ./migrations)"
	} else if err := s.migrationsStatus(ctx, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// drift plans the database into the Go schema as push does: the
// database introspected (in a read-only transaction), the schema
// normalized by this database, and migrations.NewPlan between them, with
// a vanished and a new object taken as a drop and an add since nobody is
// there to answer whether they are a rename. Nothing is applied.
func (s *Server) drift(ctx context.Context, rep *driftReport) error {
	m := s.opts.Model
	schemas := []string{schema.DefaultSchema}
	for _, sc := range m.Schemas {
		schemas = append(schemas, sc.Name)
	}
	actual, err := s.inspect(ctx, schemas)
	if err != nil {
		return err
	}
	want, err := s.normalize(ctx, m)
	switch {
	case errors.Is(err, errCannotNormalize):
		want = m
		rep.Note = "the Go schema was compared as written, without building it in scratch schemas to read it back in the database's spelling (" +
			err.Error() + "), so a default, check or index expression may be listed although it differs in spelling only"
	case err != nil:
		// Normalize's own words say where it failed (the schema does not
		// build here); a bare server error would not.
		ae := &apiError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			ae.Code, ae.Detail, ae.Hint = pe.Code, pe.Detail, pe.Hint
		}
		return ae
	default:
		rep.Normalized = true
	}
	p, err := migrations.NewPlan(actual, want, migrations.Options{DropAndAdd: true})
	if err != nil {
		return err
	}
	rep.Drift = true
	for _, c := range p.Changes {
		rep.Changes = append(rep.Changes, driftChange{Kind: changeKind(c)})
	}
	for _, st := range p.Statements {
		rep.Statements = append(rep.Statements, driftStatement{SQL: st.SQL, Kind: changeKind(st.Source), Warning: st.Warning})
	}
	return nil
}

// inspect reads the schemas into a model in one read-only transaction.
func (s *Server) inspect(ctx context.Context, schemas []string) (*schema.Model, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	m, _, err := introspect.Inspect(ctx, loggedQuerier{s, tx}, introspect.Options{Schemas: schemas})
	return m, err
}

// errCannotNormalize is why normalize did not build the schema: the
// studio is read-only, or the database refused to create the scratch
// schemas.
var errCannotNormalize = errors.New("cannot normalize")

type cannotNormalize string

func (c cannotNormalize) Error() string        { return string(c) }
func (c cannotNormalize) Is(target error) bool { return target == errCannotNormalize }

// normalize returns m as this database spells it (introspect.Normalize:
// built in scratch schemas inside a transaction that is always rolled
// back). A read-only studio does not try, since that transaction writes;
// a role or server that may not create schemas gets the same answer.
func (s *Server) normalize(ctx context.Context, m *schema.Model) (*schema.Model, error) {
	if s.opts.ReadOnly {
		return nil, cannotNormalize("the studio is read-only")
	}
	start := time.Now()
	norm, err := introspect.Normalize(ctx, s.pool, m)
	s.log.add("-- drift: the Go schema created in scratch schemas (mizzle_shadow_*) and read back, in a transaction rolled back", nil, start, 0, err)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "25006": // read_only_sql_transaction: a replica, or read-only by default
			return nil, cannotNormalize("the database's sessions are read-only")
		case "42501": // insufficient_privilege
			return nil, cannotNormalize("the role may not create schemas")
		}
	}
	return norm, err
}

// changeKind names a change by its type: AddColumn is "add column".
func changeKind(c migrations.Change) string {
	t := reflect.TypeOf(c)
	if t == nil {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var b strings.Builder
	for i, r := range t.Name() {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrationsStatus lists the journal's migrations as applied or pending,
// and the history rows it does not list, as migrate's Status reads them
// (in a read-only transaction; it changes nothing).
func (s *Server) migrationsStatus(ctx context.Context, rep *driftReport) error {
	rep.MigrationsFolder = true
	dir := s.opts.Migrations
	d, err := migrate.Open(os.DirFS(dir))
	if err != nil {
		var list schema.ErrorList
		if !errors.As(err, &list) {
			return err
		}
		rep.Problems = append(rep.Problems, s.problems(dir, list)...)
		return nil
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	start := time.Now()
	st, err := d.Status(ctx, tx.Conn(), s.opts.History)
	n := int64(-1)
	if st != nil {
		n = int64(len(st.Applied))
	}
	s.log.add("-- migrations: the history table read to list applied and pending migrations", nil, start, n, err)
	if err != nil {
		return err
	}
	// Each history row is a migration of the folder as Status matches
	// them: by tag, or in drizzle-orm's table, which records no tag, by
	// the file's hash, else by the journal's when (a file changed since).
	byTag, byHash, byWhen := map[string]int{}, map[string]int{}, map[int64]int{}
	for i, m := range d.Migrations {
		byTag[m.Tag], byHash[migrate.FileHash(m.SQL)], byWhen[m.When] = i, i, i
	}
	row := make([]*migrate.AppliedMigration, len(d.Migrations))
	var extra []migrate.AppliedMigration
	for _, a := range st.Applied {
		i, ok := byTag[a.Tag]
		if s.opts.History.Drizzle {
			if i, ok = byHash[a.Hash]; !ok {
				i, ok = byWhen[a.When]
			}
		}
		if !ok || row[i] != nil {
			extra = append(extra, a)
			continue
		}
		row[i] = &a
	}
	for i, m := range d.Migrations {
		dm := driftMigration{Tag: m.Tag, InFolder: true}
		if a := row[i]; a != nil {
			dm.Applied, dm.AppliedAt = true, appliedAt(*a)
		}
		rep.Migrations = append(rep.Migrations, dm)
	}
	for _, a := range extra {
		tag := a.Tag
		if tag == "" {
			tag = "sha256:" + a.Hash[:min(12, len(a.Hash))]
		}
		rep.Migrations = append(rep.Migrations, driftMigration{Tag: tag, Applied: true, AppliedAt: appliedAt(a)})
	}
	rep.Problems = append(rep.Problems, s.problems(dir, st.Problems)...)
	return nil
}

// problems words a list of problems with their files under dir.
func (s *Server) problems(dir string, list schema.ErrorList) []string {
	var out []string
	for _, e := range list {
		c := *e
		if c.Pos.Filename != "" {
			c.Pos.Filename = filepath.Join(dir, c.Pos.Filename)
		}
		msg := c.Error()
		if s.opts.Redact != nil {
			msg = s.opts.Redact(msg)
		}
		out = append(out, msg)
	}
	return out
}

func appliedAt(a migrate.AppliedMigration) *string {
	if a.AppliedAt.IsZero() {
		return nil
	}
	t := a.AppliedAt.UTC().Format(time.RFC3339Nano)
	return &t
}
