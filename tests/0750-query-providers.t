#!/bin/sh
# One answer about a call whichever provider (issue 9 point 7): co-query
# calls, stats and events read LiveKit's call_logs and ElevenLabs' calls
# together with a provider column, --provider narrows, the cursor pages
# across both, an ElevenLabs webhook's metadata.cost lands, and another
# tenant's login sees none of it.  Run as logins of co_analyst with their
# tenant_members rows (row security on), as tests/0720 does.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('tenant-a'), ('tenant-b');
   CREATE ROLE ana LOGIN IN ROLE co_analyst;
   CREATE ROLE bob LOGIN IN ROLE co_analyst;
   INSERT INTO tenant_members (login, tenant) VALUES ('ana', 'tenant-a'),
   ('bob', 'tenant-b')" >/dev/null || exit 1

# LiveKit: 7 calls of tenant-a, 3 of tenant-b, an hour apart; the 4th
# starts when an ElevenLabs call does (a tie broken by id).
q "INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", direction,
   \"startedAt\", duration, outcome, status)
   SELECT 'lk-' || t || '-' || i, 'tenant-' || t, 'room-' || t || i,
   'outbound', timestamp '2026-01-01 00:00' + i * interval '1 hour',
   10 * i, CASE WHEN i % 2 = 0 THEN 'completed' ELSE 'no_answer' END, 'ended'
   FROM (VALUES ('a', 7), ('b', 3)) v(t, n), generate_series(1, n) i"
# ElevenLabs: the vector's call through the four stages (cost 312), and
# three more of tenant-a (one without started_at: its created_at counts),
# one of tenant-b.
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
unset ELEVENLABS_WEBHOOK_SECRET_FILE CO_NOW 2>/dev/null
q "INSERT INTO calls (user_id, driver_id, call_sid, conversation_id, status)
   VALUES ('tenant-a', 'drv7', 'EL_vec_1', 'conv_01jvectortest0000000000000',
   'in_progress')"
V=$VECTORS/elevenlabs_post_call_transcription.json
jq -nc --arg h "$(el-sign "$SECRET" 1767225660 "$V")" --rawfile body "$V" \
    '{v:1, received_at:"2026-01-01T00:01:05Z", source:"elevenlabs",
    method:"POST", path:"/webhooks/elevenlabs", query:"", remote:"127.0.0.1",
    headers:{"content-type":"application/json", "elevenlabs-signature":$h},
    body:$body}' | co-verify | co-transform | co-classify | co-load -b 1 \
    >"$T/fates" 2>"$T/err"
check_same "the vector's webhook loads" inserted "$(jq -r .status "$T/fates")"
check_same "ElevenLabs' metadata.cost lands in calls.cost" 312 \
    "$(q "SELECT cost FROM calls WHERE call_sid = 'EL_vec_1'")"
q "INSERT INTO calls (user_id, call_sid, conversation_id, status, outcome,
   duration, cost, to_number, started_at, created_at) VALUES
   ('tenant-a', 'EL_a_2', 'conv_a_2', 'completed', 'completed', 30, 0.25,
    '+15550001', '2026-01-01 04:00+00', '2026-01-01 04:00+00'),
   ('tenant-a', 'EL_a_3', 'conv_a_3', 'failed', 'busy', NULL, NULL,
    '+15550002', '2026-01-01 05:30+00', '2026-01-01 05:30+00'),
   ('tenant-a', 'EL_a_4', 'conv_a_4', 'in_progress', NULL, NULL, NULL,
    '+15550003', NULL, '2026-01-01 09:00+00'),
   ('tenant-b', 'EL_b_1', 'conv_b_1', 'completed', 'completed', 5, 1,
    '+15550004', '2026-01-01 02:30+00', '2026-01-01 02:30+00')"

# What co-query must list for tenant-a, newest first, in SQL written here.
expect() {
	q "SELECT p || ' ' || id FROM (
	   SELECT 'livekit' p, id, coalesce(\"startedAt\", \"createdAt\") k
	   FROM call_logs WHERE \"userId\" = 'tenant-a' AND $1
	   UNION ALL SELECT 'elevenlabs', id::text,
	   coalesce(started_at, created_at) AT TIME ZONE 'UTC' FROM calls
	   WHERE user_id = 'tenant-a' AND $2) c ORDER BY k DESC, id DESC"
}
ana() { PGUSER=ana co-query -u tenant-a "$@"; }
ALL=$(expect true true)
check_same "the test has 11 calls of tenant-a" 11 "$(echo "$ALL" | wc -l)"
check_same "calls: both providers, newest first, with provider" "$ALL" \
    "$(ana calls -o ndjson | jq -r '.provider + " " + .id')"
check_same "--provider elevenlabs narrows" "$(expect false true)" \
    "$(ana calls --provider elevenlabs -o ndjson | jq -r '.provider + " " + .id')"
check_same "--provider livekit narrows" "$(expect true false)" \
    "$(ana calls --provider livekit -o ndjson | jq -r '.provider + " " + .id')"
check_same "--provider livekit,elevenlabs is both" "$ALL" \
    "$(ana calls --provider livekit,elevenlabs -o ndjson |
    jq -r '.provider + " " + .id')"
t_run 64 "PGUSER=ana co-query -u tenant-a calls --provider vonage" '' ''
check_same "... saying why" "co-query: unknown provider: vonage" "$(cat "$T/err")"
check_same "an ElevenLabs row in call_logs' names" \
    '{"provider":"elevenlabs","userId":"tenant-a","phoneNumber":"+15550001","duration":30,"startedAt":"2026-01-01T04:00:00.000Z","status":"completed","outcome":"completed","cost":"0.25","metadata":{"call_sid":"EL_a_2","conversation_id":"conv_a_2"}}' \
    "$(ana calls --provider elevenlabs -o ndjson |
    jq -c 'select(.metadata.call_sid == "EL_a_2") | {provider, userId,
    phoneNumber, duration, startedAt, status, outcome, cost, metadata}')"
check_same "the vector's cost in co-query calls" '"312"' \
    "$(ana calls -o ndjson | jq -c 'select(.metadata.call_sid == "EL_vec_1") | .cost')"
check_same "filters apply to both: --outcome completed" \
    "$(expect "outcome = 'completed'" "outcome = 'completed'")" \
    "$(ana calls --outcome completed -o ndjson | jq -r '.provider + " " + .id')"
check_same "--since/--until on both providers' key" \
    "$(expect "coalesce(\"startedAt\", \"createdAt\") >= '2026-01-01 04:00'
    AND coalesce(\"startedAt\", \"createdAt\") < '2026-01-01 09:00'" \
    "coalesce(started_at, created_at) >= '2026-01-01 04:00+00' AND
    coalesce(started_at, created_at) < '2026-01-01 09:00+00'")" \
    "$(ana calls --since 2026-01-01T04:00:00Z --until 2026-01-01T09:00:00Z \
    -o ndjson | jq -r '.provider + " " + .id')"
check_same "--campaign: LiveKit's alone" "" \
    "$(ana calls --campaign spring -o ndjson 2>/dev/null | jq -r .provider | sort -u)"

# --- the cursor across the union ----------------------------------------------
: >"$T/pages"
after=
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
	ana calls -n 2 ${after:+-a "$after"} -o ndjson >>"$T/pages" 2>"$T/next"
	after=$(sed -n 's/^next: --after //p' "$T/next")
	[ -n "$after" ] || break
done
check_same "pages of 2 give every call once, in order" "$ALL" \
    "$(jq -r '.provider + " " + .id' "$T/pages")"
check_same "in 6 pages" 6 "$n"
for p in livekit elevenlabs; do
	: >"$T/pages"
	after=
	while :; do
		ana calls -n 1 --provider $p ${after:+-a "$after"} -o ndjson \
		    >>"$T/pages" 2>"$T/next"
		after=$(sed -n 's/^next: --after //p' "$T/next")
		[ -n "$after" ] || break
	done
	check_same "--provider $p pages one by one" \
	    "$(ana calls --provider $p -o ndjson | jq -r .id)" \
	    "$(jq -r .id "$T/pages")"
done

# --- stats ---------------------------------------------------------------------
check_same "stats counts both providers" "11 5 4 1" \
    "$(ana stats -o ndjson | jq -r '"\(.calls) \(.completed) \(.no_answer) \(.busy)"')"
check_same "stats --by provider" \
    '{"provider":"elevenlabs","calls":4,"completed":2} {"provider":"livekit","calls":7,"completed":3}' \
    "$(ana stats -b provider -o ndjson | jq -c '{provider, calls, completed}' |
    tr '\n' ' ' | sed 's/ $//')"
check_same "stats --provider elevenlabs: avg duration of 47 and 30" \
    "4 38.5" \
    "$(ana stats --provider elevenlabs -o ndjson | jq -r '"\(.calls) \(.avg_duration)"')"
check_same "stats --by day counts both" "2026-01-01 11" \
    "$(ana stats -b day -o ndjson | jq -r '"\(.day) \(.calls)"')"

# --- events --------------------------------------------------------------------
check_same "events of an ElevenLabs call: its webhook, provider elevenlabs" \
    "elevenlabs post_call_transcription:conv_01jvectortest0000000000000 312" \
    "$(ana events EL_vec_1 -o ndjson | jq -r '"\(.provider) \(.event_id) \(.cost)"')"
check_same "events -r adds the raw webhook" conv_01jvectortest0000000000000 \
    "$(ana events -r EL_vec_1 -o ndjson | jq -r '.raw.data.conversation_id')"

# --- the other tenant -----------------------------------------------------------
check_same "bob sees tenant-b's own calls only" \
    "elevenlabs tenant-b livekit tenant-b" \
    "$(PGUSER=bob co-query -u tenant-b calls -o ndjson |
    jq -r '.provider + " " + .userId' | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_same "bob's stats: 4" 4 \
    "$(PGUSER=bob co-query -u tenant-b stats -o ndjson | jq .calls)"
PGUSER=bob co-query -u tenant-a calls -o ndjson >"$T/out" 2>/dev/null
check_same "bob naming tenant-a: exit 1, no rows" "1 0" "$? $(wc -l <"$T/out")"
PGUSER=bob co-query -u tenant-a events EL_vec_1 >"$T/out" 2>"$T/err"
check_same "bob: tenant-a's ElevenLabs call not found" \
    "1 co-query: EL_vec_1: not found" "$? $(cat "$T/err")"
check_same "bob's stats naming tenant-a: 0" 0 \
    "$(PGUSER=bob co-query -u tenant-a stats -o ndjson | jq .calls)"

# --- plans: each arm reads its tenant's index entries (migrations 002, 010) ---
plan_of() {
	PGUSER=ana q "BEGIN; SELECT set_config('co.tenant', 'tenant-a', true);
	    SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;
	    EXPLAIN $1; COMMIT" >"$T/plan"
}
EL_KEY='CASE WHEN started_at IS NULL THEN created_at ELSE started_at END'
plan_of "SELECT id FROM calls WHERE user_id = current_setting('co.tenant')
    AND ($EL_KEY, id::text) < ('2026-01-01T05:00:00Z'::timestamptz, '9')
    ORDER BY $EL_KEY DESC, id::text DESC LIMIT 3"
check "a page of ElevenLabs calls: the index of 010 from the cursor" \
    grep -q 'Index Scan using calls_user_id_start_idx' "$T/plan"
check "... without a sort" sh -c "! grep -q 'Sort' '$T/plan'"
plan_of "SELECT count(*), avg(duration) FROM calls
    WHERE user_id = current_setting('co.tenant') AND outcome = 'completed'"
check "stats on ElevenLabs calls: an index-only scan" \
    grep -q 'Index Only Scan using calls_user_id_start_idx' "$T/plan"
done_testing
