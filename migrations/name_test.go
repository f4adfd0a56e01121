package migrations

import (
	"testing"

	"github.com/mizzle/mizzle/schema"
)

func TestName(t *testing.T) {
	orders := &schema.Table{Schema: "public", Name: "orders"}
	users := &schema.Table{Schema: "public", Name: "users"}
	tn := TableName{"public", "orders"}
	tests := []struct {
		name    string
		changes []Change
		want    string
	}{
		{"nothing", nil, "empty"},
		{"first migration", []Change{CreateEnum{&schema.Enum{Name: "status"}}, CreateTable{orders}, CreateTable{users},
			AddForeignKey{tn, schema.ForeignKey{Name: "orders_user_id_users_id_fk"}}}, "init"},
		{"one table", []Change{CreateTable{orders}}, "create_orders"},
		{"two tables", []Change{CreateTable{orders}, CreateTable{users}}, "create_orders_and_create_users"},
		{"one column", []Change{AddColumn{tn, &schema.Column{Name: "trailingStop"}}}, "add_trailing_stop"},
		{"snake column", []Change{AddColumn{tn, &schema.Column{Name: "trailing_stop"}}}, "add_trailing_stop"},
		{"column and its index", []Change{AddColumn{tn, &schema.Column{Name: "symbol"}},
			CreateIndex{tn, schema.Index{Name: "orders_symbol_index"}}}, "add_symbol_and_add_orders_symbol_index"},
		{"many", []Change{DropColumn{Table: tn, Column: "a"}, DropColumn{Table: tn, Column: "b"}, DropColumn{Table: tn, Column: "c"}},
			"drop_a_and_more"},
		{"alter", []Change{DropDefault{tn, "note"}, SetNotNull{tn, "note"}}, "alter_note"},
		{"comments only", []Change{SetComment{Kind: CommentTable, Schema: "public", Name: "orders", Text: "x"},
			SetComment{Kind: CommentColumn, Schema: "public", Name: "orders", Column: "a"},
			SetComment{Kind: CommentType, Schema: "public", Name: "status", Text: "y"}}, "comment"},
		{"column and its comment", []Change{AddColumn{tn, &schema.Column{Name: "note"}},
			SetComment{Kind: CommentColumn, Schema: "public", Name: "orders", Column: "note", Text: "x"}}, "add_note"},
		{"odd characters", []Change{CreateTable{&schema.Table{Name: "Größe der Tabelle!"}}}, "create_gr_e_der_tabelle"},
		{"acronym", []Change{AddColumn{tn, &schema.Column{Name: "userID"}}}, "add_user_id"},
		{"a partition", []Change{CreatePartition{tn, schema.Partition{Name: "Orders2026"}}}, "create_orders2026"},
		{"a new bound", []Change{DropPartition{Parent: tn, Name: "orders_old", Recreated: true},
			CreatePartition{tn, schema.Partition{Name: "orders_old"}}}, "drop_orders_old_and_create_orders_old"},
		{"view", []Change{CreateView{&schema.View{Name: "active_orders"}}}, "create_active_orders"},
		{"views", []Change{DropView{Name: "a"}, ReplaceView{&schema.View{Name: "b"}}}, "drop_a_and_replace_b"},
		{"view changes", []Change{RenameView{From: "a", To: "b"}, SetViewSchema{Name: "c"}, AlterViewOptions{Name: "d"}},
			"rename_a_and_more"},
		{"first migration with views", []Change{CreateTable{orders}, CreateView{&schema.View{Name: "v"}}, CreateView{&schema.View{Name: "w"}}}, "init"},
		{"long", []Change{CreateTable{&schema.Table{Name: "a_very_long_table_name_that_goes_on_and_on_and_on_forever"}}},
			"create_a_very_long_table_name_that_goes_on_and_o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Name(tt.changes); got != tt.want {
				t.Errorf("Name = %q, want %q", got, tt.want)
			}
		})
	}
}
