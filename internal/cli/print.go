package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// env is what commands print to, and how.
type env struct {
	// stdin is where prompts read answers, one buffer for the whole run so
	// that an answer typed ahead is not lost between two prompts.
	stdin          *bufio.Reader
	stdout, stderr io.Writer
	// interactive reports whether a person can answer prompts: standard
	// input and standard error are terminals. Under go generate or in CI
	// they are not, and commands stop with an error instead of asking.
	interactive bool
	color       bool
	cwd         string
	// configFile is the --config flag; empty means search for mizzle.yaml.
	configFile string
}

// config returns the settings from the config file, or empty settings
// when there is none.
func (e *env) config() (*config, error) {
	path := e.configFile
	if path == "" {
		var err error
		if path, err = findConfig(e.cwd); err != nil || path == "" {
			return &config{}, err
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, &usageError{fmt.Sprintf("--config %s: no such file", path)}
	}
	return loadConfig(path)
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	cwd, _ := os.Getwd()
	return &env{
		stdin:       bufio.NewReader(stdin),
		stdout:      stdout,
		stderr:      stderr,
		interactive: isTerminal(stdin) && isTerminal(stderr),
		color:       useColor(stderr),
		cwd:         cwd,
	}
}

// useColor reports whether w is a terminal and the user has not opted out
// with NO_COLOR (https://no-color.org).
func useColor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether v is a file that is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

const (
	bold  = "\x1b[1m"
	red   = "\x1b[31m"
	reset = "\x1b[0m"
)

func (e *env) paint(style, s string) string {
	if !e.color {
		return s
	}
	return style + s + reset
}

// printError prints an error for the user: a schema.ErrorList one
// file:line:col: message per line, with paths relative to the working
// directory, anything else as one line.
func (e *env) printError(err error) {
	var list schema.ErrorList
	if errors.As(err, &list) {
		for _, item := range list {
			pos := item.Pos.Rel(e.cwd)
			fmt.Fprintf(e.stderr, "%s: %s\n", e.paint(bold, pos.String()), item.Msg)
		}
		if len(list) > 1 {
			fmt.Fprintf(e.stderr, "%s\n", e.paint(red, fmt.Sprintf("%d errors", len(list))))
		}
		return
	}
	fmt.Fprintf(e.stderr, "%s %v\n", e.paint(red, "mizzle:"), err)
}

// jsonError is how a command run with --json reports a failure: one JSON
// document on stdout, where CI reads the command's result, so that the
// output parses whether the command worked or not. The exit code is the
// same as without --json.
type jsonError struct {
	Error struct {
		Message  string `json:"message"`
		ExitCode int    `json:"exitCode"`
		// Errors holds positioned mistakes (in the schema package or the
		// migrations folder), one per item.
		Errors []jsonDiagnostic `json:"errors,omitempty"`
	} `json:"error"`
}

// jsonDiagnostic is a schema.Error as --json prints it, in status's
// problems and in an error's items alike.
type jsonDiagnostic struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// toJSONDiagnostic returns e for --json, at pos, e's position as the
// command shows it (relative to the working directory or the folder).
func toJSONDiagnostic(e *schema.Error, pos schema.Position) jsonDiagnostic {
	return jsonDiagnostic{File: filepath.ToSlash(pos.Filename), Line: pos.Line, Column: pos.Column, Message: e.Msg}
}

// printErrorJSON prints err as a jsonError on stdout.
func (e *env) printErrorJSON(err error, code int) {
	var out jsonError
	out.Error.ExitCode = code
	var list schema.ErrorList
	if errors.As(err, &list) {
		lines := make([]string, len(list))
		for i, item := range list {
			pos := item.Pos.Rel(e.cwd)
			lines[i] = pos.String() + ": " + item.Msg
			out.Error.Errors = append(out.Error.Errors, toJSONDiagnostic(item, pos))
		}
		out.Error.Message = strings.Join(lines, "\n")
	} else {
		out.Error.Message = err.Error()
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(e.stderr, "%s %v\n", e.paint(red, "mizzle:"), err)
	}
}
