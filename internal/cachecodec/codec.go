// Package cachecodec encodes plain Go values (structs, slices, pointers,
// strings, numbers, booleans) for caches that this same build of mizzle
// reads back: the loader's model cache and Normalize's. It walks every
// field of every struct by reflection, so a field added to the model is
// cached without anyone remembering to, and keeps what gob and JSON lose.
//
// It knows nothing of what it encodes, of files or of keys; the encoding
// carries no type information and no version, so a cache must key its
// entries by the executable that wrote them.
package cachecodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
)

// The encoding: every field of every struct, in
// order, walked by reflection, so that a field added to the model is
// cached without anyone remembering to. It keeps what gob and JSON lose (a
// nil slice apart from an empty one, a pointer to a zero value apart from
// nil, fields without a JSON name) and writes each distinct string once: a
// model repeats its file names, Go types and column names thousands of
// times, and decoding them once is most of the gain over gob.
//
// Entries are never read by another build of mizzle (the executable is in
// the key), so the encoding carries no type information. A kind it cannot
// encode (a map, an interface) anywhere in the entry's type fails every
// encoding, which TestCacheSameModel would show at once.

type encoder struct {
	buf     []byte
	strings map[string]uint64
}

// Encode encodes the value ptr points to. It fails when the value's type
// holds a kind it cannot encode (a map, an interface, a func, a channel),
// anywhere, even behind a nil pointer.
func Encode(ptr any) ([]byte, error) {
	v := reflect.ValueOf(ptr).Elem()
	if err := checkType(v.Type(), map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	e := &encoder{strings: map[string]uint64{}}
	e.value(v)
	return e.buf, nil
}

// checkType reports a type the codec cannot encode anywhere inside t, once
// for the type rather than for each value, so that a field behind a nil
// pointer or in an empty slice fails too.
func checkType(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("%s.%s is unexported", t, f.Name)
			}
			if err := checkType(f.Type, seen); err != nil {
				return err
			}
		}
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
	default:
		return fmt.Errorf("cannot encode a %s (%s)", t.Kind(), t)
	}
	return nil
}

func (e *encoder) uvarint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }

// value appends v, whose type checkType accepted.
func (e *encoder) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			e.uvarint(0)
			return
		}
		e.uvarint(1)
		e.value(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			e.value(v.Field(i))
		}
	case reflect.Slice:
		if v.IsNil() {
			e.uvarint(0)
			return
		}
		e.uvarint(uint64(v.Len()) + 1)
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			e.value(v.Index(i))
		}
	case reflect.String:
		s := v.String()
		if id, ok := e.strings[s]; ok {
			e.uvarint(id)
			return
		}
		id := uint64(len(e.strings))
		e.strings[s] = id
		e.uvarint(id) // the next id: a new string follows
		e.uvarint(uint64(len(s)))
		e.buf = append(e.buf, s...)
	case reflect.Bool:
		b := uint64(0)
		if v.Bool() {
			b = 1
		}
		e.uvarint(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.uvarint(math.Float64bits(v.Float()))
	}
}

type decoder struct {
	buf     []byte
	strings []string
}

var errShort = errors.New("entry ends early")

// Decode decodes data, which Encode made from a value of the same type,
// into the value ptr points to; all of data must be used.
func Decode(data []byte, ptr any) error {
	d := &decoder{buf: data}
	if err := d.value(reflect.ValueOf(ptr).Elem()); err != nil {
		return err
	}
	if len(d.buf) > 0 {
		return errors.New("entry has bytes after its end")
	}
	return nil
}

// DecodePrefix decodes the start of data into the value ptr points to and
// returns what follows. data starts with what Encode made of a value of
// that type, or of a struct whose first field has that type: a reader can
// look at the start of an entry (its key, say) without decoding the rest.
func DecodePrefix(data []byte, ptr any) ([]byte, error) {
	d := &decoder{buf: data}
	if err := d.value(reflect.ValueOf(ptr).Elem()); err != nil {
		return nil, err
	}
	return d.buf, nil
}

func (d *decoder) uvarint() (uint64, error) {
	n, k := binary.Uvarint(d.buf)
	if k <= 0 {
		return 0, errShort
	}
	d.buf = d.buf[k:]
	return n, nil
}

func (d *decoder) value(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		n, err := d.uvarint()
		if err != nil || n == 0 {
			return err
		}
		p := reflect.New(v.Type().Elem())
		if err := d.value(p.Elem()); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if err := d.value(v.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		n, err := d.uvarint()
		if err != nil || n == 0 {
			return err
		}
		n--
		if n > uint64(len(d.buf)) { // every element takes a byte at least
			return errShort
		}
		s := reflect.MakeSlice(v.Type(), int(n), int(n))
		for i := range int(n) {
			if err := d.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.String:
		id, err := d.uvarint()
		if err != nil {
			return err
		}
		switch {
		case id < uint64(len(d.strings)):
			v.SetString(d.strings[id])
		case id == uint64(len(d.strings)):
			n, err := d.uvarint()
			if err != nil {
				return err
			}
			if n > uint64(len(d.buf)) {
				return errShort
			}
			s := string(d.buf[:n])
			d.buf = d.buf[n:]
			d.strings = append(d.strings, s)
			v.SetString(s)
		default:
			return fmt.Errorf("string %d of %d", id, len(d.strings))
		}
	case reflect.Bool:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetBool(n != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, k := binary.Varint(d.buf)
		if k <= 0 {
			return errShort
		}
		d.buf = d.buf[k:]
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetFloat(math.Float64frombits(n))
	default:
		return fmt.Errorf("cannot decode a %s (%s)", v.Kind(), v.Type())
	}
	return nil
}
