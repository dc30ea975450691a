#!/bin/sh
# Connecting: a configuration error (no password, bad conninfo option or
# value, unknown service) exits 78, credentials the server refuses 69, a
# server that is not there 75 (SPEC section 2).  One line on stderr each.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
q "CREATE ROLE pw LOGIN PASSWORD 'right'; GRANT CREATE ON SCHEMA public TO pw" >/dev/null
hba=$PGROOT/data/pg_hba.conf
printf 'local all pw scram-sha-256\nlocal all all trust\n' >"$hba"
_as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" reload >/dev/null
sleep 0.3
export PGPASSFILE=$T/nopass PGSERVICEFILE=$T/services
: >"$PGSERVICEFILE"

# conn RC DESC ENV... -- ARGS: co-query and co-migrate both.
conn() {
	_rc=$1 _d=$2
	shift 2
	for _tool in "co-query -u acme stats" "co-migrate status"; do
		env "$@" $_tool >/dev/null 2>"$T/err"
		check_same "${_tool%% *}: $_d exits $_rc" "$_rc" "$?"
		check_same "${_tool%% *}: $_d: one line" 1 "$(wc -l <"$T/err")"
	done
}
conn 78 "no password" PGUSER=pw
conn 69 "wrong password" PGUSER=pw PGPASSWORD=wrong
conn 78 "unknown service" PGSERVICE=nosuch
conn 78 "no service file" PGSERVICE=nosuch PGSERVICEFILE=$T/none
conn 78 "bad sslmode" PGSSLMODE=sideways
co-query -d "dbname=co frobnicate=1" -u acme stats 2>"$T/err"
check_same "co-query: bad conninfo option exits 78" 78 "$?"
check "co-query: names the option" grep -q frobnicate "$T/err"
co-migrate -d "postgresql://%zz" status 2>"$T/err"
check_same "co-migrate: bad URI exits 78" 78 "$?"
PGUSER=pw PGPASSWORD=right co-migrate status >/dev/null 2>"$T/err"
check_same "the right password connects" 0 "$?"
# An unmigrated database: one line, with the hint.
co-query -u acme stats >/dev/null 2>"$T/err"
check_same "unmigrated: exits 69" 69 "$?"
check_same "unmigrated: one line" 1 "$(wc -l <"$T/err")"
check "unmigrated: the hint" grep -q '^co-query: ERROR: .*(is the database migrated? run co-migrate up)$' "$T/err"
pg_stop
conn 75 "server down" PGUSER=co
done_testing
