#!/usr/bin/env bash
# Side-by-side benchmark of a push that has nothing to do, and of pull:
# `mizzle push`, `mizzle pull` and `drizzle-kit push`, each against a
# database that already holds the schema.
#
# For each size N (100 and 1,000 tables by default, for the growth from
# one to the other), gen/main.go writes the same N-table schema for both
# tools (v1; see run.sh), and a database of a throwaway cluster is created
# from it with `mizzle generate` and `mizzle migrate`. Then, with no change
# in between:
#
#   mizzle push    mizzle push --schema v1: must print that there is
#                  nothing to push;
#   mizzle pull    mizzle pull into fresh folders (schema and migrations),
#                  which must hold the N tables;
#   drizzle-kit    drizzle-kit push with the TypeScript v1 schema and the
#                  database's URL: must report no changes.
#
# mizzle's commands are timed with hyperfine; drizzle-kit push, which takes
# minutes at 1,000 tables, with GNU time, DRIZZLE_RUNS times. Peak memory
# comes from GNU time. The statements each command sends are counted in
# one more, untimed, run of each with log_statement = all on the database:
# the server logs every query it receives, whichever driver sent it.
#
# Usage: bench/drizzle/push.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   SIZES="100 1000"  numbers of tables
#   RUNS=10           timed runs of each mizzle command (hyperfine --runs)
#   WARMUP=1          untimed runs before them
#   RSS_RUNS=3        runs of each mizzle command under GNU time, for the
#                     peak memory and CPU time
#   DRIZZLE_RUNS      timed runs of drizzle-kit push; by default 3 up to
#                     100 tables and 1 above (it takes minutes at 1,000)
#   KEEP=1            keep the scratch directory (printed) instead of
#                     removing it
#
# Needs go, node and npm, and PostgreSQL's initdb, pg_ctl and psql (on PATH
# or in /usr/lib/postgresql/*/bin). hyperfine and GNU time are installed
# with apt-get when missing and the script runs as root on Debian or
# Ubuntu. As root, which PostgreSQL refuses to run as, the cluster runs as
# the postgres user.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
root=$(cd "$here/../.." && pwd)

# check_pull DIR MIGRATIONS N: fails unless a pull wrote the N tables into
# DIR and the baseline migration into MIGRATIONS.
check_pull() {
	set -- "$1" "$2" "$3" "$(grep -c '^//mizzle:table ' "$1/schema.go" 2>/dev/null || true)"
	if [ "$4" != "$3" ] || [ ! -s "$2/0000_baseline.sql" ] || [ ! -s "$2/meta/0000_snapshot.json" ]; then
		echo "push.sh: the pull wrote ${4:-no} tables into $1 and no complete baseline, or not $3 tables (KEEP=1 keeps the scratch directory)" >&2
		exit 1
	fi
}

# `push.sh --reset-pull N` is hyperfine's --prepare for pull: it checks the
# previous run's folders, if any, and removes them, since pull refuses a
# migrations folder that has migrations. Every timed run is thus checked,
# outside its timing.
if [ "${1-}" = --reset-pull ]; then
	if [ -e pull ] || [ -e pull-migrations ]; then
		check_pull pull pull-migrations "$2"
	fi
	rm -rf pull pull-migrations
	exit 0
fi

SIZES=${SIZES:-100 1000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}
RSS_RUNS=${RSS_RUNS:-3}
DRIZZLE_RUNS=${DRIZZLE_RUNS:-}

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
for t in "/usr/bin/time time" "hyperfine hyperfine"; do
	set -- $t
	if ! need_tool "$1" "$2"; then
		echo "push.sh: $1 is needed; install the '$2' package" >&2
		exit 1
	fi
done

. "$here/../cluster.sh"
cluster_scratch push
psql=$(pgbin psql)

echo "== npm ci"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
drizzle_kit="$here/node_modules/.bin/drizzle-kit"

# Build mizzle once, so that no timed run pays for a compile.
echo "== go build ./cmd/mizzle"
mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/mizzle" ./cmd/mizzle)
mizzle="$work/bin/mizzle"

echo "== initdb and start a cluster"
cluster_start
admin="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
# sql ARGS...: psql on the cluster's postgres database; sql_on URL ARGS...:
# on the database URL.
sql_on() {
	u=$1
	shift
	PGOPTIONS='-c client_min_messages=warning' "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$u" "$@"
}
sql() { sql_on "$admin" "$@"; }
# Every log line starts with the time (Unix seconds, to the millisecond),
# the server process and the database, so that a command's statements can
# be told from psql's and timed. Sessions log their connection and its end.
# log_statement itself is switched on for one database at a time, for the
# counting runs only: logging costs time.
sql -c "ALTER SYSTEM SET log_line_prefix = '%n [%p] %d: '" \
	-c "ALTER SYSTEM SET log_connections = on" -c "ALTER SYSTEM SET log_disconnections = on" \
	-c "SELECT pg_reload_conf()" >/dev/null

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }

# logged DB FROM: the entries the sessions of database DB wrote to the
# server log after byte FROM (one entry a line; a statement's further
# lines, which start with a tab, are left out).
logged() {
	sleep 0.5 # a session logs its end after the client has gone
	tail -c +$(($2 + 1)) "$log" | grep -E "^[0-9.]+ \[[0-9]+\] $1: [A-Z]+:  " || true
}
# statements: the number of statements among the entries on stdin: each
# query message (simple protocol) and each execution of a prepared
# statement (extended protocol) is one. BEGIN and ROLLBACK count too.
statements() { grep -cE ': LOG:  (statement|execute [^:]*): ' || true; }
# log_from DB: every statement of new sessions of database DB logged when
# it arrives and again, with its duration, when it ends; prints where the
# log stands.
log_from() {
	sql -c "ALTER DATABASE \"$1\" SET log_statement = 'all'" \
		-c "ALTER DATABASE \"$1\" SET log_min_duration_statement = 0"
	stat -c %s "$log"
}
log_off() { sql -c "ALTER DATABASE \"$1\" RESET log_statement" -c "ALTER DATABASE \"$1\" RESET log_min_duration_statement"; }

# counted NAME DB CMD...: runs CMD once, untimed, with every statement to
# database DB logged. Leaves its output in $out/NAME.log, the log entries
# in $out/NAME.sql-log, the number of statements in $out/NAME.statements,
# and the wall clock at its start and end (for the phases) in
# $out/NAME.clock.
counted() {
	name=$1 db=$2
	shift 2
	from=$(log_from "$db")
	t0=$(now)
	"$@" </dev/null >"$out/$name.log" 2>&1 || {
		cat "$out/$name.log" >&2
		echo "push.sh: $name failed" >&2
		exit 1
	}
	t1=$(now)
	log_off "$db"
	logged "$db" "$from" >"$out/$name.sql-log"
	statements <"$out/$name.sql-log" >"$out/$name.statements"
	echo "$t0 $t1" >"$out/$name.clock"
}

# phases NAME: where the time of the counted run NAME of mizzle push went,
# from the log's timestamps (taken when the server receives a statement)
# and durations: before the connection (starting, loading the Go schema
# package, connecting); the catalog queries before the first BEGIN
# (Inspect); from that BEGIN to the end of the last ROLLBACK (Normalize:
# the schema built in a scratch schema, as one script, and read back, in a
# transaction that is rolled back); and what follows until the command
# exits (diff, output). Logging every statement slows each a little.
phases() {
	read -r t0 t1 <"$out/$1.clock"
	awk -v t0="$t0" -v t1="$t1" '
		{ ts = $1; msg = substr($0, index($0, ":  ") + 3) }
		# The duration of a statement is the next entry.
		msg ~ /^duration: / && want != "" { split(msg, d, " "); dur[want] = d[2] / 1000; want = "" }
		msg ~ /^connection authorized/ && conn == "" { conn = ts }
		msg ~ /^(statement|execute [^:]*): / && first == "" { first = ts }
		msg ~ /^statement: (begin|BEGIN)/ && begin == "" { begin = ts }
		msg ~ /^statement: CREATE SCHEMA / && script == "" { script = ts; want = "script" }
		msg ~ /^statement: (rollback|ROLLBACK)/ { rollback = ts; want = "rollback" }
		msg ~ /^(statement|execute [^:]*): / { last = ts }
		END {
			if (conn == "" || first == "" || begin == "" || rollback == "") { print "   (not found in the log)"; exit }
			printf "   before connecting (start, load the schema, connect): %.3f s\n", conn - t0
			printf "   connected to the first BEGIN (Inspect): %.3f s\n", begin - conn
			printf "   BEGIN to the end of ROLLBACK (Normalize): %.3f s\n", rollback + dur["rollback"] - begin
			if (script != "")
				printf "     of which the scratch script: %.3f s, reading it back: %.3f s, ROLLBACK: %.3f s\n",
					dur["script"], rollback - (script + dur["script"]), dur["rollback"]
			printf "   after ROLLBACK (diff, output, exit): %.3f s\n", t1 - (rollback + dur["rollback"])
			printf "   whole run (with every statement logged): %.3f s\n", t1 - t0
		}' "$out/$1.sql-log"
}

# rusage NAME CMD...: runs CMD under GNU time, appending the wall time,
# peak RSS (KiB; the largest single process, mizzle or the go command it
# starts) and CPU time to $out/NAME.rusage.
rusage() {
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -a -o "$out/$name.rusage" "$@" </dev/null >"$out/$name.log" 2>&1 || {
		cat "$out/$name.log" >&2
		echo "push.sh: $name failed" >&2
		exit 1
	}
}

# The checks of each command's output. drizzle-kit exits 0 whatever
# happened, and applies what it finds without asking when nothing is lost:
# only its output tells a no-op from a change.
nothing_pushed() {
	if [ "$(cat "$1")" != "Nothing to push: the database matches the schema." ]; then
		cat "$1" >&2
		echo "push.sh: mizzle push found something to push: the database does not match the schema" >&2
		exit 1
	fi
}
no_changes() {
	if ! grep -q 'No changes detected' "$1"; then
		tr '\r' '\n' <"$1" | grep -v 'Pulling schema' >&2
		echo "push.sh: drizzle-kit push did not report 'No changes detected'" >&2
		exit 1
	fi
}

for N in $SIZES; do
	dir="$work/n$N"
	out="$work/out$N"
	db="bench_$N"
	url="postgres://postgres@127.0.0.1:$port/$db?sslmode=disable"
	mkdir -p "$out"

	echo "== $N tables: writing the schemas (gen), creating $db with mizzle generate and migrate"
	(cd "$here" && go run ./gen -n "$N" -out "$dir" -mizzle "$root")
	# The TypeScript schema imports drizzle-orm, which node finds by
	# walking up from the schema's directory.
	ln -s "$here/node_modules" "$dir/drizzle/node_modules"
	cat >"$dir/drizzle/push.config.ts" <<EOF
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './v1/*.ts',
  dbCredentials: { url: '$url' },
});
EOF
	sql -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\""
	(
		cd "$dir/mizzle"
		"$mizzle" generate --schema v1 --migrations migrations </dev/null >"$out/generate.log" 2>&1 &&
			"$mizzle" migrate --database-url "$url" --migrations migrations </dev/null >"$out/migrate.log" 2>&1
	) || {
		cat "$out/generate.log" "$out/migrate.log" >&2 2>/dev/null || true
		echo "push.sh: creating the database failed" >&2
		exit 1
	}
	tables=$(sql_on "$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
	if [ "$tables" != "$N" ]; then
		echo "push.sh: $db has $tables tables, not $N" >&2
		exit 1
	fi
	sql_on "$url" -c "VACUUM ANALYZE"

	# The counted runs come first: drizzle-kit's also proves, before any
	# timing, that it finds nothing to change in a database that mizzle
	# created (had it found something, it would have applied it, and the
	# run stops here).
	echo "== $N tables: one counted run of each command (log_statement = all)"
	cd "$dir/mizzle"
	counted mizzle-push "$db" "$mizzle" push --schema v1 --database-url "$url"
	nothing_pushed "$out/mizzle-push.log"
	rm -rf pull pull-migrations
	counted mizzle-pull "$db" "$mizzle" pull --database-url "$url" --out pull --migrations pull-migrations
	check_pull pull pull-migrations "$N"
	cd "$dir/drizzle"
	counted drizzle-push "$db" "$drizzle_kit" push --config push.config.ts
	no_changes "$out/drizzle-push.log"
	for c in mizzle-push mizzle-pull drizzle-push; do
		echo "   $c: $(cat "$out/$c.statements") statements in $(awk '{printf "%.3f", $2 - $1}' "$out/$c.clock") s"
	done
	echo "   where the time of mizzle push went:"
	phases mizzle-push

	echo "== $N tables: timing mizzle push and pull (hyperfine, $RUNS runs)"
	cd "$dir/mizzle"
	hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$out/mizzle-push.json" \
		"$(printf '%q ' "$mizzle" push --schema v1 --database-url "$url")"
	hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
		--prepare "$(printf '%q ' bash "$self" --reset-pull "$N")" \
		--export-json "$out/mizzle-pull.json" \
		"$(printf '%q ' "$mizzle" pull --database-url "$url" --out pull --migrations pull-migrations)"
	# The last run has no next --prepare to check it.
	check_pull pull pull-migrations "$N"
	for c in mizzle-push mizzle-pull; do
		node -e 'const r = require(process.argv[1]).results[0]; console.log(r.median, Math.min(...r.times), Math.max(...r.times))' \
			"$out/$c.json" >"$out/$c.time"
	done

	echo "== $N tables: peak memory and CPU time of mizzle push and pull ($RSS_RUNS runs each)"
	i=0
	while [ $i -lt "$RSS_RUNS" ]; do
		rusage mizzle-push "$mizzle" push --schema v1 --database-url "$url"
		nothing_pushed "$out/mizzle-push.log"
		rm -rf pull pull-migrations
		rusage mizzle-pull "$mizzle" pull --database-url "$url" --out pull --migrations pull-migrations
		check_pull pull pull-migrations "$N"
		i=$((i + 1))
	done

	runs=$DRIZZLE_RUNS
	if [ -z "$runs" ]; then
		runs=1
		if [ "$N" -le 100 ]; then runs=3; fi
	fi
	echo "$runs" >"$out/drizzle-push.runs"
	echo "== $N tables: timing drizzle-kit push (GNU time, $runs runs)"
	cd "$dir/drizzle"
	i=0
	while [ $i -lt "$runs" ]; do
		rusage drizzle-push "$drizzle_kit" push --config push.config.ts
		no_changes "$out/drizzle-push.log"
		echo "   $(tail -1 "$out/drizzle-push.rusage" | cut -d' ' -f1) s"
		i=$((i + 1))
	done
	awk '{print $1}' "$out/drizzle-push.rusage" | median >"$out/drizzle-push.median"
	awk '{print $1}' "$out/drizzle-push.rusage" | sort -g | sed -n '1p;$p' | paste -sd' ' >"$out/drizzle-push.range"
	echo "$(cat "$out/drizzle-push.median") $(cat "$out/drizzle-push.range")" >"$out/drizzle-push.time"

	# Both tools agree to the end that there was nothing to do: drizzle-kit
	# changed nothing that mizzle would see.
	cd "$dir/mizzle"
	"$mizzle" push --schema v1 --database-url "$url" </dev/null >"$out/mizzle-push.log" 2>&1
	nothing_pushed "$out/mizzle-push.log"
	for c in mizzle-push mizzle-pull drizzle-push; do
		awk '{printf "%.0f\n", $2 / 1024}' "$out/$c.rusage" | median >"$out/$c.mib"
		awk '{print $3 + $4}' "$out/$c.rusage" | median >"$out/$c.cpu"
	done
	cd "$work"
	sql -c "DROP DATABASE \"$db\""
done

echo
echo "== results: $(nproc) CPUs; $(go version | cut -d' ' -f3-); $("$psql" --version);" \
	"node $(node --version); drizzle-kit $(node -p 'require(process.argv[1]).version' "$here/node_modules/drizzle-kit/package.json")," \
	"pg $(node -p 'require(process.argv[1]).version' "$here/node_modules/pg/package.json")"
echo "mizzle: hyperfine median and range of $RUNS runs; drizzle-kit: median and range of runs" \
	"($(for N in $SIZES; do echo "$(cat "$work/out$N/drizzle-push.runs") at $N tables"; done | paste -sd, | sed 's/,/, /g'))."
echo "CPU (user + sys) and peak RSS: medians of $RSS_RUNS runs for mizzle, of the timed runs for drizzle-kit."
echo "statements: what the server received in one more run, with log_statement = all."
echo
printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "no changes" tables "time (median)" "min–max" "CPU, user+sys" "peak RSS" statements "drizzle-kit push ÷ this"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
for c in mizzle-push mizzle-pull drizzle-push; do
	for N in $SIZES; do
		o="$work/out$N"
		case $c in
		mizzle-push) label="mizzle push" ;;
		mizzle-pull) label="mizzle pull" ;;
		drizzle-push) label="drizzle-kit push" ;;
		esac
		read -r t lo hi <"$o/$c.time"
		read -r d _ <"$o/drizzle-push.time"
		awk -v label="$label" -v n="$N" -v t="$t" -v lo="$lo" -v hi="$hi" -v d="$d" \
			-v cpu="$(cat "$o/$c.cpu")" -v mib="$(cat "$o/$c.mib")" -v st="$(cat "$o/$c.statements")" \
			-v self="$([ "$c" = drizzle-push ] && echo 1 || echo 0)" '
			BEGIN {
				printf "| %s | %d | %.3f s | %.3f–%.3f s | %.2f s | %d MiB | %d | %s |\n", label, n, t, lo, hi, cpu, mib, st,
					self ? "" : sprintf("%.0f×", d / t)
			}'
	done
done
# Growth from the smallest size to the largest, for the linearity claim.
set -- $SIZES
if [ $# -ge 2 ]; then
	small=$1
	eval "large=\${$#}"
	echo
	echo "growth from $small to $large tables ($((large / small))× the tables):"
	for c in mizzle-push mizzle-pull drizzle-push; do
		read -r ts _ <"$work/out$small/$c.time"
		read -r tl _ <"$work/out$large/$c.time"
		awk -v c="$c" -v ts="$ts" -v tl="$tl" -v ss="$(cat "$work/out$small/$c.statements")" -v sl="$(cat "$work/out$large/$c.statements")" \
			'BEGIN { printf "   %s: time %.1f×, statements %d → %d\n", c, tl / ts, ss, sl }'
	done
fi
