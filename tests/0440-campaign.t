#!/bin/sh
# campaign_calls (migration 006) kept in step with the calls of a campaign
# by co-load, in the same transaction: one row a call with its status,
# outcome, number and times, attempts per number, a row made beforehand
# for a number taken by its first call; the same rows whatever the order
# of the events or the number of drains; an existing table adopted.
. "$(dirname "$0")/lib.sh"
keep_done
pg_start || exit 1
co-migrate up >/dev/null || exit 1
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
q "INSERT INTO users (id) SELECT 'tenant-0' || i FROM generate_series(0, 2) i"
CO_NOW=1767225600 co-gen calls -c 40 -T 3 "$T/spool" >/dev/null
cp -rp "$T/spool" "$T/spool2"
# Two calls of camp-1 to one number, and a row the campaign made for a
# number before calling it.
set -- $(for f in "$T"/spool/new/*; do jq -r .body "$f"; done |
    jq -r 'select(.event == "room_started") | .room
    | (.metadata | fromjson) as $m | "\($m.userId) \($m.campaignId) +\(.name
    | ltrimstr("sip-") | split("__")[0])"' | head -n 1)
q "INSERT INTO campaign_calls (id, \"userId\", \"campaignId\", \"phoneNumber\",
   status) VALUES ('pre-1', '$1', '$2', '$3', 'pending'),
   ('pre-2', '$1', '$2', '+19995550000', 'pending')"
co-drain -s "$T/spool" -b 7 2>/dev/null
mirror() {
	q "SELECT count(*) FROM call_logs c LEFT JOIN campaign_calls k
	    ON k.\"callLogId\" = c.id WHERE c.\"campaignId\" IS NOT NULL
	    AND (k.id IS NULL OR (k.\"userId\", k.\"campaignId\",
	    k.\"phoneNumber\", k.status, k.outcome, k.\"startedAt\",
	    k.\"endedAt\") IS DISTINCT FROM (c.\"userId\", c.\"campaignId\",
	    c.\"phoneNumber\", c.status, c.outcome, c.\"startedAt\",
	    c.\"endedAt\"))"
}
rows() {
	q "SELECT k.\"userId\", k.\"campaignId\", c.\"livekitRoomSid\",
	    k.\"phoneNumber\", k.status, k.outcome, k.attempts, k.\"startedAt\",
	    k.\"endedAt\" FROM campaign_calls k JOIN call_logs c
	    ON c.id = k.\"callLogId\" ORDER BY 3"
}
check "some calls have a campaign" test \
    "$(q 'SELECT count(*) FROM call_logs WHERE "campaignId" IS NOT NULL')" -gt 10
check_same "every campaign call has its row, in step with the call" 0 "$(mirror)"
check_same "one row a call" 0 \
    "$(q 'SELECT count(*) FROM (SELECT "callLogId" FROM campaign_calls
    WHERE "callLogId" IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x')"
check_same "attempts: the campaign's calls to the number" 0 \
    "$(q 'SELECT count(*) FROM campaign_calls k WHERE "callLogId" IS NOT NULL
    AND attempts <> (SELECT count(*) FROM call_logs c
    WHERE c."userId" = k."userId" AND c."campaignId" = k."campaignId"
    AND c."phoneNumber" = k."phoneNumber")')"
check_same "the row made beforehand was taken by its number's call" \
    "$1 $2 $3 ended" "$(q "SELECT k.\"userId\", k.\"campaignId\",
    k.\"phoneNumber\", k.status FROM campaign_calls k JOIN call_logs c
    ON c.id = k.\"callLogId\" WHERE k.id = 'pre-1'" | tr '|' ' ')"
check_same "one for a number not called waits" "t pending" \
    "$(q "SELECT \"callLogId\" IS NULL, status FROM campaign_calls
    WHERE id = 'pre-2'" | tr '|' ' ')"
# The campaign calls that number again: both its rows count 2 attempts.
jq -n --arg u "$1" --arg c "$2" --arg p "${3#+}" '{id: "EV_again",
    event: "room_started", createdAt: "1767139999", room: {sid: "RM_again",
    name: "sip-\($p)__1767139999__y", creationTime: "1767139999",
    metadata: ({userId: $u, campaignId: $c} | tojson)}}' >"$T/again"
co-gen envelope -t 1767225999 "$T/again" | co-verify | co-transform |
    co-classify | co-load >/dev/null 2>&1
check_same "a second call to the number: attempts 2 on both rows" "2 2" \
    "$(q "SELECT string_agg(attempts::text, ' ') FROM campaign_calls
    WHERE \"phoneNumber\" = '$3' AND \"callLogId\" IS NOT NULL")"
check_same "the new call's row is active" "active" \
    "$(q "SELECT k.status FROM campaign_calls k JOIN call_logs c
    ON c.id = k.\"callLogId\" WHERE c.\"livekitRoomSid\" = 'RM_again'")"
co-gen envelope -t 1767225999 "$T/again" >"$T/spool2/new/1767225999.000001.1.1.test"
one=$(rows)
before=$(q 'SELECT max("updatedAt") FROM campaign_calls')
cp -p "$T/spool"/done/* "$T/spool/new/"
co-drain -s "$T/spool" 2>/dev/null
check_same "redelivery changes nothing" "$before" \
    "$(q 'SELECT max("updatedAt") FROM campaign_calls')"
# Another order and three drains at once: the same rows.
q "TRUNCATE call_logs CASCADE; DELETE FROM campaign_calls;
   INSERT INTO campaign_calls (id, \"userId\", \"campaignId\", \"phoneNumber\",
   status) VALUES ('pre-1', '$1', '$2', '$3', 'pending')"
mkdir "$T/hold"
find "$T/spool2/new" -type f | sort | head -n 80 | xargs mv -t "$T/hold"
co-drain -s "$T/spool2" -j 3 -b 5 2>/dev/null
mv "$T"/hold/* "$T/spool2/new/"
co-drain -s "$T/spool2" -j 3 -b 5 2>/dev/null
co-drain -s "$T/spool2" -R 0 2>/dev/null
check_same "another order, three drains: the same campaign rows" "$one" "$(rows)"
check_same "and in step" 0 "$(mirror)"

# An existing campaign_calls (the application's) is adopted: its columns
# and rows stay; down removes only what up added.
createdb adopt
PGDATABASE=adopt psql -X -q -v ON_ERROR_STOP=1 -f "$TESTDIR/fixtures/seed-schema.sql" >/dev/null 2>&1
PGDATABASE=adopt q "CREATE TABLE campaign_calls (id VARCHAR(36) PRIMARY KEY,
    \"userId\" VARCHAR(36) NOT NULL REFERENCES users(id), \"campaignId\"
    VARCHAR(36) NOT NULL, \"phoneNumber\" VARCHAR(20), status VARCHAR(50),
    outcome VARCHAR(50), attempts INTEGER DEFAULT 0 NOT NULL, notes TEXT,
    \"createdAt\" TIMESTAMP DEFAULT NOW() NOT NULL);
    INSERT INTO users (id) VALUES ('u1');
    INSERT INTO campaign_calls (id, \"userId\", \"campaignId\", \"phoneNumber\",
    status, attempts, notes) VALUES ('cc-1', 'u1', 'spring', '+15550001111',
    'pending', 0, 'call after 5')"
cols() { PGDATABASE=adopt q "SELECT string_agg(column_name, ' ' ORDER BY
    ordinal_position) FROM information_schema.columns
    WHERE table_name = 'campaign_calls'"; }
b=$(cols)
PGDATABASE=adopt co-migrate up >/dev/null 2>"$T/err"
check_same "up adopts an existing campaign_calls" "" "$(cat "$T/err")"
check_same "its columns first, ours added" \
    "$b callLogId startedAt endedAt updatedAt" "$(cols)"
check_same "its row kept" "cc-1|spring|pending|call after 5" \
    "$(PGDATABASE=adopt q "SELECT id, \"campaignId\", status, notes FROM campaign_calls")"
PGDATABASE=adopt co-migrate down "$(ls "$CO_MIGRATIONS"/*.up.sql | wc -l)" \
    >/dev/null 2>&1
check_same "down: its own columns and row, nothing of ours" \
    "$b|cc-1" "$(cols)|$(PGDATABASE=adopt q 'SELECT id FROM campaign_calls')"
done_testing
