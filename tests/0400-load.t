#!/bin/sh
# co-load through the real pipeline: a realistic LiveKit call gives the
# right call_logs row, whatever the order or repetition of its events, and
# a bad record in the middle of a file does not stop the ones around it.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42'), ('usr_7');
   INSERT INTO agent_configs (id, \"userId\") VALUES ('ac_7', 'usr_42')"

export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
export CO_NOW=1767225700
F=$TESTDIR/fixtures/livekit
i=0
for e in in_participant_joined_sip in_participant_left_sip in_room_finished \
    in_egress_ended; do
	i=$((i + 1))
	co-gen envelope -t $((1767225600 + i)) "$F/$e.json" >"$T/e$i"
done

# The four stages, one transaction per event; then, as co-drain does with
# retry/, the events that were pending (no call yet) once more.
pipeline() {
	co-verify "$@" | co-transform | co-classify | co-load -b 1 \
	    2>"$T/load.err" | tee "$T/run"
	pend=$(jq -r 'select(.status == "pending") | .event_id' "$T/run")
	for f in "$@"; do
		id=$(jq -r .body "$f" | jq -r .id)
		case " $(echo $pend) " in *" $id "*) echo "$f" ;; esac
	done >"$T/again"
	[ -s "$T/again" ] || return 0
	co-verify $(cat "$T/again") | co-transform | co-classify |
	    co-load -b 1 2>>"$T/load.err"
}
reset() { q "TRUNCATE call_logs CASCADE"; }
row() {
	q "SELECT \"userId\", \"agentConfigId\", \"campaignId\",
	    \"livekitRoomName\", \"livekitRoomSid\", direction, \"phoneNumber\",
	    \"sipCallId\", duration, \"startedAt\", \"endedAt\", status, outcome,
	    \"recordingUrl\", metadata, cost FROM call_logs"
}

pipeline "$T/e1" "$T/e2" "$T/e3" "$T/e4" >"$T/fates"
check_same "four events inserted" 4 \
    "$(jq -r 'select(.status == "inserted") | .event_id' "$T/fates" | wc -l)"
ref=$(row)
check_same "one call row" 1 "$(q 'SELECT count(*) FROM call_logs')"
check_same "the call's row" \
'usr_42|ac_7||call-_+14155550123_Xa9fLm2Q|RM_In7vQx2LpZ9k|inbound|+14155550123|SCL_wB3nT8vQyH2k|62|2025-12-31 23:59:01|2026-01-01 00:00:03|ended|completed|https://recordings.example.com/calls/RM_In7vQx2LpZ9k.ogg|{"userId": "usr_42", "agentConfigId": "ac_7", "participant_sid": "PA_Zr4mKq2LwT9c", "disconnect_reason": "CLIENT_INITIATED"}|' \
    "$ref"
check_same "events keep tenant and call" 4 "$(q "SELECT count(*) FROM
    livekit_call_events e JOIN call_logs c ON c.id = e.\"callLogId\"
    WHERE e.\"userId\" = 'usr_42'")"

# Every order of the four events, one transaction each, gives that row;
# so does every order with each event delivered twice.
perl -e 'sub p { my ($d, @r) = @_; if (!@r) { print "@$d\n"; return }
    for my $i (0..$#r) { my @x = @r; my ($e) = splice(@x, $i, 1);
    p([@$d, $e], @x) } } p([], 1..4)' >"$T/perms"
bad=0
while read -r a b c d; do
	reset
	pipeline "$T/e$a" "$T/e$b" "$T/e$c" "$T/e$d" >/dev/null
	[ "$(row)" = "$ref" ] || { bad=$((bad + 1)); diag "order $a $b $c $d: $(row)"; }
	reset
	pipeline "$T/e$a" "$T/e$a" "$T/e$b" "$T/e$c" "$T/e$b" "$T/e$d" \
	    "$T/e$c" "$T/e$d" >/dev/null
	[ "$(row)" = "$ref" ] || { bad=$((bad + 1)); diag "twice $a $b $c $d: $(row)"; }
done <"$T/perms"
check_same "24 orders, once and twice each, give the same row" 0 "$bad"
check_same "24 orders tried" 24 "$(wc -l <"$T/perms")"

# Redelivery into a loaded database changes nothing, not even updatedAt.
before=$(q 'SELECT "updatedAt" FROM call_logs')
pipeline "$T/e4" "$T/e3" "$T/e2" "$T/e1" >"$T/fates"
check_same "redelivered events are duplicates" 4 \
    "$(jq -r 'select(.status == "duplicate") | .event_id' "$T/fates" | wc -l)"
check_same "updatedAt unchanged" "$before" "$(q 'SELECT "updatedAt" FROM call_logs')"

# A bad record between two good ones, in one file.
reset
{ cat "$T/e1"; echo '{"v":1, "source":"livekit", '; cat "$T/e2"; } >"$T/mixed"
co-verify "$T/mixed" 2>"$T/verr" | co-transform | co-classify |
    co-load >"$T/fates" 2>/dev/null
check_same "bad line named by file and line" \
    "co-verify: $T/mixed:2: Unfinished JSON term at EOF at line 1, column 28" \
    "$(cat "$T/verr")"
check_same "records around it load" 2 \
    "$(jq -r 'select(.status == "inserted") | .event_id' "$T/fates" | wc -l)"

# co-load's own bad input: exit 65, one line, the rest loads.
reset
co-verify "$T/e1" | co-transform | co-classify >"$T/n1"
{ cat "$T/n1"; echo 'not json'; printf '%s\n' '{"source":"livekit","event_id":"EV_x","event":"x","room_sid":"RM_y","occurred_at":"yesterday","raw":{}}'; } >"$T/in"
co-load -r "$T/rej" "$T/in" >"$T/fates" 2>"$T/err"
check_same "co-load exits 65 on rejects" 65 "$?"
check_same "co-load diagnostics" \
"co-load: $T/in:2: Invalid numeric literal at line 1, column 4
co-load: $T/in:3: bad value for occurred_at
co-load: 3 records: 1 inserted, 0 duplicate, 0 pending, 2 rejected" "$(cat "$T/err")"
check_same "reject file keeps both" 2 "$(jq -r .reason "$T/rej" | wc -l)"
check_same "fates for every record" "inserted rejected rejected" \
    "$(jq -r .status "$T/fates" | sort | tr '\n' ' ' | sed 's/ $//')"

# Unknown tenant: pending, not lost; with -u it loads.
reset
q "DELETE FROM users WHERE id = 'usr_42'"
co-verify "$T/e3" | co-transform | co-classify | co-load >"$T/fates" 2>/dev/null
check_same "unknown tenant is pending" "pending" "$(jq -r .status "$T/fates")"
q "INSERT INTO users (id) VALUES ('usr_42')"
co-verify "$T/e3" | co-transform | co-classify | co-load >"$T/fates" 2>/dev/null
check_same "loads once the tenant exists" "inserted" "$(jq -r .status "$T/fates")"

done_testing
