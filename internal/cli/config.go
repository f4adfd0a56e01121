package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// configName is the file mizzle looks for in the working directory and
// its parents.
const configName = "mizzle.yaml"

// config holds the settings a project states once instead of on every
// command line. Paths in the file are relative to the file's directory.
type config struct {
	// Schema is the directory of the schema package.
	Schema string `yaml:"schema"`
	// Migrations is the migrations folder.
	Migrations string `yaml:"migrations"`
	// Query is the folder of the generated query package; empty means
	// generate writes none.
	Query string `yaml:"query"`
	// Queries is the folder of hand-written .sql queries that generate
	// turns into methods of the query package; empty means none.
	Queries string `yaml:"queries"`
	// MigrationsTable is the history table, "schema.table" or "table".
	MigrationsTable string `yaml:"migrationsTable"`
	// Drizzle records migrations in drizzle-orm's table and layout.
	Drizzle bool `yaml:"drizzle"`
	// Schemas are the database schemas push manages; empty means public
	// and those the schema package uses.
	Schemas []string `yaml:"schemas"`
	// DatabaseURL is the database, when neither --database-url nor
	// DATABASE_URL names one. Prefer the environment for anything with a
	// password.
	DatabaseURL string `yaml:"databaseUrl"`
	// TableLockTimeout bounds how long each statement of a migration
	// waits for a lock (PostgreSQL's lock_timeout): migrate sets it for
	// every migration, and lint then counts it as set.
	TableLockTimeout duration `yaml:"tableLockTimeout"`
	// Online makes generate write the online forms of changes to
	// existing tables, as --online does.
	Online bool `yaml:"online"`
	// Seed holds mizzle seed's counts and column settings (seed_config.go).
	Seed seedConfig `yaml:"seed"`
	// Pooler says whether the database URL goes through a transaction
	// pooler (true), or never does (false, for a pooler in session
	// mode); absent, the migrator detects one.
	Pooler *bool `yaml:"pooler"`

	// dir is the directory of the file the settings came from; "" when
	// there is none.
	dir  string
	file string
}

// findConfig returns the path of the config file that governs dir: the
// first mizzle.yaml in dir or one of its parents, or "" when there is none.
func findConfig(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, configName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// loadConfig reads a config file. Unknown keys are errors, so a typo does
// not silently fall back to a default; they name the file, line and column.
func loadConfig(path string) (*config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &config{dir: filepath.Dir(path), file: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err != io.EOF {
		return nil, configError(path, err)
	}
	return c, nil
}

var (
	yamlLine    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlValue   = regexp.MustCompile(" `[^`]*`")
	yamlUnknown = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// configKeys lists the keys of mizzle.yaml, for the unknown-key error.
func configKeys() string {
	t := reflect.TypeFor[config]()
	var keys []string
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" {
			keys = append(keys, k)
		}
	}
	return strings.Join(keys, ", ")
}

// configError rewrites the YAML decoder's "line N: msg" errors as
// "file:N: msg", the form editors and terminals turn into links. It drops
// the start of the value that a type mismatch quotes ("cannot unmarshal
// !!str `postgre...` into bool"): the file may hold a database URL, and a
// value under the wrong key may be a password.
func configError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := yamlValue.ReplaceAllString(err.Error(), "")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg := m[2]
		// The decoder names the Go type it fills, which means nothing to
		// the person who wrote the file.
		if u := yamlUnknown.FindStringSubmatch(msg); u != nil {
			msg = fmt.Sprintf("unknown key %q (the keys are %s)", u[1], configKeys())
		}
		return fmt.Errorf("%s:%d: %s", path, n, msg)
	}
	return fmt.Errorf("%s: %s", path, msg)
}

// path resolves a setting: the flag when it was given (relative to the
// working directory), else the config value (relative to the config file),
// else def.
func (c *config) path(flagSet bool, flagValue, configValue, def string) string {
	switch {
	case flagSet:
		return flagValue
	case configValue != "" && c.dir != "":
		if filepath.IsAbs(configValue) {
			return configValue
		}
		return filepath.Join(c.dir, configValue)
	}
	return def
}

// duration is a mizzle.yaml value such as 2s or 500ms.
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v <= 0 || n.Kind != yaml.ScalarNode {
		// The value is not quoted back: a value under the wrong key may
		// be a secret.
		return fmt.Errorf("line %d: not a duration of more than zero, such as 2s or 500ms", n.Line)
	}
	*d = duration(v)
	return nil
}
