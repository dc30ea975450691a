#!/bin/sh
# Twilio status callbacks through co-verify | co-transform | co-classify
# (issue 10 point 4): signed with the vectors' auth token, every CallStatus
# and every AnsweredBy value gives its normalized event and outcome; the
# tenant comes only from the signed callback URL; co-receive accepts one
# and its spool file goes the same way, with the same event id.
. "$(dirname "$0")/lib.sh"

V=$VECTORS
TW_TOKEN=0123456789abcdef0123456789abcdef
TW_URL=https://hooks.example.com
export TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=$TW_URL CO_NOW=1767225700
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET \
    TWILIO_AUTH_TOKEN_FILE 2>/dev/null

# twenv PATH QUERY FORMFILE [SIGNATURE]: an envelope of a POST to PATH?QUERY,
# signed over CO_PUBLIC_URL + PATH?QUERY and the form unless given one.
twenv() {
	_sig=${4:-$(tw-sign $TW_TOKEN "$TW_URL$1${2:+?$2}" "$3")}
	jq -nc --arg p "$1" --arg q "$2" --arg s "$_sig" --rawfile body "$3" \
	    '{v:1, received_at:"2026-01-01T00:01:40Z", source:"twilio",
	    method:"POST", path:$p, query:$q, remote:"127.0.0.1",
	    headers:{"content-type":"application/x-www-form-urlencoded",
	    "x-twilio-signature":$s}, body:$body}'
}

# form STATUS [FIELDS]: a status callback body, as Twilio encodes it.
form() {
	printf 'AccountSid=AC00000000000000000000000000000000&ApiVersion=2010-04-01&CallSid=CA%s&CallStatus=%s&Called=%%2B14155550123&Caller=%%2B14155550199&Direction=outbound-api&From=%%2B14155550199&SequenceNumber=2&Timestamp=Thu%%2C+01+Jan+2026+00%%3A01%%3A31+%%2B0000&To=%%2B14155550123%s' \
	    "$(printf '%s00000000' "$1" | tr -c 'a-z0\n' 0 | cut -c1-8)" "$1" \
	    "${2:-}"
}

# pipe FILE: co-verify | co-transform | co-classify, the way co-drain runs
# them; each stage's stderr in $T/err.
pipe() {
	co-verify "$1" 2>"$T/err.v" | co-transform 2>"$T/err.t" |
	    co-classify 2>"$T/err.c"
}

# --- every CallStatus ---
: >"$T/all"
row() {	# STATUS FIELDS -> one envelope line
	form "$1" "${2:-}" >"$T/f.$1"
	twenv /webhooks/twilio "tenant=acme" "$T/f.$1" >>"$T/all"
}
row queued
row ringing
row in-progress '&CallDuration=30'
row completed '&CallDuration=47&SipResponseCode=200'
row busy '&CallDuration=0&SipResponseCode=486'
row no-answer '&CallDuration=0&SipResponseCode=487'
row failed '&CallDuration=0&SipResponseCode=503'
row canceled '&CallDuration=0'
pipe "$T/all" >"$T/out"
check_same "every CallStatus: all verify, transform and classify, nothing said" \
    "8 0" "$(wc -l <"$T/out") $(cat "$T/err.v" "$T/err.t" "$T/err.c" | wc -l)"
check_same "every CallStatus: its outcome and rule" \
    'queued null null
ringing null null
in-progress null null
completed completed duration
busy busy busy
no-answer no_answer no_answer
failed failed failed
canceled no_answer no_answer' \
    "$(jq -r '"\(.provider_status) \(.outcome) \(.outcome_rule)"' "$T/out")"
check_same "event_id is CallSid:CallStatus, the event status_callback" \
    "CAqueued00:queued status_callback
CAringing0:ringing status_callback
CAin0progr:in-progress status_callback
CAcomplete:completed status_callback
CAbusy0000:busy status_callback
CAno0answe:no-answer status_callback
CAfailed00:failed status_callback
CAcanceled:canceled status_callback" \
    "$(jq -r '"\(.event_id) \(.event)"' "$T/out")"
check_same "duration only on a final status (in-progress's CallDuration ignored)" \
    "null null null 47 0 0 0 0" \
    "$(jq -r .duration "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check_same "sip_response_code as a number" "null null null 200 486 487 503 null" \
    "$(jq -r .sip_response_code "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check_same "completed: the whole normalized event" \
    '{"source":"twilio","event_id":"CAcomplete:completed","event":"status_callback","occurred_at":"2026-01-01T00:01:31Z","call_sid":"CAcomplete","provider_call_sid":"CAcomplete","parent_call_sid":null,"account_sid":"AC00000000000000000000000000000000","user_id":"acme","direction":"outbound","phone_number":"+14155550123","from_number":"+14155550199","to_number":"+14155550123","provider_status":"completed","answered_by":null,"sip_response_code":200,"sequence_number":2,"started_at":"2026-01-01T00:00:44Z","ended_at":"2026-01-01T00:01:31Z","duration":47,"recording_url":null,"outcome":"completed","outcome_rule":"duration"}' \
    "$(jq -c 'select(.provider_status == "completed") | del(.raw)' "$T/out")"
check_same "raw is the form's fields, decoded" \
    '{"To":"+14155550123","Timestamp":"Thu, 01 Jan 2026 00:01:31 +0000","CallStatus":"busy"}' \
    "$(jq -c 'select(.provider_status == "busy") | .raw
    | {To, Timestamp, CallStatus}' "$T/out")"

# --- every AnsweredBy value, on a completed call of 47 s ---
: >"$T/amd"
for a in human machine_start machine_end_beep machine_end_silence \
    machine_end_other fax unknown; do
	form completed "&CallDuration=47&AnsweredBy=$a&MachineDetectionDuration=1840" \
	    >"$T/f.amd.$a"
	twenv /webhooks/twilio "" "$T/f.amd.$a" >>"$T/amd"
done
pipe "$T/amd" >"$T/out"
check_same "every AnsweredBy: its outcome (machine_* and fax: voicemail)" \
    'human completed duration
machine_start voicemail voicemail
machine_end_beep voicemail voicemail
machine_end_silence voicemail voicemail
machine_end_other voicemail voicemail
fax voicemail voicemail
unknown completed duration' \
    "$(jq -r '"\(.answered_by) \(.outcome) \(.outcome_rule)"' "$T/out")"
check_same "no tenant parameter: user_id null" "null" \
    "$(jq -r .user_id "$T/out" | sort -u)"
# busy wins over a machine answer (rule 1 before rule 3), as SPEC 7 says.
form busy '&AnsweredBy=machine_start' >"$T/f.busyamd"
twenv /webhooks/twilio "" "$T/f.busyamd" >"$T/busyamd"
check_same "busy with AnsweredBy machine_start: busy (first match wins)" \
    "busy busy" "$(pipe "$T/busyamd" | jq -r '"\(.outcome) \(.outcome_rule)"')"
# Short calls follow the duration rules of co-classify.
for d in 2 5; do
	form completed "&CallDuration=$d" >"$T/f.short$d"
	twenv /webhooks/twilio "" "$T/f.short$d" >>"$T/short"
done
check_same "completed in 2 s and 5 s: failed/short, no_answer/unanswered" \
    "failed short no_answer unanswered" \
    "$(pipe "$T/short" | jq -r '"\(.outcome) \(.outcome_rule)"' | tr '\n' ' ' |
    sed 's/ $//')"

# --- the tenant is signed: changing it breaks the signature ---
twenv /webhooks/twilio "tenant=acme" "$T/f.completed" >"$T/t.good"
sig=$(jq -r '.headers["x-twilio-signature"]' "$T/t.good")
twenv /webhooks/twilio "tenant=evil" "$T/f.completed" "$sig" >"$T/t.bad"
check_same "tenant=acme signed: user_id acme" acme \
    "$(pipe "$T/t.good" | jq -r .user_id)"
pipe "$T/t.bad" >"$T/out"
check_same "tenant changed after signing: rejected by co-verify, no event" \
    "0 co-verify: $T/t.bad:1: twilio signature invalid" \
    "$(wc -l <"$T/out") $(cat "$T/err.v")"
twenv /webhooks/twilio "tenant=caf%C3%A9+bar" "$T/f.completed" >"$T/t.enc"
check_same "the tenant parameter is decoded" "café bar" \
    "$(pipe "$T/t.enc" | jq -r .user_id)"

# --- the vectors: Twilio's own form and the JSON-body variant ---
twenv /twilio/voice/status tenant=acme "$V/twilio_status_callback.form" \
    "$(cat "$V/twilio_status_callback.signature.txt")" >"$T/vec"
check_same "vector form: verified, normalized, classified" \
    'CA44444444444444444444444444444444:completed acme human 47 completed +14155550123 2026-01-01T00:01:31Z' \
    "$(pipe "$T/vec" | jq -r '"\(.event_id) \(.user_id) \(.answered_by) \(.duration) \(.outcome) \(.phone_number) \(.occurred_at)"')"
jq -nc --arg q "$(sed 's/^[^?]*?//' "$V/twilio_json_body.url.txt")" \
    --arg s "$(cat "$V/twilio_json_body.signature.txt")" \
    --rawfile body "$V/twilio_json_body.json" \
    '{v:1, received_at:"2026-01-01T00:01:40Z", source:"twilio",
    method:"POST", path:"/twilio/voice/status", query:$q,
    remote:"127.0.0.1", headers:{"x-twilio-signature":$s}, body:$body}' \
    >"$T/vec.json"
check_same "vector JSON body (bodySHA256): read as JSON, not as a form" \
    'CA44444444444444444444444444444444:completed acme null null 2026-01-01T00:01:40Z' \
    "$(pipe "$T/vec.json" | jq -r '"\(.event_id) \(.user_id) \(.duration) \(.outcome) \(.occurred_at)"')"

# --- bad callbacks are named and rejected, the good ones pass ---
printf 'CallStatus=completed&CallDuration=3' >"$T/f.nosid"
printf 'CallSid=CA1&CallStatus=completed&Timestamp=yesterday' >"$T/f.badts"
{ twenv /webhooks/twilio "" "$T/f.nosid"; twenv /webhooks/twilio "" \
    "$T/f.badts"; } >"$T/bad"
co-transform "$T/bad" >"$T/out" 2>"$T/err"
check_same "no CallSid: rejected by name; a bad Timestamp falls back to received_at" \
    "65 co-transform: $T/bad:1: twilio payload has no CallSid
CA1:completed 2026-01-01T00:01:40Z" \
    "$? $(cat "$T/err")
$(jq -r '"\(.event_id) \(.occurred_at)"' "$T/out")"
# An envelope without a query (hand-made: co-receive always writes one).
jq -c 'del(.query)' "$T/t.good" >"$T/noquery"
check_same "an envelope without a query: a form, no tenant" \
    "CAcomplete:completed null" \
    "$(co-transform "$T/noquery" | jq -r '"\(.event_id) \(.user_id)"')"
jq -c '.body = "{not a form"' "$T/bad" | head -n 1 >"$T/notform"
co-transform "$T/notform" >/dev/null 2>"$T/err"
check_same "a body that is not a form" \
    "65 co-transform: $T/notform:1: body is not a form" "$? $(cat "$T/err")"

# --- co-receive: the route, the TwiML reply, the same event id ---
CR=$(printf '\r')
b=$(cat "$T/f.busy")
sig=$(tw-sign $TW_TOKEN "$TW_URL/webhooks/twilio?tenant=acme" "$T/f.busy")
printf 'POST /webhooks/twilio?tenant=acme HTTP/1.1\r\nHost: hooks.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: %s\r\nContent-Length: %d\r\n\r\n%s' \
    "$sig" "${#b}" "$b" >"$T/req"
co-receive -l stderr -s "$T/spool" <"$T/req" >"$T/ans" 2>"$T/log"
check_same "co-receive: 200 with empty TwiML" \
    "0|HTTP/1.1 200 OK|Content-Type: text/xml|<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>" \
    "$?|$(head -n 1 "$T/ans" | tr -d "$CR")|$(grep -i '^content-type' "$T/ans" | tr -d "$CR")|$(tail -n 1 "$T/ans")"
check "co-receive: logs the event id CallSid:CallStatus" \
    grep -q '^co-receive: 200 POST /webhooks/twilio CAbusy0000:busy ' "$T/log"
check_same "its spool file: verified, transformed and classified" \
    "CAbusy0000:busy acme busy busy" \
    "$(pipe "$T/spool/new/"* | jq -r '"\(.event_id) \(.user_id) \(.outcome) \(.outcome_rule)"')"

done_testing
