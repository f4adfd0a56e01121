package pg

import "testing"

// TestKeySetReused: a key set given back after one call finds duplicates
// in the next as if new, whether its key has one column or several, and
// never remembers the keys of the call before.
func TestKeySetReused(t *testing.T) {
	for round := range 3 {
		one := newKeySet(1)
		if _, dup := one.add([]any{int64(1)}, 0); dup {
			t.Fatalf("round %d: a key of the call before is remembered", round)
		}
		if prev, dup := one.add([]any{int64(1)}, 4); !dup || prev != 0 {
			t.Errorf("round %d: the same one-column key twice: %d, %v", round, prev, dup)
		}
		one.release()
		two := newKeySet(2)
		if _, dup := two.add([]any{int64(1), "a"}, 0); dup {
			t.Fatalf("round %d: a composite key of the call before is remembered", round)
		}
		if _, dup := two.add([]any{int64(1), "b"}, 1); dup {
			t.Errorf("round %d: two composite keys differing in their second column found the same", round)
		}
		if prev, dup := two.add([]any{int64(1), "b"}, 2); !dup || prev != 1 {
			t.Errorf("round %d: the same composite key twice: %d, %v", round, prev, dup)
		}
		two.release()
	}
}
