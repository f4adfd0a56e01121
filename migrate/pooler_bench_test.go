package migrate_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
)

// BenchmarkApplyOne measures what the migrator adds to each migration, on a
// direct connection (the session lock, one transaction per migration) and
// through PgBouncer in transaction mode (per migration: a transaction that
// takes the lock, sets its settings and reads the history again). Each
// operation is one migration whose SQL is SELECT 1, so the time is nearly
// all overhead; b.N of them are applied in one Apply, each benchmark run
// into a history table of its own.
func BenchmarkApplyOne(b *testing.B) {
	url := pgtest.NewDatabase(b)
	for _, path := range []string{"direct", "pooler"} {
		b.Run("path="+path, func(b *testing.B) {
			connURL := url
			if path == "pooler" {
				connURL = pgtest.PoolerURL(b, url)
			}
			conn, err := pgx.Connect(b.Context(), connURL)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(b.Context())
			var files []string
			for i := range b.N {
				files = append(files, fmt.Sprintf("%06d_m", i), "SELECT 1;")
			}
			d, err := migrate.Open(folder(files...))
			if err != nil {
				b.Fatal(err)
			}
			var table string
			if err := conn.QueryRow(b.Context(), "SELECT 'h' || (count(*) + 1) FROM pg_tables WHERE schemaname = 'bench'", pgx.QueryExecModeExec).Scan(&table); err != nil {
				b.Fatal(err)
			}
			opts := migrate.Options{Table: migrate.TableName{Schema: "bench", Name: table}}
			b.ResetTimer()
			done, err := d.Apply(b.Context(), conn, opts)
			b.StopTimer()
			if err != nil || len(done) != b.N {
				b.Fatalf("applied %d of %d: %v", len(done), b.N, err)
			}
		})
	}
}
