#!/bin/sh
# co-transform: LiveKit webhooks (tests/fixtures/livekit) to normalized
# events with exact field values; bad records are named FILE:LINE and set
# aside while the good ones pass; -f replaces a program; runtime errors.
. "$(dirname "$0")/lib.sh"

F=$TESTDIR/fixtures/livekit

# envelope BODYFILE [SPOOL_FILE [SOURCE]]: one version-1 envelope line.
envelope() {
	jq -nc --rawfile b "$1" --arg sf "${2:-}" --arg src "${3:-livekit}" \
	    '{v:1, received_at:"2026-01-01T00:00:00.000000Z", source:$src,
	    method:"POST", path:"/webhooks/livekit", query:"",
	    remote:"127.0.0.1",
	    headers:{"content-type":"application/webhook+json"}, body:$b}
	    + (if $sf == "" then {} else {spool_file:$sf} end)'
}

# body NAME FIXTURE JQ: a fixture body changed by a jq filter, as $T/NAME.
body() {
	jq -cj "$3" "$F/$2.json" >"$T/$1"
	echo "$T/$1"
}

# pick EVENT_ID KEYS: the named keys of one event of $T/out, compact.
pick() {
	jq -c --arg id "$1" "select(.event_id == \$id) | {$2}" "$T/out"
}

# --- an inbound call, from room_started to egress_ended ---
for e in in_room_started in_participant_joined_agent \
    in_participant_joined_sip in_participant_left_sip \
    in_participant_left_agent in_room_finished in_egress_ended; do
	envelope "$F/$e.json" "new/$e"
done >"$T/in"
co-transform "$T/in" >"$T/out" 2>"$T/err"
check_same "inbound: exit 0" 0 $?
check_same "inbound: nothing on stderr" "" "$(cat "$T/err")"
check_same "inbound: one event per webhook" 7 "$(wc -l <"$T/out" | tr -d ' ')"
check_same "inbound: room_started" \
    '{"source":"livekit","event":"room_started","occurred_at":"2025-12-31T23:58:58Z","room_sid":"RM_In7vQx2LpZ9k","room_name":"call-_+14155550123_Xa9fLm2Q","user_id":"usr_42","agent_config_id":"ac_7","campaign_id":null,"direction":null,"phone_number":"+14155550123","participant_kind":null,"started_at":"2025-12-31T23:58:58Z","ended_at":null,"duration":null,"spool_file":"new/in_room_started"}' \
    "$(pick EV_In0000000001 'source,event,occurred_at,room_sid,room_name,user_id,agent_config_id,campaign_id,direction,phone_number,participant_kind,started_at,ended_at,duration,spool_file')"
check_same "inbound: room metadata parsed" \
    '{"room_metadata":{"userId":"usr_42","agentConfigId":"ac_7"}}' \
    "$(pick EV_In0000000001 room_metadata)"
check_same "inbound: agent joined" \
    '{"participant_identity":"agent-AJ_5tGh7Kd2","participant_sid":"PA_Ag3ntW8xQ4rT","participant_kind":"AGENT","direction":null,"sip_call_id":null,"started_at":"2025-12-31T23:58:59Z"}' \
    "$(pick EV_In0000000002 'participant_identity,participant_sid,participant_kind,direction,sip_call_id,started_at')"
check_same "inbound: SIP caller joined" \
    '{"direction":"inbound","phone_number":"+14155550123","participant_kind":"SIP","sip_call_id":"SCL_wB3nT8vQyH2k","provider_call_sid":"CA11111111111111111111111111111111","provider_status":"active","disconnect_reason":null,"started_at":"2025-12-31T23:59:01Z","ended_at":null,"duration":null}' \
    "$(pick EV_In0000000003 'direction,phone_number,participant_kind,sip_call_id,provider_call_sid,provider_status,disconnect_reason,started_at,ended_at,duration')"
check_same "inbound: SIP caller left" \
    '{"event":"participant_left","direction":"inbound","provider_status":"hangup","disconnect_reason":"CLIENT_INITIATED","started_at":"2025-12-31T23:59:01Z","ended_at":"2026-01-01T00:00:03Z","duration":62}' \
    "$(pick EV_In0000000004 'event,direction,provider_status,disconnect_reason,started_at,ended_at,duration')"
check_same "inbound: agent left" \
    '{"participant_kind":"AGENT","disconnect_reason":"ROOM_CLOSED","duration":85}' \
    "$(pick EV_In0000000005 'participant_kind,disconnect_reason,duration')"
check_same "inbound: room_finished spans the room" \
    '{"started_at":"2025-12-31T23:58:58Z","ended_at":"2026-01-01T00:00:24Z","duration":86,"participant_kind":null}' \
    "$(pick EV_In0000000006 'started_at,ended_at,duration,participant_kind')"
check_same "inbound: egress_ended (room from egressInfo, ns times)" \
    '{"room_sid":"RM_In7vQx2LpZ9k","room_name":"call-_+14155550123_Xa9fLm2Q","recording_url":"https://recordings.example.com/calls/RM_In7vQx2LpZ9k.ogg","provider_status":"EGRESS_COMPLETE","started_at":"2025-12-31T23:59:00Z","ended_at":"2026-01-01T00:00:25Z","duration":null,"user_id":null}' \
    "$(pick EV_In0000000007 'room_sid,room_name,recording_url,provider_status,started_at,ended_at,duration,user_id')"
jq -c 'del(.room.turnPassword)' "$F/in_participant_left_sip.json" \
    >"$T/rawexp"
check "inbound: raw is the payload minus room.turnPassword" \
    sh -c "jq -c 'select(.event_id == \"EV_In0000000004\") | .raw' '$T/out' |
    cmp -s - '$T/rawexp'"
check_same "inbound: the TURN password appears nowhere" 0 \
    "$(grep -c 'turn-NOT-REAL' "$T/out")"
check_same "every event has the same keys" \
    '["agent_config_id","campaign_id","direction","disconnect_reason","duration","ended_at","event","event_id","occurred_at","participant_identity","participant_kind","participant_sid","phone_number","provider_call_sid","provider_status","raw","recording_url","room_metadata","room_name","room_sid","sip_call_id","source","spool_file","started_at","user_id"]' \
    "$(jq -c keys "$T/out" | sort -u)"

# --- an outbound call from our dialer (metadata names the campaign) ---
for e in out_room_started out_participant_joined_agent \
    out_participant_joined_sip out_participant_left_sip \
    out_participant_left_agent out_room_finished out_egress_ended; do
	envelope "$F/$e.json"
done >"$T/outb"
co-transform "$T/outb" >"$T/out" 2>"$T/err"
check_same "outbound: exit 0, 7 events" "0 7" "$? $(wc -l <"$T/out" | tr -d ' ')"
check_same "outbound: room_started, phone from the room name" \
    '{"room_name":"sip-14155550188__1767226000__ab12","user_id":"usr_42","agent_config_id":"ac_7","campaign_id":"cmp_9","direction":"outbound","phone_number":"+14155550188","started_at":"2026-01-01T00:06:40Z"}' \
    "$(pick EV_Out000000001 'room_name,user_id,agent_config_id,campaign_id,direction,phone_number,started_at')"
check_same "outbound: SIP callee joined while dialing" \
    '{"direction":"outbound","provider_status":"dialing","sip_call_id":"SCL_Ou7T8bQ2nK4m","provider_call_sid":"CA22222222222222222222222222222222"}' \
    "$(pick EV_Out000000003 'direction,provider_status,sip_call_id,provider_call_sid')"
check_same "outbound: SIP callee left" \
    '{"disconnect_reason":"CLIENT_INITIATED","started_at":"2026-01-01T00:06:42Z","ended_at":"2026-01-01T00:08:47Z","duration":125,"campaign_id":"cmp_9"}' \
    "$(pick EV_Out000000004 'disconnect_reason,started_at,ended_at,duration,campaign_id')"
check_same "outbound: room_finished" '{"duration":148}' \
    "$(pick EV_Out000000006 duration)"
check_same "outbound: legacy egressInfo.file location" \
    '{"recording_url":"s3://calls/out/RM_Out4kM9nB2xV.ogg","room_sid":"RM_Out4kM9nB2xV","started_at":"2026-01-01T00:06:43Z","ended_at":"2026-01-01T00:08:48Z"}' \
    "$(pick EV_Out000000007 'recording_url,room_sid,started_at,ended_at')"
check_same "no spool_file when the envelope has none" 0 \
    "$(jq -c 'select(has("spool_file"))' "$T/out" | wc -l | tr -d ' ')"

# --- failed outbound calls; direction from the missing sip.ruleID ---
for e in busy_participant_left noanswer_participant_left \
    aborted_participant; do
	envelope "$F/$e.json"
done >"$T/fail"
co-transform "$T/fail" >"$T/out"
check_same "busy: USER_REJECTED" \
    '{"direction":"outbound","phone_number":"+14155550177","disconnect_reason":"USER_REJECTED","duration":5}' \
    "$(pick EV_Busy00000001 'direction,phone_number,disconnect_reason,duration')"
check_same "no answer: USER_UNAVAILABLE" \
    '{"disconnect_reason":"USER_UNAVAILABLE","provider_status":"ringing","duration":30}' \
    "$(pick EV_NoAns0000001 'disconnect_reason,provider_status,duration')"
check_same "aborted: no reason is UNKNOWN_REASON, no join no duration" \
    '{"event":"participant_connection_aborted","disconnect_reason":"UNKNOWN_REASON","started_at":null,"ended_at":"2026-01-01T00:23:32Z","duration":null,"participant_kind":"SIP"}' \
    "$(pick EV_Abort0000001 'event,disconnect_reason,started_at,ended_at,duration,participant_kind')"

# --- the shared vector (inbound SIP participant_left, no metadata) ---
envelope "$VECTORS/livekit_participant_left.json" >"$T/vec"
co-transform "$T/vec" >"$T/out"
check_same "vector: participant_left" \
    '{"event_id":"EV_3mN8qR2tY6wZ","occurred_at":"2026-01-01T00:00:00Z","direction":"inbound","phone_number":"+14155550123","room_metadata":null,"user_id":null,"duration":59,"disconnect_reason":"CLIENT_INITIATED"}' \
    "$(pick EV_3mN8qR2tY6wZ 'event_id,occurred_at,direction,phone_number,room_metadata,user_id,duration,disconnect_reason')"

# --- what protojson may or may not give ---
b1=$(body b1 out_participant_left_sip '.createdAt |= tonumber
    | .participant.joinedAt |= tonumber | .room.metadata = "not json {"
    | .id = "EV_numbers"')
b2=$(body b2 in_participant_left_sip 'del(.participant.kind,
    .participant.disconnectReason, .participant.attributes)
    | .room.name = "call-_14155550111_Zz9" | .id = "EV_std"')
b3=$(body b3 in_room_started '.event = "track_published"
    | .participant = {sid:"PA_x", identity:"agent-1"}
    | .track = {sid:"TR_1"} | .future = {"x":1} | .id = "EV_track"')
b4=$(body b4 out_participant_left_sip '.room.metadata = "{\"direction\":\"INBOUND\",\"userId\":17}"
    | .participant.attributes["sip.phoneNumber"] = "anonymous"
    | .room.name = "room-42" | .id = "EV_meta"')
b5=$(body b5 out_egress_ended 'del(.egressInfo.status) | .event = "egress_started"
    | .id = "EV_egst"')
b6=$(body b6 in_participant_joined_sip 'del(.participant.joinedAt)
    | .participant.joinedAtMs = "1767225541999" | .id = "EV_ms"')
for b in "$b1" "$b2" "$b3" "$b4" "$b5" "$b6"; do envelope "$b"; done >"$T/pj"
co-transform "$T/pj" >"$T/out" 2>"$T/err"
check_same "protojson variants: exit 0, 6 events" "0 6" \
    "$? $(wc -l <"$T/out" | tr -d ' ')"
check_same "numbers for int64, metadata that is not JSON ignored" \
    '{"occurred_at":"2026-01-01T00:08:47Z","duration":125,"room_metadata":null,"user_id":null,"direction":"outbound"}' \
    "$(pick EV_numbers 'occurred_at,duration,room_metadata,user_id,direction')"
check_same "absent kind is STANDARD, absent reason UNKNOWN_REASON" \
    '{"participant_kind":"STANDARD","disconnect_reason":"UNKNOWN_REASON","direction":null,"phone_number":"+14155550111","sip_call_id":null}' \
    "$(pick EV_std 'participant_kind,disconnect_reason,direction,phone_number,sip_call_id')"
check_same "track_published: common fields, kind unknown" \
    '{"event":"track_published","room_sid":"RM_In7vQx2LpZ9k","participant_identity":"agent-1","participant_kind":null,"started_at":null,"user_id":"usr_42"}' \
    "$(pick EV_track 'event,room_sid,participant_identity,participant_kind,started_at,user_id')"
check_same "metadata direction any case, numeric userId, no E.164 found" \
    '{"direction":"inbound","user_id":"17","phone_number":null}' \
    "$(pick EV_meta 'direction,user_id,phone_number')"
check_same "egress without status is EGRESS_STARTING" \
    '{"event":"egress_started","provider_status":"EGRESS_STARTING","recording_url":null}' \
    "$(pick EV_egst 'event,provider_status,recording_url')"
check_same "joinedAtMs when joinedAt is absent" \
    '{"started_at":"2025-12-31T23:59:01Z"}' "$(pick EV_ms started_at)"

# --- bad records: named FILE:LINE, rejected, the others pass ---
good=$(envelope "$F/in_participant_left_sip.json" new/good)
printf '{not json' >"$T/badbody"
printf '[1,2]' >"$T/arraybody"
b_noid=$(body noid in_room_started 'del(.id)')
b_noev=$(body noev in_room_started 'del(.event)')
{
	printf '%s\n' "$good"
	envelope "$T/badbody" new/bad
	envelope "$T/arraybody"
	echo 'this is not json'
	echo '{"v":2,"source":"livekit","body":"{}"}'
	envelope "$b_noid"
	envelope "$b_noev"
	printf '%s\n' "$good"
} >"$T/mixed"
co-transform -r "$T/rej" "$T/mixed" >"$T/out" 2>"$T/err"
check_same "bad records: exit 65" 65 $?
check_same "bad records: the good lines pass" \
    "EV_In0000000004 EV_In0000000004" "$(jq -r .event_id "$T/out" | xargs)"
check_same "bad records: one diagnostic per bad line, FILE:LINE" \
    "co-transform: $T/mixed:2: body is not JSON
co-transform: $T/mixed:3: body is not a JSON object
co-transform: $T/mixed:4: X
co-transform: $T/mixed:5: not a version 1 envelope
co-transform: $T/mixed:6: livekit payload has no id
co-transform: $T/mixed:7: livekit payload has no event" \
    "$(sed -e 's/\(body is not JSON\): .*/\1/' \
    -e 's/\(mixed:4: \).*/\1X/' "$T/err")"
check "bad JSON body: the parser's reason, not the body" \
    sh -c "grep -q 'mixed:2: body is not JSON: [A-Z]' '$T/err' &&
    ! grep -q 'not json {\|while parsing' '$T/err'"
check_same "reject file: each bad line with its reason and line" \
    '2 body is not JSON new/bad
3 body is not a JSON object null
4 - null
5 not a version 1 envelope null
6 livekit payload has no id null
7 livekit payload has no event null' \
    "$(jq -r '[.reject_line, (.reason | sub(": .*"; "")
    | if startswith("Invalid") or startswith("Expected") then "-" else . end),
    (.spool_file // "null")] | join(" ")' "$T/rej" |
    sed 's/^4 .* null$/4 - null/')"
check_same "reject file keeps the envelope whole" '{not json' \
    "$(jq -r 'select(.reject_line == 2) | .body' "$T/rej")"

# --- a source without a program is rejected, not fatal ---
mkdir "$T/share"
cp "$TESTDIR/../share/livekit.jq" "$T/share/"
{
	envelope "$VECTORS/elevenlabs_post_call_transcription.json" "" \
	    elevenlabs
	printf '%s\n' "$good"
} >"$T/el"
CO_SHARE=$T/share co-transform "$T/el" >"$T/out" 2>"$T/err"
check_same "elevenlabs without a program: exit 65" 65 $?
check_same "elevenlabs without a program: reason" \
    "co-transform: $T/el:1: no transform for source elevenlabs" \
    "$(cat "$T/err")"
check_same "elevenlabs without a program: livekit still passes" \
    EV_In0000000004 "$(jq -r .event_id "$T/out")"

CO_SHARE=$T/nonexistent co-transform "$T/el" >"$T/out" 2>"$T/err"
check_same "no share directory: exit 69, said once a source, records named" \
    "69 co-transform: $T/nonexistent: No such file or directory
co-transform: $T/el:1: no share directory $T/nonexistent
co-transform: $T/nonexistent: No such file or directory
co-transform: $T/el:2: no share directory $T/nonexistent" \
    "$? $(cat "$T/err")"

# --- -f replaces programs ---
cat >"$T/mine.jq" <<'EOF'
{event_id: .payload.id, mine: true, keys: (keys | join(","))}
EOF
co-transform -f livekit="$T/mine.jq" "$T/in" >"$T/out" 2>"$T/err"
check_same "-f livekit=FILE: exit 0" 0 $?
check_same "-f livekit=FILE: the program's events, with source and spool_file added" \
    '{"event_id":"EV_In0000000001","mine":true,"keys":"body,headers,method,path,payload,query,received_at,remote,source,spool_file,v","spool_file":"new/in_room_started","source":"livekit"}' \
    "$(head -n 1 "$T/out")"
printf '{source: "own", event_id: .payload.conversation_id}, {n: 2}\n' \
    >"$T/two.jq"
CO_SHARE=$T/share co-transform -f "$T/two.jq" "$T/el" >"$T/out" 2>"$T/err"
# event_id is the provider's rule on the payload, whatever the program says.
check_same "-f FILE: every source, two events each, own source kept" \
    '{"source":"own","event_id":"post_call_transcription:conv_01jvectortest0000000000000"}
{"n":2,"event_id":"post_call_transcription:conv_01jvectortest0000000000000","source":"elevenlabs"}
{"source":"own","event_id":"EV_In0000000004"}
{"n":2,"event_id":"EV_In0000000004","source":"livekit"}' \
    "$(jq -c 'del(.spool_file)' "$T/out")"
CO_SHARE=$T/share co-transform -f "$T/two.jq" -f livekit="$T/mine.jq" \
    "$T/el" >"$T/out"
check_same "-f SOURCE=FILE wins over -f FILE" \
    '["own",null] ["elevenlabs",null] ["livekit",true]' \
    "$(jq -c '[.source, .mine]' "$T/out" | xargs -d '\n')"

# --- program failures ---
printf 'if .payload.id == "EV_In0000000002" then error("custom failure") else {id: .payload.id} end\n' \
    >"$T/err1.jq"
co-transform -f "$T/err1.jq" "$T/in" >"$T/out" 2>"$T/err"
check_same "runtime error: exit 65" 65 $?
check_same "runtime error: its message, FILE:LINE" \
    "co-transform: $T/in:2: custom failure" "$(cat "$T/err")"
check_same "runtime error: the other records pass" 6 \
    "$(wc -l <"$T/out" | tr -d ' ')"
printf '.payload | error(.)\n' >"$T/err2.jq"
co-transform -f "$T/err2.jq" "$T/vec" >"$T/out" 2>"$T/err"
check_same "error(payload) is not printed" \
    "65 co-transform: $T/vec:1: program error (not a string)" \
    "$? $(cat "$T/err")"
printf 'error("x" * 500)\n' >"$T/err3.jq"
co-transform -f "$T/err3.jq" "$T/vec" 2>"$T/err"
check_same "a long message is cut" 200 \
    "$(sed "s|^co-transform: $T/vec:1: ||" "$T/err" | tr -d '\n' | wc -c)"
printf '{a: 1}, "two"\n' >"$T/err4.jq"
co-transform -f "$T/err4.jq" "$T/vec" >"$T/out" 2>"$T/err"
check_same "non-object output rejects the record, none of its events pass" \
    "65 co-transform: $T/vec:1: program output is not an object 0" \
    "$? $(cat "$T/err") $(wc -l <"$T/out" | tr -d ' ')"
printf '[inputs] | {n: length}\n' >"$T/input.jq"
co-transform -f "$T/input.jq" "$T/in" >"$T/out" 2>"$T/err"
check_same "inputs: none beyond the envelope, on every record" \
    "0 7 0" "$? $(jq -r .n "$T/out" | grep -c '^0$') $(wc -c <"$T/err" | tr -d ' ')"
printf 'empty\n' >"$T/none.jq"
co-transform -f "$T/none.jq" "$T/vec" >"$T/out" 2>"$T/err"
check_same "a program may emit nothing" "0 0" \
    "$? $(wc -c <"$T/out" | tr -d ' ')"

# --- times that are not times read as absent, never abort the tool ---
for t in nan 1e18 -5e20; do
	envelope "$(body "t$t" in_room_finished \
	    ".createdAt = \"$t\" | .room.creationTime = \"$t\" |
	    del(.room.creationTimeMs)")" >"$T/bad-time"
	co-transform "$T/bad-time" >"$T/out" 2>"$T/err"
	check_same "createdAt \"$t\": occurred_at falls back to received_at" \
	    '0 "2026-01-01T00:00:00.000000Z" null' \
	    "$? $(jq -c .occurred_at "$T/out") $(jq -c .started_at "$T/out")"
done

# --- usage ---
printf '{a: }\n' >"$T/syntax.jq"
co-transform -f "$T/syntax.jq" </dev/null >"$T/out" 2>"$T/err"
check_same "-f with a compile error: exit 64" 64 $?
check "-f with a compile error: names the file" \
    grep -q "^co-transform: $T/syntax.jq: .*syntax error" "$T/err"
co-transform -f "$T/nonexistent.jq" </dev/null 2>"$T/err"
check_same "-f with a missing file: exit 64" \
    "64 co-transform: $T/nonexistent.jq: no such file" "$? $(cat "$T/err")"
t_run 64 'co-transform -x' '' ''
check_same "usage line" \
    "usage: co-transform [-f [source=]file] [-r rejectfile] [file ...]" \
    "$(tail -n 1 "$T/err")"
t_run 64 'co-transform -f' '' ''
t_run 0 'co-transform' '' ''
done_testing
