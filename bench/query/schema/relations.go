package schema

// Post is a user's post: the middle level of the relation benchmark
// (users → posts → comments).
//
//mizzle:table posts
type Post struct {
	ID       int64     `db:"id,pk,identity"`
	UserID   int64     `db:"user_id,ref:User.ID,ondelete:cascade,index"`
	Title    string    `db:"title"`
	Comments []Comment `rel:"Comment.PostID"`
}

// Comment is a comment on a post.
//
//mizzle:table comments
type Comment struct {
	ID     int64  `db:"id,pk,identity"`
	PostID int64  `db:"post_id,ref:Post.ID,ondelete:cascade,index"`
	Body   string `db:"body"`
}
