#!/bin/sh
# co-migrate: up, status, down [n] with rows present, up again; a failing
# migration is rolled back whole; one runner at a time.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
n=$(ls "$CO_MIGRATIONS"/*.up.sql | wc -l)
co-migrate up >"$T/out"
check_same "up applies every migration" "$n" "$(grep -c '^applied ' "$T/out")"
check_same "status: all applied" "$n" "$(co-migrate status | grep -c '^applied ')"
co-migrate up >"$T/out"
check_same "up again does nothing" "" "$(cat "$T/out")"
q "INSERT INTO users (id) VALUES ('acme');
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\")
   VALUES ('c1', 'acme', 'r1')"
check_same "a row to revert with" 1 "$(q 'SELECT count(*) FROM call_logs')"
co-migrate down "$n" >"$T/out"
check_same "down $n reverts all, newest first, with rows present" \
    "$(ls "$CO_MIGRATIONS"/*.up.sql | sort -r | sed 's|.*/||; s|\.up\.sql$||; s|^|reverted |')" \
    "$(cat "$T/out")"
check_same "no table left but schema_migrations" "schema_migrations" \
    "$(q "SELECT string_agg(tablename, ' ') FROM pg_tables WHERE schemaname = 'public'")"
co-migrate up >/dev/null
check_same "up again from nothing" "$n" "$(q 'SELECT count(*) FROM schema_migrations')"

# A broken migration: rolled back whole, recorded nowhere, exit 65.
mkdir "$T/m"
cp "$CO_MIGRATIONS"/* "$T/m/"
printf 'CREATE TABLE half (x int);\nSELECT nosuch;\n' >"$T/m/999_broken.up.sql"
printf 'DROP TABLE half;\n' >"$T/m/999_broken.down.sql"
co-migrate -m "$T/m" up >"$T/out" 2>"$T/err"
check_same "broken migration exits 65" 65 "$?"
check "its error is named" grep -q "999_broken: up failed, rolled back" "$T/err"
check_same "nothing of it stayed" "f 0" \
    "$(q "SELECT to_regclass('half') IS NOT NULL") $(q 'SELECT count(*) FROM schema_migrations WHERE version = 999')"

# One runner at a time: a second co-migrate waits for the first's lock.
psql -X -q -o /dev/null -c "SELECT pg_advisory_lock(7305524121)" -c "SELECT pg_sleep(2)" &
sleep 0.5
start=$(date +%s)
co-migrate status >/dev/null
waited=$(($(date +%s) - start))
wait
check "a second runner waited for the first" test "$waited" -ge 1

t_run 64 'co-migrate down x' '' ''
done_testing
