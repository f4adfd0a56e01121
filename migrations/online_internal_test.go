package migrations

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/schema"
)

// unknownChange is a change SQL has no statement for.
type unknownChange struct{}

func (unknownChange) change() {}

// TestOnlineErrors: Online fails, and returns nothing, on a change SQL
// cannot spell and on changes that name a table the model after them
// does not have (they do not take before to after).
func TestOnlineErrors(t *testing.T) {
	users := &schema.Table{Schema: "public", Name: "users", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}}
	before := &schema.Model{Tables: []*schema.Table{users}}
	for _, tt := range []struct {
		changes []Change
		want    string
	}{
		{[]Change{unknownChange{}}, "no SQL for change migrations.unknownChange"},
		{[]Change{SetNotNull{Table: TableName{"public", "users"}, Column: "id"}},
			`names the table "public"."users", which the schema after the changes does not have`},
		{[]Change{DropIndex{Schema: "public", Name: "users_id_idx"}},
			`names the table "public"."users", which the schema after the changes does not have`},
	} {
		b := before.Clone()
		b.Tables[0].Indexes = []schema.Index{{Name: "users_id_idx", Elements: []schema.IndexElem{{Column: "id"}}}}
		tx, noTx, mid, err := Online(b, &schema.Model{}, tt.changes, OnlineOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || tx != nil || noTx != nil || mid != nil {
			t.Errorf("Online(%v) = %v, %v, %v, %v; want an error holding %q", tt.changes, tx, noTx, mid, err, tt.want)
		}
	}
}
