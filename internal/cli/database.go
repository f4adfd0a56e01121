package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/joho/godotenv"
)

// errNoDatabase is the usage error of a command that needs a database and
// finds none.
var errNoDatabase = &usageError{"no database: pass --database-url, or set DATABASE_URL (in the environment or in .env) or databaseUrl in mizzle.yaml, or start one with mizzle dev"}

// databaseURL finds the database to use, as lookupDatabase does, and fails
// with errNoDatabase when there is none.
func databaseURL(env *env, flagValue string, cfg *config) (url, from string, err error) {
	url, from, err = lookupDatabase(env, flagValue, cfg)
	if err == nil && url == "" {
		err = errNoDatabase
	}
	return url, from, err
}

// lookupDatabase finds the database to use: the --database-url flag, else
// the DATABASE_URL environment variable, else DATABASE_URL in .env in the
// working directory, else the config file, else the project's dev database
// when it is running (mizzle dev; never started here), which it names on
// stderr. It returns where it was found, for messages, and "" when there
// is no database: every command that talks to a database finds it here,
// so that they all agree on which one.
func lookupDatabase(env *env, flagValue string, cfg *config) (url, from string, err error) {
	if flagValue != "" {
		return flagValue, "--database-url", nil
	}
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v, "DATABASE_URL", nil
	}
	v, err := readDotenv(filepath.Join(env.cwd, ".env"), ".env")
	switch {
	case err == nil && v != "":
		return v, ".env", nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", "", err
	}
	if cfg.DatabaseURL != "" {
		from := cfg.file
		if rel, err := filepath.Rel(env.cwd, cfg.file); err == nil && !strings.HasPrefix(rel, "..") {
			from = rel
		}
		return cfg.DatabaseURL, from, nil
	}
	if u := runningDevURL(env, cfg); u != "" {
		fmt.Fprintf(env.stderr, "Using the dev database at %s\n", u)
		return u, "mizzle dev", nil
	}
	return "", "", nil
}

// readDotenv returns DATABASE_URL from the .env file at path, called name
// in messages. A .env file holds secrets, so an error names the line and
// what is wrong with it and never quotes the file: godotenv's own messages
// quote the rest of it.
func readDotenv(path, name string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		if line, what := dotenvProblem(data); line > 0 {
			return "", fmt.Errorf("%s:%d: cannot parse: %s", name, line, what)
		}
		return "", fmt.Errorf("%s: cannot parse", name)
	}
	return vars["DATABASE_URL"], nil
}

// dotenvProblem finds the line that godotenv fails on, walking the file by
// the same rules: statements of NAME=value (or NAME: value, after an
// optional "export"), comments from a # that starts a statement, values
// quoted with ' or " that may span lines. It returns 0 when it finds no
// problem. Only line numbers and fixed phrases come out of it.
func dotenvProblem(data []byte) (line int, what string) {
	src := strings.ReplaceAll(string(data), "\r\n", "\n")
	lineAt := func(i int) int { return strings.Count(src[:i], "\n") + 1 }
	isSpace := func(c byte) bool { return strings.IndexByte(" \t\v\f\r\x85\xa0", c) >= 0 }
	i := 0
	for {
		for i < len(src) && unicode.IsSpace(rune(src[i])) {
			i++
		}
		if i == len(src) {
			return 0, ""
		}
		if src[i] == '#' {
			nl := strings.IndexByte(src[i:], '\n')
			if nl < 0 {
				return 0, ""
			}
			i += nl
			continue
		}
		if rest, ok := strings.CutPrefix(src[i:], "export"); ok && rest != "" && isSpace(rest[0]) {
			i += len("export")
			for i < len(src) && isSpace(src[i]) {
				i++
			}
		}
		// The name, up to = or :, byte by byte with each byte taken as a
		// rune, as godotenv reads it.
		for ; i < len(src) && src[i] != '=' && src[i] != ':'; i++ {
			c := rune(src[i])
			switch {
			case isSpace(src[i]), c == '_', c == '.', unicode.IsLetter(c), unicode.IsNumber(c):
			case c == '\n':
				return lineAt(i), "a line needs NAME=value"
			default:
				return lineAt(i), "a name may hold only letters, digits, _ and ."
			}
		}
		if i == len(src) {
			return 0, ""
		}
		i++
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i < len(src) && (src[i] == '"' || src[i] == '\'') {
			q, open := src[i], i
			end := -1
			for j := i + 1; j < len(src); j++ {
				if src[j] == q && src[j-1] != '\\' {
					end = j
					break
				}
			}
			if end < 0 {
				return lineAt(open), "a quoted value without its closing quote"
			}
			i = end + 1
			continue
		}
		for i < len(src) && src[i] != '\n' && src[i] != '\r' {
			i++
		}
	}
}

// connStringError is what is wrong with a connection string, said without
// quoting any of it: connection strings hold passwords, and the parsers'
// own messages quote what they could not parse (pgx redacts them on a
// best-effort basis only).
type connStringError struct {
	from string // where the string came from: a flag, a variable, a file
	what string // a fixed phrase, or one with a position
}

func (e *connStringError) Error() string {
	return fmt.Sprintf("database URL from %s: cannot parse: %s", e.from, e.what)
}

// parseConnString parses a connection string as pgx does, with errors that
// quote nothing of it.
func parseConnString(s, from string) (*pgx.ConnConfig, error) {
	if at := strayAt(s); at >= 0 {
		return nil, &connStringError{from, fmt.Sprintf("an @ at character %d in the host or database name: in a user name or password, write @ as %%40 and / as %%2F", utf8.RuneCountInString(s[:at])+1)}
	}
	cfg, err := pgx.ParseConfig(s)
	if err != nil {
		return nil, &connStringError{from, parseProblem(s, err)}
	}
	return cfg, nil
}

// isURL reports whether pgx reads s as a URL rather than keyword=value
// pairs.
func isURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// strayAt returns the offset of an @ in the hosts or the database name of a
// URL, or -1. Like libpq, pgx ends the user name and password at the first
// @ (before any /), so an unescaped @ or / in a password leaves the rest of
// it in the host or the database name, which messages print.
func strayAt(s string) int {
	if !isURL(s) {
		return -1
	}
	start := strings.Index(s, "://") + len("://")
	rest := s[start:]
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		start += i + 1
		rest = rest[i+1:]
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest = rest[:q]
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		return start + i
	}
	return -1
}

// parseProblems map the messages of pgx's connection string parser to
// what mizzle says instead. The messages are only searched, never
// printed; the first match wins, the most specific first.
var parseProblems = []struct{ in, what string }{
	{"NUL byte", "it holds a NUL byte"},
	{"invalid percent-encoded token in password", "a bad %-escape in the password: write % as %25"},
	{"invalid percent-encoded token", "a bad %-escape: write % as %25"},
	{"%00", "%00 is not allowed"},
	{"unexpected spaces found in password", "a space in the password: write it as %20"},
	{"unexpected spaces found", "a space in a value: write it as %20"},
	{"invalid port", "invalid port: a / or @ in the user name or password must be written %2F or %40"},
	{"port numbers to", "not one port per host"},
	{`matching "]"`, "a [ without its ] around an IPv6 address"},
	{"IPv6 host address may not be empty", "an empty IPv6 address"},
	{"(expected \":\" or \"/\")", "an unexpected character after the ] of an IPv6 address"},
	{"key/value separator", "a query parameter that is not name=value"},
	{"unterminated quoted string", "a quoted value without its closing quote"},
	{`missing "=" after`, "a keyword without =: quote a value that has spaces, as password='a b'"},
	{"invalid keyword/value", "neither a postgres:// URL nor keyword=value pairs (quote a value that has spaces: password='a b')"},
	{"sslmode is invalid", "invalid sslmode"},
	{"sslcertmode", "invalid sslcertmode"},
	{"failed to configure TLS", "cannot set up TLS from sslrootcert, sslcert, sslkey or sslpassword"},
	{"connect_timeout", "invalid connect_timeout"},
	{"target_session_attrs", "invalid target_session_attrs"},
	{"protocol_version", "invalid min_protocol_version or max_protocol_version"},
	{"channel_binding", "invalid channel_binding"},
	{"require_auth", "invalid require_auth"},
	{"failed to read service", "cannot read the service file, or it has no such service"},
	{"statement_cache_capacity", "invalid statement_cache_capacity"},
	{"description_cache_capacity", "invalid description_cache_capacity"},
	{"default_query_exec_mode", "invalid default_query_exec_mode"},
}

// parseProblem says what is wrong with s, which pgx failed to parse with
// err. Only fixed phrases and positions come out of it.
func parseProblem(s string, err error) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Sprintf("a NUL byte at character %d", utf8.RuneCountInString(s[:i])+1)
	}
	if !isURL(s) {
		if i := strings.Index(s, "://"); i >= 0 && !strings.ContainsAny(s[:i], " =") {
			return "the URL must start with postgres:// or postgresql://"
		}
		if i := openQuote(s); i >= 0 {
			return fmt.Sprintf("the quote at character %d has no closing quote", utf8.RuneCountInString(s[:i])+1)
		}
	}
	msg := err.Error()
	for _, p := range parseProblems {
		if strings.Contains(msg, p.in) {
			return p.what
		}
	}
	return "not a connection string that pgx reads"
}

// openQuote returns the offset of the quote that opens an unterminated
// value in keyword=value pairs, or -1, reading them as pgx does.
func openQuote(s string) int {
	const spaces = " \t\n\r\v\f"
	i := 0
	for {
		for i < len(s) && strings.IndexByte(spaces, s[i]) >= 0 {
			i++
		}
		if i >= len(s) {
			return -1
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return -1
		}
		i += eq + 1
		for i < len(s) && strings.IndexByte(spaces, s[i]) >= 0 {
			i++
		}
		quoted := i < len(s) && s[i] == '\''
		start := i
		if quoted {
			i++
		}
		for ; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if quoted && s[i] == '\'' || !quoted && strings.IndexByte(spaces, s[i]) >= 0 {
				break
			}
		}
		if quoted && i >= len(s) {
			return start
		}
		i++
	}
}

// sslMode is the sslmode that fits a connection without one: disable for
// a local server (loopback or a Unix socket), require otherwise.
// PostgreSQL's own default, prefer, silently falls back to plain text when
// the server offers no TLS, which is never what a production deploy wants.
// One sslmode covers every host of a multi-host string: disable only when
// all of them are local, or a remote fallback would go in plain text.
func sslMode(cfg *pgconn.Config) string {
	mode := sslModeFor(cfg.Host)
	for _, fb := range cfg.Fallbacks {
		if sslModeFor(fb.Host) == "require" {
			mode = "require"
		}
	}
	return mode
}

// withSSLMode puts sslmode=mode first in connString. Both pgx and libpq
// keep the last of repeated settings, so an sslmode the string already
// has wins, and nothing needs to be parsed again to know whether it has
// one. It inserts text rather than rebuilding a URL, which would need a
// parser whose errors quote the URL.
func withSSLMode(connString, mode string) string {
	if !isURL(connString) {
		return "sslmode=" + mode + " " + connString
	}
	q := queryStart(connString)
	if q < 0 {
		return connString + "?sslmode=" + mode
	}
	return connString[:q+1] + "sslmode=" + mode + "&" + connString[q+1:]
}

// queryStart returns the offset of the ? that starts the query of a URL
// that pgx parsed, or -1: the first ? after the user name and password
// (which end at the first @ before any /) outside an IPv6 address's [].
func queryStart(s string) int {
	start := strings.Index(s, "://") + len("://")
	if i := strings.IndexAny(s[start:], "@/"); i >= 0 && s[start+i] == '@' {
		start += i + 1
	}
	bracket := false
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '[':
			bracket = true
		case ']':
			bracket = false
		case '?':
			if !bracket {
				return i
			}
		}
	}
	return -1
}

func sslModeFor(host string) string {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return "disable"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "disable"
	}
	return "require"
}

// connect opens a connection to the database of connString, which came
// from the place named by from. Every error about the connection comes out
// of here, built so that it cannot hold the password: a string that does
// not parse is described, never quoted, and the errors of a connection
// attempt are redacted.
//
// Every connection gets standard_conforming_strings=on, whatever the
// server's or the database's default: the SQL that mizzle generates and
// runs writes backslashes in string literals as plain characters.
func connect(ctx context.Context, connString, from string) (*pgx.Conn, error) {
	cfg, err := connConfig(connString, from)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", hostPort(cfg.Host, cfg.Port), redacted(err, connString))
	}
	return conn, nil
}

// noJIT turns off PostgreSQL's JIT compilation on a connection that reads
// the catalogs. Right after many objects are made, or a rolled-back build
// leaves dead rows, stale statistics make the catalog queries look costly
// enough to compile: half a second a query, measured, for queries that
// read a few thousand rows. It is set with SET, which poolers pass on,
// not as a startup parameter, which PgBouncer refuses; a server that
// does not know the setting (before PostgreSQL 11) has no JIT to turn off.
func noJIT(ctx context.Context, conn *pgx.Conn) {
	conn.Exec(ctx, "SET jit = off")
}

// connConfig parses connString as connect does: sslmode as connect
// documents, standard_conforming_strings on.
func connConfig(connString, from string) (*pgx.ConnConfig, error) {
	cfg, err := parseConnString(connString, from)
	if err != nil {
		return nil, err
	}
	if os.Getenv("PGSSLMODE") == "" {
		if cfg, err = parseConnString(withSSLMode(connString, sslMode(&cfg.Config)), from); err != nil {
			return nil, err
		}
	}
	cfg.RuntimeParams["standard_conforming_strings"] = "on"
	return cfg, nil
}

func hostPort(host string, port uint16) string {
	if strings.HasPrefix(host, "/") {
		return fmt.Sprintf("%s (port %d)", host, port)
	}
	return net.JoinHostPort(host, fmt.Sprint(port))
}

// urlPassword finds the password of a URL that neither pgconn nor net/url
// parses (a bad port, a bad %-escape): up to the last "@".
var urlPassword = regexp.MustCompile(`^postgres(?:ql)?://[^:/@]*:(.*)@[^@]*$`)

// redactedError is an error whose message must not show the password of
// connString. It unwraps to the error as it came, so that errors.As still
// finds a *pgconn.PgError (its SQLSTATE, its position) under it: only the
// text is redacted. Whoever prints from an unwrapped error prints what the
// database said, unredacted, and must redact it again.
type redactedError struct {
	err        error
	connString string
}

func (e *redactedError) Error() string { return redact(e.err.Error(), e.connString) }

func (e *redactedError) Unwrap() error { return e.err }

// redacted returns err with the password of connString taken out of its
// message, or nil when err is nil.
func redacted(err error, connString string) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, connString: connString}
}

// redact removes the password of connString from s, wherever it appears.
func redact(s, connString string) string {
	cfg, err := pgconn.ParseConfig(connString)
	pw, raw := "", ""
	if err == nil {
		pw = cfg.Password
	} else if u, err := url.Parse(connString); err == nil {
		pw, _ = u.User.Password()
	} else if m := urlPassword.FindStringSubmatch(connString); m != nil {
		// A URL that does not parse is still quoted in messages, with
		// its password as written.
		raw, pw = m[1], m[1]
		if p, err := url.PathUnescape(raw); err == nil {
			pw = p
		}
	}
	if pw == "" {
		return s
	}
	for _, p := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw), raw} {
		if p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	}
	return s
}
