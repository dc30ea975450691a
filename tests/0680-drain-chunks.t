#!/bin/sh
# co-drain does not wait for the database at the end of each chunk of
# listed files (issue 13.4): files whose records are still in the
# loader's batches are kept into the next chunk and settled when their
# batch commits.  With chunks of 3 files (CO_DRAIN_CHUNK) and batches of
# 4 records, most files cross a chunk's end: the rows, the files' places
# and the archive are those of a drain in one chunk; with -j 3 too.
. "$(dirname "$0")/lib.sh"
drain_setup
drain_ref 8
total=$(ls "$REF/new" | wc -l)
count() { find "$S/$1" -type f ! -name '*.reason' | wc -l; }
rows() { q "SELECT \"userId\", \"livekitRoomSid\", duration, status, outcome,
    \"recordingUrl\", (SELECT count(*) FROM livekit_call_events)
    FROM call_logs ORDER BY 2"; }
# state: the rows, where the files are, the archive's lines.
state() {
	echo "$(rows) | $(count new) $(count cur) $(count done) $(count failed) $(count retry) | $(zcat "$S"/archive/*.gz 2>/dev/null | sort | md5sum)"
}
drain() {
	q "TRUNCATE call_logs CASCADE"
	rm -rf "$S"
	cp -rp "$REF" "$S"
	co-drain -s "$S" -R 0 "$@" 2>"$T/err"
	echo $? >"$T/rc"
}

drain -b 4
want=$(state)
sum1=$(grep '^co-drain:' "$T/err")
check_same "one chunk: exit 65 (the bad file)" 65 "$(cat "$T/rc")"
CO_DRAIN_CHUNK=3 drain -b 4
check_same "chunks of 3, batches of 4: exit 65" 65 "$(cat "$T/rc")"
check_same "the same rows, places and archive" "$want" "$(state)"
check_same "the same summary" "$sum1" "$(grep '^co-drain:' "$T/err")"
xacts() { q "SELECT pg_stat_force_next_flush()" >/dev/null; q "SELECT xact_commit FROM pg_stat_database WHERE datname = 'co'"; }
x0=$(xacts)
CO_DRAIN_CHUNK=1 drain -b 1000
x1=$(xacts)
check_same "chunks of 1, one batch for all: the same" "$want" "$(state)"
check "and not a transaction per chunk ($((x1 - x0)) for $total files)" \
    test $((x1 - x0)) -lt $((total / 2))
CO_DRAIN_CHUNK=3 drain -b 4 -A 0
check_same "with -A 0: all but two in done/" \
    "$((total - 2)) 0 0" "$(count done) $(count new) $(count cur)"
# Jobs side by side may find an event before its call's row (pending):
# a second run loads it.
CO_DRAIN_CHUNK=2 drain -b 3 -j 3
CO_DRAIN_CHUNK=2 co-drain -s "$S" -R 0 -b 3 2>/dev/null
check_same "-j 3, chunks of 2: the same rows and places" \
    "$(echo "$want" | cut -d'|' -f1-2)" "$(state | cut -d'|' -f1-2)"
check_same "and every loaded file archived once" \
    "$(cat $(ls -d "$REF"/new/* | grep -v -e '\.bad$' -e '\.pend$') | sort |
    md5sum)" "$(zcat "$S"/archive/*.gz | sort | md5sum)"
t_run 64 'CO_DRAIN_CHUNK=0 co-drain -s /nonexistent' '' ''
done_testing
