package table

import (
	"fmt"
	"strconv"
	"strings"
)

// WriteKey writes one column of a key looked for, "name = value", for a
// not-found error's message: strings quoted, so that an empty or spaced
// key reads as what it is.
func WriteKey(b *strings.Builder, name string, v any) {
	if b.Len() > 0 {
		b.WriteString(", ")
	}
	b.WriteString(name)
	b.WriteString(" = ")
	switch v := v.(type) {
	case string:
		b.WriteString(strconv.Quote(v))
	case fmt.Stringer:
		b.WriteString(strconv.Quote(v.String()))
	default:
		fmt.Fprint(b, v)
	}
}
