// Command gen writes the schemas of the side-by-side benchmark of
// `mizzle generate` and `drizzle-kit generate` (see ../run.sh): the same
// n tables once as a mizzle schema package (tagged Go structs) and once as a
// drizzle-kit schema (pgTable), each in two variants.
//
//   - v1 is the initial schema: n tables and an enum they share.
//   - v2 changes every tenth table, 10% of them, in one of three ways that
//     neither tool asks about (no drops, so nothing that could be a rename):
//     a new nullable column, a wider varchar, or a new index.
//
// Every table has eight columns: a bigint identity primary key, a nullable
// foreign key to the previous table (the first one references itself), text,
// varchar(32), numeric(12,2), a timestamptz defaulting to now(), a boolean
// defaulting to true and the shared enum, plus one two-column index on
// (status, created_at DESC NULLS LAST). drizzle-orm's .desc() means
// DESC NULLS LAST, so the mizzle marker spells that out: with PostgreSQL's
// default for DESC (NULLS FIRST) the two schemas would differ, and each
// tool's push would rebuild every index that the other one created.
//
// Layout of -out:
//
//	mizzle/go.mod, go.sum     a module that replaces github.com/mizzle/mizzle
//	                          with -mizzle, so that `go run
//	                          github.com/mizzle/mizzle/cmd/mizzle` works in it
//	mizzle/v1, mizzle/v2      the schema packages (package schema)
//	drizzle/v1, drizzle/v2    the drizzle-kit schemas (*.ts)
//	drizzle/first.config.ts   drizzle-kit config: schema v1, out ./first
//	drizzle/second.config.ts  drizzle-kit config: schema v2, out ./second
//	drizzle/noop.config.ts    drizzle-kit config: schema v1, out ./noop
//
// Both grammars put perFile tables in a file, so that each tool reads the
// same number of files.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	n := flag.Int("n", 1000, "number of tables")
	perFile := flag.Int("per-file", 100, "tables per source file")
	out := flag.String("out", "", "directory to write into (required; created if missing)")
	root := flag.String("mizzle", "", "root of the mizzle module, for the replace directive and go.sum (required)")
	flag.Parse()
	if *out == "" || *root == "" || *n < 1 || *perFile < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *root, *n, *perFile); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, root string, n, perFile int) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if err := writeGoModule(filepath.Join(out, "mizzle"), root); err != nil {
		return err
	}
	for _, v := range []int{1, 2} {
		dir := filepath.Join(out, "mizzle", fmt.Sprintf("v%d", v))
		if err := writeFile(filepath.Join(dir, "status.go"), []byte(goStatus)); err != nil {
			return err
		}
		for first := 0; first < n; first += perFile {
			src, err := goTables(first, min(first+perFile, n), v)
			if err != nil {
				return err
			}
			if err := writeFile(filepath.Join(dir, fileName(first/perFile, "go")), src); err != nil {
				return err
			}
		}

		dir = filepath.Join(out, "drizzle", fmt.Sprintf("v%d", v))
		if err := writeFile(filepath.Join(dir, "status.ts"), []byte(tsStatus)); err != nil {
			return err
		}
		for first := 0; first < n; first += perFile {
			src := tsTables(first, min(first+perFile, n), perFile, v)
			if err := writeFile(filepath.Join(dir, fileName(first/perFile, "ts")), src); err != nil {
				return err
			}
		}
	}
	for name, v := range map[string]int{"first": 1, "second": 2, "noop": 1} {
		cfg := fmt.Sprintf(tsConfig, v, name)
		if err := writeFile(filepath.Join(out, "drizzle", name+".config.ts"), []byte(cfg)); err != nil {
			return err
		}
	}
	return nil
}

// writeGoModule writes the go.mod of the scratch module. It requires
// mizzle (replaced by the checkout under test) besides the schema's own
// imports, and reuses mizzle's go.sum, so that the go command that mizzle
// runs to load the schema needs nothing it has not already downloaded to
// build mizzle.
func writeGoModule(dir, root string) error {
	goVersion, err := goDirective(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	mod := fmt.Sprintf(`module bench.example/schema

go %s

require (
	github.com/mizzle/mizzle v0.0.0
	github.com/shopspring/decimal v1.6.0
)

replace github.com/mizzle/mizzle => %s
`, goVersion, root)
	if err := writeFile(filepath.Join(dir, "go.mod"), []byte(mod)); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "go.sum"), sum)
}

// goDirective returns the go version that the go.mod at path declares, so
// that the scratch module asks for no older Go than mizzle itself.
func goDirective(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "go "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New(path + ": no go directive")
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func fileName(i int, ext string) string { return fmt.Sprintf("tables_%04d.%s", i, ext) }

// The names of table i: its SQL name, its Go type and its TypeScript
// variable.
func tableName(i int) string { return fmt.Sprintf("table_%04d", i) }
func typeName(i int) string  { return fmt.Sprintf("Table%04d", i) }
func varName(i int) string   { return fmt.Sprintf("table%04d", i) }

// ref is the table that table i references.
func ref(i int) int { return max(i-1, 0) }

// change says how v2 alters table i.
type change int

const (
	unchanged    change = iota
	addColumn           // a new nullable text column "note"
	widenVarchar        // "code" goes from varchar(32) to varchar(64)
	addIndex            // a second index, on "name"
)

func changeOf(i, variant int) change {
	if variant == 1 || i%10 != 0 {
		return unchanged
	}
	return [...]change{addColumn, widenVarchar, addIndex}[(i/10)%3]
}

func codeLength(c change) int {
	if c == widenVarchar {
		return 64
	}
	return 32
}

const goStatus = `package schema

// Status is the state of a row, a PostgreSQL enum.
type Status string

const (
	StatusOpen    Status = "open"
	StatusClosed  Status = "closed"
	StatusPending Status = "pending"
)
`

// goTables returns the Go source of tables [first, end).
func goTables(first, end, variant int) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("package schema\n\nimport (\n\t\"time\"\n\n\t\"github.com/shopspring/decimal\"\n)\n")
	for i := first; i < end; i++ {
		c := changeOf(i, variant)
		fmt.Fprintf(&b, "\n// %s is a generated table.\n//\n", typeName(i))
		fmt.Fprintf(&b, "//mizzle:table %s\n", tableName(i))
		fmt.Fprintf(&b, "//mizzle:index %s_status_created_idx (status, created_at DESC NULLS LAST)\n", tableName(i))
		if c == addIndex {
			fmt.Fprintf(&b, "//mizzle:index %s_name_idx (name)\n", tableName(i))
		}
		fmt.Fprintf(&b, "type %s struct {\n", typeName(i))
		fmt.Fprintf(&b, "ID int64 `db:\"id,pk,identity\"`\n")
		fmt.Fprintf(&b, "ParentID *int64 `db:\"parent_id,ref:%s.ID,ondelete:set null\"`\n", typeName(ref(i)))
		fmt.Fprintf(&b, "Name string `db:\"name\"`\n")
		fmt.Fprintf(&b, "Code string `db:\"code,type:varchar(%d)\"`\n", codeLength(c))
		fmt.Fprintf(&b, "Amount decimal.Decimal `db:\"amount,type:numeric(12,2)\"`\n")
		fmt.Fprintf(&b, "CreatedAt time.Time `db:\"created_at,default:now()\"`\n")
		fmt.Fprintf(&b, "Active bool `db:\"active,default:true\"`\n")
		fmt.Fprintf(&b, "Status Status `db:\"status,default:'open'\"`\n")
		if c == addColumn {
			fmt.Fprintf(&b, "Note *string `db:\"note\"`\n")
		}
		b.WriteString("}\n")
	}
	return format.Source(b.Bytes())
}

const tsStatus = `import { pgEnum } from 'drizzle-orm/pg-core';

// status is the state of a row, a PostgreSQL enum.
export const status = pgEnum('status', ['open', 'closed', 'pending']);
`

// tsTables returns the TypeScript source of tables [first, end). The
// first table of a file references the last one of the previous file,
// which it imports.
func tsTables(first, end, perFile, variant int) []byte {
	var b bytes.Buffer
	b.WriteString("import {\n  type AnyPgColumn, bigint, boolean, index, numeric, pgTable, text, timestamp, varchar,\n} from 'drizzle-orm/pg-core';\n")
	b.WriteString("import { status } from './status';\n")
	if first > 0 {
		fmt.Fprintf(&b, "import { %s } from './%s';\n", varName(first-1), strings.TrimSuffix(fileName(first/perFile-1, "ts"), ".ts"))
	}
	for i := first; i < end; i++ {
		c := changeOf(i, variant)
		fmt.Fprintf(&b, "\n// %s is a generated table.\n", varName(i))
		fmt.Fprintf(&b, "export const %s = pgTable('%s', {\n", varName(i), tableName(i))
		fmt.Fprintf(&b, "  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),\n")
		fmt.Fprintf(&b, "  parentId: bigint('parent_id', { mode: 'number' }).references((): AnyPgColumn => %s.id, { onDelete: 'set null' }),\n", varName(ref(i)))
		fmt.Fprintf(&b, "  name: text('name').notNull(),\n")
		fmt.Fprintf(&b, "  code: varchar('code', { length: %d }).notNull(),\n", codeLength(c))
		fmt.Fprintf(&b, "  amount: numeric('amount', { precision: 12, scale: 2 }).notNull(),\n")
		fmt.Fprintf(&b, "  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),\n")
		fmt.Fprintf(&b, "  active: boolean('active').notNull().default(true),\n")
		fmt.Fprintf(&b, "  status: status('status').notNull().default('open'),\n")
		if c == addColumn {
			fmt.Fprintf(&b, "  note: text('note'),\n")
		}
		fmt.Fprintf(&b, "}, (t) => [\n")
		fmt.Fprintf(&b, "  index('%s_status_created_idx').on(t.status, t.createdAt.desc()),\n", tableName(i))
		if c == addIndex {
			fmt.Fprintf(&b, "  index('%s_name_idx').on(t.name),\n", tableName(i))
		}
		b.WriteString("]);\n")
	}
	return b.Bytes()
}

// tsConfig is a drizzle-kit config; %d is the variant, %s the output
// folder. Paths are relative to the working directory, where run.sh starts
// drizzle-kit.
const tsConfig = `import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './v%d/*.ts',
  out: './%s',
});
`
