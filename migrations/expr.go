package migrations

import (
	"slices"

	"github.com/mizzle/mizzle/schema"
)

// An expression (a default, a generation expression, a check, an index's
// predicate or element) compares by the text PostgreSQL prints back for it
// when the model knows it (its Parsed field, which introspection's
// Normalize sets), else by its text as written. Statements always carry
// the text as written.

// parsed is the text an expression compares by.
func parsed(text, parsedText string) string {
	if parsedText != "" {
		return parsedText
	}
	return text
}

func sameGenerated(a, b *schema.Column) bool {
	return parsed(a.Generated, a.ParsedGenerated) == parsed(b.Generated, b.ParsedGenerated)
}

func sameCheck(a, b schema.Check) bool {
	return parsed(a.Expr, a.Parsed) == parsed(b.Expr, b.Parsed)
}

func sameIndex(a, b schema.Index) bool {
	return a.Unique == b.Unique && a.Method == b.Method &&
		slices.EqualFunc(a.Elements, b.Elements, sameIndexElem) &&
		parsed(a.Where, a.ParsedWhere) == parsed(b.Where, b.ParsedWhere) && a.NullsNotDistinct == b.NullsNotDistinct
}

func sameIndexElem(a, b schema.IndexElem) bool {
	return a.Column == b.Column && parsed(a.Expr, a.ParsedExpr) == parsed(b.Expr, b.ParsedExpr) &&
		a.Opclass == b.Opclass && a.Desc == b.Desc && a.Nulls == b.Nulls
}
