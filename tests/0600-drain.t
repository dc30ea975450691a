#!/bin/sh
# co-drain on a real spool and a real cluster: files are filed by fate, a
# second run changes nothing, pending files wait in retry/, a database that
# stops mid-run costs nothing, concurrent and killed runs lose nothing.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42');
   INSERT INTO users (id) SELECT 'tenant-' || lpad(i::text, 2, '0')
   FROM generate_series(0, 49) i"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
S=$T/spool
F=$TESTDIR/fixtures/livekit
count() { ls "$S/$1" | grep -cv '\.reason$'; }

# drop NAME LINE...: a spool file dropped into new/ by hand.
drop() {
	_name=$1
	shift
	mkdir -p "$S/new"
	printf '%s\n' "$@" >"$S/new/$_name"
}

now=$(date +%s)
i=0
for e in in_participant_joined_sip in_participant_left_sip in_room_finished \
    in_egress_ended; do
	i=$((i + 1))
	drop "$now.00000$i.1.a$i.test" \
	    "$(co-gen envelope -t $((1767225600 + i)) "$F/$e.json")"
done
drop $now.000006.1.bad.test '{"v":1, "source":"livekit", "body":'
# A room whose tenant nobody knows yet.
sed 's/usr_42/usr_new/' "$F/out_room_finished.json" >"$T/unknown.json"
drop $now.000007.1.pend.test "$(co-gen envelope -t 1767225607 "$T/unknown.json")"

co-drain -s "$S" 2>"$T/err"
check_same "exit 65: one file rejected" 65 "$?"
check_same "loaded files in done/" 4 "$(count done)"
check_same "bad file in failed/" $now.000006.1.bad.test "$(ls "$S/failed" | grep -v reason)"
check "reason beside it" grep -q "^1: Unfinished JSON term" \
    "$S/failed/$now.000006.1.bad.test.reason"
check_same "unknown tenant waits in retry/" 1 "$(count retry)"
check_same "nothing left in new/ or cur/" "0 0" "$(count new) $(ls "$S/cur" | wc -l)"
check "diagnostic names file and line" grep -q \
    "^co-drain: $now.000006.1.bad.test:1: Unfinished JSON term" "$T/err"
check_same "summary" \
    "co-drain: 6 files: 4 done, 1 retry, 1 failed; 6 records: 4 inserted, 0 duplicate, 1 pending, 1 rejected" \
    "$(tail -n 1 "$T/err")"
row() { q "SELECT c.*, (SELECT count(*) FROM livekit_call_events) FROM call_logs c ORDER BY id"; }
ref=$(row)
check_same "the call's outcome" "ended|completed|62" \
    "$(q 'SELECT status, outcome, duration FROM call_logs')"

# A second drain of the same files changes nothing.
cp -p "$S"/done/* "$S/new/"
co-drain -s "$S" 2>"$T/err"
check_same "second drain exits 0" 0 "$?"
check_same "same rows, same updatedAt" "$ref" "$(row)"
check_same "all duplicates" \
    "co-drain: 4 files: 4 done, 0 retry, 0 failed; 4 records: 0 inserted, 4 duplicate, 0 pending, 0 rejected" \
    "$(tail -n 1 "$T/err")"

# The retry file is not due yet; once due and its tenant exists, it loads.
co-drain -s "$S" 2>"$T/err"
check_same "retry not due" 1 "$(count retry)"
q "INSERT INTO users (id) VALUES ('usr_new')"
CO_NOW=$((now + 1)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "due retry loads" "0 5" "$(count retry) $(count done)"

# Pending too long becomes failed, with the reason; the age runs from the
# first pending attempt, not from the time in the name.
sed 's/usr_42/usr_gone/; s/RM_Out/RM_Old/' "$F/out_room_finished.json" >"$T/old.json"
drop $((now - 3 * 86400)).000008.1.old.test "$(co-gen envelope -t 1767225608 "$T/old.json")"
co-drain -s "$S" -R 0 2>"$T/err"
check_same "a 3-day-old file pending for the first time waits" \
    "0 $((now - 3 * 86400)).000008.1.old.test" "$? $(ls "$S/retry")"
CO_NOW=$((now + 2 * 86400)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "aged-out pending fails" 65 "$?"
check "its reason" grep -q "pending for more than 86400 s" \
    "$S/failed/$((now - 3 * 86400)).000008.1.old.test.reason"

# Many files: the database stops mid-run; exit 75, nothing half-done;
# a rerun finishes with every event once.
q "TRUNCATE call_logs CASCADE"
rm -rf "$S"
co-gen calls -c 600 "$S" >/dev/null
total=$(count new)
uniq=$(cat "$S"/new/* | jq -r .body | jq -r .id | sort -u | wc -l)
co-drain -s "$S" -b 50 2>"$T/err" &
pid=$!
while [ "$(count done)" -lt 200 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; done
pg_stop
wait $pid
check_same "database gone mid-run: exit 75" 75 "$?"
check "some files were done before" test "$(count done)" -gt 0
check_same "unfinished files back in new/" "$total" "$(($(count done) + $(count new)))"
pg_up
co-drain -s "$S" -b 50 2>"$T/err"
check_same "rerun exits 0" 0 "$?"
check_same "every file done" "$total" "$(count done)"
check_same "every event once" "$uniq" "$(q 'SELECT count(*) FROM livekit_call_events')"
check_same "one row per call" 600 "$(q 'SELECT count(*) FROM call_logs')"

# Two drains at once, one of them killed: nothing lost, nothing twice.
q "TRUNCATE call_logs CASCADE"
rm -rf "$S"
co-gen calls -c 400 "$S" >/dev/null
total=$(count new)
co-drain -s "$S" -b 20 2>"$T/err1" &
p1=$!
co-drain -s "$S" -b 20 2>"$T/err2" &
p2=$!
sleep 0.3
kill -9 $p2
wait $p1
check_same "surviving drain exits 0" 0 "$?"
wait $p2
# (An egress event may beat its room's row: pending, retried here.)
co-drain -s "$S" -R 0 2>"$T/err3"
check_same "a later run takes back the dead run's claims" 0 "$?"
check_same "every file done" "$total" "$(count done)"
check_same "cur/ is empty" 0 "$(ls "$S/cur" | wc -l)"
n1=$(sed -n 's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err1")
n3=$(sed -n 's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err3")
check "no file processed by both live runs" test "$n1" -le "$total"
check_same "every event once" "$(cat "$S"/done/* | jq -r .body | jq -r .id | sort -u | wc -l)" \
    "$(q 'SELECT count(*) FROM livekit_call_events')"

# Two live drains at once: each file claimed by exactly one of them.
q "TRUNCATE call_logs CASCADE"
rm -rf "$S"
co-gen calls -c 300 "$S" >/dev/null
total=$(count new)
co-drain -s "$S" -b 20 2>"$T/err1" &
p1=$!
co-drain -s "$S" -b 20 2>"$T/err2"
wait $p1
n1=$(sed -n 's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err1")
n2=$(sed -n 's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err2")
check_same "the two runs' files add up to all files, once each" "$total" "$((n1 + n2))"
# An egress event can beat its room's row by a hair: pending, then retried.
co-drain -s "$S" -R 0 2>/dev/null
check_same "and all are done after the retry run" "$total" "$(count done)"

# One set of calls, its files split between two drains running at once,
# gives the very rows that one drain gives alone.
q "TRUNCATE call_logs CASCADE"
rm -rf "$S" "$T/s1" "$T/s2"
co-gen calls -c 300 "$S" >/dev/null
mkdir -p "$T/s1/new" "$T/s2/new"
i=0
for f in "$S"/new/*; do
	i=$((i + 1))
	cp -p "$f" "$T/s$((i % 2 + 1))/new/"
done
rows() { q "SELECT \"userId\", \"livekitRoomSid\", direction, \"phoneNumber\",
    duration, \"startedAt\", \"endedAt\", status, outcome, \"recordingUrl\",
    metadata FROM call_logs ORDER BY 2"; }
co-drain -s "$S" -b 50 2>/dev/null
alone=$(rows)
q "TRUNCATE call_logs CASCADE"
co-drain -s "$T/s1" -b 50 2>/dev/null &
p1=$!
co-drain -s "$T/s2" -b 50 2>/dev/null
wait $p1
co-drain -s "$T/s1" -R 0 2>/dev/null
co-drain -s "$T/s2" -R 0 2>/dev/null
check_same "two drains at once give the rows of one" "$alone" "$(rows)"
check_same "all 300 calls" 300 "$(q 'SELECT count(*) FROM call_logs')"

# -j 3: three drains side by side in one command.
q "TRUNCATE call_logs CASCADE"
rm -rf "$S"
co-gen calls -c 300 "$S" >/dev/null
total=$(count new)
rm -rf "$T/ref"
cp -rp "$S" "$T/ref"
co-drain -s "$S" -j 3 2>"$T/err"
check_same "-j 3 exits 0" 0 "$?"
check_same "-j 3: three runs report" 3 "$(grep -c '^co-drain: .* files' "$T/err")"
check_same "-j 3: their files add up to all, once each" "$total" \
    "$(sed -n 's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err" |
    awk '{ s += $1 } END { print s }')"
co-drain -s "$S" -R 0 2>/dev/null
check_same "-j 3: all done" "$total" "$(count done)"
jobs=$(rows)
q "TRUNCATE call_logs CASCADE"
co-drain -s "$T/ref" 2>/dev/null
check_same "-j 3: the rows of one drain" "$(rows)" "$jobs"

t_run 64 'co-drain -x' '' ''
t_run 64 'co-drain -j 0' '' ''
t_run 64 'co-drain extra' '' ''
t_run 64 'co-drain -b 0' '' ''
done_testing
