// Package studio is the local database studio: an http.Handler that
// serves the studio's page (embedded from the top-level templates
// package) and a JSON API over one PostgreSQL database, both from the
// same loopback origin.
//
// It owns the studio's security (the token and its cookie, the Host
// allowlist, cross-origin refusal, the response headers), the queries it
// runs (every one recorded in its operation log) and the JSON shapes the
// page reads. Values travel as PostgreSQL's text form end to end: the
// server never decodes a bigint, a numeric or a timestamp into a Go or
// JavaScript number or time.
//
// It does not parse flags, print or pick listen addresses: the command
// line (internal/cli) does, and hands it listeners and a connection's
// settings. It knows the mizzle schema only through the model it may be
// given (app-side defaults, drift); without one it works from the
// database's catalog alone.
package studio
