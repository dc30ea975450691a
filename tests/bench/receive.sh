#!/bin/sh
# tests/bench/receive.sh - the receiver figure of `make bench`: N signed
# LiveKit requests (the vector, verified at the edge with the clock pinned)
# through socat fork-per-connection on loopback into co-receive, fsync on;
# then the same wrk client against the same socat serving a do-nothing
# handler (null-handler.c: reads the request, answers a fixed 200).
# Prints requests/s, p50 and p99 latency of each and their ratio, and CPU
# per request (socat and its handlers; the journal threads) and the ratio
# of those; the two alternate for BENCH_RECV_ROUNDS rounds (2) and each
# keeps its best round, so a burst of load from elsewhere does not decide
# the ratio.
# Standalone: builds nothing of the project, takes co-receive from PATH.
# BENCH_RECV_N requests (2000), BENCH_RECV_C connections (32: enough for
# the journal to commit several requests' fsyncs at once, as under load),
# BENCH_DIR where the spool goes (TMPDIR, /tmp).
set -u
N=${BENCH_RECV_N:-2000}
C=${BENCH_RECV_C:-32}
R=${BENCH_RECV_ROUNDS:-2}
here=$(cd "$(dirname "$0")" && pwd)
vec=$here/../vectors

for t in co-receive socat wrk curl cc; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "receive: skipped: $t not found"
		exit 0
	fi
done
dir=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/co-bench-recv.XXXXXX") ||
    exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "${BENCH_KEEP:-}" ] && echo "receive: kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$dir/null-handler" "$here/null-handler.c" || exit 1

# The client: POST the vector with its token; each of 2 threads stops after
# its share of N answers and says so with a file, upon which wrk gets SIGINT
# (wrk would otherwise wait out its -d).  done() prints one line to parse.
threads=2
cat >"$dir/post.lua" <<EOF
local f = assert(io.open("$vec/livekit_participant_left.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Authorization"] = "$(head -n 1 "$vec/livekit_participant_left.authorization.txt")"
wrk.headers["Content-Type"] = "application/webhook+json"
wrk.headers["User-Agent"] = "LiveKit"
local n, limit, threads = 0, $(( (N + threads - 1) / threads )), 0
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
EOF

. "$here/common.sh"
serve() { bench_socat "$1" /healthz; }

# jticks: CPU ticks (1/100 s) of the journal threads (jbd2/*: every file
# system's, so other work's fsyncs count too), which do the commits the
# fsyncs wait for.
jticks() {
	for p in /proc/[0-9]*; do
		case "$(cat "$p/comm" 2>/dev/null)" in
		jbd2/*) cat "$p/stat" ;;
		esac
	done 2>/dev/null | awk '{ t += $14 + $15 } END { print t + 0 }'
}

# run NAME CMD: serve CMD, drive it with wrk; appends
# "requests seconds p50_us p99_us errors" to $dir/NAME.runs and
# "requests socat_ticks jbd2_ticks" to $dir/NAME.cpu.
run() {
	serve "$2"
	rm -f "$dir"/stopped.*
	j0=$(jticks)
	wrk -t $threads -c "$C" -d 300s --timeout 10s -s "$dir/post.lua" \
	    "http://127.0.0.1:$port/webhooks/livekit" >"$dir/$1.wrk" 2>&1 &
	wrk=$!
	while kill -0 $wrk 2>/dev/null &&
	    [ "$(ls "$dir" | grep -c '^stopped\.')" -lt $threads ]; do
		sleep 0.01
	done
	kill -INT $wrk 2>/dev/null
	wait $wrk
	sleep 0.2		# the last handlers reaped by socat
	s1=$(ticks "$pid")
	j1=$(jticks)
	kill $pid
	wait $pid 2>/dev/null
	pid=
	if ! sed -n 's/^RESULT //p' "$dir/$1.wrk" | grep -q .; then
		echo "receive: wrk failed:" >&2
		cat "$dir/$1.wrk" >&2
		exit 1
	fi
	sed -n 's/^RESULT //p' "$dir/$1.wrk" >>"$dir/$1.runs"
	echo "$(sed -n 's/^RESULT \([0-9]*\) .*/\1/p' "$dir/$1.wrk") $s1" \
	    "$((j1 - j0))" >>"$dir/$1.cpu"
}

# cpu NAME: CPU per request of socat with the handlers it forked, and of
# the journal threads; the ratio of these is what two busy cores would
# give whatever else the machine runs (the req/s ratio depends on that).
cpu() {
	awk -v name="$1" -v out="$dir/$1.cpums" '
	{ n += $1; s += $2; j += $3 }
	END {
		printf "receive: %-12s CPU per request: socat+handler %.2f ms," \
		    " journal %.2f ms\n", name, s * 10 / n, j * 10 / n
		print s * 10 / n, (s + j) * 10 / n >out
	}' "$dir/$1.cpu"
}

# best NAME: print the round with the highest rate; its rate in NAME.rate.
best() {
	awk -v name="$1" -v out="$dir/$1.rate" '
	{ r = $1 / $2; if (r > br) { br = r; n = $1; p50 = $3; p99 = $4; e = $5 } }
	END {
		printf "receive: %-12s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms" \
		    "  (%d requests, %d socket errors or non-2xx)\n", name, br,
		    p50 / 1000, p99 / 1000, n, e
		print br >out
	}' "$dir/$1.runs"
}

export CO_NOW=1767225610 LIVEKIT_API_KEY=APIvecTest01 \
    LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
spool=$dir/spool
echo "receive: $N signed LiveKit requests ($(wc -c <"$vec/livekit_participant_left.json") B)," \
    "$C connections, socat fork per connection on loopback," \
    "spool on $(stat -f -c %T "$dir") with fsync;" \
    "load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null ||
    echo unknown) (other work on the machine skews the ratio)"
round=0
while [ $round -lt "$R" ]; do
	run co-receive "co-receive -s $spool"
	run do-nothing "$dir/null-handler"
	round=$((round + 1))
done
best co-receive
best do-nothing
cpu co-receive
cpu do-nothing
files=$(ls "$spool/new" | wc -l | tr -d ' ')
# wrk opens connections it never sends on when it is stopped: those are
# the "empty request" lines, not refusals.
bad=$(grep '^co-receive: [^2]' "$dir/socat.log" | grep -vc ': empty request$')
echo "receive: $files files in new/ after $R rounds," \
    "$bad requests refused by co-receive" \
    "$(grep '^co-receive: [^2]' "$dir/socat.log" | grep -v ': empty request$' |
    head -n 1)"
awk -v a="$(cat "$dir/co-receive.rate")" -v c="$(cat "$dir/do-nothing.rate")" \
    'BEGIN {
	r = a / c
	printf "receive: ratio co-receive/do-nothing %.2f (target >= 0.5: %s)\n",
	    r, (r >= 0.5 ? "met" : "NOT met")
}'
read -r a aj <"$dir/co-receive.cpums"
read -r c cj <"$dir/do-nothing.cpums"
awk -v a="$a" -v aj="$aj" -v c="$c" -v cj="$cj" 'BEGIN {
	printf "receive: ratio by CPU per request %.2f, with the journal %.2f" \
	    " (target >= 0.5)\n", c / a, cj / aj
}'
exit 0
