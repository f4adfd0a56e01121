package querytype

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mizzle/mizzle/internal/pgcluster"
)

// The initdb template.
//
// initdb is most of what a throwaway cluster costs: it bootstraps the
// catalogs by running the server in single-user mode, a second or more,
// where typing 200 queries takes a tenth of that. A data directory fresh
// from initdb is the same every time for the same programs and options
// (mizzle's: superuser postgres, trust, UTF8, the C locale), and one that
// was never started is shut down cleanly, so a copy of it starts as
// initdb's own would. The first cluster of a cache directory keeps a copy
// of its data directory there, under a hash of the initdb program's path
// and its major version; later clusters copy it, which takes tens of
// milliseconds. A template is written to a temporary name and renamed
// when complete, so a reader never sees half of one; one that does not
// copy, or whose copy does not start, is removed and initdb runs again.

// templateMagic names the template's layout and the initdb options; change
// it with either.
const templateMagic = "mizzle initdb template 1"

// templateDir is where the template of bin's programs lives in cacheDir,
// or "" when there is no cache or no version.
func templateDir(cacheDir string, bin pgcluster.Binaries) string {
	if cacheDir == "" {
		return ""
	}
	major, err := bin.Version()
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", templateMagic, bin.Initdb, major)
	return filepath.Join(cacheDir, "initdb", hex.EncodeToString(h.Sum(nil))[:32])
}

// completeFile marks a template whose copy finished.
const completeFile = "complete"

// fromTemplate copies the template in tmpl into data, owned by cred, and
// reports whether there was a complete one to copy.
func fromTemplate(tmpl, data string, cred *syscall.Credential) (bool, error) {
	if tmpl == "" {
		return false, nil
	}
	if _, err := os.Stat(filepath.Join(tmpl, completeFile)); err != nil {
		return false, nil
	}
	if err := copyTree(filepath.Join(tmpl, "data"), data, cred); err != nil {
		os.RemoveAll(data)
		return false, err
	}
	return true, nil
}

// saveTemplate copies data, fresh from initdb, to tmpl, unless another
// run was first. Errors leave no template: the next run runs initdb.
func saveTemplate(data, tmpl string) {
	if tmpl == "" {
		return
	}
	if _, err := os.Stat(tmpl); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(tmpl), 0o755); err != nil {
		return
	}
	var b [8]byte
	rand.Read(b[:])
	tmp := tmpl + ".tmp-" + hex.EncodeToString(b[:])
	defer os.RemoveAll(tmp)
	if os.Mkdir(tmp, 0o755) != nil || copyTree(data, filepath.Join(tmp, "data"), nil) != nil {
		return
	}
	if os.WriteFile(filepath.Join(tmp, completeFile), nil, 0o644) != nil {
		return
	}
	// Another run may have renamed its own in the meantime: theirs stays.
	os.Rename(tmp, tmpl)
}

// copyTree copies the directory from to to, which must not exist, files
// and folders with their permission bits, owned by cred when set.
func copyTree(from, to string, cred *syscall.Credential) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil {
				return err
			}
		case d.Type().IsRegular():
			if err := copyFile(path, target, info.Mode().Perm()); err != nil {
				return err
			}
		default:
			// initdb makes no links or devices; a template that has one
			// was not made by it.
			return errors.New(path + ": not a file or a folder")
		}
		if cred != nil {
			return os.Lchown(target, int(cred.Uid), int(cred.Gid))
		}
		return nil
	})
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
