package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/querytype"
)

// The no-op memo.
//
// Most runs of generate (every go generate) change nothing, and with the
// model cache the load is no longer what such a run spends its time on:
// decoding the last snapshot and the cached model and diffing them are. The
// memo records that a run found nothing to write, under a hash of
// everything that run's outcome depends on, in the model cache's directory;
// a later run whose inputs hash the same says so again without reading
// either model:
//
//   - the resolved settings (the folders, --name, --drop-and-add, the query
//     flags), the working directory, whether a person could answer
//     questions, and the config file's path and content;
//   - the model, by loader.Fingerprint: mizzle's build, the go command and
//     its environment, and the content of every file the model was loaded
//     from;
//   - every file and folder name in the migrations folder and every file's
//     content, and the names of the query folder's files with the content
//     of its Go files.
//
// Content is hashed, never trusted from a modification time. Only a run
// that wrote nothing is recorded: its whole output is the one line
// noChanges, so a hit prints it and nothing else. Anything unusual (a file
// that cannot be read, a folder where a file should be, no model cache) is
// no memo rather than a guess, and so is a memo file that is not exactly
// what a run would write.

// memoMagic starts every memo and names its format.
const memoMagic = "mizzle generate no-op memo 1\n"

// noChanges is what generate prints when nothing changed.
const noChanges = "No schema changes, nothing to migrate."

// noopMemo is the memo of one generate run: where it is kept, and the hash
// of the run's inputs other than the model, taken before the run read them.
type noopMemo struct {
	path   string
	cfg    loader.Config // the model's load, for loader.Fingerprint
	inputs [sha256.Size]byte
}

// openNoopMemo returns the memo of a generate run with flags f, or nil when
// there is none: the model cache is off, the run writes a custom migration,
// or its inputs cannot all be hashed.
func openNoopMemo(cmd *cobra.Command, env *env, f generateFlags) *noopMemo {
	noCache, _ := cmd.Flags().GetBool("no-cache")
	cacheDir, err := modelCacheDir(noCache)
	if err != nil || cacheDir == "" || f.custom || f.query.noMigrations {
		return nil
	}
	h := sha256.New()
	field := func(name, value string) { fmt.Fprintf(h, "%s %d %s\n", name, len(value), value) }
	field("magic", memoMagic)
	field("cwd", env.cwd)
	for _, p := range []struct{ name, path string }{{"schema", f.schema}, {"migrations", f.migrations}, {"query", f.query.dir}, {"queries", f.query.queries}} {
		abs := ""
		if p.path != "" {
			if abs, err = filepath.Abs(p.path); err != nil {
				return nil
			}
		}
		field(p.name, abs)
	}
	field("name", f.name)
	field("flags", fmt.Sprint(f.dropAndAdd, f.query.noQuery, env.interactive))
	// Where the settings file is, and what it says: the resolved settings
	// above are what counts, but the file is small.
	config := env.configFile
	if config == "" {
		if config, err = findConfig(env.cwd); err != nil {
			return nil
		}
	}
	field("config", config)
	// The memo file is named by the settings, so a project has one memo for
	// each way generate is run in it, each replaced as its inputs change.
	m := &noopMemo{
		path: filepath.Join(cacheDir, "generate", hex.EncodeToString(h.Sum(nil))),
		cfg:  loader.Config{Dir: f.schema, CacheDir: cacheDir},
	}
	if config != "" && !hashFile(h, config) {
		return nil
	}
	if !hashTree(h, f.migrations) {
		return nil
	}
	if f.query.dir != "" && !hashQueryDir(h, f.query.dir) {
		return nil
	}
	// The query files and the migrations (above) are what the typed
	// queries depend on: unchanged, a run starts no PostgreSQL.
	if f.query.queries != "" && !hashTree(h, f.query.queries) {
		return nil
	}
	m.inputs = [sha256.Size]byte(h.Sum(nil))
	return m
}

// sum is the memo's content for the inputs hashed when it was opened and the
// model as it is now, and false when the model cache does not vouch for one.
func (m *noopMemo) sum() ([]byte, bool) {
	model, ok := loader.Fingerprint(m.cfg)
	if !ok {
		return nil, false
	}
	h := sha256.New()
	h.Write(m.inputs[:])
	h.Write(model[:])
	return []byte(memoMagic + hex.EncodeToString(h.Sum(nil)) + "\n"), true
}

// hit reports whether an earlier run with the same inputs wrote nothing.
func (m *noopMemo) hit() bool {
	if m == nil {
		return false
	}
	want, ok := m.sum()
	if !ok {
		return false
	}
	got, err := os.ReadFile(m.path)
	return err == nil && bytes.Equal(got, want)
}

// record notes that the run wrote nothing, when its inputs are still those
// hashed before it read them: a file saved during the run might have been
// read in either version. A memo that cannot be written is not written.
func (m *noopMemo) record(cmd *cobra.Command, env *env, f generateFlags) {
	if m == nil {
		return
	}
	again := openNoopMemo(cmd, env, f)
	if again == nil || again.inputs != m.inputs || again.path != m.path {
		return
	}
	data, ok := m.sum()
	if !ok {
		return
	}
	_ = writeFileAtomic(m.path, data)
}

// hashFile adds path's name and content to h, and reports whether it could
// read it.
func hashFile(h hash.Hash, path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	fmt.Fprintf(h, "file %d %s %d\n", len(path), path, len(data))
	h.Write(data)
	return true
}

// hashTree adds every name under dir (with whether it is a folder) and the
// content of every file to h, and reports whether it could read them all. A
// missing dir is a state of its own: generate reads it as an empty folder.
func hashTree(h hash.Hash, dir string) bool {
	fmt.Fprintf(h, "tree %d %s\n", len(dir), dir)
	// Through a symbolic link too, as generate reads it; one to a folder
	// fails to read, and there is no memo.
	return querytype.HashFS(h, os.DirFS(dir)) == nil
}

// hashQueryDir adds the names in the query folder (with whether each is a
// folder) and the content of its Go files to h: what planGenerated reads.
func hashQueryDir(h hash.Hash, dir string) bool {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(h, "query %d %s absent\n", len(dir), dir)
		return true
	case err != nil:
		return false
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	fmt.Fprintf(h, "query %d %s\n", len(dir), dir)
	for _, e := range entries {
		fmt.Fprintf(h, "entry %d %s %v\n", len(e.Name()), e.Name(), e.IsDir())
		if e.IsDir() || filepath.Ext(e.Name()) != ".go" {
			continue
		}
		if !hashFile(h, filepath.Join(dir, e.Name())) {
			return false
		}
	}
	return true
}
