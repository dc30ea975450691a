#!/bin/sh
# co-dial against a real cluster and tests/bin/mock-elevenlabs on loopback:
# the row is committed before the API sees the call; success records the
# conversation_id; 4xx, 5xx beyond the retries, success:false and timeouts
# leave failed rows with the reason; 5xx and 429 are retried (Retry-After
# honoured); two requests of one driver in one instant get distinct
# call_sids; the key is sent, never printed; exit codes.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('acme'), ('globex')"

M=$T/mock
mkdir -p "$M"
# The mock asks the database, as the API call arrives, for the call's row.
MOCK_HOOK='psql -X -A -t -c "SELECT status || coalesce(conversation_id, \
'"'"'-null'"'"') FROM calls WHERE call_sid = '"'"'$MOCK_CALL_SID'"'"'"' \
    mock-elevenlabs "$M" 2>"$T/mock.err" &
mock=$!
stop_mock() { kill $mock; }
at_exit stop_mock
i=0
while [ ! -s "$M/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
export ELEVENLABS_API_BASE="http://127.0.0.1:$(cat "$M/port")"
KEY=xi-test-key-NOT-REAL-8c1e55
export ELEVENLABS_API_KEY=$KEY
log=$M/requests.ndjson

# req DRIVER NUMBER [EXTRA]: one request line.
req() {
	printf '{"user_id":"acme","driver_id":"%s","to_number":"%s",%s"agent_id":"agent_1","agent_phone_number_id":"phnum_1","dynamic_variables":{"name":"Ann","n":3,"vip":true}}\n' \
	    "$1" "$2" "${3:-}"
}
row() { q "SELECT status, coalesce(conversation_id, '-'), coalesce(failure_reason, '-') FROM calls WHERE call_sid = '$1'"; }
# last KEY JQ: the last logged request for that key, through jq.
last() { jq -r --arg k "$1" "select(.key == \$k) | $2" "$log" | tail -n 1; }

# Success.
req drv_1 +15550001000 | CO_NOW=1767225600 co-dial >"$T/out" 2>"$T/err"
check_same "success exits 0" 0 "$?"
check_same "result line" \
    '{"call_sid":"EL_drv_1_1767225600000","status":"in_progress","conversation_id":"conv_EL_drv_1_1767225600000","reason":null}' \
    "$(cat "$T/out")"
check_same "row has the conversation_id" \
    "in_progress|conv_EL_drv_1_1767225600000|-" "$(row EL_drv_1_1767225600000)"
check_same "the row was committed, without conversation_id, when the API saw the call" \
    "in_progress-null" "$(last +15550001000 .hook)"
check_same "provider callSid kept" "CA_EL_drv_1_1767225600000" \
    "$(q "SELECT provider_call_sid FROM calls WHERE call_sid = 'EL_drv_1_1767225600000'")"
check_same "row fields" "acme|drv_1|agent_1|+15550001000|outbound" \
    "$(q "SELECT user_id, driver_id, agent_id, to_number, direction FROM calls WHERE call_sid = 'EL_drv_1_1767225600000'")"
check_same "POSTed to the twilio endpoint" "POST /v1/convai/twilio/outbound-call" \
    "$(last +15550001000 '.method + " " + .path')"
check_same "xi-api-key header sent" "$KEY" "$(last +15550001000 '.headers["xi-api-key"]')"
check_same "JSON body with call_sid among the dynamic variables" \
    '{"agent_id":"agent_1","agent_phone_number_id":"phnum_1","conversation_initiation_client_data":{"dynamic_variables":{"call_sid":"EL_drv_1_1767225600000","n":3,"name":"Ann","vip":true}},"to_number":"+15550001000"}' \
    "$(last +15550001000 '.body' | jq -cS .)"
check_same "content-type json" "application/json" \
    "$(last +15550001000 '.headers["content-type"]')"

# SIP trunk.
req drv_1 +15550001001 '"via":"sip",' | co-dial >"$T/out" 2>"$T/err"
check_same "via sip exits 0" 0 "$?"
check_same "POSTed to the sip-trunk endpoint" "/v1/convai/sip-trunk/outbound-call" \
    "$(last +15550001001 .path)"
sid=$(jq -r .call_sid "$T/out")
check_same "sip_call_id kept as the provider call sid" "sip_$sid" \
    "$(q "SELECT provider_call_sid FROM calls WHERE call_sid = '$sid'")"
check "call_sid is EL_driver_milliseconds" \
    sh -c "echo '$sid' | grep -qx 'EL_drv_1_[0-9]\{13\}'"

# 4xx: a failed row with the API's message; not retried.
req drv_2 +15550000400 | co-dial >"$T/out" 2>"$T/err"
check_same "4xx exits 65" 65 "$?"
sid=$(jq -r .call_sid "$T/out")
check_same "failed row with the API's message" \
    "failed|-|HTTP 400: The number +15550000400 is not a valid phone number" "$(row "$sid")"
check_same "the row existed before the call" "in_progress-null" "$(last +15550000400 .hook)"
check_same "4xx not retried" 1 "$(jq -r 'select(.key == "+15550000400")' "$log" | jq -s length)"
check_same "result says failed with the reason" \
    "failed|HTTP 400: The number +15550000400 is not a valid phone number" \
    "$(jq -r '.status + "|" + .reason' "$T/out")"
check "diagnostic names the line and call_sid" grep -q "^co-dial: -:1: $sid: HTTP 400" "$T/err"

# 422 with FastAPI's detail list.
req drv_2 +15550000422 | co-dial >"$T/out" 2>/dev/null
check_same "422: the first detail's msg" "HTTP 422: field required" "$(jq -r .reason "$T/out")"

# 200 with success:false.
req drv_2 +15550000299 | co-dial >"$T/out" 2>/dev/null
check_same "success:false exits 65" 65 "$?"
check_same "success:false: failed with its message" \
    "failed|-|Agent has no phone number assigned" "$(row "$(jq -r .call_sid "$T/out")")"

# 5xx then success: retried.
req drv_3 +15550000503 | co-dial >"$T/out" 2>"$T/err"
check_same "5xx then success exits 0" 0 "$?"
check_same "two attempts" "0 1" "$(jq -r 'select(.key == "+15550000503") | .attempt' "$log" | tr '\n' ' ' | sed 's/ $//')"
check_same "placed after the retry" in_progress "$(jq -r .status "$T/out")"

# 5xx every time: out of retries (-R 1: two attempts), failed row.
req drv_3 +15550000500 | co-dial -R 1 >"$T/out" 2>"$T/err"
check_same "5xx every time exits 65" 65 "$?"
check_same "-R 1 makes two attempts" 2 "$(jq -r 'select(.key == "+15550000500")' "$log" | jq -s length)"
check_same "reason: the status, no body that is not JSON" "failed|-|HTTP 500" \
    "$(row "$(jq -r .call_sid "$T/out")")"

# 429 with Retry-After: 1: waits a second, then success.
start=$(date +%s%N)
req drv_4 +15550000429 | co-dial >"$T/out" 2>"$T/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check_same "429 then success exits 0" 0 "$rc"
check "waited Retry-After (1 s) before the retry ($ms ms)" test "$ms" -ge 1000
check_same "two attempts after a 429" 2 "$(jq -r 'select(.key == "+15550000429")' "$log" | jq -s length)"

# A hang: timeout, failed row that existed before; a POST is not resent.
start=$(date +%s)
req drv_5 +15550000408 | co-dial -t 1 >"$T/out" 2>"$T/err"
rc=$?
check_same "timeout exits 65" 65 "$rc"
check "gave up after about the timeout" test $(($(date +%s) - start)) -le 4
sid=$(jq -r .call_sid "$T/out")
check_same "timeout: failed row with the reason" \
    "failed|-|timeout after 1 s; the call may have been placed" "$(row "$sid")"
check_same "the row was there before the call" "in_progress-null" "$(last +15550000408 .hook)"
check_same "a POST that may have arrived is not sent again" 1 \
    "$(jq -r 'select(.key == "+15550000408")' "$log" | jq -s length)"

# Connection refused: nothing was sent, so it is retried, then fails.
ELEVENLABS_API_BASE=http://127.0.0.1:1 req drv_5 +15550001002 |
    ELEVENLABS_API_BASE=http://127.0.0.1:1 co-dial -R 1 >"$T/out" 2>"$T/err"
check_same "refused: exit 65" 65 "$?"
check "refused: reason from curl" grep -q '"reason":"Failed to connect' "$T/out"
check_same "refused: the row is failed" failed "$(q "SELECT status FROM calls WHERE call_sid = '$(jq -r .call_sid "$T/out")'")"

# Two requests of one driver at the same instant: distinct call_sids,
# from one co-dial (-c 2) and from two co-dials at once.
{ req drv_6 +15550001003; req drv_6 +15550001004; } |
    CO_NOW=1767225700 co-dial -c 2 >"$T/out" 2>"$T/err"
check_same "same driver, same instant: exit 0" 0 "$?"
check_same "distinct call_sids, bumped by one millisecond" \
    "EL_drv_6_1767225700000 EL_drv_6_1767225700001" \
    "$(jq -r .call_sid "$T/out" | sort | tr '\n' ' ' | sed 's/ $//')"
req drv_7 +15550001005 >"$T/a"
req drv_7 +15550001006 >"$T/b"
CO_NOW=1767225800 co-dial "$T/a" >"$T/out1" 2>/dev/null &
p1=$!
CO_NOW=1767225800 co-dial "$T/b" >"$T/out2" 2>/dev/null
wait $p1
check_same "two co-dials at once: distinct call_sids" 2 \
    "$(cat "$T/out1" "$T/out2" | jq -r .call_sid | sort -u | wc -l | tr -d ' ')"
check_same "and two rows" 2 "$(q "SELECT count(*) FROM calls WHERE driver_id = 'drv_7'")"

# Concurrency: four one-second calls with -c 4 overlap.
for n in 1 2 3 4; do req drv_8 "+155501${n}0201"; done >"$T/slow"
start=$(date +%s%N)
co-dial -c 4 "$T/slow" >"$T/out" 2>"$T/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check_same "-c 4: four slow calls exit 0" 0 "$rc"
check "-c 4: they ran side by side ($ms ms)" test "$ms" -lt 3000
check_same "-c 4: four results" 4 "$(grep -c in_progress "$T/out")"

# A 401 echoing the key: failed row, key blanked, nothing after it dialed.
{ req drv_9 +15550000401; req drv_9 +15550001007; } |
    co-dial -c 1 >"$T/out" 2>"$T/err"
check_same "401 exits 69" 69 "$?"
check_same "the key never printed" "" "$(grep -l "$KEY" "$T/out" "$T/err")"
check_same "nor stored" 0 "$(q "SELECT count(*) FROM calls WHERE failure_reason LIKE '%$KEY%'")"
check "the reason with the key blanked" grep -q 'HTTP 401: Invalid API key: \*\*\*\*' "$T/out"
check_same "after a 401 nothing more is dialed" 0 \
    "$(jq -r 'select(.key == "+15550001007")' "$log" | wc -l | tr -d ' ')"

# Bad request lines: named, rejected, no row; good lines still go.
cat >"$T/mixed" <<EOF
{"user_id":"acme","to_number":"+15550001008","agent_id":"a","agent_phone_number_id":"p"}
{"user_id":"acme","driver_id":"d","agent_id":"a","agent_phone_number_id":"p"}
{"user_id":"nobody","driver_id":"d","to_number":"+1","agent_id":"a","agent_phone_number_id":"p"}
{"user_id":"acme","driver_id":"d","to_number":"+1","agent_id":"a","agent_phone_number_id":"p","dynamic_variables":{"call_sid":"mine"}}
{"user_id":"acme","driver_id":"d","to_number":"+1","agent_id":"a","agent_phone_number_id":"p","via":"pots"}
not json
EOF
n0=$(q "SELECT count(*) FROM calls")
co-dial -r "$T/rej" "$T/mixed" >"$T/out" 2>"$T/err"
check_same "bad lines exit 65" 65 "$?"
check_same "no driver_id: EL_UNKNOWN_ms, driver_id NULL" "1|1" \
    "$(q "SELECT count(*), count(*) FILTER (WHERE driver_id IS NULL) FROM calls WHERE to_number = '+15550001008' AND call_sid ~ '^EL_UNKNOWN_[0-9]{13}$'")"
check_same "one row for the good line only" $((n0 + 1)) "$(q "SELECT count(*) FROM calls")"
check_same "diagnostics" "co-dial: $T/mixed:2: to_number is missing
co-dial: $T/mixed:3: unknown user_id
co-dial: $T/mixed:4: dynamic_variables.call_sid is co-dial's
co-dial: $T/mixed:5: via is neither twilio nor sip" "$(grep -v ':6:' "$T/err")"
check "line 6 named" grep -q "^co-dial: $T/mixed:6: " "$T/err"
check_same "rejects kept with their reason" 5 "$(jq -r .reason "$T/rej" | wc -l | tr -d ' ')"
check_same "one result per line" "in_progress rejected rejected rejected rejected rejected" \
    "$(jq -r .status "$T/out" | sort | tr '\n' ' ' | sed 's/ $//')"

# Configuration and usage.
req drv_1 +15550001009 >"$T/one"
t_run 69 'ELEVENLABS_API_KEY= co-dial '"$T/one" '' ''
check "names the variable" grep -q "ELEVENLABS_API_KEY" "$T/err"
ELEVENLABS_API_KEY= ELEVENLABS_API_KEY_FILE="$T/keyfile" co-dial "$T/one" >/dev/null 2>&1
check_same "key file missing: 69" 69 "$?"
printf '%s\n' "$KEY" >"$T/keyfile"
ELEVENLABS_API_KEY= ELEVENLABS_API_KEY_FILE="$T/keyfile" co-dial "$T/one" >"$T/out" 2>&1
check_same "key from ELEVENLABS_API_KEY_FILE" 0 "$?"
check_same "key file: header without the newline" "$KEY" "$(last +15550001009 '.headers["xi-api-key"]')"
t_run 75 'co-dial -d "host=/nonexistent" '"$T/one" '' ''

# Migration 004 rolled back: co-dial's rows without conversation_id are set
# aside whole, co-dial cannot work; 004 again brings them back.
nnull=$(q "SELECT count(*) FROM calls WHERE conversation_id IS NULL")
check "there are such rows" test "$nnull" -gt 0
co-migrate down "$(above 3)" >/dev/null	# 005 and later, then 004
check_same "004 down: they wait in calls_without_conversation" "$nnull" \
    "$(q "SELECT count(*) FROM calls_without_conversation WHERE call_sid LIKE 'EL_%'")"
t_run 69 "co-dial $T/one" '' ''
co-migrate up >/dev/null
check_same "004 up: back in calls, call_sid and all" "$nnull" \
    "$(q "SELECT count(*) FROM calls WHERE conversation_id IS NULL AND call_sid LIKE 'EL_%'")"
t_run 64 'co-dial -x' '' ''
t_run 64 'co-dial -c 0' '' ''
t_run 64 'co-dial -t 0' '' ''
t_run 64 'co-dial -R 11' '' ''
done_testing
