#!/bin/sh
# share/openapi.yaml: valid OpenAPI 3.0 by JSON::Validator (Debian's
# libjson-validator-perl), every route in it, and real answers of
# co-serve and co-receive (through socat and curl) valid against it.
. "$(dirname "$0")/lib.sh"
SPEC=$TESTDIR/../share/openapi.yaml
openapi-check "$SPEC" >"$T/spec.err"
rc=$?
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP libjson-validator-perl not installed"
	exit 0
fi
check_same "openapi.yaml is valid OpenAPI 3.0" "0 " "$rc $(cat "$T/spec.err")"
check_same "it names every route of both tools" \
    "/api/calls /api/calls/stream /api/calls/{id}/outcome /api/health /api/stats /api/webhooks/call_completed /api/webhooks/call_completed/health /api/webhooks/elevenlabs /healthz /webhooks/elevenlabs /webhooks/livekit /webhooks/twilio" \
    "$(perl -MYAML::XS -e 'print join " ", sort keys %{YAML::XS::LoadFile($ARGV[0])->{paths}}' "$SPEC")"

pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "CREATE ROLE api LOGIN IN ROLE co_analyst;
   DO \$\$ BEGIN IF to_regclass('tenant_members') IS NOT NULL THEN
   EXECUTE format('INSERT INTO tenant_members (%I, tenant) VALUES (\$1, \$2)',
   (SELECT column_name FROM information_schema.columns
    WHERE table_name = 'tenant_members' AND column_name <> 'tenant'
    ORDER BY ordinal_position LIMIT 1)) USING 'api', '*';
   END IF; END \$\$;
   INSERT INTO users (id) VALUES ('t1');
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\",
    \"livekitRoomSid\", direction, duration, \"startedAt\", status, outcome,
    metadata, \"campaignId\") VALUES ('cl-openapi-1', 't1', 'room-a',
    'RM_openapi_1', 'inbound', 42, '2026-01-01 10:00', 'ended', 'completed',
    '{\"k\":1}', 'spring'),
    ('cl-openapi-2', 't1', 'room-b', NULL, NULL, NULL, NULL, 'active', NULL,
    NULL, NULL);
   INSERT INTO calls (call_sid, conversation_id, user_id, status, outcome)
    VALUES ('CA_openapi_1', 'conv_openapi_1', 't1', 'completed', 'busy')"

unset CO_API_JWT_SECRET_FILE CO_API_JWT_KEYS_FILE LIVEKIT_API_KEY \
    LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE LIVEKIT_WEBHOOK_SECRET \
    ELEVENLABS_WEBHOOK_SECRET TWILIO_AUTH_TOKEN CO_NOW 2>/dev/null
export CO_API_JWT_SECRET=openapi-test-secret-NOT-REAL
TOK=$(api-sign "$CO_API_JWT_SECRET" "{\"sub\":\"t1\",\"exp\":$(($(date +%s) + 600))}")
# serve NAME CMD: CMD behind socat on a free loopback port; sets PORT.
serve() { socat_serve "$1" EXEC:"$2" PGUSER=api; }
serve serve co-serve
SP=$PORT
# co-receive with the vectors' secrets and clock (a route without its
# secret may answer 404), for the signed vectors.
cat >"$T/recv" <<EOF
#!/bin/sh
LIVEKIT_API_KEY=APIvecTest01
LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
ELEVENLABS_WEBHOOK_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
CO_NOW=1767225670
export LIVEKIT_API_KEY LIVEKIT_API_SECRET ELEVENLABS_WEBHOOK_SECRET CO_NOW
exec co-receive -s "$T/spool"
EOF
chmod +x "$T/recv"
serve receive "$T/recv"
RP=$PORT

# answer DESC PORT METHOD PATH TEMPLATE STATUS [curl args]: the answer
# has STATUS and its body is valid for TEMPLATE's STATUS.
answer() {
	_d=$1 _port=$2 _m=$3 _path=$4 _tpl=$5 _want=$6
	shift 6
	_got=$(curl -s -o "$T/body" -w '%{http_code}' -X "$_m" "$@" \
	    "http://127.0.0.1:$_port$_path")
	if [ "$_got" != "$_want" ]; then
		not_ok "$_d: status"
		diag "expected $_want, got $_got" "$(cat "$T/body")"
		return
	fi
	check_same "$_d" "" \
	    "$(openapi-check "$SPEC" "$_m" "$_tpl" "$_want" "$T/body")"
}
A="Authorization: Bearer $TOK"
ID=$(q "SELECT id FROM call_logs WHERE \"livekitRoomName\" = 'room-a'")
answer "co-serve outcome, LiveKit" $SP GET /api/calls/$ID/outcome \
    /api/calls/{id}/outcome 200 -H "$A"
answer "co-serve outcome, ElevenLabs" $SP GET /api/calls/CA_openapi_1/outcome \
    /api/calls/{id}/outcome 200 -H "$A"
answer "co-serve outcome, 404" $SP GET /api/calls/nothing/outcome \
    /api/calls/{id}/outcome 404 -H "$A"
answer "co-serve outcome, 401" $SP GET /api/calls/$ID/outcome \
    /api/calls/{id}/outcome 401
answer "co-serve calls" $SP GET '/api/calls?limit=1' /api/calls 200 -H "$A"
answer "co-serve calls, last page" $SP GET '/api/calls?limit=10' /api/calls \
    200 -H "$A"
answer "co-serve calls, ElevenLabs" $SP GET '/api/calls?provider=elevenlabs' \
    /api/calls 200 -H "$A"
answer "co-serve calls, both providers" $SP GET '/api/calls?limit=1000' \
    /api/calls 200 -H "$A"
answer "co-serve calls, 400" $SP GET '/api/calls?limit=0' /api/calls 400 \
    -H "$A"
answer "co-serve stats" $SP GET '/api/stats?by=day,outcome' /api/stats 200 \
    -H "$A"
answer "co-serve stats, all" $SP GET /api/stats /api/stats 200 -H "$A"
answer "co-serve health" $SP GET /api/health /api/health 200
answer "co-serve healthz" $SP GET /healthz /healthz 200
answer "co-receive healthz" $RP GET /healthz /healthz 200
answer "co-receive seed health" $RP GET /api/webhooks/call_completed/health \
    /api/webhooks/call_completed/health 200
answer "co-receive LiveKit" $RP POST /api/webhooks/call_completed \
    /api/webhooks/call_completed 200 \
    -H "Authorization: $(head -n 1 "$VECTORS/livekit_participant_left.authorization.txt")" \
    -H 'Content-Type: application/webhook+json' \
    --data-binary "@$VECTORS/livekit_participant_left.json"
answer "co-receive ElevenLabs" $RP POST /webhooks/elevenlabs \
    /webhooks/elevenlabs 200 \
    -H "ElevenLabs-Signature: $(head -n 1 "$VECTORS/elevenlabs_post_call_transcription.signature.txt")" \
    --data-binary "@$VECTORS/elevenlabs_post_call_transcription.json"
answer "co-receive 401" $RP POST /webhooks/livekit /webhooks/livekit 401 \
    --data-binary 'not json'
# The check can fail: an outcome with a field the spec does not have.
curl -s -H "$A" "http://127.0.0.1:$SP/api/calls/$ID/outcome" |
    jq -c '. + {secret: 1}' >"$T/extra"
check "a body the spec does not allow is caught" sh -c \
    "! openapi-check '$SPEC' GET /api/calls/{id}/outcome 200 '$T/extra' >/dev/null"
done_testing
