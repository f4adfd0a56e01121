package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/bench/query/db"
	"github.com/mizzle/mizzle/bench/query/schema"
)

// The relation benchmark's shape: each user has relPosts posts, each post
// relComments comments.
const (
	relPosts    = 10
	relComments = 5
)

// The statements the hand-written pgx loader runs, one per level, as
// mizzle's With does: the keys of the level above in one array.
const (
	pgxRelUsers    = `SELECT id, email, name, created_at, score FROM users WHERE id <= $1 ORDER BY id`
	pgxRelPosts    = `SELECT id, user_id, title FROM posts WHERE user_id = ANY($1::bigint[]) ORDER BY id`
	pgxRelComments = `SELECT id, post_id, body FROM comments WHERE post_id = ANY($1::bigint[]) ORDER BY id`
)

// seedRelations gives each of the first users users relPosts posts, each
// with relComments comments, by COPY; it is not timed.
func seedRelations(b *testing.B, users int) {
	b.Helper()
	ctx := context.Background()
	posts := users * relPosts
	_, err := h.setup.CopyFrom(ctx, pgx.Identifier{"posts"}, []string{"user_id", "title"},
		pgx.CopyFromSlice(posts, func(i int) ([]any, error) {
			return []any{int64(i/relPosts) + 1, "post"}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	_, err = h.setup.CopyFrom(ctx, pgx.Identifier{"comments"}, []string{"post_id", "body"},
		pgx.CopyFromSlice(posts*relComments, func(i int) ([]any, error) {
			return []any{int64(i/relComments) + 1, "comment"}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.setup.Exec(ctx, `VACUUM ANALYZE "public"."posts", "public"."comments"`); err != nil {
		b.Fatal(err)
	}
}

// checkTree checks that every user came with its posts and every post
// with its comments.
func checkTree(users []schema.User, n int) error {
	if len(users) != n {
		return fmt.Errorf("%d users, want %d", len(users), n)
	}
	for _, u := range users {
		if len(u.Posts) != relPosts {
			return fmt.Errorf("user %d has %d posts, want %d", u.ID, len(u.Posts), relPosts)
		}
		for _, p := range u.Posts {
			if len(p.Comments) != relComments || p.UserID != u.ID {
				return fmt.Errorf("post %d of user %d has %d comments, want %d", p.ID, u.ID, len(p.Comments), relComments)
			}
		}
	}
	return nil
}

// BenchmarkRelations100 loads 100 users, their 1000 posts and the posts'
// 5000 comments into the schema's structs: mizzle with one expression
// (With, nested), pgx with the same three statements and the stitching
// written by hand.
func BenchmarkRelations100(b *testing.B) { benchRelations(b, 100) }

// BenchmarkRelations1000 is BenchmarkRelations100 with ten times the rows.
func BenchmarkRelations1000(b *testing.B) { benchRelations(b, 1000) }

func benchRelations(b *testing.B, users int) {
	// last is the tree the latest operation loaded, which each
	// sub-benchmark reports a checksum of once the timing is over.
	var last []schema.User
	impls := []impl{
		{name: "pgx", op: func(ctx context.Context, _ int) error {
			us, err := pgxLoadTree(ctx, users)
			if err != nil {
				return err
			}
			last = us
			return checkTree(us, users)
		}},
		{name: "mizzle", op: func(ctx context.Context, _ int) error {
			us, err := h.mizzle.Users.Select().
				Where(db.Users.ID.Le(int64(users))).
				OrderBy(db.Users.ID.Asc()).
				With(db.Users.Posts.With(db.Posts.Comments)).
				All(ctx)
			if err != nil {
				return err
			}
			last = us
			return checkTree(us, users)
		}},
	}
	for _, im := range impls {
		// As run does, but seeding the posts and comments too.
		b.Run("lib="+im.name, func(b *testing.B) {
			if h == nil {
				b.Skip(envURL + " is not set")
			}
			ctx := context.Background()
			reset(b, true)
			seedRelations(b, users)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := im.op(ctx, i); err != nil {
					b.Fatalf("operation %d: %v", i, err)
				}
			}
			b.StopTimer()
			comments, sum := treeSum(last)
			b.ReportMetric(float64(comments), "comments/op")
			b.ReportMetric(float64(sum), "checksum")
		})
	}
}

// treeSum counts the comments of a loaded tree and sums what was loaded,
// each row with the key of the row it hangs under, so that a row left out,
// attached to the wrong parent or read wrong changes the sum. The same sum
// is computed by bench/relations-drizzle/bench.mjs over drizzle-orm's result
// (keep them alike): equal sums show both loaded the same data. It leaves
// out created_at, which each seeding sets anew to now(). It stays below
// 2^53 at these sizes, so it prints exactly as a float metric.
func treeSum(users []schema.User) (comments int, sum int64) {
	for _, u := range users {
		sum += u.ID + int64(u.Score) + int64(len(u.Email)+len(u.Name))
		for _, p := range u.Posts {
			sum += u.ID*100003 + p.ID + int64(len(p.Title))
			for _, c := range p.Comments {
				sum += p.ID*100003 + c.ID + int64(len(c.Body))
				comments++
			}
		}
	}
	return comments, sum
}

// pgxLoadTree is the hand-written loader: each level's rows scanned in
// place, their keys sent as one array, the children grouped by key with
// a map and appended to their parent, deepest level first.
func pgxLoadTree(ctx context.Context, n int) ([]schema.User, error) {
	users := make([]schema.User, 0, n)
	rows, err := h.pgx.Query(ctx, pgxRelUsers, int64(n))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		users = append(users, schema.User{})
		u := &users[len(users)-1]
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &u.Score); err != nil {
			rows.Close()
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	userIDs := make([]int64, len(users))
	userAt := make(map[int64]int, len(users))
	for i, u := range users {
		userIDs[i], userAt[u.ID] = u.ID, i
	}

	var posts []schema.Post
	rows, err = h.pgx.Query(ctx, pgxRelPosts, userIDs)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		posts = append(posts, schema.Post{})
		p := &posts[len(posts)-1]
		if err := rows.Scan(&p.ID, &p.UserID, &p.Title); err != nil {
			rows.Close()
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	postIDs := make([]int64, len(posts))
	postAt := make(map[int64]int, len(posts))
	for i, p := range posts {
		postIDs[i], postAt[p.ID] = p.ID, i
	}

	rows, err = h.pgx.Query(ctx, pgxRelComments, postIDs)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c schema.Comment
		if err := rows.Scan(&c.ID, &c.PostID, &c.Body); err != nil {
			rows.Close()
			return nil, err
		}
		p := &posts[postAt[c.PostID]]
		p.Comments = append(p.Comments, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range posts {
		u := &users[userAt[p.UserID]]
		u.Posts = append(u.Posts, p)
	}
	return users, nil
}
