#!/bin/sh
# co-drain as a cron job or timer (issue 11 point 6): silent when there is
# nothing to do, a summary when it did something or with -v, progress on a
# terminal only; the contrib cron.d file has a name cron accepts and keeps
# the exit status; the contrib systemd service is sandboxed.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "INSERT INTO users (id) VALUES ('usr_42')"
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
unset CO_NOW 2>/dev/null
S=$T/spool
C=$TESTDIR/../contrib
F=$TESTDIR/fixtures/livekit

co-drain -s "$S" 2>"$T/err"
check_same "nothing to do: exit 0, not a word" "0 0" "$? $(wc -c <"$T/err")"
co-drain -s "$S" -v 2>"$T/err"
check_same "-v: the summary anyway" \
    "co-drain: 0 files: 0 done, 0 retry, 0 failed; 0 records: 0 inserted, 0 duplicate, 0 pending, 0 rejected" \
    "$(cat "$T/err")"
co-gen envelope -t 1767225601 "$F/in_participant_joined_sip.json" \
    >"$S/new/$(date +%s).000001.1.a"
co-drain -s "$S" 2>"$T/err"
check_same "work done: the summary" 1 "$(grep -c '^co-drain: 1 files: 1 done' "$T/err")"
check "no progress when stderr is not a terminal" \
    test "$(grep -c 'records/s' "$T/err")" -eq 0
if command -v script >/dev/null; then
	co-gen envelope -t 1767225602 "$F/in_participant_left_sip.json" \
	    >"$S/new/$(date +%s).000002.1.b"
	script -qec "co-drain -s '$S'" /dev/null >"$T/tty" 2>&1
	check "progress on a terminal" grep -q "1 files, [0-9]* records/s" "$T/tty"
else
	ok "# SKIP no script(1)"
fi

# The cron.d file: a name cron reads, and the job's status is co-drain's.
names=$(ls "$C/cron.d")
check "cron.d file names have no dot (run-parts rule)" \
    test -z "$(ls "$C/cron.d" | grep -v '^[A-Za-z0-9_-]*$')"
echo "PGHOST=$PGHOST" >"$T/drain.env"
# A syslog socket of our own, for logger -u.
socat -u UNIX-RECV:"$T/log.sock" OPEN:"$T/syslog",creat,append &
sl=$!
stop_syslog() { kill $sl; }
at_exit stop_syslog
i=0
while [ ! -S "$T/log.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sed -n 's/^[*] [*] [*] [*] [*]	[a-z]*	//p' "$C/cron.d/call-outcomes" |
    sed "s|/etc/call-outcomes/drain.env|$T/drain.env|;
    s|/usr/local/bin/co-drain|co-drain|; s|/var/spool/call-outcomes|$S|;
    s|logger|logger -u $T/log.sock|g" >"$T/job"
check_same "the cron.d file holds one job" 1 "$(wc -l <"$T/job")"
bash "$T/job"
check_same "the job exits 0 when the drain does" 0 "$?"
chmod g+w "$S/new"
bash "$T/job"
check_same "the job's status is the drain's, through the pipe to logger" 78 "$?"
sleep 0.2
check "its message and its exit status reached syslog" grep -q \
    "co-drain: exit status 78" "$T/syslog"
check "the drain's own line too" grep -q "writable by group or others" \
    "$T/syslog"
chmod g-w "$S/new"

# The shipped units, hardened (issue 11.6): exposure 4.0 or less each.
for u in co-drain.service co-receive@.service co-serve@.service; do
	if systemd-analyze security --offline=true "$C/systemd/$u" \
	    >"$T/sec" 2>&1; then
		e=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/sec")
		check "$u exposure $e <= 4.0" \
		    awk -v e="$e" 'BEGIN { exit !(e != "" && e <= 4.0) }'
	else
		ok "# SKIP systemd-analyze security --offline not available"
	fi
done
check "the timer starts the service" grep -q '^OnUnitActiveSec=' \
    "$C/systemd/co-drain.timer"
done_testing
