package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// TagOption is one comma-separated element of a db tag: the column name (the
// first element) or an option such as "pk" or "type:numeric(18,8)".
type TagOption struct {
	Key      string // option name; for the first element, the column name
	Value    string // text after the first ':', if any
	HasValue bool
	Off      int // byte offset of the element in the tag's value
	ValOff   int // byte offset of Value in the tag's value
}

// LookupTag finds key in a struct tag, the way reflect.StructTag.Lookup
// does, and also returns where the value's text starts in the tag so errors
// can point into it. rawOffsets maps each byte of the unquoted value (and one
// past its end) to its offset in tag. A malformed tag (one reflect would silently ignore) is an
// error, because a misspelt tag otherwise turns into a surprise column.
func LookupTag(tag, key string) (value string, offsets []int, found bool, err error) {
	i := 0
	for i < len(tag) {
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		if i >= len(tag) {
			break
		}
		start := i
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		name := tag[start:i]
		if name == "" || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			if strings.HasPrefix(tag[start:], key+":") {
				return "", nil, false, fmt.Errorf("malformed struct tag: the %s value must be in double quotes (%s:\"...\")", key, key)
			}
			return "", nil, false, nil // not ours; go vet reports malformed tags
		}
		i++ // the ':'
		i++ // the opening quote
		var val []byte
		var offs []int
		closed := false
		for i < len(tag) {
			if tag[i] == '"' {
				closed = true
				i++
				break
			}
			off := i
			if tag[i] == '\\' {
				r, _, tail, uerr := strconv.UnquoteChar(tag[i:], '"')
				if uerr != nil {
					return "", nil, false, fmt.Errorf("malformed struct tag: bad escape in %s value", name)
				}
				n := len(tag[i:]) - len(tail)
				enc := string(r)
				for range len(enc) {
					offs = append(offs, off)
				}
				val = append(val, enc...)
				i += n
				continue
			}
			val = append(val, tag[i])
			offs = append(offs, off)
			i++
		}
		if !closed {
			if name == key {
				return "", nil, false, fmt.Errorf("malformed struct tag: %s value has no closing quote", key)
			}
			return "", nil, false, nil
		}
		if name == key {
			offs = append(offs, i-1) // the end of the value maps to the closing quote
			return string(val), offs, true, nil
		}
	}
	return "", nil, false, nil
}

// SplitOptions splits a db tag value at commas that are not inside
// parentheses, brackets or quotes, so "type:numeric(18,8)", "default:'a,b'"
// and "default:ARRAY[1, 2]" (as PostgreSQL prints an array default) stay
// whole. It reports unbalanced parentheses or brackets and unterminated
// quotes with the offset of the offending character.
func SplitOptions(s string) ([]TagOption, error) {
	var opts []TagOption
	depth := 0
	var quote byte
	quoteAt, start := 0, 0
	var opens []int
	add := func(end int) {
		text := s[start:end]
		o := TagOption{Off: start}
		o.Off += LeadingSpace(text)
		text = strings.TrimSpace(text)
		if k, v, ok := strings.Cut(text, ":"); ok && len(opts) > 0 {
			o.Key, o.Value, o.HasValue = strings.TrimSpace(k), strings.TrimSpace(v), true
			o.ValOff = o.Off + len(k) + 1 + LeadingSpace(v)
		} else {
			o.Key = text
		}
		opts = append(opts, o)
		start = end + 1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				if i+1 < len(s) && s[i+1] == quote { // doubled quote inside a literal
					i++
					continue
				}
				quote = 0
			}
		case c == '\'' || c == '"':
			quote, quoteAt = c, i
		case c == '(' || c == '[':
			depth++
			opens = append(opens, i)
		case c == ')' || c == ']':
			open := byte('(')
			if c == ']' {
				open = '['
			}
			if depth == 0 || s[opens[len(opens)-1]] != open {
				return nil, &OffsetError{i, fmt.Sprintf("unbalanced %s: \"%c\" without \"%c\"", pairName(c), c, open)}
			}
			depth--
			opens = opens[:len(opens)-1]
		case c == ',' && depth == 0:
			add(i)
		}
	}
	if quote != 0 {
		return nil, &OffsetError{quoteAt, fmt.Sprintf("unterminated %c quote", quote)}
	}
	if depth > 0 {
		at := opens[len(opens)-1]
		return nil, &OffsetError{at, fmt.Sprintf("unbalanced %s: \"%c\" is never closed", pairName(s[at]), s[at])}
	}
	add(len(s))
	return opts, nil
}

// pairName names the kind of bracket c is, for messages.
func pairName(c byte) string {
	if c == '[' || c == ']' {
		return "brackets"
	}
	return "parentheses"
}

// LeadingSpace returns the length in bytes of the white space
// strings.TrimSpace would remove from the start of s, so offsets of trimmed
// text stay exact when a tag holds tabs.
func LeadingSpace(s string) int {
	return len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
}

// OffsetError is a mistake at byte Off of the text being read.
type OffsetError struct {
	Off int
	Msg string
}

func (e *OffsetError) Error() string { return e.Msg }
