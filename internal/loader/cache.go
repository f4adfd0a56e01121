package loader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/mizzle/mizzle/internal/atomicfile"
	"github.com/mizzle/mizzle/internal/cachecodec"
	"github.com/mizzle/mizzle/schema"
)

// The model cache.
//
// Loading runs the go command (go list) and type-checks the schema package,
// which at 1,000 tables is most of a generate that changes nothing. The
// cache keeps each loaded model in a file of its own under Config.CacheDir,
// and a later Load returns it without starting the go command when nothing
// it depends on has changed.
//
// An entry's file name is a hash of what says how the package is loaded
// rather than what it holds: mizzle's own build, the go command's, the
// environment variables the go command reads, its configuration files and
// the schema directory. The entry lists every input the model was read
// from, each with the SHA-256 of its content, and a hit re-hashes them all:
//
//   - the go.mod and go.sum of the main module, the go.work and go.work.sum
//     in use, and the absence of the go.mod and go.work files the go command
//     would find first if they were created;
//   - every directory of the package and of the packages it imports,
//     transitively, that lives on the local disk: in the main module, in a
//     module of the workspace, in a module replaced by a directory, or in
//     the vendor directory; the list of source file names of each (so a new
//     or deleted file is a change) and the content of each source file,
//     whatever its build constraints say;
//   - vendor/modules.txt;
//   - the files the schema package's //mizzle:function markers read.
//
// Imported packages elsewhere are the standard library, which the go
// command's identity covers, and the module cache, whose content the
// versions in go.mod and the sums in go.sum pin. Content is hashed, never
// trusted from a modification time: an editor may save twice within the
// clock's resolution, and a checkout restores old times.
//
// Errors of the cache never fail a Load: an entry that cannot be read or
// decoded is a miss, and one that cannot be written is not written.

// cacheMagic starts every entry. It names the format: change it whenever
// the entry's layout or what the key covers changes, so that entries of an
// older mizzle are misses rather than misread.
const cacheMagic = "mizzle model cache 4\n"

// cacheTrimAge is how long an entry may go unused before a Load that writes
// an entry removes it; cacheTouchAge how old an entry's modification time
// may be before a hit refreshes it (so that hits do not write each time).
const (
	cacheTrimAge  = 7 * 24 * time.Hour
	cacheTouchAge = time.Hour
)

// sourceExts are the extensions of the files the go command builds a
// package from; a change to any of them may change what loads.
var sourceExts = []string{
	".go", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx",
	".m", ".s", ".S", ".sx", ".f", ".F", ".for", ".f90", ".swig", ".swigcxx", ".syso",
}

// inputKind says how an input's sum is computed.
type inputKind uint8

const (
	inputFile inputKind = iota + 1 // the file's content; absent is a value too
	inputDir                       // the sorted names of the source files in the directory
)

// cacheInput is one file or directory a model was loaded from.
type cacheInput struct {
	Kind inputKind
	Path string
	Sum  [sha256.Size]byte
}

// cacheEntry is what an entry file holds after the magic and the checksum.
type cacheEntry struct {
	Inputs []cacheInput
	Model  *schema.Model
}

// modelCache is the cache as one Load sees it: the entry's path, and the
// environment the go command will run with.
type modelCache struct {
	dir  string // Config.CacheDir/models
	path string // the entry
	env  map[string]string
	root string // the schema directory, absolute
	logf func(format string, args ...any)
}

// openCache returns the cache of the load cfg describes, or an error saying
// why that load cannot be cached.
func openCache(cfg Config) (*modelCache, error) {
	if cfg.Pattern != "" && cfg.Pattern != "." {
		// An import path or a pattern needs the go command to find its
		// directory: only "the package in Dir" is cached.
		return nil, fmt.Errorf("pattern %q is not the package in the directory", cfg.Pattern)
	}
	root, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	env := effectiveEnv(cfg.Env)
	if env["GO111MODULE"] == "off" {
		return nil, errors.New("GO111MODULE=off: GOPATH mode")
	}
	goenv, goenvData, err := goenvFile(env)
	if err != nil {
		return nil, err
	}
	goflags := env["GOFLAGS"]
	if goflags == "" {
		// go env -w GOFLAGS=... applies when the environment has none
		// (an empty variable counts as none, as for the go command).
		for _, line := range strings.Split(string(goenvData), "\n") {
			if v, ok := strings.CutPrefix(line, "GOFLAGS="); ok {
				goflags = v
			}
		}
	}
	for _, f := range strings.Fields(goflags) {
		// Flags that name files the go command reads instead of the
		// module's own.
		if strings.HasPrefix(f, "-modfile") || strings.HasPrefix(f, "--modfile") ||
			strings.HasPrefix(f, "-overlay") || strings.HasPrefix(f, "--overlay") {
			return nil, fmt.Errorf("GOFLAGS has %s", f)
		}
	}
	key, err := cacheKey(root, env, goenv, goenvData)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.CacheDir, "models")
	return &modelCache{
		dir:  dir,
		path: filepath.Join(dir, key),
		env:  env,
		root: root,
		logf: cfg.Logf,
	}, nil
}

// effectiveEnv is the environment the go command runs with: go/packages
// appends Config.Env to the process's, and the last value of a name wins.
func effectiveEnv(extra []string) map[string]string {
	env := map[string]string{}
	for _, kv := range append(os.Environ(), extra...) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// ignoredEnv are variables of the go command's family that do not change
// what is loaded: go generate sets the first three for each directive, so
// keeping them would give each //go:generate line an entry of its own.
var ignoredEnv = map[string]bool{"GOFILE": true, "GOLINE": true, "GOPACKAGE": true}

// cacheKey hashes what decides how the schema directory is loaded, without
// reading the sources: this mizzle, the go command, the environment and the
// go command's configuration files.
func cacheKey(root string, env map[string]string, goenv string, goenvData []byte) (string, error) {
	h := sha256.New()
	field := func(name, value string) {
		fmt.Fprintf(h, "%s %d %s\n", name, len(value), value)
	}
	field("magic", cacheMagic)
	self, err := executableID()
	if err != nil {
		return "", fmt.Errorf("mizzle's executable: %w", err)
	}
	field("mizzle", self)
	goID, err := goCommandID()
	if err != nil {
		return "", fmt.Errorf("the go command: %w", err)
	}
	field("go", goID)
	var names []string
	for k := range env {
		if (strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX") && !ignoredEnv[k] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		field("env "+k, env[k])
	}
	field("goenv "+goenv, string(goenvData))
	field("dir", root)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goenvFile returns the path and content of the file where go env -w
// writes defaults for the variables above: GOENV, else go/env in the
// user's configuration directory. Both are empty when there is none.
func goenvFile(env map[string]string) (string, []byte, error) {
	path := env["GOENV"]
	if path == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", nil, nil
		}
		path = filepath.Join(d, "go", "env")
	}
	if path == "off" {
		return "", nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, err
	}
	return path, data, nil
}

// executableID identifies the running mizzle: its build information (the
// module versions and build settings) and its file, whose size and time
// change whenever a new build replaces it. A version alone would not do:
// every build in a checkout calls itself "(devel)".
func executableID() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	info := "no build information"
	if bi, ok := debug.ReadBuildInfo(); ok {
		info = bi.String()
	}
	return fmt.Sprintf("%s %d %d\n%s", exe, fi.Size(), fi.ModTime().UnixNano(), info), nil
}

// goCommandID identifies the go command go/packages will start: the file
// that "go" resolves to on the PATH, and the VERSION and go.env files of its
// GOROOT. The standard library comes with it.
func goCommandID() (string, error) {
	path, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	if path, err = filepath.Abs(path); err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	goroot := filepath.Dir(filepath.Dir(path))
	version, _ := os.ReadFile(filepath.Join(goroot, "VERSION"))
	goenv, _ := os.ReadFile(filepath.Join(goroot, "go.env"))
	return fmt.Sprintf("%s %d %d\n%s\n%s", path, fi.Size(), fi.ModTime().UnixNano(), version, goenv), nil
}

// get returns the cached model when the entry exists, is intact, and every
// input it lists is unchanged; otherwise nil, and logs why.
func (c *modelCache) get() *schema.Model {
	data, err := os.ReadFile(c.path)
	if err != nil {
		c.log("miss: %v", err)
		return nil
	}
	e, err := decodeEntry(data)
	if err != nil {
		c.log("miss: entry %s: %v", c.path, err)
		return nil
	}
	if in, changed := c.changed(e.Inputs); changed {
		c.log("miss: %s changed", in.Path)
		return nil
	}
	c.touch()
	c.log("hit: %s", c.path)
	return e.Model
}

// fingerprint is Fingerprint for the entry of c: the entry is checked as
// get checks it, but only its inputs are decoded, which the encoding puts
// before the model. The checksum that encodeEntry wrote covers the model,
// so it stands for it.
func (c *modelCache) fingerprint() ([sha256.Size]byte, bool) {
	data, err := os.ReadFile(c.path)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	body, ok := entryBody(data)
	if !ok {
		return [sha256.Size]byte{}, false
	}
	var inputs []cacheInput
	if _, err := cachecodec.DecodePrefix(body, &inputs); err != nil {
		return [sha256.Size]byte{}, false
	}
	if _, changed := c.changed(inputs); changed {
		return [sha256.Size]byte{}, false
	}
	c.touch()
	h := sha256.New()
	h.Write([]byte(c.path))
	h.Write([]byte{0})
	h.Write(data[len(cacheMagic) : len(cacheMagic)+sha256.Size])
	return [sha256.Size]byte(h.Sum(nil)), true
}

// changed returns the first input whose sum is not the recorded one.
func (c *modelCache) changed(inputs []cacheInput) (cacheInput, bool) {
	for _, in := range inputs {
		if sum, _, _ := inputSum(in.Kind, in.Path); sum != in.Sum {
			return in, true
		}
	}
	return cacheInput{}, false
}

// touch marks the entry as used, for trim.
func (c *modelCache) touch() {
	fi, err := os.Stat(c.path)
	if err == nil && time.Since(fi.ModTime()) > cacheTouchAge {
		now := time.Now()
		_ = os.Chtimes(c.path, now, now) // a missed touch only makes an early trim
	}
}

func (c *modelCache) log(format string, args ...any) {
	if c.logf != nil {
		c.logf("loader: cache "+format, args...)
	}
}

// put writes the entry of a model loaded from inputs, unless an input
// changed since they were hashed: the go command may then have read either
// version.
func (c *modelCache) put(inputs []cacheInput, m *schema.Model) {
	if in, changed := c.changed(inputs); changed {
		c.log("not written: %s changed during the load", in.Path)
		return
	}
	data, err := encodeEntry(&cacheEntry{Inputs: inputs, Model: m})
	if err == nil {
		err = atomicfile.Write(c.path, data, 0o600)
	}
	if err != nil {
		c.log("not written: %v", err)
		return
	}
	c.trim()
}

// trim removes entries unused for cacheTrimAge, at most once a day: the
// key changes with every new build of mizzle or the go command, and
// directories come and go.
func (c *modelCache) trim() {
	stamp := filepath.Join(c.dir, "trim.txt")
	if fi, err := os.Stat(stamp); err == nil && time.Since(fi.ModTime()) < 24*time.Hour {
		return
	}
	if err := os.WriteFile(stamp, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o666); err != nil {
		return
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, d := range entries {
		if d.Name() == "trim.txt" {
			continue
		}
		if fi, err := d.Info(); err == nil && time.Since(fi.ModTime()) > cacheTrimAge {
			_ = os.Remove(filepath.Join(c.dir, d.Name()))
		}
	}
}

// encodeEntry lays an entry out as the magic, the SHA-256 of the rest, and
// the entry (codec.go). The checksum makes a torn or damaged file a miss
// rather than a wrong model.
func encodeEntry(e *cacheEntry) ([]byte, error) {
	body, err := cachecodec.Encode(e)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	out := make([]byte, 0, len(cacheMagic)+len(sum)+len(body))
	out = append(out, cacheMagic...)
	out = append(out, sum[:]...)
	return append(out, body...), nil
}

func decodeEntry(data []byte) (*cacheEntry, error) {
	body, ok := entryBody(data)
	if !ok {
		return nil, errors.New("not an entry of this mizzle, or damaged")
	}
	var e cacheEntry
	if err := cachecodec.Decode(body, &e); err != nil {
		return nil, err
	}
	if e.Model == nil {
		return nil, errors.New("no model")
	}
	return &e, nil
}

// entryBody returns the encoded entry of an entry file, and false when the
// file is not an entry of this format or its checksum does not match.
func entryBody(data []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok || len(rest) < sha256.Size {
		return nil, false
	}
	body := rest[sha256.Size:]
	return body, sha256.Sum256(body) == [sha256.Size]byte(rest[:sha256.Size])
}

// inputSum hashes an input as it is now, and returns a file's content and
// whether the input is there. A missing file or directory has a sum of its
// own, so that creating one is a change too.
func inputSum(kind inputKind, path string) (sum [sha256.Size]byte, data []byte, ok bool) {
	switch kind {
	case inputFile:
		data, err := os.ReadFile(path)
		if err != nil {
			return sha256.Sum256([]byte("\x00missing: " + errKind(err))), nil, false
		}
		return sha256.Sum256(data), data, true
	case inputDir:
		names, err := sourceFiles(path)
		if err != nil {
			return sha256.Sum256([]byte("\x00missing: " + errKind(err))), nil, false
		}
		return sha256.Sum256([]byte(strings.Join(names, "\x00"))), nil, true
	}
	return [sha256.Size]byte{}, nil, false
}

// errKind is what an input's sum keeps of a read error: whether the file
// is there at all, not the message, which may carry details that vary.
func errKind(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "not exist"
	}
	return "unreadable"
}

// sourceFiles returns the sorted names of the files in dir the go command
// may build from: source extensions, without the names it ignores
// (starting with "." or "_").
func sourceFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range entries {
		name := d.Name()
		if d.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			!slices.Contains(sourceExts, filepath.Ext(name)) {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names) // ReadDir sorts already; the sum must not depend on it
	return names, nil
}

// localModule is a module whose packages are read from the local disk, not
// from the module cache.
type localModule struct {
	path string // module path
	dir  string // absolute directory
}

// inputRecorder gathers the inputs of a load.
type inputRecorder struct {
	inputs  []cacheInput
	seen    map[string]bool // "kind path" already recorded
	modules []localModule
	vendors []string // vendor directories that may hold imported packages
}

// record hashes one input and returns the content of a file, with false
// when it is missing or was recorded before.
func (r *inputRecorder) record(kind inputKind, path string) ([]byte, bool) {
	k := strconv.Itoa(int(kind)) + " " + path
	if r.seen[k] {
		return nil, false
	}
	r.seen[k] = true
	sum, data, ok := inputSum(kind, path)
	r.inputs = append(r.inputs, cacheInput{Kind: kind, Path: path, Sum: sum})
	return data, ok
}

// inputs lists what loading the package in c.root reads, hashed, before
// the go command runs: see the comment at the top of this file.
func (c *modelCache) inputs() ([]cacheInput, error) {
	r := &inputRecorder{seen: map[string]bool{}}

	// The main module: the nearest go.mod above the package, and none
	// created in between.
	modRoot := ""
	for d := c.root; ; {
		if data, ok := r.record(inputFile, filepath.Join(d, "go.mod")); ok {
			modRoot = d
			if err := r.addModule(d, data); err != nil {
				return nil, err
			}
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, errors.New("no go.mod above the schema package")
		}
		d = parent
	}
	r.record(inputFile, filepath.Join(modRoot, "go.sum"))
	r.addVendor(modRoot)

	// The workspace: GOWORK, or the nearest go.work above the package.
	work := c.env["GOWORK"]
	if work == "" {
		for d := c.root; ; {
			p := filepath.Join(d, "go.work")
			if _, err := os.Stat(p); err == nil {
				work = p // recorded by addWorkspace
				break
			}
			r.record(inputFile, p)
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	if work != "" && work != "off" {
		if err := r.addWorkspace(work); err != nil {
			return nil, err
		}
	}

	// The packages: the schema's and every local one it imports.
	fset := token.NewFileSet()
	queue := []string{c.root}
	dirs := map[string]bool{c.root: true}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		r.record(inputDir, dir)
		names, err := sourceFiles(dir)
		if err != nil {
			continue // recorded as missing: creating it is a change
		}
		for _, name := range names {
			data, _ := r.record(inputFile, filepath.Join(dir, name))
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			// Every file's imports, whatever its build constraints: more
			// inputs than the go command reads is a miss too many at
			// worst, fewer a stale model.
			mode := parser.ImportsOnly
			if dir == c.root {
				mode |= parser.ParseComments
			}
			f, err := parser.ParseFile(fset, name, data, mode)
			if err != nil {
				continue // the go command reports it, or the file is not built
			}
			if dir == c.root && f.Doc != nil {
				// The files //mizzle:function markers read.
				for _, cm := range f.Doc.List {
					if p, ok := functionFile(cm.Text); ok {
						r.record(inputFile, filepath.Join(dir, filepath.FromSlash(p)))
					}
				}
			}
			for _, spec := range f.Imports {
				path, err := strconv.Unquote(spec.Path.Value)
				if err != nil {
					continue
				}
				if d := r.localDir(path); d != "" && !dirs[d] {
					dirs[d] = true
					queue = append(queue, d)
				}
			}
		}
	}
	return r.inputs, nil
}

// addModule adds the module whose go.mod is in dir, and the modules its
// replace directives put on the local disk.
func (r *inputRecorder) addModule(dir string, gomod []byte) error {
	// Strict: ParseLax skips replace directives. A go.mod this parser
	// cannot read is not cached.
	f, err := modfile.Parse(filepath.Join(dir, "go.mod"), gomod, nil)
	if err != nil {
		return err
	}
	if f.Module != nil {
		r.modules = append(r.modules, localModule{path: f.Module.Mod.Path, dir: dir})
	}
	r.addReplaces(dir, f.Replace)
	return nil
}

// addReplaces adds the modules replaced by a directory, relative to dir.
func (r *inputRecorder) addReplaces(dir string, reps []*modfile.Replace) {
	for _, rep := range reps {
		if rep.New.Version != "" || !modfile.IsDirectoryPath(rep.New.Path) {
			continue // a module version: pinned by go.sum
		}
		d := rep.New.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		r.record(inputFile, filepath.Join(d, "go.mod"))
		r.modules = append(r.modules, localModule{path: rep.Old.Path, dir: d})
	}
}

// addWorkspace adds the go.work file at path and its modules.
func (r *inputRecorder) addWorkspace(path string) error {
	data, ok := r.record(inputFile, path)
	if !ok {
		return nil // GOWORK names a missing file: the go command fails
	}
	dir := filepath.Dir(path)
	r.record(inputFile, filepath.Join(dir, "go.work.sum"))
	f, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return err
	}
	for _, u := range f.Use {
		d := u.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		gomod := filepath.Join(d, "go.mod")
		if data, ok := r.record(inputFile, gomod); ok {
			if err := r.addModule(d, data); err != nil {
				return err
			}
		}
		r.record(inputFile, filepath.Join(d, "go.sum"))
	}
	r.addReplaces(dir, f.Replace)
	r.addVendor(dir)
	return nil
}

// addVendor records dir's vendor/modules.txt; when there is one, imports
// may come from the vendor directory, whose files can be edited.
func (r *inputRecorder) addVendor(dir string) {
	if _, ok := r.record(inputFile, filepath.Join(dir, "vendor", "modules.txt")); ok {
		r.vendors = append(r.vendors, filepath.Join(dir, "vendor"))
	}
}

// localDir returns the directory on the local disk of the package with
// the import path, or "" when it comes from the standard library or the
// module cache. The longest module path wins, as it does for the go
// command: a replaced module inside the main module's path is the replaced
// one. The directory may not exist; it is then recorded as missing.
func (r *inputRecorder) localDir(path string) string {
	best := -1
	for i, m := range r.modules {
		if (path == m.path || strings.HasPrefix(path, m.path+"/")) && (best < 0 || len(m.path) > len(r.modules[best].path)) {
			best = i
		}
	}
	if best >= 0 {
		m := r.modules[best]
		return filepath.Join(m.dir, filepath.FromSlash(strings.TrimPrefix(path, m.path)))
	}
	for _, v := range r.vendors {
		d := filepath.Join(v, filepath.FromSlash(path))
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	return ""
}
