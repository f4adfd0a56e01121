package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/mizzle/mizzle/bench/query/db"
	"github.com/mizzle/mizzle/bench/query/schema"
	"github.com/mizzle/mizzle/pg"
)

// The hand-written statements of a partial select and of a join of three
// tables (users, under three names: what the aliases are for).
const (
	pgxPartial = `SELECT id, email FROM users WHERE id > $1 ORDER BY id LIMIT 100`
	pgxJoin3   = `SELECT u.id, b.email, c.name FROM users u JOIN users b ON b.id = u.id JOIN users c ON c.id = u.id WHERE u.id > $1 ORDER BY u.id LIMIT 100`
)

// contact is a partial row of users.
type contact struct {
	ID    int64
	Email string
}

// joined is a row of the three-table join.
type joined struct {
	ID    int64
	Email string
	Name  string
}

// BenchmarkPartialSelect100 reads two columns of 100 users into a struct
// of the program's own.
func BenchmarkPartialSelect100(b *testing.B) {
	// Made once, as a program keeps a query it runs often; each run adds
	// its own condition.
	partial := pg.SelectInto(h.mizzleSelect().OrderBy(db.Users.ID.Asc()).Limit(selectLimit), func(r *contact) []pg.Field {
		return []pg.Field{pg.Into(&r.ID, db.Users.ID), pg.Into(&r.Email, db.Users.Email)}
	})
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			rows, err := h.pgx.Query(ctx, pgxPartial, after(i))
			if err != nil {
				return err
			}
			defer rows.Close()
			out := make([]contact, 0, selectLimit)
			for rows.Next() {
				out = append(out, contact{})
				c := &out[len(out)-1]
				if err := rows.Scan(&c.ID, &c.Email); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return checkRows(len(out), out[0].ID, after(i))
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			out, err := partial.Where(db.Users.ID.Gt(after(i))).All(ctx)
			if err != nil {
				return err
			}
			return checkRows(len(out), out[0].ID, after(i))
		}},
	)
}

// BenchmarkJoin3 joins three tables (users under three names) and reads a
// column of each into a struct, 100 rows.
func BenchmarkJoin3(b *testing.B) {
	u2, u3 := db.Users.As("b"), db.Users.As("c")
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			rows, err := h.pgx.Query(ctx, pgxJoin3, after(i))
			if err != nil {
				return err
			}
			defer rows.Close()
			out := make([]joined, 0, selectLimit)
			for rows.Next() {
				out = append(out, joined{})
				j := &out[len(out)-1]
				if err := rows.Scan(&j.ID, &j.Email, &j.Name); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return checkRows(len(out), out[0].ID, after(i))
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			// Built in full on every run, the join included.
			out, err := pg.SelectInto(h.mizzleSelect().
				Join(h.mizzleSelect().As("b"), u2.ID.EqCol(db.Users.ID)).
				Join(h.mizzleSelect().As("c"), u3.ID.EqCol(db.Users.ID)).
				Where(db.Users.ID.Gt(after(i))).
				OrderBy(db.Users.ID.Asc()).
				Limit(selectLimit), func(r *joined) []pg.Field {
				return []pg.Field{pg.Into(&r.ID, db.Users.ID), pg.Into(&r.Email, u2.Email), pg.Into(&r.Name, u3.Name)}
			}).All(ctx)
			if err != nil {
				return err
			}
			return checkRows(len(out), out[0].ID, after(i))
		}},
	)
}

// mizzleSelect is a select of users on mizzle's handle; nil handles (no
// database) give a query that is never run.
func (x *handles) mizzleSelect() pg.SelectQuery[schema.User] {
	if x == nil {
		return db.New(nil).Users.Select()
	}
	return x.mizzle.Users.Select()
}

func checkRows(n int, first, after int64) error {
	if n != selectLimit || first != after+1 {
		return fmt.Errorf("got %d rows from id %d, want %d from %d", n, first, selectLimit, after+1)
	}
	return nil
}
