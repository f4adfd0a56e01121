# Sourced by the benchmark scripts: a throwaway PostgreSQL cluster from the
# installed server programs, in a scratch directory removed on exit (kept
# with KEEP=1). As root the cluster runs as the postgres user, since
# PostgreSQL refuses root. Callers set -eu themselves.

# pgbin NAME: the PostgreSQL program NAME, from PATH or the newest
# /usr/lib/postgresql/*/bin (Debian keeps the server programs off PATH).
pgbin() {
	if command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
		return
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
		if [ -x "$d/$1" ]; then
			echo "$d/$1"
			return
		fi
	done
	echo "$(basename "$0"): $1 not found; install PostgreSQL" >&2
	exit 1
}

# cluster_scratch NAME [BASE]: makes the scratch directory $work under BASE
# (default $TMPDIR or /tmp), defines as_pg (runs a server program as the
# cluster's user) and stops the cluster and removes $work on exit.
cluster_scratch() {
	initdb=$(pgbin initdb)
	pg_ctl=$(pgbin pg_ctl)
	work=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/mizzle-bench-$1.XXXXXX")
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$work"
		as_pg() { runuser -u postgres -- "$@"; }
	else
		as_pg() { "$@"; }
	fi
	trap cluster_cleanup EXIT
}

cluster_cleanup() {
	as_pg "$pg_ctl" stop -D "$work/data" -m immediate -w -s >/dev/null 2>&1 || true
	if [ "${KEEP:-}" = 1 ]; then
		echo "== scratch directory: $work"
	else
		rm -rf "$work"
	fi
}

# cluster_start [INITDB-FLAGS] -- [SERVER-SETTINGS...]: initdb into
# $work/data and start the server on a free loopback port, setting $port
# and $log. A port is free when nothing answers on it; another program may
# still take it before the server binds it, hence the retries.
cluster_start() {
	local flags=() settings=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	settings="$*"
	as_pg "$initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C "${flags[@]}" >/dev/null
	log="$work/data/postgres.log"
	local attempt
	for attempt in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		if as_pg "$pg_ctl" start -w -D "$work/data" -l "$log" \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' $settings" >/dev/null; then
			return 0
		fi
	done
	tail -20 "$log" >&2
	echo "$(basename "$0"): the cluster did not start" >&2
	exit 1
}
