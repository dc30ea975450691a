#!/bin/sh
# co-receive: every route and status through real socat on loopback with
# curl as the client, the LiveKit and ElevenLabs vectors through the edge
# check, and the parser's refusals driven through a pipe.  Every webhook
# route has a secret here (a route without one answers 404: 0520).
. "$(dirname "$0")/lib.sh"

LK_KEY=APIvecTest01
LK_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
TW_TOKEN=0123456789abcdef0123456789abcdef
LK_LEGACY=lk-legacy-test-secret-NOT-REAL
TW_URL=https://hooks.example.com
LK=$VECTORS/livekit_participant_left.json
LK_AUTH=$(head -n 1 "$VECTORS/livekit_participant_left.authorization.txt")
LK_BAD=$(head -n 1 "$VECTORS/livekit_participant_left.authorization_wrong_secret.txt")
EL=$VECTORS/elevenlabs_post_call_transcription.json
EL_SIG=$(head -n 1 "$VECTORS/elevenlabs_post_call_transcription.signature.txt")
ELF=$VECTORS/elevenlabs_call_initiation_failure.json
ELF_SIG=$(head -n 1 "$VECTORS/elevenlabs_call_initiation_failure.signature.txt")
TW=$VECTORS/twilio_status_callback.form
CR=$(printf '\r')

unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET TWILIO_AUTH_TOKEN \
    LIVEKIT_API_KEY_FILE LIVEKIT_API_SECRET_FILE \
    ELEVENLABS_WEBHOOK_SECRET_FILE TWILIO_AUTH_TOKEN_FILE CO_NOW CO_SPOOL \
    2>/dev/null
# The secrets every instance has (the "signed" one adds LiveKit's API key).
export LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET \
    TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=$TW_URL


# serve NAME ARGS: co-receive ARGS behind socat on a free loopback port,
# with the environment of the caller; its log is $T/NAME.log.  Sets PORT.
serve() {
	_sname=$1
	shift
	socat_serve "$_sname" EXEC:"co-receive $*"
}

# post PORT PATH FILE [curl args]: the status; the answer in $T/out.
post() {
	_port=$1 _path=$2 _file=$3
	shift 3
	curl -s -o "$T/out" -w '%{http_code}' --data-binary "@$_file" "$@" \
	    "http://127.0.0.1:$_port$_path"
}

# raw PORT [WAIT]: send stdin as is, print the answer's status code; WAIT
# is how long socat waits for the other direction after one has ended.
raw() {
	socat -t "${2:-5}" - TCP:127.0.0.1:$1 >"$T/raw" 2>/dev/null
	sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' "$T/raw" | tr -d "$CR"
}

# lksig FILE, elsig FILE, twsig PATH?QUERY FILE: signature header values.
lksig() {
	openssl dgst -sha256 -mac HMAC -macopt "key:$LK_LEGACY" -binary <"$1" |
	    od -An -v -tx1 | tr -d ' \n'
}
elsig() { el-sign "$EL_SECRET" "$(date +%s)" "$1"; }
twsig() { tw-sign "$TW_TOKEN" "$TW_URL$1" "$2"; }

# lkpost, elpost, twpost PORT PATH FILE [curl args]: post, signed.
lkpost() {
	_h="X-LiveKit-Signature: $(lksig "$3")" _a=$1 _b=$2 _f=$3
	shift 3
	post "$_a" "$_b" "$_f" -H "$_h" "$@"
}
elpost() {
	_h="ElevenLabs-Signature: $(elsig "$3")" _a=$1 _b=$2 _f=$3
	shift 3
	post "$_a" "$_b" "$_f" -H "$_h" "$@"
}
twpost() {
	_h="X-Twilio-Signature: $(twsig "$2" "$3")" _a=$1 _b=$2 _f=$3
	shift 3
	post "$_a" "$_b" "$_f" -H "$_h" "$@"
}

nfiles() { ls "$1" | wc -l | tr -d ' '; }
newest() { ls -t "$1"/new/* | head -n 1; }

# --- an instance with the legacy LiveKit secret, ElevenLabs and Twilio ---
S1=$T/spool1
serve open -s "$S1" -t 3
P1=$PORT

check_same 'health: 200' 200 "$(curl -s -o "$T/out" -w '%{http_code}' \
    "http://127.0.0.1:$P1/healthz")"
check_same 'health: healthy, every source configured' \
    '{"status":"healthy","spool_writable":true,"spool_free_min":16777216,"spool_backlog":0,"spool_oldest_age":null,"webhook_secret_configured":{"livekit":true,"elevenlabs":true,"twilio":true},"providers":{"livekit":"ok","elevenlabs":"ok","twilio":"ok"}}' \
    "$(jq -c 'del(.spool_free_bytes)' "$T/out")"
check 'health: free bytes a number' sh -c \
    "jq -e '.spool_free_bytes > 0' '$T/out' >/dev/null"
check 'health: application/json, Connection: close' sh -c \
    "curl -s -i http://127.0.0.1:$P1/api/webhooks/call_completed/health |
    tr -d '\r' | grep -q '^Content-Type: application/json\$' &&
    curl -s -i http://127.0.0.1:$P1/healthz | tr -d '\r' |
    grep -q '^Connection: close\$'"
check_same 'health: the /api route too' 200 "$(curl -s -o /dev/null \
    -w '%{http_code}' "http://127.0.0.1:$P1/api/webhooks/call_completed/health")"

check_same 'livekit legacy signed: 200' 200 "$(lkpost $P1 /webhooks/livekit "$LK" \
    -H "Content-Type: application/webhook+json")"
check_same 'livekit: event id answered' \
    '{"status":"accepted","event_id":"EV_3mN8qR2tY6wZ"}' "$(cat "$T/out")"
f=$(newest "$S1")
jq -j .body "$f" >"$T/body"
check 'livekit: spooled body byte-identical' cmp -s "$T/body" "$LK"
check_same 'livekit: envelope fields' \
    'livekit POST /webhooks/livekit  127.0.0.1 application/webhook+json 1 true' \
    "$(jq -r '[.source, .method, .path, .query, .remote,
    .headers["content-type"], .v, (.headers["x-livekit-signature"] |
    length == 64)] | join(" ")' "$f")"
check 'livekit: received_at is RFC 3339 with microseconds' sh -c \
    "jq -r .received_at '$f' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z\$'"
check 'livekit: file 0600, one line' sh -c \
    "[ \$(stat -c %a '$f') = 600 ] && [ \$(wc -l <'$f') = 1 ]"
check_same 'livekit: the api route too' 200 \
    "$(lkpost $P1 /api/webhooks/call_completed "$LK")"
check 'log: one line per request: status, route, id, bytes, latency, peer, time' \
    grep -Eq '^co-receive: 200 POST /webhooks/livekit EV_3mN8qR2tY6wZ 1053B [0-9]+ms 127\.0\.0\.1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$' \
    "$T/open.log"

check_same 'elevenlabs signed: 200' 200 "$(elpost $P1 /webhooks/elevenlabs "$EL")"
check_same 'elevenlabs: event id type:conversation_id' \
    '{"status":"accepted","event_id":"post_call_transcription:conv_01jvectortest0000000000000"}' \
    "$(cat "$T/out")"
check_same 'twilio form: 200' 200 "$(twpost $P1 '/webhooks/twilio?tenant=acme' \
    "$TW" -H 'Content-Type: application/x-www-form-urlencoded')"
check_same 'twilio: empty TwiML' \
    '<?xml version="1.0" encoding="UTF-8"?><Response/>' "$(cat "$T/out")"
f=$(newest "$S1")
check_same 'twilio: query kept apart, source twilio' 'twilio /webhooks/twilio tenant=acme' \
    "$(jq -r '[.source, .path, .query] | join(" ")' "$f")"
check 'twilio: text/xml' sh -c "curl -s -i --data-binary @$TW \
    -H 'X-Twilio-Signature: $(twsig /webhooks/twilio "$TW")' \
    http://127.0.0.1:$P1/webhooks/twilio | tr -d '\r' |
    grep -q '^Content-Type: text/xml\$'"
check 'twilio: log names CallSid:CallStatus' grep -q \
    '200 POST /webhooks/twilio CA44444444444444444444444444444444:completed 497B' \
    "$T/open.log"

n0=$(nfiles "$S1/new")
check_same 'unknown path: 404' 404 "$(post $P1 /webhooks/nope "$LK")"
check_same 'GET on a webhook route: 405' 405 "$(curl -s -o /dev/null \
    -w '%{http_code}' "http://127.0.0.1:$P1/webhooks/livekit")"
check 'GET on a webhook route: Allow: POST' sh -c "curl -s -i \
    http://127.0.0.1:$P1/webhooks/livekit | tr -d '\r' | grep -q '^Allow: POST\$'"
check_same 'POST on health: 405' 405 "$(post $P1 /healthz "$LK")"

check_same 'chunked body: 200' 200 "$(lkpost $P1 /webhooks/livekit "$LK" \
    -H 'Transfer-Encoding: chunked')"
jq -j .body "$(newest "$S1")" >"$T/body"
check 'chunked body: spooled de-chunked, byte-identical' cmp -s "$T/body" "$LK"

out=$(curl -s -i -H 'Expect: 100-continue' --data-binary "@$LK" \
    -H "X-LiveKit-Signature: $(lksig "$LK")" \
    "http://127.0.0.1:$P1/webhooks/livekit" | tr -d "$CR")
check '100-continue: interim 100 then 200' sh -c "printf '%s\n' '$out' |
    head -n 1 | grep -q '^HTTP/1.1 100 Continue\$' &&
    printf '%s\n' '$out' | grep -q '^HTTP/1.1 200 OK\$'"

printf '{"id":"EV_chunk"}' >"$T/chunk"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-LiveKit-Signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\n{"id"\r\nc ; x\r\n:"EV_chunk"}\r\n0\r\nX-Trailer: t\r\n\r\n' "$(lksig "$T/chunk")" >"$T/req"
check_same 'chunked with extensions and trailers: 200' 200 "$(raw $P1 <"$T/req")"
check_same 'chunked with extensions and trailers: body' '{"id":"EV_chunk"}' \
    "$(jq -j .body "$(newest "$S1")")"
n1=$(nfiles "$S1/new")

printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\n\r\n' >"$T/req"
check_same 'POST without a length: 411' 411 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n' >"$T/req"
check_same 'smuggling: Content-Length and Transfer-Encoding: 400' 400 \
    "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'smuggling: two Content-Length: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}' >"$T/req"
check_same 'smuggling: Content-Length list: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' >"$T/req"
check_same 'smuggling: Transfer-Encoding not chunked: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n' >"$T/req"
check_same 'smuggling: space before colon: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'smuggling: obs-fold: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\rContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'smuggling: bare CR: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}' >"$T/req"
check_same 'bare LF line ends: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'HTTP/1.1 without Host: 400' 400 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/2.0\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'HTTP/2.0: 505' 505 "$(raw $P1 <"$T/req")"
printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 2\r\n\r\n{}' >"$T/req"
check_same 'unknown expectation: 417' 417 "$(raw $P1 <"$T/req")"
{ printf 'GET /%09000d HTTP/1.1\r\nHost: x\r\n\r\n' 0; } >"$T/req"
check_same 'request line over 8 KiB: 414' 414 "$(raw $P1 <"$T/req")"
{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'
  i=0; while [ $i -lt 101 ]; do printf 'X-H%d: v\r\n' $i; i=$((i + 1)); done
  printf '\r\n'; } >"$T/req"
check_same 'more than 100 header fields: 431' 431 "$(raw $P1 <"$T/req")"
{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %09000d\r\n\r\n' 0; } >"$T/req"
check_same 'header line over 8 KiB: 431' 431 "$(raw $P1 <"$T/req")"

printf '{"id":"EV_\377"}' >"$T/latin1"
check_same 'body not UTF-8: 400' 400 "$(lkpost $P1 /webhooks/livekit "$T/latin1")"
check_same 'body not UTF-8: says so' \
    '{"status":"error","error":"body is not UTF-8"}' "$(cat "$T/out")"
printf '[1,2]' >"$T/array"
check_same 'livekit body not a JSON object: 400' 400 \
    "$(lkpost $P1 /webhooks/livekit "$T/array")"
check_same 'elevenlabs body not JSON: 400' 400 \
    "$(elpost $P1 /webhooks/elevenlabs "$TW")"

# 1 MiB + 1 is over the default limit; 2 MiB is under ElevenLabs' 16 MiB.
head -c 1048577 /dev/zero | tr '\0' a >"$T/big"
check_same 'body over 1 MiB: 413' 413 "$(post $P1 /webhooks/livekit "$T/big")"
check_same 'chunked body over 1 MiB: 413' 413 "$(lkpost $P1 /webhooks/livekit \
    "$T/big" -H 'Transfer-Encoding: chunked')"
{ printf '{"type":"post_call_audio","data":{"conversation_id":"conv_big","full_audio":"'
  head -c 2097152 /dev/zero | tr '\0' A; printf '"}}'; } >"$T/audio"
check_same 'elevenlabs 2 MiB chunked audio: 200' 200 \
    "$(elpost $P1 /webhooks/elevenlabs "$T/audio" -H 'Transfer-Encoding: chunked')"
jq -j .body "$(newest "$S1")" >"$T/body"
check 'elevenlabs audio: spooled byte-identical' cmp -s "$T/body" "$T/audio"
n2=$(nfiles "$S1/new")
check_same 'refused requests wrote nothing to new/' "$((n1 + 1))" "$n2"
check_same 'nothing left in tmp/' 0 "$(nfiles "$S1/tmp")"

# A slow client: half a request, then silence past the deadline.
serve slow -s "$S1" -t 1
t0=$(date +%s)
code=$({ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nContent-Len'
    sleep 4; } | { raw $PORT 0.2; date +%s >"$T/t1"; })
check_same 'slow client: 408' 408 "$code"
check 'slow client: cut off by the deadline, not by the client' \
    [ $(($(cat "$T/t1") - t0)) -lt 4 ]
code=$({ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-LiveKit-Signature: 00\r\nContent-Length: 1053\r\n\r\n{"id":'
    sleep 3; } | raw $PORT)
check_same 'slow body: 408' 408 "$code"
check 'slow client: logged, answered after the 1 s deadline' grep -Eq \
    '^co-receive: 408 POST /webhooks/livekit - 0B [12][0-9]{3}ms 127\.0\.0\.1 [0-9T:.-]*Z: ' \
    "$T/slow.log"

# --- an instance with every secret and the vectors' clock ----------------
S2=$T/spool2
(
	export CO_NOW=1767225670 LIVEKIT_API_KEY=$LK_KEY \
	    LIVEKIT_API_SECRET=$LK_SECRET ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET \
	    TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=https://hooks.example.com
	serve signed -s "$S2"
	echo "$PORT ${SOCATS##* }" >"$T/signed.port"
)
read P2 pid <"$T/signed.port"
SOCATS="$SOCATS $pid"

curl -s -o "$T/out" "http://127.0.0.1:$P2/healthz"
check_same 'health: secrets configured' \
    '{"status":"healthy","spool_writable":true,"spool_backlog":0,"spool_oldest_age":null,"webhook_secret_configured":{"livekit":true,"elevenlabs":true,"twilio":true},"providers":{"livekit":"ok","elevenlabs":"ok","twilio":"ok"}}' \
    "$(jq -c 'del(.spool_free_bytes, .spool_free_min)' "$T/out")"
check 'health: no secret value in the answer' sh -c \
    "! grep -q -e '$LK_SECRET' -e '$EL_SECRET' -e '$TW_TOKEN' '$T/out'"

check_same 'livekit vector signed: 200' 200 "$(post $P2 /webhooks/livekit "$LK" \
    -H "Authorization: $LK_AUTH" -H 'Content-Type: application/webhook+json')"
check_same 'livekit vector: one file in new/' 1 "$(nfiles "$S2/new")"
f=$(newest "$S2")
jq -j .body "$f" >"$T/body"
check 'livekit vector: body byte-identical' cmp -s "$T/body" "$LK"
check_same 'livekit vector: Authorization kept for co-verify' "$LK_AUTH" \
    "$(jq -r .headers.authorization "$f")"
check_same 'livekit vector: received_at from the pinned clock' \
    2026-01-01T00:01:10 "$(jq -r .received_at "$f" | cut -c 1-19)"
check_same 'livekit tampered: 401' 401 "$(post $P2 /webhooks/livekit \
    "$VECTORS/livekit_participant_left.tampered.json" \
    -H "Authorization: $LK_AUTH")"
check_same 'livekit wrong secret: 401' 401 "$(post $P2 \
    /api/webhooks/call_completed "$LK" -H "Authorization: $LK_BAD")"
check_same 'livekit unsigned with a secret set: 401' 401 \
    "$(post $P2 /webhooks/livekit "$LK")"
check_same 'livekit forged legacy signature: 401' 401 \
    "$(post $P2 /webhooks/livekit "$LK" -H 'X-LiveKit-Signature: 00')"
check_same '401: a generic reason, no details' \
    '{"status":"error","error":"signature verification failed"}' "$(cat "$T/out")"
check_same 'elevenlabs vector signed: 200' 200 "$(post $P2 \
    /api/webhooks/elevenlabs "$EL" -H "ElevenLabs-Signature: $EL_SIG")"
check_same 'elevenlabs failure vector signed: 200' 200 "$(post $P2 \
    /webhooks/elevenlabs "$ELF" -H "ElevenLabs-Signature: $ELF_SIG")"
check_same 'elevenlabs failure: event id' \
    '{"status":"accepted","event_id":"call_initiation_failure:conv_01jvectortest0000000000001"}' \
    "$(cat "$T/out")"
check_same 'elevenlabs tampered: 401' 401 "$(post $P2 /webhooks/elevenlabs \
    "$VECTORS/elevenlabs_post_call_transcription.tampered.json" \
    -H "ElevenLabs-Signature: $EL_SIG")"
# Twilio's JSON-body variant, signed here over CO_PUBLIC_URL + path + query.
TJ=$VECTORS/twilio_json_body.json
url="/webhooks/twilio?bodySHA256=$(sha256sum <"$TJ" | cut -d ' ' -f 1)"
sig=$(printf '%s' "https://hooks.example.com$url" |
    openssl dgst -sha1 -hmac "$TW_TOKEN" -binary | base64)
check_same 'twilio JSON body signed: 200' 200 "$(post $P2 "$url" "$TJ" \
    -H "X-Twilio-Signature: $sig" -H 'Content-Type: application/json')"
check 'twilio JSON body: log names CallSid:CallStatus' grep -q \
    '^co-receive: 200 POST /webhooks/twilio CA44444444444444444444444444444444:completed ' \
    "$T/signed.log"
sed 's/completed/failed/' "$TJ" >"$T/tj"
check_same 'twilio JSON body tampered: 401' 401 "$(post $P2 "$url" "$T/tj" \
    -H "X-Twilio-Signature: $sig")"
check_same 'twilio form unsigned with a token set: 401' 401 \
    "$(post $P2 /webhooks/twilio "$TW")"
check_same 'signed: only the four valid requests in new/' 4 "$(nfiles "$S2/new")"
check 'signed: 401 logged with the reason' grep -q \
    '^co-receive: 401 POST /webhooks/livekit - 1053B .*: ' "$T/signed.log"
check 'signed: no secret in the log' sh -c \
    "! grep -q -e '$LK_SECRET' -e '$EL_SECRET' -e '$TW_TOKEN' -e '$LK_AUTH' '$T/signed.log'"

# The same clock the vector says is expired, through a pipe.
{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 1053\r\n\r\n' "$LK_AUTH"
  cat "$LK"; } >"$T/lkreq"
lk_env="LIVEKIT_API_KEY=$LK_KEY LIVEKIT_API_SECRET=$LK_SECRET"
t_run 65 "CO_NOW=1767225961 $lk_env co-receive -s '$S2' <'$T/lkreq' >'$T/ans'" '' ''
check_same 'livekit expired (exp + 61 s): 401' 'HTTP/1.1 401 Unauthorized' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
t_run 0 "CO_NOW=1767225959 $lk_env co-receive -s '$S2' <'$T/lkreq' >'$T/ans'" '' ''
check_same 'livekit inside the leeway (exp + 59 s): 200' 'HTTP/1.1 200 OK' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"

# --- an unwritable spool: tmp/ is a file (works as root too) ------------
S3=$T/spool3
mkdir -p "$S3"
printf 'GET /healthz HTTP/1.0\r\n\r\n' | co-receive -s "$S3" >/dev/null 2>&1
rm -rf "$S3/tmp"
: >"$S3/tmp"
serve broken -s "$S3"
check_same 'spool unwritable: POST 503' 503 "$(lkpost $PORT /webhooks/livekit "$LK")"
check_same 'spool unwritable: 503 body says nothing of paths or errno' \
    '{"status":"error","error":"service unavailable"}' "$(cat "$T/out")"
check 'spool unwritable: the log says why' grep -q \
    "^co-receive: 503 POST /webhooks/livekit EV_3mN8qR2tY6wZ .*: spool $S3: Not a directory" \
    "$T/broken.log"
check_same 'spool unwritable: nothing in new/' 0 "$(nfiles "$S3/new")"
check_same 'spool unwritable: health 503' 503 "$(curl -s -o "$T/out" \
    -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
check 'spool unwritable: health says unhealthy' grep -q \
    '"status":"unhealthy","spool_writable":false' "$T/out"

# --- exit status and options, through a pipe ----------------------------
t_run 75 "CO_NOW=1767225610 $lk_env co-receive -s '$S3' <'$T/lkreq' >/dev/null" '' ''
t_run 0 "CO_NOW=1767225610 $lk_env co-receive -s '$T/spool4' <'$T/lkreq' >/dev/null" '' ''
check 'a missing spool is created' test -d "$T/spool4/new"
t_run 65 "co-receive -s '$T/spool4' >'$T/ans'" "GET /nope HTTP/1.0$CR
$CR
" ''
check_same 'unknown path through a pipe: 404' 'HTTP/1.1 404 Not Found' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
t_run 64 'co-receive -x' '' ''
check_same 'bad option: usage line' \
    'usage: co-receive [-l stderr|syslog] [-m bytes] [-s spool] [-t seconds]' \
    "$(tail -n 1 "$T/err")"
t_run 64 'co-receive -t 0' '' ''
t_run 64 'co-receive extra' '' ''
t_run 65 "co-receive -m 10 -s '$T/spool4' <'$T/lkreq' >'$T/ans'" '' ''
check_same '-m 10: 413' 'HTTP/1.1 413 Content Too Large' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
# Lengths past INT_MAX and past 64 bits neither wrap nor pass (issue 8.10).
for cl in 2147483648 4294967297 18446744073709551617 99999999999999999999999999; do
	printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-LiveKit-Signature: 00\r\nContent-Length: %s\r\n\r\n{}' $cl >"$T/req"
	t_run 65 "co-receive -m 1073741824 -s '$T/spool4' <'$T/req' >'$T/ans'" '' ''
	check_same "Content-Length $cl: 413" 'HTTP/1.1 413 Content Too Large' \
	    "$(head -n 1 "$T/ans" | tr -d "$CR")"
done
for cs in 80000000 100000002 10000000000000002 1000000000000000000000002; do
	printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-LiveKit-Signature: 00\r\nTransfer-Encoding: chunked\r\n\r\n%s\r\n{}\r\n0\r\n\r\n' $cs >"$T/req"
	t_run 65 "co-receive -m 1073741824 -s '$T/spool4' <'$T/req' >'$T/ans'" '' ''
	check_same "chunk size 0x$cs: 413" 'HTTP/1.1 413 Content Too Large' \
	    "$(head -n 1 "$T/ans" | tr -d "$CR")"
done
printf '2\r\n{}\r\nffffffffffffffff\r\n' >"$T/chunks"
{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\nX-LiveKit-Signature: 00\r\nTransfer-Encoding: chunked\r\n\r\n'; cat "$T/chunks"; } >"$T/req"
t_run 65 "co-receive -s '$T/spool4' <'$T/req' >'$T/ans'" '' ''
check_same 'a chunk that would wrap the running total: 413' \
    'HTTP/1.1 413 Content Too Large' "$(head -n 1 "$T/ans" | tr -d "$CR")"
t_run 64 'co-receive -m 1073741825' '' ''

printf 'x=' >"$T/x.form"
printf 'POST /webhooks/twilio HTTP/1.0\r\nX-Dup: a\r\nx-dup: b\r\nX-Twilio-Signature: %s\r\nContent-Length: 2\r\n\r\nx=' \
    "$(twsig /webhooks/twilio "$T/x.form")" |
    CO_SPOOL=$T/spool5 co-receive >/dev/null 2>&1
check_same 'HTTP/1.0, no Host; repeated headers joined with ", "; CO_SPOOL' \
    'a, b' "$(jq -r '.headers["x-dup"]' "$T"/spool5/new/*)"

done_testing
