package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/quote"
)

// session sets conn up for a run that changes the database, Apply's or
// Baseline's, in the one order both need: the lock first, so that nothing
// below races another migrator; the pinned settings; the history table,
// created when missing; then the status, refused (with a ProblemsError)
// when it has problems, since nothing may change then. end undoes the
// settings and releases the lock; it is to be called whatever happens
// next.
func session(ctx context.Context, conn *pgx.Conn, d *Dir, opts Options) (st *Status, end func(), err error) {
	table := opts.table()
	lock, err := opts.lock(ctx, conn, table)
	if err != nil {
		return nil, nil, err
	}
	restore, err := pinSettings(ctx, conn)
	if err != nil {
		lock.Release(ctx)
		return nil, nil, err
	}
	end = func() {
		restore()
		// An error here is a broken connection, whose session took the
		// lock with it.
		lock.Release(ctx)
	}
	if err := createHistory(ctx, conn, table, opts.Drizzle); err != nil {
		end()
		return nil, nil, err
	}
	if st, err = status(ctx, conn, d, opts); err != nil {
		end()
		return nil, nil, err
	}
	if len(st.Problems) > 0 {
		end()
		return nil, nil, ProblemsError(st.Problems)
	}
	return st, end, nil
}

// pinnedSettings are the session settings migrations run with, whatever
// the database or role defaults: the SQL mizzle generates, and the
// statement splitter, read '...' strings with backslashes as ordinary
// characters, so with standard_conforming_strings off an enum label such as
// a\' would end its string early and run what follows as SQL.
var pinnedSettings = [...]struct{ name, value string }{
	{"standard_conforming_strings", "on"},
}

// pinSettings sets pinnedSettings for the session, for transactional and
// no-transaction migrations alike, and returns the function that puts back
// the values it found, since conn may be the application's.
func pinSettings(ctx context.Context, conn *pgx.Conn) (func(), error) {
	var undo []func()
	restore := func() {
		for _, f := range undo {
			f()
		}
	}
	for _, s := range pinnedSettings {
		var was string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", s.name).Scan(&was); err != nil {
			restore()
			return nil, fmt.Errorf("reading %s: %w", s.name, err)
		}
		if was == s.value {
			continue
		}
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", s.name, s.value); err != nil {
			restore()
			return nil, fmt.Errorf("setting %s to %s for the migrations: %w", s.name, s.value, err)
		}
		undo = append(undo, func() {
			conn.Exec(context.WithoutCancel(ctx), "SELECT set_config($1, $2, false)", s.name, was)
		})
	}
	return restore, nil
}

// createHistory creates the history table when it is missing, in
// drizzle-orm's layout or mizzle's.
func createHistory(ctx context.Context, q execer, t TableName, drizzle bool) error {
	var ddl string
	if drizzle {
		// Exactly drizzle-orm's table, so its migrator can take over.
		ddl = fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id SERIAL PRIMARY KEY,
	hash text NOT NULL,
	created_at bigint
)`, quote.Ident(t.Schema, t.Name))
	} else {
		ddl = fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tag text NOT NULL UNIQUE,
	hash text NOT NULL,
	created_at bigint NOT NULL,
	applied_at timestamp with time zone NOT NULL DEFAULT now(),
	duration_ms bigint NOT NULL
)`, quote.Ident(t.Schema, t.Name))
	}
	for _, sql := range []string{"CREATE SCHEMA IF NOT EXISTS " + quote.Ident(t.Schema), ddl} {
		if _, err := q.Exec(ctx, sql); err != nil {
			return fmt.Errorf("creating the history table %s: %w", quote.Ident(t.Schema, t.Name), err)
		}
	}
	return nil
}

// history reads the history table; a missing table is an empty history.
func history(ctx context.Context, q querier, t TableName, drizzle bool) ([]AppliedMigration, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quote.Ident(t.Schema, t.Name)).Scan(&exists); err != nil {
		return nil, fmt.Errorf("reading the history table: %w", err)
	}
	if !exists {
		return nil, nil
	}
	var sql string
	if drizzle {
		sql = fmt.Sprintf("SELECT '', hash, coalesce(created_at, 0), NULL::timestamptz, 0 FROM %s ORDER BY id", quote.Ident(t.Schema, t.Name))
	} else {
		sql = fmt.Sprintf("SELECT tag, hash, created_at, applied_at, duration_ms FROM %s ORDER BY id", quote.Ident(t.Schema, t.Name))
	}
	rows, err := q.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("reading the history table %s: %w", quote.Ident(t.Schema, t.Name), err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AppliedMigration, error) {
		var a AppliedMigration
		var at *time.Time
		var ms int64
		err := r.Scan(&a.Tag, &a.Hash, &a.When, &at, &ms)
		if at != nil {
			a.AppliedAt = *at
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		return a, err
	})
}

// execer is a connection or a transaction.
type execer interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}

// record writes a's row in the history table t, in drizzle-orm's layout or
// mizzle's.
func record(ctx context.Context, q execer, t TableName, drizzle bool, a AppliedMigration) error {
	sql, args := recordSQL(t, drizzle, a)
	_, err := q.Exec(ctx, sql, args...)
	return err
}

// recordSQL is the INSERT of a's row in the history table t, and its
// arguments.
func recordSQL(t TableName, drizzle bool, a AppliedMigration) (string, []any) {
	if drizzle {
		return fmt.Sprintf("INSERT INTO %s (hash, created_at) VALUES ($1, $2)", quote.Ident(t.Schema, t.Name)), []any{a.Hash, a.When}
	}
	return fmt.Sprintf("INSERT INTO %s (tag, hash, created_at, duration_ms) VALUES ($1, $2, $3, $4)", quote.Ident(t.Schema, t.Name)),
		[]any{a.Tag, a.Hash, a.When, a.Duration.Milliseconds()}
}
