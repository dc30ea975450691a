#!/bin/sh
# co-verify: the LiveKit, ElevenLabs and Twilio cases of
# tests/vectors/README.md, the legacy LiveKit HMAC, secrets from files, and
# the NDJSON contract (good lines pass through byte for byte, bad ones are
# named and rejected).
. "$(dirname "$0")/lib.sh"

V=$VECTORS
SIGN=$TESTDIR/bin
LK_KEY=APIvecTest01
LK_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
EL_OLD=wsec_old_NOT_REAL_0000aaaa1111bbbb2222cccc3333dddd
LEGACY_SECRET=legacy-test-secret-NOT-REAL-77e1c0ffee
LK_NOW=1767225610
EL_NOW=1767225670
export LIVEKIT_API_KEY=$LK_KEY LIVEKIT_API_SECRET=$LK_SECRET
export ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET
export LIVEKIT_WEBHOOK_SECRET=$LEGACY_SECRET
unset LIVEKIT_KEYS_FILE LIVEKIT_API_KEY_FILE LIVEKIT_API_SECRET_FILE \
    ELEVENLABS_WEBHOOK_SECRET_FILE LIVEKIT_WEBHOOK_SECRET_FILE \
    TWILIO_AUTH_TOKEN TWILIO_AUTH_TOKEN_FILE CO_PUBLIC_URL 2>/dev/null
: >"$T/allerr"

# envelope SOURCE HEADER VALUE BODYFILE [RECEIVED_AT]: one version-1
# envelope line; HEADER "" gives an envelope without headers.  Without
# received_at the clock is CO_NOW; with one, freshness is judged at it.
envelope() {
	jq -nc --arg src "$1" --arg h "$2" --arg hv "$3" --rawfile body "$4" \
	    --arg ra "${5:-}" '{v:1}
	    + (if $ra == "" then {} else {received_at:$ra} end)
	    + {source:$src, method:"POST", path:"/", query:"",
	    remote:"127.0.0.1",
	    headers:(if $h == "" then {} else {($h):$hv} end), body:$body}'
}

# vcase DESC NOW FILE REASON [STATUS]: co-verify FILE at clock NOW; REASON
# "" means it must pass the line through unchanged, else reject it with
# exactly "co-verify: FILE:1: REASON" and STATUS (default 65).
vcase() {
	_want=${5:-65}
	env ${VENV:-} CO_NOW=$2 co-verify "$3" >"$T/out" 2>"$T/err"
	_rc=$?
	cat "$T/err" >>"$T/allerr"
	if [ -z "$4" ]; then
		if [ $_rc -eq 0 ] && cmp -s "$3" "$T/out" && [ ! -s "$T/err" ]
		then
			ok "$1: accepted"
		else
			not_ok "$1: accepted"
			diag "exit $_rc" "$(cat "$T/err")"
		fi
		return
	fi
	_exp="co-verify: $3:1: $4"
	if [ $_rc -eq "$_want" ] && [ ! -s "$T/out" ] &&
	    [ "$(cat "$T/err")" = "$_exp" ]; then
		ok "$1: $4"
	else
		not_ok "$1: $4"
		diag "exit $_rc, want $_want" "stderr:" "$(cat "$T/err")" \
		    "want:" "$_exp"
	fi
}

# The helpers reproduce the vectors, so the cases they sign are sound.
check_same "lk-sign reproduces the vector token" \
    "$(cat "$V/livekit_participant_left.authorization.txt")" \
    "$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$V/livekit_participant_left.json")"
check_same "el-sign reproduces the vector header" \
    "$(cat "$V/elevenlabs_post_call_transcription.signature.txt")" \
    "$("$SIGN/el-sign" $EL_SECRET 1767225660 \
    "$V/elevenlabs_post_call_transcription.json")"

# --- LiveKit JWT (README section 1) ---
lk_body=$V/livekit_participant_left.json
lk_tok=$(cat "$V/livekit_participant_left.authorization.txt")
envelope livekit authorization "$lk_tok" "$lk_body" >"$T/lk.valid"
check "envelope body is the body file byte for byte" \
    sh -c "jq -j .body '$T/lk.valid' | cmp -s - '$lk_body'"
vcase "lk valid" $LK_NOW "$T/lk.valid" ""
envelope livekit authorization "$lk_tok" \
    "$V/livekit_participant_left.tampered.json" >"$T/lk.tampered"
vcase "lk tampered body" $LK_NOW "$T/lk.tampered" \
    "body hash does not match sha256 claim"
envelope livekit authorization \
    "$(cat "$V/livekit_participant_left.authorization_wrong_secret.txt")" \
    "$lk_body" >"$T/lk.wrong"
vcase "lk wrong secret" $LK_NOW "$T/lk.wrong" "jwt signature invalid"
vcase "lk expired at exp+61" 1767225961 "$T/lk.valid" "token expired"
vcase "lk inside leeway at exp+59" 1767225959 "$T/lk.valid" ""
{ cat "$lk_body"; echo; } >"$T/lk.body.lf"
envelope livekit authorization "$lk_tok" "$T/lk.body.lf" >"$T/lk.lf"
vcase "lk body + LF" $LK_NOW "$T/lk.lf" \
    "body hash does not match sha256 claim"
envelope livekit authorization "Bearer $lk_tok" "$lk_body" >"$T/lk.bearer"
vcase "lk Bearer prefix tolerated" $LK_NOW "$T/lk.bearer" ""
envelope livekit authorization \
    "$("$SIGN/lk-sign" APIunknown $LK_SECRET "$lk_body")" "$lk_body" \
    >"$T/lk.iss"
vcase "lk unknown iss" $LK_NOW "$T/lk.iss" "unknown api key"
envelope livekit authorization \
    "$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$lk_body" 1767225900 \
    1767225600 none)" "$lk_body" >"$T/lk.none"
vcase "lk alg none" $LK_NOW "$T/lk.none" "alg is not HS256"
unsigned=$(printf '%s' "$lk_tok" | cut -d. -f1-2)
envelope livekit authorization "$unsigned." "$lk_body" >"$T/lk.nosig"
vcase "lk empty signature" $LK_NOW "$T/lk.nosig" "jwt signature invalid"
envelope livekit authorization \
    "$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$lk_body" -)" "$lk_body" \
    >"$T/lk.noexp"
vcase "lk exp missing" $LK_NOW "$T/lk.noexp" "exp missing"
envelope livekit authorization \
    "$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$lk_body" 1767226900 \
    1767225671)" "$lk_body" >"$T/lk.nbf"
vcase "lk nbf beyond leeway" $LK_NOW "$T/lk.nbf" "token not yet valid"
envelope livekit authorization \
    "$("$SIGN/lk-sign" $LK_KEY $LK_SECRET "$lk_body" 1767226900 \
    1767225669)" "$lk_body" >"$T/lk.nbf59"
vcase "lk nbf inside leeway" $LK_NOW "$T/lk.nbf59" ""
envelope livekit authorization "not-a-token" "$lk_body" >"$T/lk.junk"
vcase "lk junk token" $LK_NOW "$T/lk.junk" \
    "token is not three dot-separated parts"
envelope livekit "" "" "$lk_body" >"$T/lk.nohdr"
vcase "lk missing header" $LK_NOW "$T/lk.nohdr" "missing signature"

# --- legacy X-LiveKit-Signature ---
legacy=$(openssl dgst -sha256 -mac HMAC -macopt "key:$LEGACY_SECRET" \
    -binary <"$lk_body" | od -An -v -tx1 | tr -d ' \n')
envelope livekit x-livekit-signature "$legacy" "$lk_body" >"$T/leg.valid"
vcase "legacy valid" $LK_NOW "$T/leg.valid" ""
envelope livekit x-livekit-signature "$(echo "$legacy" | tr a-f A-F)" \
    "$lk_body" >"$T/leg.upper"
vcase "legacy upper-case hex" $LK_NOW "$T/leg.upper" ""
envelope livekit x-livekit-signature "$legacy" \
    "$V/livekit_participant_left.tampered.json" >"$T/leg.bad"
vcase "legacy tampered body" $LK_NOW "$T/leg.bad" "legacy signature invalid"

# --- secrets from files (VENV: env(1) arguments for the next runs) ---
VENV=
printf '%s\n' "$LK_SECRET" >"$T/secret"
printf '%s\n' "$EL_SECRET" >"$T/elsecret"
cat >"$T/keys" <<EOF
# livekit-server keys file

APIsecond: "other-NOT-REAL"
$LK_KEY:   $LK_SECRET
EOF
{ cat "$T/keys"; echo 'this line has no colon'; echo 'APInosecret:'; } \
    >"$T/keys.bad"
chmod 600 "$T/secret" "$T/elsecret" "$T/keys" "$T/keys.bad"
VENV="-u LIVEKIT_API_KEY -u LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE=$T/keys"
vcase "keys file: vector key found by iss" $LK_NOW "$T/lk.valid" ""
envelope livekit authorization "$("$SIGN/lk-sign" APIsecond \
    other-NOT-REAL "$lk_body")" "$lk_body" >"$T/lk.second"
vcase "keys file: quoted secret of another key" $LK_NOW "$T/lk.second" ""
vcase "keys file: no fallback to other keys" $LK_NOW "$T/lk.iss" \
    "unknown api key"
VENV="$VENV.bad"
env $VENV CO_NOW=$LK_NOW co-verify "$T/lk.valid" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "keys file: malformed line warned by file:line, rest used" \
    "0|co-verify: $T/keys.bad:5: malformed line, want \"key: secret\"|co-verify: $T/keys.bad:6: malformed line, want \"key: secret\"" \
    "$rc|$(paste -sd'|' "$T/err")"
VENV="-u LIVEKIT_API_SECRET LIVEKIT_API_SECRET_FILE=$T/secret"
vcase "LIVEKIT_API_SECRET_FILE" $LK_NOW "$T/lk.valid" ""
VENV="-u ELEVENLABS_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET_FILE=$T/elsecret"
envelope elevenlabs elevenlabs-signature \
    "$(cat "$V/elevenlabs_post_call_transcription.signature.txt")" \
    "$V/elevenlabs_post_call_transcription.json" >"$T/el.valid"
vcase "ELEVENLABS_WEBHOOK_SECRET_FILE" $EL_NOW "$T/el.valid" ""
VENV="-u LIVEKIT_API_SECRET LIVEKIT_API_SECRET_FILE=$T/nonexistent"
env $VENV CO_NOW=$LK_NOW co-verify "$T/lk.valid" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "unreadable secret file exits 69 before reading input" \
    "69|co-verify: $T/nonexistent: No such file or directory|co-verify: webhook secrets are misconfigured|" \
    "$rc|$(paste -sd'|' "$T/err")|$(cat "$T/out")"

# --- missing secrets: 69, per record ---
VENV="-u LIVEKIT_API_KEY -u LIVEKIT_API_SECRET -u LIVEKIT_WEBHOOK_SECRET
    -u ELEVENLABS_WEBHOOK_SECRET"
vcase "lk without key" $LK_NOW "$T/lk.valid" "no livekit api key: set LIVEKIT_API_KEY and LIVEKIT_API_SECRET, or LIVEKIT_KEYS_FILE" 69
vcase "legacy without secret" $LK_NOW "$T/leg.valid" "no livekit webhook secret: set LIVEKIT_WEBHOOK_SECRET" 69
vcase "el without secret" $EL_NOW "$T/el.valid" "no elevenlabs webhook secret: set ELEVENLABS_WEBHOOK_SECRET" 69
VENV="-u LIVEKIT_API_SECRET"
env $VENV CO_NOW=$LK_NOW co-verify "$T/lk.valid" >/dev/null 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "key without secret is a configuration error" \
    "69|co-verify: LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set together" \
    "$rc|$(head -n 1 "$T/err")"
VENV=

# --- ElevenLabs (README section 2) ---
el_body=$V/elevenlabs_post_call_transcription.json
el_hdr=$(cat "$V/elevenlabs_post_call_transcription.signature.txt")
el_mac=${el_hdr#*v0=}
envelope elevenlabs elevenlabs-signature "$el_hdr" "$el_body" >"$T/el.valid"
vcase "el valid" $EL_NOW "$T/el.valid" ""
envelope elevenlabs elevenlabs-signature "$el_hdr" \
    "$V/elevenlabs_post_call_transcription.tampered.json" >"$T/el.tampered"
vcase "el tampered body" $EL_NOW "$T/el.tampered" "v0 mismatch"
vcase "el stale at t+1801" 1767227461 "$T/el.valid" "timestamp too old"
vcase "el at t+1800" 1767227460 "$T/el.valid" ""
vcase "el future t beyond skew (t-61)" 1767225599 "$T/el.valid" \
    "timestamp in the future"
vcase "el t inside skew (t-60)" 1767225600 "$T/el.valid" ""
envelope elevenlabs elevenlabs-signature \
    "$(cat "$V/elevenlabs_call_initiation_failure.signature.txt")" \
    "$V/elevenlabs_call_initiation_failure.json" >"$T/el.failure"
vcase "el failure event valid" 1767225730 "$T/el.failure" ""
ELEVENLABS_WEBHOOK_SECRET="$EL_OLD, $EL_SECRET"
vcase "el rotation: second secret matches" $EL_NOW "$T/el.valid" ""
ELEVENLABS_WEBHOOK_SECRET="$EL_OLD"
vcase "el rotation: retired secret alone" $EL_NOW "$T/el.valid" "v0 mismatch"
ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET
envelope elevenlabs elevenlabs-signature \
    "t=1767225660,v0=$(printf '%064d' 0),v0=$el_mac" "$el_body" >"$T/el.two"
vcase "el second of two v0 matches" $EL_NOW "$T/el.two" ""
envelope elevenlabs elevenlabs-signature \
    "t=1767225660,v0=$(echo "$el_mac" | tr a-f A-F)" "$el_body" >"$T/el.upper"
vcase "el upper-case hex" $EL_NOW "$T/el.upper" ""
envelope elevenlabs elevenlabs-signature "t=1767225660" "$el_body" \
    >"$T/el.nov0"
vcase "el no v0" $EL_NOW "$T/el.nov0" "no v0 signature"
envelope elevenlabs elevenlabs-signature "t=+1767225660,v0=$el_mac" \
    "$el_body" >"$T/el.tsign"
vcase "el t not digits" $EL_NOW "$T/el.tsign" "timestamp is not a number"
envelope elevenlabs elevenlabs-signature "t=01767225660,v0=$el_mac" \
    "$el_body" >"$T/el.t0"
vcase "el t is the exact substring signed" $EL_NOW "$T/el.t0" "v0 mismatch"
envelope elevenlabs "" "" "$el_body" >"$T/el.nohdr"
vcase "el missing header" $EL_NOW "$T/el.nohdr" "missing signature"

# A body with a tab, a quote, a backslash and UTF-8 survives exactly.
printf '{"type":"post_call_transcription","data":{"note":"caf\303\251\t\\"\\\\ \342\230\216"}}' \
    >"$T/odd.json"
envelope elevenlabs elevenlabs-signature \
    "$("$SIGN/el-sign" $EL_SECRET 1767225660 "$T/odd.json")" \
    "$T/odd.json" >"$T/el.odd"
check "odd body survives the envelope" \
    sh -c "jq -j .body '$T/el.odd' | cmp -s - '$T/odd.json'"
vcase "el odd body valid" $EL_NOW "$T/el.odd" ""

# --- Twilio (README section 3): the URL is CO_PUBLIC_URL + path + query ---
TW_TOKEN=0123456789abcdef0123456789abcdef
# twenv METHOD PATH QUERY SIGNATURE BODYFILE: a Twilio envelope line.
twenv() {
	jq -nc --arg m "$1" --arg p "$2" --arg q "$3" --arg s "$4" \
	    --rawfile body "$5" '{v:1, source:"twilio", method:$m, path:$p,
	    query:$q, remote:"127.0.0.1", headers:{"x-twilio-signature":$s},
	    body:$body}'
}
tw_sig=$(cat "$V/twilio_status_callback.signature.txt")
twenv POST /twilio/voice/status tenant=acme "$tw_sig" \
    "$V/twilio_status_callback.form" >"$T/tw.valid"
twenv POST /twilio/voice/status tenant=acme "$tw_sig" \
    "$V/twilio_status_callback.tampered.form" >"$T/tw.tampered"
tw_json_q=$(sed 's/^[^?]*?//' "$V/twilio_json_body.url.txt")
twenv POST /twilio/voice/status "$tw_json_q" \
    "$(cat "$V/twilio_json_body.signature.txt")" \
    "$V/twilio_json_body.json" >"$T/tw.json"
sed 's/completed/failed/' "$V/twilio_json_body.json" >"$T/tw.json.body"
twenv POST /twilio/voice/status "$tw_json_q" \
    "$(cat "$V/twilio_json_body.signature.txt")" "$T/tw.json.body" \
    >"$T/tw.json.tampered"
VENV="TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=https://hooks.example.com/"
vcase "twilio form valid" $LK_NOW "$T/tw.valid" ""
vcase "twilio form tampered" $LK_NOW "$T/tw.tampered" \
    "twilio signature invalid"
vcase "twilio json valid" $LK_NOW "$T/tw.json" ""
vcase "twilio json tampered" $LK_NOW "$T/tw.json.tampered" \
    "body hash does not match bodySHA256"
VENV="TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=http://hooks.example.com"
vcase "twilio URL scheme differs" $LK_NOW "$T/tw.valid" \
    "twilio signature invalid"
VENV="TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=https://hooks.example.com:443"
vcase "twilio signed without the port, URL with it" $LK_NOW "$T/tw.valid" ""
# twilio-python's known answers (token 12345).
printf 'CallSid=CA1234567890ABCDE&Caller=%%2B14158675309&Digits=1234&From=%%2B14158675309&To=%%2B18005551212' \
    >"$T/ka1.form"
printf 'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234' \
    >"$T/ka2.form"
printf '{"property": "value", "boolean": true}' >"$T/ka3.json"
twenv POST /myapp.php 'foo=1&bar=2' RSOYDt4T1cUTdK1PDd93/VVr8B8= \
    "$T/ka1.form" >"$T/tw.ka1"
twenv POST /myapp.php 'foo=1&bar=2' IK+Dwps556ElfBT0I3Rgjkr1wJU= \
    "$T/ka2.form" >"$T/tw.ka2"
twenv POST /myapp.php 'foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620' \
    a9nBmqA0ju/hNViExpshrM61xv4= "$T/ka3.json" >"$T/tw.ka3"
VENV="TWILIO_AUTH_TOKEN=12345 CO_PUBLIC_URL=https://mycompany.com"
vcase "twilio-python known answer" $LK_NOW "$T/tw.ka1" ""
vcase "twilio-python repeated names and values" $LK_NOW "$T/tw.ka2" ""
vcase "twilio-python JSON body" $LK_NOW "$T/tw.ka3" ""
# GET: the parameters are in the signed URL; nothing is appended.
: >"$T/empty"
get_sig=$(printf '%s' 'https://mycompany.com/cb?CallSid=CA1&CallStatus=busy' |
    openssl dgst -sha1 -mac HMAC -macopt key:12345 -binary |
    openssl base64 -A)
twenv GET /cb 'CallSid=CA1&CallStatus=busy' "$get_sig" "$T/empty" \
    >"$T/tw.get"
vcase "twilio GET" $LK_NOW "$T/tw.get" ""
twenv POST /cb 'CallSid=CA1&CallStatus=busy' "$get_sig" "$T/ka1.form" \
    >"$T/tw.post"
vcase "twilio POST signs its form too" $LK_NOW "$T/tw.post" \
    "twilio signature invalid"
jq -c 'del(.headers)' "$T/tw.ka1" >"$T/tw.nohdr"
vcase "twilio missing header" $LK_NOW "$T/tw.nohdr" "missing signature"
VENV="TWILIO_AUTH_TOKEN=12345"
vcase "twilio without CO_PUBLIC_URL" $LK_NOW "$T/tw.ka1" \
    "no twilio auth token: set TWILIO_AUTH_TOKEN and CO_PUBLIC_URL" 69
VENV=
vcase "twilio without token" $LK_NOW "$T/tw.ka1" \
    "no twilio auth token: set TWILIO_AUTH_TOKEN and CO_PUBLIC_URL" 69
VENV="TWILIO_AUTH_TOKEN=12345 CO_PUBLIC_URL=mycompany.com"
env $VENV CO_NOW=$LK_NOW co-verify "$T/tw.ka1" >/dev/null 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "CO_PUBLIC_URL without a scheme is a configuration error" \
    "69|co-verify: CO_PUBLIC_URL is not an http or https URL" \
    "$rc|$(head -n 1 "$T/err")"
VENV=

# --- freshness is judged at received_at, so a spool file verifies the
# same on every later run; CO_NOW only stands in when it is missing ---
LATER=1767312000
envelope livekit authorization "$lk_tok" "$lk_body" \
    2026-01-01T00:00:10.123456Z >"$T/ra.lk"
vcase "received_at inside the token's life, run a day later" $LATER \
    "$T/ra.lk" ""
envelope livekit authorization "$lk_tok" "$lk_body" \
    2026-01-01T01:06:01+01:00 >"$T/ra.lkexp"
vcase "received_at exp+61 (with an offset), run before exp" $LK_NOW \
    "$T/ra.lkexp" "token expired"
envelope elevenlabs elevenlabs-signature "$el_hdr" "$el_body" \
    2026-01-01T00:01:10Z >"$T/ra.el"
vcase "received_at t+10, run a day later" $LATER "$T/ra.el" ""
envelope elevenlabs elevenlabs-signature "$el_hdr" "$el_body" \
    2026-01-01T00:31:01Z >"$T/ra.elold"
vcase "received_at t+1801, run at t+10" $EL_NOW "$T/ra.elold" \
    "timestamp too old"

# --- the stream: a bad line in the middle ---
{ cat "$T/lk.valid"; echo '{"v":1, not json'; cat "$T/el.valid"; } \
    >"$T/mixed"
CO_NOW=$LK_NOW co-verify -r "$T/rej" "$T/mixed" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "bad line: exit 65" 65 $rc
{ cat "$T/lk.valid" "$T/el.valid"; } >"$T/want"
check "bad line: lines 1 and 3 pass through byte-identical" \
    cmp -s "$T/want" "$T/out"
reason=$(jq -r .reason "$T/rej")
check_same "bad line: one diagnostic naming FILE:2" \
    "co-verify: $T/mixed:2: $reason" "$(cat "$T/err")"
check_same "bad line: reject file keeps the raw input and line" \
    "{\"v\":1, not json|2" "$(jq -r '.input + "|" + (.reject_line|tostring)' "$T/rej")"
check "bad line: reason is jq's, without the input" \
    sh -c "[ -n '$reason' ] && ! grep -q 'while parsing' '$T/rej'"

# A rejected envelope goes to the reject file whole, with its reason.
cat "$T/lk.valid" "$T/lk.tampered" "$T/tw.ka1" >"$T/mix2"
CO_NOW=$LK_NOW co-verify -r "$T/rej2" "$T/mix2" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err" >>"$T/allerr"
check_same "worst status wins (65 and 69 -> 69)" 69 $rc
check_same "reject file: reasons and lines" \
    "body hash does not match sha256 claim 2
no twilio auth token: set TWILIO_AUTH_TOKEN and CO_PUBLIC_URL 3" \
    "$(jq -r '"\(.reason) \(.reject_line)"' "$T/rej2")"
check_same "reject file: the envelope body is kept exactly" \
    "$(jq -r .body "$T/lk.tampered")" \
    "$(jq -r 'select(.reject_line == 2) | .body' "$T/rej2")"
check "accepted line still passes" cmp -s "$T/lk.valid" "$T/out"

# stdin, several files, empty input, I/O and usage errors.
CO_NOW=$LK_NOW co-verify <"$T/lk.tampered" >/dev/null 2>"$T/err"
check_same "stdin is named -" \
    "co-verify: -:1: body hash does not match sha256 claim" "$(cat "$T/err")"
CO_NOW=$LK_NOW co-verify "$T/lk.valid" - "$T/lk.valid" <"$T/lk.valid" \
    >"$T/out" 2>"$T/err"
check_same "files and - in order" "0|3" \
    "$?|$(grep -c . "$T/out")"
t_run 0 'co-verify' '' ''
t_run 74 "co-verify $T/nonexistent" '' ''
check_same "missing file named" \
    "co-verify: $T/nonexistent: No such file or directory" "$(cat "$T/err")"
t_run 64 'co-verify -x' '' ''
check_same "usage line" "co-verify: invalid option -- 'x'
usage: co-verify [-r rejectfile] [file ...]" "$(cat "$T/err")"
t_run 64 'co-verify -r' '' ''

# --- nothing secret ever reaches stderr ---
check "stderr was written to (the leak check below is not vacuous)" \
    test -s "$T/allerr"
for s in "$LK_SECRET" "$EL_SECRET" "$EL_OLD" "$LEGACY_SECRET" \
    other-NOT-REAL "$TW_TOKEN" "$lk_tok" "$el_mac" "$legacy" "$tw_sig"; do
	if grep -qF -- "$s" "$T/allerr"; then
		not_ok "no secret, token or signature on stderr"
		diag "leaked: ${s%"${s#??????}"}..."
	else
		ok "no secret, token or signature on stderr"
	fi
done

done_testing
