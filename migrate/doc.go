// Package migrate applies a migrations folder to a PostgreSQL database: the
// migrator an application embeds to migrate at start-up, and the one the
// mizzle command runs.
//
// Open reads the folder, through fs.FS, once: the journal
// (meta/_journal.json, drizzle-kit's format) and the SQL files it lists,
// checked so that a file the journal does not list, or an entry without
// its file, is refused by name. The Dir it returns applies the pending
// migrations (Apply), reports where a database stands (Status), or records
// a migration as applied without running it (Baseline), as many times and
// on as many databases as needed:
//
//	//go:embed migrations/*.sql migrations/meta/_journal.json
//	var files embed.FS
//
//	sub, _ := fs.Sub(files, "migrations")
//	dir, err := migrate.Open(sub)
//	...
//	_, err = dir.Apply(ctx, conn, migrate.Options{AllowAhead: true})
//
// Each migration runs in its own transaction with its row in the history
// table (mizzle's, or drizzle-orm's with Options.Drizzle), under a Lock so
// that processes migrating at once apply each migration once, with
// standard_conforming_strings on for the session. Before changing anything
// a run refuses, with a ProblemsError, a folder that disagrees with the
// history (a changed file, history the journal does not list, a pending
// migration before applied ones) or a pending migration that would end
// its own transaction; a statement the server refuses is a StatementError
// naming its file, line and column. Progress is reported as Events, never
// printed.
//
// Through a transaction pooler such as PgBouncer in transaction mode,
// detected or told with Options.Pooler, no session state is relied on:
// the lock is taken by each migration's transaction, the settings are
// local to it, nothing is prepared by name, and a no-transaction migration
// is refused, to be applied on a direct connection.
//
// This package knows nothing of how migrations are written: schema models,
// the differ, snapshots and the generator live in package migrations,
// which an application need not link.
package migrate
