// Package jsonfile reads and writes the JSON files of a migrations folder
// (the journal and the snapshots) the way people edit them: decoding errors
// carry the line and column of the mistake, a byte-order mark an editor
// wrote is skipped, and the encoding is stable and readable in review.
//
// It is shared by the migrator (package migrate), which reads the journal,
// and the authoring side (package migrations), which reads and writes
// snapshots too.
package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// BOM is the UTF-8 byte-order mark some editors (Windows ones, mostly)
// write at the start of a text file.
const BOM = "\ufeff"

// TrimBOM returns data without a leading byte-order mark.
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte(BOM)) }

// LineCol returns the 1-based line and column (in bytes) of data[off]; an
// offset past the end (an unexpected end of input) is placed just after the
// last byte.
func LineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// Error is a JSON file that could not be decoded, with the place of the
// mistake.
type Error struct {
	Line, Column int // 1-based; Column counts bytes
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Marshal encodes v with two-space indentation and a final newline. HTML
// escaping is off so that SQL such as "quantity > 0" stays readable in
// review instead of becoming "quantity \u003e 0". v must be plain data
// (structs of strings, numbers, slices): it panics when encoding fails.
func Marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic("jsonfile: " + err.Error())
	}
	return b.Bytes()
}

// Unmarshal is json.Unmarshal with errors a person can act on: a syntax or
// type error is an *Error saying where in the file the mistake is and what
// was expected there. A byte-order mark at the start, which JSON does not
// allow but editors write, is skipped (positions are counted after it, as
// an editor shows them).
func Unmarshal(data []byte, v any) error {
	data = TrimBOM(data)
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// The offset is just past the offending byte, or the length of
		// the data when it ended too soon: then point after its end.
		off := syntax.Offset - 1
		if strings.HasPrefix(syntax.Error(), "unexpected end") {
			off = int64(len(data))
		}
		line, col := LineCol(data, off)
		return &Error{Line: line, Column: col, Msg: "not valid JSON: " + trimJSONPrefix(syntax.Error())}
	case errors.As(err, &typ):
		// The offset is just past the offending value: point at its last
		// byte, on the right line at least.
		line, col := LineCol(data, typ.Offset-1)
		msg := fmt.Sprintf("%s is a JSON %s, want %s", fieldName(typ.Field), typ.Value, jsonKind(typ.Type))
		return &Error{Line: line, Column: col, Msg: msg}
	}
	return err
}

// AddError records in errs a problem reading the JSON file named file, at
// the line and column of the mistake when err is an *Error, with what to
// do about it.
func AddError(errs *schema.ErrorList, file string, data []byte, err error) {
	pos := schema.Position{Filename: file}
	var je *Error
	if !errors.As(err, &je) {
		errs.Add(pos, err.Error())
		return
	}
	pos.Line, pos.Column = je.Line, je.Column
	hint := "repair the file, or restore it from version control"
	if bytes.Contains(data, []byte("\n<<<<<<< ")) || bytes.HasPrefix(data, []byte("<<<<<<< ")) {
		hint = "resolve the merge conflict in it"
	}
	errs.Add(pos, je.Msg+": "+hint)
}

func trimJSONPrefix(s string) string { return strings.TrimPrefix(s, "json: ") }

func fieldName(f string) string {
	if f == "" {
		return "the document"
	}
	return fmt.Sprintf("%q", f)
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return "a " + t.String()
}
