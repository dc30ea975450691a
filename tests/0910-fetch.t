#!/bin/sh
# co-fetch against a real cluster and tests/bin/mock-elevenlabs: the seed's
# lifecycle (co-dial -> API -> webhook -> transcriptions); a call whose
# webhook never came is fetched, its envelope has the webhook's shape and
# signature, and co-verify | co-transform | co-classify | co-load (or
# co-drain from the spool) loads it once; a second load changes nothing;
# calls not due are left alone; conversations not over, unknown, flaky.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('acme')"

M=$T/mock
mkdir -p "$M/conversations"
mock-elevenlabs "$M" 2>"$T/mock.err" &
mock=$!
stop_mock() { kill $mock; }
at_exit stop_mock
i=0
while [ ! -s "$M/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
export ELEVENLABS_API_BASE="http://127.0.0.1:$(cat "$M/port")"
export ELEVENLABS_API_KEY=xi-test-key-NOT-REAL-8c1e55
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
unset CO_NOW ELEVENLABS_WEBHOOK_SECRET_FILE ELEVENLABS_API_KEY_FILE 2>/dev/null
log=$M/requests.ndjson
V=$VECTORS/elevenlabs_post_call_transcription.json

load() { co-verify "$@" | co-transform | co-classify | co-load; }
# dial DRIVER NUMBER: place a call with co-dial; prints its call_sid.
dial() {
	printf '{"user_id":"acme","driver_id":"%s","to_number":"%s","agent_id":"agent_1","agent_phone_number_id":"phnum_1"}\n' \
	    "$1" "$2" | co-dial 2>>"$T/dial.err" | jq -r .call_sid
}
# conv ID CALL_SID STATUS: the conversation the mock returns for ID: the
# vector's data with this id, call_sid and status.
conv() {
	jq -c --arg id "$1" --arg sid "$2" --arg st "$3" '.data |
	    .conversation_id = $id | .status = $st |
	    .conversation_initiation_client_data.dynamic_variables.call_sid = $sid |
	    .conversation_initiation_client_data.dynamic_variables.system__conversation_id = $id' \
	    "$V" >"$M/conversations/$1.json"
}
age() { q "UPDATE calls SET created_at = now() - interval '$2 seconds' WHERE call_sid = '$1'"; }
row() { q "SELECT status, coalesce(outcome, '-'), coalesce(duration::text, '-'), coalesce(conversation_id, '-'), (SELECT count(*) FROM call_transcriptions t WHERE t.conversation_id = calls.conversation_id) FROM calls WHERE call_sid = '$1'"; }
gets() { jq -r 'select(.method == "GET") | .key' "$log" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }

# The seed's lifecycle: create -> API -> webhook -> transcriptions.
a=$(dial drv_a +15550002001)
check_same "dialed: row in_progress with its conversation_id" \
    "in_progress|-|-|conv_$a|0" "$(row "$a")"
conv "conv_$a" "$a" done
now=$(date +%s)
jq -c --argjson t "$now" '{type:"post_call_transcription", event_timestamp:$t, data:.}' \
    "$M/conversations/conv_$a.json" | tr -d '\n' >"$T/hook.body"
jq -nc --arg h "$(el-sign "$SECRET" "$now" "$T/hook.body")" --rawfile body "$T/hook.body" \
    --arg ra "$(date -u -d @"$now" +%Y-%m-%dT%H:%M:%SZ)" \
    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
    path:"/webhooks/elevenlabs", query:"", remote:"127.0.0.1",
    headers:{"elevenlabs-signature":$h}, body:$body}' >"$T/hook.env"
load "$T/hook.env" >"$T/fate" 2>"$T/err"
check_same "the webhook loads" inserted "$(jq -r .status "$T/fate")"
check_same "the call completed, with its two turns" \
    "completed|completed|47|conv_$a|2" "$(row "$a")"

# A call whose webhook never came, 40 minutes ago.
b=$(dial drv_b +15550002002)
conv "conv_$b" "$b" done
age "$b" 2400
# Not due: recent, no conversation_id, or already completed.
c=$(dial drv_c +15550002003)
conv "conv_$c" "$c" done
q "INSERT INTO calls (user_id, driver_id, call_sid, status, created_at)
    VALUES ('acme', 'drv_d', 'EL_drv_d_1', 'in_progress', now() - interval '1 hour')"
age "$a" 2400
co-fetch >"$T/env" 2>"$T/err"
check_same "co-fetch exits 0" 0 "$?"
check_same "only the stale in_progress call was fetched" "conv_$b" "$(gets)"
check_same "one envelope" 1 "$(wc -l <"$T/env" | tr -d ' ')"
check_same "summary" "co-fetch: 1 calls: 1 envelopes, 0 not over yet, 0 failed" "$(cat "$T/err")"
check_same "envelope: the webhook's shape" \
    "1|elevenlabs|GET|/v1/convai/conversations/conv_$b|1|application/json" \
    "$(jq -r '[.v, .source, .method, .path, .headers["x-co-fetched"], .headers["content-type"]] | join("|")' "$T/env")"
check_same "body: a post_call_transcription around the conversation" \
    "$(jq -cS '["post_call_transcription", .]' "$M/conversations/conv_$b.json")" \
    "$(jq -r .body "$T/env" | jq -cS '[.type, .data]')"
check_same "event_timestamp: when the call ended (start + duration)" 1767225647 \
    "$(jq -r .body "$T/env" | jq .event_timestamp)"
check_same "the conversation's bytes are embedded as they came" 1 \
    "$(jq -r .body "$T/env" | grep -cF "\"data\":$(cat "$M/conversations/conv_$b.json")}")"
t=$(jq -r '.headers["elevenlabs-signature"]' "$T/env" | sed 's/^t=\([0-9]*\),.*/\1/')
jq -j .body "$T/env" >"$T/env.body"
check_same "signed as ElevenLabs signs, at received_at" \
    "$(el-sign "$SECRET" "$t" "$T/env.body")" "$(jq -r '.headers["elevenlabs-signature"]' "$T/env")"
check_same "received_at is that second" "$t" \
    "$(date -d "$(jq -r .received_at "$T/env")" +%s)"

# co-verify accepts it; a tampered copy is rejected.
jq -c '.body |= sub("\"call_duration_secs\":47"; "\"call_duration_secs\":470")' "$T/env" >"$T/env.bad"
co-verify "$T/env.bad" >/dev/null 2>"$T/err"
check_same "tampered fetched envelope: co-verify rejects it" 65 "$?"
check "v0 mismatch" grep -q "v0 mismatch" "$T/err"
ELEVENLABS_WEBHOOK_SECRET=another co-verify "$T/env" >/dev/null 2>&1
check_same "signed with another secret: rejected" 65 "$?"

# The pipeline loads it once; a second load changes nothing.
load "$T/env" >"$T/fate" 2>"$T/err"
check_same "the fetched envelope loads" inserted "$(jq -r .status "$T/fate")"
check_same "the call completed, with its turns" \
    "completed|completed|47|conv_$b|2" "$(row "$b")"
check_same "the conversation's Twilio CallSid kept (Twilio callbacks find it)" \
    "$(jq -r .metadata.phone_call.call_sid "$M/conversations/conv_$b.json")" \
    "$(q "SELECT provider_call_sid FROM calls WHERE call_sid = '$b'")"
snap() { q "SELECT c.*, (SELECT count(*) FROM call_transcriptions), (SELECT count(*) FROM elevenlabs_webhook_events) FROM calls c ORDER BY id"; }
ref=$(snap)
load "$T/env" >"$T/fate" 2>"$T/err"
check_same "loaded again: duplicate" duplicate "$(jq -r .status "$T/fate")"
check_same "nothing changed" "$ref" "$(snap)"
: >"$log"
co-fetch >"$T/env2" 2>"$T/err"
check_same "a second fetch: the call is no longer in progress" \
    "co-fetch: 0 calls: 0 envelopes, 0 not over yet, 0 failed" "$(cat "$T/err")"
check_same "and fetches nothing" "" "$(gets)"

# Webhook and fetch race: the same conversation both ways, one set of rows.
d=$(dial drv_e +15550002004)
conv "conv_$d" "$d" done
age "$d" 2400
co-fetch >"$T/env3" 2>/dev/null
# the webhook (other bytes: another event_timestamp) lands first
jq -c --argjson t "$now" '{type:"post_call_transcription", event_timestamp:$t, data:.}' \
    "$M/conversations/conv_$d.json" | tr -d '\n' >"$T/hook2.body"
jq -nc --arg h "$(el-sign "$SECRET" "$now" "$T/hook2.body")" --rawfile body "$T/hook2.body" \
    --arg ra "$(date -u -d @"$now" +%Y-%m-%dT%H:%M:%SZ)" \
    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
    path:"/webhooks/elevenlabs", query:"", headers:{"elevenlabs-signature":$h},
    body:$body}' >"$T/hook2.env"
load "$T/hook2.env" >/dev/null 2>&1
load "$T/env3" >"$T/fate" 2>/dev/null
check_same "fetched after the webhook: duplicate" duplicate "$(jq -r .status "$T/fate")"
check_same "one set of turns" "completed|completed|47|conv_$d|2" "$(row "$d")"

# -s: into the spool's new/, then co-drain loads it.
e=$(dial drv_f +15550002005)
conv "conv_$e" "$e" done
age "$e" 2400
S=$T/spool
co-fetch -s "$S" >"$T/out" 2>"$T/err"
check_same "-s exits 0" 0 "$?"
check_same "-s prints nothing" "" "$(cat "$T/out")"
check_same "one file in new/" 1 "$(ls "$S/new" | wc -l | tr -d ' ')"
check "file mode 0600" sh -c "ls -l '$S/new/'* | grep -q '^-rw-------'"
co-drain -s "$S" 2>"$T/err"
check_same "co-drain exits 0" 0 "$?"
check_same "the file is done" 1 "$(ls "$S/done" | wc -l | tr -d ' ')"
check_same "the call completed" "completed|completed|47|conv_$e|2" "$(row "$e")"

# Not over yet, unknown, flaky; -a and -n.
f=$(dial drv_g +15550002006)
conv "conv_$f" "$f" processing
g=$(dial drv_h +15550002007)
h=$(dial drv_i +15550002008)
q "UPDATE calls SET conversation_id = 'flaky_$h' WHERE call_sid = '$h'"
conv "flaky_$h" "$h" done
age "$f" 2400; age "$g" 2400; age "$h" 2400
: >"$log"
co-fetch -n 2 >/dev/null 2>"$T/err"
check_same "-n 2: two calls, oldest first" 2 "$(gets | wc -w | tr -d ' ')"
: >"$log"
co-fetch -a 3000 >/dev/null 2>"$T/err"
check_same "-a 3000: none old enough" "" "$(gets)"
: >"$log"
co-fetch >"$T/env4" 2>"$T/err"
check_same "an unknown conversation: exit 65" 65 "$?"
check "it is named with the API's message" \
    grep -q "^co-fetch: conv_$g: HTTP 404: Conversation not found" "$T/err"
check_same "summary" "co-fetch: 3 calls: 1 envelopes, 1 not over yet, 1 failed" "$(tail -n 1 "$T/err")"
check_same "the flaky one was retried and emitted" "flaky_$h" \
    "$(jq -r .body "$T/env4" | jq -r .data.conversation_id)"
check_same "GETs: processing once, unknown once, flaky twice" \
    "1 2 1" "$(for k in "conv_$f" "flaky_$h" "conv_$g"; do
	jq -r --arg k "$k" 'select(.key == $k) | .key' "$log" | wc -l | tr -d ' '
    done | tr '\n' ' ' | sed 's/ $//')"
check_same "the key went in xi-api-key" "$ELEVENLABS_API_KEY" \
    "$(jq -r 'select(.method == "GET") | .headers["xi-api-key"]' "$log" | sort -u)"

# Configuration and usage.
t_run 69 'ELEVENLABS_WEBHOOK_SECRET= co-fetch' '' ''
check "names the variable" grep -q ELEVENLABS_WEBHOOK_SECRET "$T/err"
t_run 69 'ELEVENLABS_API_KEY= co-fetch' '' ''
t_run 75 'co-fetch -d "host=/nonexistent"' '' ''
t_run 64 'co-fetch -x' '' ''
t_run 64 'co-fetch extra' '' ''
t_run 64 'co-fetch -a -1' '' ''
t_run 64 'co-fetch -n 0' '' ''
done_testing
