package cli

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/migrate"
)

// TestConnStringErrors says what is wrong with connection strings that do
// not parse, and where, without quoting them.
func TestConnStringErrors(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	const from = "DATABASE_URL: cannot parse: "
	tests := []struct{ name, conn, want string }{
		{"# in the password, bad port", "postgres://app:S3cr#t@127.0.0.1:5x32/app", "invalid port: a / or @ in the user name or password must be written %2F or %40"},
		{"@ in the password", "postgres://app:p@ss@127.0.0.1:xx/app", "an @ at character 20 in the host or database name: in a user name or password, write @ as %40 and / as %2F"},
		{"@ in the password, the port valid", "postgres://app:p@ss@127.0.0.1:5432/app", "an @ at character 20 in the host or database name: in a user name or password, write @ as %40 and / as %2F"},
		{"/ and @ in the password", "postgres://app:pa/ss@127.0.0.1/app", "an @ at character 21 in the host or database name: in a user name or password, write @ as %40 and / as %2F"},
		{"/ in the password", "postgres://app:pa/ss@127.0.0.1/app", "an @ at character 21 in the host or database name: in a user name or password, write @ as %40 and / as %2F"},
		{"bad escape in the password", "postgres://app:pa%zz@127.0.0.1/app", "a bad %-escape in the password: write % as %25"},
		{"bad escape elsewhere", "postgres://app@127.0.0.1/a%zz", "a bad %-escape: write % as %25"},
		{"space in the password", "postgres://app:pa ss@127.0.0.1/app", "a space in the password: write it as %20"},
		{"é counts as one character", "postgres://é:p@ss@127.0.0.1/app", "an @ at character 18 in the host or database name: in a user name or password, write @ as %40 and / as %2F"},
		{"unterminated quote", "host=127.0.0.1 user=app password='a b dbname=app", "the quote at character 34 has no closing quote"},
		{"unterminated quote after an escaped one", `host=h password='it\'s dbname=app`, "the quote at character 17 has no closing quote"},
		{"space in an unquoted value", "host=h password=a b c", "neither a postgres:// URL nor keyword=value pairs (quote a value that has spaces: password='a b')"},
		{"space in a keyword", "host=h pass word=x", "a keyword without =: quote a value that has spaces, as password='a b'"},
		{"other scheme", "mysql://app:pw@h/db", "the URL must start with postgres:// or postgresql://"},
		{"misspelt scheme", "postgress://app:pw@h/db", "the URL must start with postgres:// or postgresql://"},
		{"IPv6 without ]", "postgres://app:pw@[::1/db", "a [ without its ] around an IPv6 address"},
		{"hosts and ports", "postgres://app:pw@h1,h2/db?port=1,2,3", "not one port per host"},
		{"bad sslmode", "postgres://app:pw@h/db?sslmode=sometimes", "invalid sslmode"},
		{"bad connect_timeout", "postgres://app@h/db?password=pw&connect_timeout=soon", "invalid connect_timeout"},
		{"query without =", "postgres://app@h/db?password", "a query parameter that is not name=value"},
		{"NUL", "postgres://app:p\x00w@h/db", "a NUL byte at character 17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConnString(tt.conn, "DATABASE_URL")
			if err == nil {
				t.Fatalf("%q parsed", tt.conn)
			}
			if got := strings.TrimPrefix(err.Error(), "database URL from "); got != from+tt.want {
				t.Errorf("%q:\n got %s\nwant %s", tt.conn, got, from+tt.want)
			}
		})
	}
}

// TestDotenvProblem finds the line of a .env file that godotenv cannot
// parse.
func TestDotenvProblem(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		what       string
	}{
		{"good", "A=1\n# c\nexport B = 'x'\nC: \"y\"\nD=\"multi\nline\"\nE=z # c\n", 0, ""},
		{"line without =", "A=1\nbroken line\nDATABASE_URL=x\n", 2, "a line needs NAME=value"},
		{"after a multi-line value", "A=\"one\ntwo\"\nB=1\nbroken\nC=2\n", 4, "a line needs NAME=value"},
		{"CRLF", "A=1\r\nB=2\r\nbroken\r\nC=3\r\n", 3, "a line needs NAME=value"},
		{"bad name", "A=1\nB-C=2\n", 2, "a name may hold only letters, digits, _ and ."},
		{"unterminated double quote", "A=1\nB=\"x\nC=3\n", 2, "a quoted value without its closing quote"},
		{"unterminated single quote", "A='x\\'\n", 1, "a quoted value without its closing quote"},
		{"quote in a comment", "# it's\nA=1\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, what := dotenvProblem([]byte(tt.file))
			if line != tt.line || what != tt.what {
				t.Errorf("dotenvProblem(%q) = %d, %q; want %d, %q", tt.file, line, what, tt.line, tt.what)
			}
		})
	}
}

// TestConnectStandardConformingStrings connects to a database whose
// default is standard_conforming_strings=off: mizzle's connections have it
// on, as the SQL it writes assumes.
func TestConnectStandardConformingStrings(t *testing.T) {
	db := pgtest.NewDatabase(t)
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := dbConn(t, db)
	if _, err := admin.Exec(context.Background(), "ALTER DATABASE "+quote.Ident(name)+" SET standard_conforming_strings = off"); err != nil {
		t.Fatal(err)
	}
	show := func(conn *pgx.Conn) string {
		var v string
		if err := conn.QueryRow(context.Background(), "SHOW standard_conforming_strings").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := show(dbConn(t, db)); got != "off" {
		t.Fatalf("a plain connection has standard_conforming_strings=%s, want off", got)
	}
	conn, err := connect(context.Background(), db, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if got := show(conn); got != "on" {
		t.Errorf("mizzle's connection has standard_conforming_strings=%s, want on", got)
	}
}

// TestConnStringErrorNamesSource names where a URL that does not parse
// came from, and the line of a .env file that does not parse.
func TestConnStringErrorNamesSource(t *testing.T) {
	const bad = "postgres://app:S3cr#t@127.0.0.1:5x32/app"
	const what = "cannot parse: invalid port: a / or @ in the user name or password must be written %2F or %40"
	tests := []struct {
		name string
		args []string
		env  string
		file string // NAME=contents
		want string
	}{
		{"flag", []string{"--database-url", bad}, "", "", "mizzle: database URL from --database-url: " + what + "\n"},
		{"environment", nil, bad, "", "mizzle: database URL from DATABASE_URL: " + what + "\n"},
		{".env", nil, "", ".env=DATABASE_URL=" + bad + "\n", "mizzle: database URL from .env: " + what + "\n"},
		{"config", nil, "", configName + "=databaseUrl: " + bad + "\n", "mizzle: database URL from mizzle.yaml: " + what + "\n"},
		{"broken .env", nil, "", ".env=A=1\n\nbroken line\nDATABASE_URL=" + bad + "\n", "mizzle: .env:3: cannot parse: a line needs NAME=value\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := migrateProject(t)
			writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a ();")
			t.Setenv("DATABASE_URL", tt.env)
			if name, data, ok := strings.Cut(tt.file, "="); ok {
				writeFile(t, filepath.Join(dir, name), data)
			}
			code, _, stderr := runIn(t, dir, append([]string{"status"}, tt.args...)...)
			if code != exitFailure || stderr != tt.want {
				t.Errorf("exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, tt.want)
			}
		})
	}
}

// TestRedactedErrorKeepsChain takes the password out of what a database
// error says without flattening it into a string: the *pgconn.PgError, and
// the *migrate.StatementError around it, are still there for errors.As.
func TestRedactedErrorKeepsChain(t *testing.T) {
	const password = "S3cretPW"
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password) // trust auth takes any
	db := u.String()
	conn, err := connect(context.Background(), db, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	// PostgreSQL quotes the value it cannot read, the password here.
	bad := "SELECT '" + password + "'::int"
	_, err = conn.Exec(context.Background(), bad)
	check := func(t *testing.T, err error) *pgconn.PgError {
		t.Helper()
		if strings.Contains(err.Error(), password) {
			t.Errorf("the password is in the message: %v", err)
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "22P02" {
			t.Fatalf("no *pgconn.PgError 22P02 under %v (%T)", err, err)
		}
		return pe
	}
	t.Run("plain", func(t *testing.T) { check(t, migrateError("migrations", err, db)) })
	t.Run("statement", func(t *testing.T) {
		dir := t.TempDir()
		writeMigrations(t, dir, "0000_bad", bad+";")
		d, err := migrate.Open(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Apply(context.Background(), conn, migrate.Options{})
		err = migrateError("migrations", err, db)
		if pe := check(t, err); pe.Position == 0 {
			t.Errorf("the server's position is lost: %+v", pe)
		}
		var se *migrate.StatementError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "migrations/0000_bad.sql:1:8: statement 1: ERROR: invalid input syntax for type integer: \"xxxxx\"") {
			t.Errorf("no *migrate.StatementError naming the file under %v", err)
		}
	})
	t.Run("push", func(t *testing.T) {
		err := redacted(&statementFailed{sql: bad, err: err}, db)
		check(t, err)
		if !strings.HasPrefix(err.Error(), "SELECT 'xxxxx'::int\nERROR: invalid input syntax for type integer") {
			t.Errorf("push's statement error says %q; want the statement, then the server's message", err)
		}
	})
}

// TestNoJIT: a connection that reads the catalogs does not compile its
// queries, even where the server would compile every query (JIT on, no
// cost threshold), as stale statistics made it do for catalog queries.
func TestNoJIT(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	jitted := func(conn *pgx.Conn) bool {
		t.Helper()
		rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, FORMAT TEXT) SELECT count(*) FROM pg_catalog.pg_class")
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "JIT:") })
	}
	conn := dbConn(t, dbURL)
	var available bool
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_jit_available()").Scan(&available); err != nil || !available {
		t.Fatalf("the test server has no JIT (%v): install PostgreSQL's LLVM JIT (Debian's postgresql package ships llvmjit.so)", err)
	}
	if _, err := conn.Exec(ctx, "SET jit = on; SET jit_above_cost = 0"); err != nil {
		t.Fatal(err)
	}
	if !jitted(conn) {
		t.Fatal("with JIT on and no threshold, the query was not compiled: the test shows nothing")
	}
	noJIT(ctx, conn)
	if jitted(conn) {
		t.Error("after noJIT, the catalog query was compiled")
	}
}
