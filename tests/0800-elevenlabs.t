#!/bin/sh
# ElevenLabs post-call webhooks end to end on a real cluster: the vectors
# and fixtures through co-verify | co-transform | co-classify | co-load and
# through co-drain; the seed's lifecycle (a calls row created before the
# call, then its webhook); failures; unknown call_sid pending then loaded;
# repeated webhooks; one call's row whatever the order of its events;
# conflicts, bad records, migration 004 down and up with rows, tenants.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('tenant-a'), ('tenant-b')"

V=$VECTORS
F=$TESTDIR/fixtures/elevenlabs
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
unset ELEVENLABS_WEBHOOK_SECRET_FILE CO_NOW 2>/dev/null

# el_env BODYFILE [T]: a signed envelope line for BODYFILE, signed at T
# (default: its event_timestamp, else now) and received 5 s later.
el_env() {
	_t=${2:-$(jq -r '.event_timestamp | tonumber? // empty' "$1")}
	_t=${_t:-$(date +%s)}
	jq -nc --arg h "$(el-sign "$SECRET" "$_t" "$1")" --rawfile body "$1" \
	    --arg ra "$(date -u -d @$((_t + 5)) +%Y-%m-%dT%H:%M:%SZ)" \
	    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
	    path:"/webhooks/elevenlabs", query:"", remote:"127.0.0.1",
	    headers:{"content-type":"application/json",
	    "elevenlabs-signature":$h}, body:$body}'
}
# load FILE...: the four stages, one transaction per record.
load() { co-verify "$@" | co-transform | co-classify | co-load -b 1; }
status_of() { jq -r .status "$1" | tr '\n' ' ' | sed 's/ $//'; }
# dial CALL_SID CONVERSATION_ID|NULL [TENANT]: a calls row as co-dial
# leaves it once the API answered (or before, with NULL).
dial() {
	_c=NULL
	[ "$2" = NULL ] || _c="'$2'"
	q "INSERT INTO calls (user_id, driver_id, agent_id, to_number,
	    call_sid, conversation_id, status) VALUES ('${3:-tenant-a}',
	    'drv7', 'agent_life', '+14155550177', '$1', $_c, 'in_progress')"
}
reset() {
	q "TRUNCATE calls, call_transcriptions, elevenlabs_webhook_events,
	    twilio_call_events"
}
row() {
	q "SELECT user_id, driver_id, agent_id, to_number, conversation_id,
	    status, outcome, failure_reason, duration, cost, provider_call_sid,
	    direction, analysis, started_at, ended_at, call_sid FROM calls
	    WHERE call_sid = '$1'"
}
turns() {
	q "SELECT string_agg(sequence_number || ':' || coalesce(role, '-') ||
	    ':' || coalesce(time_in_call_secs::text, '-'), ' '
	    ORDER BY sequence_number) FROM call_transcriptions
	    WHERE conversation_id = '$1'"
}

# --- co-transform: the fields of each type ---
el_env "$V/elevenlabs_post_call_transcription.json" 1767225660 >"$T/v.tr"
el_env "$V/elevenlabs_call_initiation_failure.json" 1767225721 >"$T/v.fail"
check_same "the vector envelope's header is the vector's" \
    "$(cat "$V/elevenlabs_post_call_transcription.signature.txt")" \
    "$(jq -r '.headers["elevenlabs-signature"]' "$T/v.tr")"
co-verify "$T/v.tr" "$T/v.fail" | co-transform >"$T/ev" 2>"$T/err"
check_same "vectors transform" "0 2" "$? $(wc -l <"$T/ev")"
check_same "transcription: keys and values" \
'["post_call_transcription:conv_01jvectortest0000000000000","post_call_transcription","2026-01-01T00:00:59Z","conv_01jvectortest0000000000000",null,"agent_01jvectortest0000000000000","CA22222222222222222222222222222222","outbound","+14155550123","2026-01-01T00:00:00Z","2026-01-01T00:00:47Z",47,312,2,"Sam confirmed a Tuesday 3pm appointment.",null,"done","Call ended by remote party",false,"elevenlabs"]' \
    "$(sed -n 1p "$T/ev" | jq -c '[.event_id, .event, .occurred_at,
    .conversation_id, .call_sid, .agent_id, .provider_call_sid, .direction,
    .phone_number, .started_at, .ended_at, .duration, .cost,
    (.transcript | length), .analysis.transcript_summary, .failure_reason,
    .provider_status, .termination_reason, .voicemail, .source]')"
check_same "transcription: turns as {role, message, time_in_call_secs}" \
    '{"role":"user","message":"Yes, speaking. I can do Tuesday at 3.","time_in_call_secs":4}' \
    "$(sed -n 1p "$T/ev" | jq -c '.transcript[1]')"
check_same "transcription: raw is the payload" \
    "$(jq -c . "$V/elevenlabs_post_call_transcription.json")" \
    "$(sed -n 1p "$T/ev" | jq -c .raw)"
check_same "failure: keys and values" \
'["call_initiation_failure:conv_01jvectortest0000000000001","2026-01-01T00:02:00Z","busy","busy","CA33333333333333333333333333333333","+14155550124","outbound",null,null]' \
    "$(sed -n 2p "$T/ev" | jq -c '[.event_id,
    .occurred_at, .failure_reason,
    .provider_status, .provider_call_sid, .phone_number, .direction,
    .transcript, .duration]')"
check_same "every event has the same keys" 1 \
    "$(jq -c 'keys' "$T/ev" | sort -u | wc -l)"
for f in transcription audio failure_no_answer failure_unknown voicemail \
    unknown_type; do
	el_env "$F/$f.json" 1767229700
done >"$T/fx"
co-verify "$T/fx" | co-transform | co-classify >"$T/fxev"
check_same "fixtures: six events, one shape" "6 1" \
    "$(wc -l <"$T/fxev") $(jq -c 'keys' "$T/fxev" | sort -u | wc -l)"
check_same "call_sid from the dynamic variables; string event_timestamp" \
    "EL_drv7_1767229190 2026-01-01T01:01:00Z 4 SIP-77-abc" \
    "$(sed -n 1p "$T/fxev" | jq -r '"\(.call_sid) \(.occurred_at) \(.transcript | length) \(.provider_call_sid)"')"
check_same "a turn without a message keeps its place" \
    '{"role":"agent","message":null,"time_in_call_secs":9}' \
    "$(sed -n 1p "$T/fxev" | jq -c '.transcript[2]')"
check_same "audio: common fields only, the audio left in the spool" \
    "post_call_audio:conv_life_0001 null null <omitted: 484 base64 characters>" \
    "$(sed -n 2p "$T/fxev" | jq -r '"\(.event_id) \(.transcript) \(.duration) \(.raw.data.full_audio)"')"
check_same "outcomes: completed, none, no_answer, failed, voicemail, none" \
    "completed/duration null/null no_answer/no_answer failed/failed voicemail/voicemail null/null" \
    "$(jq -r '"\(.outcome)/\(.outcome_rule)"' "$T/fxev" | tr '\n' ' ' | sed 's/ $//')"
check_same "SIP failure: a 480 says no-answer; E.164 without + repaired" \
    "no-answer sip-480-x +14155550155" \
    "$(sed -n 3p "$T/fxev" | jq -r .provider_status) $(sed -n 3p "$T/fxev" | jq -r .provider_call_sid) $(sed -n 5p "$T/fxev" | jq -r .phone_number)"
check_same "unknown type: an event with the common fields" \
    "post_call_summary:conv_life_0001 2026-01-01T01:05:00Z agent_life" \
    "$(sed -n 6p "$T/fxev" | jq -r '"\(.event_id) \(.occurred_at) \(.agent_id)"')"
el_env "$F/no_conversation.json" 1767229700 >"$T/noconv"
printf '%s\n' '{"data": {"conversation_id": "conv_x"}}' >"$T/notype.json"
el_env "$T/notype.json" 1767229700 >>"$T/noconv"
co-verify "$T/noconv" | co-transform >/dev/null 2>"$T/err"
check_same "no conversation_id or no type: rejected, named" "65
co-transform: -:1: elevenlabs payload has no data.conversation_id
co-transform: -:2: elevenlabs payload has no type" "$?
$(cat "$T/err")"

# --- the vectors through the four stages ---
load "$T/v.tr" "$T/v.fail" >"$T/fates" 2>/dev/null
check_same "no calls row yet: both pending" "pending pending" \
    "$(status_of "$T/fates")"
check_same "the reason names the conversation" \
    "no call for conversation_id conv_01jvectortest0000000000000 yet" \
    "$(jq -r .reason "$T/fates" | head -n 1)"
check_same "nothing stored" "0 0" "$(q 'SELECT count(*) FROM calls') $(q \
    'SELECT count(*) FROM elevenlabs_webhook_events')"
dial EL_vec_1 conv_01jvectortest0000000000000
dial EL_vec_2 conv_01jvectortest0000000000001
el_env "$V/elevenlabs_post_call_transcription.tampered.json" 1767225660 |
    sed "s/\"elevenlabs-signature\":\"[^\"]*\"/\"elevenlabs-signature\":\"$(cat \
    "$V/elevenlabs_post_call_transcription.signature.txt")\"/" >"$T/v.tamp"
load "$T/v.tamp" "$T/v.tr" "$T/v.fail" >"$T/fates" 2>"$T/err"
check_same "tampered rejected by co-verify, the two vectors inserted" \
    "inserted inserted" "$(status_of "$T/fates")"
check "co-verify named the tampered body" grep -q "v0 mismatch" "$T/err"
check_same "the transcription's call" \
'tenant-a|drv7|agent_01jvectortest0000000000000|+14155550123|conv_01jvectortest0000000000000|completed|completed||47|312|CA22222222222222222222222222222222|outbound|{"call_successful": "success", "transcript_summary": "Sam confirmed a Tuesday 3pm appointment.", "data_collection_results": {"slot": {"value": "Tuesday 15:00", "rationale": "Stated by caller.", "data_collection_id": "slot"}}, "evaluation_criteria_results": {"booked": {"result": "success", "rationale": "Caller agreed to Tuesday 3pm.", "criteria_id": "booked"}}}|2026-01-01 00:00:00+00|2026-01-01 00:00:47+00|EL_vec_1' \
    "$(row EL_vec_1)"
check_same "its turns" "0:agent:0 1:user:4" \
    "$(turns conv_01jvectortest0000000000000)"
check_same "the failure's call: failed, busy, with the reason" \
    "failed|busy|busy|CA33333333333333333333333333333333" \
    "$(q "SELECT status, outcome, failure_reason, provider_call_sid FROM calls
    WHERE call_sid = 'EL_vec_2'")"
check_same "audit rows carry tenant, call and classification" \
    "call_initiation_failure|tenant-a|busy|busy post_call_transcription|tenant-a|completed|duration" \
    "$(q "SELECT e.type || '|' || e.user_id || '|' || e.outcome || '|' ||
    e.outcome_rule FROM elevenlabs_webhook_events e JOIN calls c
    ON c.id = e.call_id ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
before=$(q "SELECT updated_at FROM calls ORDER BY id")
load "$T/v.tr" "$T/v.fail" >"$T/fates" 2>/dev/null
check_same "delivered again: duplicates" "duplicate duplicate" \
    "$(status_of "$T/fates")"
check_same "no new turns, rows untouched" "2 $before" \
    "$(q "SELECT count(*) FROM call_transcriptions") $(q \
    "SELECT updated_at FROM calls ORDER BY id")"

# --- the seed's lifecycle: row created before the call, then webhooks ---
reset
dial EL_drv7_1767229190 NULL
el_env "$F/transcription.json" >"$T/tr"
el_env "$F/audio.json" >"$T/au"
load "$T/tr" "$T/au" >"$T/fates" 2>/dev/null
check_same "found by call_sid without a conversation_id; the audio too" \
    "inserted inserted" "$(status_of "$T/fates")"
check_same "the row completed, conversation_id filled from the webhook" \
    'tenant-a|drv7|agent_life|+14155550177|conv_life_0001|completed|completed||58|402|SIP-77-abc|outbound|{"call_successful": "success", "transcript_summary": "Driver 7 reported a ten-minute delay."}|2026-01-01 01:00:00+00|2026-01-01 01:00:58+00|EL_drv7_1767229190' \
    "$(row EL_drv7_1767229190)"
check_same "one row per turn, numbered by place" \
    "0:agent:0 1:user:5 2:agent:9 3:agent:12" "$(turns conv_life_0001)"
check_same "the turns carry the tenant" "tenant-a|4" \
    "$(q "SELECT user_id, count(*) FROM call_transcriptions GROUP BY 1")"
check_same "the message-less turn is NULL" "t" \
    "$(q "SELECT message IS NULL FROM call_transcriptions
    WHERE sequence_number = 2")"

# --- failures ---
el_env "$F/failure_no_answer.json" >"$T/na"
el_env "$F/failure_unknown.json" >"$T/unk"
dial EL_na_1 conv_noans_0001
dial EL_unk_1 conv_unk_0001
load "$T/na" "$T/unk" >/dev/null 2>&1
check_same "no-answer and unknown initiation failures" \
    "EL_na_1|failed|no_answer|no-answer EL_unk_1|failed|failed|unknown" \
    "$(q "SELECT call_sid || '|' || status || '|' || outcome || '|' ||
    failure_reason FROM calls WHERE call_sid IN ('EL_na_1', 'EL_unk_1')
    ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
check_same "a failure has no turns" 0 \
    "$(q "SELECT count(*) FROM call_transcriptions WHERE conversation_id
    IN ('conv_noans_0001', 'conv_unk_0001')")"

# --- one call's row whatever the order of its events ---
# Four events of one conversation: the transcription (with the call_sid),
# the audio, a type this version does not know, and an initiation failure
# (contradicting the transcription, so precedence shows).  The row starts
# as co-dial leaves it before the API answered: conversation_id NULL, so
# events without the call_sid wait (pending) until the transcription came.
jq '.data.conversation_id = "conv_life_0001"' "$F/failure_unknown.json" \
    >"$T/fail_life.json"
el_env "$T/fail_life.json" 1767229600 >"$T/o4"
cp "$T/tr" "$T/o1"
cp "$T/au" "$T/o2"
el_env "$F/unknown_type.json" 1767229700 >"$T/o3"
for o in o1 o2 o3 o4; do
	co-verify "$T/$o" | co-transform | co-classify >"$T/n$o"
	jq -r .event_id "$T/n$o" >"$T/n$o.id"
done
# pipeline FILE...: load those classified events in that order, one
# transaction each, then the pending ones again, as co-drain does with
# retry/.
pipeline() {
	cat "$@" | co-load -b 1 2>/dev/null | grep '"status":"pending"' |
	    jq -r .event_id >"$T/pend"
	[ -s "$T/pend" ] || return 0
	for f in "$@"; do
		grep -qxF "$(cat "$f.id")" "$T/pend" && cat "$f"
	done | co-load -b 1 >/dev/null 2>&1
}
# life CONVERSATION_ID|NULL: only the call of the lifecycle, as co-dial
# left it.
life() {
	_c=NULL
	[ "$1" = NULL ] || _c="'$1'"
	q "TRUNCATE calls, call_transcriptions, elevenlabs_webhook_events,
	    twilio_call_events;
	    INSERT INTO calls (user_id, driver_id, agent_id, to_number,
	    call_sid, conversation_id) VALUES ('tenant-a', 'drv7',
	    'agent_life', '+14155550177', 'EL_drv7_1767229190', $_c)"
}
# The call's row, its turns and its events, in one query.
lifestate() {
	q "SELECT (SELECT c::text FROM (SELECT user_id, driver_id, agent_id,
	    to_number, conversation_id, status, outcome, failure_reason,
	    duration, cost, provider_call_sid, direction, analysis, started_at,
	    ended_at, call_sid FROM calls) c) || ' ' || (SELECT string_agg(
	    sequence_number || ':' || role, ' ' ORDER BY sequence_number)
	    FROM call_transcriptions) || ' ' ||
	    (SELECT count(*) FROM elevenlabs_webhook_events)"
}
life NULL
load "$T/o2" "$T/o3" "$T/o4" "$T/o1" >"$T/fates" 2>/dev/null
check_same "the four stages: audio, unknown and failure wait for the call" \
    "pending pending pending inserted" "$(status_of "$T/fates")"
load "$T/o2" "$T/o3" "$T/o4" >"$T/fates" 2>/dev/null
check_same "... and load once the transcription named it" \
    "inserted inserted inserted" "$(status_of "$T/fates")"
ref="$(row EL_drv7_1767229190) $(turns conv_life_0001) $(q \
    'SELECT count(*) FROM elevenlabs_webhook_events')"
check_same "the transcription decides: completed, no failure reason" \
    'tenant-a|drv7|agent_life|+14155550177|conv_life_0001|completed|completed||58|402|SIP-77-abc|outbound|{"call_successful": "success", "transcript_summary": "Driver 7 reported a ten-minute delay."}|2026-01-01 01:00:00+00|2026-01-01 01:00:58+00|EL_drv7_1767229190 0:agent:0 1:user:5 2:agent:9 3:agent:12 4' \
    "$ref"
ref=$(lifestate)
perl -e 'sub p { my ($d, @r) = @_; if (!@r) { print "@$d\n"; return }
    for my $i (0..$#r) { my @x = @r; my ($e) = splice(@x, $i, 1);
    p([@$d, $e], @x) } } p([], 1..4)' >"$T/perms"
bad=0
while read -r a b c d; do
	for conv in NULL conv_life_0001; do
		life $conv
		pipeline "$T/no$a" "$T/no$b" "$T/no$c" "$T/no$d"
		got=$(lifestate)
		[ "$got" = "$ref" ] ||
		    { bad=$((bad + 1)); diag "$a $b $c $d ($conv): $got"; }
	done
	life conv_life_0001
	pipeline "$T/no$a" "$T/no$b" "$T/no$a" "$T/no$c" "$T/no$d" \
	    "$T/no$b" "$T/no$d"
	got=$(lifestate)
	[ "$got" = "$ref" ] || { bad=$((bad + 1)); diag "twice $a $b $c $d: $got"; }
done <"$T/perms"
check_same "24 orders, from either start, once and repeated: one row" 0 "$bad"
# Without the transcription, the failure decides; the audio alone decides
# nothing; so does one batch holding them all.
for set in "o2 o3" "o4 o2" "o2 o4 o3"; do
	life conv_life_0001
	pipeline $(for o in $set; do echo "$T/n$o"; done)
	q "SELECT status || '|' || coalesce(outcome, '-') || '|' ||
	    coalesce(failure_reason, '-') FROM calls"
done >"$T/partial"
check_same "audio only: in_progress; failure: failed, its reason" \
    "in_progress|-|- failed|failed|unknown failed|failed|unknown" \
    "$(tr '\n' ' ' <"$T/partial" | sed 's/ $//')"
life NULL
co-verify "$T/o4" "$T/o3" "$T/o2" "$T/o1" | co-transform | co-classify |
    co-load >"$T/fates" 2>/dev/null
check_same "one batch, transcription last: all four in" \
    "inserted inserted inserted inserted" "$(status_of "$T/fates")"
check_same "and the same row" "$ref" "$(lifestate)"

# --- conflicts ---
reset
dial EL_drv7_1767229190 conv_other
load "$T/tr" >"$T/fates" 2>/dev/null
check_same "call_sid of a row with another conversation: rejected" \
    "rejected call_sid EL_drv7_1767229190 belongs to conversation conv_other" \
    "$(jq -r '"\(.status) \(.reason)"' "$T/fates")"
reset
dial EL_c_2 conv_life_0001
load "$T/tr" >"$T/fates" 2>/dev/null
check_same "the conversation of a row with another call_sid: rejected" \
    "rejected conversation conv_life_0001 belongs to call_sid EL_c_2" \
    "$(jq -r '"\(.status) \(.reason)"' "$T/fates")"
reset
dial EL_drv7_1767229190 NULL
dial EL_c_2 conv_life_0001
load "$T/tr" >"$T/fates" 2>/dev/null
check_same "a conversation already another row's: rejected, named" \
    "rejected conversation conv_life_0001 belongs to another call (id $(q \
    "SELECT id FROM calls WHERE call_sid = 'EL_c_2'"))" \
    "$(jq -r '"\(.status) \(.reason)"' "$T/fates")"
check_same "neither row changed" "- conv_life_0001" \
    "$(q "SELECT coalesce(conversation_id, '-') FROM calls ORDER BY id" |
    tr '\n' ' ' | sed 's/ $//')"

# --- co-load's own bad ElevenLabs records ---
reset
dial EL_drv7_1767229190 NULL
co-verify "$T/tr" | co-transform | co-classify >"$T/good"
base='{"source":"elevenlabs","event_id":"x:conv_b","event":"x","conversation_id":"conv_b","raw":{}}'
{
	echo "$base" | jq -c 'del(.conversation_id)'
	echo "$base" | jq -c '.duration = -1'
	echo "$base" | jq -c '.occurred_at = "2026-02-30T00:00:00Z"'
	cat "$T/good"
	echo "$base" | jq -c '.transcript = [{"role": 1}]'
	echo "$base" | jq -c '.transcript = [{"time_in_call_secs": 1.5}]'
	echo "$base" | jq -c '.direction = "sideways"'
	echo "$base" | jq -c 'del(.raw)'
	echo "$base" | jq -c '.cost = "12"'
	echo "$base" | jq -c '.outcome = "great"'
	echo "$base" | jq -c '.analysis = {"a": "nul\u0000"}'
} >"$T/in"
co-load "$T/in" >"$T/fates" 2>"$T/err"
check_same "co-load exits 65 on rejects" 65 "$?"
check_same "co-load diagnostics" \
"co-load: $T/in:1: missing conversation_id
co-load: $T/in:2: bad value for duration
co-load: $T/in:3: bad value for occurred_at
co-load: $T/in:5: bad value for transcript
co-load: $T/in:6: bad value for transcript
co-load: $T/in:7: bad value for direction
co-load: $T/in:8: bad value for raw
co-load: $T/in:9: bad value for cost
co-load: $T/in:10: bad value for outcome
co-load: $T/in:11: bad value for analysis
co-load: 11 records: 1 inserted, 0 duplicate, 0 pending, 10 rejected" \
    "$(cat "$T/err")"
check_same "the good record between them loaded" "completed 4" \
    "$(q 'SELECT status FROM calls') $(q 'SELECT count(*) FROM call_transcriptions')"
t_run 64 'co-load -b x' '' ''

# --- co-drain: pending in retry/, then loaded; aged out; a duplicate ---
reset
S=$T/spool
mkdir -p "$S/new"
now=$(date +%s)
el_env "$F/voicemail.json" >"$S/new/$now.000001.1.vm"
el_env "$F/transcription.json" >"$S/new/$now.000002.1.tr"
el_env "$F/transcription.json" >"$S/new/$now.000003.1.tr-again"
el_env "$V/elevenlabs_call_initiation_failure.json" 1767225721 \
    >"$S/new/$((now - 90000)).000004.1.old"
# Pending since a first attempt 25 hours ago, as co-drain(1) marks it.
chmod 400 "$S/new/$((now - 90000)).000004.1.old"
touch -d @$((now - 90000)) "$S/new/$((now - 90000)).000004.1.old"
dial EL_drv7_1767229190 conv_life_0001
co-drain -s "$S" 2>"$T/err"
check_same "co-drain exits 65: the aged-out file failed" 65 "$?"
check_same "unknown call_sid waits in retry/" "$now.000001.1.vm" \
    "$(ls "$S/retry")"
check_same "the webhook and its second delivery in done/" \
    "$now.000002.1.tr $now.000003.1.tr-again" \
    "$(ls "$S/done" | tr '\n' ' ' | sed 's/ $//')"
check_same "pending for more than a day: failed/, with the reason" \
    "1: pending for more than 86400 s: no call for conversation_id conv_01jvectortest0000000000001 yet" \
    "$(cat "$S/failed/$((now - 90000)).000004.1.old.reason")"
check_same "summary" \
    "co-drain: 4 files: 2 done, 1 retry, 1 failed; 4 records: 1 inserted, 1 duplicate, 1 pending, 1 rejected" \
    "$(tail -n 1 "$T/err")"
check_same "the twice-delivered webhook: one set of turns" \
    "0:agent:0 1:user:5 2:agent:9 3:agent:12" "$(turns conv_life_0001)"
check_same "the spool file is kept in the audit" "$now.000002.1.tr" \
    "$(q "SELECT spool_file FROM elevenlabs_webhook_events")"
dial EL_drv9_1767229650 NULL tenant-b
touch -d @$((now - 10)) "$S/retry/$now.000001.1.vm"
CO_NOW=$((now + 1)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "once its row exists, the retried file loads" "0 0 3" \
    "$? $(ls "$S/retry" | wc -l) $(ls "$S/done" | wc -l)"
check_same "voicemail: completed call, outcome voicemail, tenant-b's" \
    "completed|voicemail|conv_vm_0001|21|+14155550155|1" \
    "$(q "SELECT status, outcome, conversation_id, duration, to_number,
    (SELECT count(*) FROM call_transcriptions t WHERE t.user_id =
    'tenant-b') FROM calls WHERE call_sid = 'EL_drv9_1767229650'")"

# --- tenants: row-level security on the new tables ---
q "CREATE ROLE ana LOGIN IN ROLE co_analyst;
   INSERT INTO tenant_members (login, tenant) VALUES ('ana', 'tenant-a'),
   ('ana', 'tenant-b')"
as_ana() {
	PGUSER=ana PGOPTIONS="-c co.tenant=$1" psql -X -q -A -t -c "$2"
}
check_same "an analyst of tenant-a sees tenant-a's only" "1 4 1" \
    "$(as_ana tenant-a 'SELECT count(*) FROM calls') $(as_ana tenant-a \
    'SELECT count(*) FROM call_transcriptions') $(as_ana tenant-a \
    'SELECT count(*) FROM elevenlabs_webhook_events')"
check_same "tenant-b's analyst sees the voicemail call only" "EL_drv9_1767229650" \
    "$(as_ana tenant-b 'SELECT call_sid FROM calls')"
check_same "no tenant: nothing" 0 "$(PGUSER=ana q 'SELECT count(*) FROM calls')"

# --- migration 004 down and up with rows, some without conversation_id ---
dial EL_nc_1 NULL
dial EL_nc_2 NULL tenant-b
snap() {
	q "SELECT id, user_id, call_sid, coalesce(conversation_id, '-'), status,
	    coalesce(outcome, '-') FROM calls ORDER BY id" | tr '\n' ' '
}
before=$(snap)
co-migrate down $(q "SELECT count(*) FROM schema_migrations WHERE version >= 4") >/dev/null 2>"$T/err"
check_same "004 down with rows exits 0" 0 "$?"
check_same "rows without conversation_id set aside whole" "2 EL_nc_1 EL_nc_2" \
    "$(q 'SELECT count(*) FROM calls_without_conversation') $(q \
    'SELECT string_agg(call_sid, $$ $$ ORDER BY id) FROM calls_without_conversation')"
check_same "the others keep their rows and turns; call_sids archived" \
    "2 5 2" "$(q 'SELECT count(*) FROM calls') $(q \
    'SELECT count(*) FROM call_transcriptions') $(q \
    'SELECT count(*) FROM calls_call_sid_archive')"
check_same "conversation_id NOT NULL again" "NO" \
    "$(q "SELECT is_nullable FROM information_schema.columns WHERE
    table_name = 'calls' AND column_name = 'conversation_id'")"
check_same "the archive is tenant-isolated too" "1" \
    "$(q "SELECT count(*) FROM pg_class WHERE relname =
    'calls_without_conversation' AND relrowsecurity AND relforcerowsecurity")"
co-migrate up >/dev/null 2>"$T/err"
check_same "004 up again exits 0" 0 "$?"
check_same "every row back as it was" "$before" "$(snap)"
check_same "archives gone" "" "$(q "SELECT to_regclass('calls_without_conversation'),
    to_regclass('calls_call_sid_archive')" | tr -d '|')"
reset
dial EL_drv7_1767229190 NULL
load "$T/tr" >"$T/fates" 2>/dev/null
check_same "and webhooks load after the round trip" "inserted 4" \
    "$(status_of "$T/fates") $(q 'SELECT count(*) FROM call_transcriptions')"
co-migrate down $(q "SELECT count(*) FROM schema_migrations WHERE version >= 3") >/dev/null 2>"$T/err"
check_same "003 and 004 down with rows" "0 " \
    "$? $(q "SELECT to_regclass('calls')")"
co-migrate up >/dev/null 2>"$T/err"
check_same "and up again" "0 0" "$? $(q 'SELECT count(*) FROM calls')"
done_testing
