#!/bin/sh
# tests/bench/serve.sh - the co-serve figure of `make bench`: GET
# /api/calls/ID/outcome with a bearer token through socat fork per
# connection on loopback into co-serve (token check, connection, the
# outcome statement under row security), against the same wrk client and
# socat serving the do-nothing handler (null-handler.c), and against
# `co-query outcome` run once per request (the shell's way to the same
# answer: fork, exec, connect, query), C at a time.
# Prints requests/s, p50 and p99 of each and co-serve's ratios; co-serve
# and the do-nothing handler alternate for BENCH_SERVE_ROUNDS rounds (2),
# each keeping its best.  With pgbouncer installed, co-serve through it
# (transaction pooling) too.  Most of a request is the new server process
# PostgreSQL starts for the connection and its cold catalog caches: the
# ratio to the do-nothing handler is bounded by that, not by co-serve.
# Standalone: its own cluster (tests/lib.sh), co-serve, co-query and
# co-migrate from PATH.  BENCH_SERVE_N requests (2000), BENCH_SERVE_C
# connections (16), BENCH_DIR where the cluster goes (TMPDIR, /tmp).
set -u
N=${BENCH_SERVE_N:-2000}
C=${BENCH_SERVE_C:-16}
R=${BENCH_SERVE_ROUNDS:-2}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${CO_MIGRATIONS:=$top/migrations}"
export CO_MIGRATIONS
for t in co-serve co-query co-migrate psql socat wrk curl cc perl; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "serve: skipped: $t not found"
		exit 0
	fi
done
TMPDIR=${BENCH_DIR:-${TMPDIR:-/tmp}}
export TMPDIR
. "$top/tests/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
dir=$T
pid=
stop_socat() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; }
at_exit stop_socat

cc -O2 -o "$dir/null-handler" "$here/null-handler.c" || exit 1
q "CREATE ROLE bench_api LOGIN IN ROLE co_analyst;
   DO \$\$ BEGIN IF to_regclass('tenant_members') IS NOT NULL THEN
   EXECUTE format('INSERT INTO tenant_members (%I, tenant) VALUES (\$1, \$2)',
   (SELECT column_name FROM information_schema.columns
    WHERE table_name = 'tenant_members' AND column_name <> 'tenant'
    ORDER BY ordinal_position LIMIT 1)) USING 'bench_api', '*';
   END IF; END \$\$;
   INSERT INTO users (id) SELECT 'tenant-' || t FROM generate_series(0, 9) t;
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\",
    \"livekitRoomSid\", direction, duration, \"startedAt\", status, outcome)
   SELECT 'bench-' || i, 'tenant-' || (i % 10), 'room-' || i, 'RM_bench_' || i, 'outbound',
    i % 300, timestamptz '2026-01-01' + i * interval '1 minute', 'completed',
    'completed' FROM generate_series(1, 100000) i;
   ANALYZE call_logs" >/dev/null || exit 1
ID=$(q "SELECT id FROM call_logs WHERE \"livekitRoomSid\" = 'RM_bench_50003'")
export CO_API_JWT_SECRET=bench-secret-NOT-REAL-5e4d3c2b1a
TOK=$(PATH="$top/tests/bin:$PATH" api-sign "$CO_API_JWT_SECRET" \
    "{\"sub\":\"tenant-3\",\"exp\":$(($(date +%s) + 86400))}")
export PGUSER=bench_api

threads=2
cat >"$dir/get.lua" <<EOF2
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer $TOK"
local n, limit, threads, bad = 0, $(( (N + threads - 1) / threads )), 0, 0
function setup(thread)
	threads = threads + 1
	thread:set("id", threads)
end
function response(status, headers, body)
	n = n + 1
	if n == limit then
		io.open("$dir/stopped." .. id, "w"):close()
		wrk.thread:stop()
	end
end
function done(s, latency, requests)
	local e = s.errors
	io.write(string.format("RESULT %d %.6f %.0f %.0f %d\n", s.requests,
	    s.duration / 1e6, latency:percentile(50), latency:percentile(99),
	    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF2

. "$here/common.sh"
serve() { bench_socat "$1" /api/health; }

# pgtree: CPU ticks (1/100 s) of the postmaster and its children, the
# live ones too (pooled sessions).
pgtree() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$1" '
	    $1 == pm { t += $14 + $15 + $16 + $17 }
	    $4 == pm { t += $14 + $15 } END { print t + 0 }'
}
pm=$(head -n 1 "$PGROOT/data/postmaster.pid")

run() {
	serve "$2"
	rm -f "$dir"/stopped.*
	p0=$(pgtree "$pm")
	b0=$( [ -n "$pgb" ] && ticks "$(cat "$dir/pgb/pid")" || echo 0)
	wrk -t $threads -c "$C" -d 300s --timeout 10s -s "$dir/get.lua" \
	    "http://127.0.0.1:$port/api/calls/$ID/outcome" >"$dir/$1.wrk" 2>&1 &
	wrk=$!
	while kill -0 $wrk 2>/dev/null &&
	    [ "$(ls "$dir" | grep -c '^stopped\.')" -lt $threads ]; do
		sleep 0.01
	done
	kill -INT $wrk 2>/dev/null
	wait $wrk
	sleep 0.2		# the last handlers reaped by socat
	s1=$(ticks "$pid")
	p1=$(pgtree "$pm")
	b1=$( [ -n "$pgb" ] && ticks "$(cat "$dir/pgb/pid")" || echo 0)
	kill $pid
	wait $pid 2>/dev/null
	pid=
	n=$(sed -n 's/^RESULT \([0-9]*\) .*/\1/p' "$dir/$1.wrk")
	echo "$n $s1 $((p1 - p0)) $((b1 - b0))" >>"$dir/$1.cpu"
	if ! sed -n 's/^RESULT //p' "$dir/$1.wrk" | grep -q .; then
		echo "serve: wrk failed:" >&2
		cat "$dir/$1.wrk" >&2
		exit 1
	fi
	sed -n 's/^RESULT //p' "$dir/$1.wrk" >>"$dir/$1.runs"
}

best() {
	awk -v name="$1" -v out="$dir/$1.rate" '
	{ r = $1 / $2; if (r > br) { br = r; n = $1; p50 = $3; p99 = $4; e = $5 } }
	END {
		printf "serve: %-18s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms" \
		    "  (%d requests, %d socket errors or non-2xx)\n", name, br,
		    p50 / 1000, p99 / 1000, n, e
		print br >out
	}' "$dir/$1.runs"
}

# CPU per request: socat with the handlers it forked, PostgreSQL, the
# pooler; the ratio of the totals is what 2 busy cores would give whatever
# else the machine runs (the req/s ratio depends on that load).
cpu() {
	awk -v name="$1" -v out="$dir/$1.cpums" '
	{ n += $1; s += $2; p += $3; b += $4 }
	END {
		printf "serve: %-18s CPU per request: socat+handler %.2f ms," \
		    " PostgreSQL %.2f ms, pgbouncer %.2f ms, total %.2f ms\n",
		    name, s * 10 / n, p * 10 / n, b * 10 / n, (s + p + b) * 10 / n
		print (s + p + b) * 10 / n >out
	}' "$dir/$1.cpu"
}

# co-query outcome once per request, C at a time, each timed (perl forks
# and execs it directly: no shell in between).
cq_run() {
	perl -MTime::HiRes=time -e '
	my ($n, $c, $id) = @ARGV;
	my $t0 = time;
	my @kids;
	for my $w (1 .. $c) {
		pipe(my $r, my $wr);
		my $pid = fork;
		if ($pid == 0) {
			close $r;
			open(STDOUT, ">", "/dev/null");
			for (1 .. int($n / $c)) {
				my $s = time;
				system("co-query", "-u", "tenant-3", "-o", "ndjson",
				    "outcome", $id) == 0 or die "co-query failed\n";
				printf $wr "%.0f\n", (time - $s) * 1e6;
			}
			exit 0;
		}
		close $wr;
		push @kids, $r;
	}
	my @lat;
	for my $r (@kids) { push @lat, <$r>; }
	1 while wait != -1;
	my $el = time - $t0;
	@lat = sort { $a <=> $b } @lat;
	printf "%d %.6f %.0f %.0f 0\n", scalar @lat, $el,
	    $lat[int(@lat * 0.5)], $lat[int(@lat * 0.99)];
	' "$1" "$C" "$ID" >>"$dir/co-query.runs"
}

echo "serve: $N GET /api/calls/ID/outcome with a bearer token, $C" \
    "connections, socat fork per connection on loopback, 100000 calls of" \
    "10 tenants; load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null ||
    echo unknown)"
# PgBouncer in transaction pooling, when installed: co-serve's connection
# is then to the pooler, not a new server process (co.tenant is set per
# transaction, so pooling keeps the tenant boundary).
pgb=
if command -v pgbouncer >/dev/null 2>&1; then
	mkdir -p "$dir/pgb"
	printf '"bench_api" ""\n' >"$dir/pgb/users"
	cat >"$dir/pgb/ini" <<EOF2
[databases]
co = host=$PGHOST port=5432 dbname=co
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $dir/pgb
auth_type = trust
auth_file = $dir/pgb/users
pool_mode = transaction
default_pool_size = 8
max_client_conn = 512
ignore_startup_parameters = options
logfile = $dir/pgb/log
pidfile = $dir/pgb/pid
EOF2
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$dir/pgb"
	_as_pg pgbouncer -d "$dir/pgb/ini" && pgb=$dir/pgb
	at_exit 'stop_pgb'
fi
stop_pgb() { [ -f "$dir/pgb/pid" ] && kill "$(cat "$dir/pgb/pid")"; }
round=0
while [ $round -lt "$R" ]; do
	run co-serve co-serve
	run do-nothing "$dir/null-handler"
	[ -n "$pgb" ] && (PGHOST=$pgb PGPORT=6432; export PGHOST PGPORT
	    run co-serve+pgbouncer co-serve)
	round=$((round + 1))
done
cq_run $((N / 4))
best co-serve
best do-nothing
best co-query
[ -n "$pgb" ] && best co-serve+pgbouncer
cpu co-serve
cpu do-nothing
[ -n "$pgb" ] && cpu co-serve+pgbouncer
bad=$(grep -c '^co-serve: [^2]' "$dir/socat.log")
echo "serve: $bad requests co-serve did not answer 200" \
    "$(grep '^co-serve: [^2]' "$dir/socat.log" | head -n 1)"
awk -v a="$(cat "$dir/co-serve.rate")" -v c="$(cat "$dir/do-nothing.rate")" \
    -v q="$(cat "$dir/co-query.rate")" 'BEGIN {
	r = a / c
	printf "serve: ratio co-serve/do-nothing %.2f (target >= 0.5: %s)," \
	    " co-serve/co-query outcome per request %.2f\n", r,
	    (r >= 0.5 ? "met" : "NOT met"), a / q
}'
[ -n "$pgb" ] && awk -v a="$(cat "$dir/co-serve+pgbouncer.rate")" \
    -v c="$(cat "$dir/do-nothing.rate")" 'BEGIN {
	printf "serve: ratio co-serve+pgbouncer/do-nothing %.2f\n", a / c }'
awk -v a="$(cat "$dir/co-serve.cpums")" -v c="$(cat "$dir/do-nothing.cpums")" \
    -v b="$( [ -n "$pgb" ] && cat "$dir/co-serve+pgbouncer.cpums")" 'BEGIN {
	printf "serve: ratio by CPU per request: co-serve %.2f", c / a
	if (b != "")
		printf ", co-serve+pgbouncer %.2f", c / b
	printf " (target >= 0.5)\n"
}'
exit 0
