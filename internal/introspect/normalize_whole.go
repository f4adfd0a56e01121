package introspect

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/cachecodec"
	"github.com/mizzle/mizzle/schema"
)

// The whole-model layer of the answer cache.
//
// A push repeated without a change to the schema normalizes the same model
// on the same server again. Finding each table's and view's answers costs
// planning its statements to hash them, which at 1,000 tables is a good
// part of a push with nothing to do; so the normalized model as a whole is
// kept too, under a key that hashes the model itself (every field, with
// the encoding the model cache uses), mizzle's build and the server's
// version, search path and extensions: the same inputs as the units' keys,
// and more (a model whose positions moved misses here and hits there).
// Only the last wholeKeep models are kept; a file that cannot be read, or
// fails its checksum, is a miss.

// wholeMagic starts every file of a whole model; change it whenever what
// the key covers changes.
const wholeMagic = "mizzle normalized model 1\n"

// wholeKeep is how many whole models the cache keeps, the most recently
// used: enough for switching between a few branches.
const wholeKeep = 4

// serverFacts describes the server tx is on as far as Normalize's answers
// depend on it: its version, search path and extensions.
func serverFacts(ctx context.Context, tx pgx.Tx) (string, error) {
	var path, extensions string
	var version int
	err := tx.QueryRow(ctx, `SELECT current_setting('search_path'), current_setting('server_version_num')::int,
		coalesce((SELECT string_agg(e.extname || ' ' || e.extversion || ' ' || n.nspname, ',' ORDER BY e.extname)
			FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace), '')`).Scan(&path, &version, &extensions)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n%s\n%s", version, path, extensions), nil
}

// wholePath is the file that keeps m normalized on the server described by
// server, or "" when m cannot be encoded.
func wholePath(cacheDir string, m *schema.Model, server string) string {
	data, err := cachecodec.Encode(m)
	if err != nil {
		return ""
	}
	h := sha256.New()
	for _, f := range []string{wholeMagic, buildID(), server} {
		fmt.Fprintf(h, "%d %s\n", len(f), f)
	}
	h.Write(data)
	return filepath.Join(cacheDir, "normalize", "model-"+hex.EncodeToString(h.Sum(nil)))
}

// readWhole returns the normalized model kept at path, or nil.
func readWhole(path string) *schema.Model {
	if path == "" {
		return nil
	}
	body, ok := readCacheFile(path, wholeMagic)
	if !ok {
		return nil
	}
	m := &schema.Model{}
	if err := cachecodec.Decode(body, m); err != nil {
		return nil
	}
	// Its time says when it was last used, for writeWhole's trimming.
	now := time.Now()
	os.Chtimes(path, now, now)
	return m
}

// writeWhole keeps out at path, and removes all but the wholeKeep most
// recently used whole models. Like the rest of the cache, it fails
// quietly: a model not kept is built again.
func writeWhole(path string, out *schema.Model) {
	if path == "" {
		return
	}
	body, err := cachecodec.Encode(out)
	if err != nil {
		return
	}
	if !writeCacheFile(path, wholeMagic, body) {
		return
	}
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type kept struct {
		name string
		used time.Time
	}
	var models []kept
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), "model-") {
			models = append(models, kept{e.Name(), fi.ModTime()})
		}
	}
	slices.SortFunc(models, func(a, b kept) int { return cmp.Or(b.used.Compare(a.used), strings.Compare(a.name, b.name)) })
	for _, k := range models[min(len(models), wholeKeep):] {
		if filepath.Join(dir, k.name) != path {
			os.Remove(filepath.Join(dir, k.name))
		}
	}
}
