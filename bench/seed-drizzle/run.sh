#!/usr/bin/env bash
# Seeding benchmark: `mizzle seed` against drizzle-seed (seed.mjs, npm,
# pinned in package.json) on the same schema (the trading example's,
# scaled: 10,000 models and 990,000 orders by default) in one throwaway
# PostgreSQL cluster.
#
# The tables are created once by `mizzle migrate` from the example's
# migrations. Each round runs both tools, each emptying the tables first
# (mizzle seed --reset; drizzle-seed's reset), in turns: odd rounds mizzle
# first, even rounds drizzle-seed first, so that a drift of the shared
# machine's load falls on both alike. Each run is timed from outside, whole
# (process start, schema loading, reset, generation, load, commit), and
# checked afterwards: the two tables must hold the rows asked for. The
# script prints each run, the medians and the ratio drizzle-seed ÷ mizzle.
#
# Usage: bench/seed-drizzle/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment:
#   ROUNDS=3        rounds
#   MODELS=10000    rows of "Models"
#   ORDERS=990000   rows of "Orders"
#   OUT=out         where the results go (relative to this directory unless
#                   absolute): runs.txt
#   KEEP=1          keep the cluster's scratch directory (printed)
#
# Needs go, node and npm, and PostgreSQL's initdb, pg_ctl and psql (on PATH
# or in /usr/lib/postgresql/*/bin). As root the cluster runs as the postgres
# user.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

ROUNDS=${ROUNDS:-3}
MODELS=${MODELS:-10000}
ORDERS=${ORDERS:-990000}
OUT=${OUT:-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$here/../cluster.sh"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error >/dev/null

base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	base=/dev/shm
fi
cluster_scratch seed "$base"
echo "== initdb and start a cluster"
cluster_start --no-sync -- -c fsync=off -c synchronous_commit=off -c full_page_writes=off
url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
psql=$(pgbin psql)

echo "== building mizzle"
(cd "$root" && go build -o "$OUT/mizzle" ./cmd/mizzle)
cat >"$work/mizzle.yaml" <<YAML
schema: $root/examples/trading/schema
migrations: $root/examples/trading/migrations
seed:
  tables:
    Models: $MODELS
    Orders: $ORDERS
YAML
chmod a+r "$work/mizzle.yaml"
"$OUT/mizzle" --config "$work/mizzle.yaml" migrate --database-url "$url" >/dev/null

# check TOOL: the tables hold the rows asked for.
check() {
	local got
	got=$("$psql" "$url" -Atc 'SELECT (SELECT count(*) FROM "Models") || $$ $$ || (SELECT count(*) FROM "Orders")')
	if [ "$got" != "$MODELS $ORDERS" ]; then
		echo "run.sh: after $1 the tables hold $got rows, want $MODELS $ORDERS" >&2
		exit 1
	fi
}

# timed TOOL CMD...: runs CMD, prints and records its wall time in seconds.
timed() {
	local tool=$1 start end
	shift
	start=$(date +%s%N)
	"$@" >"$OUT/last.txt"
	end=$(date +%s%N)
	check "$tool"
	printf '%s\t%s\n' "$tool" "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')" | tee -a "$OUT/runs.txt"
}

mizzle_run() { timed mizzle "$OUT/mizzle" --config "$work/mizzle.yaml" seed --database-url "$url" --reset --seed "$1"; }
drizzle_run() { timed drizzle-seed env DATABASE_URL="$url" MODELS="$MODELS" ORDERS="$ORDERS" SEED="$1" node "$here/seed.mjs"; }

echo "== $ROUNDS rounds of $MODELS models and $ORDERS orders"
: >"$OUT/runs.txt"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then
		mizzle_run "$r"
		drizzle_run "$r"
	else
		drizzle_run "$r"
		mizzle_run "$r"
	fi
	r=$((r + 1))
done

echo "== medians (seconds) and the ratio drizzle-seed ÷ mizzle"
awk -F '\t' '
	{ t[$1] = t[$1] " " $2; n[$1]++ }
	function median(tool,   a, k, i, j, x) {
		k = split(substr(t[tool], 2), a, " ")
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		m = median("mizzle"); d = median("drizzle-seed")
		printf "mizzle seed   %8.3f s\ndrizzle-seed  %8.3f s\nratio         %8.1f×\n", m, d, d / m
	}' "$OUT/runs.txt"
