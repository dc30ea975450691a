#!/bin/sh
# co-backfill on a real cluster: 200 000 legacy calls rows (driver/second
# pairs that collide, rows without a driver, names already taken) get
# EL_{driver_id|UNKNOWN}_{epoch} in bounded batches while co-drain loads
# LiveKit and ElevenLabs webhooks (some for these very rows); killed
# mid-way and run again, every row ends filled, all call_sids unique, and
# exactly as the dry run said beforehand; -n changes nothing; -T bounds a
# batch that cannot get its rows; usage.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('acme'), ('usr_42');
   INSERT INTO users (id) SELECT 'tenant-' || lpad(i::text, 2, '0')
   FROM generate_series(0, 49) i"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
unset CO_NOW 2>/dev/null
N=200000

# Legacy rows: three rows share each (driver, second); every 50th such
# group has no driver (UNKNOWN); epoch 1735689600 is 2025-01-01.
q "INSERT INTO calls (user_id, driver_id, conversation_id, status, created_at)
   SELECT 'acme', CASE WHEN (i / 3) % 50 = 0 THEN NULL
       ELSE 'drv_' || ((i / 3) % 1000) END, 'legacy_' || i, 'in_progress',
       timestamptz '2025-01-01 00:00:00+00' + (i / 3) * interval '1 s'
       + (i % 3) * interval '100 ms'
   FROM generate_series(1, $N) i"
# Names already taken by rows that came with a call_sid.
q "INSERT INTO calls (user_id, driver_id, conversation_id, call_sid, status)
   VALUES ('acme', 'drv_1', 'new_1', 'EL_drv_1_1735689601', 'completed'),
          ('acme', 'drv_1', 'new_2', 'EL_drv_1_1735689601_3', 'completed')"
snap() { q "SELECT md5(string_agg(id || ':' || coalesce(call_sid, '-') || ':' || updated_at, ',' ORDER BY id)) FROM calls"; }

# -n: what it would do, nothing changed.
before=$(snap)
co-backfill -n >"$T/plan" 2>"$T/err"
check_same "-n exits 0" 0 "$?"
check_same "-n changes nothing" "$before" "$(snap)"
check_same "-n prints one line per row" $N "$(wc -l <"$T/plan" | tr -d ' ')"
check_same "-n summary" \
    "co-backfill: would fill $N rows in 200 batches, 133334 disambiguated (dry run: nothing changed)" \
    "$(cat "$T/err")"
check_same "-n: all planned call_sids distinct" $N "$(jq -r .call_sid "$T/plan" | sort -u | wc -l | tr -d ' ')"
# the first rows: ids 1..5 (i = 1..5): i/3 = 0 -> UNKNOWN, second 0;
# i/3 = 1 -> drv_1, second 1, whose bare name and _3 are taken.
check_same "-n: the seed's format, disambiguated in id order around taken names" \
    "EL_UNKNOWN_1735689600 EL_UNKNOWN_1735689600_2 EL_drv_1_1735689601_2 EL_drv_1_1735689601_4 EL_drv_1_1735689601_5" \
    "$(head -n 5 "$T/plan" | jq -r .call_sid | tr '\n' ' ' | sed 's/ $//')"

# A spool for co-drain: LiveKit calls, and ElevenLabs webhooks for some of
# the legacy rows (found by conversation_id, they lock those rows).
S=$T/spool
co-gen calls -c 300 "$S" >/dev/null
now=$(date +%s)
jq -c '.data' "$VECTORS/elevenlabs_post_call_transcription.json" >"$T/data.json"
for i in $(seq 1000 1997 150000); do
	jq -c --arg c "legacy_$i" --argjson t "$now" \
	    '{type:"post_call_transcription", event_timestamp:$t, data:(.conversation_id = $c)}' \
	    "$T/data.json" | tr -d '\n' >"$T/b"
	jq -nc --arg h "$(el-sign "$SECRET" "$now" "$T/b")" --rawfile body "$T/b" \
	    --arg ra "$(date -u -d @"$now" +%Y-%m-%dT%H:%M:%SZ)" \
	    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
	    path:"/webhooks/elevenlabs", query:"", headers:{"elevenlabs-signature":$h},
	    body:$body}' >"$S/new/$now.$i.1.el.test"
done
nel=$(ls "$S/new" | grep -c '\.el\.test$')

# Backfill while co-drain runs; kill -9 mid-way.
co-drain -s "$S" -b 20 >/dev/null 2>"$T/drain.err" &
drain=$!
co-backfill -b 1000 -T 5 2>"$T/err1" &
bf=$!
i=0
while [ "$(q "SELECT count(*) FROM calls WHERE call_sid IS NOT NULL")" -lt 60000 ] &&
    kill -0 $bf 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 $bf
wait $bf 2>/dev/null
done1=$(q "SELECT count(*) FROM calls WHERE call_sid IS NOT NULL")
check "killed mid-way: some rows filled ($done1)" test "$done1" -gt 2
check "killed mid-way: some rows still NULL" test "$done1" -lt $((N + 2))
jq -r '"\(.id) \(.call_sid)"' "$T/plan" >"$T/want"
q "SELECT id, call_sid FROM calls WHERE id <= $N AND call_sid IS NOT NULL ORDER BY id" |
    tr '|' ' ' >"$T/got1"
check_same "the rows filled before the kill have their planned names" "" \
    "$(join "$T/want" "$T/got1" | awk '$2 != $3' | head -n 3)"
check_same "(all of them)" $((done1 - 2)) "$(join "$T/want" "$T/got1" | wc -l | tr -d ' ')"
start=$(date +%s)
co-backfill -b 1000 -T 5 2>"$T/err2"
check_same "the rerun exits 0" 0 "$?"
check "the rerun took under a minute" test $(($(date +%s) - start)) -lt 60
wait $drain
check_same "co-drain meanwhile exits 0" 0 "$?"
check_same "co-drain loaded the ElevenLabs webhooks of legacy rows" "$nel" \
    "$(q "SELECT count(*) FROM calls WHERE conversation_id LIKE 'legacy_%' AND status = 'completed'")"
check_same "every row filled" 0 "$(q "SELECT count(*) FROM calls WHERE call_sid IS NULL")"
check_same "all call_sids unique" $((N + 2)) "$(q "SELECT count(DISTINCT call_sid) FROM calls")"
q "SELECT id, call_sid FROM calls WHERE id <= $N ORDER BY id" | tr '|' ' ' >"$T/got"
check "exactly what the dry run planned, despite the kill and the loads" cmp -s "$T/want" "$T/got"
check "the rerun filled the rest" grep -q "^co-backfill: $((N - done1 + 2)) rows in [0-9]* batches" "$T/err2"
nb=$(sed -n 's/.* in \([0-9]*\) batches.*/\1/p' "$T/err2")
check "in batches of at most 1000 rows ($nb)" test "$nb" -ge $(((N - done1 + 2) / 1000))

# Nothing left: a run does nothing and exits 0.
before=$(snap)
co-backfill 2>"$T/err"
check_same "nothing to do: exit 0" 0 "$?"
check_same "nothing to do: summary" "co-backfill: 0 rows in 0 batches, 0 disambiguated" "$(cat "$T/err")"
check_same "nothing to do: nothing changed" "$before" "$(snap)"

# New legacy rows later: continues the sequence past the names now taken.
q "INSERT INTO calls (user_id, driver_id, conversation_id, status, created_at)
   VALUES ('acme', 'drv_1', 'late_1', 'in_progress', timestamptz '2025-01-01 00:00:01.9+00'),
          ('acme', '', 'late_2', 'in_progress', timestamptz '2025-01-01 00:00:00+00')"
co-backfill 2>/dev/null
check_same "late rows: the next free names; an empty driver_id is UNKNOWN" \
    "EL_drv_1_1735689601_6 EL_UNKNOWN_1735689600_3" \
    "$(q "SELECT string_agg(call_sid, ' ' ORDER BY id) FROM calls WHERE conversation_id LIKE 'late_%'")"

# Progress on a tty: \r lines on stderr.
q "UPDATE calls SET call_sid = NULL WHERE id BETWEEN 1 AND 3000"
if command -v script >/dev/null; then
	script -qec "co-backfill -b 500" /dev/null >"$T/tty" 2>&1
	check "progress with carriage returns on a tty" \
	    grep -q "$(printf '\r')co-backfill: 3000 of 3000 rows, 6 batches" "$T/tty"
else
	co-backfill -b 500 2>/dev/null
	ok "# SKIP no script(1) for a tty"
fi
check_same "same names again" "$(sed -n 1,3000p "$T/want")" \
    "$(q "SELECT id, call_sid FROM calls WHERE id <= 3000 ORDER BY id" | tr '|' ' ')"

# -T bounds a batch: the table locked by another session; exit 75, no change.
q "UPDATE calls SET call_sid = NULL WHERE id BETWEEN 1 AND 10"
before=$(snap)
psql -X -q -c "BEGIN; LOCK TABLE calls IN EXCLUSIVE MODE; SELECT pg_sleep(20); COMMIT" >/dev/null 2>&1 &
locker=$!
sleep 0.5
start=$(date +%s)
co-backfill -b 4 -T 1 2>"$T/err"
rc=$?
check_same "rows it cannot get in time: exit 75" 75 "$rc"
check "gave up within a few batch times" test $(($(date +%s) - start)) -le 8
check "says why" grep -q "^co-backfill: ERROR:  canceling statement due to statement timeout" "$T/err"
kill $locker 2>/dev/null
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()" >/dev/null
wait $locker 2>/dev/null
check_same "and nothing changed" "$before" "$(snap)"
co-backfill 2>/dev/null
check_same "then it finishes" 0 "$(q "SELECT count(*) FROM calls WHERE call_sid IS NULL")"

# Migration 004 rolled back and applied again: the call_sids come back.
before=$(q "SELECT md5(string_agg(id || call_sid, ',' ORDER BY id)) FROM calls")
co-migrate down "$(above 3)" >/dev/null	# 005 and later, then 004
t_run 69 'co-backfill' '' ''
co-migrate up >/dev/null
check_same "004 down and up keep every call_sid" "$before" \
    "$(q "SELECT md5(string_agg(id || call_sid, ',' ORDER BY id)) FROM calls")"

t_run 64 'co-backfill -x' '' ''
t_run 64 'co-backfill extra' '' ''
t_run 64 'co-backfill -b 0' '' ''
t_run 64 'co-backfill -T 0' '' ''
t_run 75 'co-backfill -d "host=/nonexistent"' '' ''
done_testing
