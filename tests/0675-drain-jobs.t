#!/bin/sh
# co-drain -j's default (issue 13.4): the cores this process may use, less
# one when PostgreSQL is on this machine (unix socket, localhost,
# loopback), else all of them; at least one.  Each job that cannot connect
# says so once, so the lines count the jobs.
. "$(dirname "$0")/lib.sh"
S=$T/spool
mkdir -p "$S"
n=$(nproc)
left=$((n > 1 ? n - 1 : 1))
export PGCONNECT_TIMEOUT=2
unset PGHOST PGHOSTADDR PGSERVICE DATABASE_URL PGDATABASE 2>/dev/null
# jobs ARGS...: how many jobs the real co-drain ran (one error each;
# counted as words, since concurrent jobs' lines may interleave).
jobs() {
	"$CO_DRAIN" -s "$S" "$@" 2>"$T/err"
	grep -o 'connection to server' "$T/err" | wc -l
}
check_same "libpq's default (a unix socket): cores less one" "$left" \
    "$(jobs -d 'host=/nonexistent')"
check_same "no host at all: a unix socket too" "$left" "$(jobs)"
check_same "localhost: cores less one" "$left" \
    "$(jobs -d 'host=localhost port=1')"
check_same "127.0.0.1 in a URI: cores less one" "$left" \
    "$(jobs -d 'postgresql://127.0.0.1:1/co')"
check_same "hostaddr ::1: cores less one" "$left" \
    "$(jobs -d 'hostaddr=::1 port=1')"
check_same "another machine: every core" "$n" \
    "$(jobs -d 'hostaddr=192.0.2.1 port=1')"
check_same "PGHOST names another machine: every core" "$n" \
    "$(PGHOST=192.0.2.1 PGPORT=1 jobs)"
check_same "PGHOST a socket directory: cores less one" "$left" \
    "$(PGHOST=/nonexistent jobs)"
check_same "DATABASE_URL of another machine: every core" "$n" \
    "$(DATABASE_URL=postgresql://192.0.2.1:1/co jobs)"
check_same "-j 1 wins" 1 "$(jobs -j 1 -d 'hostaddr=192.0.2.1 port=1')"
if command -v taskset >/dev/null; then
	check_same "one core allowed (taskset): one job, local or not" "1 1" \
	    "$(taskset -c 0 "$CO_DRAIN" -s "$S" -d 'hostaddr=192.0.2.1 port=1' \
	    2>&1 | grep -o 'connection to server' | wc -l) $(taskset -c 0 \
	    "$CO_DRAIN" -s "$S" 2>&1 | grep -o 'connection to server' | wc -l)"
else
	ok "# SKIP no taskset"
fi

# A real drain with the default loads everything, each file once.
drain_setup
rm -rf "$S"
co-gen calls -c 20 "$S" >/dev/null
total=$(ls "$S/new" | wc -l)
uniq=$(cat "$S"/new/* | jq -r .body | jq -r .id | sort -u | wc -l)
"$CO_DRAIN" -s "$S" 2>"$T/err"
check_same "the default drains: exit 0" 0 "$?"
check_same "one summary per job" "$left" "$(grep -c '^co-drain: .* files' "$T/err")"
check_same "their files add up to all" "$total" "$(sed -n \
    's/^co-drain: \([0-9]*\) files.*/\1/p' "$T/err" |
    awk '{ s += $1 } END { print s }')"
check_same "each event loaded once" "$uniq" \
    "$(q 'SELECT count(*) FROM livekit_call_events')"
done_testing
