#!/usr/bin/env bash
# Benchmark of `mizzle migrate` against psql on the same SQL.
#
# Writes N small migrations (each a CREATE TABLE and an INSERT, with a
# statement breakpoint between them, as generate writes them) and applies
# them to an empty database of a throwaway cluster in three ways:
#
#   psql-single   psql --single-transaction -f all.sql: the files
#                 concatenated, one transaction for everything, no history;
#   psql-each     psql -f each.sql: the same, with every migration wrapped
#                 in BEGIN/COMMIT, so as many transactions as mizzle;
#   mizzle        mizzle migrate: a transaction per migration with its
#                 history row, statement by statement, under the lock.
#
# Each run starts from an empty database (not timed) and is checked
# afterwards: N tables, and for mizzle N history rows.
# Everything is timed twice: with the server's default durability
# (synchronous_commit = on, fsync = on: every commit waits for the disk)
# and with synchronous_commit = off, which takes the disk out of the
# commits and leaves the work of the client and the server.
#
# Usage: bench/migrate/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   N=1000     migrations
#   RUNS=10    timed rounds per mode (a round runs each command once)
#   WARMUP=1   untimed rounds before them
#   KEEP=1     keep the scratch directory (printed) instead of removing it
#
# Needs go and PostgreSQL's initdb, pg_ctl and psql (on PATH or
# in /usr/lib/postgresql/*/bin). As root, which PostgreSQL refuses to run
# as, the cluster runs as the postgres user.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

N=${N:-1000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}

. "$here/../cluster.sh"
cluster_scratch migrate
psql=$(pgbin psql)

echo "== go build ./cmd/mizzle"
mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/mizzle" ./cmd/mizzle)
mizzle="$work/bin/mizzle"

echo "== initdb and start a cluster"
cluster_start
admin="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
url="postgres://postgres@127.0.0.1:$port/bench?sslmode=disable"

echo "== writing $N migrations"
mig="$work/migrations"
mkdir -p "$mig/meta"
{
	printf '{\n  "version": "7",\n  "dialect": "postgresql",\n  "entries": [\n'
	i=0
	while [ $i -lt "$N" ]; do
		tag=$(printf '%04d_t%d' $i $i)
		printf 'CREATE TABLE "t%d" (\n\t"id" bigint PRIMARY KEY NOT NULL,\n\t"name" text NOT NULL\n);\n--> statement-breakpoint\nINSERT INTO "t%d" ("id", "name") VALUES (1, '\''a'\'');\n' \
			$i $i >"$mig/$tag.sql"
		sep=,
		if [ $i -eq $((N - 1)) ]; then sep=; fi
		printf '    {\n      "idx": %d,\n      "version": "7",\n      "when": %d,\n      "tag": "%s",\n      "breakpoints": true\n    }%s\n' \
			$i $((1767225600000 + i)) "$tag" "$sep"
		i=$((i + 1))
	done
	printf '  ]\n}\n'
} >"$mig/meta/_journal.json"
# The same SQL for psql, in journal order: concatenated, and each file in
# its own transaction. The breakpoints are comments to psql.
for f in "$mig"/*.sql; do cat "$f"; done >"$work/all.sql"
for f in "$mig"/*.sql; do printf 'BEGIN;\n'; cat "$f"; printf 'COMMIT;\n'; done >"$work/each.sql"

# Emptying the database, and checking a run.
cat >"$work/reset.sh" <<EOF
#!/bin/sh
PGOPTIONS='-c client_min_messages=warning' exec "$psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'
EOF
cat >"$work/check.sh" <<EOF
#!/bin/sh
# check.sh HISTORY: the last run created $N tables with a row each, and
# HISTORY (yes or no) says whether it recorded $N migrations.
set -e
got=\$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
rows=\$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" -c "SELECT count(*) FROM \"t$((N - 1))\"")
history=0
if [ "\$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" -c "SELECT to_regclass('mizzle.__mizzle_migrations') IS NOT NULL")" = t ]; then
	history=\$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" -c "SELECT count(*) FROM mizzle.__mizzle_migrations")
fi
want=0
if [ "\$1" = yes ]; then want=$N; fi
if [ "\$got" != $N ] || [ "\$rows" != 1 ] || [ "\$history" != "\$want" ]; then
	echo "check.sh: \$got tables, \$rows rows in the last, \$history history rows; want $N, 1, \$want" >&2
	exit 1
fi
EOF
chmod +x "$work/reset.sh" "$work/check.sh"

cd "$work"
# run_cmd NAME: runs one of the three commands on the bench database.
run_cmd() {
	case $1 in
	psql-single) "$psql" -X -q -v ON_ERROR_STOP=1 --single-transaction -f all.sql -d "$url" ;;
	psql-each) "$psql" -X -q -v ON_ERROR_STOP=1 -f each.sql -d "$url" ;;
	mizzle) "$mizzle" migrate --database-url "$url" --migrations migrations ;;
	esac
}
history_of() { case $1 in mizzle) echo yes ;; *) echo no ;; esac; }
commands="psql-single psql-each mizzle"

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# The commands take turns, one run each per round, in an order that
# rotates from round to round: on a shared machine the load drifts, and
# timing one command's runs after the other's would put the drift between
# them. Each run starts from an empty database and a checkpoint, and is
# checked after it is timed.
for mode in on off; do
	"$psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "ALTER SYSTEM SET synchronous_commit = $mode" -c 'SELECT pg_reload_conf()' >/dev/null
	echo "== timing, synchronous_commit = $mode: $WARMUP warm-up and $RUNS timed rounds"
	r=0
	while [ $r -lt $((WARMUP + RUNS)) ]; do
		case $((r % 3)) in
		0) order="psql-single psql-each mizzle" ;;
		1) order="psql-each mizzle psql-single" ;;
		2) order="mizzle psql-single psql-each" ;;
		esac
		for c in $order; do
			./reset.sh
			"$psql" -X -q -d "$admin" -c CHECKPOINT
			t0=$(date +%s%N)
			run_cmd "$c" >"$work/$c.log" 2>&1 || {
				cat "$work/$c.log" >&2
				echo "run.sh: $c failed" >&2
				exit 1
			}
			t1=$(date +%s%N)
			./check.sh "$(history_of "$c")"
			if [ $r -ge "$WARMUP" ]; then
				echo "$(((t1 - t0) / 1000))" >>"$work/$c-$mode.us"
			fi
		done
		r=$((r + 1))
	done
	for c in $commands; do
		awk '{print $1 / 1e6}' "$work/$c-$mode.us" | median >"$work/$c-$mode.time"
		awk '{print $1 / 1e6}' "$work/$c-$mode.us" | sort -g | sed -n '1p;$p' | paste -sd' ' >"$work/$c-$mode.range"
	done
done

echo
echo "== results: $N migrations; $RUNS rounds; $(nproc) CPUs; $(go version | cut -d' ' -f3-); $("$psql" --version)"
printf '| %s | %s | %s | %s | %s | %s |\n' "synchronous_commit" "command" "median" "min–max" "per migration" "mizzle's overhead per migration"
printf '|%s|%s|%s|%s|%s|%s|\n' "---" "---" "---:" "---:" "---:" "---:"
for mode in on off; do
	m=$(cat "$work/mizzle-$mode.time")
	for c in $commands; do
		case $c in
		psql-single) label="psql --single-transaction -f all.sql" ;;
		psql-each) label="psql -f each.sql (BEGIN/COMMIT per migration)" ;;
		mizzle) label="mizzle migrate" ;;
		esac
		awk -v mode="$mode" -v n="$N" -v label="$label" -v t="$(cat "$work/$c-$mode.time")" -v m="$m" \
			-v r="$(cat "$work/$c-$mode.range")" -v self="$([ "$c" = mizzle ] && echo 1 || echo 0)" '
			BEGIN {
				split(r, a, " ")
				printf "| %s | %s | %.3f s | %.2f–%.2f s | %.2f ms | %s |\n", mode, label, t, a[1], a[2], t * 1000 / n,
					self ? "" : sprintf("%+.2f ms", (m - t) * 1000 / n)
			}'
	done
done
echo "(median wall times; overhead = (mizzle median - psql median) / $N)"
