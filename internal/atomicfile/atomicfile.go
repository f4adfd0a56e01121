// Package atomicfile writes a file whole or not at all: through a
// temporary file in the same folder and a rename, so that a reader finds
// the old content or the new, never a part, and a failed write leaves the
// old file and no temporary one. The caches (the loader's models,
// Normalize's answers, the typed queries) and generate's output use it.
//
// It does not sync to disk: a crash may lose the new content, never mix
// it with the old. What it writes is a cache or is written again by the
// next run.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm, creating path's folder
// when missing.
func Write(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
