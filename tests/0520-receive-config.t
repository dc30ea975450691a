#!/bin/sh
# co-receive's configuration per provider (issues 8.4, 11.3) and honest
# health (issues 8.8, 9.8), through socat on loopback with curl: a route
# whose source has no secret answers 404 and spools nothing; a source whose
# secret is configured but unusable answers 503 with a generic body, exits
# 78, leaves the other routes working and makes health say which; health
# writes a real file in tmp/ and checks free space (a full tmpfs here);
# the seed's health route answers the seed's body and HEAD.
. "$(dirname "$0")/lib.sh"

LK_LEGACY=lk-legacy-test-secret-NOT-REAL
EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
TW_TOKEN=0123456789abcdef0123456789abcdef
TW_URL=https://hooks.example.com
LK=$VECTORS/livekit_participant_left.json
EL=$VECTORS/elevenlabs_post_call_transcription.json
TW=$VECTORS/twilio_status_callback.form
CR=$(printf '\r')
MNT=

unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET TWILIO_AUTH_TOKEN \
    LIVEKIT_API_KEY_FILE LIVEKIT_API_SECRET_FILE LIVEKIT_WEBHOOK_SECRET_FILE \
    ELEVENLABS_WEBHOOK_SECRET_FILE TWILIO_AUTH_TOKEN_FILE CO_PUBLIC_URL \
    CO_NOW CO_SPOOL 2>/dev/null


# serve NAME ENV... -- ARGS: co-receive ARGS with the environment ENV
# behind socat on a free loopback port; its log is $T/NAME.log.  Sets PORT.
serve() {
	_sname=$1
	shift
	_env=
	while [ "$1" != -- ]; do _env="$_env $1"; shift; done
	shift
	socat_serve "$_sname" EXEC:"co-receive $*" $_env
}

# post PORT PATH FILE [curl args]: the status; the answer in $T/out.
post() {
	_port=$1 _path=$2 _file=$3
	shift 3
	curl -s -o "$T/out" -w '%{http_code}' --data-binary "@$_file" "$@" \
	    "http://127.0.0.1:$_port$_path"
}
get() {
	curl -s -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$1$2"
}
lksig() {
	openssl dgst -sha256 -mac HMAC -macopt "key:$LK_LEGACY" -binary <"$1" |
	    od -An -v -tx1 | tr -d ' \n'
}
twsig() { tw-sign "$TW_TOKEN" "$TW_URL$1" "$2"; }
nfiles() { ls "$1" 2>/dev/null | wc -l | tr -d ' '; }
# jqt FILTER: run on $T/out, for check.
jqt() { jq -e "$1" "$T/out" >/dev/null 2>&1; }

# --- no secret at all: every webhook route is absent --------------------
S1=$T/none
serve none -- -s "$S1"
P=$PORT
check_same 'no secrets: livekit route 404' 404 "$(post $P /webhooks/livekit "$LK" \
    -H "X-LiveKit-Signature: $(lksig "$LK")")"
check_same 'no secrets: the seed route 404' 404 \
    "$(post $P /api/webhooks/call_completed "$LK")"
check_same 'no secrets: elevenlabs 404' 404 "$(post $P /webhooks/elevenlabs "$EL")"
check_same 'no secrets: twilio 404' 404 "$(post $P /webhooks/twilio "$TW")"
check_same 'no secrets: nothing in new/ or tmp/' 0:0 \
    "$(nfiles "$S1/new"):$(nfiles "$S1/tmp")"
check 'no secrets: the log says which secret is missing' grep -q \
    '^co-receive: 404 POST /webhooks/elevenlabs .*: no elevenlabs secret configured$' \
    "$T/none.log"
check_same 'no secrets: health 200' 200 "$(get $P /healthz)"
check 'no secrets: health says not configured, healthy' jqt \
    '.status == "healthy" and .providers == {"livekit":"not configured",
    "elevenlabs":"not configured","twilio":"not configured"}'
check_same 'no secrets: seed health 200' 200 \
    "$(get $P /api/webhooks/call_completed/health)"
check_same 'seed health: the seed keys first, a boolean secret flag' \
    'status,webhook_secret_configured,config_status healthy false ⚠️ Not configured' \
    "$(jq -r '(keys_unsorted[0:3] | join(",")) + " " + .status + " " +
    (.webhook_secret_configured | tostring) + " " + .config_status' "$T/out")"

# --- a LiveKit-only site (issue 8.4): the 16 MiB route spools nothing ----
S2=$T/lkonly
serve lkonly LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY -- -s "$S2"
P=$PORT
head -c 16777216 /dev/zero | tr '\0' '\001' >"$T/big"
check_same 'livekit only: 16 MiB unsigned to elevenlabs: 404' 404 \
    "$(post $P /webhooks/elevenlabs "$T/big")"
check_same 'livekit only: unsigned twilio: 404' 404 \
    "$(post $P /webhooks/twilio "$TW")"
check_same 'livekit only: signed livekit: 200' 200 "$(post $P /webhooks/livekit \
    "$LK" -H "X-LiveKit-Signature: $(lksig "$LK")")"
check_same 'livekit only: just that one in new/, nothing in tmp/' 1:0 \
    "$(nfiles "$S2/new"):$(nfiles "$S2/tmp")"
check_same 'livekit only: health 200' 200 "$(get $P /healthz)"
check 'livekit only: health reports the backlog and its oldest age' jqt \
    '.spool_backlog == 1 and .spool_oldest_age >= 0 and .spool_oldest_age < 600'
check 'livekit only: health names each provider' jqt \
    '.status == "healthy" and .providers == {"livekit":"ok",
    "elevenlabs":"not configured","twilio":"not configured"} and
    .webhook_secret_configured == {"livekit":true,"elevenlabs":false,"twilio":false}'
get $P /api/webhooks/call_completed/health >/dev/null
check_same 'livekit only: seed health' \
    '{"status":"healthy","webhook_secret_configured":true,"config_status":"✅ Configured"}' \
    "$(jq -c '{status, webhook_secret_configured, config_status}' "$T/out" 2>/dev/null)"
get $P /api/webhooks/call_completed/health >/dev/null
check_same 'livekit only: seed route body, seed keys first' \
    'status,webhook_secret_configured,config_status,spool_writable' \
    "$(jq -r 'keys_unsorted[0:4] | join(",")' "$T/out")"
check 'livekit only: seed route has the extra keys' jqt \
    '.spool_writable == true and (.spool_free_bytes > 0) and .providers.livekit == "ok"'
printf 'HEAD /api/webhooks/call_completed/health HTTP/1.1\r\nHost: x\r\n\r\n' |
    socat -t 5 - TCP:127.0.0.1:$P >"$T/head" 2>/dev/null
check_same 'HEAD on the seed health route: 200' 'HTTP/1.1 200 OK' \
    "$(head -n 1 "$T/head" | tr -d "$CR")"
check_same 'HEAD: no body after the header block' '' \
    "$(sed -n '/^'"$CR"'$/,$p' "$T/head" | tail -n +2)"
check 'HEAD: Content-Length of what GET would send' sh -c \
    "grep -q '^Content-Length: [1-9][0-9]*$CR\$' '$T/head'"
check_same 'HEAD on /healthz: 200' 200 "$(curl -s -I -o /dev/null \
    -w '%{http_code}' "http://127.0.0.1:$P/healthz")"
printf 'HEAD /webhooks/livekit HTTP/1.1\r\nHost: x\r\n\r\n' |
    socat -t 5 - TCP:127.0.0.1:$P >"$T/head" 2>/dev/null
check_same 'HEAD on a webhook route: 405 with Allow and no body' \
    'HTTP/1.1 405 Method Not Allowed|Allow: POST|' \
    "$(head -n 1 "$T/head" | tr -d "$CR")|$(grep '^Allow:' "$T/head" | tr -d "$CR")|$(sed -n '/^'"$CR"'$/,$p' "$T/head" | tail -n +2)"
check_same 'POST on the health route: 405' 405 \
    "$(post $P /api/webhooks/call_completed/health "$LK")"
check 'health 405: Allow: GET, HEAD' sh -c "curl -s -i -X PUT \
    http://127.0.0.1:$P/healthz | tr -d '$CR' | grep -q '^Allow: GET, HEAD\$'"

# --- a configured but unusable Twilio token file (issue 11.3) ------------
S3=$T/twbroken
serve twbroken LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY \
    ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET \
    TWILIO_AUTH_TOKEN_FILE=$T/etc/twilio.token CO_PUBLIC_URL=$TW_URL \
    -- -s "$S3"
P=$PORT
check_same 'twilio token file missing: twilio route 503' 503 \
    "$(post $P /webhooks/twilio "$TW" -H "X-Twilio-Signature: $(twsig /webhooks/twilio "$TW")")"
check_same '503: a generic body, no path, no errno text' \
    '{"status":"error","error":"service unavailable"}' "$(cat "$T/out")"
check_same 'twilio token file missing: livekit still 200' 200 \
    "$(post $P /webhooks/livekit "$LK" -H "X-LiveKit-Signature: $(lksig "$LK")")"
check_same 'twilio token file missing: elevenlabs still 200' 200 \
    "$(post $P /webhooks/elevenlabs "$EL" \
    -H "ElevenLabs-Signature: $(el-sign "$EL_SECRET" "$(date +%s)" "$EL")")"
check_same 'twilio token file missing: only the two good ones spooled' 2 \
    "$(nfiles "$S3/new")"
check_same 'the log says why, once for the twilio request' 1 \
    "$(grep -c "twilio.token: No such file or directory" "$T/twbroken.log")"
check 'the log line of the 503 names the source' grep -q \
    '^co-receive: 503 POST /webhooks/twilio .*: twilio secret configuration unusable$' \
    "$T/twbroken.log"
check_same 'the other routes never loaded the twilio secret' 1 \
    "$(grep -c 'twilio.token' "$T/twbroken.log")"
check_same 'twilio token file missing: health 503' 503 "$(get $P /healthz)"
check 'health: unhealthy, twilio unusable, the others ok' jqt \
    '.status == "unhealthy" and .spool_writable == true and
    .providers == {"livekit":"ok","elevenlabs":"ok","twilio":"unusable"}'
check 'health: no path in the body' sh -c "! grep -q '$T' '$T/out'"
check_same 'seed health: 503, livekit itself configured' \
    '503 {"status":"unhealthy","webhook_secret_configured":true,"config_status":"✅ Configured"}' \
    "$(get $P /api/webhooks/call_completed/health) $(jq -c '{status, webhook_secret_configured, config_status}' "$T/out")"

# The same through a pipe, for the exit status: 78 (EX_CONFIG).
printf 'POST /webhooks/twilio HTTP/1.0\r\nX-Twilio-Signature: x\r\nContent-Length: 2\r\n\r\nx=' >"$T/twreq"
t_run 78 "TWILIO_AUTH_TOKEN_FILE='$T/etc/twilio.token' CO_PUBLIC_URL=$TW_URL co-receive -s '$S3' <'$T/twreq' >'$T/ans'" '' ''
mkdir -p "$T/etc/dir.token"
t_run 78 "TWILIO_AUTH_TOKEN_FILE='$T/etc/dir.token' CO_PUBLIC_URL=$TW_URL co-receive -s '$S3' <'$T/twreq' >'$T/ans'" '' ''
check_same 'an unreadable token (a directory): 503' 'HTTP/1.1 503 Service Unavailable' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
t_run 78 "TWILIO_AUTH_TOKEN=$TW_TOKEN co-receive -s '$S3' <'$T/twreq' >'$T/ans'" '' ''
check 'a Twilio token without CO_PUBLIC_URL: says so' grep -q \
    'TWILIO_AUTH_TOKEN is set but CO_PUBLIC_URL is not' "$T/err"
printf 'POST /webhooks/livekit HTTP/1.0\r\nX-LiveKit-Signature: x\r\nContent-Length: 2\r\n\r\n{}' >"$T/lkreq"
t_run 78 "LIVEKIT_API_KEY=k co-receive -s '$S3' <'$T/lkreq' >'$T/ans'" '' ''
check_same 'half a LiveKit key pair: livekit 503' 'HTTP/1.1 503 Service Unavailable' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
t_run 65 "co-receive -s '$S3' <'$T/lkreq' >'$T/ans'" '' ''
check_same 'no LiveKit secret: 404 through a pipe' 'HTTP/1.1 404 Not Found' \
    "$(head -n 1 "$T/ans" | tr -d "$CR")"
printf 'GET /healthz HTTP/1.0\r\n\r\n' >"$T/hreq"
t_run 78 "LIVEKIT_API_KEY=k co-receive -s '$S3' <'$T/hreq' >/dev/null" '' ''

# --- Twilio bodies must be forms (issue 8.10) ----------------------------
S4=$T/tw
serve tw TWILIO_AUTH_TOKEN=$TW_TOKEN CO_PUBLIC_URL=$TW_URL -- -s "$S4"
P=$PORT
# twcase STATUS DESC BODY: a signed Twilio POST of BODY answers STATUS.
twcase() {
	printf '%s' "$3" >"$T/form"
	check_same "twilio $2: $1" "$1" "$(post $P /webhooks/twilio "$T/form" \
	    -H "X-Twilio-Signature: $(twsig /webhooks/twilio "$T/form")")"
}
twcase 200 'a form' 'CallSid=CA%41b&CallStatus=no-answer'
check 'twilio: %41 decoded in the event id' grep -q \
    ' CAAb:no-answer ' "$T/tw.log"
twcase 400 'JSON without bodySHA256' '{"CallSid":"CA1","CallStatus":"completed"}'
twcase 400 'a % with one hex digit' 'CallSid=CA%4&CallStatus=x'
twcase 400 'a % with a non-hex digit' 'CallSid=CA%4g&CallStatus=x'
twcase 400 'a % with a sign (sscanf took it)' 'CallSid=CA%-1&CallStatus=x'
twcase 400 'a % with a space (sscanf skipped it)' 'CallSid=CA% 41&CallStatus=x'
twcase 400 'a trailing %' 'CallSid=CA%'
twcase 400 'an empty field' 'CallSid=CA1&&CallStatus=x'
twcase 400 'a field without a name' '=x&CallSid=CA1'
twcase 400 'a control character' "$(printf 'CallSid=CA\001')"
twcase 400 'an empty body' ''
twcase 400 'a backslash' 'CallSid=CA\1&CallStatus=x'
printf 'CallSid=CA1&CallStatus=x\000' >"$T/nul"
check_same 'twilio a NUL byte: 400' 400 "$(post $P /webhooks/twilio "$T/nul" \
    -H "X-Twilio-Signature: $(twsig /webhooks/twilio "$T/nul")")"
check_same 'twilio: 400 says it is not a form' \
    '{"status":"error","error":"body is not a form"}' "$(cat "$T/out")"
check_same 'twilio: only the form spooled' 1 "$(nfiles "$S4/new")"

# --- a full spool (issue 8.8): a tmpfs of 2 MiB -------------------------
MNT=$T/mnt
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m,mode=0700 co-test "$MNT" 2>/dev/null; then
	umnt() { umount "$MNT"; }
	at_exit umnt
	S5=$MNT/spool
	serve small LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY -- -s "$S5" -m 65536
	P=$PORT
	check_same 'small spool, -m 64 KiB: healthy' 200 "$(get $P /healthz)"
	check 'small spool: free bytes and the floor reported' jqt \
	    '.spool_free_bytes > 65536 and .spool_free_min == 65536'
	dd if=/dev/zero of="$MNT/fill" bs=65536 2>/dev/null
	check_same 'full spool: health 503' 503 "$(get $P /healthz)"
	check 'full spool: unhealthy, not writable, 0 free' jqt \
	    '.status == "unhealthy" and .spool_writable == false and
	    .spool_free_bytes == 0'
	check 'full spool: no path or errno text in the body' sh -c \
	    "! grep -q -e '$MNT' -e 'No space' '$T/out'"
	check 'full spool: the log says why' grep -q \
	    '^co-receive: 503 GET /healthz .*No space left on device' "$T/small.log"
	check_same 'full spool: POST 503' 503 "$(post $P /webhooks/livekit "$LK" \
	    -H "X-LiveKit-Signature: $(lksig "$LK")")"
	check_same 'full spool: nothing in new/, nothing left in tmp/' 0:0 \
	    "$(nfiles "$S5/new"):$(nfiles "$S5/tmp")"
	check_same 'full spool: the health probe left nothing' '' \
	    "$(ls -A "$S5/tmp")"
	rm -f "$MNT/fill"
	serve floor LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY -- -s "$S5"
	check_same 'writable but under the 16 MiB floor: 503' 503 \
	    "$(get $PORT /healthz)"
	check 'under the floor: writable, unhealthy' jqt \
	    '.status == "unhealthy" and .spool_writable == true and
	    .spool_free_min == 16777216 and .spool_free_bytes < 16777216'
else
	ok '# SKIP cannot mount a tmpfs'
fi

done_testing
