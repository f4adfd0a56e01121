package cli

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/schema"
)

// addNoCacheFlag adds --no-cache to a command that loads the schema
// package through loadSchema.
func addNoCacheFlag(cmd *cobra.Command) {
	cmd.Flags().Bool("no-cache", false, "load the schema package with the go command even when the model cache has it")
}

// loadSchema loads the schema package in dir through the model cache:
// when no file the last load read has changed, the model comes from the
// cache without starting the go command. The cache lives in the user's
// cache directory, never in the project, so it needs no .gitignore line
// and works in a read-only checkout; MIZZLE_CACHE names another directory
// or turns it off, as does --no-cache.
func loadSchema(cmd *cobra.Command, dir string) (*schema.Model, error) {
	noCache, _ := cmd.Flags().GetBool("no-cache") // false when the command has no such flag
	cacheDir, err := modelCacheDir(noCache)
	if err != nil {
		return nil, err
	}
	return loader.Load(cmd.Context(), loader.Config{Dir: dir, CacheDir: cacheDir})
}

// modelCacheDir returns the model cache's directory, or "" when it is
// off: --no-cache, MIZZLE_CACHE=off, or no cache directory for the user
// (no $HOME), where loading works as without a cache.
func modelCacheDir(noCache bool) (string, error) {
	if noCache {
		return "", nil
	}
	switch v := os.Getenv("MIZZLE_CACHE"); {
	case v == "off":
		return "", nil
	case v != "":
		// Relative to what? A go generate line runs in each package's
		// directory, so a relative path would scatter caches in the
		// project, as GOCACHE's rule avoids too.
		if !filepath.IsAbs(v) {
			return "", errors.New("MIZZLE_CACHE is not an absolute path: set it to an absolute directory, or to off to turn the model cache off")
		}
		return v, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", nil
	}
	return filepath.Join(d, "mizzle"), nil
}
