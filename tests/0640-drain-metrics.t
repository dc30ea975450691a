#!/bin/sh
# co-drain --metrics FILE (issue 11 point 7): a Prometheus textfile,
# written whole, parsed by the Prometheus client's own text parser
# (Debian's python3-prometheus-client): backlog and oldest age per spool
# directory, pending files and their age, the last run's files, records
# by fate, events by provider, duration, throughput, exit status.
. "$(dirname "$0")/lib.sh"
keep_done
if ! /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
	echo "1..0 # SKIP python3-prometheus-client is not installed"
	exit 0
fi
drain_setup
M=$T/metrics.prom
co-gen calls -c 20 "$S" >/dev/null
now=$(date +%s)
echo '{"v":1, "source":"livekit", "body":' >"$S/new/$now.000001.1.bad"
sed 's/usr_42/usr_none/' "$TESTDIR/fixtures/livekit/out_room_finished.json" \
    >"$T/pend.json"
co-gen envelope -t 1767225607 "$T/pend.json" >"$S/new/$now.000002.1.pend"
total=$(ls "$S/new" | wc -l)
records=$(cat "$S"/new/* | wc -l)

# metric NAME LABELS: its value as the parser reads it.
metric() {
	/usr/bin/python3 - "$M" "$1" "$2" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
want = dict(kv.split("=") for kv in sys.argv[3].split(",") if kv)
for fam in text_string_to_metric_families(text):
	for s in fam.samples:
		if s.name == sys.argv[2] and s.labels == want:
			v = s.value
			print(int(v) if v == int(v) else v)
			sys.exit(0)
print("missing")
PY
}

co-drain -s "$S" -j 2 --metrics "$M" 2>"$T/err"
check_same "the drain: exit 65" 65 "$?"
check "the textfile parses" /usr/bin/python3 -c "
import sys
from prometheus_client.parser import text_string_to_metric_families
list(text_string_to_metric_families(open('$M').read()))"
check_same "no temporary file left" "" "$(ls "$T" | grep 'metrics.prom.tmp')"
# Two jobs: an event may reach its call before the other job committed
# the call's row, and wait in retry/ too; so retry/ holds one file or more.
nretry=$(ls "$S/retry" | wc -l)
check "the file of no known tenant waits in retry/" test "$nretry" -ge 1
check_same "files by destination, both jobs summed" \
    "$((total - 1 - nretry)) $nretry 1" \
    "$(metric co_drain_last_run_files to=done) $(metric co_drain_last_run_files to=retry) $(metric co_drain_last_run_files to=failed)"
check_same "records by fate add up to the records" "$records" \
    "$(( $(metric co_drain_last_run_records fate=inserted) + $(metric co_drain_last_run_records fate=duplicate) + $(metric co_drain_last_run_records fate=pending) + $(metric co_drain_last_run_records fate=rejected) ))"
check_same "events by provider" "$((records - 1)) 0" \
    "$(metric co_drain_last_run_events source=livekit) $(metric co_drain_last_run_events source=elevenlabs)"
check_same "backlog after the run: new/ empty, the pending, one failed" \
    "0 $nretry 1 $nretry" \
    "$(metric co_drain_spool_files dir=new) $(metric co_drain_spool_files dir=retry) $(metric co_drain_spool_files dir=failed) $(metric co_drain_pending_files '')"
check_same "the run's exit status" 65 "$(metric co_drain_last_run_exit_status '')"
check "a throughput" test "$(metric co_drain_last_run_records_per_second '' |
    cut -d. -f1)" -gt 0

# A backlog: files waiting in new/ with an old receive time.
cp "$S/done/$(ls "$S/done" | head -n 1)" "$S/new/"
touch -d @$((now - 3600)) "$S/new/"*
co-drain -s "$S" -R 100000 -b 1 --metrics "$M" -d "host=/nonexistent" 2>/dev/null
check_same "the database away: the backlog and its age are still reported" \
    "1 1" "$(metric co_drain_spool_files dir=new) $(
    test "$(metric co_drain_spool_oldest_age_seconds dir=new)" -ge 3600 &&
    echo 1)"
done_testing
