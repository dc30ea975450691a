#!/bin/sh
# co-drain against hostile and unlucky spools (issue 8, points 1, 4, 5, 7):
# signed ElevenLabs bodies with times gmtime cannot convert; a record that
# crashes the transform fails its file, not the run; records without a
# secret age out; pending age runs from the first pending attempt (a
# day-old spool drained with -j 3 equals one drain); reason files, FIFOs,
# symlinks, loose directories, stale claim directories, a full disk.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42');
   INSERT INTO users (id) SELECT 'tenant-' || lpad(i::text, 2, '0')
   FROM generate_series(0, 49) i"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
unset ELEVENLABS_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET_FILE CO_NOW \
    TWILIO_AUTH_TOKEN TWILIO_AUTH_TOKEN_FILE 2>/dev/null
S=$T/spool
F=$TESTDIR/fixtures/livekit
EL=$TESTDIR/fixtures/elevenlabs
now=$(date +%s)
count() { ls "$S/$1" | grep -cv '\.reason$'; }
left() { echo "$(ls "$S/new" | wc -l) $(ls -A "$S/cur" | wc -l)"; }

# el_env BODYFILE: a signed ElevenLabs envelope line, signed now.
el_env() {
	jq -nc --arg h "$(el-sign "$SECRET" "$now" "$1")" --rawfile body "$1" \
	    --arg ra "$(date -u -d @"$now" +%Y-%m-%dT%H:%M:%SZ)" \
	    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
	    path:"/webhooks/elevenlabs", query:"", remote:"127.0.0.1",
	    headers:{"content-type":"application/json",
	    "elevenlabs-signature":$h}, body:$body}'
}
lk() { co-gen envelope -t $((1767225600 + $2)) "$F/$1.json"; }

# --- 8.1: times that made libjq 1.6 abort in gmtime ---
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
mkdir -p "$S/new"
i=0
for e in '.event_timestamp = 1e17' '.event_timestamp = "1e300"' \
    '.event_timestamp = "nan"' '.event_timestamp = -1e300' \
    '.data.metadata.start_time_unix_secs = 1e17' \
    '.data.metadata.start_time_unix_secs = "nan"' \
    '.data.metadata.call_duration_secs = "1e300"' \
    '.data.metadata.start_time_unix_secs = 6.6e16 |
    .data.metadata.call_duration_secs = 6.6e16'; do
	i=$((i + 1))
	jq "$e | .data.conversation_id = \"conv_x$i\"" "$EL/transcription.json" \
	    >"$T/b$i.json"
	el_env "$T/b$i.json" >"$S/new/$now.00000$i.1.el$i"
done
co-drain -s "$S" 2>"$T/err"
rc=$?
check "extreme times: co-drain does not abort (exit $rc)" test "$rc" -lt 128
check_same "extreme times: every file settled, none left" "0 0" "$(left)"
co-verify "$S"/*/*.el[1-7] | co-transform >"$T/ev" 2>"$T/err"
check_same "extreme times: co-transform gives all seven" "0 7" \
    "$? $(wc -l <"$T/ev")"
check_same "times beyond gmtime read as absent, not as garbage" \
    "null null null" \
    "$(jq -r 'select(.conversation_id == "conv_x5") |
    "\(.started_at) \(.ended_at) \(.raw.x)"' "$T/ev")"
unset ELEVENLABS_WEBHOOK_SECRET
rm -rf "$S"

# --- 8.1: a record that crashes the transform fails its own file ---
# The shipped program, behind a line that aborts libjq 1.6 (todate of
# 1e300) when the payload says so: any crash in the record's stages.
{ printf '%s\n' '(.payload.boom // null | if . == null then null' \
    'else todate end) as $boom |'; cat "$TESTDIR/../share/livekit.jq"; } \
    >"$T/crash.jq"
mkdir -p "$S/new"
lk in_participant_joined_sip 1 >"$S/new/$now.000001.1.a"
jq '.boom = 1e300 | .id = "EV_boom1"' "$F/in_participant_joined_sip.json" \
    >"$T/boom1.json"
jq '.boom = 1e300 | .id = "EV_boom2"' "$F/in_participant_left_sip.json" \
    >"$T/boom2.json"
co-gen envelope -t 1767225602 "$T/boom1.json" >"$S/new/$now.000002.1.boom"
lk in_participant_left_sip 3 >"$S/new/$now.000003.1.c"
{ lk in_room_finished 4; co-gen envelope -t 1767225604 "$T/boom2.json"; } \
    >"$S/new/$now.000004.1.two"
lk in_egress_ended 5 >"$S/new/$now.000005.1.e"
co-drain -s "$S" -f livekit="$T/crash.jq" 2>"$T/err"
check_same "a crashing record: exit 65, not 134" 65 "$?"
check_same "its files in failed/, the others done" \
    "$now.000002.1.boom $now.000004.1.two | 3" \
    "$(ls "$S/failed" | grep -v reason | tr '\n' ' ')| $(count done)"
check_same "the reason names the line and the signal" \
    "2: verify, transform or classify crashed (signal 6, Aborted)" \
    "$(cat "$S/failed/$now.000004.1.two.reason")"
check_same "nothing left in new/ or cur/" "0 0" "$(left)"
check "diagnostic: file, line, reason" grep -q \
    "^co-drain: $now.000002.1.boom:1: verify, transform or classify crashed" \
    "$T/err" || diag "$(cat "$T/err")"
check_same "the good records are loaded once" 4 \
    "$(q 'SELECT count(*) FROM livekit_call_events')"
rm -rf "$S"
q "TRUNCATE call_logs CASCADE"

# --- 8.4: a record whose scheme has no secret waits, then ages out ---
mkdir -p "$S/new"
export ELEVENLABS_WEBHOOK_SECRET=$SECRET
el_env "$EL/transcription.json" >"$S/new/$((now - 3 * 86400)).000001.1.el"
unset ELEVENLABS_WEBHOOK_SECRET
co-drain -s "$S" 2>"$T/err"
check_same "no secret for its scheme: exit 69, waits in retry/" "69 1" \
    "$? $(count retry)"
check_same "its mode says it has been pending (first attempt in mtime)" \
    400 "$(stat -c %a "$S/retry/$((now - 3 * 86400)).000001.1.el")"
CO_NOW=$((now + 3600)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "an hour later: still waiting" "69 1" "$? $(count retry)"
CO_NOW=$((now + 86400 + 60)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "a day after its first attempt: failed, exit 65" "65 1 0" \
    "$? $(count failed) $(count retry)"
check "its reason" grep -q "^1: unavailable for more than 86400 s: " \
    "$S/failed/$((now - 3 * 86400)).000001.1.el.reason"
CO_NOW=$((now + 86400 + 60)) co-drain -s "$S" -R 0 2>"$T/err"
check_same "the next run has nothing to say" 0 "$?"
rm -rf "$S"

# --- 8.5: a day-old spool, -j 3, equals one drain ---
rows() { q "SELECT \"userId\", \"livekitRoomSid\", direction, \"phoneNumber\",
    duration, \"startedAt\", \"endedAt\", status, outcome, \"recordingUrl\",
    metadata FROM call_logs ORDER BY 2"; }
co-gen calls -c 200 -t $((now - 2 * 86400)) "$S" >/dev/null
rm -rf "$T/ref"
cp -rp "$S" "$T/ref"
co-drain -s "$T/ref" 2>/dev/null
alone=$(rows)
check_same "one drain of the day-old spool loads all" "200 $(ls "$S/new" | wc -l)" \
    "$(q 'SELECT count(*) FROM call_logs') $(ls "$T/ref/done" | wc -l)"
q "TRUNCATE call_logs CASCADE"
co-drain -s "$S" -j 3 -b 20 2>"$T/err"
rc=$?
check_same "-j 3 on a day-old spool: nothing failed" "0 0" \
    "$rc $(count failed)"
co-drain -s "$S" -R 0 2>/dev/null
check_same "-j 3 then the retry run: the rows of one drain" "$alone" "$(rows)"
rm -rf "$S" "$T/ref"
q "TRUNCATE call_logs CASCADE"

# --- 8.7: the spool trusts nothing in its directories ---
mkdir -p "$S/new"
echo "secret-of-root" >"$T/victim"
ln -s "$T/victim" "$S/new/$now.000001.1.link"
mkfifo "$S/new/$now.000002.1.fifo"
mkdir "$S/new/$now.000003.1.dir"
lk in_participant_joined_sip 1 | sed 's/^/x/' >"$S/new/$now.000004.1.bad"
mkdir -p "$S/failed" "$S/tmp"
ln -s "$T/victim" "$S/failed/$now.000004.1.bad.reason"
ln -s "$T/victim2" "$S/tmp/$now.000004.1.bad.reason"
timeout 20 co-drain -s "$S" 2>"$T/err"
check_same "FIFO, symlink, directory: no hang, exit 65" 65 "$?"
check_same "the symlink's target is neither read nor written" \
    "secret-of-root" "$(cat "$T/victim")"
check "nothing was created through the planted tmp/ link" \
    test ! -e "$T/victim2"
check_same "they go to failed/ as they are" \
    "$now.000001.1.link $now.000002.1.fifo $now.000003.1.dir $now.000004.1.bad" \
    "$(ls "$S/failed" | grep -v reason | tr '\n' ' ' | sed 's/ $//')"
check_same "each with its reason" "0: not a regular file" \
    "$(cat "$S/failed/$now.000002.1.fifo.reason")"
check_same "a planted reason link is replaced by a private regular file" \
    "regular file 600 1: " \
    "$(stat -c '%F %a' "$S/failed/$now.000004.1.bad.reason") $(cut -c1-3 \
    "$S/failed/$now.000004.1.bad.reason")"
check_same "no temporary reason file left" 0 "$(ls -A "$S/tmp" | wc -l)"

chmod g+w "$S/new"
co-drain -s "$S" 2>"$T/err"
check_same "a group-writable spool directory: exit 78, one line" "78 1" \
    "$? $(wc -l <"$T/err")"
check "the line names it" grep -q "^co-drain: $S/new: writable by group" "$T/err"
chmod go-w "$S/new"
chmod o+w "$S"
co-drain -s "$S" 2>"$T/err"
check_same "a world-writable spool root: exit 78" 78 "$?"
chmod go-w "$S"

mkdir "$S/cur/.new.abc123"
touch -d @$((now - 600)) "$S/cur/.new.abc123"
mkdir "$S/cur/.new.young1"
lk in_room_finished 4 >"$S/new/$now.000005.1.after"
co-drain -s "$S" 2>"$T/err"
check_same "a claim directory left by a killed run does not stop a drain" \
    "0 1" "$? $(count done)"
check_same "the stale one is removed, a young one kept" ".new.young1" \
    "$(ls -A "$S/cur")"
rmdir "$S/cur/.new.young1"

# A full disk: the reason cannot be written; exit 74, not 65, and the
# file waits in new/ for a run that can tell its fate.
if mkdir -p "$T/small" && mount -t tmpfs -o size=256k,mode=700 tmpfs \
    "$T/small" 2>/dev/null; then
	unmount_small() { umount "$T/small"; }
	at_exit unmount_small
	mkdir -p "$T/small/s/new"
	chmod -R go-w "$T/small/s"
	lk in_participant_joined_sip 1 | sed 's/^/x/' \
	    >"$T/small/s/new/$now.000001.1.bad"
	co-drain -s "$T/small/s" -n 0 2>/dev/null; true
	dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null
	co-drain -s "$T/small/s" 2>"$T/err"
	check_same "full disk: exit 74" 74 "$?"
	check_same "full disk: no 0-byte reason, file back in new/" "0 1" \
	    "$(ls "$T/small/s/failed" | wc -l) $(ls "$T/small/s/new" | wc -l)"
	rm -f "$T/small/fill"
	co-drain -s "$T/small/s" 2>"$T/err"
	check_same "space again: failed/ with its reason, exit 65" "65 2" \
	    "$? $(ls "$T/small/s/failed" | wc -l)"
else
	ok "# SKIP no tmpfs mount here"
	ok "# SKIP no tmpfs mount here"
	ok "# SKIP no tmpfs mount here"
fi
done_testing
