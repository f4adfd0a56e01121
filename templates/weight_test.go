package templates

import (
	"io/fs"
	"testing"
)

// pageBudget bounds the page with everything it loads, uncompressed: the
// studio stays a page that opens at once, not an application to download.
const pageBudget = 300 << 10

// TestPageWeight sums index.html and every file under static/.
func TestPageWeight(t *testing.T) {
	total, files := 0, 0
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS, path)
		total += len(b)
		files++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("%d files: the walk missed the page", files)
	}
	t.Logf("the page weighs %d bytes (%.1f KB) in %d files, of a budget of %d KB", total, float64(total)/1024, files, pageBudget>>10)
	if total > pageBudget {
		t.Errorf("the page weighs %.1f KB in %d files, over its budget of %d KB", float64(total)/1024, files, pageBudget>>10)
	}
}
