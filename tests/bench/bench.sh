#!/bin/sh
# tests/bench/bench.sh - `make bench`: throughput of co-drain against
# PostgreSQL's raw COPY of the same rows into the same indexed tables,
# measured side by side in one run on one private cluster (default
# settings, fsync on), and the peak RSS of every stream tool; then the
# receiver, query and query API figures (receive.sh, query.sh, serve.sh)
# when present.  It ends with one block (issue 13.5): CPU microseconds
# per event of each stage, the client's and the server's, peak RSS, the
# ratios against raw COPY, `jq -c` with the LiveKit filter alone and a
# do-nothing HTTP handler, each with the load average it was taken at.
#   BENCH_N      spool files to generate (200000), ~10 % re-deliveries
#   BENCH_BATCH  co-drain batch size (5000)
#   BENCH_DIR    where the cluster and spool go (./bench-out)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${BENCH_N:-200000}
B=${BENCH_BATCH:-5000}
W=${BENCH_DIR:-$top/bench-out}
export PATH="$top/bin:$top/tests/bin:$PATH" CO_SHARE="$top/share" \
    CO_MIGRATIONS="$top/migrations"
export LIVEKIT_API_KEY=APIbench
export LIVEKIT_API_SECRET=bench-secret-NOT-REAL-0123456789abcdef
. "$here/common.sh"
now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }
rss() { awk '/Maximum resident/ { printf "%.1f MiB", $6 / 1024 }' "$1"; }
load() { cut -d' ' -f1 /proc/loadavg; }
# cpu FILE: user + system seconds in a `/usr/bin/time -v` report.
cpu() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$1"; }
# pgcpu: CPU seconds the cluster has used so far: the postmaster, its live
# children and the backends it reaped (a client's, once it disconnected).
hz=$(getconf CLK_TCK)
pgcpu() {
	_pm=$(head -n 1 "$W/pg/data/postmaster.pid")
	{ cut -d' ' -f14-17 "/proc/$_pm/stat"
	  for _c in $(ps -o pid= --ppid "$_pm"); do
		cut -d' ' -f14-15 "/proc/$_c/stat" 2>/dev/null
	  done; } | awk -v hz="$hz" '{ for (i = 1; i <= NF; i++) s += $i }
	    END { printf "%.3f", s / hz }'
}
# us SECONDS EVENTS: microseconds per event.
us() { echo "$1 $2" | awk '{ printf "%.1f", $1 * 1e6 / $2 }'; }

rm -rf "$W"
bench_cluster

calls=$((N * 10 / 55))
echo "bench: generating $N spool files ($calls calls, 50 tenants, ~10 % re-deliveries)"
co-gen calls -c "$calls" -T 50 "$W/spool" >"$W/nfiles"
nfiles=$(cat "$W/nfiles")
# The same records as one NDJSON stream, for the pipeline and RSS figures.
find "$W/spool/new" -type f | sort | xargs cat >"$W/stream.ndjson"
# Hard links to the files, for the -j 2 run (co-drain archives them).
cp -al "$W/spool/new" "$W/new.orig"
sync

l_drain=$(load)
s0=$(pgcpu)
t0=$(now)
/usr/bin/time -v co-drain -s "$W/spool" -b "$B" -j 1 2>"$W/drain.err"
rc=$?
t1=$(now)
sleep 0.2	# the backend's exit, reaped by the postmaster
s1=$(pgcpu)
grep '^co-drain:' "$W/drain.err"
[ $rc -eq 0 ] || { echo "bench: co-drain exited $rc"; exit 1; }
uniq=$(psql -X -A -t -c 'SELECT count(*) FROM livekit_call_events')
drain_rate=$(rate "$nfiles" "$t0" "$t1")

# The same spool again through two drains side by side (-j 2).
psql -X -q -c "TRUNCATE call_logs CASCADE" -c "CHECKPOINT"
rm -rf "$W/spool"
mkdir -p "$W/spool"
mv "$W/new.orig" "$W/spool/new"
t6=$(now)
co-drain -s "$W/spool" -b "$B" -j 2 2>"$W/drain2.err"
j2load=$(load)
t7=$(now)
drain2_rate=$(rate "$nfiles" "$t6" "$t7")

# The ceiling: raw COPY of the same unique, already-normalized rows into
# the same (emptied) indexed events table.
psql -X -q -c "\\copy livekit_call_events TO '$W/events.copy'"
psql -X -q -c "TRUNCATE livekit_call_events" -c "CHECKPOINT"
l_copy=$(load)
s2=$(pgcpu)
t2=$(now)
psql -X -q -c "\\copy livekit_call_events FROM '$W/events.copy'"
t3=$(now)
sleep 0.2
s3=$(pgcpu)
copy_rate=$(rate "$uniq" "$t2" "$t3")

# The same work as a pipeline of the four tools, into an empty database.
psql -X -q -c "TRUNCATE call_logs CASCADE" -c "CHECKPOINT"
t4=$(now)
co-verify "$W/stream.ndjson" | co-transform | co-classify |
    co-load -b "$B" >/dev/null 2>"$W/pipe.err"
t5=$(now)
pipe_rate=$(rate "$nfiles" "$t4" "$t5")

# Peak RSS of each stream tool on its own, on the whole stream.
for tool in co-verify co-transform co-classify; do
	/usr/bin/time -v $tool <"${in:-$W/stream.ndjson}" >"$W/$tool.out" \
	    2>"$W/$tool.time"
	in=$W/$tool.out
done
psql -X -q -c "TRUNCATE call_logs CASCADE" -c "CHECKPOINT"
s4=$(pgcpu)
/usr/bin/time -v co-load -b "$B" <"$W/co-classify.out" >/dev/null \
    2>"$W/co-load.time"
sleep 0.2
s5=$(pgcpu)

# The three stream tools without a database against jq 1.6's own CLI
# running only the LiveKit normalization filter (share/livekit.jq) on the
# same bodies, parsed into .payload beforehand as co-transform gives them
# to it (that preparation is not timed).
l_jq=$(load)
jq -c '.payload = (.body | fromjson)' "$W/co-verify.out" >"$W/jq.in"
t8=$(now)
co-verify "$W/stream.ndjson" | co-transform | co-classify >/dev/null
t9=$(now)
/usr/bin/time -v jq -c -f "$top/share/livekit.jq" "$W/jq.in" >/dev/null \
    2>"$W/jq.time"
t10=$(now)
stream_rate=$(rate "$nfiles" "$t8" "$t9")
jq_rate=$(rate "$nfiles" "$t9" "$t10")

echo
echo "records            $nfiles in spool files, $uniq unique events"
echo "co-drain           $drain_rate events/s  (in-process stages, batch $B)"
echo "co-drain -j 2      $drain2_rate events/s  (two drains side by side)"
echo "pipeline           $pipe_rate events/s  (co-verify | co-transform | co-classify | co-load)"
printf "raw COPY           %s events/s  (unique rows, psql \\\\copy into livekit_call_events)\n" "$copy_rate"
echo "$drain_rate $copy_rate $pipe_rate $drain2_rate" | awk '{ printf "ratio              co-drain / raw COPY = %.2f   -j 2 = %.2f   pipeline = %.2f   (target >= 0.50)\n", $1 / $2, $4 / $2, $3 / $2 }'
printf 'peak RSS           co-drain %s' "$(rss "$W/drain.err")"
for tool in co-verify co-transform co-classify co-load; do
	printf ', %s %s' "$tool" "$(rss "$W/$tool.time")"
done
echo "   (target < 32 MiB)"
stop
trap - EXIT
rm -rf "$W/spool" "$W/stream.ndjson" "$W"/co-*.out "$W/events.copy" \
    "$W/jq.in"

for part in ${BENCH_PARTS-receive query serve}; do
	[ -f "$here/$part.sh" ] && { echo; l_recv=$(load); sh "$here/$part.sh" |
	    tee "$W/$part.out"; }
done

# The budget: one block.  Client: the tools' own CPU (user + system);
# server: what the cluster spent meanwhile.  "load" is the 1-minute load
# average when the figure was taken: other work on the machine skews it.
dc=$(cpu "$W/drain.err")
ds=$(echo "$s0 $s1" | awk '{ printf "%.3f", $2 - $1 }')
cs=$(echo "$s2 $s3" | awk '{ printf "%.3f", $2 - $1 }')
ls=$(echo "$s4 $s5" | awk '{ printf "%.3f", $2 - $1 }')
echo
echo "budget: $nfiles events ($uniq unique), batch $B, $(nproc) cores, CPU µs per event"
printf '  %-34s client %6s  server %6s  peak RSS %s   (load %s)\n' \
    "co-drain (in one process)" "$(us "$dc" "$nfiles")" "$(us "$ds" "$nfiles")" \
    "$(rss "$W/drain.err")" "$l_drain"
for tool in co-verify co-transform co-classify; do
	printf '  %-34s client %6s  server %6s  peak RSS %s\n' "$tool" \
	    "$(us "$(cpu "$W/$tool.time")" "$nfiles")" - "$(rss "$W/$tool.time")"
done
printf '  %-34s client %6s  server %6s  peak RSS %s\n' co-load \
    "$(us "$(cpu "$W/co-load.time")" "$nfiles")" "$(us "$ls" "$nfiles")" \
    "$(rss "$W/co-load.time")"
printf '  %-34s client %6s  server %6s  (per unique row; load %s)\n' \
    "raw COPY (psql \\copy)" - "$(us "$cs" "$uniq")" "$l_copy"
printf '  %-34s client %6s  server %6s  peak RSS %s   (load %s)\n' \
    "jq -c -f livekit.jq (filter alone)" "$(us "$(cpu "$W/jq.time")" "$nfiles")" - \
    "$(rss "$W/jq.time")" "$l_jq"
echo "$drain_rate $copy_rate $l_drain" | awk '{ printf "  ratio co-drain / raw COPY          %5.2f  (%d / %d events/s; target >= 0.50)\n", $1 / $2, $1, $2 }'
echo "$drain2_rate $copy_rate $j2load" | awk '{ printf "  ratio co-drain -j 2 / raw COPY     %5.2f  (load %s)\n", $1 / $2, $3 }'
echo "$stream_rate $jq_rate $l_jq" | awk '{ printf "  ratio verify|transform|classify / jq -c  %5.2f  (%d / %d events/s, wall; target >= 1.0; load %s)\n", $1 / $2, $1, $2, $3 }'
if [ -f "$W/receive.out" ]; then
	sed -n 's/^receive: ratio co-receive\/do-nothing \([0-9.]*\).*/\1/p' \
	    "$W/receive.out" | awk -v l="${l_recv:-?}" -v p99="$(sed -n \
	    's/^receive: co-receive .*p99 *\([0-9.]*\) ms.*/\1/p' "$W/receive.out")" \
	    '{ printf "  ratio co-receive / do-nothing      %5.2f  (p99 %s ms; target >= 0.5; load %s)\n", $1, p99, l }'
	sed -n 's/^receive: ratio by CPU per request \([0-9.]*\).*/\1/p' \
	    "$W/receive.out" | awk \
	    '{ printf "  ratio co-receive / do-nothing, CPU %5.2f  (per request, socat and handlers)\n", $1 }'
fi
exit 0
