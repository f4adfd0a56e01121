package schema

import (
	"cmp"
	"slices"
)

// Extension is a PostgreSQL extension the schema needs (CREATE EXTENSION):
// citext for its type, pg_trgm for its operator classes, and so on.
// What an extension creates is its own and is not in the model.
type Extension struct {
	Name string `json:"name"`
	// Schema is the schema the extension's objects go in; empty means
	// the default, public.
	Schema string `json:"schema,omitempty"`
	// Version is the version to install; empty means the one PostgreSQL
	// installs by default.
	Version string   `json:"version,omitempty"`
	Pos     Position `json:"pos,omitzero"`
}

// Extension returns the extension with the given name, or nil.
func (m *Model) Extension(name string) *Extension {
	for _, x := range m.Extensions {
		if x.Name == name {
			return x
		}
	}
	return nil
}

func sortExtensions(xs []*Extension) {
	slices.SortFunc(xs, func(a, b *Extension) int { return cmp.Compare(a.Name, b.Name) })
}

func cloneExtensions(xs []*Extension) []*Extension {
	if xs == nil {
		return nil
	}
	out := make([]*Extension, len(xs))
	for i, x := range xs {
		x := *x
		out[i] = &x
	}
	return out
}

// validateExtensions reports extensions without a name or declared twice.
func (m *Model) validateExtensions(add func(format string, args ...any)) {
	seen := map[string]bool{}
	for _, x := range m.Extensions {
		switch {
		case x.Name == "":
			add("an extension has no name")
		case seen[x.Name]:
			add("extension %q appears twice", x.Name)
		}
		seen[x.Name] = true
	}
}
