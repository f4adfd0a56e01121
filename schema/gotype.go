package schema

import (
	"strconv"
	"strings"
)

// GoKind is the shape of a GoType.
type GoKind string

// The Go type shapes a column can have.
const (
	GoNamed   GoKind = "named"   // a defined type: int64, time.Time, schema.Status
	GoPointer GoKind = "pointer" // *Elem
	GoSlice   GoKind = "slice"   // []Elem
	GoArray   GoKind = "array"   // [Len]Elem
	GoMap     GoKind = "map"     // map[Key]Elem
	GoAny     GoKind = "any"     // the empty interface
)

// GoType is a Go type spelled out for code generation: every named type
// carries its import path, so the generator can import it without looking at
// Go sources again.
type GoType struct {
	Kind GoKind `json:"kind"`
	// Path is the import path of a named type; empty for predeclared types.
	Path string `json:"path,omitempty"`
	// Name is the name of a named type: "int64", "Time", "Status".
	Name string `json:"name,omitempty"`
	// TypeArgs are the type arguments of an instantiated generic type:
	// sql.Null[string].
	TypeArgs []GoType `json:"typeArgs,omitempty"`
	Len      int64    `json:"len,omitempty"`
	// NilZero says that a named type's zero value is nil (its underlying
	// type is a slice, a map or a pointer); Incomparable that == does not
	// apply to it. Generated inserts use them to test a field for zero.
	NilZero      bool    `json:"nilZero,omitempty"`
	Incomparable bool    `json:"incomparable,omitempty"`
	Key          *GoType `json:"key,omitempty"`
	Elem         *GoType `json:"elem,omitempty"`
}

// String spells the type the way go/types does with package-path qualifiers
// shortened to the last path element: "*time.Time", "[]string",
// "map[string]any".
func (t GoType) String() string {
	switch t.Kind {
	case GoNamed:
		s := t.Name
		if t.Path != "" {
			s = t.Path[strings.LastIndexByte(t.Path, '/')+1:] + "." + s
		}
		if len(t.TypeArgs) > 0 {
			args := make([]string, len(t.TypeArgs))
			for i, a := range t.TypeArgs {
				args[i] = a.String()
			}
			s += "[" + strings.Join(args, ", ") + "]"
		}
		return s
	case GoPointer:
		return "*" + t.Elem.String()
	case GoSlice:
		return "[]" + t.Elem.String()
	case GoArray:
		return "[" + strconv.FormatInt(t.Len, 10) + "]" + t.Elem.String()
	case GoMap:
		return "map[" + t.Key.String() + "]" + t.Elem.String()
	case GoAny:
		return "any"
	}
	return "?"
}
