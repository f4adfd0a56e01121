#!/usr/bin/env bash
# Side-by-side benchmark of `mizzle generate` and `drizzle-kit generate`.
#
# Both tools get the same N-table schema (gen/main.go writes it in both
# grammars) and are timed three times:
#
#   first   an empty migrations folder and the whole schema (v1): the
#           migration that creates every table;
#   second  a folder holding v1's migration and a schema (v2) in which 10% of
#           the tables changed: a new column, a wider varchar or a new index;
#   no-op   a folder holding v1's migration and the same schema (v1): what
#           go generate does most of the time. mizzle runs it twice, with its
#           model cache and no-op memo filled by an earlier run (each run's
#           folder is a fresh copy with the same content, so the memo
#           answers) and with --no-cache.
#
# mizzle's first and second runs start from an empty model cache, as the
# first generate in a project does. The no-op cases take turns within each
# round, so that load changes on a shared machine fall on all of them, and
# their ratios are also taken round by round (the "paired" figures).
#
# Usage: bench/drizzle/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   N=1000       tables
#   RUNS=10      timed runs per case (hyperfine --runs)
#   WARMUP=2     untimed runs before them
#   RSS_RUNS=5   runs under /usr/bin/time for the peak memory and CPU time
#   KEEP=1       keep the scratch directory (printed) instead of removing it
#
# Needs go, node and npm. Times come from hyperfine when it is installed;
# peak memory from GNU time (/usr/bin/time). When either is missing and the
# script runs as root on Debian or Ubuntu, it installs it with apt-get;
# without hyperfine it falls back to timing with /usr/bin/time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
root=$(cd "$here/../.." && pwd)

# check_migration DIR IDX: fails unless DIR holds migration number IDX
# (e.g. 0000) as its last: a non-empty NNNN_*.sql file and its snapshot,
# and IDX+1 SQL files in all (a no-op must have written none). drizzle-kit
# reports most errors and still exits 0, so an exit status proves nothing.
check_migration() {
	set -- "$1" "$2" "$(ls "$1/$2"_*.sql 2>/dev/null | wc -l)" "$(ls "$1"/*.sql 2>/dev/null | wc -l)"
	if [ "$3" -ne 1 ] || [ ! -s "$(ls "$1/$2"_*.sql)" ] || [ ! -s "$1/meta/$2_snapshot.json" ] || [ "$4" -ne $((10#$2 + 1)) ]; then
		echo "run.sh: $1 does not hold migration $2 as its last: the tool wrote none, or one too many (KEEP=1 keeps the scratch directory)" >&2
		exit 1
	fi
}

# `run.sh --reset OUT BASE IDX` is hyperfine's --prepare: it checks the
# previous run's output, if any, then puts back the migrations folder a run
# starts from (a copy of BASE, or nothing when BASE is "-"), and empties
# mizzle's model cache when the run wants it cold (MIZZLE_CACHE_COLD=1).
# Checking here means every timed run is checked, outside its timing, and one
# that wrote nothing stops the benchmark.
if [ "${1-}" = --reset ]; then
	out=$2 base=$3 idx=$4
	if [ -e "$out" ]; then
		check_migration "$out" "$idx"
		rm -rf "$out"
	fi
	if [ "${MIZZLE_CACHE_COLD-}" = 1 ]; then
		rm -rf "$MIZZLE_CACHE"
	fi
	if [ "$base" != - ]; then
		cp -R "$base" "$out"
	fi
	exit 0
fi

N=${N:-1000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
RSS_RUNS=${RSS_RUNS:-5}

# need_tool CMD PACKAGE: makes sure CMD exists, installing PACKAGE when we
# may; returns 1 when CMD is still missing.
need_tool() {
	if command -v "$1" >/dev/null 2>&1; then
		return 0
	fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "== installing $2 (apt-get)"
		# An out-of-date package list is the usual reason for a failure.
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" </dev/null >/dev/null 2>&1 ||
			{ apt-get update -q </dev/null >/dev/null &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" </dev/null >/dev/null; } || true
	fi
	command -v "$1" >/dev/null 2>&1
}

if ! need_tool /usr/bin/time time; then
	echo "run.sh: GNU time (/usr/bin/time) is needed for peak memory; install the 'time' package" >&2
	exit 1
fi
have_hyperfine=yes
need_tool hyperfine hyperfine || have_hyperfine=no

work=$(mktemp -d "${TMPDIR:-/tmp}/mizzle-bench.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
	echo "== scratch directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi

echo "== npm ci"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
drizzle_kit="$here/node_modules/.bin/drizzle-kit"

# Build mizzle once, so that no timed run pays for a compile. (drizzle-kit
# starts node and bundles the TypeScript schema in every run: that is its
# real cost, and it stays in.)
echo "== go build ./cmd/mizzle"
(cd "$root" && go build -o "$work/bin/mizzle" ./cmd/mizzle)
mizzle="$work/bin/mizzle"

echo "== writing $N tables, v1 and v2, in both grammars"
(cd "$here" && go run ./gen -n "$N" -out "$work" -mizzle "$root")
# The TypeScript schema imports drizzle-orm, which node finds by walking up
# from the schema's directory.
ln -s "$here/node_modules" "$work/drizzle/node_modules"

# The cases. Each runs in its tool's directory: drizzle-kit reads the
# config's paths relative to the working directory. The base folders that
# "second" and the no-op start from are made below.
cases="mizzle-first drizzle-first mizzle-second drizzle-second"
noop_cases="mizzle-noop mizzle-nocache drizzle-noop"
case_dir() { case $1 in mizzle-*) echo "$work/mizzle" ;; *) echo "$work/drizzle" ;; esac; }
# set_cache CASE: mizzle's model cache for CASE, in the scratch directory:
# one that every run of first and second empties, and one that the no-op
# keeps.
set_cache() {
	case $1 in
	*-first | *-second) export MIZZLE_CACHE="$work/cache-cold" MIZZLE_CACHE_COLD=1 ;;
	*) export MIZZLE_CACHE="$work/cache-warm" MIZZLE_CACHE_COLD=0 ;;
	esac
}
# set_cmd CASE: sets the array cmd to the command that CASE times.
set_cmd() {
	case $1 in
	mizzle-first) cmd=("$mizzle" generate --schema v1 --migrations first) ;;
	mizzle-second) cmd=("$mizzle" generate --schema v2 --migrations second) ;;
	drizzle-first) cmd=("$drizzle_kit" generate --config first.config.ts) ;;
	drizzle-second) cmd=("$drizzle_kit" generate --config second.config.ts) ;;
	mizzle-noop) cmd=("$mizzle" generate --schema v1 --migrations noop) ;;
	mizzle-nocache) cmd=("$mizzle" generate --no-cache --schema v1 --migrations noop) ;;
	drizzle-noop) cmd=("$drizzle_kit" generate --config noop.config.ts) ;;
	esac
}
case_out() { case $1 in *-first) echo first ;; *-second) echo second ;; *) echo noop ;; esac; }
case_base() { case $1 in *-first) echo - ;; *) echo base ;; esac; }
case_idx() { case $1 in *-second) echo 0001 ;; *) echo 0000 ;; esac; }

# run_once CASE [PREFIX...]: one run of CASE from a fresh folder, checked;
# PREFIX is a command to run it under (/usr/bin/time). The tool's output
# goes to $work/CASE.log, and is shown when it fails; stdin is /dev/null so
# that neither tool could wait for an answer. With TIMES=FILE, the run's
# wall time in seconds is appended to FILE (bash's clock: no process is
# started to read it).
run_once() {
	c=$1
	shift
	(
		cd "$(case_dir "$c")"
		set_cache "$c"
		bash "$self" --reset "$(case_out "$c")" "$(case_base "$c")" "$(case_idx "$c")"
		set_cmd "$c"
		t0=$EPOCHREALTIME
		if ! "$@" "${cmd[@]}" </dev/null >"$work/$c.log" 2>&1; then
			cat "$work/$c.log" >&2
			echo "run.sh: $c failed" >&2
			exit 1
		fi
		t1=$EPOCHREALTIME
		if [ -n "${TIMES-}" ]; then
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$TIMES"
		fi
		if ! (check_migration "$(case_out "$c")" "$(case_idx "$c")"); then
			cat "$work/$c.log" >&2
			exit 1
		fi
	)
}

# statements FILE: the number of SQL statements in a migration.
statements() { grep -c -- '--> statement-breakpoint' "$1" | awk '{print $1 + 1}'; }

# One untimed run of each case, which also warms the go build cache (as
# from mizzle's second run in a project on) and makes the base folders.
echo "== one checked run of each case"
for tool in mizzle drizzle; do
	run_once "$tool-first"
	d=$(case_dir "$tool-first")
	rm -rf "$d/base"
	cp -R "$d/first" "$d/base"
	run_once "$tool-second"
done
for c in $noop_cases; do
	run_once "$c" # for mizzle-noop, this fills the model cache
done
# Both tools must have done the same work: every table created, as many
# statements as the other tool (for each table: CREATE TABLE, its foreign
# key and its index), and then one statement per changed table.
for tool in mizzle drizzle; do
	d=$(case_dir "$tool-first")
	tables=$(grep -c '^CREATE TABLE' "$d/first/"0000_*.sql || true)
	created=$(statements "$(ls "$d/first/"0000_*.sql)")
	changed=$(statements "$(ls "$d/second/"0001_*.sql)")
	echo "   $tool: first creates $tables tables in $created statements; second has $changed statements"
	if [ "$tables" -ne "$N" ] || [ "$changed" -ne $(((N + 9) / 10)) ]; then
		echo "run.sh: $tool: want $N tables and $(((N + 9) / 10)) statements in second; see $d" >&2
		exit 1
	fi
	eval "created_$tool=$created"
done
if [ "$created_mizzle" -ne "$created_drizzle" ]; then
	echo "run.sh: the first migrations differ in their number of statements" >&2
	exit 1
fi

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# rusage CASE: the median peak memory and CPU time of RSS_RUNS runs of CASE.
# GNU time's %M is the peak resident set of the largest process in the run
# (for mizzle, itself or the go command it starts), in KiB. The CPU time
# (user + system, the go command's included) is a steadier figure than the
# wall time on a shared machine.
rusage() {
	echo "== peak memory and CPU time of $1 ($RSS_RUNS runs)"
	rm -f "$work/$1.rusage"
	i=0
	while [ $i -lt "$RSS_RUNS" ]; do
		run_once "$1" /usr/bin/time -f '%M %U %S' -a -o "$work/$1.rusage"
		i=$((i + 1))
	done
	awk '{printf "%.0f\n", $1 / 1024}' "$work/$1.rusage" | median >"$work/$1.mib"
	awk '{print $2 + $3}' "$work/$1.rusage" | median >"$work/$1.cpu"
}

for c in $cases; do
	rm -rf "$(case_dir "$c")/$(case_out "$c")"
	if [ "$have_hyperfine" = yes ]; then
		echo "== timing $c (hyperfine, $RUNS runs)"
		set_cmd "$c"
		(
			cd "$(case_dir "$c")"
			set_cache "$c"
			hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
				--prepare "$(printf '%q ' bash "$self" --reset "$(case_out "$c")" "$(case_base "$c")" "$(case_idx "$c")")" \
				--export-json "$work/$c.json" "$(printf '%q ' "${cmd[@]}")"
			# The last run has no next --prepare to check it.
			check_migration "$(case_out "$c")" "$(case_idx "$c")"
		)
		node -e 'console.log(require(process.argv[1]).results[0].median)' "$work/$c.json" >"$work/$c.time"
	else
		echo "== timing $c (/usr/bin/time, $RUNS runs; hyperfine not installed)"
		i=0
		while [ $i -lt "$WARMUP" ]; do run_once "$c"; i=$((i + 1)); done
		i=0
		while [ $i -lt "$RUNS" ]; do
			run_once "$c" /usr/bin/time -f %e -a -o "$work/$c.times"
			i=$((i + 1))
		done
		median <"$work/$c.times" >"$work/$c.time"
	fi

	rusage "$c"
done

# The no-op cases: after WARMUP untimed runs of each, RUNS rounds in which
# each case runs once, in an order that rotates from round to round.
echo "== timing the no-op cases ($RUNS rounds, taking turns)"
for c in $noop_cases; do
	i=0
	while [ $i -lt "$WARMUP" ]; do run_once "$c"; i=$((i + 1)); done
	rm -f "$work/$c.times"
done
r=0
while [ $r -lt "$RUNS" ]; do
	set -- $noop_cases
	k=0
	while [ $k -lt $((r % $#)) ]; do
		first_case=$1
		shift
		set -- "$@" "$first_case"
		k=$((k + 1))
	done
	for c in "$@"; do
		TIMES="$work/$c.times" run_once "$c"
	done
	r=$((r + 1))
done
for c in $noop_cases; do
	median <"$work/$c.times" >"$work/$c.time"
	rusage "$c"
done
# paired CASE OTHER: the median over rounds of OTHER's time divided by
# CASE's in the same round.
paired() { paste "$work/$1.times" "$work/$2.times" | awk '{print $2 / $1}' | median; }

# row LABEL MIZZLE DRIZZLE: the rows of the results (time, CPU, memory) of
# the two cases.
row() {
	awk -v label="$1" \
		-v mt="$(cat "$work/$2.time")" -v dt="$(cat "$work/$3.time")" \
		-v mm="$(cat "$work/$2.mib")" -v dm="$(cat "$work/$3.mib")" \
		-v mc="$(cat "$work/$2.cpu")" -v dc="$(cat "$work/$3.cpu")" '
		function line(what, m, d, r) { printf "| %-40s | %9s | %11s | %20s |\n", label ", " what, m, d, r }
		BEGIN {
			line("time (median)", sprintf("%.3f s", mt), sprintf("%.3f s", dt), sprintf("%.1f×", dt / mt))
			line("CPU, user+sys (median)", sprintf("%.2f s", mc), sprintf("%.2f s", dc), sprintf("%.1f×", dc / mc))
			line("peak RSS (median)", mm " MiB", dm " MiB", sprintf("%.1f×", dm / mm))
		}'
}

echo
echo "== results: $N tables; $(nproc) CPUs; $(go version | cut -d' ' -f3-); node $(node --version);" \
	"drizzle-kit $(node -p 'require(process.argv[1]).version' "$here/node_modules/drizzle-kit/package.json")," \
	"drizzle-orm $(node -p 'require(process.argv[1]).version' "$here/node_modules/drizzle-orm/package.json")"
echo "first: empty migrations folder, all tables; second: v1's migration, 10% of the tables changed;"
echo "no-op: v1's migration and v1 (mizzle's model cache and no-op memo filled, and --no-cache)"
echo
printf '| %-40s | %9s | %11s | %20s |\n' "generate, $N tables" mizzle drizzle-kit "drizzle-kit / mizzle"
printf '|%s|%s|%s|%s|\n' "------------------------------------------" "----------:" "------------:" "---------------------:"
row first mizzle-first drizzle-first
row second mizzle-second drizzle-second
row no-op mizzle-noop drizzle-noop
row "no-op --no-cache" mizzle-nocache drizzle-noop
printf '| %-40s | %9s | %11s | %20s |\n' "no-op, paired ratio (median of $RUNS)" "" "" "$(printf '%.1f×' "$(paired mizzle-noop drizzle-noop)")"
printf '| %-40s | %9s | %11s | %20s |\n' "no-op --no-cache, paired ratio" "" "" "$(printf '%.1f×' "$(paired mizzle-nocache drizzle-noop)")"
printf '| %-40s | %9s | %11s | %20s |\n' "no-op: --no-cache / cache, paired" "" "" "$(printf '%.1f×' "$(paired mizzle-noop mizzle-nocache)")"
