# paired.awk: each library's time divided by mizzle's in the same round.
#
# Reads run.sh's bench.txt, whose rounds start with a "# round N" line,
# and prints per benchmark and library the median, minimum and maximum
# over the rounds of time/op ÷ mizzle's time/op. Within a round the two
# ran seconds apart, so load that drifts over minutes cancels out.
#
# Usage: awk -f paired.awk bench.txt
/^# round / { round = $3; next }
/^Benchmark/ {
	split($1, p, "/")
	bench = substr(p[1], 10)
	lib = p[2]
	sub(/^lib=/, "", lib)
	sub(/-[0-9]+$/, "", lib)
	t[bench, lib, round] = $3
	if (!((bench, lib) in seen)) {
		seen[bench, lib] = 1
		order[++rows] = bench SUBSEP lib
	}
	rounds[round] = 1
}
END {
	for (i = 1; i <= rows; i++) {
		split(order[i], k, SUBSEP)
		if (k[2] == "mizzle") continue
		n = 0
		for (r in rounds)
			if (((k[1], k[2], r) in t) && ((k[1], "mizzle", r) in t))
				v[++n] = t[k[1], k[2], r] / t[k[1], "mizzle", r]
		if (n == 0) continue
		# Insertion sort: n is a handful of rounds.
		for (a = 2; a <= n; a++)
			for (b = a; b > 1 && v[b-1] > v[b]; b--) { x = v[b]; v[b] = v[b-1]; v[b-1] = x }
		med = n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
		printf "%-14s %-16s ÷ mizzle  %6.2f  (%.2f–%.2f, %d rounds)\n", k[1], k[2], med, v[1], v[n], n
	}
}
