package pg

// writeOnUpdate writes the assignments the schema makes every update of
// the table do (onupdate: columns, drizzle's $onUpdate), after those of
// the update itself: ", "updated_at" = now()". A column the update sets
// itself keeps the update's value.
func (t *Table[R]) writeOnUpdate(b *builder, sets *few[Assignment]) {
	t.writeOnUpdateExcept(b, false, func(col string) bool {
		for i := range sets.len() {
			if sets.at(i).col.name == col {
				return true
			}
		}
		return false
	})
}

// writeOnUpdateExcept writes the onupdate: assignments of the columns
// isSet does not claim, each after a comma unless first (no assignment
// written before it).
func (t *Table[R]) writeOnUpdateExcept(b *builder, first bool, isSet func(col string) bool) {
	for _, a := range t.OnUpdate {
		if isSet(a.Col) {
			continue
		}
		if !first {
			b.writeSQL(", ")
		}
		first = false
		b.writeSQL(a.Col)
		b.writeSQL(" = ")
		if a.Func != nil {
			b.writeArg(a.Func())
		} else {
			b.writeSQL(a.SQL)
		}
	}
}

// hasOnUpdate reports whether column i has an onupdate: value.
func (t *Table[R]) hasOnUpdate(i int) bool {
	for _, a := range t.OnUpdate {
		if a.Col == t.Cols[i] {
			return true
		}
	}
	return false
}

// writeRowOnUpdate writes, after the assignments of the columns in set
// (indexes into Cols), the onupdate: assignments of the others: what
// UpdateRow and UpdateMany add to their SET list.
func (t *Table[R]) writeRowOnUpdate(b *builder, set []int) {
	t.writeOnUpdateExcept(b, len(set) == 0, func(col string) bool {
		for _, i := range set {
			if t.Cols[i] == col {
				return true
			}
		}
		return false
	})
}
