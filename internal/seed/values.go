package seed

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/mizzle/mizzle/schema"
)

// epoch is the start of the dates and times the seeder makes: fixed, so
// that a run never depends on the day it runs.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// span is how far after epoch generated dates and times go: six years.
const spanDays = 6 * 365

// valueGen makes one column's values as the Go values pgx encodes for
// COPY: int16, int32, int64, float32, float64, pgtype.Numeric, string,
// bool, time.Time, pgtype.Time, pgtype.Interval, [16]byte (uuid), []byte,
// netip.Prefix, and []any for arrays.
type valueGen struct {
	// random returns a value drawn from s.
	random func(s *stream) any
	// size is the number of distinct values at makes; 0 when the type
	// has no unique values.
	size uint64
	// at returns the k-th of size distinct values, k < size; s may only
	// decorate the value (a name before a unique number), never make two
	// values equal.
	at func(k uint64, s *stream) any
}

// unsupportedError is a column whose type the seeder cannot make values of.
type unsupportedError struct{ typ schema.Type }

func (e *unsupportedError) Error() string {
	return fmt.Sprintf("mizzle cannot generate values of type %s", e.typ)
}

// newValueGen returns the generator of column c of table t.
func newValueGen(m *schema.Model, t *schema.Table, c *schema.Column, o Column) (*valueGen, error) {
	typ := c.Type.Storage()
	if len(o.Values) > 0 {
		values, weights := o.Values, o.Weights
		return &valueGen{
			random: func(s *stream) any { return values[s.pick(len(values), weights)] },
			size:   uint64(len(values)),
			at:     func(k uint64, _ *stream) any { return values[k] },
		}, nil
	}
	if typ.Array {
		elem := typ
		elem.Array = false
		eg, err := scalarGen(m, t, c, elem, o)
		if err != nil {
			return nil, err
		}
		return &valueGen{
			random: func(s *stream) any {
				n := s.intn(4)
				a := make([]any, n)
				for i := range a {
					a[i] = eg.random(s)
				}
				return a
			},
			size: eg.size,
			at: func(k uint64, s *stream) any {
				if eg.at == nil {
					return nil
				}
				return []any{eg.at(k, s)}
			},
		}, nil
	}
	return scalarGen(m, t, c, typ, o)
}

func scalarGen(m *schema.Model, t *schema.Table, c *schema.Column, typ schema.Type, o Column) (*valueGen, error) {
	if typ.Schema != "" {
		e := m.Enum(typ.Schema, typ.Name)
		if e == nil || len(e.Values) == 0 {
			return nil, &unsupportedError{typ}
		}
		values := e.Values
		return &valueGen{
			random: func(s *stream) any { return values[s.intn(uint64(len(values)))] },
			size:   uint64(len(values)),
			at:     func(k uint64, _ *stream) any { return values[k] },
		}, nil
	}
	if o.Range != nil && !isNumber(typ) {
		return nil, fmt.Errorf("a range is for number columns, and this one is %s", typ)
	}
	switch typ.Name {
	case "smallint", "integer", "bigint":
		return intGen(typ.Name, o.Range)
	case "numeric":
		return numericGen(typ, o.Range)
	case "real", "double precision":
		return floatGen(typ.Name, o.Range), nil
	case "boolean":
		return &valueGen{
			random: func(s *stream) any { return s.intn(2) == 1 },
			size:   2,
			at:     func(k uint64, _ *stream) any { return k == 1 },
		}, nil
	case "text", "character varying", "character", "bpchar", "citext", "name":
		return textGen(t, c, typ), nil
	case "date":
		return &valueGen{
			random: func(s *stream) any { return epoch.AddDate(0, 0, int(s.intn(spanDays))) },
			size:   100 * 365,
			at:     func(k uint64, _ *stream) any { return epoch.AddDate(0, 0, int(k)) },
		}, nil
	case "timestamp without time zone", "timestamp with time zone":
		return &valueGen{
			random: func(s *stream) any {
				return epoch.Add(time.Duration(s.intn(spanDays*86400)) * time.Second)
			},
			size: 1 << 40,
			at:   func(k uint64, _ *stream) any { return epoch.Add(time.Duration(k) * time.Second) },
		}, nil
	case "time without time zone":
		return &valueGen{
			random: func(s *stream) any {
				return pgtype.Time{Microseconds: int64(s.intn(86400)) * 1e6, Valid: true}
			},
			size: 86400,
			at:   func(k uint64, _ *stream) any { return pgtype.Time{Microseconds: int64(k) * 1e6, Valid: true} },
		}, nil
	case "interval":
		return &valueGen{
			random: func(s *stream) any {
				return pgtype.Interval{Days: int32(s.intn(30)), Microseconds: int64(s.intn(86400)) * 1e6, Valid: true}
			},
			size: 1 << 40,
			at: func(k uint64, _ *stream) any {
				return pgtype.Interval{Days: int32(k / 86400), Microseconds: int64(k%86400) * 1e6, Valid: true}
			},
		}, nil
	case "uuid":
		return &valueGen{
			random: func(s *stream) any { return uuidOf(s.uint64(), s) },
			size:   math.MaxUint64,
			at:     func(k uint64, s *stream) any { return uuidOf(mix(k), s) },
		}, nil
	case "json", "jsonb":
		return &valueGen{
			random: func(s *stream) any {
				return fmt.Sprintf(`{"name": %q, "score": %d}`, loremWords[s.intn(uint64(len(loremWords)))], s.intn(100))
			},
			size: math.MaxInt64,
			at: func(k uint64, s *stream) any {
				return fmt.Sprintf(`{"id": %d, "name": %q}`, k+1, loremWords[s.intn(uint64(len(loremWords)))])
			},
		}, nil
	case "bytea":
		return &valueGen{
			random: func(s *stream) any {
				b := make([]byte, 4+s.intn(13))
				for i := range b {
					b[i] = byte(s.uint64())
				}
				return b
			},
			size: math.MaxUint64,
			at: func(k uint64, _ *stream) any {
				return binary.BigEndian.AppendUint64(nil, mix(k))
			},
		}, nil
	case "inet":
		return &valueGen{
			random: func(s *stream) any { return ipv4(0x0a000000|uint32(s.intn(1<<24)), 32) },
			size:   1 << 24,
			at:     func(k uint64, _ *stream) any { return ipv4(0x0a000000|uint32(k), 32) },
		}, nil
	case "cidr":
		return &valueGen{
			random: func(s *stream) any { return ipv4(0x0a000000|uint32(s.intn(1<<16))<<8, 24) },
			size:   1 << 16,
			at:     func(k uint64, _ *stream) any { return ipv4(0x0a000000|uint32(k)<<8, 24) },
		}, nil
	}
	return nil, &unsupportedError{typ}
}

func isNumber(t schema.Type) bool {
	switch t.Name {
	case "smallint", "integer", "bigint", "numeric", "real", "double precision":
		return t.Schema == ""
	}
	return false
}

func intGen(name string, r *Range) (*valueGen, error) {
	_, hi, _ := schema.SequenceBounds(name)
	lo, top := int64(1), min(hi, 1000)
	if r != nil {
		if r.Min < float64(-hi-1) || r.Max > float64(hi) || r.Min > r.Max {
			return nil, fmt.Errorf("range %g to %g does not fit %s", r.Min, r.Max, name)
		}
		lo, top = int64(math.Ceil(r.Min)), int64(math.Floor(r.Max))
		if lo > top {
			return nil, fmt.Errorf("range %g to %g holds no integer", r.Min, r.Max)
		}
	}
	conv := func(v int64) any {
		switch name {
		case "smallint":
			return int16(v)
		case "integer":
			return int32(v)
		}
		return v
	}
	size := uint64(hi)
	ulo := int64(1)
	if r != nil {
		size, ulo = uint64(top-lo)+1, lo
	}
	return &valueGen{
		random: func(s *stream) any { return conv(s.between(lo, top)) },
		size:   size,
		at:     func(k uint64, _ *stream) any { return conv(ulo + int64(k)) },
	}, nil
}

// numericGen makes numeric(p,s) values as integers of units of 10^-s:
// positive, as quantities and prices are, below 10,000 unless the
// precision allows less or a range says otherwise.
func numericGen(typ schema.Type, r *Range) (*valueGen, error) {
	prec, scale := 0, 2
	if typ.Mod != "" {
		p, s, _ := strings.Cut(typ.Mod, ",")
		prec, _ = strconv.Atoi(p)
		scale = 0
		if s != "" {
			scale, _ = strconv.Atoi(s)
		}
	}
	if scale < 0 || scale > 18 {
		scale = 2 // out of what the seeder makes; PostgreSQL rounds
	}
	unit := math.Pow10(scale)
	// maxUnits is the number of units the precision holds.
	maxUnits := uint64(math.MaxInt64)
	if prec > 0 && prec < 19 {
		maxUnits = uint64(math.Pow10(prec)) - 1
	}
	lo, hi := int64(1), int64(min(maxUnits, uint64(10000*unit)))
	if r != nil {
		lo, hi = int64(math.Ceil(r.Min*unit)), int64(math.Floor(r.Max*unit))
		if lo > hi || hi > int64(maxUnits) || -lo > int64(maxUnits) {
			return nil, fmt.Errorf("range %g to %g does not fit %s", r.Min, r.Max, typ)
		}
	}
	num := func(units int64) any {
		return pgtype.Numeric{Int: big.NewInt(units), Exp: int32(-scale), Valid: true}
	}
	size, ulo := maxUnits, int64(1)
	if r != nil {
		size, ulo = uint64(hi-lo)+1, lo
	}
	return &valueGen{
		random: func(s *stream) any { return num(s.between(lo, hi)) },
		size:   size,
		at:     func(k uint64, _ *stream) any { return num(ulo + int64(k)) },
	}, nil
}

func floatGen(name string, r *Range) *valueGen {
	lo, hi := 0.01, 1000.0
	if r != nil {
		lo, hi = r.Min, r.Max
	}
	conv := func(v float64) any {
		if name == "real" {
			return float32(v)
		}
		return v
	}
	size := uint64(1 << 53)
	if name == "real" {
		size = 1 << 24
	}
	return &valueGen{
		// Rounded to hundredths, so the text form is short and the same
		// everywhere.
		random: func(s *stream) any { return conv(math.Round((lo+s.float()*(hi-lo))*100) / 100) },
		size:   size,
		at:     func(k uint64, _ *stream) any { return conv(float64(k + 1)) },
	}
}

// uuidOf makes a version 4 uuid whose bits hold x whole (so distinct x
// give distinct uuids), the rest from s.
func uuidOf(x uint64, s *stream) [16]byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[8:], s.uint64())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(x>>56), byte(x>>48), byte(x>>40), byte(x>>32), byte(x>>24), byte(x>>16)
	u[6] = 0x40 | byte(x>>12)&0x0f
	u[7] = byte(x >> 4)
	u[8] = 0x80 | (u[8] & 0x30) | byte(x)&0x0f
	return u
}

func ipv4(a uint32, bits int) netip.Prefix {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.PrefixFrom(netip.AddrFrom4(b), bits)
}
