#!/bin/sh
# The raw payload co-drain stores is the received body's bytes (issue
# 13.2): numbers keep their digits, where the stream tools, which pass
# events as NDJSON, store the value libjq printed; a body that jsonb would
# not take as it is (nan, which libjq reads) is stored as printed, and a
# payload the program changed (a room's TURN password dropped) too.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42')"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
F=$TESTDIR/fixtures/livekit
S=$T/spool
mkdir -p "$S/new"

# body ID EXTRA: out_room_finished with id ID and EXTRA members, pretty.
body() {
	sed -e "s/EV_Out000000006/$1/" -e "s/^{/{$2\\
	/" "$F/out_room_finished.json" >"$T/$1.json"
	echo "$T/$1.json"
}
body EV_Bytes1 '"big": 12345678901234567890, "frac": 1.50, "e": "caf\\u00e9",' \
    >/dev/null
body EV_Bytes2 '"odd": nan, "big": 12345678901234567890,' >/dev/null
sed 's/"metadata"/"turnPassword":"x", "big": 12345678901234567890, "metadata"/;
    s/EV_Out000000006/EV_Bytes3/' "$F/out_room_finished.json" >"$T/EV_Bytes3.json"
i=0
for id in EV_Bytes1 EV_Bytes2 EV_Bytes3; do
	i=$((i + 1))
	co-gen envelope -t $((1767226148 + i)) "$T/$id.json" >"$T/$id.env"
	cp "$T/$id.env" "$S/new/1767226148.00000$i.1.b$i.test"
done

raw() {
	q "SELECT \"rawPayload\"->>'$2' FROM livekit_call_events
	    WHERE \"eventId\" = '$1'"
}

co-drain -s "$S" 2>"$T/err"
check_same "co-drain loads the three" 0 $?
check_same "bytes: a 20-digit number keeps its digits" \
    12345678901234567890 "$(raw EV_Bytes1 big)"
check_same "bytes: 1.50 stays 1.50" 1.50 "$(raw EV_Bytes1 frac)"
check_same "bytes: an escape is read by jsonb" café "$(raw EV_Bytes1 e)"
check_same "bytes: the rest of the payload" RM_Out4kM9nB2xV \
    "$(q "SELECT \"rawPayload\"->'room'->>'sid' FROM livekit_call_events
    WHERE \"eventId\" = 'EV_Bytes1'")"
check_same "nan: not JSON for jsonb, stored as libjq printed it" \
    "|12345678901234567000" "$(raw EV_Bytes2 odd)|$(raw EV_Bytes2 big)"
check_same "turnPassword dropped: stored as printed" \
    "|12345678901234567000" \
    "$(q "SELECT coalesce(\"rawPayload\"->'room'->>'turnPassword', '') || '|' ||
    (\"rawPayload\"->'room'->>'big') FROM livekit_call_events
    WHERE \"eventId\" = 'EV_Bytes3'")"

# The stream tools: the NDJSON between them is what libjq prints.
q "TRUNCATE call_logs CASCADE; TRUNCATE livekit_call_events"
co-verify "$T/EV_Bytes1.env" | co-transform | co-classify | co-load \
    >/dev/null 2>"$T/err"
check_same "pipeline loads it" 0 $?
check_same "pipeline: the printed number" 12345678901234567000 \
    "$(raw EV_Bytes1 big)"
check_same "pipeline: 1.50 printed as 1.5" 1.5 "$(raw EV_Bytes1 frac)"

done_testing
