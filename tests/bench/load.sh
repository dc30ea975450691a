#!/bin/sh
# tests/bench/load.sh - co-load alone: events/s of loading N normalized,
# classified events (built as bench.sh builds its stream: co-gen, then
# co-verify | co-transform | co-classify) into a private cluster (default
# settings, fsync on), into empty tables, best of LOAD_RUNS runs.
#   load.sh [events]   about that many events (50000)
#   LOAD_RUNS          runs (3)
#   LOAD_BATCH         co-load -b (5000)
#   LOAD_TOP           the tree whose bin/ is measured (this one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${LOAD_TOP:-$(cd "$here/../.." && pwd)}
N=${1:-50000}
RUNS=${LOAD_RUNS:-3}
B=${LOAD_BATCH:-5000}
export PATH="$top/bin:$top/tests/bin:$PATH" CO_SHARE="$top/share" \
    CO_MIGRATIONS="$top/migrations"
export LIVEKIT_API_KEY=APIbench
export LIVEKIT_API_SECRET=bench-secret-NOT-REAL-0123456789abcdef
. "$here/common.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/co-load-bench.XXXXXX") || exit 1
chmod 755 "$W"
now() { date +%s.%N; }
bench_cluster
trap 'stop; rm -rf "$W"' EXIT
trap 'exit 1' HUP INT TERM

calls=$((N * 10 / 55))
co-gen calls -c "$calls" -T 50 "$W/spool" >/dev/null || exit 1
find "$W/spool/new" -type f | sort | xargs cat | co-verify | co-transform |
    co-classify >"$W/events" || exit 1
n=$(wc -l <"$W/events" | tr -d ' ')

best=
i=0
while [ "$i" -lt "$RUNS" ]; do
	psql -X -q -c "TRUNCATE call_logs CASCADE" -c "CHECKPOINT"
	t0=$(now)
	co-load -b "$B" <"$W/events" >/dev/null 2>"$W/err" ||
	    { cat "$W/err"; exit 1; }
	t1=$(now)
	r=$(echo "$n $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
	best=$(echo "$r ${best:-0}" | awk '{ print ($1 > $2) ? $1 : $2 }')
	i=$((i + 1))
done
tail -n 1 "$W/err"
echo "load: $n events, batch $B, best of $RUNS: $best events/s ($top)"
