#!/bin/sh
# One RFC 3339 parser for the tree (issue 10, point 3): co-query's dates,
# an envelope's received_at and the loader's check all take the same
# language, and what it takes PostgreSQL's timestamptz reads the same way.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('acme');
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", \"startedAt\",
     status) VALUES ('c-1', 'acme', 'r', '9999-12-31 23:59:59Z', 'ended')" \
    >/dev/null

# STRING|OURS|POSTGRESQL: ok or no.  Where we say no and PostgreSQL ok, it
# would roll the value over, read it in the session's zone, round it or
# take a form RFC 3339 does not have.
cat >"$T/cases" <<'CASES'
2026-01-02T09:30:00Z|ok|ok
2026-01-02t09:30:00z|ok|ok
2026-01-02 09:30:00Z|ok|ok
2026-01-02T10:30:00.250+01:00|ok|ok
2026-01-02T09:30:00.123456789Z|ok|ok
2024-02-29T00:00:00-15:59|ok|ok
0001-01-01T00:00:00Z|ok|ok
9999-12-31T23:59:59+15:59|ok|ok
2026-01-02T09:30:00+16:00|no|no
2026-01-02T09:30:00-23:59|no|no
0000-01-01T00:00:00Z|no|no
2026-02-29T00:00:00Z|no|no
2026-01-02T25:00:00Z|no|no
2026-01-02T23:59:60Z|no|ok
2026-01-02T24:00:00Z|no|ok
2026-01-02T09:30:00|no|ok
2026-01-02T09:30:00.1234567891Z|no|ok
2026-01-02T09:30:00+0100|no|ok
2026-01-02T09:30:00.Z|no|ok
CASES

# --- our verdict (co-query --since) and PostgreSQL's agree as listed ------
while IFS='|' read -r s ours pg; do
	co-query -u acme stats --since "$s" -o ndjson >/dev/null 2>"$T/err"
	rc=$?
	want=0
	[ "$ours" = no ] && want=64
	check_same "co-query --since '$s': exit $want" "$want" "$rc"
	if [ "$ours" = no ]; then
		check_same "'$s': refused in one line" 1 "$(wc -l <"$T/err")"
	fi
	if q "SELECT '$s'::timestamptz" >/dev/null 2>&1; then got=ok; else got=no; fi
	check_same "PostgreSQL on '$s': $pg" "$pg" "$got"
done <"$T/cases"

# --- the loader: what the parser takes reaches PostgreSQL (pending, no
# call yet), what it refuses is a bad value -----------------------------
while IFS='|' read -r s ours pg; do
	jq -nc --arg t "$s" '{source: "livekit", event_id: ("EV_" + $t),
	    event: "x", room_sid: "RM_y", occurred_at: $t, raw: {}}'
done <"$T/cases" >"$T/events"
co-load "$T/events" >"$T/fates" 2>/dev/null
check_same "co-load: the parser's verdict on every time" \
    "$(cut -d'|' -f1,2 "$T/cases" | sed 's/^/EV_/; s/|ok$/ pending/;
    s/|no$/ rejected/' | sort)" \
    "$(jq -r '"\(.event_id) \(.status)"' "$T/fates" | sort)"

# --- received_at: read by the same parser, to the second ------------------
# The ElevenLabs vector is signed at 2026-01-01T00:01:00Z; a received_at
# more than 30 minutes later makes it too old; a refused one lets the clock
# (CO_NOW, a day later) stand in, which is too old as well.
export ELEVENLABS_WEBHOOK_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
el_body=$VECTORS/elevenlabs_post_call_transcription.json
el_hdr=$(cat "$VECTORS/elevenlabs_post_call_transcription.signature.txt")
racase() {
	jq -nc --arg ra "$1" --arg h "$el_hdr" --rawfile body "$el_body" \
	    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
	    path:"/", query:"", remote:"127.0.0.1",
	    headers:{"elevenlabs-signature":$h}, body:$body}' >"$T/ra"
	CO_NOW=1767312000 co-verify "$T/ra" >/dev/null 2>"$T/err"
	check_same "received_at $1: ${2:-fresh}" "${2:+co-verify: $T/ra:1: $2}" \
	    "$(cat "$T/err")"
}
racase 2026-01-01T00:31:00Z ""
racase 2026-01-01T00:31:01Z "timestamp too old"
racase 2026-01-01T01:31:00+01:00 ""
racase 2026-01-01T01:31:01+01:00 "timestamp too old"
racase 2025-12-31T08:32:00-15:59 ""
racase 2026-01-01t00:31:00z ""
racase "2026-01-01 00:31:00.999999Z" ""
racase 2026-01-01T00:30:60Z "timestamp too old"
racase 2026-01-01T16:31:00+16:00 "timestamp too old"

done_testing
