#!/usr/bin/env bash
# Benchmark of nested relation loading: mizzle's With (BenchmarkRelations100
# and BenchmarkRelations1000 in bench/query, with hand-written pgx beside it)
# against drizzle-orm's relational findMany with `with` (bench.mjs here: as
# written, and prepared once), on the same data in one throwaway PostgreSQL
# cluster.
#
# Each round runs, for 100 and then 1,000 users, the Go benchmark (which
# creates the tables and seeds them: 10 posts per user, 5 comments per post)
# and bench.mjs on the data it left. Odd rounds run Go first, even rounds
# node first and the sizes backwards (the 1,000-user data holds the 100-user
# data: the same rows with the same keys), so that a drift of the shared
# machine's load falls on both sides alike. Both sides print go test's
# benchmark format; the script checks that they loaded the same number of
# comments with the same checksum, then prints benchstat's medians and the
# ratio drizzle-orm ÷ mizzle paired by round.
#
# Usage: bench/relations-drizzle/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   ROUNDS=10        rounds
#   BENCHTIME=1      seconds each side times per size and round (after
#                    as long untimed on the node side: JIT warm-up)
#   OUT=out          where the results go (relative to this directory
#                    unless absolute): bench.txt, benchstat.txt, ratios.txt
#   KEEP=1           keep the cluster's scratch directory (printed)
#
# Needs go, node and npm, and PostgreSQL's initdb and pg_ctl (on PATH or in
# /usr/lib/postgresql/*/bin). As root the cluster runs as the postgres user.
# pipefail: a benchmark that fails must stop the script, which tee would hide.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
query=$(cd "$here/../query" && pwd)
cd "$here"

ROUNDS=${ROUNDS:-10}
BENCHTIME=${BENCHTIME:-1}
OUT=${OUT:-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$here/../cluster.sh"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error >/dev/null

# In memory, with durability off, as bench/query/run.sh runs: the disk
# would add the same noise to both sides and hide the client's cost.
base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	base=/dev/shm
fi
cluster_scratch relations "$base"
echo "== initdb and start a cluster"
cluster_start --no-sync -- -c fsync=off -c synchronous_commit=off -c full_page_writes=off
export MIZZLE_BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

echo "== compiling the Go benchmarks"
(cd "$query" && go test -c -o "$OUT/bench.test" .)

# go_bench USERS: mizzle's and pgx's sub-benchmarks for USERS users. The
# test binary runs in bench/query, as go test would run it.
go_bench() {
	(cd "$query" && "$OUT/bench.test" -test.run '^$' -test.bench "^BenchmarkRelations$1\$" \
		-test.benchmem -test.benchtime "${BENCHTIME}s" -test.count 1) | tee -a "$OUT/bench.txt"
}

# node_bench USERS: drizzle-orm's findMany for USERS users, as written and
# prepared.
node_bench() {
	USERS=$1 BENCHTIME=$BENCHTIME WARMUP=$BENCHTIME node "$here/bench.mjs" | tee -a "$OUT/bench.txt"
}

echo "== $ROUNDS rounds, ${BENCHTIME}s per side, size and round"
: >"$OUT/bench.txt"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# benchstat skips lines that are neither results nor "key: value";
	# the summary below reads these to pair results by round.
	echo "# round $r" | tee -a "$OUT/bench.txt"
	if [ $((r % 2)) = 1 ]; then
		go_bench 100
		node_bench 100
		go_bench 1000
		node_bench 1000
	else
		node_bench 1000
		go_bench 1000
		node_bench 100
		go_bench 100
	fi
	r=$((r + 1))
done

echo "== checking that every side loaded the same data"
# Each size's comments/op and checksum must be one pair across libraries
# and rounds: the same rows, attached to the same parents.
awk '/^Benchmark/ {
	split($1, p, "/"); size = p[1]
	c = ""; s = ""
	for (i = 4; i < NF; i++) {
		if ($(i+1) == "comments/op") c = $i
		if ($(i+1) == "checksum") s = $i
	}
	if (c == "" || s == "") { print "no checksum in: " $0; bad = 1; next }
	if (!(size in want)) { want[size] = c " " s; print size ": " c " comments, checksum " s }
	else if (want[size] != c " " s) { print $1 ": " c " comments, checksum " s ", want " want[size]; bad = 1 }
}
END { exit bad }' "$OUT/bench.txt" || {
	echo "run.sh: the two sides did not load the same data" >&2
	exit 1
}

echo "== benchstat"
# Without the check's two metrics, now checked, which would make tables of
# equal figures.
awk '/^Benchmark/ {
	line = $1 "\t" $2
	for (i = 3; i < NF; i += 2)
		if ($(i+1) != "checksum" && $(i+1) != "comments/op") line = line "\t" $i " " $(i+1)
	print line; next
}
{ print }' "$OUT/bench.txt" >"$OUT/times.txt"
(cd "$query" && go tool benchstat -row .name -col /lib "$OUT/times.txt") | tee "$OUT/benchstat.txt"

echo "== time ÷ mizzle's, paired by round (median, min–max over $ROUNDS rounds)"
awk -f "$here/paired.awk" "$OUT/bench.txt" | tee "$OUT/ratios.txt"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(go version | cut -d' ' -f3-); node $(node --version);" \
	"drizzle-orm $(node -p 'require(process.argv[1]).version' "$here/node_modules/drizzle-orm/package.json")," \
	"pg $(node -p 'require(process.argv[1]).version' "$here/node_modules/pg/package.json")"
