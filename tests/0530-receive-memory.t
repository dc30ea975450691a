#!/bin/sh
# co-receive's memory before authentication (issue 8.6): a 16 MiB body of
# control characters that does not verify, sent through socat on loopback
# with curl, costs at most 3 times the body limit in peak RSS, measured by
# /usr/bin/time around each co-receive.  The signature is checked on the
# raw body before any envelope or JSON is built from it.
. "$(dirname "$0")/lib.sh"

EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
LIMIT=$((16 * 1024 * 1024))
MAXKB=$((3 * LIMIT / 1024))
SOCAT=

unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET TWILIO_AUTH_TOKEN CO_NOW CO_SPOOL 2>/dev/null
export ELEVENLABS_WEBHOOK_SECRET=$EL_SECRET

if [ ! -x /usr/bin/time ]; then
	echo "1..0 # SKIP no /usr/bin/time"
	exit 0
fi
stop() {  [ -n "$SOCAT" ] && kill "$SOCAT"; }
at_exit stop

# socat ends its child with SIGTERM when the connection closes, before
# time(1) has written its figure: the wrapper's time ignores it.
S=$T/spool
: >"$T/socat.log"
cat >"$T/measure" <<EOF2
#!/bin/sh
trap '' TERM HUP
exec /usr/bin/time -a -o "$T/rss" -f %M co-receive "\$@"
EOF2
chmod 755 "$T/measure"
p=$((20000 + ($$ * 17) % 40000))
for try in 1 2 3 4 5 6 7 8 9 10; do
	socat -d -d TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr,fork \
	    EXEC:"$T/measure -s $S" \
	    2>"$T/socat.log" &
	SOCAT=$!
	i=0
	while [ $i -lt 50 ] && kill -0 $SOCAT 2>/dev/null &&
	    ! grep -q 'listening on' "$T/socat.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'listening on' "$T/socat.log" && break
	kill $SOCAT 2>/dev/null
	SOCAT=
	p=$((p + 1))
done
[ -n "$SOCAT" ] || { echo "Bail out! no free port for socat"; exit 1; }

# 16 MiB of \001..\037: each byte is six in a JSON string.
head -c $LIMIT /dev/zero | tr '\0' '\001' >"$T/ctl"
t=$(date +%s)
bad="t=$t,v0=$(printf '%064d' 0)"

# post NAME [curl args]: one request, its status and its peak RSS (KiB).
post() {
	_name=$1
	shift
	: >"$T/rss"
	code=$(curl -s -o "$T/out" -w '%{http_code}' --data-binary "@$T/ctl" \
	    "$@" "http://127.0.0.1:$p/webhooks/elevenlabs")
	i=0
	while [ $i -lt 50 ] && [ ! -s "$T/rss" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kb=$(tail -n 1 "$T/rss")
	diag "$_name: $code, peak RSS $kb KiB (limit $MAXKB KiB)"
	check_same "$_name: 401" 401 "$code"
	check "$_name: peak RSS ${kb:-?} KiB <= 3 x 16 MiB" \
	    [ "${kb:-999999999}" -le $MAXKB ]
}

post 'bad signature, Content-Length' -H "ElevenLabs-Signature: $bad"
post 'bad signature, chunked' -H "ElevenLabs-Signature: $bad" \
    -H 'Transfer-Encoding: chunked'
post 'no signature' 
check_same 'nothing spooled' 0 "$(ls "$S/new" 2>/dev/null | wc -l | tr -d ' ')"

done_testing
