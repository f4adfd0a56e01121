# ratios.awk: each library's time against pgx's, paired by round.
#
# Reads go test -bench output made of rounds (run.sh runs every benchmark
# and library once per round, pgx first) and prints, per benchmark and
# library, the median, minimum and maximum of time/op divided by pgx's
# time/op in the same round. A library's sample and pgx's were taken
# seconds apart, so load that drifts on a shared machine over minutes
# cancels out of the ratio, which benchstat's unpaired medians keep.
#
# Usage: awk -f ratios.awk bench.txt
/^Benchmark/ {
	split($1, p, "/")
	bench = substr(p[1], 10)
	lib = p[2]
	sub(/^lib=/, "", lib)
	sub(/-[0-9]+$/, "", lib)
	if (lib == "pgx") {
		base[bench] = $3
		next
	}
	if (bench in base) {
		n = ++cnt[bench, lib]
		r[bench, lib, n] = $3 / base[bench]
		if (!((bench, lib) in seen)) {
			seen[bench, lib] = 1
			order[++rows] = bench SUBSEP lib
		}
	}
}
END {
	printf "| benchmark | library | time / pgx (median of rounds) | min | max | rounds |\n"
	printf "|---|---|---:|---:|---:|---:|\n"
	for (k = 1; k <= rows; k++) {
		split(order[k], bl, SUBSEP)
		n = cnt[bl[1], bl[2]]
		for (i = 1; i <= n; i++)
			v[i] = r[bl[1], bl[2], i]
		# Insertion sort: n is the number of rounds, a few dozen at most.
		for (i = 2; i <= n; i++) {
			x = v[i]
			for (j = i - 1; j > 0 && v[j] > x; j--)
				v[j + 1] = v[j]
			v[j + 1] = x
		}
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "| %s | %s | %.2f | %.2f | %.2f | %d |\n", bl[1], bl[2], med, v[1], v[n], n
	}
}
