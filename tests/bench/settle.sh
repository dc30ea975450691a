#!/bin/sh
# tests/bench/settle.sh - what settling a spool file costs (issue 13.3):
# the same N files drained three times on a private cluster (fsync on):
# -A 0 into an empty done/, -A 0 into a done/ already holding D files (a
# site that never cleaned it), and the default archive (-A 30).  Prints
# wall and CPU (user, sys) per file, and bytes per event archived.
#   SETTLE_N  spool files (20000)    SETTLE_D  files already in done/ (200000)
#   SETTLE_DIR  where it works (./bench-settle)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${SETTLE_N:-20000}
D=${SETTLE_D:-200000}
W=${SETTLE_DIR:-$top/bench-settle}
export PATH="$top/bin:$top/tests/bin:$PATH" CO_SHARE="$top/share" \
    CO_MIGRATIONS="$top/migrations"
export LIVEKIT_API_KEY=APIbench
export LIVEKIT_API_SECRET=bench-secret-NOT-REAL-0123456789abcdef
. "$here/common.sh"

rm -rf "$W"
bench_cluster
co-gen calls -c $((N * 10 / 55)) -T 50 "$W/ref" >"$W/nfiles"
nfiles=$(cat "$W/nfiles")
bytes=$(cat "$W"/ref/new/* | wc -c)

# run LABEL PREFILL ARGS...: drain a fresh copy of ref/, print the costs.
run() {
	_label=$1 _pre=$2
	shift 2
	psql -X -q -c "TRUNCATE call_logs CASCADE" -c "CHECKPOINT"
	rm -rf "$W/spool"
	cp -a "$W/ref" "$W/spool"
	if [ "$_pre" -gt 0 ]; then
		(cd "$W/spool/done" && seq -f "%.0f.000000.1.old" 1 "$_pre" |
		    xargs touch)
	fi
	sync
	/usr/bin/time -f '%e %U %S' -o "$W/time" co-drain -s "$W/spool" "$@" \
	    2>"$W/err" || { cat "$W/err"; exit 1; }
	read -r _e _u _s <"$W/time"
	echo "$_label" "$_e" "$_u" "$_s" "$nfiles" | awk '{ printf "%-34s %6.2f s wall  %6.1f us/file wall  %5.1f user  %5.1f sys (us/file)\n", $1, $2, $2 / $5 * 1e6, $3 / $5 * 1e6, $4 / $5 * 1e6 }'
	[ "$_pre" -eq 0 ] && [ "$*" = "-A 0" ] || return 0
	# What keeping done/ defers: deleting those files later.
	sync
	/usr/bin/time -f '%e %U %S' -o "$W/time" find "$W/spool/done" -type f \
	    -name '*.vm' -delete
	read -r _e _u _s <"$W/time"
	echo "  then-deleting-them-from-done/" "$_e" "$_u" "$_s" "$nfiles" | awk '{ printf "%-34s %6.2f s wall  %6.1f us/file wall  %5.1f user  %5.1f sys (us/file)\n", $1, $2, $2 / $5 * 1e6, $3 / $5 * 1e6, $4 / $5 * 1e6 }'
}
echo "settle: $nfiles files, $bytes bytes of envelopes"
# Twice each, interleaved: the machine's other load and writeback vary.
for _i in 1 2; do
	run "archive(-A30)" 0
	gz=$(cat "$W"/spool/archive/*.gz | wc -c)
	run "-A0,done/-empty" 0 -A 0
	run "-A0,done/-holding-$D" "$D" -A 0
done
echo "$gz $bytes $nfiles" | awk '{ printf "archive: %d bytes for %d bytes of envelopes (%.1f%%), %.0f bytes per file\n", $1, $2, 100 * $1 / $2, $1 / $3 }'
