package broken

//mizzle:table
type Order struct {
	ID  int64          `db:"id,pkk"`
	Tag map[string]int `db:"tag"`
}
