package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/mizzle/mizzle/internal/sqlsplit"
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

// SplitOptions splits a db tag value into the column name and options.
// The name ends at the first comma: it is a name, not SQL, so nothing in it
// (a quote, "--", "$x$") can hide that comma. Each option then ends at the
// next comma, except one whose value is SQL (type:, default:, generated:,
// check:, and comment:, an SQL string constant): its value ends at the first comma outside parentheses,
// brackets, quotes, dollar quotes and comments, by the lexer that splits
// migrations, so "type:numeric(18,8)", "default:'a,b'", "default:E'it\'s'"
// and "default:ARRAY[1, 2]" stay whole. It reports unbalanced parentheses or
// brackets and unterminated quotes or comments in such a value with the
// offset of the offending character. The error is an *OffsetError, typed
// so that a caller can read its offset; keep it out of a variable of type
// error, where a nil one would not be nil.
func SplitOptions(s string) ([]TagOption, *OffsetError) {
	var opts []TagOption
	start := 0
	for {
		end := nextComma(s, start)
		o := TagOption{Off: start}
		text := s[start:end]
		o.Off += LeadingSpace(text)
		if k, _, ok := strings.Cut(text, ":"); ok && len(opts) > 0 {
			o.Key, o.HasValue = strings.TrimSpace(k), true
			valStart := start + len(k) + 1
			if sqlValued[o.Key] {
				var err *sqlsplit.EmbedError
				if end, err = sqlsplit.ItemEnd(s, valStart); err != nil {
					return nil, &OffsetError{err.Offset, err.Msg}
				}
			}
			v := s[valStart:end]
			o.Value = strings.TrimSpace(v)
			o.ValOff = valStart // an empty value is at the colon's end
			if o.Value != "" {
				o.ValOff += LeadingSpace(v)
			}
		} else {
			o.Key = strings.TrimSpace(text)
		}
		opts = append(opts, o)
		if end == len(s) {
			return opts, nil
		}
		start = end + 1
	}
}

// sqlValued are the options whose value is SQL text.
var sqlValued = map[string]bool{"type": true, "default": true, "generated": true, "check": true, "comment": true}

// nextComma returns the offset of the first comma of s from start on, or
// len(s).
func nextComma(s string, start int) int {
	if i := strings.IndexByte(s[start:], ','); i >= 0 {
		return start + i
	}
	return len(s)
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
