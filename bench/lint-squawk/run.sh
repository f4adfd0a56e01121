#!/usr/bin/env bash
# Side-by-side of `mizzle lint` and squawk (npm squawk-cli, pinned in
# package.json) on the same migrations.
#
# 1. Speed: the migrations `mizzle generate` writes for a schema of N
#    tables (bench/drizzle/gen: v1, then v2 changing every tenth table with
#    a new column, a wider varchar or a new index). "first" lints the first
#    migration (N CREATE TABLE and their indexes and keys), "second" the
#    next one. mizzle lint reads each with the snapshot before it, as it
#    always does; squawk reads the SQL file alone, told that it runs in a
#    transaction, as mizzle's migrations do. hyperfine times both, with
#    their findings ignored (both exit 1 when they find an error).
# 2. Findings: compare.mjs prints, for each case of migrations/testdata/lint,
#    mizzle's findings beside squawk's by the rules both have.
#
# Usage: bench/lint-squawk/run.sh    (from anywhere; no arguments)
#
# Settings, from the environment: N=1000 tables, RUNS=10, WARMUP=2,
# KEEP=1 keeps the scratch directory (printed).
#
# Needs go, node, npm and hyperfine (Debian's package).
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-1000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}

if ! command -v hyperfine >/dev/null; then
	echo "run.sh: hyperfine is needed: apt-get install hyperfine" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mizzle-lint-squawk.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
	echo "== scratch directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi

echo "== npm install (squawk-cli, pinned in package.json)"
(cd "$here" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null)
squawk="$here/node_modules/.bin/squawk"
echo "   $("$squawk" --version)"

echo "== go build ./cmd/mizzle"
(cd "$root" && go build -o "$work/bin/mizzle" ./cmd/mizzle)
mizzle="$work/bin/mizzle"

echo "== $N tables: generating the first and the second migration"
(cd "$root/bench/drizzle" && go run ./gen -n "$N" -out "$work" -mizzle "$root")
cd "$work/mizzle"
"$mizzle" generate --schema v1 --migrations first >/dev/null
cp -R first both
"$mizzle" generate --schema v2 --migrations both 2>/dev/null >/dev/null
first_sql=$(ls first/0000_*.sql)
second_sql=$(ls both/0001_*.sql)
echo "   $first_sql: $(wc -c <"$first_sql") bytes; $second_sql: $(wc -c <"$second_sql") bytes"

count() { # count TOOL FILE...: findings by rule
	case $1 in
	mizzle) shift; "$mizzle" lint --json "$@" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c={};for(const f of JSON.parse(s).findings)c[f.code]=(c[f.code]||0)+1;console.log(JSON.stringify(c))})' ;;
	squawk) shift; { "$squawk" --assume-in-transaction --reporter json "$@" || true; } | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c={};for(const f of JSON.parse(s))c[f.rule_name]=(c[f.rule_name]||0)+1;console.log(JSON.stringify(c))})' ;;
	esac
}
echo "== findings on the generated migrations"
echo "   first,  mizzle: $(count mizzle --migrations first || true)"
echo "   first,  squawk: $(count squawk "$first_sql")"
echo "   second, mizzle: $(count mizzle --migrations both --latest 1 || true)"
echo "   second, squawk: $(count squawk "$second_sql")"

echo "== timing ($RUNS runs after $WARMUP warm-up)"
hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" --export-markdown "$work/times.md" \
	-n "mizzle first" "$mizzle lint --migrations first" \
	-n "squawk first" "$squawk --assume-in-transaction $first_sql" \
	-n "mizzle second" "$mizzle lint --migrations both --latest 1" \
	-n "squawk second" "$squawk --assume-in-transaction $second_sql"
cat "$work/times.md"

echo
node "$here/compare.mjs" "$squawk" "$root/migrations/testdata/lint"
