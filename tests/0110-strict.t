#!/bin/sh
# Secrets at rest and strict small parsers (issue 8, points 9 and 10):
# reject files are 0600 and hold no token, signature or turnPassword;
# secret files open to group or others are warned about; a tool holding
# a secret cannot dump core; JWT base64url has one spelling; exp and nbf
# are real times; conf_num says "too large" on overflow.
. "$(dirname "$0")/lib.sh"

V=$VECTORS
SIGN=$TESTDIR/bin
F=$TESTDIR/fixtures/livekit
LK_KEY=APIvecTest01
LK_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
TW_TOKEN=0123456789abcdef0123456789abcdef
LK_NOW=1767225610
unset LIVEKIT_KEYS_FILE LIVEKIT_API_KEY_FILE LIVEKIT_API_SECRET_FILE \
    ELEVENLABS_WEBHOOK_SECRET_FILE LIVEKIT_WEBHOOK_SECRET_FILE \
    LIVEKIT_WEBHOOK_SECRET TWILIO_AUTH_TOKEN_FILE 2>/dev/null
export LIVEKIT_API_KEY=$LK_KEY LIVEKIT_API_SECRET=$LK_SECRET
export ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET
export TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=https://hooks.example.com
umask 022

# envelope SOURCE HEADER VALUE BODYFILE: one version-1 envelope line.
envelope() {
	jq -nc --arg src "$1" --arg h "$2" --arg hv "$3" --rawfile body "$4" \
	    '{v:1, received_at:"2026-01-01T00:00:10Z", source:$src,
	    method:"POST", path:"/", query:"", remote:"127.0.0.1",
	    headers:{($h):$hv, "user-agent":"test"}, body:$body}'
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# jwt CLAIMS: an HS256 token over the claims text exactly as given (jq
# would rewrite nan and 1e400), signed with the test secret.
jwt() {
	_h=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
	_c=$(printf '%s' "$1" | b64url)
	_s=$(printf '%s.%s' "$_h" "$_c" | openssl dgst -sha256 -mac HMAC \
	    -macopt "key:$LK_SECRET" -binary | b64url)
	printf '%s.%s.%s' "$_h" "$_c" "$_s"
}

# vcase DESC FILE REASON: co-verify FILE at LK_NOW; REASON "" means it
# passes, else it is rejected with exactly "co-verify: FILE:1: REASON".
vcase() {
	CO_NOW=$LK_NOW co-verify "$2" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ -z "$3" ]; then
		_exp="0||$(cat "$2")"
	else
		_exp="65|co-verify: $2:1: $3|"
	fi
	check_same "$1" "$_exp" "$_rc|$(cat "$T/err")|$(cat "$T/out")"
}

lk_body=$V/livekit_participant_left.json
lk_tok=$(cat "$V/livekit_participant_left.authorization.txt")
sha=$(openssl dgst -sha256 -binary <"$lk_body" | openssl base64 -A)

# --- JWT base64url: one spelling of each value ---
envelope livekit authorization "$lk_tok" "$lk_body" >"$T/lk.valid"
vcase "jwt: the canonical token passes" "$T/lk.valid" ""
envelope livekit authorization "$lk_tok=" "$lk_body" >"$T/lk.pad1"
vcase "jwt: signature with '=' padding refused" "$T/lk.pad1" \
    "bad jwt signature encoding"
hdr=${lk_tok%%.*}
rest=${lk_tok#*.}
envelope livekit authorization "$hdr==.$rest" "$lk_body" >"$T/lk.pad2"
vcase "jwt: header with '==' padding refused" "$T/lk.pad2" "bad jwt header"
# The signature is 43 characters for 32 bytes: the last one carries 2
# bits that must be zero.  Flip the lowest: same bytes, another spelling.
sig=${lk_tok##*.}
last=$(printf '%s' "$sig" | tail -c 1)
alpha=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
i=$(($(expr index "$alpha" "$last") - 1))
other=$(printf '%s' "$alpha" | cut -c $(((i ^ 1) + 1)))
envelope livekit authorization "${lk_tok%?}$other" "$lk_body" >"$T/lk.bits"
vcase "jwt: non-zero trailing bits in the signature refused" "$T/lk.bits" \
    "bad jwt signature encoding"

# --- exp and nbf are times: finite, from 0 to the year 9999 ---
tcase() {
	envelope livekit authorization "$(jwt "$2")" "$lk_body" >"$T/lk.t"
	vcase "$1" "$T/lk.t" "$3"
}
tcase "claims as jq would sign them pass" \
    "{\"iss\":\"$LK_KEY\",\"exp\":1767225900,\"nbf\":1767225600,\"sha256\":\"$sha\"}" ""
tcase "exp nan refused" \
    "{\"iss\":\"$LK_KEY\",\"exp\":nan,\"sha256\":\"$sha\"}" \
    "exp is out of range"
tcase "exp 1e400 (infinite) refused" \
    "{\"iss\":\"$LK_KEY\",\"exp\":1e400,\"sha256\":\"$sha\"}" \
    "exp is out of range"
tcase "exp 1e300 (past the year 9999) refused" \
    "{\"iss\":\"$LK_KEY\",\"exp\":1e300,\"sha256\":\"$sha\"}" \
    "exp is out of range"
tcase "nbf nan refused" \
    "{\"iss\":\"$LK_KEY\",\"exp\":1767225900,\"nbf\":nan,\"sha256\":\"$sha\"}" \
    "nbf is out of range"
tcase "nbf -1e400 refused" \
    "{\"iss\":\"$LK_KEY\",\"exp\":1767225900,\"nbf\":-1e400,\"sha256\":\"$sha\"}" \
    "nbf is out of range"

# --- received_at is read strictly, else the clock stands in ---
el_body=$V/elevenlabs_post_call_transcription.json
el_hdr=$(cat "$V/elevenlabs_post_call_transcription.signature.txt")
LATER=1767312000
racase() {
	jq -nc --arg ra "$2" --arg h "$el_hdr" --rawfile body "$el_body" \
	    '{v:1, received_at:$ra, source:"elevenlabs", method:"POST",
	    path:"/", query:"", remote:"127.0.0.1",
	    headers:{"elevenlabs-signature":$h}, body:$body}' >"$T/ra"
	CO_NOW=$LATER co-verify "$T/ra" >/dev/null 2>"$T/err"
	check_same "received_at $2: $3" "$3" "$(cat "$T/err")"
}
racase "t+10 strict form" 2026-01-01T00:01:10.5Z ""
racase "t+10 with an offset" 2026-01-01T01:01:10+01:00 ""
for ra in 2026-1-1T0:1:10Z " 2026-01-01T00:01:10Z" 2026-01-01T00:01:10.Z \
    2026-01-01T00:01:10+-1:00 2026-01-01T00:01:10+99:00; do
	racase "$ra" "$ra" "co-verify: $T/ra:1: timestamp too old"
done

# --- conf_num: overflow is "too large", underflow "too small" ---
t_run 64 'co-query -u t -n 99999999999999999999 calls' '' ''
check_same "overflow named too large" \
    "co-query: limit is too large: 99999999999999999999" "$(cat "$T/err")"
t_run 64 'co-query -u t -n -99999999999999999999 calls' '' ''
check_same "negative overflow named too small" \
    "co-query: limit is too small: -99999999999999999999" "$(cat "$T/err")"

# --- reject files: 0600, no tokens, signatures or turnPassword ---
turn=$(jq -r .room.turnPassword "$F/in_room_started.json")
check "the fixture has a turnPassword" test -n "$turn"
# A signed room_started whose body was changed after signing, with a
# "Bearer " token; a legacy, an ElevenLabs and a Twilio envelope with
# wrong signatures; a line that is no JSON but holds a token.
tok2=$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$F/in_room_started.json")
sed 's/"emptyTimeout":300/"emptyTimeout":301/' "$F/in_room_started.json" \
    >"$T/room.tampered"
elsig="t=1767225600,v0=$(printf '%064d' 7)"
twsig=c2lnbmF0dXJlLW5vdC1yZWFsLTAx
legsig=$(printf '%064d' 9)
{
	envelope livekit authorization "Bearer $tok2" "$T/room.tampered"
	envelope livekit x-livekit-signature "$legsig" "$lk_body"
	envelope elevenlabs elevenlabs-signature "$elsig" "$lk_body"
	envelope twilio x-twilio-signature "$twsig" "$lk_body"
	printf '{"v":1,"headers":{"Authorization":"%s"},"body":"{\\"room\\":{\\"turnPassword\\":\\"%s\\"}}", oops\n' \
	    "$lk_tok" "$turn"
} >"$T/bad"
export LIVEKIT_WEBHOOK_SECRET=legacy-NOT-REAL
CO_NOW=$LK_NOW co-verify -r "$T/rej" "$T/bad" >"$T/out" 2>"$T/err"
check_same "five rejected" "65|5" "$?|$(wc -l <"$T/rej" | tr -d ' ')"
check_same "reject file created 0600 under umask 022" 600 \
    "$(stat -c %a "$T/rej")"
leaks=
for s in "$tok2" "$lk_tok" "$turn" "$legsig" "${elsig#*v0=}" "$twsig"; do
	grep -qF -- "$s" "$T/rej" && leaks="$leaks ${s%"${s#????????}"}"
done
check_same "no token, signature or turnPassword in the reject file" "" \
    "$leaks"
check_same "headers redacted, others kept" \
    '{"authorization":"[redacted]","user-agent":"test"}
{"x-livekit-signature":"[redacted]","user-agent":"test"}
{"elevenlabs-signature":"[redacted]","user-agent":"test"}
{"x-twilio-signature":"[redacted]","user-agent":"test"}' \
    "$(jq -c 'select(.headers) | .headers' "$T/rej")"
check_same "turnPassword redacted inside the body, the rest kept" \
    "[redacted] RM_In7vQx2LpZ9k 301" \
    "$(jq -r 'select(.reject_line == 1) | .body | fromjson | .room |
    "\(.turnPassword) \(.sid) \(.emptyTimeout)"' "$T/rej")"
printf '{"v":1,"headers":{"Authorization":"%s"},"body":"{\\"room\\":{\\"turnPassword\\":\\"%s\\"}}", oops\n' \
    '[redacted]' '[redacted]' >"$T/want"
jq -r 'select(.reject_line == 5) | .input' "$T/rej" >"$T/got"
check "the raw line is kept, its secrets blanked" cmp -s "$T/want" "$T/got"
# An existing reject file is appended to, its mode left alone.
: >"$T/rej2"
chmod 640 "$T/rej2"
CO_NOW=$LK_NOW co-verify -r "$T/rej2" "$T/bad" >/dev/null 2>&1
check_same "existing reject file appended, mode kept" "640|5" \
    "$(stat -c %a "$T/rej2")|$(wc -l <"$T/rej2" | tr -d ' ')"
# The other stream tools share the reject file: co-classify.
printf '{"eventId":"x","room":{"turnPassword":"%s"}\n' "$turn" |
    co-classify -r "$T/rej3" >/dev/null 2>&1
check_same "co-classify: rejected, 0600, turnPassword redacted" \
    '600|{"eventId":"x","room":{"turnPassword":"[redacted]"}' \
    "$(stat -c %a "$T/rej3")|$(jq -r .input "$T/rej3")"

# --- secret files open to group or others: a warning, then used ---
unset LIVEKIT_API_SECRET
printf '%s\n' "$LK_SECRET" >"$T/secret"
chmod 640 "$T/secret"
LIVEKIT_API_SECRET_FILE=$T/secret CO_NOW=$LK_NOW co-verify "$T/lk.valid" \
    >"$T/out" 2>"$T/err"
check_same "secret file 0640: one warning, still used" \
    "0|co-verify: $T/secret: readable or writable by group or others; chmod 600|1" \
    "$?|$(cat "$T/err")|$(wc -l <"$T/out" | tr -d ' ')"
chmod 600 "$T/secret"
LIVEKIT_API_SECRET_FILE=$T/secret CO_NOW=$LK_NOW co-verify "$T/lk.valid" \
    >"$T/out" 2>"$T/err"
check_same "secret file 0600: silent" "0||1" \
    "$?|$(cat "$T/err")|$(wc -l <"$T/out" | tr -d ' ')"
printf '%s: %s\n' $LK_KEY $LK_SECRET >"$T/keys"
chmod 604 "$T/keys"
env -u LIVEKIT_API_KEY LIVEKIT_KEYS_FILE=$T/keys CO_NOW=$LK_NOW co-verify "$T/lk.valid" \
    >"$T/out" 2>"$T/err"
check_same "keys file 0604: one warning, still used" \
    "0|co-verify: $T/keys: readable or writable by group or others; chmod 600|1" \
    "$?|$(cat "$T/err")|$(wc -l <"$T/out" | tr -d ' ')"

# A secret file is read whole: a NUL byte or more than 64 KiB is refused.
printf 'lk-test-secret\000-NOT-REAL\n' >"$T/secret.nul"
head -c 65537 /dev/zero | tr '\0' x >"$T/secret.big"
head -c 65536 /dev/zero | tr '\0' x >"$T/secret.max"
chmod 600 "$T/secret.nul" "$T/secret.big" "$T/secret.max"
for f in nul big max; do
	env -u LIVEKIT_API_SECRET LIVEKIT_API_SECRET_FILE=$T/secret.$f \
	    CO_NOW=$LK_NOW co-verify "$T/lk.valid" >/dev/null 2>"$T/err.$f"
	echo $? >>"$T/err.$f"
done
check_same "secret file with a NUL byte refused" \
    "co-verify: $T/secret.nul: NUL byte in secret file|co-verify: webhook secrets are misconfigured|69" \
    "$(paste -sd'|' "$T/err.nul")"
check_same "secret file over 64 KiB refused" \
    "co-verify: $T/secret.big: secret file larger than 65536 bytes|co-verify: webhook secrets are misconfigured|69" \
    "$(paste -sd'|' "$T/err.big")"
check_same "secret file of 64 KiB read (then the wrong secret)" \
    "co-verify: $T/lk.valid:1: jwt signature invalid|65" \
    "$(paste -sd'|' "$T/err.max")"

# --- core dumps: off once a secret is read ---
# A process that is not dumpable keeps even its own user out of
# /proc/PID/environ (ptrace access rules); so run co-verify as nobody,
# reading from a FIFO that keeps it alive, and look as nobody.
mkfifo "$T/fifo"
chmod 666 "$T/fifo"
NOBODY="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
# dumpable ENV...: "ENVIRON HARD-CORE-LIMIT" of such a co-verify.
dumpable() {
	exec 9<>"$T/fifo"	# read-write: never blocks
	# An ASan build sets its own core limit 0 unless told not to.
	$NOBODY env -i PATH="$PATH" \
	    ASAN_OPTIONS=disable_coredump=0:detect_leaks=0 "$@" co-verify "$T/fifo" \
	    >/dev/null 2>&1 9>&- &
	_pid=$!
	_i=0
	while [ $_i -lt 50 ]; do
		case $(readlink "/proc/$_pid/exe" 2>/dev/null) in
		*co-verify) [ -n "$(ls -l "/proc/$_pid/fd" | grep fifo)" ] &&
		    break ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
	done
	if $NOBODY cat "/proc/$_pid/environ" >/dev/null 2>&1; then
		printf 'readable '
	else
		printf 'unreadable '
	fi
	awk '/^Max core file size/ { print $5 }' "/proc/$_pid/limits"
	exec 9>&-
	wait $_pid
}
ulimit -c unlimited 2>/dev/null
hard=$(ulimit -H -c)
check_same "without a secret co-verify stays dumpable (the check can fail)" \
    "readable $hard" "$(dumpable CO_NOW=1)"
check_same "holding a secret, co-verify is not dumpable, core limit 0" \
    "unreadable 0" \
    "$(dumpable LIVEKIT_API_KEY=$LK_KEY LIVEKIT_API_SECRET=$LK_SECRET)"
chown nobody "$T/secret"
check_same "from a secret file too" "unreadable 0" \
    "$(dumpable ELEVENLABS_WEBHOOK_SECRET_FILE=$T/secret)"

done_testing
