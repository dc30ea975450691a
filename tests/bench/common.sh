# tests/bench/common.sh - for the HTTP benches (receive.sh, serve.sh),
# sourced after they set dir.
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
