#!/bin/sh
# co-classify: the SPEC section 7 rules in order on real co-transform
# output (tests/fixtures/livekit), the non-SIP rule, duration thresholds
# around their edges and as options, and bad lines.
. "$(dirname "$0")/lib.sh"

F=$TESTDIR/fixtures/livekit

envelope() {
	jq -nc --rawfile b "$1" '{v:1, received_at:"2026-01-01T00:00:00Z",
	    source:"livekit", method:"POST", path:"/webhooks/livekit",
	    query:"", remote:"127.0.0.1", headers:{}, body:$b}'
}

# outcomes FILE [OPTIONS]: "event_id outcome outcome_rule" per event.
outcomes() {
	_f=$1
	shift
	co-transform "$_f" | co-classify "$@" |
	    jq -r '[.event_id, .outcome // "null", .outcome_rule // "null"]
	    | join(" ")'
}

# --- whole calls through co-transform | co-classify ---
for e in in_room_started in_participant_joined_agent \
    in_participant_joined_sip in_participant_left_sip \
    in_participant_left_agent in_room_finished in_egress_ended; do
	envelope "$F/$e.json"
done >"$T/in"
check_same "inbound call: only the SIP leg's end and the room decide" \
    "EV_In0000000001 null null
EV_In0000000002 null null
EV_In0000000003 null null
EV_In0000000004 completed duration
EV_In0000000005 null null
EV_In0000000006 completed duration
EV_In0000000007 null null" "$(outcomes "$T/in")"

for e in busy_participant_left noanswer_participant_left \
    aborted_participant out_participant_left_agent out_egress_ended; do
	envelope "$F/$e.json"
done >"$T/fail"
check_same "busy, no answer, aborted without reason, agent, egress" \
    "EV_Busy00000001 busy busy
EV_NoAns0000001 no_answer no_answer
EV_Abort0000001 null null
EV_Out000000005 null null
EV_Out000000007 null null" "$(outcomes "$T/fail")"

# --- short calls around the thresholds (default 3 s and 10 s) ---
for n in 2 3 9 10; do
	jq -cj --arg n $n '.id = "EV_short_\($n)"
	    | .participant.joinedAt = ((.createdAt | tonumber)
	        - ($n | tonumber) | tostring)
	    | del(.participant.joinedAtMs)' \
	    "$F/out_participant_left_sip.json" >"$T/short$n"
	envelope "$T/short$n"
done >"$T/short"
check_same "short calls: the durations" "2 3 9 10" \
    "$(co-transform "$T/short" | jq -r .duration | xargs)"
check_same "short calls: defaults" \
    "EV_short_2 failed short
EV_short_3 no_answer unanswered
EV_short_9 no_answer unanswered
EV_short_10 completed duration" "$(outcomes "$T/short")"
check_same "short calls: -f 3 -n 10 are the defaults" \
    "$(outcomes "$T/short")" "$(outcomes "$T/short" -f 3 -n 10)"
check_same "short calls: -f 2 -n 9" \
    "EV_short_2 no_answer unanswered
EV_short_3 no_answer unanswered
EV_short_9 completed duration
EV_short_10 completed duration" "$(outcomes "$T/short" -f 2 -n 9)"
check_same "short calls: -f 10 -n 10 (no no-answer band)" \
    "EV_short_2 failed short
EV_short_3 failed short
EV_short_9 failed short
EV_short_10 completed duration" "$(outcomes "$T/short" -f 10 -n 10)"
check_same "short calls: -f 0 -n 0 (every duration completes)" \
    "completed completed completed completed" \
    "$(outcomes "$T/short" -f 0 -n 0 | cut -d' ' -f2 | xargs)"
check_same "short calls: -n 11 alone" \
    "EV_short_10 no_answer unanswered" \
    "$(outcomes "$T/short" -n 11 | tail -n 1)"

# --- each rule on hand-written events (ElevenLabs, Twilio shapes too) ---
# row DESC EXPECTED EVENT: co-classify EVENT gives "outcome outcome_rule".
row() {
	_got=$(printf '%s\n' "$3" | co-classify |
	    jq -r '"\(.outcome) \(.outcome_rule)"')
	check_same "$1" "$2" "$_got"
}
row "USER_REJECTED is busy" "busy busy" \
    '{"participant_kind":"SIP","disconnect_reason":"USER_REJECTED","duration":40}'
row "status Busy (any case) is busy" "busy busy" '{"provider_status":"Busy"}'
row "ElevenLabs failure_reason busy" "busy busy" '{"failure_reason":"busy"}'
row "busy beats failed" "busy busy" \
    '{"disconnect_reason":"USER_REJECTED","provider_status":"failed"}'
row "USER_UNAVAILABLE is no answer" "no_answer no_answer" \
    '{"participant_kind":"SIP","disconnect_reason":"USER_UNAVAILABLE","duration":45}'
row "Twilio no-answer" "no_answer no_answer" '{"provider_status":"no-answer"}'
row "no_answer" "no_answer no_answer" '{"failure_reason":"no_answer"}'
row "Twilio canceled" "no_answer no_answer" '{"provider_status":"canceled"}'
row "no answer beats a machine" "no_answer no_answer" \
    '{"provider_status":"no-answer","answered_by":"machine_start"}'
row "answered_by machine_end_beep" "voicemail voicemail" \
    '{"provider_status":"completed","answered_by":"machine_end_beep","duration":30}'
row "answered_by fax" "voicemail voicemail" '{"answered_by":"fax"}'
row "voicemail: true" "voicemail voicemail" '{"voicemail":true,"duration":20}'
row "voicemail: false is no signal" "completed duration" \
    '{"voicemail":false,"duration":20}'
row "answered_by human goes on to the duration" "completed duration" \
    '{"answered_by":"human","duration":20}'
row "a machine beats failed" "voicemail voicemail" \
    '{"answered_by":"machine_end_other","provider_status":"failed"}'
for r in JOIN_FAILURE SIP_TRUNK_FAILURE MEDIA_FAILURE CONNECTION_TIMEOUT; do
	row "$r is failed" "failed failed" \
	    "{\"participant_kind\":\"SIP\",\"disconnect_reason\":\"$r\",\"duration\":60}"
done
row "status failed" "failed failed" '{"provider_status":"failed"}'
row "a reason containing error" "failed failed" \
    '{"failure_reason":"sip error 503"}'
row "CLIENT_INITIATED decides nothing: the duration does" \
    "completed duration" \
    '{"participant_kind":"SIP","disconnect_reason":"CLIENT_INITIATED","duration":60}'
row "no words, no duration: no outcome" "null null" \
    '{"participant_kind":"SIP","disconnect_reason":"CLIENT_INITIATED"}'
row "a duration that is not a number is unknown" "null null" \
    '{"duration":"60"}'
row "an empty event" "null null" '{}'

# --- the non-SIP rule: other participants and recordings say nothing ---
row "agent leaving with AGENT_ERROR is not the call failing" "null null" \
    '{"participant_kind":"AGENT","disconnect_reason":"AGENT_ERROR","duration":2}'
row "a STANDARD client's short stay" "null null" \
    '{"participant_kind":"STANDARD","disconnect_reason":"USER_REJECTED","duration":1}'
row "an EGRESS participant" "null null" \
    '{"participant_kind":"EGRESS","duration":1}'
row "kind sip in lower case is the call" "busy busy" \
    '{"participant_kind":"sip","disconnect_reason":"USER_REJECTED"}'
row "egress_ended EGRESS_FAILED is a recording, not the call" "null null" \
    '{"event":"egress_ended","provider_status":"EGRESS_FAILED","duration":1}'
row "ingress_ended ERROR" "null null" \
    '{"event":"ingress_ended","provider_status":"ERROR"}'

# --- the record passes through whole, with an old outcome replaced ---
printf '%s\n' '{"event_id":"x","raw":{"a":[1,2.5,"\u00e9"]},"outcome":"busy","outcome_rule":"busy","duration":12}' \
    >"$T/one"
check_same "fields kept, outcome replaced" \
    '{"event_id":"x","raw":{"a":[1,2.5,"é"]},"outcome":"completed","outcome_rule":"duration","duration":12}' \
    "$(co-classify "$T/one")"

# --- bad lines are named, rejected, and the others pass ---
{
	echo '{"event_id":"a","duration":60}'
	echo 'nope'
	echo '[1]'
	echo '{"event_id":"b","duration":1}'
} >"$T/mixed"
co-classify -r "$T/rej" "$T/mixed" >"$T/out" 2>"$T/err"
check_same "bad lines: exit 65" 65 $?
check_same "bad lines: the good ones pass" "a completed b failed" \
    "$(jq -r '.event_id, .outcome' "$T/out" | xargs)"
check_same "bad lines: FILE:LINE on stderr" \
    "co-classify: $T/mixed:2: X
co-classify: $T/mixed:3: not a JSON object" \
    "$(sed 's/\(mixed:2: \).*/\1X/' "$T/err")"
check_same "bad lines: the reject file" '2 nope
3 [1]' "$(jq -r '"\(.reject_line) \(.input)"' "$T/rej")"
t_run 0 'co-classify' '' ''
t_run 0 'co-classify -' '{"a":1}' '{"a":1,"outcome":null,"outcome_rule":null}'

# --- options ---
t_run 64 'co-classify -x' '' ''
check_same "usage line" \
    "usage: co-classify [-f seconds] [-n seconds] [-R rules.jq] [-r rejectfile] [file ...]" \
    "$(tail -n 1 "$T/err")"
t_run 64 'co-classify -f' '' ''
t_run 64 'co-classify -f 3s' '' ''
check_same "-f 3s: says why" "co-classify: failed threshold is invalid: 3s" \
    "$(cat "$T/err")"
t_run 64 'co-classify -n -1' '' ''
t_run 64 'co-classify -n 86401' '' ''
t_run 64 'co-classify -f 11' '' ''
check_same "-f above -n: says why" \
    "co-classify: failed threshold 11 is above no-answer threshold 10" \
    "$(cat "$T/err")"
t_run 64 'co-classify -f 5 -n 4' '' ''
t_run 0 'co-classify -f 86400 -n 86400' '{"duration":86399}' \
    '{"duration":86399,"outcome":"failed","outcome_rule":"short"}'
done_testing
