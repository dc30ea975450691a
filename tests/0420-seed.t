#!/bin/sh
# A site that runs the seed system switches: co-migrate up adopts the
# seed's tables with their rows (tests/fixtures/seed-schema.sql, seed 000
# verbatim), an empty database gets the same tables, the seed's monitoring
# SQL runs unchanged, down removes only what up added; the seed's payloads
# give the seed's answers; events never erase what another writer put in a
# row, in any interleaving with the seed's own code path (reproduced here
# in SQL); an event never lands on another tenant's call.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
FX=$TESTDIR/fixtures
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
export CO_NOW=1767225700

# The seed's tables and rows, as its Python code and the application wrote
# them: ids that are not UUIDs, status 'active', cost as a string.
createdb seed || exit 1
createdb fresh || exit 1
qs() { PGDATABASE=seed q "$1"; }
qf() { PGDATABASE=fresh q "$1"; }
PGDATABASE=seed psql -X -q -v ON_ERROR_STOP=1 -f "$FX/seed-schema.sql" \
    >/dev/null 2>&1 || { not_ok "the seed's DDL runs"; done_testing; exit 1; }
qs "INSERT INTO users (id, email) VALUES ('user_456', 'a@example.com'),
      ('user_9', NULL);
    INSERT INTO agent_configs (id, \"userId\", name)
      VALUES ('agent_789', 'user_456', 'front desk');
    INSERT INTO call_logs (id, \"userId\", \"agentConfigId\",
      \"livekitRoomName\", \"livekitRoomSid\", direction, \"phoneNumber\",
      \"sipCallId\", \"startedAt\", status, cost)
      VALUES ('abc-123-def', 'user_456', 'agent_789', 'old-room', 'RM_old',
      'outbound', '+15550001111', 'sip-call-uuid', '2025-10-28 09:00:00',
      'active', '0.05');
    INSERT INTO livekit_call_events (id, \"userId\", \"callLogId\",
      \"eventId\", event, \"roomName\", \"roomSid\", timestamp, \"rawPayload\")
      VALUES ('ev-1', 'user_456', 'abc-123-def', 'evt_old', 'participant_joined',
      'old-room', 'RM_old', 1761642000, '{\"id\": \"evt_old\"}')"

# Columns and indexes of the seed's two tables, as the catalog has them.
shape() {
	PGDATABASE=$1 q "SELECT table_name || '.' || column_name || ' ' ||
	    data_type || coalesce('(' || character_maximum_length || ')', '') ||
	    ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
	    FROM information_schema.columns WHERE table_schema = 'public'
	    AND table_name IN ('call_logs', 'livekit_call_events')
	    ORDER BY table_name, column_name"
}
indexes() {
	PGDATABASE=$1 q "SELECT indexname || ' ' || regexp_replace(indexdef,
	    ' ON public\\.', ' ON ') FROM pg_indexes WHERE schemaname = 'public'
	    AND tablename IN ('call_logs', 'livekit_call_events') ORDER BY 1"
}
dump() {
	PGDATABASE=$1 q "SELECT row_to_json(c)::text FROM call_logs c
	    ORDER BY id; SELECT row_to_json(e)::text FROM livekit_call_events e
	    ORDER BY id; SELECT * FROM users ORDER BY id;
	    SELECT * FROM agent_configs ORDER BY id"
}
shape seed >"$T/shape.before"
indexes seed >"$T/idx.before"
dump seed >"$T/rows.before"

PGDATABASE=seed co-migrate up >"$T/out" 2>"$T/err"
check_same "up on the seed's database succeeds" "0 " "$? $(cat "$T/err")"
check_same "every migration applied" \
    "$(ls "$CO_MIGRATIONS"/*.up.sql | wc -l)" "$(grep -c '^applied ' "$T/out")"
check_same "the four seed tables adopted, recorded" \
    "agent_configs call_logs livekit_call_events users" \
    "$(qs "SELECT string_agg(relname, ' ' ORDER BY relname) FROM co_adopted")"
check_same "no row lost or changed" "$(cat "$T/rows.before")" \
    "$(PGDATABASE=seed q "SELECT row_to_json(c)::text FROM (SELECT id,
    \"userId\", \"agentConfigId\", \"livekitRoomName\", \"livekitRoomSid\",
    direction, \"phoneNumber\", \"sipCallId\", duration, \"startedAt\",
    \"endedAt\", status, outcome, \"recordingUrl\", metadata, cost,
    \"createdAt\", \"updatedAt\" FROM call_logs ORDER BY id) c;
    SELECT row_to_json(e)::text FROM (SELECT id, \"userId\", \"callLogId\",
    \"eventId\", event, \"roomName\", \"roomSid\", \"participantIdentity\",
    \"participantSid\", timestamp, \"rawPayload\", processed,
    \"errorMessage\", \"createdAt\", \"processedAt\"
    FROM livekit_call_events ORDER BY id) e;
    SELECT * FROM users ORDER BY id; SELECT * FROM agent_configs ORDER BY id")"
# Every seed column keeps its name, type and default; only direction and
# "startedAt" lose NOT NULL (co-migrate(1)).
sed -e '/^call_logs\.direction /s/null=NO/null=YES/' \
    -e '/^call_logs\.startedAt /s/null=NO/null=YES/' "$T/shape.before" \
    >"$T/shape.want"
shape seed >"$T/shape.after"
check_same "every seed column kept (name, type, default)" "" \
    "$(grep -vxFf "$T/shape.after" "$T/shape.want")"
check_same "every seed index kept" "" \
    "$(indexes seed | grep -vxFf - "$T/idx.before")"

PGDATABASE=fresh co-migrate up >/dev/null 2>"$T/err"
check_same "up on an empty database" "" "$(cat "$T/err")"
check_same "an empty database gets the same columns" "$(shape seed)" \
    "$(shape fresh)"
check_same "and the same indexes" "$(indexes seed)" "$(indexes fresh)"
check_same "fresh: nothing adopted" 0 "$(qf 'SELECT count(*) FROM co_adopted')"

for db in seed fresh; do
	PGDATABASE=$db psql -X -q -v ON_ERROR_STOP=1 \
	    -f "$FX/seed-monitoring.sql" >"$T/mon.$db" 2>&1
	check_same "the seed's monitoring SQL runs unchanged ($db)" 0 "$?"
done
check "monitoring: events by event" grep -q '^ *1 | participant_joined' "$T/mon.seed"
check "monitoring: by processed" grep -q '^ *1 | *1$' "$T/mon.seed"

# --- the seed's payloads give the seed's answers ----------------------------
# load DB TENANT BODY...: sign each body, then the pipeline, one batch per
# event; fates to stdout.
load() {
	_db=$1 _u=$2
	shift 2
	_i=0
	for _b in "$@"; do
		_i=$((_i + 1))
		co-gen envelope -t $((1767225600 + _i)) "$_b"
	done | co-verify | co-transform | co-classify |
	    PGDATABASE=$_db co-load -b 1 -u "$_u" 2>>"$T/load.err"
}
# The body of 000's "Request Body", and of the curl under "Test Webhook".
printf '%s' '{
  "id": "evt_abc123",
  "event": "participant_left",
  "createdAt": "2025-10-29T12:34:56Z",
  "room": {
    "name": "sip-7678189426__1730000000__abc",
    "sid": "RM_test123",
    "creationTime": "2025-10-29T12:34:10Z"
  },
  "participant": {
    "sid": "PA_agent123",
    "identity": "agent",
    "disconnectReason": "CLIENT_INITIATED"
  }
}' >"$T/seed-body"
printf '%s' '{"id":"evt_test","event":"participant_left","room":{"name":"test-room","sid":"RM_123","creationTime":"2025-10-29T12:00:00Z"},"participant":{"sid":"PA_123","identity":"agent"},"createdAt":"2025-10-29T12:00:45Z"}' \
    >"$T/curl-body"
load seed user_456 "$T/seed-body" "$T/curl-body" >"$T/fates"
check_same "both inserted" "inserted inserted" \
    "$(jq -r .status "$T/fates" | xargs)"
check_same "the seed's example: its GET .../outcome answer" \
    'user_456|sip-7678189426__1730000000__abc|RM_test123|+17678189426|46|2025-10-29 12:34:10|2025-10-29 12:34:56|ended|completed|{"participant_sid": "PA_agent123", "disconnect_reason": "CLIENT_INITIATED"}|' \
    "$(qs "SELECT \"userId\", \"livekitRoomName\", \"livekitRoomSid\",
    \"phoneNumber\", duration, \"startedAt\", \"endedAt\", status, outcome,
    metadata, cost FROM call_logs WHERE \"livekitRoomSid\" = 'RM_test123'")"
check_same "the curl example: 45 s, completed, ended" "45|completed|ended" \
    "$(qs "SELECT duration, outcome, status FROM call_logs
    WHERE \"livekitRoomSid\" = 'RM_123'")"
check_same "its event as the seed stores it" \
    "participant_left|1761741296|1||t|sip-7678189426__1730000000__abc|agent|PA_agent123" \
    "$(qs "SELECT event, timestamp, processed, \"errorMessage\",
    \"processedAt\" IS NOT NULL, \"roomName\", \"participantIdentity\",
    \"participantSid\" FROM livekit_call_events WHERE \"eventId\" = 'evt_abc123'")"
check_same "ids are the seed's VARCHAR(36) strings" "36 36" \
    "$(qs "SELECT length(c.id) || ' ' || length(e.id) FROM call_logs c
    JOIN livekit_call_events e ON e.\"callLogId\" = c.id
    WHERE e.\"eventId\" = 'evt_abc123'")"
PGDATABASE=seed co-query calls -u user_456 --status ended -o ndjson \
    >"$T/q" 2>"$T/err"
check_same "co-query --status ended lists them" \
    "RM_123 ended,RM_test123 ended" \
    "$(jq -r '"\(.livekitRoomSid) \(.status)"' "$T/q" | sort | paste -sd, -)"
PGDATABASE=seed co-query calls -u user_456 --status active -o ndjson >"$T/q"
check_same "co-query --status active: the seed's active row" "abc-123-def active 0.05" \
    "$(jq -r '"\(.id) \(.status) \(.cost)"' "$T/q")"
check_same "co-query outcome by the seed's id" "abc-123-def" \
    "$(PGDATABASE=seed co-query outcome abc-123-def -u user_456 -o ndjson | jq -r .id)"
check_same "co-query events: event, timestamp, processed, processedAt" \
    "participant_left 1761741296 1 true" \
    "$(PGDATABASE=seed co-query events RM_test123 -u user_456 -o ndjson |
    jq -r '"\(.event) \(.timestamp) \(.processed) \(.processedAt != null)"')"

# ISO 8601 as the seed's payloads may write it: a fraction, an offset;
# anything else is no time (the receive time stands in for createdAt).
for t in 2025-10-29T12:34:56Z 2025-10-29T12:34:56.250Z \
    2025-10-29T14:34:56+02:00 2025-10-29T07:34:56-05:00 \
    2025-10-29T12:34:56+24:00 2025-13-29T12:34:56Z 2025-10-29 garbage; do
	jq -nc --arg t "$t" '{v: 1, received_at: "2026-01-01T00:00:00Z",
	    source: "livekit", body: ({id: "e", event: "room_started",
	    createdAt: $t, room: {name: "r", creationTime: $t}} | tojson)}'
done | co-transform | jq -r '"\(.occurred_at) \(.started_at)"' >"$T/iso"
check_same "ISO 8601 times: Z, fraction, offsets; the rest absent" \
    "2025-10-29T12:34:56Z 2025-10-29T12:34:56Z
2025-10-29T12:34:56Z 2025-10-29T12:34:56Z
2025-10-29T12:34:56Z 2025-10-29T12:34:56Z
2025-10-29T12:34:56Z 2025-10-29T12:34:56Z
2026-01-01T00:00:00Z null
2026-01-01T00:00:00Z null
2026-01-01T00:00:00Z null
2026-01-01T00:00:00Z null" "$(cat "$T/iso")"

# A room without a SIP participant is judged by the seed's rules on its
# participant_left; one with a SIP participant by ours (co-classify(1)).
# case: reason seconds no-SIP-outcome SIP-outcome
cat >"$T/cases" <<'CASES'
CLIENT_INITIATED 46 completed completed
CLIENT_INITIATED 5 no_answer no_answer
CLIENT_INITIATED 2 failed failed
USER_REJECTED 46 completed busy
USER_UNAVAILABLE 46 completed no_answer
JOIN_FAILURE 46 completed failed
CASES
set --
n=0
while read -r why secs room sip; do
	n=$((n + 1))
	for kind in room sip; do
		jq -n --arg w "$why" --argjson s "$secs" --arg k "$kind" \
		    --arg n "$n" '{id: "EV_\($k)_\($n)", event: "participant_left",
		    createdAt: "1767225000",
		    room: {name: "judge-\($k)-\($n)", sid: "RM_\($k)_\($n)",
		        creationTime: (1767225000 - $s | tostring)},
		    participant: ({sid: "PA_\($k)_\($n)", identity: "p",
		        disconnectReason: $w} + if $k == "sip" then {kind: "SIP",
		        joinedAt: (1767225000 - $s | tostring)} else {} end)}' \
		    >"$T/judge-$kind-$n"
		set -- "$@" "$T/judge-$kind-$n"
	done
done <"$T/cases"
load seed user_456 "$@" >/dev/null
check_same "no SIP participant: the seed's rules; SIP: ours" \
    "$(awk '{ print $3, $4 }' "$T/cases")" \
    "$(qs "SELECT string_agg(outcome, ' ' ORDER BY \"livekitRoomName\" LIKE
    '%-sip-%') FROM call_logs WHERE \"livekitRoomName\" LIKE 'judge-%'
    GROUP BY substring(\"livekitRoomName\" FROM '[0-9]+\$')::int ORDER BY
    substring(\"livekitRoomName\" FROM '[0-9]+\$')::int")"

# --- two writers: the seed's code and co-drain on one call -----------------
# The application made the call's row before dialing (what only it knows:
# direction, start, agent, SIP call id, cost); LiveKit's events go both to
# the seed's route and to co-drain.  The seed's code path for its event is
# reproduced in SQL: insert the event first (its "eventId" UNIQUE is the
# idempotency check: a duplicate rolls the whole transaction back), then
# UPDATE call_logs with what it computed, in one transaction.
TW=sip-2025550143__1730000000__tw
jq -n --arg r "$TW" '{id: "EV_tw1", event: "room_started",
    createdAt: "2025-10-29T12:34:10Z",
    room: {name: $r, sid: "RM_tw", creationTime: "2025-10-29T12:34:10Z"}}' \
    >"$T/tw1"
jq -n --arg r "$TW" '{id: "evt_tw2", event: "participant_left",
    createdAt: "2025-10-29T12:34:56Z",
    room: {name: $r, sid: "RM_tw", creationTime: "2025-10-29T12:34:10Z"},
    participant: {sid: "PA_tw", identity: "agent",
    disconnectReason: "CLIENT_INITIATED"}}' >"$T/tw2"
jq -n --arg r "$TW" '{id: "EV_tw3", event: "egress_ended",
    createdAt: "1761741320", egressInfo: {egressId: "EG_tw", roomId: "RM_tw",
    roomName: $r, status: "EGRESS_COMPLETE",
    startedAt: "1761741251000000000", endedAt: "1761741318000000000",
    fileResults: [{location: "https://rec.example.com/tw.ogg"}]}}' >"$T/tw3"
jq -n --arg r "$TW" '{id: "EV_tw4", event: "room_finished",
    createdAt: "2025-10-29T12:35:10Z",
    room: {name: $r, sid: "RM_tw", creationTime: "2025-10-29T12:34:10Z"}}' \
    >"$T/tw4"
tw_reset() {
	qs "DELETE FROM call_logs WHERE \"livekitRoomName\" = '$TW';
	    INSERT INTO call_logs (id, \"userId\", \"agentConfigId\",
	    \"livekitRoomName\", direction, \"sipCallId\", \"startedAt\", status,
	    cost) VALUES ('tw-1', 'user_456', 'agent_789', '$TW', 'inbound',
	    'sip-call-uuid', '2025-10-29 12:34:09', 'active', '0.05')"
}
seed_writer() {
	PGDATABASE=seed psql -X -q -v ON_ERROR_STOP=1 -o /dev/null \
	    -v body="$(cat "$T/tw2")" -v pause="${1:-0}" >/dev/null 2>&1 <<'SQL'
BEGIN;
INSERT INTO livekit_call_events (id, "userId", "callLogId", "eventId", event,
    "roomName", "roomSid", "participantIdentity", "participantSid", timestamp,
    "rawPayload")
    VALUES ('seed-ev-tw2', 'user_456', 'tw-1', 'evt_tw2', 'participant_left',
    'sip-2025550143__1730000000__tw', 'RM_tw', 'agent', 'PA_tw', 1761741296,
    :'body');
SELECT pg_sleep(:pause);
UPDATE call_logs SET status = 'ended', outcome = 'completed', duration = 46,
    "endedAt" = '2025-10-29 12:34:56', metadata = '{"disconnect_reason":
    "CLIENT_INITIATED", "participant_sid": "PA_tw"}', "updatedAt" = NOW()
    WHERE id = 'tw-1' AND "userId" = 'user_456';
COMMIT;
SQL
}
# drain N: co-drain one spool file holding event N.
drain() {
	mkdir -p "$T/sp/new"
	co-gen envelope -t $((1767225600 + $1)) "$T/tw$1" \
	    >"$T/sp/new/$((1767225600 + $1)).00000$1.1.1.test"
	PGDATABASE=seed co-drain -s "$T/sp" -u user_456 2>>"$T/drain.err"
}
tw_row() {
	qs "SELECT id, \"userId\", \"agentConfigId\", \"livekitRoomSid\",
	    direction, \"phoneNumber\", \"sipCallId\", duration, \"startedAt\",
	    \"endedAt\", status, outcome, \"recordingUrl\", metadata, cost
	    FROM call_logs WHERE \"livekitRoomName\" = '$TW'"
}
tw_reset
for e in 1 2 3 4; do drain $e; done
alone=$(tw_row)
check_same "co-drain alone keeps what the application wrote, fills and refines the rest" \
    'tw-1|user_456|agent_789|RM_tw|inbound|+12025550143|sip-call-uuid|46|2025-10-29 12:34:10|2025-10-29 12:34:56|ended|completed|https://rec.example.com/tw.ogg|{"participant_sid": "PA_tw", "disconnect_reason": "CLIENT_INITIATED"}|0.05' \
    "$alone"
bad=0 runs=0
for order in "1 2 3 4" "4 3 2 1" "2 4 1 3" "3 1 4 2"; do
	for k in 0 1 2 3 4; do
		tw_reset
		i=0
		[ $k -eq 0 ] && seed_writer
		for e in $order; do
			drain $e
			i=$((i + 1))
			[ $i -eq $k ] && seed_writer
		done
		runs=$((runs + 1))
		got=$(tw_row)
		[ "$got" = "$alone" ] || { bad=$((bad + 1));
		    diag "order $order, seed after $k: $got"; }
	done
done
check_same "20 interleavings of the seed's code and co-drain: one row" "20 0" \
    "$runs $bad"
# At once: the seed's transaction holds its new "eventId" while co-drain
# loads the same event (it waits on the unique index, then finds the
# seed's row and completes it), and the other events.
tw_reset
drain 1
seed_writer 2 &
sleep 0.5
drain 2
wait
drain 3
drain 4
check_same "the seed's insert-first and co-drain at the same instant" \
    "$alone" "$(tw_row)"
check_same "the event the seed stored first got co-drain's fields" \
    "seed-ev-tw2|t|PA_tw|1" \
    "$(qs "SELECT id, \"occurredAt\" IS NOT NULL, \"participantSid\",
    (SELECT count(*) FROM livekit_call_events WHERE \"eventId\" = 'evt_tw2')
    FROM livekit_call_events WHERE \"eventId\" = 'evt_tw2'")"

# --- down removes only what up added ---------------------------------------
n=$(ls "$CO_MIGRATIONS"/*.up.sql | wc -l)
createdb seed2 || exit 1
PGDATABASE=seed2 psql -X -q -v ON_ERROR_STOP=1 -f "$FX/seed-schema.sql" \
    >/dev/null 2>&1
PGDATABASE=seed2 q "INSERT INTO users (id) VALUES ('user_456');
    INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", direction,
    \"startedAt\", cost) VALUES ('abc-123-def', 'user_456', 'r', 'inbound',
    '2025-10-29 12:34:10', '0.05')"
dump seed2 >"$T/rows2.before"
PGDATABASE=seed2 co-migrate up >/dev/null 2>&1
PGDATABASE=seed2 co-migrate down "$n" >/dev/null 2>"$T/err"
check_same "down $n of an adoption: exit 0, no warning" "0 " "$? $(cat "$T/err")"
check_same "down: the seed's columns exactly as before, NOT NULL back" \
    "$(cat "$T/shape.before")" "$(shape seed2)"
check_same "down: the seed's indexes exactly as before" \
    "$(cat "$T/idx.before")" "$(indexes seed2)"
check_same "down: the seed's rows as before" "$(cat "$T/rows2.before")" \
    "$(dump seed2)"
check_same "down: no table of ours left" "" \
    "$(PGDATABASE=seed2 q "SELECT string_agg(tablename, ' ') FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT IN ('users',
    'agent_configs', 'call_logs', 'livekit_call_events', 'schema_migrations')")"
check_same "down: row security off again" "0" \
    "$(PGDATABASE=seed2 q "SELECT count(*) FROM pg_class WHERE relrowsecurity
    AND relname IN ('users', 'agent_configs', 'call_logs', 'livekit_call_events')")"
PGDATABASE=seed2 co-migrate up >/dev/null 2>&1
check_same "up again after down" "$n" \
    "$(PGDATABASE=seed2 q 'SELECT count(*) FROM schema_migrations')"
# With rows co-load made from events (no direction known): the tables
# stay with every row, direction stays nullable, and down says so.
rows=$(qs "SELECT count(*) FROM call_logs")
PGDATABASE=seed co-migrate down "$n" >/dev/null 2>"$T/err"
check_same "down with co-load's rows: exit 0" 0 "$?"
check "down warns that direction stays nullable" \
    grep -q 'call_logs.direction stays nullable' "$T/err"
check_same "down keeps the seed's tables and every row" "$rows 5" \
    "$(qs "SELECT count(*) FROM call_logs") $(qs "SELECT count(*) FROM
    information_schema.tables WHERE table_schema = 'public'")"
check_same "down dropped the columns up added" "" \
    "$(shape seed | grep -vxFf "$T/shape.before" | grep -v '^call_logs\.direction \|^call_logs\.startedAt ')"
done_testing
