#!/bin/sh
# co-serve: every route and status through real socat on loopback with
# curl as the client, against a private cluster, as a login of co_analyst
# (row security on): the same objects, pages and statistics as co-query,
# tokens that are forged, expired, of a wrong key or kid reading nothing,
# SQL-looking values only data, another tenant's call answered exactly
# like a call that does not exist, the database down, and the outcome
# stream delivering a call as co-drain commits it (delay measured).
. "$(dirname "$0")/lib.sh"
[ -n "${KEEP:-}" ] && trap "cp -r \$T /tmp/serve-work/keep; cleanup" EXIT
pg_start || exit 1
co-migrate up >/dev/null || exit 1

unset CO_API_JWT_SECRET CO_API_JWT_SECRET_FILE CO_API_JWT_KEYS_FILE CO_NOW \
    2>/dev/null
SECRET=api-test-secret-NOT-REAL-6b1e0c9d8a7f
OTHER=api-other-secret-NOT-REAL-0f9e8d7c6b5a
ROTATED=api-rotated-secret-NOT-REAL-1a2b3c4d
NOW=$(date +%s)
CR=$(printf '\r')

# The co-serve login: a member of co_analyst, and of every tenant when
# the membership table of migration 005 is there.
q "CREATE ROLE api LOGIN IN ROLE co_analyst;
   DO \$\$ BEGIN IF to_regclass('tenant_members') IS NOT NULL THEN
   EXECUTE format('INSERT INTO tenant_members (%I, tenant) VALUES (\$1, \$2)',
   (SELECT column_name FROM information_schema.columns
    WHERE table_name = 'tenant_members' AND column_name <> 'tenant'
    ORDER BY ordinal_position LIMIT 1)) USING 'api', '*';
   END IF; END \$\$;
   INSERT INTO users (id) VALUES ('tenant-00'), ('tenant-01'), ('tenant-02')"

# Calls of three tenants through co-drain, and one ElevenLabs call.
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
CO_NOW=1767225600 co-gen calls -c 60 -T 3 -d 0 "$T/spool" >/dev/null
co-drain -s "$T/spool" 2>"$T/drain.err"
check_same "co-drain loads the calls" 0 "$?"
q "INSERT INTO calls (call_sid, conversation_id, user_id, status, outcome,
    duration, to_number) VALUES ('CA_serve_el_1', 'conv_serve_1', 'tenant-01',
    'completed', 'voicemail', 12, '+15550001111')" >/dev/null
ID1=$(q "SELECT id FROM call_logs WHERE \"userId\" = 'tenant-01'
    ORDER BY id LIMIT 1")
ID2=$(q "SELECT id FROM call_logs WHERE \"userId\" = 'tenant-02'
    ORDER BY id LIMIT 1")
SID1=$(q "SELECT \"livekitRoomSid\" FROM call_logs WHERE id = '$ID1'")


# serve NAME ARGS: co-serve ARGS behind socat on a free loopback port, as
# the login api, with the caller's environment; log in $T/NAME.log.
serve() {
	_sname=$1
	shift
	socat_serve "$_sname" EXEC:"co-serve $*" PGUSER=api
}

# tok TENANT [EXP [SECRET [KID [ALG]]]]: a bearer token.
tok() {
	api-sign "${3:-$SECRET}" "{\"sub\":\"$1\",\"exp\":${2:-$((NOW + 3600))}}" \
	    "${4:-}" "${5:-}"
}
# get PATH [TOKEN [curl args]]: the status; the body in $T/out.
get() {
	_path=$1 _tok=${2:-}
	shift
	[ $# -gt 0 ] && shift
	if [ -n "$_tok" ]; then
		curl -s -o "$T/out" -w '%{http_code}' \
		    -H "Authorization: Bearer $_tok" "$@" \
		    "http://127.0.0.1:$P$_path"
	else
		curl -s -o "$T/out" -w '%{http_code}' "$@" \
		    "http://127.0.0.1:$P$_path"
	fi
}
cq() { PGUSER=api co-query "$@"; }

printf '# keys\nk1: %s\n  k2 : %s\n' "$OTHER" "$ROTATED" >"$T/keys"
export CO_API_JWT_SECRET=$SECRET CO_API_JWT_KEYS_FILE=$T/keys
serve main -t 5
P=$PORT
T1=$(tok tenant-01)

# --- health ------------------------------------------------------------------
check_same "health: 200" 200 "$(get /api/health)"
check_same "health: database and keys" \
    '{"status":"healthy","database":true,"token_keys_configured":true}' \
    "$(cat "$T/out")"
check_same "health: /healthz too" 200 "$(get /healthz)"

# --- outcome -----------------------------------------------------------------
check_same "outcome: 200" 200 "$(get /api/calls/$ID1/outcome "$T1")"
check_same "outcome: the object co-query outcome prints" \
    "$(cq outcome -u tenant-01 -o ndjson "$ID1")" "$(cat "$T/out")"
check_same "outcome: the seed's fields, in its order" \
    'id,userId,agentConfigId,livekitRoomName,livekitRoomSid,direction,phoneNumber,sipCallId,duration,startedAt,endedAt,status,outcome,recordingUrl,metadata,cost,createdAt,updatedAt' \
    "$(jq -r 'keys_unsorted | join(",")' "$T/out")"
check_same "outcome: by LiveKit room sid too" 200 \
    "$(get /api/calls/$SID1/outcome "$T1")"
check_same "outcome: by room sid, the same call" "$ID1" "$(jq -r .id "$T/out")"
check_same "outcome: an ElevenLabs call by call_sid" 200 \
    "$(get /api/calls/CA_serve_el_1/outcome "$T1")"
check_same "outcome: the 004 fields" "$(cq outcome -u tenant-01 -o ndjson \
    conv_serve_1)" "$(cat "$T/out")"
check_same "outcome: --tz as tz=" "$(cq outcome -u tenant-01 -o ndjson \
    -z America/New_York "$ID1")" "$(get "/api/calls/$ID1/outcome?tz=America/New_York" "$T1" >/dev/null; cat "$T/out")"
check 'outcome: application/json, no-store, Connection: close' sh -c \
    "curl -s -i -H 'Authorization: Bearer $T1' \
    http://127.0.0.1:$P/api/calls/$ID1/outcome | tr -d '\r' >'$T/h' &&
    grep -q '^Content-Type: application/json\$' '$T/h' &&
    grep -q '^Cache-Control: no-store\$' '$T/h' &&
    grep -q '^Connection: close\$' '$T/h'"

# 404: another tenant's call and no call at all, byte for byte alike.
check_same "outcome: another tenant's call is 404" 404 \
    "$(get /api/calls/$ID2/outcome "$T1")"
other=$(cat "$T/out")
check_same "outcome: a call that does not exist is 404" 404 \
    "$(get /api/calls/00000000-0000-4000-8000-000000000000/outcome "$T1")"
check_same "outcome: the two 404 bodies are the same" "$other" "$(cat "$T/out")"
check_same "outcome: the 404 body" '{"status":"error","error":"not found"}' \
    "$other"
check_same "outcome: another tenant's ElevenLabs call is 404" 404 \
    "$(get /api/calls/CA_serve_el_1/outcome "$(tok tenant-02)")"
check_same "outcome: whole answer alike (but Date) for other's and none" \
    "$(curl -s -i -H "Authorization: Bearer $T1" \
    "http://127.0.0.1:$P/api/calls/$ID2/outcome" | grep -v '^Date:')" \
    "$(curl -s -i -H "Authorization: Bearer $T1" \
    "http://127.0.0.1:$P/api/calls/00000000-0000-4000-8000-000000000000/outcome" |
    grep -v '^Date:')"

# --- who is asking ---------------------------------------------------------
check_same "no token: 401" 401 "$(get /api/calls/$ID1/outcome)"
check_same "401 body" '{"status":"error","error":"unauthorized"}' "$(cat "$T/out")"
check '401 asks for a bearer token' sh -c "curl -s -i \
    http://127.0.0.1:$P/api/calls | tr -d '\r' |
    grep -q '^WWW-Authenticate: Bearer realm=\"call-outcomes\"\$'"
check_same "wrong-key token: 401" 401 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 '' "$OTHER")")"
check_same "expired token (past the 60 s leeway): 401" 401 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 $((NOW - 120)))")"
check_same "token expired within the leeway: 200" 200 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 $((NOW - 10)))")"
check_same "token without exp: 401" 401 "$(get /api/calls/$ID1/outcome \
    "$(api-sign "$SECRET" '{"sub":"tenant-01"}')")"
check_same "token not yet valid (nbf): 401" 401 "$(get /api/calls/$ID1/outcome \
    "$(api-sign "$SECRET" "{\"sub\":\"tenant-01\",\"exp\":$((NOW + 3600)),\"nbf\":$((NOW + 600))}")")"
check_same "token with alg none: 401" 401 "$(get /api/calls/$ID1/outcome \
    "$(tok tenant-01 '' '' '' none | sed 's/\.[^.]*$/./')")"
check_same "token with alg HS512: 401" 401 "$(get /api/calls/$ID1/outcome \
    "$(tok tenant-01 '' '' '' HS512)")"
forged=$(printf '{"sub":"tenant-02","exp":%d}' $((NOW + 3600)) |
    openssl base64 -A | tr '+/' '-_' | tr -d '=')
check_same "forged claims under a valid signature: 401" 401 \
    "$(get /api/calls/$ID2/outcome "$(echo "$T1" |
    sed "s/\.[^.]*\./.$forged./")")"
check_same "token without the tenant claim: 401" 401 "$(get /api/calls \
    "$(api-sign "$SECRET" "{\"tenant\":\"tenant-01\",\"exp\":$((NOW + 3600))}")")"
check_same "kid k2 from the keys file: 200" 200 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 '' "$ROTATED" k2)")"
check_same "kid k2 with another key's secret: 401" 401 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 '' "$OTHER" k2)")"
check_same "unknown kid: 401" 401 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 '' "$SECRET" k9)")"
check_same "not Bearer: 401" 401 "$(get /api/calls/$ID1/outcome '' \
    -H "Authorization: Basic $T1")"
check_same "garbage token: 401" 401 "$(get /api/calls/$ID1/outcome 'a.b.c')"
check 'the log names why, never the token' sh -c \
    "grep -q 'co-serve: 401 GET /api/calls/$ID1/outcome - [0-9]*B [0-9]*ms 127.0.0.1: token expired' '$T/main.log' &&
    ! grep -qF '$T1' '$T/main.log'"
check_same "user_id without -U is not a tenant: 401" 401 \
    "$(get "/api/calls/$ID1/outcome?user_id=tenant-01")"
check_same "user_id without -U beside a token: the token's tenant" 404 \
    "$(get "/api/calls/$ID2/outcome?user_id=tenant-02" "$T1")"
check_same "a tenant claim that looks like SQL reads nothing" \
    '200 {"calls":[],"next":null}' "$(get /api/calls \
    "$(tok "tenant-01' OR '1'='1")") $(cat "$T/out")"

# --- calls -------------------------------------------------------------------
check_same "calls: 200" 200 "$(get '/api/calls?limit=1000' "$T1")"
check_same "calls: the rows co-query calls lists" \
    "$(cq calls -u tenant-01 -n 1000 -o ndjson | jq -c .)" \
    "$(jq -c '.calls[]' "$T/out")"
check_same "calls: no next page" null "$(jq -c .next "$T/out")"
check_same "calls: only the tenant's" tenant-01 \
    "$(jq -r '.calls[].userId' "$T/out" | sort -u)"
cq calls -u tenant-01 -n 3 -o ndjson --outcome completed,busy,none \
    >/dev/null 2>"$T/cqerr"
get '/api/calls?limit=3&outcome=completed,busy,none' "$T1" >/dev/null
check_same "calls: filters, and next is co-query's cursor" \
    "$(sed -n 's/^next: --after //p' "$T/cqerr")" "$(jq -r .next "$T/out")"
: >"$T/paged"
after=
pages=0
while :; do
	get "/api/calls?limit=6&since=2025-12-31&until=2026-02-01T00:00:00Z${after:+&after=$after}" \
	    "$T1" >/dev/null
	jq -r '.calls[].id' "$T/out" >>"$T/paged"
	pages=$((pages + 1))
	after=$(jq -r '.next // empty' "$T/out")
	[ -n "$after" ] && [ $pages -lt 20 ] || break
done
check_same "calls: pages of 6 walk the tenant's calls once each" \
    "$(cq calls -u tenant-01 -n 1000 -o ndjson --since 2025-12-31 \
    --until 2026-02-01T00:00:00Z | jq -r .id)" "$(cat "$T/paged")"
check "calls: that took several pages" [ $pages -ge 3 ]
check_same "calls: a campaign that looks like SQL is only data" \
    '200 {"calls":[],"next":null}' \
    "$(get "/api/calls?campaign=x%27%20OR%20%271%27%3D%271" "$T1") $(cat "$T/out")"
check_same "calls: percent-encoded filter values" \
    "$(cq calls -u tenant-01 -n 1000 -o ndjson --campaign camp-1 | jq -r .id)" \
    "$(get "/api/calls?campaign=camp%2D1&limit=1000" "$T1" >/dev/null
    jq -r '.calls[].id' "$T/out")"
check_same "calls: provider=livekit" 200 "$(get '/api/calls?provider=livekit' "$T1")"
check_same "calls: provider=livekit lists LiveKit's alone" livekit \
    "$(jq -r '.calls[].provider' "$T/out" | sort -u)"
check_same "calls: provider=elevenlabs, the tenant's ElevenLabs call" \
    '200 elevenlabs tenant-01 +15550001111 voicemail CA_serve_el_1 null' \
    "$(get '/api/calls?provider=elevenlabs' "$T1") $(jq -r '.calls[] |
    "\(.provider) \(.userId) \(.phoneNumber) \(.outcome) \(.metadata.call_sid)"' \
    "$T/out") $(jq -c .next "$T/out")"
check_same "calls: provider=elevenlabs is co-query --provider elevenlabs" \
    "$(cq calls -u tenant-01 --provider elevenlabs -o ndjson | jq -c .)" \
    "$(jq -c '.calls[]' "$T/out")"
check_same "calls: another tenant's provider=elevenlabs is empty" \
    '200 {"calls":[],"next":null}' \
    "$(get '/api/calls?provider=elevenlabs' "$(tok tenant-02)") $(cat "$T/out")"
check_same "stats: provider=elevenlabs, by=provider" \
    '200 {"provider":"elevenlabs","calls":1,"voicemail":1}' \
    "$(get '/api/stats?provider=elevenlabs&by=provider' "$T1") $(jq -c \
    '.stats[] | {provider, calls, voicemail}' "$T/out")"

# --- stats -------------------------------------------------------------------
check_same "stats: 200" 200 "$(get '/api/stats?by=day,outcome' "$T1")"
check_same "stats: co-query stats' rows" \
    "$(cq stats -u tenant-01 -b day,outcome -o ndjson | jq -c .)" \
    "$(jq -c '.stats[]' "$T/out")"
check_same "stats: with since/until" \
    "$(cq stats -u tenant-01 -b outcome --since 2026-01-01 --until 2026-01-02 \
    -o ndjson | jq -c .)" "$(get '/api/stats?by=outcome&since=2026-01-01&until=2026-01-02' \
    "$T1" >/dev/null; jq -c '.stats[]' "$T/out")"
# 20 LiveKit calls and the ElevenLabs one.
check_same "stats: without by, one row of all the tenant's calls" 21 \
    "$(get /api/stats "$T1" >/dev/null; jq '.stats[0].calls' "$T/out")"

# --- bad requests ------------------------------------------------------------
bad() {
	check_same "400 $1" "400 $2" "$(get "$1" "$T1") $(jq -r .error "$T/out")"
}
bad '/api/calls?since=yesterday' 'since: not a date YYYY-MM-DD'
bad '/api/calls?until=2026-13-45x' 'until: month out of range'
bad '/api/calls?limit=0' 'limit: not a number from 1 to 1000'
bad '/api/calls?limit=1001' 'limit: not a number from 1 to 1000'
bad '/api/calls?limit=5x' 'limit: not a number from 1 to 1000'
bad '/api/calls?outcome=won' 'outcome: unknown outcome'
bad '/api/calls?status=ended%27--' 'status: unknown status'
bad '/api/calls?direction=sideways' 'direction: unknown direction'
bad '/api/calls?after=2026-01-01/x' 'after: not a cursor'
bad '/api/calls?provider=vonage' 'provider: unknown provider'
bad '/api/stats?by=day,day' 'by: by key twice'
bad '/api/stats?by=color' 'by: unknown by key'
bad '/api/calls?color=red' 'unknown parameter'
bad '/api/calls?limit=5&limit=6' 'parameter given twice'
bad '/api/calls?campaign=a%00b' 'parameter not UTF-8 or holding NUL'
bad '/api/calls?campaign=%ff' 'parameter not UTF-8 or holding NUL'
bad '/api/calls?tz=Mars/Olympus' "a parameter's value was refused"
bad '/api/calls?since=2026-02-30' 'since: day out of range for its month'
bad '/api/calls/a%00b/outcome' 'bad call id'
check_same "SQL-looking call id: 404" 404 \
    "$(get "/api/calls/%27%20OR%201%3D1%20--/outcome" "$T1")"
check_same "no such route: 404" 404 "$(get /api/nothing "$T1")"
check_same "POST: 405" 405 "$(get /api/calls "$T1" -d x)"
check 'POST: Allow: GET' sh -c "curl -s -i -X DELETE \
    http://127.0.0.1:$P/api/calls | tr -d '\r' | grep -q '^Allow: GET\$'"
printf 'GET /api/health HTTP/1.1\r\n\r\n' >"$T/nohost"
check_same "no Host: 400 from the shared parser" 400 \
    "$(socat -t 5 - TCP:127.0.0.1:$P <"$T/nohost" |
    sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' | tr -d "$CR")"

# --- inetd/xinetd: the connection is standard error too (socat's stderr
# option); the log line must go to syslog, never to the client.
serve inetd '-t 5,stderr'
printf 'GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n' >"$T/health"
socat -t 5 - TCP:127.0.0.1:$PORT <"$T/health" >"$T/inetd.out"
check_same "stderr a socket: the answer is the health answer" "HTTP/1.1 200 OK" \
    "$(head -n 1 "$T/inetd.out" | tr -d "$CR")"
check_same "stderr a socket: no log line reaches the client" "" \
    "$(grep -a 'co-serve' "$T/inetd.out")"

# --- -U: a proxy in front vouches for ?user_id= ----------------------------
serve trusted -U -t 5
P0=$P
P=$PORT
check_same "-U: user_id names the tenant" 200 \
    "$(get "/api/calls/$ID1/outcome?user_id=tenant-01")"
check_same "-U: another tenant's call by user_id is 404" 404 \
    "$(get "/api/calls/$ID1/outcome?user_id=tenant-02")"
check_same "-U: a token still wins over user_id" 404 \
    "$(get "/api/calls/$ID1/outcome?user_id=tenant-01" "$(tok tenant-02)")"
P=$P0

# --- limits: answer size ----------------------------------------------------
serve small -m 2000 -t 5
P0=$P
P=$PORT
check_same "-m: an answer over the limit is refused" \
    "500 answer over the size limit (-m)" \
    "$(get '/api/calls?limit=100' "$T1") $(jq -r .error "$T/out")"
check_same "-m: a small one is not" 200 "$(get '/api/calls?limit=1' "$T1")"
P=$P0

# --- limits: the deadline ---------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
serve slow -t 1
P=$PORT
check_same "-t: a request not complete in time is 408" 408 \
    "$( (printf 'GET /api/health HTTP/1.1\r\nHost: x\r\n'; sleep 3) |
    socat -t 5 - TCP:127.0.0.1:$P | sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' |
    tr -d "$CR")"
# A statement that waits on a lock is cancelled at the deadline.
psql -X -q -c "BEGIN; LOCK TABLE call_logs; SELECT pg_sleep(8); COMMIT" \
    >/dev/null 2>&1 &
LOCKER=$!
_i=0
while [ "$(q "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock'
    AND granted AND relation = 'call_logs'::regclass")" = 0 ] &&
    [ $_i -lt 500 ]; do
	sleep 0.01
	_i=$((_i + 1))
done
t1=$(now_ms)
check_same "-t: a statement held up past the deadline is 503" \
    "503 query not done in time" \
    "$(get /api/calls/$ID1/outcome "$T1") $(jq -r .error "$T/out")"
t2=$(now_ms)
diag "answered $((t2 - t1)) ms after the request (-t 1)"
check "-t: answered within the deadline and a second" [ $((t2 - t1)) -lt 2500 ]
q "SELECT pg_terminate_backend(pid) FROM pg_locks
    WHERE relation = 'call_logs'::regclass AND mode = 'AccessExclusiveLock'" \
    >/dev/null
wait $LOCKER 2>/dev/null
P=$P0

# --- the outcome stream -------------------------------------------------------
# wait_for FILE PATTERN: until grep finds it, 10 s at most; 0 when found.
wait_for() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $_i -ge 1000 ] && return 1
		sleep 0.01
		_i=$((_i + 1))
	done
}
CURLS=
stop_curls() { for p in $CURLS; do kill "$p"; done; }
at_exit stop_curls
# listen NAME [curl args]: a stream for tenant-01 into $T/NAME, headers in
# $T/NAME.h, once the answer's head has arrived (co-serve LISTENs first).
listen() {
	_f=$1
	shift
	curl -s -N -D "$T/$_f.h" -H "Authorization: Bearer $T1" "$@" \
	    "http://127.0.0.1:$P/api/calls/stream" >"$T/$_f" &
	CURLS="$CURLS $!"
	LISTENER=$!
	wait_for "$T/$_f.h" '^HTTP/1.1'
}
check_same "stream without a token: 401" 401 "$(get /api/calls/stream)"
check_same "stream with a Last-Event-ID that is no cursor: 400" 400 \
    "$(get /api/calls/stream "$T1" -H 'Last-Event-ID: 1; DROP TABLE x')"
listen s1
check "stream: 200 text/event-stream" sh -c "tr -d '\r' <'$T/s1.h' |
    grep -q '^HTTP/1.1 200 OK\$' && tr -d '\r' <'$T/s1.h' |
    grep -q '^Content-Type: text/event-stream\$'"
# Three new calls, one a tenant, among the 60 already loaded (no change).
CO_NOW=1767225600 co-gen calls -c 63 -T 3 -d 0 "$T/spool2" >/dev/null
co-drain -s "$T/spool2" 2>"$T/drain2.err"
t1=$(now_ms)
wait_for "$T/s1" '^data: .*"updatedAt":"[^"]*"}$'
t2=$(now_ms)
check_same "stream: co-drain's commit of tenant-01's call is an event" \
    RM_000000000061 "$(sed -n 's/^data: //p' "$T/s1" | jq -r .livekitRoomSid)"
diag "stream: event $((t2 - t1)) ms after co-drain exited (it commits before)"
check "stream: the event within 2 s of the commit" [ $((t2 - t1)) -lt 2000 ]
NEW=$(q "SELECT id FROM call_logs WHERE \"livekitRoomSid\" = 'RM_000000000061'")
# co-drain may commit a call in more than one batch: an event each time
# its outcome or status changed; the last one is the call as it is now.
want=$(cq outcome -u tenant-01 -o ndjson "$NEW")
_i=0
while [ "$(sed -n 's/^data: //p' "$T/s1" | tail -n 1)" != "$want" ] &&
    [ $_i -lt 1000 ]; do
	sleep 0.01
	_i=$((_i + 1))
done
check_same "stream: its data is the outcome object" "$want" \
    "$(sed -n 's/^data: //p' "$T/s1" | tail -n 1)"
last=$(sed -n 's/^id: //p' "$T/s1" | tail -n 1)
check "stream: the event id is an updatedAt/id cursor" sh -c "echo '$last' |
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z/$NEW\$'"
# (An outcome different from the call's own, or nothing changes.)
q "UPDATE call_logs SET outcome = CASE outcome WHEN 'failed' THEN 'busy'
    ELSE 'failed' END WHERE id = '$ID2'"
q "UPDATE call_logs SET outcome = CASE outcome WHEN 'busy' THEN 'voicemail'
    ELSE 'busy' END WHERE id = '$ID1'"
wait_for "$T/s1" "\"id\":\"$ID1\".*\"updatedAt\":\"[^\"]*\"}\$"
check_same "stream: an outcome that changes is an event; other tenants' not" \
    "$NEW $ID1" "$(sed -n 's/^data: //p' "$T/s1" | jq -r .id |
    awk '!seen[$0]++' | tr '\n' ' ' | sed 's/ $//')"
kill $LISTENER
wait_for "$T/main.log" 'GET /api/calls/stream tenant-01 .*client closed'
check "stream: co-serve ends when the client leaves" \
    grep -q 'GET /api/calls/stream tenant-01 .*client closed' "$T/main.log"
# While nobody listens, one call changes; a client resuming gets it first.
q "UPDATE call_logs SET outcome = 'voicemail', \"updatedAt\" = now()
    WHERE id = '$NEW'"
listen s2 -H "Last-Event-ID: $last"
wait_for "$T/s2" '^data: .*"updatedAt":"[^"]*"}$'
check_same "stream: Last-Event-ID resumes with what changed after it" \
    "$NEW voicemail" "$(sed -n 's/^data: //p' "$T/s2" | head -n 1 |
    jq -r '.id + " " + .outcome')"
kill $LISTENER
# More changes than one statement of the resume takes (100): all of them,
# each once, in the order of their change.
last=$(sed -n 's/^id: //p' "$T/s2" | tail -n 1)
q "INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", status,
    outcome, \"updatedAt\") SELECT 'resume-' || i, 'tenant-01', 'resume-' || i,
    'ended', 'busy', now() AT TIME ZONE 'UTC' + i * interval '1 ms'
    FROM generate_series(1, 250) i"
listen s3 -H "Last-Event-ID: $last"
_i=0
while [ "$(grep -c '^data: .*}$' "$T/s3")" -lt 250 ] && [ $_i -lt 1000 ]; do
	sleep 0.01
	_i=$((_i + 1))
done
check_same "stream: a resume of 250 changes sends each once, in order" \
    "$(seq 1 250 | sed 's/^/resume-/')" \
    "$(sed -n 's/^data: //p' "$T/s3" | jq -r .livekitRoomName)"
kill $LISTENER

# co-query watch: the same calls on a terminal, one NDJSON line each.
PGUSER=api co-query watch -u tenant-01 -o ndjson >"$T/watch" 2>"$T/watch.err" &
WATCH=$!
CURLS="$CURLS $WATCH"
# It is listening once its session shows LISTEN in pg_stat_activity.
_i=0
while [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'api'
    AND query LIKE 'LISTEN%'")" = 0 ] && [ $_i -lt 500 ]; do
	sleep 0.01
	_i=$((_i + 1))
done
q "UPDATE call_logs SET outcome = CASE outcome WHEN 'no_answer' THEN 'busy'
    ELSE 'no_answer' END WHERE id = '$ID2'"
q "UPDATE call_logs SET outcome = 'completed' WHERE id = '$ID1'"
wait_for "$T/watch" "\"id\":\"$ID1\".*\"updatedAt\":\"[^\"]*\"}\$"
check_same "co-query watch: the tenant's changed call, not the other's" \
    "$ID1 completed" "$(jq -r '.id + " " + .outcome' "$T/watch")"
kill $WATCH

# --- round trips (co-serve(1), SPEED) ------------------------------------------
# An outcome takes one round trip after the start-up packet: BEGIN, the
# settings, the statement and COMMIT go as one pipeline (no search_path
# statement of its own), and the answer is written before the connection
# is closed (libpq's Terminate, 'X').  The old code sent 7 messages:
# start-up, search_path, BEGIN, settings, statement, COMMIT, Terminate.
if command -v strace >/dev/null 2>&1; then
	printf 'GET /api/calls/%s/outcome HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n' \
	    "$ID1" "$T1" >"$T/rt.req"
	PGUSER=api strace -e trace=sendto,write -o "$T/rt.strace" \
	    co-serve -l stderr <"$T/rt.req" >"$T/rt.out" 2>"$T/rt.err"
	check_same "round trips: the answer" "HTTP/1.1 200 OK$CR" \
	    "$(head -n 1 "$T/rt.out")"
	check_same "round trips: start-up, one pipeline, Terminate" 3 \
	    "$(grep -c '^sendto(' "$T/rt.strace")"
	check_same "round trips: the answer goes before Terminate" \
	    "write(1, \"HTTP/1.1 200 sendto(3, \"X" \
	    "$(grep -o '^write(1, "HTTP/1.1 200\|^sendto([0-9]*, "X' \
	    "$T/rt.strace" | tr '\n' ' ' | sed 's/ $//')"
	check_same "round trips: the same object as through socat" \
	    "$(get /api/calls/$ID1/outcome "$T1"; cat "$T/out")" \
	    "200$(sed '1,/^'"$CR"'$/d' "$T/rt.out")"
else
	ok "# SKIP no strace"
	ok "# SKIP no strace"
	ok "# SKIP no strace"
	ok "# SKIP no strace"
fi

# --- the database down --------------------------------------------------------
pg_stop
check_same "database down: outcome 503" 503 "$(get /api/calls/$ID1/outcome "$T1")"
check_same "database down: the reason" "database unavailable" \
    "$(jq -r .error "$T/out")"
check_same "database down: health 503" 503 "$(get /api/health)"
check_same "database down: health says so" false "$(jq .database "$T/out")"
check_same "database down: a bad token is still 401" 401 \
    "$(get /api/calls/$ID1/outcome "$(tok tenant-01 '' "$OTHER")")"
pg_up
check_same "database back: 200" 200 "$(get /api/calls/$ID1/outcome "$T1")"
done_testing
