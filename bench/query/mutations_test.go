package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/bench/query/db"
	"github.com/mizzle/mizzle/bench/query/schema"
	"github.com/mizzle/mizzle/pg"
)

const bulkUpdateRows = 1000

// pgxUpdateValues is what a careful programmer writes to update
// bulkUpdateRows users, each with its own values, in one statement: the
// statement mizzle's UpdateMany writes, made once.
var pgxUpdateValues = func() string {
	var b strings.Builder
	b.WriteString(`UPDATE "public"."users" SET "name" = "v"."name", "score" = "v"."score" FROM (VALUES `)
	for r := range bulkUpdateRows {
		if r > 0 {
			b.WriteString(", ")
		}
		n := 3 * r
		if r == 0 {
			b.WriteString("($1::bigint, $2::text, $3::integer)")
			continue
		}
		fmt.Fprintf(&b, "($%d, $%d, $%d)", n+1, n+2, n+3)
	}
	b.WriteString(`) AS "v" ("id", "name", "score") WHERE "users"."id" = "v"."id"`)
	return b.String()
}()

// pgxUpdateUnnest is the other way to write it: one array per column.
const pgxUpdateUnnest = `UPDATE users SET name = v.name, score = v.score
FROM unnest($1::bigint[], $2::text[], $3::integer[]) AS v(id, name, score) WHERE users.id = v.id`

// bulkUsers returns the bulkUpdateRows users the i-th bulk update
// writes: a run of keys that moves through the table, new scores.
func bulkUsers(i int) []schema.User {
	rows := make([]schema.User, bulkUpdateRows)
	// Keys and scores stay above 255, which Go boxes without allocating,
	// so that every library allocates alike whatever the round.
	start := 256 + (i*bulkUpdateRows)%(seedRows-bulkUpdateRows-256)
	for r := range rows {
		k := start + r
		rows[r] = schema.User{ID: int64(k + 1), Email: emails[k], Name: names[k], Score: int32(256 + i + r)}
	}
	return rows
}

// BenchmarkUpdateMany1000 updates 1000 rows by primary key, each with its
// own values of two columns, in one statement: mizzle's UpdateMany
// against the same VALUES statement written by hand, and against unnest
// of one array per column. Building the rows is not timed.
func BenchmarkUpdateMany1000(b *testing.B) {
	check := func(n int64) error {
		if n != bulkUpdateRows {
			return fmt.Errorf("%d rows updated, want %d", n, bulkUpdateRows)
		}
		return nil
	}
	var rows []schema.User
	i := 0
	prepare := func() { rows = bulkUsers(i); i++ }
	run(b, plan{seed: true},
		impl{name: "pgx", prepare: prepare, op: func(ctx context.Context, _ int) error {
			args := make([]any, 0, 3*len(rows))
			for r := range rows {
				args = append(args, rows[r].ID, rows[r].Name, rows[r].Score)
			}
			tag, err := h.pgx.Exec(ctx, pgxUpdateValues, args...)
			if err != nil {
				return err
			}
			return check(tag.RowsAffected())
		}},
		impl{name: "pgx-unnest", prepare: prepare, op: func(ctx context.Context, _ int) error {
			ids, ns, scores := make([]int64, len(rows)), make([]string, len(rows)), make([]int32, len(rows))
			for r := range rows {
				ids[r], ns[r], scores[r] = rows[r].ID, rows[r].Name, rows[r].Score
			}
			tag, err := h.pgx.Exec(ctx, pgxUpdateUnnest, ids, ns, scores)
			if err != nil {
				return err
			}
			return check(tag.RowsAffected())
		}},
		impl{name: "mizzle", prepare: prepare, op: func(ctx context.Context, _ int) error {
			n, err := h.mizzle.Users.UpdateMany(ctx, rows, db.Users.Name, db.Users.Score)
			if err != nil {
				return err
			}
			return check(n)
		}},
	)
}

const batchGets = 10

// checkBatchGet checks the j-th user of operation i's batch.
func checkBatchGet(i int, u schema.User, j int) error {
	if want := key(i*batchGets + j); u.ID != want {
		return fmt.Errorf("got id %d, want %d", u.ID, want)
	}
	return nil
}

// mizzleBatch is BenchmarkBatchGet10's operation on a pg.Batch, whose
// reads queue makes.
func mizzleBatch(queue func(bt *pg.Batch, id int64) *pg.Result[schema.User]) func(context.Context, int) error {
	return func(ctx context.Context, i int) error {
		bt := pg.NewBatch()
		var res [batchGets]*pg.Result[schema.User]
		for j := range res {
			res[j] = queue(bt, key(i*batchGets+j))
		}
		if err := bt.Send(ctx, h.mizzlePool); err != nil {
			return err
		}
		for j, r := range res {
			u, err := r.Get()
			if err != nil {
				return err
			}
			if err := checkBatchGet(i, u, j); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkBatchGet10 reads 10 users by primary key: in one batch (one
// round trip), written by hand with a pgx.Batch and with mizzle's
// pg.Batch (QueueGet, and the same read built as a Select's QueueFirst),
// and, for scale, as 10 round trips of mizzle's Get.
func BenchmarkBatchGet10(b *testing.B) {
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			var bt pgx.Batch
			out := make([]schema.User, batchGets)
			for j := range out {
				u := &out[j]
				bt.Queue(pgxGet, key(i*batchGets+j)).QueryRow(func(row pgx.Row) error {
					return row.Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &u.Score)
				})
			}
			if err := h.pgx.SendBatch(ctx, &bt).Close(); err != nil {
				return err
			}
			for j, u := range out {
				if err := checkBatchGet(i, u, j); err != nil {
					return err
				}
			}
			return nil
		}},
		impl{name: "mizzle", op: mizzleBatch(func(bt *pg.Batch, id int64) *pg.Result[schema.User] {
			return h.mizzle.Users.QueueGet(bt, id)
		})},
		impl{name: "mizzle-select-first", op: mizzleBatch(func(bt *pg.Batch, id int64) *pg.Result[schema.User] {
			return h.mizzle.Users.Select().Where(db.Users.ID.Eq(id)).QueueFirst(bt)
		})},
		impl{name: "mizzle-10-round-trips", op: func(ctx context.Context, i int) error {
			for j := range batchGets {
				u, err := h.mizzle.Users.Get(ctx, key(i*batchGets+j))
				if err != nil {
					return err
				}
				if err := checkBatchGet(i, u, j); err != nil {
					return err
				}
			}
			return nil
		}},
	)
}
