#!/usr/bin/env bash
# Side-by-side benchmark of `mizzle generate` and `drizzle-kit generate`.
#
# Both tools get the same N-table schema (gen/main.go writes it in both
# grammars) and are timed twice:
#
#   first   an empty migrations folder and the whole schema (v1): the
#           migration that creates every table;
#   second  a folder holding v1's migration and a schema (v2) in which 10% of
#           the tables changed: a new column, a wider varchar or a new index.
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
# (e.g. 0000): a non-empty NNNN_*.sql file and its snapshot. drizzle-kit
# reports most errors and still exits 0, so an exit status proves nothing.
check_migration() {
	set -- "$1" "$2" "$(ls "$1/$2"_*.sql 2>/dev/null | wc -l)"
	if [ "$3" -ne 1 ] || [ ! -s "$(ls "$1/$2"_*.sql)" ] || [ ! -s "$1/meta/$2_snapshot.json" ]; then
		echo "run.sh: $1 does not hold migration $2: the tool wrote none (KEEP=1 keeps the scratch directory)" >&2
		exit 1
	fi
}

# `run.sh --reset OUT BASE IDX` is hyperfine's --prepare: it checks the
# previous run's output, if any, then puts back the migrations folder a run
# starts from (a copy of BASE, or nothing when BASE is "-"). Checking here
# means every timed run is checked, outside its timing, and one that wrote
# nothing stops the benchmark.
if [ "${1-}" = --reset ]; then
	out=$2 base=$3 idx=$4
	if [ -e "$out" ]; then
		check_migration "$out" "$idx"
		rm -rf "$out"
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

# The four cases. Each runs in its tool's directory: drizzle-kit reads the
# config's paths relative to the working directory. The base folders that
# "second" starts from are made below.
cases="mizzle-first drizzle-first mizzle-second drizzle-second"
case_dir() { case $1 in mizzle-*) echo "$work/mizzle" ;; *) echo "$work/drizzle" ;; esac; }
# set_cmd CASE: sets the array cmd to the command that CASE times.
set_cmd() {
	case $1 in
	mizzle-first) cmd=("$mizzle" generate --schema v1 --migrations first) ;;
	mizzle-second) cmd=("$mizzle" generate --schema v2 --migrations second) ;;
	drizzle-first) cmd=("$drizzle_kit" generate --config first.config.ts) ;;
	drizzle-second) cmd=("$drizzle_kit" generate --config second.config.ts) ;;
	esac
}
case_out() { case $1 in *-first) echo first ;; *) echo second ;; esac; }
case_base() { case $1 in *-first) echo - ;; *) echo base ;; esac; }
case_idx() { case $1 in *-first) echo 0000 ;; *) echo 0001 ;; esac; }

# run_once CASE [PREFIX...]: one run of CASE from a fresh folder, checked;
# PREFIX is a command to run it under (/usr/bin/time). The tool's output
# goes to $work/CASE.log, and is shown when it fails; stdin is /dev/null so
# that neither tool could wait for an answer.
run_once() {
	c=$1
	shift
	(
		cd "$(case_dir "$c")"
		bash "$self" --reset "$(case_out "$c")" "$(case_base "$c")" "$(case_idx "$c")"
		set_cmd "$c"
		if ! "$@" "${cmd[@]}" </dev/null >"$work/$c.log" 2>&1; then
			cat "$work/$c.log" >&2
			echo "run.sh: $c failed" >&2
			exit 1
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

for c in $cases; do
	rm -rf "$(case_dir "$c")/$(case_out "$c")"
	if [ "$have_hyperfine" = yes ]; then
		echo "== timing $c (hyperfine, $RUNS runs)"
		set_cmd "$c"
		(
			cd "$(case_dir "$c")"
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

	# GNU time's %M is the peak resident set of the largest process in the
	# run (for mizzle, itself or the go command it starts), in KiB. The CPU
	# time (user + system, the go command's included) is a steadier figure
	# than the wall time on a shared machine.
	echo "== peak memory and CPU time of $c ($RSS_RUNS runs)"
	i=0
	while [ $i -lt "$RSS_RUNS" ]; do
		run_once "$c" /usr/bin/time -f '%M %U %S' -a -o "$work/$c.rusage"
		i=$((i + 1))
	done
	awk '{printf "%.0f\n", $1 / 1024}' "$work/$c.rusage" | median >"$work/$c.mib"
	awk '{print $2 + $3}' "$work/$c.rusage" | median >"$work/$c.cpu"
done

# row LABEL CASE: the rows of the results (time, CPU, memory) of both tools
# for CASE (first or second).
row() {
	awk -v label="$1" \
		-v mt="$(cat "$work/mizzle-$2.time")" -v dt="$(cat "$work/drizzle-$2.time")" \
		-v mm="$(cat "$work/mizzle-$2.mib")" -v dm="$(cat "$work/drizzle-$2.mib")" \
		-v mc="$(cat "$work/mizzle-$2.cpu")" -v dc="$(cat "$work/drizzle-$2.cpu")" '
		function line(what, m, d, r) { printf "| %-30s | %9s | %11s | %20s |\n", label ", " what, m, d, r }
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
echo "first: empty migrations folder, all tables; second: v1's migration, 10% of the tables changed"
echo
printf '| %-30s | %9s | %11s | %20s |\n' "generate, $N tables" mizzle drizzle-kit "drizzle-kit / mizzle"
printf '|%s|%s|%s|%s|\n' "--------------------------------" "----------:" "------------:" "---------------------:"
row first first
row second second
