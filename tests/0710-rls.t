#!/bin/sh
# Tenant isolation by the database itself (migration 002): a login role of
# co_analyst running hand-written SQL sees only the tenant named by
# co.tenant, and nothing without one; a login role of co_loader loads every
# tenant through co-drain; a table owner that is not a superuser is held by
# the policies too (FORCE) and still loads while it is a member of
# co_loader; co-query never shows another tenant's call; down and up again.
# Since migration 005 a login reads only the tenants tenant_members gives
# it (tests/0720-tenant-acl.t); ana is given the three tenants here.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "CREATE ROLE ana LOGIN IN ROLE co_analyst;
   CREATE ROLE ldr LOGIN IN ROLE co_loader;
   CREATE ROLE nobody LOGIN;
   INSERT INTO tenant_members (login, tenant) VALUES ('ana', 'tenant-00'),
   ('ana', 'tenant-01'), ('ana', 'tenant-02');
   INSERT INTO users (id) VALUES ('tenant-00'), ('tenant-01'), ('tenant-02');
   INSERT INTO agent_configs (id, \"userId\") VALUES ('ag-0', 'tenant-00'),
   ('ag-1', 'tenant-01'), ('ag-2', 'tenant-02')"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
CO_NOW=1767225600 co-gen calls -c 30 -T 3 -d 0.2 "$T/spool" >/dev/null

# A member of co_loader (not a superuser) writes across tenants.
PGUSER=ldr co-drain -s "$T/spool" 2>"$T/err"
check_same "co-drain as a co_loader member exits 0" 0 "$?"
check_same "every tenant loaded" "tenant-00|10|50 tenant-01|10|50 tenant-02|10|50" \
    "$(q 'SELECT c."userId", count(DISTINCT c.id), count(*) FROM call_logs c
    JOIN livekit_call_events e ON e."callLogId" = c.id GROUP BY 1 ORDER BY 1' |
    tr '\n' ' ' | sed 's/ $//')"
check_same "the loader sees every tenant" 30 \
    "$(PGUSER=ldr q 'SELECT count(*) FROM call_logs')"

# ana: one psql session per call; set TENANT first when given.
as() {
	_who=$1 _t=$2
	shift 2
	PGUSER=$_who PGOPTIONS="-c client_min_messages=warning" \
	    psql -X -q -A -t -v ON_ERROR_STOP=1 \
	    -c "SELECT set_config('co.tenant', '$_t', false)" -c "$1" | sed 1d
}
b_call=$(q "SELECT id FROM call_logs WHERE \"userId\" = 'tenant-01' LIMIT 1")
a_call=$(q "SELECT id FROM call_logs WHERE \"userId\" = 'tenant-00' LIMIT 1")
a_sid=$(q "SELECT \"livekitRoomSid\" FROM call_logs WHERE id = '$a_call'")

for sql in 'SELECT count(*) FROM call_logs' \
    'SELECT count(*) FROM livekit_call_events' \
    'SELECT count(*) FROM users' 'SELECT count(*) FROM agent_configs' \
    'SELECT count(*) FROM call_logs c JOIN livekit_call_events e ON e."callLogId" = c.id'; do
	check_same "no tenant set: $sql" 0 \
	    "$(PGUSER=ana q "$sql")"
	check_same "empty tenant: $sql" 0 "$(as ana '' "$sql")"
done
check_same "tenant-00: SELECT * FROM call_logs" \
    "$(q "SELECT * FROM call_logs WHERE \"userId\" = 'tenant-00' ORDER BY id")" \
    "$(as ana tenant-00 'SELECT * FROM call_logs ORDER BY id')"
check_same "tenant-00: COUNT(*) of calls and events" "10 50" \
    "$(as ana tenant-00 "SELECT (SELECT count(*) FROM call_logs) || ' ' ||
    (SELECT count(*) FROM livekit_call_events)")"
check_same "tenant-00: a join sees only its events" "50 tenant-00" \
    "$(as ana tenant-00 "SELECT count(*) || ' ' || string_agg(DISTINCT e.\"userId\", ',')
    FROM call_logs c JOIN livekit_call_events e ON e.\"callLogId\" = c.id")"
check_same "tenant-00: a right join of every event finds no other tenant's" \
    "50 50" "$(as ana tenant-00 "SELECT count(*) || ' ' || count(c.id)
    FROM call_logs c RIGHT JOIN livekit_call_events e ON e.\"callLogId\" = c.id")"
check_same "tenant-00: asking for tenant-01 by name finds nothing" "0 0" \
    "$(as ana tenant-00 "SELECT (SELECT count(*) FROM call_logs WHERE
    \"userId\" = 'tenant-01') || ' ' || (SELECT count(*) FROM call_logs
    WHERE id = '$b_call')")"
check_same "tenant-00: users and agent_configs" "tenant-00 ag-0" \
    "$(as ana tenant-00 "SELECT (SELECT string_agg(id, ',') FROM users) || ' ' ||
    (SELECT string_agg(id, ',') FROM agent_configs)")"
check_same "tenant-00: grouping by tenant shows one" "tenant-00|10" \
    "$(as ana tenant-00 'SELECT "userId", count(*) FROM call_logs GROUP BY 1')"
check_same "set for one transaction, gone after it" "10 0" \
    "$(PGUSER=ana psql -X -q -A -t -v ON_ERROR_STOP=1 -c "BEGIN" \
    -c "SELECT set_config('co.tenant', 'tenant-00', true)" \
    -c "SELECT count(*) FROM call_logs" -c "COMMIT" \
    -c "SELECT count(*) FROM call_logs" | sed 1d | tr '\n' ' ' | sed 's/ $//')"

# Analysts read only; a role outside both groups reads nothing at all.
for sql in "INSERT INTO users (id) VALUES ('tenant-00x')" \
    "UPDATE call_logs SET outcome = 'busy'" "DELETE FROM livekit_call_events"; do
	as ana tenant-00 "$sql" >/dev/null 2>"$T/err"
	check "analyst may not: $sql" grep -q 'permission denied' "$T/err"
done
PGUSER=nobody q 'SELECT count(*) FROM call_logs' >/dev/null 2>"$T/err"
check "a role in neither group: permission denied" \
    grep -q 'permission denied' "$T/err"

# co-query as the analyst.
t_run 1 "PGUSER=ana co-query outcome $a_call -u tenant-01" '' ''
check_same "another tenant's call id: not found" "co-query: $a_call: not found" \
    "$(cat "$T/err")"
t_run 1 "PGUSER=ana co-query outcome $a_sid -u tenant-01" '' ''
t_run 1 "PGUSER=ana co-query events $a_call -u tenant-02" '' ''
check_same "its own tenant finds it" "$a_call" \
    "$(PGUSER=ana co-query outcome "$a_sid" -u tenant-00 -o ndjson | jq -r .id)"
check_same "calls lists only the tenant's" "tenant-01|10" \
    "$(PGUSER=ana co-query calls -u tenant-01 -o ndjson | jq -r .userId | uniq -c |
    awk '{ print $2 "|" $1 }')"
check_same "a tenant with no calls: exit 1" 1 \
    "$(PGUSER=ana co-query calls -u tenant-99 >/dev/null 2>&1; echo $?)"

# An owner that is not a superuser: its own database, its own migration.
q "CREATE ROLE own LOGIN CREATEROLE"
q "CREATE DATABASE ownd OWNER own"
export PGDATABASE=ownd
PGUSER=own co-migrate up >"$T/out" 2>"$T/err"
check_same "co-migrate up as a plain owner (roles already there)" 0 "$?"
check_same "the owner was made a member of co_loader" t \
    "$(q "SELECT pg_has_role('own', 'co_loader', 'MEMBER')")"
check_same "the tables are the owner's, row security forced" \
    "own|t|t own|t|t own|t|t own|t|t" \
    "$(q "SELECT relowner::regrole, relrowsecurity, relforcerowsecurity
    FROM pg_class WHERE relname IN ('users', 'agent_configs', 'call_logs',
    'livekit_call_events') ORDER BY relname" | tr '\n' ' ' | sed 's/ $//')"
PGUSER=own q "INSERT INTO users (id) VALUES ('tenant-00'), ('tenant-01'), ('tenant-02')"
rm -rf "$T/spool"
CO_NOW=1767225600 co-gen calls -c 30 -T 3 -d 0 "$T/spool" >/dev/null
PGUSER=own co-drain -s "$T/spool" 2>"$T/err"
check_same "co-drain as the owner exits 0" 0 "$?"
check_same "the owner loaded every tenant" 30 "$(q 'SELECT count(*) FROM call_logs')"
q "REVOKE co_loader FROM own"
check_same "FORCE: the owner outside co_loader sees nothing" 0 \
    "$(PGUSER=own q 'SELECT count(*) FROM call_logs')"
check_same "FORCE: ... nor a tenant it names before it gives itself one" 0 \
    "$(as own tenant-02 'SELECT count(*) FROM call_logs')"
PGUSER=own q "INSERT INTO tenant_members (login, tenant) VALUES ('own', 'tenant-02')"
check_same "FORCE: ... and with a tenant, that tenant only" "tenant-02|10" \
    "$(as own tenant-02 'SELECT "userId", count(*) FROM call_logs GROUP BY 1')"
PGUSER=own co-migrate down "$(above 1)" >/dev/null 2>"$T/err"
check_same "co-migrate down "$(above 1)" (005, 004, 003, 002) as the owner" 0 "$?"
check_same "down: no policies, no row security" "0 false" \
    "$(q "SELECT (SELECT count(*) FROM pg_policy) || ' ' || bool_or(relrowsecurity)
    FROM pg_class WHERE relname IN ('users', 'call_logs')")"
check_same "down: the owner sees its rows again" 30 \
    "$(PGUSER=own q 'SELECT count(*) FROM call_logs')"
check_same "down: the roles stay" 2 \
    "$(q "SELECT count(*) FROM pg_roles WHERE rolname IN ('co_analyst', 'co_loader')")"
PGUSER=own co-migrate up >/dev/null 2>"$T/err"
check_same "up again as the owner" 0 "$?"
check_same "up again: the owner is a loader again and sees all" 30 \
    "$(PGUSER=own q 'SELECT count(*) FROM call_logs')"

# Down and up in the first database, as the superuser; the analyst loses
# and regains its grants, the roles and their members stay.
export PGDATABASE=co
co-migrate down "$(above 1)" >/dev/null
check_same "down: 002's indexes gone, 001's outcome index back" \
    "call_logs_userId_outcome_idx" \
    "$(q "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes
    WHERE tablename = 'call_logs' AND indexname LIKE 'call_logs_userId_%'
    AND indexname <> 'call_logs_userId_startedAt_idx'")"
PGUSER=ana q 'SELECT count(*) FROM call_logs' >/dev/null 2>"$T/err"
check "down: the analyst's grant is gone" grep -q 'permission denied' "$T/err"
check_same "down: ana is still a member" t \
    "$(q "SELECT pg_has_role('ana', 'co_analyst', 'MEMBER')")"
co-migrate up >/dev/null
q "INSERT INTO tenant_members (login, tenant) VALUES ('ana', 'tenant-01')"
check_same "up again: isolation again" "0 10" \
    "$(PGUSER=ana q 'SELECT count(*) FROM call_logs') $(as ana tenant-01 'SELECT count(*) FROM call_logs')"
done_testing
