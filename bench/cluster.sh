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

# pooler_start: PgBouncer in transaction pooling mode on a free loopback
# port in front of the cluster started by cluster_start, setting
# $pooler_port; it is stopped on exit with the cluster. Needs pgbouncer
# (Debian: apt-get install pgbouncer).
pooler_start() {
	local bin
	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	if [ ! -x "$bin" ]; then
		echo "$(basename "$0"): pgbouncer not found; install PgBouncer (apt-get install pgbouncer)" >&2
		exit 1
	fi
	local attempt
	for attempt in 1 2 3 4 5; do
		pooler_port=$((20000 + RANDOM % 40000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$pooler_port") 2>/dev/null; then
			continue
		fi
		cat >"$work/pgbouncer.ini" <<-EOF
			[databases]
			* = host=127.0.0.1 port=$port user=postgres
			[pgbouncer]
			listen_addr = 127.0.0.1
			listen_port = $pooler_port
			unix_socket_dir =
			auth_type = any
			pool_mode = transaction
			default_pool_size = 20
			max_client_conn = 1000
			logfile = $work/pgbouncer.log
			pidfile = $work/pgbouncer.pid
		EOF
		[ "$(id -u)" = 0 ] && chown postgres: "$work/pgbouncer.ini"
		if as_pg "$bin" -d "$work/pgbouncer.ini"; then
			trap 'pooler_stop; cluster_cleanup' EXIT
			local i
			for i in $(seq 100); do
				if (exec 3<>"/dev/tcp/127.0.0.1/$pooler_port") 2>/dev/null; then
					return 0
				fi
				sleep 0.1
			done
		fi
	done
	tail -20 "$work/pgbouncer.log" >&2
	echo "$(basename "$0"): pgbouncer did not start" >&2
	exit 1
}

pooler_stop() {
	if [ -f "$work/pgbouncer.pid" ]; then
		kill "$(cat "$work/pgbouncer.pid")" 2>/dev/null || true
	fi
}
