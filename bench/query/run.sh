#!/usr/bin/env bash
# Benchmark of mizzle's generated queries against hand-written pgx, GORM
# and bun, on a throwaway PostgreSQL cluster.
#
# Starts a cluster (initdb + pg_ctl in a temporary directory), runs the Go
# benchmarks of this module against it ROUNDS times, and summarizes them
# with benchstat: medians, and each library against pgx.
#
# Each round is one `go test -count 1` over every benchmark and library.
# go test's -count would repeat each sub-benchmark back to back instead, so
# a change of load on a shared machine would fall between libraries; in
# rounds it falls on all of them alike.
#
# Usage: bench/query/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   ROUNDS=10        rounds (each sub-benchmark runs once per round)
#   BENCH=.          the -bench pattern, e.g. 'GetByKey|UpdateByKey'
#   BENCHTIME=1s     go test's -benchtime
#   PROFILE=0        1: afterwards, take CPU and allocation profiles of the
#                    mizzle and pgx sub-benchmarks, one benchmark at a time
#   OUT=out          where the results go (relative to this directory
#                    unless absolute): bench.txt, benchstat.txt, profiles
#   MIZZLE_BENCH_DATABASE_URL
#                    a database to use instead of a throwaway cluster; the
#                    benchmarks drop and recreate its public.users table
#   KEEP=1           keep the cluster's scratch directory (printed)
#   POOLER=1         put PgBouncer in transaction mode in front of the
#                    cluster and connect every library through it with
#                    default_query_exec_mode=cache_describe; BENCH then
#                    defaults to pgx and mizzle only ('/lib=(pgx|mizzle)$')
#
# Needs go and PostgreSQL's initdb and pg_ctl (on PATH or in
# /usr/lib/postgresql/*/bin). As root, which PostgreSQL refuses to run as,
# the cluster runs as the postgres user.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

ROUNDS=${ROUNDS:-10}
POOLER=${POOLER:-0}
if [ "$POOLER" = 1 ]; then
	BENCH=${BENCH:-'/lib=(pgx|mizzle)$'}
fi
BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-1s}
PROFILE=${PROFILE:-0}
OUT=${OUT:-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$here/../cluster.sh"

if [ -z "${MIZZLE_BENCH_DATABASE_URL:-}" ]; then
	# The cluster lives in memory (/dev/shm) where there is one: with the
	# disk out of the way, what differs between libraries is their own work,
	# and a shared machine's disk is a large source of noise.
	base=${TMPDIR:-/tmp}
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		base=/dev/shm
	fi
	cluster_scratch query "$base"

	echo "== initdb and start a cluster"
	# --no-sync: the cluster is thrown away, and initdb's fsyncs are slow.
	# Durability off (as the project's test clusters run): a commit would
	# otherwise wait for the disk, which adds the same time to every
	# library and hides the client-side cost this benchmark is about.
	cluster_start --no-sync -- -c fsync=off -c synchronous_commit=off -c full_page_writes=off
	export MIZZLE_BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	if [ "$POOLER" = 1 ]; then
		echo "== pgbouncer in transaction mode in front of it"
		pooler_start
		export MIZZLE_BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$pooler_port/postgres?sslmode=disable&default_query_exec_mode=cache_describe"
	fi
fi

echo "== compiling the benchmarks"
go test -c -o "$OUT/bench.test" .

echo "== $ROUNDS rounds of -bench '$BENCH' -benchtime $BENCHTIME"
: >"$OUT/bench.txt"
r=1
while [ $r -le "$ROUNDS" ]; do
	echo "-- round $r"
	# Run in this directory, as go test would. -test.v=test2json is not
	# wanted: plain output is what benchstat reads.
	"$OUT/bench.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem \
		-test.benchtime "$BENCHTIME" -test.count 1 | tee -a "$OUT/bench.txt"
	r=$((r + 1))
done

if [ "$ROUNDS" -gt 0 ]; then
	echo "== benchstat"
	# A table per unit, a row per benchmark, a column per library, each
	# compared with the first column, pgx.
	go tool benchstat -row .name -col /lib "$OUT/bench.txt" | tee "$OUT/benchstat.txt"
	echo "== time against pgx, paired by round"
	# benchstat compares medians of all rounds; on a shared machine whose
	# load drifts, the ratio within each round is the steadier figure.
	awk -f "$here/ratios.awk" "$OUT/bench.txt" | tee "$OUT/ratios.txt"
fi

if [ "$PROFILE" = 1 ]; then
	# Profiles of one benchmark and library at a time, so that each holds
	# one kind of operation. The untimed setup (TRUNCATE, COPY, VACUUM)
	# runs in the same process: leave it out with pprof's -focus on the
	# benchmark's function. For example:
	#   go tool pprof -top -sample_index=alloc_objects -focus 'BenchmarkUpdateByKey' \
	#     out/bench.test out/mem-UpdateByKey-mizzle.prof
	echo "== profiles in $OUT"
	for b in GetByKey Select100 InsertOne InsertMany10000 UpdateByKey; do
		for lib in pgx mizzle; do
			run=("$OUT/bench.test" -test.run '^$' -test.bench "^Benchmark$b\$/^lib=$lib\$"
				-test.benchmem -test.benchtime "$BENCHTIME" -test.count 1)
			# CPU and allocations in separate runs: recording every
			# allocation (-memprofilerate 1) slows the run and would skew
			# the CPU profile.
			"${run[@]}" -test.cpuprofile "$OUT/cpu-$b-$lib.prof" | grep '^Benchmark' || true
			"${run[@]}" -test.memprofilerate 1 -test.memprofile "$OUT/mem-$b-$lib.prof" >/dev/null
		done
	done
fi
