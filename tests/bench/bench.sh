#!/bin/sh
# tests/bench/bench.sh - `make bench`: throughput of co-drain against
# PostgreSQL's raw COPY of the same rows into the same indexed tables,
# measured side by side in one run on one private cluster (default
# settings, fsync on), and the peak RSS of every stream tool; then the
# receiver, query and query API figures (receive.sh, query.sh, serve.sh)
# when present.
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
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1; }
now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }
rss() { awk '/Maximum resident/ { printf "%.1f MiB", $6 / 1024 }' "$1"; }

rm -rf "$W"
mkdir -p "$W/pg"
chmod 755 "$W"
[ "$(id -u)" -eq 0 ] && chown postgres "$W/pg"
as_pg "$PGBIN/initdb" -D "$W/pg/data" -U co --auth=trust -E UTF8 \
    --locale=C >"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w \
    -o "-k $W/pg -c listen_addresses= -c port=5432" start >/dev/null || exit 1
trap stop EXIT
export PGHOST="$W/pg" PGPORT=5432 PGUSER=co PGDATABASE=co \
    PGOPTIONS="-c client_min_messages=warning"
"$PGBIN/createdb" co
co-migrate up >/dev/null
psql -X -q -c "INSERT INTO users (id) SELECT 'tenant-' || lpad(i::text, 2,
    '0') FROM generate_series(0, 49) i"

calls=$((N * 10 / 55))
echo "bench: generating $N spool files ($calls calls, 50 tenants, ~10 % re-deliveries)"
co-gen calls -c "$calls" -T 50 "$W/spool" >"$W/nfiles"
nfiles=$(cat "$W/nfiles")
# The same records as one NDJSON stream, for the pipeline and RSS figures.
find "$W/spool/new" -type f | sort | xargs cat >"$W/stream.ndjson"
# Hard links to the files, for the -j 2 run (co-drain archives them).
cp -al "$W/spool/new" "$W/new.orig"
sync

t0=$(now)
/usr/bin/time -v co-drain -s "$W/spool" -b "$B" 2>"$W/drain.err"
rc=$?
t1=$(now)
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
t7=$(now)
drain2_rate=$(rate "$nfiles" "$t6" "$t7")

# The ceiling: raw COPY of the same unique, already-normalized rows into
# the same (emptied) indexed events table.
psql -X -q -c "\\copy livekit_call_events TO '$W/events.copy'"
psql -X -q -c "TRUNCATE livekit_call_events" -c "CHECKPOINT"
t2=$(now)
psql -X -q -c "\\copy livekit_call_events FROM '$W/events.copy'"
t3=$(now)
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
psql -X -q -c "TRUNCATE call_logs CASCADE"
/usr/bin/time -v co-load -b "$B" <"$W/co-classify.out" >/dev/null \
    2>"$W/co-load.time"

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
rm -rf "$W/spool" "$W/stream.ndjson" "$W"/co-*.out "$W/events.copy"

for part in ${BENCH_PARTS-receive query serve}; do
	[ -f "$here/$part.sh" ] && { echo; sh "$here/$part.sh"; }
done
exit 0
