package mizzletest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of the times in /proc/PID/stat: USER_HZ, 100 on
// every Linux that Go runs on.
const clockTick = 10 * time.Millisecond

// serverCPU returns the processor time the throwaway cluster of dataDir has
// used so far: the postmaster's own, that of its live children (the
// checkpointer, the background writer, ...) and, as the postmaster reaps
// them, that of its children that ended (the backends of the connections,
// which end with them). Linux only; 0 when it cannot tell.
func serverCPU(tb testing.TB, dataDir string) time.Duration {
	tb.Helper()
	pidFile, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, _ := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	fields := func(pid string) []string {
		b, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return nil
		}
		// The command may hold spaces; the fields after it are fixed.
		s := string(b)
		return strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	}
	ticks := func(f []string, from, to int) int64 {
		var n int64
		for i := from; i <= to && i < len(f); i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			n += v
		}
		return n
	}
	// After the command: state is field 0, ppid 1, utime 11, stime 12,
	// cutime 13, cstime 14.
	total := ticks(fields(strconv.Itoa(pm)), 11, 14)
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		if f := fields(p.Name()); len(f) > 14 && f[1] == strconv.Itoa(pm) {
			total += ticks(f, 11, 12)
		}
	}
	return time.Duration(total) * clockTick
}
