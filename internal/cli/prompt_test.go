package cli

import (
	"strings"
	"testing"
)

// A schema whose name holds a dot: the rename prompt and its help name
// the schema and the table apart, never cutting at the first dot.
func TestRenamePromptDottedSchema(t *testing.T) {
	const v1 = `package schema

// Trade is a trade.
//
//mizzle:table t
//mizzle:schema "a.b"
type Trade struct {
	ID   int64  ` + "`db:\"id,pk\"`" + `
	Name string ` + "`db:\"name\"`" + `
}
`
	renamed := strings.Replace(v1, "//mizzle:table t", "//mizzle:table u", 1)
	t.Run("table, not on a terminal", func(t *testing.T) {
		p := newProject(t, v1)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
			t.Fatalf("generate: exit %d: %s", code, stderr)
		}
		p.writeSchema(renamed)
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		want := `mizzle: table "a.b"."u" is new and "a.b"."t" is gone: is it a rename?
  to rename, add //mizzle:was t to the type's doc comment
  to drop the old table with its data and create the new one, run again with --drop-and-add
Nothing was written.
`
		if code != exitFailure || stderr != want {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, stderr, want)
		}
	})
	t.Run("table, answered on a terminal", func(t *testing.T) {
		p := newProject(t, v1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(renamed)
		p.answers = []string{"2"}
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{`Is table "a.b"."u" new, or renamed from one that is gone?`, `2) renamed from "a.b"."t"`} {
			if !strings.Contains(stderr, want) {
				t.Errorf("prompt does not say %q:\n%s", want, stderr)
			}
		}
		want := "ALTER TABLE \"a.b\".\"t\" RENAME TO \"u\";\n--> statement-breakpoint\n" +
			"ALTER TABLE \"a.b\".\"u\" RENAME CONSTRAINT \"t_pkey\" TO \"u_pkey\";\n"
		if sql := withoutLint(p.files()["0001_rename_t_and_rename_t_pkey.sql"]); sql != want {
			t.Errorf("migration:\n%s\nwant:\n%s", sql, want)
		}
	})
	t.Run("column", func(t *testing.T) {
		p := newProject(t, v1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(strings.Replace(v1, "Name string `db:\"name\"`", "Title string `db:\"title\"`", 1))
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		want := `mizzle: column "title" of table "a.b"."t" is new and "name" is gone: is it a rename?
  to rename, add was:name to the field's db tag
  to drop the old column with its data and create the new one, run again with --drop-and-add
Nothing was written.
`
		if code != exitFailure || stderr != want {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, stderr, want)
		}
	})
}

// A sequence gone next to a new one: generate asks, and says how to
// rename it in the marker, or answered on a terminal renames it.
func TestRenamePromptSequence(t *testing.T) {
	const v1 = `// Package schema numbers invoices.
//
//mizzle:sequence "a.b".invoice_seq START 100
package schema

//mizzle:table
type Invoice struct {
	ID int64 ` + "`db:\"id,pk\"`" + `
}
`
	renamed := strings.Replace(v1, "invoice_seq", "invoice_number_seq", 1)
	t.Run("not on a terminal", func(t *testing.T) {
		p := newProject(t, v1)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
			t.Fatalf("generate: exit %d: %s", code, stderr)
		}
		p.writeSchema(renamed)
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		want := `mizzle: sequence "a.b"."invoice_number_seq" is new and "a.b"."invoice_seq" is gone: is it a rename?
  to rename, add WAS invoice_seq to its //mizzle:sequence marker
  to drop the old sequence with its data and create the new one, run again with --drop-and-add
Nothing was written.
`
		if code != exitFailure || stderr != want {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s", code, stderr, want)
		}
	})
	t.Run("answered on a terminal", func(t *testing.T) {
		p := newProject(t, v1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(renamed)
		p.answers = []string{"2"}
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := "ALTER SEQUENCE \"a.b\".\"invoice_seq\" RENAME TO \"invoice_number_seq\";\n"
		if sql := p.files()["0001_rename_invoice_seq.sql"]; sql != want {
			t.Errorf("migration:\n%s\nwant:\n%s\nfiles: %v", sql, want, p.files())
		}
	})
}
