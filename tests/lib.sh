# tests/lib.sh - TAP helpers and a private PostgreSQL cluster for the tests.
# Source it from a tests/NNNN-name.t POSIX sh script.  Each test runs in
# its own temporary directory $T, removed on exit with anything it started.

set -u
TESTDIR=$(cd "$(dirname "$0")" && pwd)
VECTORS=$TESTDIR/vectors
T=$(mktemp -d "${TMPDIR:-/tmp}/co-test.XXXXXX")
chmod 755 "$T"
_n=0
_failed=0
_cleanups=

cleanup() {
	for c in $_cleanups; do
		$c >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

at_exit() { _cleanups="$1 $_cleanups"; }

plan() { echo "1..$1"; }
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

# check DESC CMD...: pass when CMD succeeds.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}

# check_same DESC EXPECTED GOT
check_same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected:" "$2" "got:" "$3"
	fi
}

# t_run EXIT 'CMD ARGS' STDIN EXPECTED_STDOUT: one table row; the command
# runs through sh -c so ARGS may quote; stderr goes to $T/err.
t_run() {
	_want=$1 _cmd=$2 _in=$3 _exp=$4
	_got=$(printf '%s' "$_in" | sh -c "$_cmd" 2>"$T/err")
	_rc=$?
	if [ "$_rc" -eq "$_want" ] && [ "$_got" = "$_exp" ]; then
		ok "$_cmd exits $_want"
	else
		not_ok "$_cmd exits $_want"
		diag "exit $_rc, stdout:" "$_got" "stderr:" "$(cat "$T/err")"
	fi
}

# A private cluster on a unix socket under $T, as a non-root user.
pg_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PGBIN=$(pg_bindir)
	PGROOT=$T/pg
	mkdir -p "$PGROOT"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PGROOT"
	_as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U co --auth=trust -E UTF8 \
	    --locale=C --no-sync >"$T/initdb.log" 2>&1 ||
	    { cat "$T/initdb.log" >&2; return 1; }
	pg_up || return 1
	export PGHOST="$PGROOT" PGUSER=co PGDATABASE=co PGPORT=5432
	unset DATABASE_URL PGSERVICE PGPASSWORD 2>/dev/null
	"$PGBIN/createdb" co || return 1
	at_exit pg_stop
}

pg_up() {
	_as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w \
	    -o "-k $PGROOT -c listen_addresses= -c fsync=off -c port=5432" \
	    start >/dev/null
}

pg_stop() {
	_as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop \
	    >/dev/null 2>&1
}

# above V: how many applied migrations are newer than V, for
# `co-migrate down $(above V)` to roll back to V whatever came after it.
above() { q "SELECT count(*) FROM schema_migrations WHERE version > $1"; }

# psql returning bare values.
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# co-drain's -j default follows the machine's cores (co-drain(1)): the
# tests run one job unless they ask for more (a later -j wins), so their
# output is the same on any machine.  CO_DRAIN is the real one.
if CO_DRAIN=$(command -v co-drain); then
	mkdir -p "$T/j1bin"
	printf '#!/bin/sh\nexec %s -j 1 "$@"\n' "$CO_DRAIN" >"$T/j1bin/co-drain"
	chmod 755 "$T/j1bin/co-drain"
	PATH=$T/j1bin:$PATH
fi

# keep_done: co-drain keeps done/ (-A 0) in this test, which looks at the
# files there; tests/0650-drain-archive.t covers the archives.
keep_done() {
	mkdir -p "$T/keepbin"
	printf '#!/bin/sh\nexec %s -A 0 "$@"\n' "$(command -v co-drain)" \
	    >"$T/keepbin/co-drain"
	chmod 755 "$T/keepbin/co-drain"
	PATH=$T/keepbin:$PATH
}

# socat_serve NAME ADDR [ENV=VALUE...]: socat forking per connection on a
# free loopback port into the socat address ADDR (e.g. EXEC:"co-receive
# -s DIR"), with ENV added to its environment; its log is $T/NAME.log.
# Sets PORT; the listener is killed at exit.
SOCATS=
_stop_socats() { for _s in $SOCATS; do kill "$_s" 2>/dev/null; done; }
socat_serve() {
	_name=$1 _addr=$2
	shift 2
	[ -n "$SOCATS" ] || at_exit _stop_socats
	_p=$((20000 + ($$ * 13 + ${#SOCATS} * 7) % 40000))
	: >"$T/$_name.log"
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		env "$@" socat -d -d \
		    TCP-LISTEN:$_p,bind=127.0.0.1,reuseaddr,fork \
		    "$_addr" 2>"$T/$_name.log" &
		_pid=$!
		_i=0
		while [ $_i -lt 50 ] && kill -0 $_pid 2>/dev/null &&
		    ! grep -q 'listening on' "$T/$_name.log"; do
			sleep 0.1
			_i=$((_i + 1))
		done
		if kill -0 $_pid 2>/dev/null &&
		    grep -q 'listening on' "$T/$_name.log"; then
			SOCATS="$SOCATS $_pid"
			PORT=$_p
			return 0
		fi
		kill $_pid 2>/dev/null
		_p=$((_p + 1))
	done
	echo "Bail out! no free port for socat"
	exit 1
}

# drain_setup: a cluster migrated up with 50 tenants (tenant-00..49), the
# vectors' LiveKit key, no fixed clock, and S, the spool's path.
drain_setup() {
	pg_start || exit 1
	co-migrate up >/dev/null || exit 1
	q "INSERT INTO users (id) SELECT 'tenant-' || lpad(i::text, 2, '0')
	   FROM generate_series(0, 49) i" >/dev/null
	export LIVEKIT_API_KEY=APIvecTest01
	export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
	unset CO_NOW 2>/dev/null
	S=$T/spool
}

# drain_ref N: a reference spool REF of N generated calls, plus a file
# that fails (not JSON) and one that waits (its user is unknown); sets now.
drain_ref() {
	REF=$T/ref
	co-gen calls -c "$1" "$REF" >/dev/null
	now=$(date +%s)
	echo '{"v":1, "source":"livekit", "body":' >"$REF/new/$now.000001.1.bad"
	sed 's/usr_42/usr_none/' "$TESTDIR/fixtures/livekit/out_room_finished.json" \
	    >"$T/pend.json"
	co-gen envelope -t 1767225607 "$T/pend.json" \
	    >"$REF/new/$now.000002.1.pend"
}
