package pg

// writeOnUpdate writes the assignments the schema makes every update of
// the table do (onupdate: columns, drizzle's $onUpdate), after those of
// the update itself: ", "updated_at" = now()". A column the update sets
// itself keeps the update's value.
func (t *Table[R]) writeOnUpdate(b *builder, sets *few[Assignment]) {
next:
	for _, a := range t.OnUpdate {
		for i := range sets.len() {
			if sets.at(i).col.name == a.Col {
				continue next
			}
		}
		b.writeSQL(", ")
		b.writeSQL(a.Col)
		b.writeSQL(" = ")
		if a.Func != nil {
			b.writeArg(a.Func())
		} else {
			b.writeSQL(a.SQL)
		}
	}
}
