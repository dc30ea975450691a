#!/bin/sh
# ElevenLabs webhooks loaded by two co-drains at once, on a real cluster:
# the same webhooks in both spools give one audit row per event and one set
# of transcription rows per conversation; a call's events split between
# the two drains, one transaction each, give the row that loading them one
# by one gives.  Calls are created as co-dial leaves them, half of them
# before the API answered (conversation_id NULL).
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('tenant-a'), ('tenant-b')"

F=$TESTDIR/fixtures/elevenlabs
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
unset ELEVENLABS_WEBHOOK_SECRET_FILE CO_NOW 2>/dev/null
N=150
now=$(date +%s)

# Webhook bodies for call i: its transcription (call_sid echoed; 3 to 6
# turns), its audio, and an initiation failure of the same conversation
# (which the transcription overrides).  Output: {name, body} per line.
jq -nc --argjson n $N --slurpfile tr "$F/transcription.json" '
    range(1; $n + 1) as $i
    | {name: "t\($i)", body: ($tr[0]
	| .data.conversation_id = "conv_cc_\($i)"
	| .data.conversation_initiation_client_data.dynamic_variables.call_sid
	    = "EL_cc_\($i)"
	| .data.transcript = [range(3 + $i % 4) as $k | {role: (if $k % 2
	    == 0 then "agent" else "user" end), message: "turn \($k) of \($i)",
	    time_in_call_secs: ($k * 3)}] | tojson)},
      {name: "a\($i)", body: ({type: "post_call_audio",
	event_timestamp: 1767229262, data: {agent_id: "agent_life",
	conversation_id: "conv_cc_\($i)", full_audio: "SUQzBAAA"}} | tojson)},
      {name: "f\($i)", body: ({type: "call_initiation_failure",
	event_timestamp: 1767229230, data: {agent_id: "agent_life",
	conversation_id: "conv_cc_\($i)", failure_reason: "busy",
	metadata: {type: "twilio", body: {CallStatus: "busy"}}}} | tojson)}
' >"$T/bodies"

# spool DIR PATTERN: signed envelopes of the bodies whose name matches the
# extended regex PATTERN, one file each in DIR/new, named as co-receive
# names them.  The signature is ElevenLabs' (PROTOCOLS 2.2), as el-sign
# makes it, computed here for speed.
spool() {
	mkdir -p "$1/new"
	grep -E "\"name\":\"($2)\"" "$T/bodies" | perl -MJSON::PP \
	    -MDigest::SHA=hmac_sha256_hex -MPOSIX=strftime -e '
	my ($dir, $secret, $now) = @ARGV;
	my $js = JSON::PP->new->canonical;
	my $seq = 0;
	while (my $l = <STDIN>) {
		my $r = $js->decode($l);
		my $t = $js->decode($r->{body})->{event_timestamp};
		my $mac = hmac_sha256_hex("$t.$r->{body}", $secret);
		my $env = { v => 1, source => "elevenlabs", method => "POST",
		    path => "/webhooks/elevenlabs", query => "",
		    remote => "127.0.0.1",
		    received_at => strftime("%Y-%m-%dT%H:%M:%SZ",
		    gmtime($t + 5)),
		    headers => { "elevenlabs-signature" => "t=$t,v0=$mac" },
		    body => $r->{body} };
		my $f = sprintf("%s/new/%d.%06d.1.%s", $dir, $now, ++$seq,
		    $r->{name});
		open(my $fh, ">", $f) or die "$f: $!";
		print $fh $js->encode($env), "\n";
		close($fh) or die "$f: $!";
	}' "$1" "$SECRET" "$now"
}

# Calls as co-dial leaves them: odd ones before the API answered.
calls() {
	q "TRUNCATE calls, call_transcriptions, elevenlabs_webhook_events,
	    twilio_call_events;
	    INSERT INTO calls (user_id, driver_id, agent_id, to_number,
	    call_sid, conversation_id) SELECT CASE WHEN i % 3 = 0 THEN
	    'tenant-b' ELSE 'tenant-a' END, 'drv' || i, 'agent_life',
	    '+1415555' || lpad(i::text, 4, '0'), 'EL_cc_' || i,
	    CASE WHEN i % 2 = 0 THEN 'conv_cc_' || i END
	    FROM generate_series(1, $N) i"
}

# drain2 BATCH: co-drain on S1 and S2 at once; then both again, with
# their retry/ files made due, until none is left (at most 3 rounds).
drain2() {
	co-drain -s "$T/s1" -b "$1" 2>"$T/e1" &
	_p=$!
	co-drain -s "$T/s2" -b "$1" 2>"$T/e2"
	_r2=$?
	wait $_p
	_r1=$?
	echo "$_r1 $_r2" >"$T/rc"
	for _i in 1 2 3; do
		_left=$(cat "$T"/s1/retry/* "$T"/s2/retry/* 2>/dev/null | wc -l)
		[ "$_left" -eq 0 ] && break
		find "$T/s1/retry" "$T/s2/retry" -type f \
		    -exec touch -d @$((now - 10)) {} +
		co-drain -s "$T/s1" -R 0 2>>"$T/e1"
		co-drain -s "$T/s2" -R 0 2>>"$T/e2"
	done
}
# inserted: the records inserted by both drains, from their summaries.
inserted() {
	cat "$T/e1" "$T/e2" | sed -n 's/.* records: \([0-9]*\) inserted.*/\1/p' |
	    awk '{ s += $1 } END { print s + 0 }'
}
files() { ls "$T/$1/$2" 2>/dev/null | grep -cv '\.reason$'; }
turns_expected() {
	awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) s += 3 + i % 4; print s }'
}
# The rows that loading one webhook after another gives (see 0800).
rows_ok() {
	q "SELECT count(*) FROM calls c WHERE status = 'completed'
	    AND outcome = 'completed' AND failure_reason IS NULL
	    AND conversation_id = 'conv_cc_' || substr(call_sid, 7)
	    AND duration = 58 AND (SELECT count(*) FROM call_transcriptions t
	    WHERE t.conversation_id = c.conversation_id
	    AND t.user_id = c.user_id) = 3 + substr(call_sid, 7)::int % 4"
}

# --- the same webhooks in both spools, drained at once ---
calls
spool "$T/s1" "[ta][0-9]+"
spool "$T/s2" "[ta][0-9]+"
drain2 5
check_same "both drains exit 0" "0 0" "$(cat "$T/rc")"
check_same "every file done in both spools" "$((2 * N)) $((2 * N))" \
    "$(files s1 done) $(files s2 done)"
check_same "each event inserted once in all" $((2 * N)) "$(inserted)"
check_same "one audit row per event" $((2 * N)) \
    "$(q 'SELECT count(*) FROM elevenlabs_webhook_events')"
check_same "one set of turns per conversation" "$(turns_expected)" \
    "$(q 'SELECT count(*) FROM call_transcriptions')"
check_same "sequence numbers 0..n-1 in each conversation" 0 \
    "$(q "SELECT count(*) FROM (SELECT conversation_id FROM
    call_transcriptions GROUP BY 1 HAVING max(sequence_number) <>
    count(*) - 1 OR min(sequence_number) <> 0) x")"
check_same "every call completed with its turns" $N "$(rows_ok)"

# --- one call's events split between the drains, one transaction each ---
for round in 1 2; do
	calls
	rm -rf "$T/s1" "$T/s2"
	if [ $round -eq 1 ]; then
		spool "$T/s1" "t[0-9]*[02468]|[af][0-9]*[13579]"
		spool "$T/s2" "t[0-9]*[13579]|[af][0-9]*[02468]"
	else
		spool "$T/s1" "[tf][0-9]+"
		spool "$T/s2" "[af][0-9]+"
	fi
	drain2 1
	check_same "round $round: both drains exit 0" "0 0" "$(cat "$T/rc")"
	n2=$(($(files s1 done) + $(files s2 done)))
	[ $round -eq 1 ] && want=$((3 * N)) || want=$((4 * N))
	check_same "round $round: every file done" "$want 0 0" \
	    "$n2 $(files s1 retry) $(files s2 retry)"
	check_same "round $round: every event once" $((3 * N)) \
	    "$(q 'SELECT count(*) FROM elevenlabs_webhook_events')"
	check_same "round $round: the transcription decides every row" $N \
	    "$(rows_ok)"
	check_same "round $round: turns once" "$(turns_expected)" \
	    "$(q 'SELECT count(*) FROM call_transcriptions')"
done
# One batch of more conversations than the server's lock table holds
# (max_locks_per_transaction 64 x some 120 backends): the loader's locks
# are bounded, so it loads.
q "TRUNCATE calls, call_transcriptions, elevenlabs_webhook_events,
    twilio_call_events;
    INSERT INTO calls (user_id, call_sid, conversation_id) SELECT
    'tenant-a', 'EL_big_' || i, 'conv_big_' || i
    FROM generate_series(1, 20000) i"
jq -nc 'range(1; 20001) as $i | {source: "elevenlabs",
    event_id: "post_call_audio:conv_big_\($i)", event: "post_call_audio",
    conversation_id: "conv_big_\($i)", raw: {}}' >"$T/big"
co-load -b 20000 "$T/big" >/dev/null 2>"$T/err"
check_same "20000 conversations in one batch" \
    "0 co-load: 20000 records: 20000 inserted, 0 duplicate, 0 pending, 0 rejected" \
    "$? $(cat "$T/err")"
done_testing
