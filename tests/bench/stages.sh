#!/bin/sh
# tests/bench/stages.sh - CPU time per event of each stream stage alone:
# co-verify, co-transform and co-classify, each run by itself on the
# output of the one before (so each figure includes parsing its input and
# printing its output), no database.  Also co-transform with a program
# that emits nothing: the part of its time that is parsing, not jq.
#   stages.sh [events]   about that many events (20000), LiveKit only
#   STAGES_RUNS          runs of each stage, the fastest counts (3)
#   STAGES_DIR           where spool and streams go (a temporary directory,
#                        removed at the end; a given one is kept)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${1:-20000}
RUNS=${STAGES_RUNS:-3}
export PATH="$top/bin:$top/tests/bin:$PATH" CO_SHARE="$top/share"
export LIVEKIT_API_KEY=APIstages
export LIVEKIT_API_SECRET=stages-secret-NOT-REAL-0123456789abcdef
if [ -n "${STAGES_DIR:-}" ]; then
	W=$STAGES_DIR
	rm -rf "$W/spool"
	mkdir -p "$W" || exit 1
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/co-stages.XXXXXX") || exit 1
	trap 'rm -rf "$W"' EXIT
	trap 'exit 1' HUP INT TERM
fi

# co-gen writes about 5.5 spool files a call, some of them re-deliveries.
calls=$((N * 10 / 55))
[ "$calls" -gt 0 ] || calls=1
co-gen calls -c "$calls" "$W/spool" >/dev/null || exit 1
find "$W/spool/new" -type f | sort | xargs cat >"$W/stream"
n=$(wc -l <"$W/stream" | tr -d ' ')
printf 'empty\n' >"$W/empty.jq"

# cpu OUT CMD...: the least user + system seconds of RUNS runs of CMD
# (its stdout to OUT); a failing stage stops the benchmark.
cpu() {
	out=$1
	shift
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%U %S' -o "$W/time" "$@" >"$out" 2>"$W/err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "stages: $* exited $rc" >&2
			cat "$W/err" >&2
			exit 1
		fi
		t=$(awk '{ print $1 + $2 }' "$W/time")
		best=$(echo "$t ${best:-$t}" | awk '{ print ($1 < $2) ? $1 : $2 }')
		i=$((i + 1))
	done
	echo "$best"
}

per() { echo "$1 $n" | awk '{ printf "%7.1f", $1 * 1e6 / $2 }'; }

v=$(cpu "$W/verified" co-verify "$W/stream") || exit 1
t=$(cpu "$W/events" co-transform "$W/verified") || exit 1
p=$(cpu /dev/null co-transform -f "$W/empty.jq" "$W/verified") || exit 1
c=$(cpu /dev/null co-classify "$W/events") || exit 1

echo "stages: $n events ($calls calls), CPU µs per event, best of $RUNS"
echo "co-verify     $(per "$v")"
echo "co-transform  $(per "$t")  (parsing alone: $(per "$p"))"
echo "co-classify   $(per "$c")"
