package loader_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// TestRelations loads each kind of relation field and checks what the
// model records: the relation, along the right foreign key, and no column.
func TestRelations(t *testing.T) {
	ar := txtar.Parse([]byte(`
-- schema.go --
package schema

//mizzle:table users
type User struct {
	ID      int64    ` + "`db:\"id,pk\"`" + `
	Posts   []Post   ` + "`rel:\"Post.AuthorID\"`" + `
	Profile *Profile ` + "`rel:\"Profile.UserID\"`" + `
	Tags    []Tag    ` + "`rel:\"UserTag\"`" + `
}

//mizzle:table posts
type Post struct {
	ID       int64  ` + "`db:\"id,pk\"`" + `
	AuthorID *int64 ` + "`db:\"author_id,ref:User.ID\"`" + `
	Author   User   ` + "`rel:\"AuthorID\"`" + `
}

//mizzle:table profiles
type Profile struct {
	UserID int64 ` + "`db:\"user_id,pk,ref:User.ID\"`" + `
}

//mizzle:table tags
type Tag struct {
	Name string ` + "`db:\"name,pk\"`" + `
}

//mizzle:table user_tags
type UserTag struct {
	UserID int64  ` + "`db:\"user_id,pk,ref:User.ID\"`" + `
	Tag    string ` + "`db:\"tag,pk,ref:Tag.Name\"`" + `
}
`))
	dir, env := testmod.Write(t, ar)
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]schema.Relation{}
	for _, tb := range m.Tables {
		if len(tb.Relations) > 0 {
			got[tb.Name] = tb.Relations
		}
		for _, c := range tb.Columns {
			if c.GoField == "Posts" || c.GoField == "Author" || c.GoField == "Profile" || c.GoField == "Tags" {
				t.Errorf("relation field %s.%s became column %q", tb.Name, c.GoField, c.Name)
			}
		}
	}
	want := map[string][]schema.Relation{
		"users": {
			{Field: "Posts", Kind: schema.HasMany, Schema: "public", Table: "posts", Columns: []string{"id"}, RefColumns: []string{"author_id"}},
			{Field: "Profile", Kind: schema.HasOne, Pointer: true, Schema: "public", Table: "profiles", Columns: []string{"id"}, RefColumns: []string{"user_id"}},
			{Field: "Tags", Kind: schema.ManyToMany, Schema: "public", Table: "tags", Columns: []string{"id"}, RefColumns: []string{"name"},
				Through: &schema.Through{Schema: "public", Table: "user_tags", Columns: []string{"user_id"}, RefColumns: []string{"tag"}}},
		},
		"posts": {
			{Field: "Author", Kind: schema.BelongsTo, Schema: "public", Table: "users", Columns: []string{"author_id"}, RefColumns: []string{"id"}},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(schema.Relation{}, "Pos")); diff != "" {
		t.Errorf("relations (-want +got):\n%s", diff)
	}
	if p := got["posts"][0].Pos; p.Line != 15 || p.Column != 24 {
		t.Errorf("Author's relation is at %d:%d; want 15:24, its rel value", p.Line, p.Column)
	}
}
