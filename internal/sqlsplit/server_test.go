package sqlsplit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/sqlsplit"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// serverScripts are scripts whose every statement the server accepts, each
// with the number of statements in it. They write what they see into the
// table out, which the test creates first.
var serverScripts = []struct {
	name  string
	stmts int
	sql   string
}{
	{"strings", 11, `
INSERT INTO out(v) VALUES ('a;b');
INSERT INTO out(v) VALUES ('it''s; fine'), ('');
INSERT INTO out(v) VALUES (E'it\'s; fine');
INSERT INTO out(v) VALUES (E'back\\'); INSERT INTO out(v) VALUES ('C:\');
INSERT INTO out(v) VALUES ('a\''; b');
INSERT INTO out(v) VALUES (E'a'
'b\';c');
INSERT INTO out(v) VALUES ('x' -- a comment between the parts;
  'y;z');
INSERT INTO out(v) VALUES (U&'d\0061t\+000061;'), (U&'!0061;' UESCAPE '!');
INSERT INTO out(v) VALUES (B'0101'::text), (X'0f'::text), (N'n;n')
;INSERT INTO out(v) VALUES (e'\x41\101\u0041;\\')`},

	{"dollar quotes and identifiers", 9, `
INSERT INTO out(v) VALUES ($$a;b$$), ($tag$ $$;$$ $tag$), ($a1$;$a1$), ($é$;$é$), ($$$$);
CREATE TABLE a$b (c$$ int, "x;""y" int, U&"d\0061t;" int);
INSERT INTO a$b VALUES (1, 2, 3);
INSERT INTO out(v) SELECT c$$ + "x;""y" + U&"d\0061t;" FROM a$b;
PREPARE p(text) AS INSERT INTO out(v) VALUES ($1 || $$;$$);
EXECUTE p('p;1');
DEALLOCATE p;
INSERT INTO out(v) VALUES ($q$it's $$; here$q$);
INSERT INTO out(v) VALUES (1||$$;$$)`},

	{"comments", 6, `
/* leading; /* nested; */ still a comment; */
INSERT INTO out(v) VALUES ('c1'); -- trailing; comment
INSERT INTO out(v) VALUES ('c2' /* inside; */ || '-' || -- a line comment;
'x');
INSERT INTO out(v) VALUES ((SELECT 3 +-- an operator, then a comment;
4)::text);
INSERT INTO out(v) VALUES ((SELECT 5 */* ; */ 6)::text)
--> statement-breakpoint
;INSERT INTO out(v) VALUES ('c3');;;
INSERT INTO out(v) VALUES ('/*'), ('--;') /*/ ; */;
-- only a comment at the end;`},

	{"function bodies and rules", 10, `
CREATE FUNCTION f1(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN x ELSE -x END;
END;
CREATE OR REPLACE PROCEDURE p1(x text) LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO out(v) VALUES (x || ';');
  INSERT INTO out(v) VALUES (CASE x WHEN 'a' THEN 'b;' END);
END;
CALL p1('a');
INSERT INTO out(v) VALUES (f1(-5)::text);
create function f2() returns int language plpgsql as $$begin return 1; end$$;
INSERT INTO out(v) VALUES (f2()::text);
CREATE TABLE r1 (x int);
CREATE RULE rr AS ON INSERT TO r1 DO ALSO (INSERT INTO out(v) VALUES ('rule;' || NEW.x); INSERT INTO out(v) VALUES ('again'));
INSERT INTO r1 VALUES (7);
DO $do$
BEGIN
  EXECUTE $x$INSERT INTO out(v) VALUES ('do;1')$x$;
  PERFORM 1; -- ;
END
$do$`},

	{"CRLF", 3, "INSERT INTO out(v) VALUES ('crlf;1');\r\n-- c;\r\n" +
		"INSERT INTO out(v) VALUES (E'a'\r\n'\\';b');\r\nINSERT INTO out(v) VALUES ('x') -- c\r;\r\n"},
}

// TestServerAgrees runs each script twice on PostgreSQL, rolling back after
// each: whole, as one simple-protocol query, the way the server splits it
// itself; and as Split's statements one by one over the extended protocol,
// which refuses a text holding more than one statement. Both must succeed
// and leave the same rows and catalog behind.
func TestServerAgrees(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	for _, sc := range serverScripts {
		t.Run(sc.name, func(t *testing.T) {
			stmts := sqlsplit.Split(sc.sql)
			if len(stmts) != sc.stmts {
				var texts []string
				for _, s := range stmts {
					texts = append(texts, s.Text)
				}
				t.Fatalf("Split found %d statements, want %d:\n%s", len(stmts), sc.stmts, strings.Join(texts, "\n----\n"))
			}
			whole := inTx(t, conn, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, sc.sql)
				return err
			})
			split := inTx(t, conn, func(tx pgx.Tx) error {
				for i, s := range stmts {
					if err := tx.Conn().PgConn().ExecParams(ctx, s.Text, nil, nil, nil, nil).Read().Err; err != nil {
						return fmt.Errorf("statement %d at %d:%d, %q: %w", i+1, s.Line, s.Column, s.Text, err)
					}
				}
				return nil
			})
			if whole != split {
				t.Errorf("the script run whole left\n%s\nrun statement by statement\n%s", whole, split)
			}
		})
	}
}

// inTx creates the table out, runs f and returns what it left behind, all
// in a transaction that it rolls back.
func inTx(t *testing.T, conn *pgx.Conn, f func(pgx.Tx) error) string {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "CREATE TABLE out (n int GENERATED ALWAYS AS IDENTITY, v text)"); err != nil {
		t.Fatal(err)
	}
	if err := f(tx); err != nil {
		t.Fatal(err)
	}
	var summary string
	err = tx.QueryRow(ctx, `SELECT concat_ws(E'\n',
		(SELECT string_agg(format('out %s %L', n, v), E'\n' ORDER BY n) FROM out),
		(SELECT string_agg(format('%s %s', relkind, relname), E'\n' ORDER BY relname)
			FROM pg_class WHERE relnamespace = 'public'::regnamespace),
		(SELECT string_agg(pg_get_functiondef(oid), E'\n' ORDER BY proname)
			FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
		(SELECT string_agg(definition, E'\n' ORDER BY rulename) FROM pg_rules WHERE schemaname = 'public'))`).Scan(&summary)
	if err != nil {
		t.Fatal(err)
	}
	return summary
}

// TestServerPosition checks that Pos maps the server's error position, in
// characters, to the line and column of the script.
func TestServerPosition(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	script := "SELECT 1;\n-- é, a comment;\nSELECT 'é', /* ü */\n  nosuchcolumn;"
	stmts := sqlsplit.Split(script)
	if len(stmts) != 2 {
		t.Fatalf("Split: %#v", stmts)
	}
	_, err := conn.Exec(ctx, stmts[1].Text)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position == 0 {
		t.Fatalf("want an error with a position, got %v", err)
	}
	if line, col := stmts[1].Pos(pgErr.Position); line != 4 || col != 3 {
		t.Errorf("Pos(%d) = %d:%d, want 4:3 (%v)", pgErr.Position, line, col, err)
	}
}

// TestServerEmbeddable writes each expression CheckEmbeddable accepts into
// a statement, in parentheses, and sends it as a simple query, which runs
// every statement it holds, with standard_conforming_strings on and off:
// the server must run it as one statement. An expression that
// CheckEmbeddable refuses for the off reading shows the probe can tell.
func TestServerEmbeddable(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	statements := func(src, setting string) int {
		t.Helper()
		// The setting must be in force before the probe is parsed: the
		// server parses a whole simple query before running any of it.
		for _, s := range []string{"BEGIN", "SET LOCAL standard_conforming_strings = " + setting} {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		results, err := conn.PgConn().Exec(ctx, "SELECT ("+src+") IS NOT NULL").ReadAll()
		if err != nil {
			// Nothing runs after an error: report it rather than count
			// too few statements.
			t.Logf("standard_conforming_strings = %s, %q: %v", setting, src, err)
		}
		if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		return len(results)
	}
	accepted := []string{
		"0", "now()", "'a;b' || (SELECT \"c;)\" FROM (SELECT 'c' AS \"c;)\") s) || $$;$$ || $t$ ) $t$ || E'\\';'", "/* ( */ 1 /* nested /* ; */ ) */",
		`'back\slash'`, `E'back\\slash'`, `'\\'`, "'it''s'", "'a'\n'b'", `'\\' || ';'`,
	}
	for _, src := range accepted {
		if err := sqlsplit.CheckEmbeddable(src); err != nil {
			t.Fatalf("CheckEmbeddable(%q) = %v; the test needs it accepted", src, err)
		}
		for _, setting := range []string{"on", "off"} {
			if n := statements(src, setting); n != 1 {
				t.Errorf("standard_conforming_strings = %s: the probe with %q ran as %d statements", setting, src, n)
			}
		}
	}
	refused := `'\'') ; SELECT 1; SELECT ('\'' || ''`
	if sqlsplit.CheckEmbeddable(refused) == nil {
		t.Fatalf("CheckEmbeddable(%q) = nil; the test needs it refused", refused)
	}
	if off := statements(refused, "off"); off < 2 {
		t.Errorf("the probe with %q ran as %d statements with standard_conforming_strings off; want several", refused, off)
	}
}
