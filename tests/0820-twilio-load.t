#!/bin/sh
# Twilio status callbacks, normalized (as share/twilio.jq makes them), into
# a real cluster with co-load: a callback goes to the ElevenLabs calls row
# whose provider_call_sid is its CallSid, else to a row of its own when its
# tenant is known (its own "tenant" or co-load -u), else it is pending;
# loading again is a duplicate and changes no row; a call's row is the same
# whatever the order of its callbacks; the raw payload is kept.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('tenant-a'), ('tenant-b')"
unset CO_NOW 2>/dev/null

# tw CALLSID STATUS SECONDS [EXTRA-JQ]: one normalized callback; the
# status's outcome as co-classify gives it.
tw() {
	jq -nc --arg sid "$1" --arg st "$2" --argjson t "$3" "
	{source: \"twilio\", event_id: (\$sid + \":\" + \$st),
	event: \"status_callback\", call_sid: \$sid, provider_status: \$st,
	occurred_at: (1767225600 + \$t | todate), direction: \"outbound\",
	phone_number: \"+14155550100\", from_number: \"+14155550199\",
	to_number: \"+14155550100\", spool_file: null,
	outcome: ({\"busy\": \"busy\", \"no-answer\": \"no_answer\",
	\"canceled\": \"no_answer\", \"failed\": \"failed\"}[\$st]),
	outcome_rule: null,
	raw: {CallSid: \$sid, CallStatus: \$st, AccountSid: \"ACtest\"}}
	| if .outcome then .outcome_rule = .provider_status else . end
	${4:-}"
}
call() {
	q "SELECT user_id, coalesce(call_sid, '-'), status,
	    coalesce(outcome, '-'), coalesce(duration::text, '-'),
	    coalesce(ended_at::text, '-') FROM calls
	    WHERE provider_call_sid = '$1' ORDER BY id"
}
nevents() {
	q "SELECT count(*) || ' ' || coalesce(min(call_id)::text, '-')
	    FROM twilio_call_events WHERE call_sid = '$1'"
}
statuses() { jq -r .status "$1" | tr '\n' ' ' | sed 's/ $//'; }

# --- an ElevenLabs call placed through Twilio: its row takes them ---
q "INSERT INTO calls (user_id, driver_id, agent_id, to_number, call_sid,
    conversation_id, status, provider_call_sid) VALUES ('tenant-a', 'drv1',
    'agent1', '+14155550100', 'EL_drv1_1', 'conv_1', 'in_progress',
    'CA_el_1')"
{
	tw CA_el_1 ringing 0
	tw CA_el_1 in-progress 5
	tw CA_el_1 completed 47 '| .duration = 42 | .outcome = "completed" |
	    .outcome_rule = "duration" | .answered_by = "human" |
	    .sip_response_code = "200"'
} >"$T/el.ndjson"
co-load <"$T/el.ndjson" >"$T/el.out" 2>"$T/el.err"
check_same "co-load exits 0" 0 "$?"
check_same "three inserted" "inserted inserted inserted" \
    "$(statuses "$T/el.out")"
check_same "the ElevenLabs call's row has them" \
    "3 $(q "SELECT id FROM calls WHERE call_sid = 'EL_drv1_1'")" \
    "$(nevents CA_el_1)"
check_same "its status, outcome, duration and end from them" \
    "tenant-a|EL_drv1_1|completed|completed|42|2026-01-01 00:00:47+00" \
    "$(call CA_el_1)"
check_same "raw payload and fields kept" \
    "tenant-a|CA_el_1|completed|human|200|ACtest" \
    "$(q "SELECT user_id, raw->>'CallSid', provider_status, answered_by,
    sip_response_code, raw->>'AccountSid' FROM twilio_call_events
    WHERE event_id = 'CA_el_1:completed'")"

# --- loaded again: duplicates, no row changes ---
before=$(q "SELECT updated_at FROM calls WHERE call_sid = 'EL_drv1_1'")
co-load <"$T/el.ndjson" >"$T/el2.out" 2>/dev/null
check_same "again: duplicates" "duplicate duplicate duplicate" \
    "$(statuses "$T/el2.out")"
check_same "again: the same rows" "3 $(q "SELECT id FROM calls
    WHERE call_sid = 'EL_drv1_1'")|$before" \
    "$(nevents CA_el_1)|$(q "SELECT updated_at FROM calls
    WHERE call_sid = 'EL_drv1_1'")"
check_same "one summary line" \
    "co-load: 3 records: 0 inserted, 3 duplicate, 0 pending, 0 rejected" \
    "$(co-load <"$T/el.ndjson" 2>&1 >/dev/null)"

# --- ElevenLabs' transcription decides: Twilio's outcome does not win ---
q "INSERT INTO calls (user_id, call_sid, conversation_id, status, outcome,
    provider_call_sid) VALUES ('tenant-a', 'EL_drv1_2', 'conv_2',
    'completed', 'completed', 'CA_el_2')"
q "INSERT INTO elevenlabs_webhook_events (event_id, type, conversation_id,
    call_id, user_id, outcome, raw) SELECT 'post_call_transcription:conv_2',
    'post_call_transcription', 'conv_2', id, user_id, 'completed', '{}'
    FROM calls WHERE call_sid = 'EL_drv1_2'"
tw CA_el_2 busy 3 | co-load >/dev/null 2>&1
check_same "a transcribed call keeps ElevenLabs' outcome" \
    "tenant-a|EL_drv1_2|completed|completed|-|2026-01-01 00:00:03+00" \
    "$(call CA_el_2)"

# --- no ElevenLabs call: a row of its own for a known tenant ---
tw CA_own_1 busy 2 '| .tenant = "tenant-b"' >"$T/own.ndjson"
co-load <"$T/own.ndjson" >"$T/own.out" 2>/dev/null
check_same "tenant in the event: inserted" inserted "$(statuses "$T/own.out")"
check_same "tenant in the event: its own row" \
    "tenant-b|-|failed|busy|-|2026-01-01 00:00:02+00" "$(call CA_own_1)"
tw CA_own_2 no-answer 30 >"$T/own2.ndjson"
co-load -u tenant-a <"$T/own2.ndjson" >"$T/own2.out" 2>/dev/null
check_same "co-load -u: its own row" \
    "tenant-a|-|failed|no_answer|-|2026-01-01 00:00:30+00" "$(call CA_own_2)"
check_same "the row's number and direction from the callback" \
    "+14155550100|outbound" "$(q "SELECT to_number, direction FROM calls
    WHERE provider_call_sid = 'CA_own_2'")"

# --- no call, no tenant: pending, then loaded once the call exists ---
tw CA_late in-progress 4 >"$T/late.ndjson"
tw CA_late completed 64 '| .duration = 60 | .outcome = "completed"' \
    >>"$T/late.ndjson"
co-load <"$T/late.ndjson" >"$T/late.out" 2>"$T/late.err"
check_same "no call, no tenant: pending" "pending pending" \
    "$(statuses "$T/late.out")"
check_same "with what it lacks" \
    "no call for CallSid CA_late yet, and no tenant to create one" \
    "$(jq -r .reason "$T/late.out" | sort -u)"
check_same "pending: no row, no event" "|0 -" \
    "$(call CA_late)|$(nevents CA_late)"
q "INSERT INTO calls (user_id, call_sid, status, provider_call_sid)
    VALUES ('tenant-a', 'EL_drv1_3', 'in_progress', 'CA_late')"
co-load <"$T/late.ndjson" >"$T/late2.out" 2>/dev/null
check_same "once the call exists: inserted" "inserted inserted" \
    "$(statuses "$T/late2.out")"
check_same "into that call" \
    "tenant-a|EL_drv1_3|completed|completed|60|2026-01-01 00:01:04+00" \
    "$(call CA_late)"

# --- a tenant the database does not know: pending ---
tw CA_nobody busy 1 '| .tenant = "tenant-z"' | co-load >"$T/z.out" 2>/dev/null
check_same "unknown tenant: pending" "pending|unknown tenant tenant-z" \
    "$(jq -r '.status + "|" + .reason' "$T/z.out")"

# --- another tenant's CallSid: not attached, no second row ---
tw CA_el_1 failed 9 '| .tenant = "tenant-b" | .event_id = "CA_el_1:x"' |
    co-load >"$T/other.out" 2>/dev/null
check_same "another tenant's call: pending, said why" \
    "pending|CallSid CA_el_1 is a call of another tenant than this event's (tenant-b)" \
    "$(jq -r '.status + "|" + .reason' "$T/other.out")"
check_same "and no second row for the CallSid" 1 \
    "$(q "SELECT count(*) FROM calls WHERE provider_call_sid = 'CA_el_1'")"
tw CA_el_1 failed 9 '| .event_id = "CA_el_1:y"' |
    co-load -u tenant-b >"$T/u.out" 2>/dev/null
check_same "-u names no tenant of the event: it finds the call all the same" \
    "inserted|3 $(q "SELECT id FROM calls WHERE call_sid = 'EL_drv1_1'")" \
    "$(jq -r .status "$T/u.out")|$(q "SELECT count(*) || ' ' || min(call_id)
    FROM twilio_call_events WHERE call_sid = 'CA_el_1'
    AND event_id <> 'CA_el_1:y'")"

# --- order: the same row whatever order the callbacks come in ---
for sid in CA_fwd CA_rev CA_one; do
	{
		tw $sid queued 0
		tw $sid ringing 1
		tw $sid in-progress 6 '| .answered_by = "machine_end_beep"'
		tw $sid completed 31 '| .duration = 25 |
		    .answered_by = "machine_end_beep" |
		    .outcome = "voicemail" | .outcome_rule = "answered_by"'
	} | sed "s/CA_[a-z]*/$sid/g" >"$T/$sid.ndjson"
done
co-load -u tenant-a -b 1 <"$T/CA_fwd.ndjson" >/dev/null 2>&1
tac "$T/CA_rev.ndjson" | co-load -u tenant-a -b 1 >/dev/null 2>&1
co-load -u tenant-a <"$T/CA_one.ndjson" >/dev/null 2>&1
fwd=$(call CA_fwd)
check_same "in order, one a batch: voicemail" \
    "tenant-a|-|completed|voicemail|25|2026-01-01 00:00:31+00" "$fwd"
check_same "reversed, one a batch: the same row" "$fwd" "$(call CA_rev)"
check_same "all in one batch: the same row" "$fwd" "$(call CA_one)"
# The final callback first, then the earlier ones: still the final's word.
tw CA_late2 completed 40 '| .duration = 33 | .outcome = "completed" |
    .tenant = "tenant-a"' | co-load >/dev/null 2>&1
tw CA_late2 ringing 1 '| .tenant = "tenant-a"' | co-load >/dev/null 2>&1
tw CA_late2 in-progress 7 '| .tenant = "tenant-a"' | co-load >/dev/null 2>&1
check_same "earlier callbacks after the final one change nothing" \
    "tenant-a|-|completed|completed|33|2026-01-01 00:00:40+00" \
    "$(call CA_late2)"

# --- two loaders at once, the same new CallSids: one row each ---
i=0
while [ $i -lt 40 ]; do
	tw CA_par_$i ringing 1 >>"$T/par1.ndjson"
	tw CA_par_$i completed 20 '| .duration = 15 | .outcome = "completed"' \
	    >>"$T/par2.ndjson"
	i=$((i + 1))
done
co-load -u tenant-a -b 7 <"$T/par1.ndjson" >/dev/null 2>&1 &
p1=$!
co-load -u tenant-a -b 5 <"$T/par2.ndjson" >/dev/null 2>&1
wait $p1
check_same "concurrent loaders: one row per CallSid, each event once" \
    "40|40|80|40" "$(q "SELECT count(*), count(DISTINCT provider_call_sid),
    (SELECT count(*) FROM twilio_call_events WHERE call_sid LIKE 'CA_par_%'),
    count(*) FILTER (WHERE status = 'completed' AND duration = 15)
    FROM calls WHERE provider_call_sid LIKE 'CA_par_%'")"
q "DELETE FROM calls WHERE provider_call_sid LIKE 'CA_par_%'"

# --- bad records: rejected one by one, never loaded ---
{
	tw CA_bad1 busy 1 '| del(.call_sid)'
	tw CA_bad2 busy 1 '| .outcome = "maybe"'
	tw CA_bad3 busy 1 '| .sip_response_code = "2x0"'
	tw CA_bad4 busy 1 '| .tenant = "tenant-a"'
} >"$T/bad.ndjson"
co-load <"$T/bad.ndjson" >"$T/bad.out" 2>"$T/bad.err"
check_same "bad records: exit 65" 65 "$?"
check_same "each bad one rejected, the good one loaded" \
    "rejected|missing call_sid rejected|bad value for outcome rejected|bad value for sip_response_code inserted|" \
    "$(jq -r '.status + "|" + (.reason // "")' "$T/bad.out" | tr '\n' ' ' |
    sed 's/ $//')"
check "diagnosed as FILE:LINE" grep -q '^co-load: -:2: bad value for outcome' \
    "$T/bad.err"

# --- co-query: Twilio calls and events ---
check_same "calls --provider twilio: the rows of their own, newest first" \
    "twilio:CA_bad4 twilio:CA_late2 twilio:CA_one twilio:CA_rev twilio:CA_fwd twilio:CA_own_2" \
    "$(co-query -u tenant-a calls --provider twilio -o ndjson |
    jq -r '.provider + ":" + .metadata.provider_call_sid' | tr '\n' ' ' |
    sed 's/ $//')"
check_same "... of their own tenant" "twilio:CA_own_1" \
    "$(co-query -u tenant-b calls --provider twilio -o ndjson |
    jq -r '.provider + ":" + .metadata.provider_call_sid')"
check_same "--provider elevenlabs: not them" "EL_drv1_3 EL_drv1_2 EL_drv1_1" \
    "$(co-query -u tenant-a calls --provider elevenlabs -o ndjson |
    jq -r .metadata.call_sid | tr '\n' ' ' | sed 's/ $//')"
check_same "stats by provider" "elevenlabs 3|twilio 6" \
    "$(co-query -u tenant-a stats --by provider -o ndjson |
    jq -r '.provider + " " + (.calls | tostring)' | tr '\n' '|' |
    sed 's/|$//')"
check_same "outcome by CallSid" "twilio-row busy" \
    "$(co-query -u tenant-b outcome CA_own_1 -o ndjson |
    jq -r '(if .call_sid then "el" else "twilio-row" end) + " " + .outcome')"
check_same "events of an ElevenLabs call: its Twilio callbacks" \
    "twilio CA_el_1:ringing ringing|twilio CA_el_1:in-progress in-progress|twilio CA_el_1:y failed|twilio CA_el_1:completed completed human SIP 200" \
    "$(co-query -u tenant-a events EL_drv1_1 -o ndjson | jq -r '[.provider,
    .event_id, .provider_status, .termination_reason, .failure_reason]
    | map(select(. != null)) | join(" ")' | tr '\n' '|' | sed 's/|$//')"
check_same "events --raw: the payload" "ACtest" \
    "$(co-query -u tenant-a events CA_el_1 --raw -o ndjson |
    jq -r .raw.AccountSid | sort -u)"


# --- migration 011 down and up ---
ncalls=$(q "SELECT count(*) FROM calls")
co-migrate down 1 >/dev/null 2>&1
check_same "011 down: the audit is gone, the calls stay" "f|$ncalls" \
    "$(q "SELECT to_regclass('twilio_call_events') IS NOT NULL")|$(q "SELECT
    count(*) FROM calls WHERE provider_call_sid LIKE 'CA%'")"
co-migrate up >/dev/null 2>&1
check_same "011 up again" t \
    "$(q "SELECT to_regclass('twilio_call_events') IS NOT NULL")"

done_testing
