#!/bin/sh
# A fourth provider, defined only in this test's files (tests/fake/: its
# provider_fake.c with a verifier of its own, fake.jq, and a copy of the
# table with one more line), linked into test copies of the tools
# (make fake): co-receive-fake takes its webhooks under socat on loopback,
# and the spool file goes through co-verify-fake | co-transform-fake |
# co-classify | co-load-fake, into a table of its own (load_fake.c, its
# load kind), and co-drain-fake drains it the same way.  The stock tools,
# built from the same objects with the stock table, know nothing of it.
# The table is the only seam.
. "$(dirname "$0")/lib.sh"
F=$TESTDIR/fake
top=$(cd "$TESTDIR/.." && pwd)

for b in co-receive-fake co-verify-fake co-transform-fake co-load-fake \
    co-drain-fake; do
	if [ ! -x "$F/$b" ]; then
		echo "Bail out! $F/$b missing: run make fake"
		exit 1
	fi
done
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET TWILIO_AUTH_TOKEN \
    CO_PUBLIC_URL FAKE_SECRET_FILE 2>/dev/null
export FAKE_SECRET=fake-test-secret-NOT-REAL-0670
export CO_NOW=1767225600
S=$T/spool

# The share directory: the shipped programs and the fake one.
mkdir "$T/share"
cp "$top"/share/*.jq "$F/fake.jq" "$T/share"
export CO_SHARE=$T/share

# sign FILE [SECRET]: the X-Fake-Signature of a body.
sign() {
	openssl dgst -sha256 -mac HMAC -macopt "key:${2:-$FAKE_SECRET}" \
	    -hex <"$1" | sed 's/^.*= //'
}

socat_serve recv EXEC:"$F/co-receive-fake -l stderr -s $S"

# post FILE SIGNATURE: the status; the answer in $T/out.
post() {
	curl -s -o "$T/out" -w '%{http_code}' --data-binary "@$1" \
	    -H 'Content-Type: application/json' -H "X-Fake-Signature: $2" \
	    "http://127.0.0.1:$PORT/webhooks/fake"
}

printf '{"id":"FK_1","kind":"call_ended","call":"C1","tenant":"acme","status":"busy","seconds":0}' \
    >"$T/busy.json"
printf '{"id":"FK_2","kind":"call_ended","call":"C2","tenant":"acme","status":"ok","seconds":95}' \
    >"$T/done.json"

# --- co-receive-fake: the route, the verifier, the answer ---
check_same "signed webhook: 200 and the fake provider's own answer" \
    "200 fake: kept" "$(post "$T/busy.json" "$(sign "$T/busy.json")") $(cat "$T/out")"
check_same "second webhook: 200" 200 \
    "$(post "$T/done.json" "$(sign "$T/done.json")")"
check_same "wrong secret: 401, nothing spooled" \
    "401 2" "$(post "$T/busy.json" "$(sign "$T/busy.json" wrong)") $(ls "$S/new" | wc -l)"
check "the log names the event id by the fake rule" \
    grep -q '^co-receive: 200 POST /webhooks/fake FK_1 ' "$T/recv.log"
check "the log says why the bad one was refused" \
    grep -q '^co-receive: 401 POST /webhooks/fake - .*: fake signature invalid$' \
    "$T/recv.log"
check_same "health lists the fake provider, configured" '"ok"' \
    "$(curl -s "http://127.0.0.1:$PORT/healthz" | jq -c .providers.fake)"

# --- the spool files through the fake verify and transform ---
cat "$S"/new/* >"$T/env"
check_same "the envelopes say source fake" "fake fake" \
    "$(jq -r .source "$T/env" | tr '\n' ' ' | sed 's/ $//')"
"$F/co-verify-fake" "$T/env" 2>"$T/err.v" | "$F/co-transform-fake" \
    2>"$T/err.t" | co-classify >"$T/ev" 2>"$T/err.c"
check_same "verified, transformed and classified, nothing said" "2 0" \
    "$(wc -l <"$T/ev") $(cat "$T/err.v" "$T/err.t" "$T/err.c" | wc -l)"
check_same "the events: event_id by the fake rule, outcomes by the rules" \
    'FK_1 fake call_ended C1 acme busy busy
FK_2 fake call_ended C2 acme completed duration' \
    "$(jq -r '"\(.event_id) \(.source) \(.event) \(.call_sid) \(.user_id) \(.outcome) \(.outcome_rule)"' "$T/ev" | sort)"
jq -c '.headers["x-fake-signature"] = "00"' "$T/env" | head -n 1 >"$T/forged"
"$F/co-verify-fake" "$T/forged" >/dev/null 2>"$T/err"
check_same "a forged envelope: rejected by the fake verifier" \
    "65 co-verify-fake: $T/forged:1: fake signature invalid" "$? $(cat "$T/err")"
"$F/co-verify-fake" -r "$T/rej" "$T/forged" >/dev/null 2>&1
check_same "its signature header is redacted in the reject file" \
    '"[redacted]"' "$(jq -c '.headers["x-fake-signature"]' "$T/rej")"
FAKE_SECRET= "$F/co-verify-fake" "$T/env" >/dev/null 2>"$T/err"
check_same "without FAKE_SECRET: its variable named, 69" \
    "69 co-verify-fake: $T/env:1: no fake secret: set FAKE_SECRET" \
    "$? $(head -n 1 "$T/err")"

# --- loaded by its own load kind, into the site's own table ---
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "CREATE TABLE fake_events (event_id text PRIMARY KEY, tenant text NOT NULL,
    event text, call_sid text, status text, duration int, outcome text,
    outcome_rule text, spool_file text, raw jsonb NOT NULL)" >/dev/null
"$F/co-load-fake" "$T/ev" >"$T/fates" 2>"$T/err"
check_same "co-load-fake: both inserted, nothing said" "0 inserted inserted" \
    "$? $(jq -r .status "$T/fates" | tr '\n' ' ' | sed 's/ $//')"
check_same "the rows: tenant, call, outcome, raw payload kept" \
    'FK_1 acme C1 busy busy 0
FK_2 acme C2 completed ok 95' \
    "$(q "SELECT event_id, tenant, call_sid, outcome, raw->>'status',
        raw->>'seconds' FROM fake_events ORDER BY 1" | tr '|' ' ')"
"$F/co-load-fake" "$T/ev" >"$T/fates" 2>/dev/null
check_same "loaded again: duplicates, the same rows" \
    "duplicate duplicate 2" \
    "$(jq -r .status "$T/fates" | tr '\n' ' ')$(q 'SELECT count(*) FROM fake_events')"
jq -c 'del(.user_id) | .event_id = "FK_9"' "$T/ev" | head -n 1 >"$T/ev9"
"$F/co-load-fake" "$T/ev9" >"$T/fates" 2>/dev/null
check_same "no tenant: pending, with what it lacks" "pending no tenant" \
    "$(jq -r '"\(.status) \(.reason)"' "$T/fates")"
"$F/co-load-fake" -u globex "$T/ev9" >"$T/fates" 2>/dev/null
check_same "co-load -u names its tenant" "inserted globex" \
    "$(jq -r .status "$T/fates") $(q "SELECT tenant FROM fake_events WHERE event_id = 'FK_9'")"
co-load "$T/ev" >"$T/fates" 2>/dev/null
check_same "stock co-load: not loaded by this version" \
    "65 rejected source fake is not loaded by this version" \
    "$? $(jq -r '"\(.status) \(.reason)"' "$T/fates" | sort -u)"

# --- co-drain-fake: spool to table in one tool ---
q "TRUNCATE fake_events" >/dev/null
"$F/co-drain-fake" -j 1 -A 0 -s "$S" 2>"$T/err"
check_same "co-drain-fake: exit 0, both files done" "0 2 0" \
    "$? $(ls "$S/done" | wc -l) $(ls "$S/new" | wc -l)"
check_same "drained rows equal the pipeline's" \
    'FK_1 acme C1 busy
FK_2 acme C2 completed' \
    "$(q "SELECT event_id, tenant, call_sid, outcome FROM fake_events
        ORDER BY 1" | tr '|' ' ')"

# --- the stock tools know nothing of it ---
co-verify "$T/env" >/dev/null 2>"$T/err"
check_same "stock co-verify: unknown source" \
    "65 co-verify: $T/env:1: unknown source" "$? $(head -n 1 "$T/err")"
co-transform "$T/env" >/dev/null 2>"$T/err"
check_same "stock co-transform: unknown source" \
    "65 co-transform: $T/env:1: unknown source" "$? $(head -n 1 "$T/err")"
b=$(cat "$T/busy.json")
printf 'POST /webhooks/fake HTTP/1.0\r\nX-Fake-Signature: %s\r\nContent-Length: %d\r\n\r\n%s' \
    "$(sign "$T/busy.json")" "${#b}" "$b" >"$T/req"
co-receive -s "$T/spool2" <"$T/req" >"$T/ans" 2>/dev/null
check_same "stock co-receive: no such route" "65 HTTP/1.1 404 Not Found" \
    "$? $(head -n 1 "$T/ans" | tr -d '\r')"

done_testing
