package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/bench/query/db"
	"github.com/mizzle/mizzle/bench/query/schema"
)

// The hand-written pgx statements: what a careful programmer writes
// without a library, and the floor the others are measured against.
const (
	pgxGet      = `SELECT id, email, name, created_at, score FROM users WHERE id = $1`
	pgxSelect   = `SELECT id, email, name, created_at, score FROM users WHERE id > $1 ORDER BY id LIMIT 100`
	pgxInsert   = `INSERT INTO users (email, name, score) VALUES ($1, $2, $3) RETURNING id, created_at`
	pgxUpdate   = `UPDATE users SET score = $1 WHERE id = $2`
	selectLimit = 100
)

// key is the id the i-th read or update uses: every row of the seeded
// table in turn.
func key(i int) int64 { return int64(i%seedRows) + 1 }

// after is where the i-th Select100 starts: 100 rows after the previous.
func after(i int) int64 { return int64(i * selectLimit % (seedRows - selectLimit)) }

// BenchmarkGetByKey reads one user by primary key into a struct.
func BenchmarkGetByKey(b *testing.B) {
	check := func(id, got int64) error {
		if got != id {
			return fmt.Errorf("got id %d, want %d", got, id)
		}
		return nil
	}
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			var u schema.User
			err := h.pgx.QueryRow(ctx, pgxGet, key(i)).Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &u.Score)
			if err != nil {
				return err
			}
			return check(key(i), u.ID)
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			u, err := h.mizzle.Users.Get(ctx, key(i))
			if err != nil {
				return err
			}
			return check(key(i), u.ID)
		}},
		impl{name: "sqlfile", op: func(ctx context.Context, i int) error {
			u, err := h.mizzle.GetUser(ctx, key(i))
			if err != nil {
				return err
			}
			return check(key(i), u.ID)
		}},
		impl{name: "gorm", op: func(ctx context.Context, i int) error {
			var u gormUser
			if err := h.gorm.WithContext(ctx).Take(&u, key(i)).Error; err != nil {
				return err
			}
			return check(key(i), u.ID)
		}},
		impl{name: "bun", op: func(ctx context.Context, i int) error {
			var u bunUser
			if err := h.bun.NewSelect().Model(&u).Where("id = ?", key(i)).Scan(ctx); err != nil {
				return err
			}
			return check(key(i), u.ID)
		}},
	)
}

// BenchmarkSelect100 reads 100 users in key order, after a key, into a
// slice of structs.
func BenchmarkSelect100(b *testing.B) {
	check := func(n int) error {
		if n != selectLimit {
			return fmt.Errorf("got %d rows, want %d", n, selectLimit)
		}
		return nil
	}
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			rows, err := h.pgx.Query(ctx, pgxSelect, after(i))
			if err != nil {
				return err
			}
			defer rows.Close()
			// Sized for the LIMIT, and scanned in place: the least a
			// hand-written loop allocates.
			out := make([]schema.User, 0, selectLimit)
			for rows.Next() {
				out = append(out, schema.User{})
				u := &out[len(out)-1]
				if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &u.Score); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return check(len(out))
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			out, err := h.mizzle.Users.Select().
				Where(db.Users.ID.Gt(after(i))).
				OrderBy(db.Users.ID.Asc()).
				Limit(selectLimit).
				All(ctx)
			if err != nil {
				return err
			}
			return check(len(out))
		}},
		impl{name: "sqlfile", op: func(ctx context.Context, i int) error {
			out, err := h.mizzle.UsersAfter(ctx, after(i))
			if err != nil {
				return err
			}
			return check(len(out))
		}},
		impl{name: "gorm", op: func(ctx context.Context, i int) error {
			var out []gormUser
			err := h.gorm.WithContext(ctx).Where("id > ?", after(i)).Order("id").Limit(selectLimit).Find(&out).Error
			if err != nil {
				return err
			}
			return check(len(out))
		}},
		impl{name: "bun", op: func(ctx context.Context, i int) error {
			var out []bunUser
			err := h.bun.NewSelect().Model(&out).Where("id > ?", after(i)).OrderExpr("id").Limit(selectLimit).Scan(ctx)
			if err != nil {
				return err
			}
			return check(len(out))
		}},
	)
}

// BenchmarkInsertOne inserts one user and reads back the values the
// database filled in: the id and created_at. The table starts empty and is
// emptied (untimed) every seedRows inserts, since emails are unique.
func BenchmarkInsertOne(b *testing.B) {
	check := func(id int64, createdAtZero bool) error {
		if id == 0 || createdAtZero {
			return fmt.Errorf("id %d, created_at zero %v: not read back", id, createdAtZero)
		}
		return nil
	}
	run(b, plan{resetEvery: seedRows},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			u := schema.User{Email: emails[i%seedRows], Name: names[i%seedRows], Score: int32(i)}
			err := h.pgx.QueryRow(ctx, pgxInsert, u.Email, u.Name, u.Score).Scan(&u.ID, &u.CreatedAt)
			if err != nil {
				return err
			}
			return check(u.ID, u.CreatedAt.IsZero())
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			u, err := h.mizzle.Users.Insert(ctx, schema.User{Email: emails[i%seedRows], Name: names[i%seedRows], Score: int32(i)})
			if err != nil {
				return err
			}
			return check(u.ID, u.CreatedAt.IsZero())
		}},
		impl{name: "gorm", op: func(ctx context.Context, i int) error {
			u := gormUser{Email: emails[i%seedRows], Name: names[i%seedRows], Score: int32(i)}
			if err := h.gorm.WithContext(ctx).Create(&u).Error; err != nil {
				return err
			}
			return check(u.ID, u.CreatedAt.IsZero())
		}},
		impl{name: "bun", op: func(ctx context.Context, i int) error {
			u := bunUser{Email: emails[i%seedRows], Name: names[i%seedRows], Score: int32(i)}
			if _, err := h.bun.NewInsert().Model(&u).Exec(ctx); err != nil {
				return err
			}
			return check(u.ID, u.CreatedAt.IsZero())
		}},
	)
}

// bulk are the seedRows users the bulk inserts write, with each library's
// row type. prepare copies them into the slice an insert takes, untimed,
// so that every insert starts from rows with no id.
type bulk[R any] struct{ template, rows []R }

func newBulk[R any](mk func(i int) R) *bulk[R] {
	x := &bulk[R]{template: make([]R, seedRows), rows: make([]R, seedRows)}
	for i := range seedRows {
		x.template[i] = mk(i)
	}
	return x
}

func (x *bulk[R]) prepare() { copy(x.rows, x.template) }

// checkBulk checks that n rows were written and the last one read back its
// id (0 when the library does not read ids back, as COPY does not).
func checkBulk(n int, lastID int64, wantIDs bool) error {
	if n != seedRows || wantIDs && lastID != seedRows {
		return fmt.Errorf("%d rows, last id %d; want %d rows, ids read back: %v", n, lastID, seedRows, wantIDs)
	}
	return nil
}

func mizzleRow(i int) schema.User {
	return schema.User{Email: emails[i], Name: names[i], Score: int32(i)}
}

// BenchmarkInsertMany10000 inserts 10,000 users in one multi-row INSERT and
// reads back their ids and created_at. The table is emptied (untimed)
// before each insert.
func BenchmarkInsertMany10000(b *testing.B) {
	px := newBulk(mizzleRow)
	mz := newBulk(mizzleRow)
	gm := newBulk(func(i int) gormUser { return gormUser{Email: emails[i], Name: names[i], Score: int32(i)} })
	bn := newBulk(func(i int) bunUser { return bunUser{Email: emails[i], Name: names[i], Score: int32(i)} })
	run(b, plan{resetEvery: 1},
		impl{name: "pgx", prepare: px.prepare, op: func(ctx context.Context, i int) error {
			n, err := pgxInsertMany(ctx, px.rows)
			if err != nil {
				return err
			}
			return checkBulk(n, px.rows[len(px.rows)-1].ID, true)
		}},
		impl{name: "mizzle", prepare: mz.prepare, op: func(ctx context.Context, i int) error {
			out, err := h.mizzle.Users.InsertMany(ctx, mz.rows)
			if err != nil {
				return err
			}
			return checkBulk(len(out), out[len(out)-1].ID, true)
		}},
		impl{name: "gorm", prepare: gm.prepare, op: func(ctx context.Context, i int) error {
			res := h.gorm.WithContext(ctx).Create(&gm.rows)
			if res.Error != nil {
				return res.Error
			}
			return checkBulk(int(res.RowsAffected), gm.rows[len(gm.rows)-1].ID, true)
		}},
		impl{name: "bun", prepare: bn.prepare, op: func(ctx context.Context, i int) error {
			res, err := h.bun.NewInsert().Model(&bn.rows).Exec(ctx)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			return checkBulk(int(n), bn.rows[len(bn.rows)-1].ID, true)
		}},
	)
}

// pgxInsertMany is a multi-row INSERT written by hand: the statement is
// built for the number of rows, and the ids and created_at are scanned
// back into the rows in order.
func pgxInsertMany(ctx context.Context, rows []schema.User) (int, error) {
	const head, tail = "INSERT INTO users (email, name, score) VALUES ", " RETURNING id, created_at"
	sql := make([]byte, 0, len(head)+len(rows)*24+len(tail))
	sql = append(sql, head...)
	args := make([]any, 0, 3*len(rows))
	for j := range rows {
		if j > 0 {
			sql = append(sql, ", "...)
		}
		n := int64(len(args))
		sql = append(sql, "($"...)
		sql = strconv.AppendInt(sql, n+1, 10)
		sql = append(sql, ", $"...)
		sql = strconv.AppendInt(sql, n+2, 10)
		sql = append(sql, ", $"...)
		sql = strconv.AppendInt(sql, n+3, 10)
		sql = append(sql, ')')
		args = append(args, rows[j].Email, rows[j].Name, rows[j].Score)
	}
	sql = append(sql, tail...)
	res, err := h.pgx.Query(ctx, string(sql), args...)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	n := 0
	for res.Next() {
		if n >= len(rows) {
			return n, fmt.Errorf("more rows returned than inserted")
		}
		if err := res.Scan(&rows[n].ID, &rows[n].CreatedAt); err != nil {
			return n, err
		}
		n++
	}
	return n, res.Err()
}

// BenchmarkCopy10000 loads 10,000 users with the COPY protocol. GORM and
// bun have no COPY: they are not in this benchmark. The table is emptied
// (untimed) before each load.
func BenchmarkCopy10000(b *testing.B) {
	px := newBulk(mizzleRow)
	mz := newBulk(mizzleRow)
	sf := newBulk(func(i int) db.CopyUsersParams {
		return db.CopyUsersParams{Email: emails[i], Name: names[i], Score: int32(i)}
	})
	run(b, plan{resetEvery: 1},
		impl{name: "pgx", prepare: px.prepare, op: func(ctx context.Context, i int) error {
			rows := px.rows
			n, err := h.pgx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"email", "name", "score"},
				pgx.CopyFromSlice(len(rows), func(j int) ([]any, error) {
					return []any{rows[j].Email, rows[j].Name, rows[j].Score}, nil
				}))
			if err != nil {
				return err
			}
			return checkBulk(int(n), 0, false)
		}},
		impl{name: "mizzle", prepare: mz.prepare, op: func(ctx context.Context, i int) error {
			n, err := h.mizzle.Users.CopyFrom(ctx, mz.rows)
			if err != nil {
				return err
			}
			return checkBulk(int(n), 0, false)
		}},
		// The :copyfrom method of queries/users.sql.
		impl{name: "sqlfile", prepare: sf.prepare, op: func(ctx context.Context, i int) error {
			n, err := h.mizzle.CopyUsers(ctx, sf.rows)
			if err != nil {
				return err
			}
			return checkBulk(int(n), 0, false)
		}},
	)
}

// BenchmarkUpdateByKey sets one column of one user, found by primary key,
// and checks that one row changed.
func BenchmarkUpdateByKey(b *testing.B) {
	check := func(n int64) error {
		if n != 1 {
			return fmt.Errorf("%d rows updated, want 1", n)
		}
		return nil
	}
	run(b, plan{seed: true},
		impl{name: "pgx", op: func(ctx context.Context, i int) error {
			tag, err := h.pgx.Exec(ctx, pgxUpdate, int32(i), key(i))
			if err != nil {
				return err
			}
			return check(tag.RowsAffected())
		}},
		impl{name: "mizzle", op: func(ctx context.Context, i int) error {
			n, err := h.mizzle.Users.Update().
				Set(db.Users.Score.Set(int32(i))).
				Where(db.Users.ID.Eq(key(i))).
				Exec(ctx)
			if err != nil {
				return err
			}
			return check(n)
		}},
		impl{name: "gorm", op: func(ctx context.Context, i int) error {
			res := h.gorm.WithContext(ctx).Model(&gormUser{}).Where("id = ?", key(i)).Update("score", int32(i))
			if res.Error != nil {
				return res.Error
			}
			return check(res.RowsAffected)
		}},
		impl{name: "bun", op: func(ctx context.Context, i int) error {
			res, err := h.bun.NewUpdate().Model((*bunUser)(nil)).Set("score = ?", int32(i)).Where("id = ?", key(i)).Exec(ctx)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			return check(n)
		}},
	)
}
