package studio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/schema"
)

// Options configure a Server.
type Options struct {
	// Conn is the database's connection settings. The password in it
	// never reaches the page or the log.
	Conn *pgx.ConnConfig
	// ReadOnly opens every session read-only and hides editing: the
	// console's statements run inside BEGIN READ ONLY and are rolled
	// back. A read-only role is the real boundary; this one keeps honest
	// mistakes out.
	ReadOnly bool
	// Model is the mizzle schema, when the studio was given one: it
	// brings app-side defaults for inserts, and drift.
	Model *schema.Model
	// SchemaDir is the schema package's folder, for messages and for
	// building app-side defaults; empty without a Model.
	SchemaDir string
	// Migrations is the migrations folder, for the schema view's list of
	// applied and pending migrations; empty when there is none.
	Migrations string
	// History names the history table the migrations are recorded in
	// (mizzle's or drizzle-orm's layout, and where), as migrate and
	// status are told; the zero value is mizzle's default.
	History migrate.Options
	// StatementTimeout bounds every statement the studio runs; zero
	// means DefaultStatementTimeout.
	StatementTimeout time.Duration
	// Redact removes secrets (the connection's password) from a message
	// before it reaches the page; nil leaves messages as they are.
	Redact func(string) string
}

// DefaultStatementTimeout bounds a statement when Options set none.
const DefaultStatementTimeout = 30 * time.Second

// idleTimeout closes a keep-alive connection that has been quiet so long.
const idleTimeout = 2 * time.Minute

// Server is a running studio: a pool of connections to the database and
// the handler serving the page and the API.
type Server struct {
	opts    Options
	pool    *pgxpool.Pool
	token   string // printed in the URL, exchanged for the cookie
	session string // the cookie's value
	log     opLog
	types   typeNames
	gen     *genHelper // app-side defaults: see defaults.go
	secrets []string   // the password as it may be written in a message
	idle    time.Duration

	mu      sync.Mutex
	hosts   map[string]bool // the Host headers accepted
	port    int
	cookie  string // the cookie's name, which carries the port
	handler http.Handler
}

// New connects to the database and returns a server that is not yet
// listening: see Serve.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Conn == nil {
		return nil, errors.New("studio: no connection settings")
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = DefaultStatementTimeout
	}
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pcfg.ConnConfig = opts.Conn.Copy()
	if pcfg.ConnConfig.RuntimeParams == nil {
		pcfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	pcfg.ConnConfig.RuntimeParams["application_name"] = "mizzle studio"
	if opts.ReadOnly {
		pcfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	// Every statement the studio runs is bounded, the console's too.
	pcfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	pcfg.MaxConns = 8
	if opts.ReadOnly {
		// A statement can turn a session read-write (SET
		// default_transaction_read_only = off): a connection that comes
		// back so is closed rather than lent to the next request.
		// PostgreSQL 14 and later report the setting on every change;
		// older servers do not, and keep their connections.
		pcfg.AfterRelease = func(c *pgx.Conn) bool {
			v := c.PgConn().ParameterStatus("default_transaction_read_only")
			return v == "" || v == "on"
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Server{opts: opts, pool: pool, token: randomString(), session: randomString(), hosts: map[string]bool{}}
	s.secrets = secretForms(opts.Conn.Password)
	s.idle = idleTimeout
	s.log.max = maxLogEntries
	s.log.redact = s.redact
	s.gen = startGenHelper(opts)
	s.handler = s.secure(s.mux())
	return s, nil
}

// randomString returns 256 random bits, URL-safe.
func randomString() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Listen opens the studio's listeners: 127.0.0.1 and, where the machine
// has it, ::1, both on port (0 picks a free one), or the one address
// host when it is not empty (the command line warns about that).
func Listen(host string, port int) ([]net.Listener, error) {
	if host != "" {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	lns := []net.Listener{ln}
	p := ln.Addr().(*net.TCPAddr).Port
	// ::1 on the same port, so that "localhost" works whichever address
	// the browser resolves it to; a machine without IPv6 goes without.
	if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(p))); err == nil {
		lns = append(lns, ln6)
	}
	return lns, nil
}

// Serve answers on the listeners until ctx is done, then shuts down and
// closes the pool. The Host headers accepted are those of the listeners'
// addresses, and localhost on their port.
func (s *Server) Serve(ctx context.Context, lns []net.Listener) error {
	if len(lns) == 0 {
		return errors.New("studio: no listener")
	}
	s.mu.Lock()
	for _, ln := range lns {
		a := ln.Addr().(*net.TCPAddr)
		s.port = a.Port
		port := strconv.Itoa(a.Port)
		names := []string{a.IP.String(), "localhost"}
		if a.IP.IsUnspecified() {
			// Every address of the machine leads here, and the names it
			// gives itself; a name someone else controls still does not.
			names = append(names, machineNames()...)
		}
		for _, n := range names {
			s.hosts[strings.ToLower(net.JoinHostPort(n, port))] = true
		}
	}
	s.cookie = "mizzle_studio_" + strconv.Itoa(s.port)
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout or WriteTimeout: an export streams for as long
		// as the statement timeout lets it. Requests are small and their
		// statements bounded; an idle keep-alive connection is not.
		IdleTimeout:    s.idle,
		MaxHeaderBytes: 64 << 10,
		// Each request's context ends when its client goes away, and with
		// ctx: pgx cancels the statement running for it either way.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	defer s.Close()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-errc:
		_ = srv.Close()
		return err
	}
}

// URL is the address to open: the first listener's, with the token in
// its fragment, which the browser never sends anywhere (not in requests,
// not in a Referer); the page exchanges it for the session cookie.
func (s *Server) URL(lns []net.Listener) string {
	a := lns[0].Addr().(*net.TCPAddr)
	ip := a.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1) // one URL that works: here
	}
	return fmt.Sprintf("http://%s/#token=%s", net.JoinHostPort(ip.String(), strconv.Itoa(a.Port)), s.token)
}

// machineNames returns the machine's addresses and its host name.
func machineNames() []string {
	var names []string
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				names = append(names, n.IP.String())
			}
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	return names
}

// Handler is the studio's handler, for tests that serve it themselves;
// its Host allowlist is filled by Serve, or by AllowHost.
func (s *Server) Handler() http.Handler { return s.handler }

// Token is the token of the URL, for tests.
func (s *Server) Token() string { return s.token }

// Close closes the pool; Serve does it when it returns.
func (s *Server) Close() {
	s.pool.Close()
	s.gen.close()
}
