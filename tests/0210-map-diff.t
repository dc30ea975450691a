#!/bin/sh
# The built-in mappings (src/map_*.c: LiveKit, ElevenLabs, Twilio) against
# the shipped jq programs they replace: byte-identical co-transform output, rejects, diagnostics and
# exit status with the C mapping and with libjq forced (CO_MAP=jq), over
# every fixture and vector under each source, and over a generated corpus
# of 100 000 envelopes (tests/gen/mapgen.py, fixed seed) of every event
# type in odd shapes; then which one runs: the C mapping for a program
# byte for byte the shipped one, libjq for any other.
. "$(dirname "$0")/lib.sh"

N=${MAP_DIFF_N:-100000}

# envelope BODYFILE SOURCE N [QUERY]: one version-1 envelope line.
envelope() {
	jq -nc --rawfile b "$1" --arg src "$2" --arg n "$3" --arg q "${4-}" \
	    '{v:1, received_at:"2026-01-01T00:00:00.000000Z", source:$src,
	    method:"POST", path:"/webhooks/\($src)", query:$q,
	    remote:"127.0.0.1", headers:{}, body:$b, spool_file:"new/\($n)"}'
}

# both NAME FILE [ARGS]: co-transform with the C mapping and with libjq;
# pass when stdout, the rejects, stderr and the exit status are the same.
both() {
	co-transform -r "$T/$1.c.rej" "$2" >"$T/$1.c.out" 2>"$T/$1.c.err"
	echo $? >>"$T/$1.c.err"
	CO_MAP=jq co-transform -r "$T/$1.jq.rej" "$2" >"$T/$1.jq.out" \
	    2>"$T/$1.jq.err"
	echo $? >>"$T/$1.jq.err"
	for x in out rej err; do
		if cmp -s "$T/$1.c.$x" "$T/$1.jq.$x"; then
			ok "$1: same $x"
		else
			not_ok "$1: same $x"
			diag "$(diff "$T/$1.c.$x" "$T/$1.jq.$x" | head -5 |
			    cut -c1-400)"
		fi
	done
}

# --- every fixture and vector, under each source ---
i=0
for f in "$TESTDIR"/fixtures/livekit/*.json \
    "$TESTDIR"/fixtures/elevenlabs/*.json "$TESTDIR"/vectors/*.json \
    "$TESTDIR"/vectors/*.form "$TESTDIR"/fixtures/twilio/*.form \
    "$TESTDIR"/fixtures/seed-request-body.json; do
	for s in livekit elevenlabs twilio; do
		i=$((i + 1))
		envelope "$f" $s $i
	done
	# Twilio's JSON variant, and a form with a tenant
	i=$((i + 1))
	envelope "$f" twilio $i "tenant=acme&bodySHA256=x"
	i=$((i + 1))
	envelope "$f" twilio $i "tenant=acme"
done >"$T/fixtures"
both fixtures "$T/fixtures"
check "fixtures: each of its own source's becomes an event" \
    test "$(wc -l <"$T/fixtures.c.out")" -ge 50
check "fixtures: Twilio forms with their tenant" test "$(jq -r \
    'select(.source == "twilio" and .user_id == "acme") | .event_id' \
    "$T/fixtures.c.out" | sort -u | wc -l)" -ge 12

# --- the generated corpus ---
python3 "$TESTDIR/gen/mapgen.py" "$N" >"$T/corpus"
check_same "corpus: $N envelopes" "$N" "$(wc -l <"$T/corpus" | tr -d ' ')"
both corpus "$T/corpus"
check "corpus: printed as libjq prints (jq -c . changes nothing)" \
    cmp -s "$T/corpus.c.out" "$(jq -c . "$T/corpus.c.out" >"$T/rejq"; \
    echo "$T/rejq")"
check "corpus: over 3/4 become events" \
    test "$(wc -l <"$T/corpus.c.out")" -gt $((N * 3 / 4))
check "corpus: events of every LiveKit and ElevenLabs type" test "$(jq -r \
    .event "$T/corpus.c.out" | sort -u | grep -c -E '^(room_started|room_finished|participant_joined|participant_left|participant_connection_aborted|track_published|egress_started|egress_ended|ingress_started|post_call_transcription|call_initiation_failure|post_call_audio)$')" \
    -eq 12
check "corpus: Twilio events of every CallStatus" test "$(jq -r \
    'select(.source == "twilio") | .provider_status' "$T/corpus.c.out" |
    sort -u | grep -c -E '^(queued|initiated|ringing|in-progress|completed|busy|no-answer|failed|canceled)$')" \
    -eq 9
check "corpus: Twilio's final statuses with a start, a duration, a tenant" \
    test "$(jq -r 'select(.source == "twilio" and .started_at != null and
    .duration != null and .user_id != null) | .event_id' \
    "$T/corpus.c.out" | wc -l)" -gt $((N / 200))
check "corpus: some rejected for each reason of the programs" test "$(sed \
    -n 's/.*: \(livekit\|elevenlabs\|twilio\) payload has no.*/&/p' \
    "$T/corpus.c.err" | sed 's/.*: //' | sort -u | wc -l)" -eq 6

# --- twilio.jq on what libjq 1.6 gets wrong: todate of a huge duration
# aborted it, and an error after a try was caught by that try (fromdate
# of a year-0 time nulled the duration); now neither can happen ---
tw() {
	printf '{"v":1,"received_at":"2026-01-01T00:00:00Z","source":"twilio","query":"bodySHA256=x","body":%s}\n' \
	    "$(printf '%s' "$1" | jq -Rs .)"
}
{
	tw '{"CallSid":"CA1","CallStatus":"completed","CallDuration":1e17,"Timestamp":"Thu, 01 Jan 2026 00:01:31 +0000"}'
	tw '{"CallSid":"CA2","CallStatus":"busy","CallDuration":nan,"Timestamp":"Thu, 01 Jan 2026 00:01:31 +0000"}'
	tw '{"CallSid":"CA3","CallStatus":"completed","CallDuration":"1000","SequenceNumber":"3","Timestamp":"Sat, 01 Jan 0000 00:30:00 +0100"}'
} >"$T/twodd"
both twodd "$T/twodd"
check_same "twilio: libjq does not abort, nor null a good duration" \
    "CA1:completed
CA2:busy
CA3:completed 1000 3 -1-12-31T23:13:20Z" \
    "$(CO_MAP=jq co-transform "$T/twodd" | jq -r \
    '[.event_id, .duration, .sequence_number, .started_at] |
    map(values) | join(" ")')"

# --- which runs: CPU time on small bodies, where jq's interpreter is
# most of the cost (C several times faster; the best of 3 runs counts) ---
for i in $(seq 1 20000); do
	printf '{"v":1,"received_at":"2026-01-01T00:00:00Z","source":"livekit","body":"{\\"id\\":\\"EV_%d\\",\\"event\\":\\"participant_left\\",\\"createdAt\\":\\"2025-10-29T12:34:56.5+02:00\\",\\"room\\":{\\"name\\":\\"sip-4155550123__1__x\\"},\\"participant\\":{\\"kind\\":\\"SIP\\",\\"joinedAt\\":\\"1761734000\\"}}"}\n' $i
done >"$T/small"
cp "$CO_SHARE/livekit.jq" "$T/shipped.jq"
{ cat "$CO_SHARE/livekit.jq"; echo '#'; } >"$T/site.jq"
cpu() {
	best=
	for r in 1 2 3; do
		/usr/bin/time -f '%U %S' -o "$T/time" "$@" "$T/small" \
		    >"$T/small.out" 2>&1 || return 1
		t=$(awk '{ print int(($1 + $2) * 1000) }' "$T/time")
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "$best"
}
c=$(cpu co-transform)
j=$(CO_MAP=jq cpu co-transform)
f=$(cpu co-transform -f "$T/shipped.jq")
s=$(cpu co-transform -f livekit="$T/site.jq")
diag "CPU ms for 20000 events: C $c, CO_MAP=jq $j, -f copy $f," \
    "-f one byte more $s"
check "shipped program: C mapping (CPU < half of CO_MAP=jq)" \
    test $((c * 2)) -lt "$j"
check "-f a byte-identical copy: C mapping" test $((f * 2)) -lt "$j"
check "-f a program one byte different: libjq" test $((s * 2)) -gt "$j"
check "the site's program's output is the same" \
    test "$(co-transform -f "$T/site.jq" "$T/small" | md5sum)" = \
    "$(co-transform "$T/small" | md5sum)"

# and Twilio's forms: twilio.jq runs as its C mapping too
for i in $(seq 1 20000); do
	printf '{"v":1,"received_at":"2026-01-01T00:00:00Z","source":"twilio","query":"tenant=acme","body":"CallSid=CA%d&CallStatus=completed&Direction=outbound-api&From=%%2B14155550199&To=%%2B14155550123&Timestamp=Thu%%2C+01+Jan+2026+00%%3A01%%3A31+%%2B0000&CallDuration=62&SequenceNumber=3&AnsweredBy=human"}\n' $i
done >"$T/small"
tc=$(cpu co-transform)
tj=$(CO_MAP=jq cpu co-transform)
diag "CPU ms for 20000 Twilio events: C $tc, CO_MAP=jq $tj"
check "twilio.jq: C mapping (CPU < 2/3 of CO_MAP=jq)" \
    test $((tc * 3)) -lt $((tj * 2))
check_same "twilio.jq: its C mapping's event" \
    "CA1:completed acme +14155550123 2026-01-01T00:00:29Z 62" \
    "$(head -1 "$T/small" | co-transform | jq -r \
    '"\(.event_id) \(.user_id) \(.phone_number) \(.started_at) \(.duration)"')"

done_testing
