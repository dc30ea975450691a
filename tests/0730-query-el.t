#!/bin/sh
# co-query outcome finds ElevenLabs calls by call_sid, conversation_id or
# id, for their own tenant only.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('acme'), ('globex');
   INSERT INTO calls (user_id, driver_id, call_sid, conversation_id, status,
   outcome, duration, started_at)
   VALUES ('acme', 'd7', 'EL_d7_1767225600000', 'conv_1', 'completed',
   'completed', 47, '2026-01-01T00:00:00Z')"
id=$(q "SELECT id FROM calls")
for key in EL_d7_1767225600000 conv_1 "$id"; do
	out=$(co-query -o ndjson -u acme outcome "$key")
	check_same "outcome by $key" "EL_d7_1767225600000 conv_1 completed 47 2026-01-01T00:00:00.000Z" \
	    "$(printf '%s' "$out" | jq -r '[.call_sid, .conversation_id, .outcome, .duration, .started_at] | join(" ")')"
done
co-query -u globex outcome conv_1 >"$T/out" 2>"$T/err"
check_same "another tenant's call: exit 1" 1 "$?"
check_same "reported as not found" "co-query: conv_1: not found" "$(cat "$T/err")"
check_same "and nothing on stdout" "" "$(cat "$T/out")"
co-query -u acme outcome nosuch 2>/dev/null
check_same "no such call: exit 1" 1 "$?"
done_testing
