package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLockTimeoutMustBePositive refuses a --lock-timeout that is zero
// (which the migrator would take as its default, a minute) or negative,
// as a usage error naming the flag, before connecting.
func TestLockTimeoutMustBePositive(t *testing.T) {
	dead, _ := deadURL(t, "")
	dir := migrateProject(t)
	writeMigrations(t, filepath.Join(dir, "migrations"), "0000_a", "CREATE TABLE a ();")
	for _, tt := range []struct{ args, want string }{
		{"--lock-timeout 0", `mizzle: invalid argument "0" for "--lock-timeout" flag: must be more than zero`},
		{"--lock-timeout 0s", `mizzle: invalid argument "0s" for "--lock-timeout" flag: must be more than zero`},
		{"--lock-timeout -1s", `mizzle: invalid argument "-1s" for "--lock-timeout" flag: must be more than zero`},
		{"--lock-timeout=-5m", `mizzle: invalid argument "-5m" for "--lock-timeout" flag: must be more than zero`},
		{"--lock-timeout soon", `mizzle: invalid argument "soon" for "--lock-timeout" flag: time: invalid duration "soon"`},
	} {
		t.Run(tt.args, func(t *testing.T) {
			args := append([]string{"migrate", "--database-url", dead}, strings.Fields(tt.args)...)
			code, stdout, stderr := runIn(t, dir, args...)
			want := tt.want + "\nRun 'mizzle help' for usage.\n"
			if code != exitUsage || stderr != want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant 2 and:\n%s", code, stdout, stderr, want)
			}
		})
	}
	t.Run("positive", func(t *testing.T) {
		code, _, stderr := runIn(t, dir, "migrate", "--database-url", dead, "--lock-timeout", "1ms")
		if code != exitFailure || !strings.HasPrefix(stderr, "mizzle: connecting to ") {
			t.Errorf("exit %d, stderr %q; want 1 and a connection error", code, stderr)
		}
	})
	_, stdout, _ := runIn(t, dir, "help", "migrate")
	// The flags' column is as wide as the longest flag: match any padding.
	if !regexp.MustCompile(`--lock-timeout duration +how long to wait for another migrate to finish \(more than zero\) \(default 1m0s\)`).MatchString(stdout) {
		t.Errorf("help does not show the default:\n%s", stdout)
	}
}
