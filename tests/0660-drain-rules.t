#!/bin/sh
# co-drain --rules: a site's program decides the outcome that is loaded,
# and an event it refuses is that record's rejection, not the run's end.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42')"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
S=$T/spool
F=$TESTDIR/fixtures/livekit
mkdir -p "$S/new"
now=$(date +%s)
i=0
for e in in_participant_joined_sip in_participant_left_sip in_room_finished; do
	i=$((i + 1))
	co-gen envelope -t $((1767225600 + i)) "$F/$e.json" \
	    >"$S/new/$now.00000$i.1.a$i.test"
done
# Every event that has a duration is voicemail by this site's rule.
cat >"$T/site.jq" <<'JQ'
if .duration != null then {outcome: "voicemail", rule: "site"}
else {outcome: null, rule: null} end
JQ
co-drain --rules "$T/site.jq" -s "$S" 2>"$T/err"
check_same "exit 0" 0 "$?"
check_same "the site's outcome is loaded" "voicemail" \
    "$(q 'SELECT outcome FROM call_logs')"

# A program that refuses events with a duration: those records rejected.
printf '%s\n' 'if .duration != null then 1 else {outcome: null} end' \
    >"$T/bad.jq"
co-gen envelope -t 1767225700 "$F/out_participant_left_sip.json" \
    >"$S/new/$now.000009.1.b.test"
co-drain --rules "$T/bad.jq" -s "$S" 2>"$T/err"
check_same "exit 65: refused events are rejections" 65 "$?"
check "said with the program's name" \
    grep -q "co-drain: .*b.test:1: bad.jq: result is not an object" "$T/err"
done_testing
