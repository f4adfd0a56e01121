package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/joho/godotenv"
)

// databaseURL finds the database to use: the --database-url flag, else the
// DATABASE_URL environment variable, else DATABASE_URL in .env in the
// working directory, else the config file, else the project's dev database
// when it is running (mizzle dev; never started here). It returns where it
// was found, for messages.
func databaseURL(env *env, flagValue string, cfg *config) (url, from string, err error) {
	if flagValue != "" {
		return flagValue, "--database-url", nil
	}
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v, "DATABASE_URL", nil
	}
	dotenv := filepath.Join(env.cwd, ".env")
	vars, err := godotenv.Read(dotenv)
	switch {
	case err == nil && vars["DATABASE_URL"] != "":
		return vars["DATABASE_URL"], ".env", nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return "", "", fmt.Errorf("%s: %v", dotenv, err)
	}
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, cfg.file, nil
	}
	if u := runningDevURL(env, cfg); u != "" {
		fmt.Fprintf(env.stderr, "Using the dev database at %s\n", u)
		return u, "mizzle dev", nil
	}
	return "", "", &usageError{"no database: pass --database-url, or set DATABASE_URL (in the environment or in .env)"}
}

var sslmodeParam = regexp.MustCompile(`(^|\s)sslmode\s*=`)

// withSSLMode gives a connection string without an sslmode one that fits
// its host: disable for a local server (loopback or a Unix socket),
// require otherwise. PostgreSQL's own default, prefer, silently falls back
// to plain text when the server offers no TLS, which is never what a
// production deploy wants.
func withSSLMode(connString string) (string, error) {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return "", err
	}
	if os.Getenv("PGSSLMODE") != "" {
		return connString, nil
	}
	// One sslmode covers every host of a multi-host string: disable only
	// when all of them are local, or a remote fallback would go in plain
	// text.
	mode := sslModeFor(cfg.Host)
	for _, fb := range cfg.Fallbacks {
		if sslModeFor(fb.Host) == "require" {
			mode = "require"
		}
	}
	isURL := strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://")
	if isURL {
		u, err := url.Parse(connString)
		if err != nil {
			return "", err
		}
		if u.Query().Has("sslmode") {
			return connString, nil
		}
		q := u.Query()
		q.Set("sslmode", mode)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	if sslmodeParam.MatchString(connString) {
		return connString, nil
	}
	return connString + " sslmode=" + mode, nil
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

// connect opens a connection, with errors that name the server and never
// the password.
func connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	s, err := withSSLMode(connString)
	if err != nil {
		return nil, fmt.Errorf("database URL: %s", redact(err.Error(), connString))
	}
	cfg, err := pgx.ParseConfig(s)
	if err != nil {
		return nil, fmt.Errorf("database URL: %s", redact(err.Error(), connString))
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %s", hostPort(cfg.Host, cfg.Port), redact(err.Error(), connString))
	}
	return conn, nil
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
