#!/bin/sh
# Properties of co-load beside other writers and tenants:
# 1. over random rows another writer made before the events came, and
#    random orders of the events: no non-null field becomes null, metadata
#    keeps its keys, and the outcome (and what the events know) is the
#    outcome without that row;
# 2. over random rooms of three tenants sharing two room names, in random
#    orders and batches: an event that names its tenant never lands on
#    another tenant's call; one whose room sid is another tenant's call is
#    pending with the reason.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42'), ('t1'), ('t2'), ('t3');
   INSERT INTO agent_configs (id, \"userId\") VALUES ('ac_7', 'usr_42'),
   ('ac_9', 'usr_42')"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
export CO_NOW=1767225700
F=$TESTDIR/fixtures/livekit
i=0
for e in in_participant_joined_sip in_participant_left_sip in_room_finished \
    in_egress_ended; do
	i=$((i + 1))
	co-gen envelope -t $((1767225600 + i)) "$F/$e.json" >"$T/e$i"
done
# One event a transaction, then once more those that were pending.
load() {
	for f in "$@"; do cat "$f"; done | co-verify | co-transform |
	    co-classify | co-load -b 1 >"$T/run" 2>/dev/null
	jq -r 'select(.status == "pending") | .event_id' "$T/run" >"$T/pend"
	[ -s "$T/pend" ] || return 0
	for f in "$@"; do
		grep -qxF "$(jq -r .body "$f" | jq -r .id)" "$T/pend" && cat "$f"
	done | co-verify | co-transform | co-classify | co-load -b 1 \
	    >/dev/null 2>&1
}
KNOWN='direction, "phoneNumber", "sipCallId", duration, "startedAt",
    "endedAt", outcome, "recordingUrl", "livekitRoomSid"'
load "$T/e1" "$T/e2" "$T/e3" "$T/e4"
ref=$(q "SELECT $KNOWN FROM call_logs")
check_same "reference: the events alone" \
    "inbound|+14155550123|SCL_wB3nT8vQyH2k|62|2025-12-31 23:59:01|2026-01-01 00:00:03|completed|https://recordings.example.com/calls/RM_In7vQx2LpZ9k.ogg|RM_In7vQx2LpZ9k" \
    "$ref"

# Trial N: a row made by another writer (random fields, found by the
# room's name, with or without its sid) and a random order of the events.
awk -v n=40 'BEGIN {
	srand(20261201)
	split("1 2 3 4", ev)
	for (t = 1; t <= n; t++) {
		for (i = 4; i > 1; i--) {
			j = int(rand() * i) + 1; x = ev[i]; ev[i] = ev[j]; ev[j] = x
		}
		printf "%d|%s %s %s %s|", t, ev[1], ev[2], ev[3], ev[4]
		printf "%s", pick("NULL|'"'"'ac_7'"'"'|'"'"'ac_9'"'"'")
		printf ", %s", pick("NULL|'"'"'pre-camp'"'"'")
		printf ", %s", pick("NULL|'"'"'outbound'"'"'|'"'"'inbound'"'"'")
		printf ", %s", pick("NULL|'"'"'+15550000000'"'"'")
		printf ", %s", pick("NULL|'"'"'pre-sip'"'"'")
		printf ", %s", pick("NULL|7|600")
		printf ", %s", pick("NULL|'"'"'2025-12-31 23:00:00'"'"'")
		printf ", %s", pick("NULL|'"'"'2025-12-31 23:10:00'"'"'")
		printf ", %s", pick("NULL|'"'"'active'"'"'|'"'"'ended'"'"'")
		printf ", %s", pick("NULL|'"'"'busy'"'"'|'"'"'voicemail'"'"'")
		printf ", %s", pick("NULL|'"'"'https://pre.example.com/x'"'"'")
		printf ", %s", pick("NULL|'"'"'{\"pre\": 1}'"'"'|'"'"'{\"userId\": \"usr_42\", \"x\": [1]}'"'"'")
		printf ", %s", pick("NULL|'"'"'0.10'"'"'")
		printf ", %s\n", pick("NULL|'"'"'RM_In7vQx2LpZ9k'"'"'")
	}
}
function pick(s,   a, k) { k = split(s, a, "|"); return a[int(rand() * k) + 1] }' \
    >"$T/trials"
COLS='"agentConfigId", "campaignId", direction, "phoneNumber", "sipCallId",
    duration, "startedAt", "endedAt", status, outcome, "recordingUrl",
    metadata, cost, "livekitRoomSid"'
nulled=0 lostkeys=0 differ=0 tried=0
while IFS='|' read -r t order vals; do
	q "TRUNCATE call_logs CASCADE; DROP TABLE IF EXISTS pre;
	   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", $COLS)
	   VALUES ('pre-$t', 'usr_42', 'call-_+14155550123_Xa9fLm2Q', $vals);
	   CREATE TABLE pre AS SELECT * FROM call_logs"
	set --
	for e in $order; do set -- "$@" "$T/e$e"; done
	load "$@"
	tried=$((tried + 1))
	n=$(q "SELECT count(*) FROM pre p, call_logs c,
	    jsonb_each(to_jsonb(p)) a, jsonb_each(to_jsonb(c)) b
	    WHERE a.key = b.key AND a.value <> 'null' AND b.value = 'null'")
	[ "$n" = 0 ] || { nulled=$((nulled + 1)); diag "trial $t: $n nulled"; }
	n=$(q "SELECT count(*) FROM pre p, call_logs c
	    WHERE jsonb_typeof(p.metadata) = 'object' AND NOT c.metadata @> p.metadata
	    - 'userId'")
	[ "$n" = 0 ] || { lostkeys=$((lostkeys + 1)); diag "trial $t: keys lost"; }
	got=$(q "SELECT $KNOWN FROM call_logs")
	[ "$got" = "$ref" ] || { differ=$((differ + 1)); diag "trial $t ($order): $got"; }
done <"$T/trials"
check_same "40 trials run" 40 "$tried"
check_same "no non-null field became null" 0 "$nulled"
check_same "metadata kept its keys" 0 "$lostkeys"
check_same "outcome and what the events know: as without the row" 0 "$differ"
check_same "the other writer's id stays" "pre-40" "$(q 'SELECT id FROM call_logs')"
check_same "one row, not two" 1 "$(q 'SELECT count(*) FROM call_logs')"

# --- tenants sharing room names -------------------------------------------
# Rooms: a name of two, a tenant of three, a sid or none.  Each room's
# room_started, participant_joined and participant_left carry the tenant
# in the room's metadata; a foreign event names one room's sid with
# another tenant.
awk 'BEGIN {
	srand(20261202)
	for (r = 1; r <= 14; r++) {
		name = rand() < 0.5 ? "shared-a" : "shared-b"
		ten = "t" (int(rand() * 3) + 1)
		sid = rand() < 0.6 ? "RM_p" r : ""
		print r, name, ten, sid
	}
}' >"$T/rooms"
mkev() { # id event name sid tenant createdAt
	jq -nc --arg id "$1" --arg ev "$2" --arg n "$3" --arg s "$4" \
	    --arg u "$5" --arg t "$6" '{id: $id, event: $ev, createdAt: $t,
	    room: ({name: $n, creationTime: "1767225000",
	    metadata: ({userId: $u} | tojson)} + if $s == "" then {}
	    else {sid: $s} end)} + if $ev | startswith("participant_") then
	    {participant: {sid: "PA_\($id)", identity: "sip_\($id)",
	    kind: "SIP", joinedAt: "1767225010"}} else {} end'
}
: >"$T/tev"
while read -r r name ten sid; do
	mkev "EV_r${r}_a" room_started "$name" "$sid" "$ten" 1767225000
	mkev "EV_r${r}_b" participant_joined "$name" "$sid" "$ten" 1767225010
	mkev "EV_r${r}_c" participant_left "$name" "$sid" "$ten" 1767225070
done <"$T/rooms" >>"$T/tev"
# Foreign: another tenant's event naming the sid of each room that has one.
awk '$4 != "" { t = substr($3, 2) % 3 + 1; print $1, $2, "t" t, $4 }' \
    "$T/rooms" | while read -r r name ten sid; do
	mkev "EV_f${r}" participant_left "$name" "$sid" "$ten" 1767225080
done >"$T/foreign"
nforeign=$(wc -l <"$T/foreign")
bad=0
for trial in 1 2 3; do
	q "TRUNCATE call_logs CASCADE"
	# Rooms' own events first (so the foreign sids are taken), in a random
	# order; then the foreign ones.
	awk -v s=$trial 'BEGIN { srand(s) } { print rand() "\t" $0 }' "$T/tev" |
	    sort -n | cut -f 2- >"$T/shuf"
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s' "$line" >"$T/b"
		co-gen envelope -t $((1767225600 + i)) "$T/b"
	done <"$T/shuf" >"$T/env"
	co-verify "$T/env" | co-transform | co-classify |
	    co-load -b $((trial * 5)) >/dev/null 2>&1
	co-verify "$T/env" | co-transform | co-classify |
	    co-load -b 7 >/dev/null 2>&1
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s' "$line" >"$T/b"
		co-gen envelope -t $((1767226600 + i)) "$T/b"
	done <"$T/foreign" | co-verify | co-transform | co-classify |
	    co-load -b 3 >"$T/ffates" 2>/dev/null
	n=$(q "SELECT count(*) FROM livekit_call_events e JOIN call_logs c
	    ON c.id = e.\"callLogId\" WHERE c.\"userId\" IS DISTINCT FROM
	    (e.\"rawPayload\"->'room'->>'metadata')::jsonb->>'userId'
	    OR e.\"userId\" <> c.\"userId\"
	    OR c.metadata->>'userId' <> c.\"userId\"")
	[ "$n" = 0 ] || { bad=$((bad + 1)); diag "trial $trial: $n events on another tenant's call"; }
	n=$(q "SELECT count(*) FROM livekit_call_events")
	[ "$n" = $(wc -l <"$T/tev") ] || { bad=$((bad + 1)); diag "trial $trial: $n events stored"; }
	p=$(jq -r 'select(.status == "pending" and (.reason | test("another tenant"))) | .event_id' "$T/ffates" | wc -l)
	[ "$p" = "$nforeign" ] || { bad=$((bad + 1)); diag "trial $trial: $p of $nforeign foreign events pending"; }
done
check "some rooms share a name across tenants" test "$(awk '{ print $2 }' "$T/rooms" | sort | uniq -c | wc -l)" -le 2
check "foreign events tried" test "$nforeign" -gt 0
check_same "3 trials: no event on another tenant's call, foreign ones pending" 0 "$bad"
check_same "the reason names it" \
    "room RM_p1 is a call of another tenant than this event's (t$(awk '$1 == 1 { print substr($3, 2) % 3 + 1 }' "$T/rooms"))" \
    "$(jq -r 'select(.event_id == "EV_f1") | .reason' "$T/ffates")"
done_testing
