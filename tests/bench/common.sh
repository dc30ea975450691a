# tests/bench/common.sh - sourced by the benches: a private cluster for
# the load benches (bench.sh, settle.sh, load.sh), the socat launcher for
# the HTTP ones (receive.sh, serve.sh, after they set dir).
# bench_socat CMD URLPATH: socat forking per connection (backlog 256) on
# a free loopback port into CMD, up once URLPATH answers; sets port and
# pid, logs to $dir/socat.log.
bench_socat() {
	port=$((30000 + $$ % 20000))
	for try in 1 2 3 4 5 6 7 8 9 10; do
		socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=256 \
		    EXEC:"$1" 2>>"$dir/socat.log" &
		pid=$!
		i=0
		while [ $i -lt 50 ] && kill -0 $pid 2>/dev/null; do
			if curl -s -o /dev/null "http://127.0.0.1:$port$2"; then
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill $pid 2>/dev/null
		port=$((port + 1))
	done
	echo "$(basename "$0" .sh): no free port for socat" >&2
	exit 1
}

# ticks PID: CPU ticks (1/100 s) of a process and its reaped children.
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1; }

# bench_cluster: a cluster of default settings (fsync on) in $W/pg, on a
# unix socket, stopped at exit; migrated up, with tenant-00..49.
bench_cluster() {
	mkdir -p "$W/pg"
	chmod 755 "$W"
	[ "$(id -u)" -eq 0 ] && chown postgres "$W/pg"
	as_pg "$PGBIN/initdb" -D "$W/pg/data" -U co --auth=trust -E UTF8 \
	    --locale=C >"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 1; }
	as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w \
	    -o "-k $W/pg -c listen_addresses= -c port=5432" start >/dev/null ||
	    exit 1
	trap stop EXIT
	export PGHOST="$W/pg" PGPORT=5432 PGUSER=co PGDATABASE=co \
	    PGOPTIONS="-c client_min_messages=warning"
	"$PGBIN/createdb" co
	co-migrate up >/dev/null || exit 1
	psql -X -q -c "INSERT INTO users (id) SELECT 'tenant-' ||
	    lpad(i::text, 2, '0') FROM generate_series(0, 49) i"
}
