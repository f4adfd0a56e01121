package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSnakeCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ID", "id"},
		{"ModelID", "model_id"},
		{"HTTPServer", "http_server"},
		{"HTTPSServer", "https_server"},
		{"CreatedAt", "created_at"},
		{"UserID2", "user_id2"},
		{"Int64Value", "int64_value"},
		{"A1B2", "a1_b2"},
		{"userID", "user_id"},
		{"JSONData", "json_data"},
		{"already_snake", "already_snake"},
		{"Already_Snake", "already_snake"},
		{"Name", "name"},
		{"ABC", "abc"},
		{"X", "x"},
		{"x", "x"},
		{"", ""},
		{"ÄpfelBaum", "äpfel_baum"},
		// The plural of an acronym stays one word.
		{"URLs", "urls"},
		{"IDs", "ids"},
		{"UserIDs", "user_ids"},
		{"TagIDsByOwner", "tag_ids_by_owner"},
		{"CPUs2", "cpus2"},
		{"NumberOfXs", "number_of_xs"},
		{"HTTPStatus", "http_status"},
		// Known limitation: an acronym followed by lower-case letters that
		// belong to it splits before its last capital. Name such columns
		// explicitly (db:"ipv4_addr").
		{"IPv4Addr", "i_pv4_addr"},
		{"OAuth2Token", "o_auth2_token"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, SnakeCase(tt.in)); diff != "" {
				t.Errorf("SnakeCase(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

var hashSuffix = regexp.MustCompile(`_[0-9a-f]{8}$`)

// wantHashed is AutoName's documented long-name form, computed
// independently: the first keep bytes and "_" plus the first 8 hex digits of
// the SHA-256 of the whole name.
func wantHashed(name string, keep int) string {
	sum := sha256.Sum256([]byte(name))
	return name[:keep] + "_" + hex.EncodeToString(sum[:])[:8]
}

func TestAutoName(t *testing.T) {
	a63 := strings.Repeat("a", 63)
	a64 := strings.Repeat("a", 64)
	long := strings.Repeat("x", 200)
	tests := []struct {
		name  string
		parts []string
		want  string
	}{
		{"no parts", nil, ""},
		{"one part", []string{"users"}, "users"},
		{"joined", []string{"users", "email", "key"}, "users_email_key"},
		{"empty parts", []string{"a", "", "b"}, "a__b"},
		{"63 bytes unchanged", []string{a63}, a63},
		{"63 bytes from parts unchanged", []string{strings.Repeat("t", 30), strings.Repeat("c", 30), "k"}, strings.Repeat("t", 30) + "_" + strings.Repeat("c", 30) + "_k"},
		{"64 bytes hashed", []string{a64}, wantHashed(a64, 54)},
		{"64 bytes from parts hashed", []string{strings.Repeat("t", 31), strings.Repeat("c", 30), "k"}, wantHashed(strings.Repeat("t", 31)+"_"+strings.Repeat("c", 30)+"_k", 54)},
		{"200 bytes hashed", []string{long, "fk"}, wantHashed(long+"_fk", 54)},
		// "é" is 2 bytes: 53 ASCII bytes put one across the cut at 54.
		{"cut before a 2-byte rune", []string{strings.Repeat("a", 53) + strings.Repeat("é", 10)}, wantHashed(strings.Repeat("a", 53)+strings.Repeat("é", 10), 53)},
		{"cut after a 2-byte rune", []string{strings.Repeat("a", 52) + strings.Repeat("é", 10)}, wantHashed(strings.Repeat("a", 52)+strings.Repeat("é", 10), 54)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AutoName(tt.parts...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AutoName(%q) mismatch (-want +got):\n%s", tt.parts, diff)
			}
			if len(got) > MaxIdentifierLength {
				t.Errorf("AutoName(%q) = %q is %d bytes, more than %d", tt.parts, got, len(got), MaxIdentifierLength)
			}
			if again := AutoName(tt.parts...); again != got {
				t.Errorf("AutoName(%q) is not deterministic: %q then %q", tt.parts, got, again)
			}
		})
	}
}

// TestAutoNameLong checks the properties of cut names over many lengths and
// rune widths.
func TestAutoNameLong(t *testing.T) {
	for _, r := range []string{"a", "é", "€", "😀"} {
		for pad := range 8 {
			for n := 60; n < 80; n++ {
				name := strings.Repeat("p", pad) + strings.Repeat(r, n)
				t.Run(fmt.Sprintf("%s/pad%d/n%d", r, pad, n), func(t *testing.T) {
					got := AutoName(name)
					if len(name) <= MaxIdentifierLength {
						if got != name {
							t.Errorf("AutoName(%q) = %q, want it unchanged", name, got)
						}
						return
					}
					if !utf8.ValidString(got) {
						t.Errorf("AutoName(%q) = %q is not valid UTF-8", name, got)
					}
					if !hashSuffix.MatchString(got) {
						t.Errorf("AutoName(%q) = %q does not end in _ and 8 hex digits", name, got)
					}
					prefix := strings.TrimSuffix(got, got[len(got)-9:])
					if !strings.HasPrefix(name, prefix) {
						t.Errorf("AutoName(%q) = %q: %q is not a prefix of the name", name, got, prefix)
					}
					// Exactly 63 bytes, less only the part of a rune that
					// would not fit.
					if len(got) > MaxIdentifierLength || len(got) <= MaxIdentifierLength-utf8.UTFMax {
						t.Errorf("AutoName(%q) = %q is %d bytes, want %d less at most %d", name, got, len(got), MaxIdentifierLength, utf8.UTFMax-1)
					}
					if r == "a" && len(got) != MaxIdentifierLength {
						t.Errorf("AutoName(%q) = %q is %d bytes, want exactly %d", name, got, len(got), MaxIdentifierLength)
					}
				})
			}
		}
	}
}

func TestAutoNameSamePrefix(t *testing.T) {
	prefix := strings.Repeat("p", 54)
	a := AutoName(prefix, "first_long_suffix")
	b := AutoName(prefix, "second_long_suffix")
	if a == b {
		t.Errorf("AutoName(%q, %q) = AutoName(%q, %q) = %q, want different names", prefix, "first_long_suffix", prefix, "second_long_suffix", a)
	}
	if a[:54] != b[:54] {
		t.Errorf("AutoName(%q, ...) = %q and %q, want the same 54-byte prefix", prefix, a, b)
	}
}
