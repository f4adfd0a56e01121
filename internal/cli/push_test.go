package cli

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/quote"
)

const pushSchema = `package schema

// Status of an order.
type Status string

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

//mizzle:table orders
//mizzle:index orders_open_idx (symbol) WHERE status = 'OPEN'
//mizzle:check orders_qty_positive (quantity > 0)
type Order struct {
	ID       int64   ` + "`db:\"id,pk,identity\"`" + `
	Symbol   string  ` + "`db:\"symbol\"`" + `
	Quantity float64 ` + "`db:\"quantity,type:numeric(18,8)\"`" + `
	Status   Status  ` + "`db:\"status,default:'OPEN'\"`" + `
	Note     *string ` + "`db:\"note\"`" + `
}
`

func execAll(t *testing.T, url string, sqls ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range sqls {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func queryInt(t *testing.T, url, sql string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestPushConverges pushes a schema whose defaults, checks and predicates
// PostgreSQL spells differently, then pushes again: nothing to do.
func TestPushConverges(t *testing.T) {
	p := newProject(t, pushSchema)
	url := pgtest.NewDatabase(t)
	// Another tool's schema and an extension's objects stay untouched.
	execAll(t, url, "CREATE SCHEMA auth", "CREATE TABLE auth.users (id uuid PRIMARY KEY)", "CREATE EXTENSION citext SCHEMA auth")

	code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if code != exitOK || !strings.Contains(stdout, `CREATE TABLE "public"."orders" (`) || !strings.HasSuffix(stdout, "Dry run: nothing was changed.\n") {
		t.Errorf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM pg_class WHERE relname = 'orders'"); n != 0 {
		t.Errorf("the dry run created the table")
	}
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK || !strings.HasSuffix(stdout, "Pushed 3 statements.\n") {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
		t.Errorf("second push: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM pg_class WHERE relname = 'users' AND relnamespace = 'auth'::regnamespace"); n != 1 {
		t.Errorf("push touched the auth schema")
	}
}

func TestPushWithData(t *testing.T) {
	p := newProject(t, pushSchema)
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("push: %s", stderr)
	}
	execAll(t, url, `INSERT INTO orders (symbol, quantity, note) VALUES ('BTC', 1, 'first'), ('ETH', 2, NULL)`)

	t.Run("not null column without default on rows", func(t *testing.T) {
		p.writeSchema(strings.Replace(pushSchema, "Note     *string", "Venue string `db:\"venue\"`\n\tNote     *string", 1))
		code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--force")
		if code != exitFailure || !strings.Contains(stderr, `mizzle: cannot add NOT NULL column "venue" without a default to "public"."orders": it has 2 rows`) {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("set not null on NULLs", func(t *testing.T) {
		p.writeSchema(strings.Replace(pushSchema, "Note     *string", "Note     string", 1))
		code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--force")
		if code != exitFailure || !strings.Contains(stderr, `mizzle: cannot set NOT NULL on "note" of "public"."orders": 1 row holds NULL there`) {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("drop a column with data", func(t *testing.T) {
		p.writeSchema(strings.Replace(pushSchema, "	Note     *string `db:\"note\"`\n", "", 1))
		code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url)
		if code != exitFailure || !strings.Contains(stderr, `warning: drops column "note" of "public"."orders", losing the values of 1 row`) ||
			!strings.Contains(stderr, "run again with --force") {
			t.Errorf("without --force: exit %d\n%s", code, stderr)
		}
		if n := queryInt(t, url, "SELECT count(*) FROM orders WHERE note IS NOT NULL"); n != 1 {
			t.Errorf("the refused push dropped the column")
		}
		code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--force")
		if code != exitOK || !strings.HasSuffix(stdout, "Pushed 1 statement.\n") {
			t.Errorf("with --force: exit %d\n%s%s", code, stdout, stderr)
		}
		if n := queryInt(t, url, "SELECT count(*) FROM orders"); n != 2 {
			t.Errorf("rows lost: %d left", n)
		}
	})
	t.Run("rename needs a hint", func(t *testing.T) {
		renamed := strings.Replace(pushSchema, "orders_open_idx (symbol)", "orders_open_idx (ticker)", 1)
		p.writeSchema(strings.Replace(renamed, "Symbol   string  `db:\"symbol\"`", "Ticker   string  `db:\"ticker\"`", 1))
		code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url)
		if code != exitFailure || !strings.Contains(stderr, `column "ticker" of table "public"."orders" is new and "symbol" is gone: is it a rename?`) {
			t.Errorf("exit %d\n%s", code, stderr)
		}
		p.writeSchema(strings.Replace(renamed, "Symbol   string  `db:\"symbol\"`", "Ticker   string  `db:\"ticker,was:symbol\"`", 1))
		code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--force")
		if code != exitOK || !strings.Contains(stdout, `RENAME COLUMN "symbol" TO "ticker"`) {
			t.Errorf("with the hint: exit %d\n%s%s", code, stdout, stderr)
		}
		if n := queryInt(t, url, "SELECT count(*) FROM orders WHERE ticker IN ('BTC', 'ETH')"); n != 2 {
			t.Errorf("the rename lost data")
		}
	})
}

// TestPushSwapWarns pushes rename hints that swap two columns. Push
// applies the swap without asking (no row is lost), but says what
// generate says: while the hints stay, the next push swaps the names
// back.
func TestPushSwapWarns(t *testing.T) {
	withMemo := strings.Replace(pushSchema, "Note     *string `db:\"note\"`", "Note     *string `db:\"note\"`\n\tMemo     *string `db:\"memo\"`", 1)
	p := newProject(t, withMemo)
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("first push: %s", stderr)
	}
	execAll(t, url, `INSERT INTO orders (symbol, quantity, note, memo) VALUES ('BTC', 1, 'a note', 'a memo')`)
	swapped := strings.Replace(withMemo, "`db:\"note\"`", "`db:\"memo,was:note\"`", 1)
	p.writeSchema(strings.Replace(swapped, "`db:\"memo\"`", "`db:\"note,was:memo\"`", 1))
	code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK || !strings.Contains(stdout, `RENAME COLUMN "memo__tmp" TO "note"`) ||
		!strings.Contains(stderr, "warning: swaps names as rename hints (was:) ask: remove those hints now") {
		t.Errorf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM orders WHERE note = 'a memo' AND memo = 'a note'"); n != 1 {
		t.Errorf("the columns were not swapped")
	}
}

// TestPushDatabaseOnlyObjects pushes to a database where a DBA added an
// index and unique, check and foreign key constraints to a managed table.
// Push would drop them, which loses no row but changes what the database
// enforces and how fast it answers: like a data loss, it needs consent.
func TestPushDatabaseOnlyObjects(t *testing.T) {
	p := newProject(t, pushSchema)
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("first push: %s", stderr)
	}
	execAll(t, url,
		`INSERT INTO orders (symbol, quantity, note) VALUES ('BTC', 1, 'first'), ('ETH', 2, NULL)`,
		// An unmanaged schema, so that the referenced table is not dropped.
		`CREATE SCHEMA ref`,
		`CREATE TABLE ref.symbols (symbol text PRIMARY KEY)`,
		`INSERT INTO ref.symbols VALUES ('BTC'), ('ETH')`,
		`CREATE INDEX dba_hot_idx ON orders (quantity) WHERE note IS NOT NULL`,
		`ALTER TABLE orders ADD CONSTRAINT dba_symbol_len CHECK (length(symbol) < 20)`,
		`ALTER TABLE orders ADD CONSTRAINT dba_note_key UNIQUE (note)`,
		`ALTER TABLE orders ADD CONSTRAINT dba_symbol_fk FOREIGN KEY (symbol) REFERENCES ref.symbols`,
	)
	const objects = `SELECT count(*) FROM (
		SELECT indexname FROM pg_indexes WHERE indexname IN ('dba_hot_idx', 'dba_note_key')
		UNION ALL
		SELECT conname FROM pg_constraint WHERE conname IN ('dba_symbol_len', 'dba_note_key', 'dba_symbol_fk')) x`
	warnings := []string{
		`warning: drops index "public"."dba_hot_idx" on "public"."orders", which the schema does not declare`,
		`warning: drops check constraint "dba_symbol_len" of "public"."orders", which the schema does not declare`,
		`warning: drops unique constraint "dba_note_key" of "public"."orders", which the schema does not declare`,
		`warning: drops foreign key "dba_symbol_fk" of "public"."orders", which the schema does not declare`,
	}
	hasWarnings := func(t *testing.T, stderr string) {
		t.Helper()
		for _, w := range warnings {
			if !strings.Contains(stderr, w) {
				t.Errorf("the output does not warn %q:\n%s", w, stderr)
			}
		}
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if n := queryInt(t, url, objects); n != 5 {
			t.Errorf("%d of the 5 database-only objects are left", n)
		}
	}
	args := []string{"push", "--schema", "schema", "--database-url", url}

	t.Run("dry run", func(t *testing.T) {
		code, stdout, stderr := p.run(".", append(args, "--dry-run")...)
		if code != exitOK || !strings.Contains(stdout, `DROP INDEX "public"."dba_hot_idx";`) || !strings.HasSuffix(stdout, "Dry run: nothing was changed.\n") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		hasWarnings(t, stderr)
		unchanged(t)
	})
	t.Run("no terminal, no --force", func(t *testing.T) {
		code, stdout, stderr := p.run(".", args...)
		if code != exitFailure || !strings.Contains(stderr, "Nothing was changed") || !strings.Contains(stderr, "run again with --force") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		hasWarnings(t, stderr)
		unchanged(t)
	})
	t.Run("terminal, answered no", func(t *testing.T) {
		p.answers = []string{"n"}
		code, stdout, stderr := p.run(".", args...)
		p.answers = nil
		if code != exitFailure || !strings.Contains(stderr, "Apply these statements? [y/N] Nothing was changed.") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		hasWarnings(t, stderr)
		unchanged(t)
	})
	t.Run("--force", func(t *testing.T) {
		code, stdout, stderr := p.run(".", append(args, "--force")...)
		if code != exitOK || !strings.HasSuffix(stdout, "Pushed 4 statements.\n") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		hasWarnings(t, stderr)
		if n := queryInt(t, url, objects); n != 0 {
			t.Errorf("%d of the database-only objects are left", n)
		}
		if n := queryInt(t, url, "SELECT count(*) FROM orders"); n != 2 {
			t.Errorf("rows lost: %d left", n)
		}
		if code, stdout, stderr := p.run(".", args...); code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
			t.Errorf("push again: exit %d\n%s%s", code, stdout, stderr)
		}
	})
}

// TestPushErrorDetail pushes a change PostgreSQL refuses: the message keeps
// its DETAIL, which names the view in the way (in a schema push does not
// manage, so it cannot drop it first), and its HINT.
func TestPushErrorDetail(t *testing.T) {
	p := newProject(t, pushSchema)
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Fatalf("first push: %s", stderr)
	}
	execAll(t, url, `CREATE SCHEMA other`, `CREATE VIEW other.noted AS SELECT id, note FROM public.orders`)
	p.writeSchema(strings.Replace(pushSchema, "	Note     *string `db:\"note\"`\n", "", 1))
	code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url, "--force")
	for _, want := range []string{
		`mizzle: push failed, nothing was changed: ALTER TABLE "public"."orders" DROP COLUMN "note";`,
		"ERROR: cannot drop column note of table orders because other objects depend on it (SQLSTATE 2BP01)",
		"\nDETAIL: view other.noted depends on column note of table orders\n",
		"\nHINT: Use DROP ... CASCADE to drop the dependent objects too.\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the error does not say %q\nexit %d\n%s%s", want, code, stdout, stderr)
		}
	}
	if code != exitFailure {
		t.Errorf("exit %d", code)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"); n != 1 {
		t.Errorf("the failed push dropped the column")
	}
}

// TestPushChangeKinds pushes one change of each kind to a database holding
// rows, and checks what was applied, what was refused, and that the rows
// are still there.
func TestPushChangeKinds(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(string) string
		args   []string
		code   int
		stdout string // a line the plan must show
		stderr string // a line the output must show
		check  string // a query that must return 1 afterwards
	}{
		{
			name: "add a nullable column",
			edit: func(s string) string {
				return strings.Replace(s, "Note     *string", "Venue *string `db:\"venue\"`\n\tNote     *string", 1)
			},
			code:   exitOK,
			stdout: `ALTER TABLE "public"."orders" ADD COLUMN "venue" text;`,
			check:  `SELECT count(*) = 2 FROM orders WHERE venue IS NULL`,
		},
		{
			name: "add a NOT NULL column with a default",
			edit: func(s string) string {
				return strings.Replace(s, "Note     *string", "Venue string `db:\"venue,default:'x'\"`\n\tNote     *string", 1)
			},
			code: exitOK,
			// The default as the schema writes it, not as PostgreSQL
			// prints it back ('x'::text).
			stdout: `ALTER TABLE "public"."orders" ADD COLUMN "venue" text DEFAULT 'x' NOT NULL;`,
			check:  `SELECT count(*) = 2 FROM orders WHERE venue = 'x'`,
		},
		{
			name:   "widen a type",
			edit:   func(s string) string { return strings.Replace(s, "type:numeric(18,8)", "type:numeric(20,8)", 1) },
			code:   exitOK,
			stdout: `ALTER TABLE "public"."orders" ALTER COLUMN "quantity" SET DATA TYPE numeric(20,8);`,
			check:  `SELECT count(*) = 2 FROM orders WHERE quantity IN (1, 2)`,
		},
		{
			name:   "narrow a type",
			edit:   func(s string) string { return strings.Replace(s, "type:numeric(18,8)", "type:integer", 1) },
			args:   []string{"--force"},
			code:   exitOK,
			stderr: `warning: changes the type of "quantity" in "public"."orders" from numeric(18,8) to integer, converting 2 rows`,
			check:  `SELECT count(*) = 2 FROM orders WHERE quantity IN (1, 2)`,
		},
		{
			name:   "drop a default",
			edit:   func(s string) string { return strings.Replace(s, ",default:'OPEN'", "", 1) },
			code:   exitOK,
			stdout: `ALTER TABLE "public"."orders" ALTER COLUMN "status" DROP DEFAULT;`,
		},
		{
			name: "add an enum value",
			edit: func(s string) string {
				return strings.Replace(s, `StatusClosed Status = "CLOSED"`, "StatusClosed Status = \"CLOSED\"\n\tStatusHeld Status = \"HELD\"", 1)
			},
			code:   exitOK,
			stdout: `ALTER TYPE "public"."status" ADD VALUE 'HELD' AFTER 'CLOSED';`,
		},
		{
			name: "remove an enum value rows use",
			edit: func(s string) string {
				s = strings.Replace(s, `StatusOpen   Status = "OPEN"`, "", 1)
				s = strings.Replace(s, "WHERE status = 'OPEN'", "WHERE status = 'CLOSED'", 1)
				return strings.Replace(s, "default:'OPEN'", "default:'CLOSED'", 1)
			},
			args:   []string{"--force"},
			code:   exitFailure,
			stderr: `mizzle: cannot remove 'OPEN' from enum "public"."status": 2 rows of "public"."orders" use it in "status"`,
			check:  `SELECT count(*) = 2 FROM orders WHERE status = 'OPEN'`,
		},
		{
			name: "add an index and a check",
			edit: func(s string) string {
				return strings.Replace(s, "//mizzle:table orders", "//mizzle:table orders\n//mizzle:index orders_symbol_idx (symbol)\n//mizzle:check orders_symbol_short (length(symbol) < 10)", 1)
			},
			code:   exitOK,
			stdout: `CREATE INDEX "orders_symbol_idx" ON "public"."orders" ("symbol");`,
			check:  `SELECT count(*) = 1 FROM pg_constraint WHERE conname = 'orders_symbol_short'`,
		},
		{
			name: "rebuild an index to the schema's definition",
			edit: func(s string) string {
				return strings.Replace(s, "WHERE status = 'OPEN'", "WHERE status = 'CLOSED'", 1)
			},
			code:   exitOK,
			stdout: `DROP INDEX "public"."orders_open_idx";`,
			check:  `SELECT count(*) = 1 FROM pg_indexes WHERE indexname = 'orders_open_idx' AND indexdef LIKE '%CLOSED%'`,
		},
		{
			name: "drop a check the schema no longer declares",
			edit: func(s string) string {
				return strings.Replace(s, "//mizzle:check orders_qty_positive (quantity > 0)\n", "", 1)
			},
			code:   exitFailure,
			stderr: `warning: drops check constraint "orders_qty_positive" of "public"."orders", which the schema does not declare`,
			check:  `SELECT count(*) = 1 FROM pg_constraint WHERE conname = 'orders_qty_positive'`,
		},
		{
			name: "drop the table",
			edit: func(s string) string {
				return strings.Replace(s, "//mizzle:table orders", "//mizzle:table orders2", 1) + "\n"
			},
			args:   []string{"--drop-and-add"},
			code:   exitFailure,
			stderr: `warning: drops table "public"."orders" with 2 rows`,
			check:  `SELECT count(*) = 2 FROM orders`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t, pushSchema)
			url := pgtest.NewDatabase(t)
			if code, _, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK {
				t.Fatalf("first push: %s", stderr)
			}
			execAll(t, url, `INSERT INTO orders (symbol, quantity, note) VALUES ('BTC', 1, 'first'), ('ETH', 2, NULL)`)
			p.writeSchema(tt.edit(pushSchema))
			args := append([]string{"push", "--schema", "schema", "--database-url", url}, tt.args...)
			code, stdout, stderr := p.run(".", args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("push: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout to contain %q and stderr %q", code, tt.code, stdout, stderr, tt.stdout, tt.stderr)
			}
			// A change spelled in several statements (an enum rebuild) is
			// still one risk.
			if n := strings.Count(stderr, tt.stderr); tt.stderr != "" && n != 1 {
				t.Errorf("stderr says %q %d times; want once:\n%s", tt.stderr, n, stderr)
			}
			if tt.check != "" && queryInt(t, url, "SELECT ("+tt.check+")::int") != 1 {
				t.Errorf("after the push, %s is false", tt.check)
			}
			if code == exitOK {
				if code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url); code != exitOK ||
					stdout != "Nothing to push: the database matches the schema.\n" {
					t.Errorf("push again: exit %d\n%s%s", code, stdout, stderr)
				}
			}
		})
	}
}

// TestPushOneConnection: push reads the database on three connections at
// once when it can; a role the server allows one connection still pushes,
// on that one.
func TestPushOneConnection(t *testing.T) {
	p := newProject(t, pushSchema)
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	role := "push_one_" + strings.TrimPrefix(u.Path, "/")
	execAll(t, dbURL, `CREATE ROLE `+role+` LOGIN CONNECTION LIMIT 1`,
		`GRANT CREATE ON DATABASE `+strings.TrimPrefix(u.Path, "/")+` TO `+role,
		`GRANT ALL ON SCHEMA public TO `+role)
	t.Cleanup(func() { execAll(t, dbURL, `DROP OWNED BY `+role, `DROP ROLE `+role) })
	u.User = url.User(role)
	for _, want := range []string{"Pushed 3 statements.\n", "Nothing to push: the database matches the schema.\n"} {
		// The server process of the run before ends a moment after the
		// command does, and until then it holds the role's one connection.
		for deadline := time.Now().Add(10 * time.Second); queryInt(t, dbURL, `SELECT count(*)::int FROM pg_stat_activity WHERE usename = `+quote.Literal(role)) > 0; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s, %s still has a connection", role)
			}
		}
		code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", u.String())
		if code != exitOK || !strings.HasSuffix(stdout, want) {
			t.Fatalf("push as a role with one connection: exit %d, want %q\n%s%s", code, want, stdout, stderr)
		}
	}
}
