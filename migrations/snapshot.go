package migrations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/google/uuid"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// legacyDialect is how drizzle-kit before 0.21 named PostgreSQL, in
// snapshots as in journals.
const legacyDialect = "pg"

// SnapshotVersion is the version of mizzle's snapshot format. It differs
// from drizzle-kit's ("5" to "7") because the content differs: a mizzle
// snapshot is a schema.Model, not drizzle-kit's JSON, and the version is how
// a reader tells the two apart.
const SnapshotVersion = "mizzle/1"

// ZeroID is the prevId of the first snapshot, as in drizzle-kit, and the id
// the empty folder stands at.
const ZeroID = "00000000-0000-0000-0000-000000000000"

// idSpace is the name space of snapshot ids (name-based UUIDs, version 5).
// It is derived from a URL mizzle owns so that it never changes and never
// collides with another tool's.
var idSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/mizzle/mizzle/snapshot"))

// Snapshot is a snapshot file as read: its place in the chain and, for a
// mizzle snapshot, the model after its migration.
type Snapshot struct {
	ID     string
	PrevID string
	// Model is the schema after the migration, stripped (see Strip) and
	// sorted. It is nil for a drizzle-kit snapshot.
	Model *schema.Model
	// DrizzleKit reports a snapshot written by drizzle-kit. Only its id
	// and prevId are read: they chain with mizzle's, so a project can move
	// from drizzle-kit to mizzle without rewriting its history, but its
	// schema is in drizzle-kit's format and cannot be the base of a diff.
	DrizzleKit bool
}

// snapshotJSON is the file layout: drizzle-kit's header (id, prevId,
// version, dialect) followed by the model. The lists are always written,
// empty or not, so every snapshot has the same shape.
type snapshotJSON struct {
	ID      string           `json:"id"`
	PrevID  string           `json:"prevId"`
	Version string           `json:"version"`
	Dialect string           `json:"dialect"`
	Schemas []*schema.Schema `json:"schemas"`
	// Extensions is left out when empty, so that a model without any
	// writes the bytes it did before extensions existed.
	Extensions []*schema.Extension `json:"extensions,omitempty"`
	// Sequences, like Extensions, is left out when empty.
	Sequences []*schema.Sequence `json:"sequences,omitempty"`
	Enums     []*schema.Enum     `json:"enums"`
	Tables    []*schema.Table    `json:"tables"`
	// Functions is left out when empty, as Extensions.
	Functions []*schema.Function `json:"functions,omitempty"`
	// Views is left out when empty, as Extensions is.
	Views []*schema.View `json:"views,omitempty"`
}

// MarshalSnapshot returns the snapshot of m that follows the snapshot
// prevID, and its id. The model is stripped first (see Strip), so the file
// holds database state only and does not depend on where the Go sources
// live.
//
// The id is a version 5 UUID of prevID and the model's canonical JSON, in a
// name space of mizzle's: the same model after the same parent always gets
// the same id, so two runs write byte-identical files. Keys come in a fixed
// order, the indent is two spaces and the file ends in a newline.
func MarshalSnapshot(prevID string, m *schema.Model) (id string, data []byte) {
	s := Strip(m)
	id = snapshotID(prevID, s)
	data = jsonfile.Marshal(snapshotJSON{
		ID:         id,
		PrevID:     prevID,
		Version:    SnapshotVersion,
		Dialect:    migrate.Dialect,
		Schemas:    nonNil(s.Schemas),
		Extensions: s.Extensions,
		Sequences:  s.Sequences,
		Enums:      nonNil(s.Enums),
		Tables:     nonNil(s.Tables),
		Functions:  s.Functions,
		Views:      s.Views,
	})
	return id, data
}

// snapshotID hashes the parent's id and the stripped model. Hashing the
// parent too keeps ids distinct along the chain when a migration leaves the
// model as it was (a custom migration).
func snapshotID(prevID string, s *schema.Model) string {
	var b bytes.Buffer
	b.WriteString(prevID)
	b.WriteByte('\n')
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Schemas    []*schema.Schema    `json:"schemas"`
		Extensions []*schema.Extension `json:"extensions,omitempty"`
		Sequences  []*schema.Sequence  `json:"sequences,omitempty"`
		Enums      []*schema.Enum      `json:"enums"`
		Tables     []*schema.Table     `json:"tables"`
		Functions  []*schema.Function  `json:"functions,omitempty"`
		Views      []*schema.View      `json:"views,omitempty"`
	}{nonNil(s.Schemas), s.Extensions, s.Sequences, nonNil(s.Enums), nonNil(s.Tables), s.Functions, s.Views})
	if err != nil {
		panic("migrations: " + err.Error()) // plain data: cannot fail
	}
	return uuid.NewSHA1(idSpace, b.Bytes()).String()
}

// ParseSnapshot decodes a snapshot file, mizzle's or drizzle-kit's (see
// Snapshot.DrizzleKit). A syntax or type error is a *migrate.JSONError with the line
// and column of the mistake; a model that fails schema.Model.Validate is an
// error too.
func ParseSnapshot(data []byte) (*Snapshot, error) {
	// Nearly every snapshot is mizzle's, read whole in one pass. When that
	// pass fails or finds another version or dialect, the file is read
	// again as below, so every error and every other kind of snapshot is
	// what the two passes say; when it succeeds, the header pass would have
	// read the same values from it, and the mizzle branch below the same
	// model.
	var s snapshotJSON
	if jsonfile.Unmarshal(data, &s) == nil && s.Version == SnapshotVersion && s.Dialect == migrate.Dialect {
		return mizzleSnapshot(&s)
	}
	// Read the header first: the version says how to read the rest.
	var head struct {
		ID      string          `json:"id"`
		PrevID  string          `json:"prevId"`
		Version string          `json:"version"`
		Dialect string          `json:"dialect"`
		Tables  json.RawMessage `json:"tables"`
	}
	if err := jsonfile.Unmarshal(data, &head); err != nil {
		return nil, err
	}
	switch {
	case head.Version == SnapshotVersion:
		if head.Dialect != migrate.Dialect {
			return nil, fmt.Errorf("dialect is %q, not %q: mizzle manages PostgreSQL migrations only", head.Dialect, migrate.Dialect)
		}
		var s snapshotJSON
		if err := jsonfile.Unmarshal(data, &s); err != nil {
			return nil, err
		}
		return mizzleSnapshot(&s)
	case isDrizzleKit(head.Version, head.Tables):
		if head.Dialect != migrate.Dialect && head.Dialect != legacyDialect {
			return nil, fmt.Errorf("drizzle-kit snapshot for dialect %q, not %q: mizzle manages PostgreSQL migrations only", head.Dialect, migrate.Dialect)
		}
		if head.ID == "" {
			return nil, errors.New(`has no "id"`)
		}
		return &Snapshot{ID: head.ID, PrevID: head.PrevID, DrizzleKit: true}, nil
	}
	return nil, fmt.Errorf("snapshot version %q is not one this mizzle reads (%q, or drizzle-kit's): update mizzle", head.Version, SnapshotVersion)
}

// mizzleSnapshot checks a decoded mizzle snapshot and returns it.
func mizzleSnapshot(s *snapshotJSON) (*Snapshot, error) {
	if s.ID == "" {
		return nil, errors.New(`has no "id"`)
	}
	m := &schema.Model{Schemas: s.Schemas, Extensions: s.Extensions, Sequences: s.Sequences, Enums: s.Enums, Tables: s.Tables, Functions: s.Functions, Views: s.Views}
	// A snapshot is the base of the next diff: one edited into nonsense (a
	// column twice, a key on a column that is gone) is refused here, where
	// the error can name the file.
	if err := m.Validate(); err != nil {
		return nil, err
	}
	// The model was just decoded and nothing else holds it: it is stripped
	// where it is rather than copied.
	return &Snapshot{ID: s.ID, PrevID: s.PrevID, Model: strip(m)}, nil
}

// isDrizzleKit recognises drizzle-kit's snapshots: numeric versions up to 7
// and tables keyed by name in an object, where mizzle has a list.
func isDrizzleKit(version string, tables json.RawMessage) bool {
	switch version {
	case "1", "2", "3", "4", "5", "6", "7":
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(tables), []byte("{"))
}

// SnapshotPath returns the path, inside a migrations folder, of the
// snapshot of the migration with the given tag: meta/ and its SnapshotFile.
// It is migrate.SnapshotPath, by which the migrator refuses two tags that
// would share a snapshot.
func SnapshotPath(tag string) string { return migrate.SnapshotPath(tag) }

// SnapshotFile returns the file name, inside meta/, of the snapshot of the
// migration with the given tag: <prefix>_snapshot.json, where the prefix is
// the tag up to its first "_", as drizzle-kit names them.
func SnapshotFile(tag string) string { return path.Base(SnapshotPath(tag)) }

// Strip returns a sorted deep copy of m holding database state only: no
// source positions, Go types, Go field names, doc comments, rename hints
// (Was), Go package, or the texts a database prints expressions back as
// (the Parsed fields, which Normalize sets for one comparison). Rename hints are dropped because they describe one
// step between models, not a model; a snapshot that kept them would replay
// the rename at the next diff. Empty lists are normalised (those JSON always
// writes become empty, the others nil) so a model loaded from Go and one read
// back from JSON compare equal and hash alike. m is not changed.
func Strip(m *schema.Model) *schema.Model {
	if m == nil {
		return &schema.Model{}
	}
	return strip(m.Clone())
}

// strip is Strip changing c itself, which it returns.
func strip(c *schema.Model) *schema.Model {
	// The seed settings are the package's, like Go: no database holds them.
	c.Go, c.Seed = schema.GoPackage{}, nil
	for _, s := range c.Schemas {
		s.Was = ""
	}
	for _, x := range c.Extensions {
		x.Pos = schema.Position{}
	}
	for _, s := range c.Sequences {
		s.Was, s.Pos = "", schema.Position{}
	}
	for _, f := range c.Functions {
		f.Pos, f.File, f.ParsedSignature, f.ParsedDefinition = schema.Position{}, "", "", ""
	}
	for _, e := range c.Enums {
		e.Was, e.GoType, e.Pos = "", schema.GoType{}, schema.Position{}
		e.Values = nonNil(e.Values)
	}
	for _, t := range c.Tables {
		t.Was, t.Doc, t.GoType, t.Pos, t.GoFields, t.Relations = "", "", schema.GoType{}, schema.Position{}, nil, nil
		t.Columns = nonNil(t.Columns)
		for _, col := range t.Columns {
			col.Was, col.GoField, col.GoType, col.Pos = "", "", schema.GoType{}, schema.Position{}
			col.Gen, col.OnUpdate, col.OnUpdateGen = "", "", false
			col.ParsedDefault, col.ParsedGenerated = "", ""
		}
		if pk := t.PrimaryKey; pk != nil {
			pk.Pos = schema.Position{}
			pk.Columns = nonNil(pk.Columns)
		}
		for i := range t.Uniques {
			t.Uniques[i].Pos = schema.Position{}
			t.Uniques[i].Columns = nonNil(t.Uniques[i].Columns)
		}
		for i := range t.Checks {
			t.Checks[i].Pos, t.Checks[i].Parsed = schema.Position{}, ""
		}
		for i := range t.ForeignKeys {
			fk := &t.ForeignKeys[i]
			fk.Pos = schema.Position{}
			fk.Columns, fk.RefColumns = nonNil(fk.Columns), nonNil(fk.RefColumns)
		}
		for i := range t.Indexes {
			t.Indexes[i].Pos, t.Indexes[i].ParsedWhere = schema.Position{}, ""
			t.Indexes[i].Elements = nonNil(t.Indexes[i].Elements)
			for k := range t.Indexes[i].Elements {
				t.Indexes[i].Elements[k].ParsedExpr = ""
			}
		}
		for i := range t.Policies {
			t.Policies[i].Pos, t.Policies[i].ParsedUsing, t.Policies[i].ParsedWithCheck = schema.Position{}, "", ""
			t.Policies[i].Was = ""
			t.Policies[i].Roles = nilIfEmpty(t.Policies[i].Roles)
		}
		t.Policies = nilIfEmpty(t.Policies)
		for i := range t.Triggers {
			tg := &t.Triggers[i]
			tg.Pos, tg.ParsedWhen = schema.Position{}, ""
			tg.Events = nonNil(tg.Events)
			tg.Columns, tg.Args = nilIfEmpty(tg.Columns), nilIfEmpty(tg.Args)
		}
		t.Triggers = nilIfEmpty(t.Triggers)
		if p := t.Partition; p != nil {
			p.Pos = schema.Position{}
			p.Columns = nonNil(p.Columns)
			for i := range p.Partitions {
				p.Partitions[i].Pos, p.Partitions[i].ParsedBound = schema.Position{}, ""
			}
			p.Partitions = nilIfEmpty(p.Partitions)
		}
		t.Uniques, t.Checks = nilIfEmpty(t.Uniques), nilIfEmpty(t.Checks)
		t.ForeignKeys, t.Indexes = nilIfEmpty(t.ForeignKeys), nilIfEmpty(t.Indexes)
	}
	c.Schemas, c.Enums, c.Tables = nilIfEmpty(c.Schemas), nilIfEmpty(c.Enums), nilIfEmpty(c.Tables)
	c.Extensions, c.Sequences = nilIfEmpty(c.Extensions), nilIfEmpty(c.Sequences)
	c.Functions = nilIfEmpty(c.Functions)
	stripViews(c)
	c.Sort()
	return c
}

// nonNil returns s, or an empty slice for nil, for lists JSON writes even
// when empty ([] rather than null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nilIfEmpty returns nil for an empty s, for lists JSON omits when empty.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// stripViews is strip for views: as for tables, plus the columns' NOT
// NULL, which PostgreSQL keeps for no view.
func stripViews(c *schema.Model) {
	for _, v := range c.Views {
		v.Was, v.Doc, v.GoType, v.Pos, v.GoFields, v.ParsedDefinition = "", "", schema.GoType{}, schema.Position{}, nil, ""
		v.Columns = nonNil(v.Columns)
		for _, col := range v.Columns {
			col.Was, col.GoField, col.GoType, col.Pos, col.NotNull = "", "", schema.GoType{}, schema.Position{}, false
		}
		for i := range v.Indexes {
			v.Indexes[i].Pos, v.Indexes[i].ParsedWhere = schema.Position{}, ""
			v.Indexes[i].Elements = nonNil(v.Indexes[i].Elements)
			for k := range v.Indexes[i].Elements {
				v.Indexes[i].Elements[k].ParsedExpr = ""
			}
		}
		v.Indexes = nilIfEmpty(v.Indexes)
	}
	c.Views = nilIfEmpty(c.Views)
}
