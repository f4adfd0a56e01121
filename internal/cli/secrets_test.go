package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// Passwords with the characters that break URLs, keyword/value strings,
// quoting and escaping: @ : / # ? & = % space é ' " \ $ and backticks.
// None shares four characters in a row with anything mizzle prints
// otherwise (numbers included: ports are five digits).
const (
	pwHash      = "Kq7#vXw2Lmz"
	pwQuestion  = "Hy4?tRb8Nqa"
	pwQuote     = `Pd"Jx\Wv9Ck`
	pwAt        = "Fz@Tg6YhQw3"
	pwSpace     = "Zq9 Vj Rm5Xo"
	pwPercent   = "Wm3%zzQk8Lp"
	pwSlash     = "Nv5/Gh2Jk8Rt"
	pwColon     = "Lu6:Cx4Bn7Ds"
	pwAmpEquals = "Ej2&=Vb8Mq"
	pwApostr    = "Tr5'Yh'Ug"
	pwDollar    = "Sx4 $Ho9`Ri"
	pwEvery     = "Ab@:/#?&=% é'\"\\$`Yx"
	stripeKey   = "sk_live_TqW8xRv2Hn"
)

// secretCase is a database URL written wrong (or right, for a server that
// is not there), with the secrets it holds.
type secretCase struct {
	name string
	// url is the connection string; PORT stands for a closed port on
	// 127.0.0.1 and LIVE for the host:port of the test server.
	url     string
	secrets []string
}

func secretCases() []secretCase {
	var cases []secretCase
	add := func(name, url string, secrets ...string) {
		cases = append(cases, secretCase{name, url, secrets})
	}
	for _, pw := range []string{pwHash, pwQuestion, pwQuote, pwAt, pwSpace, pwPercent, pwSlash, pwColon, pwAmpEquals, pwApostr, pwDollar, pwEvery} {
		escaped := url.UserPassword("app", pw).String()
		add("raw "+pw, "postgres://app:"+pw+"@127.0.0.1:PORT/app", pw)
		add("escaped "+pw, "postgres://"+escaped+"@127.0.0.1:PORT/app", pw)
		add("raw, bad port "+pw, "postgresql://app:"+pw+"@127.0.0.1:5x32/app", pw)
		add("escaped, bad port "+pw, "postgres://"+escaped+"@127.0.0.1:99999/app", pw)
		add("key=value quoted "+pw, "host=127.0.0.1 port=PORT user=app password='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)+"' dbname=app", pw)
		add("key=value unquoted "+pw, "host=127.0.0.1 port=PORT user=app password="+pw+" dbname=app", pw)
		add("password in the query "+pw, "postgres://app@127.0.0.1:PORT/app?password="+url.QueryEscape(pw)+"&connect_timeout=soon", pw)
	}
	add("unescaped @ and a bad port", "postgres://app1:Sec@rXtWqPassZvdKYZ@127.0.0.1:xx/app", "Sec@rXtWqPassZvdKYZ")
	add("unescaped @, the port valid", "postgres://app1:Sec@rXtWqPassZvdKYZ@127.0.0.1:PORT/app", "Sec@rXtWqPassZvdKYZ")
	add("unescaped @ in an IPv6 URL", "postgres://app:"+pwAt+"@[::1:PORT/app", pwAt)
	add("unterminated quote", "host=127.0.0.1 port=PORT user=app5 password='"+pwSpace+" dbname=app", pwSpace)
	add("unterminated quote, escaped quote", "host=127.0.0.1 user=app password='Gb4\\'Yq Wd8 dbname=app", `Gb4'Yq Wd8`, `Gb4\'Yq Wd8`)
	add("wrong scheme", "postgress://app:"+pwHash+"@127.0.0.1:PORT/app", pwHash)
	add("mysql", "mysql://app:"+pwQuestion+"@127.0.0.1:PORT/app", pwQuestion)
	add("bad sslmode", "postgres://app:"+url.QueryEscape(pwEvery)+"@127.0.0.1:PORT/app?sslmode=sometimes", pwEvery)
	add("hosts and ports that do not match", "postgres://app:"+pwColon+"@127.0.0.1,127.0.0.2/app?port=PORT,1,2", pwColon)
	add("role that does not exist", "postgres://nobody_here:"+url.QueryEscape(pwEvery)+"@LIVE/postgres", pwEvery)
	return cases
}

// fileCase is a broken .env or mizzle.yaml file with a database URL in it;
// PORT stands for a closed port.
type fileCase struct {
	name, file string
	secrets    []string
}

var dotenvCases = []fileCase{
	{"line without =", "APP_NAME=shop\nbroken line\nDATABASE_URL=postgres://app:" + pwHash + "@127.0.0.1:PORT/app\nSTRIPE_KEY=" + stripeKey + "\n", []string{pwHash, stripeKey}},
	{"secret before the line without =", "STRIPE_KEY=" + stripeKey + "\nDATABASE_URL=postgres://app:" + pwHash + "@127.0.0.1:PORT/app\nbroken line\nX=1\n", []string{pwHash, stripeKey}},
	{"unterminated double quote", "APP_NAME=shop\nDATABASE_URL=\"postgres://app:" + pwQuestion + "@127.0.0.1:PORT/app\nSTRIPE_KEY=" + stripeKey + "\n", []string{pwQuestion, stripeKey}},
	{"unterminated single quote", "DATABASE_URL='postgres://app:" + pwHash + "@127.0.0.1:PORT/app\n", []string{pwHash}},
	{"bad character in a name", "STRIPE-KEY=" + stripeKey + "\nDATABASE_URL=postgres://app:" + pwHash + "@127.0.0.1:PORT/app\n", []string{pwHash, stripeKey}},
	{"secret value with a quote", "STRIPE_KEY=\"" + stripeKey + "\nDATABASE_URL=postgres://app:" + pwColon + "@127.0.0.1:PORT/app\n", []string{pwColon, stripeKey}},
}

// configCases are mizzle.yaml files with a database URL in them.
var configCases = []fileCase{
	{"# starts a comment", "databaseUrl: postgres://app:" + "Kq7 #vXw2Lmz" + "@127.0.0.1:PORT/app\n", []string{"Kq7 #vXw2Lmz"}},
	{"URL under a bool", "drizzle: " + "Kq7vXw2LmzRd@127.0.0.1" + "\n", []string{"Kq7vXw2LmzRd"}},
	{"broken quotes", "databaseUrl: \"postgres://app:" + pwQuote + "@127.0.0.1:PORT/app\"\n", []string{pwQuote}},
	{"unterminated quote", "databaseUrl: \"postgres://app:" + pwHash + "@127.0.0.1:PORT/app\nschema: .\n", []string{pwHash}},
}

// secretCommands are the commands that open a database, with the flags
// that get them as far as connecting. check reads the database whatever
// it finds wrong with the schema package; a missing one saves loading it.
var secretCommands = [][]string{
	{"migrate"},
	{"status"},
	{"status", "--json"},
	{"check", "--schema", "no-schema"},
	{"check", "--schema", "no-schema", "--json"},
	{"push", "--schema", "schema", "--dry-run"},
	{"push", "--schema", "schema", "--force"},
	{"pull", "--out", "pulled", "--migrations", "pulled-migrations"},
	{"drop", "--yes"},
	{"studio", "--port", "0"},
	{"reset", "--schema", "schema"},
	{"reset", "--schema", "schema", "--recreate", "--yes"},
}

// TestSecretsCorpus runs every command that opens a database with each way
// of getting the database URL wrong, the URL coming from the flag, from
// $DATABASE_URL, from .env and from mizzle.yaml, and with broken .env and
// mizzle.yaml files: no password and no other .env value may appear in the
// output, in any encoding or in part.
func TestSecretsCorpus(t *testing.T) {
	p := newProject(t, pushSchema)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema", "--name", "init"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	// drop --yes drops the migration when it reads no database; every run
	// starts from the generated folder.
	pristine := t.TempDir()
	if err := os.CopyFS(pristine, os.DirFS(filepath.Join(p.dir, "migrations"))); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSSLMODE", "")
	t.Setenv("PGPASSWORD", "")
	_, port := deadURL(t, "")
	live, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	expand := strings.NewReplacer("PORT", strconv.Itoa(port), "LIVE", live.Host).Replace

	type source struct {
		name string
		// readBy reports whether a command reads the URL from this
		// source.
		readBy func(cmd string) bool
		set    func(t *testing.T, u string) []string
	}
	always := func(string) bool { return true }
	sources := []source{
		{"flag", always, func(t *testing.T, u string) []string { return []string{"--database-url", u} }},
		{"env", always, func(t *testing.T, u string) []string { t.Setenv("DATABASE_URL", u); return nil }},
		{"dotenv", readsFiles, func(t *testing.T, u string) []string {
			writeFile(t, filepath.Join(p.dir, ".env"), "STRIPE_KEY="+stripeKey+"\nDATABASE_URL="+dotenvQuote(u)+"\n")
			return nil
		}},
		{"config", readsFiles, func(t *testing.T, u string) []string {
			q, _ := json.Marshal(u) // a JSON string is a YAML double-quoted scalar
			writeFile(t, filepath.Join(p.dir, configName), "databaseUrl: "+string(q)+"\n")
			return nil
		}},
	}

	runs := 0
	check := func(t *testing.T, cmd []string, readsURL bool, extra []string, secrets []string) {
		t.Helper()
		if err := os.RemoveAll(filepath.Join(p.dir, "migrations")); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(filepath.Join(p.dir, "migrations"), os.DirFS(pristine)); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(p.dir, "pulled-migrations"), 0o755); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := p.run(".", append(append([]string{}, cmd...), extra...)...)
		runs++
		name := strings.Join(cmd, " ")
		if readsURL && code == exitOK {
			t.Errorf("%s: exit 0\nstdout:\n%s", name, stdout)
		}
		if readsURL && !strings.Contains(stdout+stderr, "database") && !strings.Contains(stdout+stderr, ".env") &&
			!strings.Contains(stdout+stderr, configName) && !strings.Contains(stdout+stderr, "connecting to") {
			t.Errorf("%s: the failure is not about the database:\nstdout:\n%s\nstderr:\n%s", name, stdout, stderr)
		}
		if slices.Contains(cmd, "--json") && code != exitOK && (!json.Valid([]byte(stdout)) || stderr != "") {
			t.Errorf("%s: exit %d without one JSON document on stdout and nothing on stderr:\nstdout:\n%s\nstderr:\n%s", name, code, stdout, stderr)
		}
		for _, s := range secrets {
			if leak := leaked(stdout+"\n"+stderr, s); leak != "" {
				t.Errorf("%s: %q of secret %q is in the output:\nstdout:\n%s\nstderr:\n%s", name, leak, s, stdout, stderr)
			}
		}
	}
	reset := func(t *testing.T) {
		t.Setenv("DATABASE_URL", "")
		for _, f := range []string{".env", configName} {
			if err := os.Remove(filepath.Join(p.dir, f)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
	}

	for _, c := range secretCases() {
		u := expand(c.url)
		if err := noLookups(u); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, src := range sources {
			t.Run(src.name+"/"+c.name, func(t *testing.T) {
				for _, cmd := range secretCommands {
					if !src.readBy(cmd[0]) {
						continue
					}
					reset(t)
					extra := src.set(t, u)
					check(t, cmd, true, extra, c.secrets)
				}
			})
		}
	}
	for _, c := range dotenvCases {
		t.Run("dotenv file/"+c.name, func(t *testing.T) {
			for _, cmd := range secretCommands {
				reset(t)
				writeFile(t, filepath.Join(p.dir, ".env"), expand(c.file))
				check(t, cmd, readsFiles(cmd[0]), nil, c.secrets)
			}
		})
	}
	for _, c := range configCases {
		t.Run("config file/"+c.name, func(t *testing.T) {
			for _, cmd := range secretCommands {
				reset(t)
				writeFile(t, filepath.Join(p.dir, configName), expand(c.file))
				check(t, cmd, readsFiles(cmd[0]), nil, c.secrets)
			}
		})
	}
	t.Logf("%d URL cases from %d sources, %d .env files and %d config files through %d commands: %d runs",
		len(secretCases()), len(sources), len(dotenvCases), len(configCases), len(secretCommands), runs)
}

// readsFiles reports whether a command takes the database URL from .env
// and mizzle.yaml: check and drop take it from the flag or the
// environment only.
func readsFiles(cmd string) bool { return cmd != "check" && cmd != "drop" }

// dotenvQuote writes u as a .env value that godotenv reads back as u:
// single quotes keep everything as it is.
func dotenvQuote(u string) string {
	switch {
	case !strings.Contains(u, "'"):
		return "'" + u + "'"
	case !strings.Contains(u, `"`) && !strings.Contains(u, `\`) && !strings.Contains(u, "$"):
		return `"` + u + `"`
	}
	return u
}

// noLookups fails for a connection string that would make mizzle look up a
// host name: the corpus must not send anything off the machine.
func noLookups(conn string) error {
	cfg, err := pgconn.ParseConfig(conn)
	if err != nil {
		return nil
	}
	hosts := []string{cfg.Host}
	for _, fb := range cfg.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		if net.ParseIP(h) == nil && !strings.HasPrefix(h, "/") && !strings.Contains(h, "@") {
			return fmt.Errorf("host %q would be looked up", h)
		}
	}
	return nil
}

// leaked returns the part of secret that out holds, in any encoding: as
// it is, %-escaped for a query or a path, quoted as Go or JSON quote it,
// or any four or more characters of it in a row.
func leaked(out, secret string) string {
	js, _ := json.Marshal(secret)
	q := strconv.Quote(secret)
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), q[1 : len(q)-1], string(js[1 : len(js)-1])}
	for _, f := range forms {
		if strings.Contains(out, f) {
			return f
		}
	}
	for _, f := range forms {
		r := []rune(f)
		for n := len(r) - 1; n >= 4; n-- {
			for i := 0; i+n <= len(r); i++ {
				if s := string(r[i : i+n]); strings.Contains(out, s) {
					return s
				}
			}
		}
	}
	return ""
}
