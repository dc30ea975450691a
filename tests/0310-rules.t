#!/bin/sh
# co-classify -R: share/rules.jq gives the same outcome and rule as the
# built-in C rules on every fixture and vector after co-transform, on
# realistic calls from co-gen, and on a generated corpus of 12 000 events
# covering every rule's words, the thresholds' edges, missing and odd-typed
# fields; at the default thresholds and at others.  A site's program
# decides instead of ours; its bad results are that line's rejection.
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
R=$top/share/rules.jq

envelope() {
	jq -nc --arg s "$1" --rawfile b "$2" '{v:1,
	    received_at:"2026-01-01T00:00:00Z", source:$s, method:"POST",
	    path:"/webhooks/\($s)", query:"", remote:"127.0.0.1", headers:{},
	    body:$b}'
}

# --- the fixtures and vectors, through co-transform ---
for f in "$TESTDIR"/fixtures/livekit/*.json "$TESTDIR"/vectors/livekit_*.json; do
	envelope livekit "$f"
done >"$T/env"
for f in "$TESTDIR"/fixtures/elevenlabs/*.json \
    "$TESTDIR"/vectors/elevenlabs_*.json; do
	envelope elevenlabs "$f"
done >>"$T/env"
for f in "$TESTDIR"/fixtures/twilio/*.form "$TESTDIR"/vectors/twilio_*.form; do
	envelope twilio "$f"
done >>"$T/env"
LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s co-gen calls -c 300 -t 1767225600 \
    "$T/spool" >/dev/null 2>&1
cat "$T"/spool/*/* "$T"/spool/* 2>/dev/null | grep '^{' >>"$T/env"
co-transform "$T/env" >"$T/fix" 2>/dev/null
n=$(wc -l <"$T/fix")
check "fixtures, vectors and co-gen calls give events ($n)" \
    test "$n" -ge 300

# --- a corpus: every field from a list of telling and odd values ---
jq -nc '
def pick($l; $s): $l[$s % ($l | length)];
def fields: [
  ["participant_kind", ["SIP", "sip", "AGENT", "STANDARD", "", 5, null,
      "SIP\u0000x", "Sip"]],
  ["event", ["participant_left", "room_finished", "egress_ended",
      "ingress_started", "EGRESS_ended", "egress", 3, null,
      "call_initiation_failure", "post_call_transcription"]],
  ["disconnect_reason", ["USER_REJECTED", "USER_UNAVAILABLE", "JOIN_FAILURE",
      "SIP_TRUNK_FAILURE", "MEDIA_FAILURE", "CONNECTION_TIMEOUT",
      "CLIENT_INITIATED", "ROOM_DELETED", "Busy Here", "no\u0000busy",
      "user_rejected", 1, null, ""]],
  ["provider_status", ["busy", "no-answer", "canceled", "cancelled", "failed",
      "completed", "in-progress", "ERROR", "NO_ANSWER", "done", true, []]],
  ["failure_reason", ["busy", "no_answer", "unknown", "initiation failed",
      "network error", "BUSY", "voicemail", {}, null]],
  ["answered_by", ["human", "machine_start", "machine_end_beep",
      "MACHINE_END_SILENCE", "machine", "fax", "FAX", "unknown", "fax\u0000z",
      "machine\u0000_", 0]],
  ["voicemail", [true, false, "true", 1, null]],
  ["duration", [0, 2, 2.999, 3, 3.001, 9, 9.999, 10, 10.001, 60, 3600,
      -1, -0.5, "5", null, 1e300, false, 0.0001]]
];
def next: (. * 16807) % 2147483647;
(foreach range(12000) as $i (42; next; .)) as $s
| reduce (fields | to_entries[]) as $f ({id: "EV_gen_\($s)", s: $s};
    .s as $t
    | (($t / 7 | floor) % (($f.value[1] | length) + 2)) as $k
    | if $k < ($f.value[1] | length) then .[$f.value[0]] = $f.value[1][$k]
      else . end
    | .s = (($t * 16807) % 2147483647))
| del(.s)
' >"$T/gen"
check_same "the corpus has 12000 events" 12000 "$(wc -l <"$T/gen" | tr -d ' ')"
for r in busy no_answer voicemail failed short unanswered duration null; do
	check "the corpus reaches rule $r" sh -c "co-classify '$T/gen' |
	    jq -r '.outcome_rule // \"null\"' | grep -qx $r"
done

# same OPTIONS: co-classify and co-classify -R rules.jq agree line by line.
same() {
	for f in "$T/fix" "$T/gen"; do
		co-classify "$@" "$f" >"$T/c" 2>"$T/ce"
		crc=$?
		co-classify "$@" -R "$R" "$f" >"$T/j" 2>"$T/je"
		jrc=$?
		check_same "${f##*/} $*: both exit 0" "0 0" "$crc $jrc"
		if cmp -s "$T/c" "$T/j"; then
			ok "${f##*/} $*: rules.jq decides as C ($(wc -l <"$T/c") events)"
		else
			not_ok "${f##*/} $*: rules.jq decides as C"
			diag "$(diff "$T/c" "$T/j" | head -n 6)"
		fi
	done
}
same
same -f 5 -n 20
same -f 0 -n 0
same -f 10 -n 10

# --- a site's own program decides ---
cat >"$T/site.jq" <<'JQ'
if .duration == null then {outcome: null, rule: null}
elif .duration >= $failed_below then {outcome: "completed", rule: "site"}
else {outcome: "failed", rule: "site_short"} end
JQ
t_run 0 "co-classify -f 30 -n 30 -R '$T/site.jq' | jq -c '[.outcome, .outcome_rule]'" \
    '{"duration":40,"disconnect_reason":"USER_REJECTED"}
{"duration":12}
{"event":"x"}
' '["completed","site"]
["failed","site_short"]
[null,null]'

# --- bad results: the line is rejected with a reason, the next one runs ---
bad() {
	printf '%s\n' "$2" >"$T/bad.jq"
	printf '%s\n' '{"duration":5}' '{"duration":50}' >"$T/two"
	co-classify -R "$T/bad.jq" -r "$T/rej" "$T/two" >"$T/out" 2>"$T/err"
	rc=$?
	check_same "$1: exit 65" 65 "$rc"
	check_same "$1: the diagnostic" "co-classify: $T/two:1: bad.jq: $1" \
	    "$(cat "$T/err")"
	check_same "$1: the next line is classified" 50 \
	    "$(jq -r 'select(.outcome == "completed") | .duration' "$T/out")"
	check_same "$1: kept in the reject file" "$1" \
	    "$(jq -r .reason "$T/rej" | sed 's/^bad.jq: //')"
	rm -f "$T/rej"
}
bad "result is not an object" 'if .duration < 10 then 1 else {outcome: "completed", rule: "x"} end'
bad 'unknown outcome "maybe"' 'if .duration < 10 then {outcome: "maybe"} else {outcome: "completed", rule: "x"} end'
bad "outcome is not a string" 'if .duration < 10 then {outcome: 1} else {outcome: "completed", rule: "x"} end'
bad "rule is not a string" 'if .duration < 10 then {outcome: "failed", rule: 2} else {outcome: "completed", rule: "x"} end'
bad "no result" 'if .duration < 10 then empty else {outcome: "completed", rule: "x"} end'
bad "more than one result" 'if .duration < 10 then (1, 2) | {outcome: "failed"} else {outcome: "completed", rule: "x"} end'
bad "oops" 'if .duration < 10 then error("oops") else {outcome: "completed", rule: "x"} end'
bad "null (null) and number (1) cannot be subtracted" 'if .duration < 10 then .x - 1 else {outcome: "completed", rule: "x"} end'

# --- a program that cannot be had: a usage error before any input ---
t_run 64 "co-classify -R '$T/nonexistent.jq'" '{"duration":5}' ''
check "no such file: said" grep -q "nonexistent.jq" "$T/err"
printf '{outcome: \n' >"$T/broken.jq"
t_run 64 "co-classify -R '$T/broken.jq'" '{"duration":5}' ''
check "does not compile: said" grep -q "broken.jq does not compile" "$T/err"
t_run 64 "co-drain --rules '$T/broken.jq' -s '$T/nospool'" '' ''
check "co-drain --rules: does not compile, said" \
    grep -q "broken.jq does not compile" "$T/err"

done_testing
