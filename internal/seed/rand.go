package seed

import (
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
)

// stream is one column's source of randomness. It keeps the PCG generator
// of math/rand/v2, whose output the Go project fixes by its algorithm, and
// reduces numbers to ranges here rather than with rand.Rand's methods,
// whose exact reductions a Go release may change.
type stream struct {
	pcg *rand.PCG
}

// newStream returns the stream named key (such as "public.users.email")
// of the run seeded with seed.
func newStream(seed uint64, key string) *stream {
	h := fnv.New64a()
	h.Write([]byte(key))
	return &stream{pcg: rand.NewPCG(seed, h.Sum64())}
}

func (s *stream) uint64() uint64 { return s.pcg.Uint64() }

// intn returns a number in [0, n), n > 0, by Lemire's multiply-high: the
// bias is at most n/2^64, which no seed data can show.
func (s *stream) intn(n uint64) uint64 {
	hi, _ := bits.Mul64(s.pcg.Uint64(), n)
	return hi
}

// between returns a number in [lo, hi].
func (s *stream) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(s.intn(uint64(hi-lo)+1))
}

// float returns a number in [0, 1).
func (s *stream) float() float64 {
	return float64(s.pcg.Uint64()>>11) / (1 << 53)
}

// pick returns an index into weights drawn by weight; nil weights are
// equal.
func (s *stream) pick(n int, weights []float64) int {
	if weights == nil {
		return int(s.intn(uint64(n)))
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	x := s.float() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// perm is a permutation of [0, size): k = (a·i + b) mod size with a prime
// to size. Row i of a unique column takes the value numbered perm(i), so
// distinct rows take distinct values without any value being drawn twice.
type perm struct {
	a, b, size uint64
}

func newPerm(s *stream, size uint64) perm {
	if size <= 1 {
		return perm{a: 1, size: max(size, 1)}
	}
	a := s.intn(size-1) + 1
	for gcd(a, size) != 1 {
		a++
		if a >= size {
			a = 1
		}
	}
	return perm{a: a, b: s.intn(size), size: size}
}

func (p perm) at(i uint64) uint64 {
	hi, lo := bits.Mul64(p.a, i%p.size)
	r := bits.Rem64(hi, lo, p.size)
	r, carry := bits.Add64(r, p.b, 0)
	if carry != 0 || r >= p.size {
		r -= p.size
	}
	return r
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mix is a bijection of the 64-bit numbers (SplitMix64's finalizer):
// distinct inputs give distinct, well-spread outputs, which unique uuids
// and byte strings are built from.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// mulSat multiplies, saturating at the largest uint64.
func mulSat(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}
