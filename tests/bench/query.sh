#!/bin/sh
# tests/bench/query.sh - the co-query figure of `make bench`: ROWS calls
# over 50 tenants of unequal sizes (tenant-k holds a share growing as 2k+1:
# tenant-00 ~0.04 %, tenant-49 ~4 %), written straight into call_logs with
# generate_series, four events for one call in twenty; then, run as a
# login role of co_analyst (row security on), the times of `co-query stats`,
# a filtered `calls` page 1 and page 500, and `events`, and the plans of
# those very statements (auto_explain, ANALYZE and BUFFERS): buffers must
# follow the tenant's rows, not the table's, and page 500 must cost what
# page 1 costs.
# Standalone: its own cluster (tests/lib.sh), co-query and co-migrate from
# PATH.  BENCH_QUERY_ROWS calls (1000000), BENCH_QUERY_RUNS timed runs of
# each command (5), BENCH_DIR where the cluster goes (TMPDIR, /tmp).
set -u
ROWS=${BENCH_QUERY_ROWS:-1000000}
RUNS=${BENCH_QUERY_RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${CO_MIGRATIONS:=$top/migrations}"
export CO_MIGRATIONS
for t in co-query co-migrate psql; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "query: skipped: $t not found"
		exit 0
	fi
done
TMPDIR=${BENCH_DIR:-${TMPDIR:-/tmp}}
export TMPDIR
. "$top/tests/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
LOG=$PGROOT/log

# Two login roles of co_analyst: one for the clock, one whose statements
# auto_explain logs with their actual plans and buffers.
q "CREATE ROLE bench_ana LOGIN IN ROLE co_analyst;
   CREATE ROLE bench_plan LOGIN IN ROLE co_analyst;
   ALTER ROLE bench_plan SET session_preload_libraries = 'auto_explain';
   ALTER ROLE bench_plan SET auto_explain.log_min_duration = 0;
   ALTER ROLE bench_plan SET auto_explain.log_analyze = on;
   ALTER ROLE bench_plan SET auto_explain.log_buffers = on"
# Each may read every tenant, by name (migration 005): the lookup an
# analyst's query pays.
q "INSERT INTO tenant_members (login, tenant)
   SELECT r, 'tenant-' || lpad(t::text, 2, '0')
   FROM unnest(ARRAY['bench_ana', 'bench_plan']) r, generate_series(0, 49) t"

now() { date +%s.%N; }
echo "query: generating $ROWS calls over 50 tenants"
t0=$(now)
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" >/dev/null <<'EOF' || exit 1
SELECT setseed(0.42);
INSERT INTO users (id) SELECT 'tenant-' || lpad(t::text, 2, '0')
	FROM generate_series(0, 49) t;
INSERT INTO agent_configs (id, "userId")
	SELECT 'agent-' || t || '-' || a, 'tenant-' || lpad(t::text, 2, '0')
	FROM generate_series(0, 49) t, generate_series(0, 3) a;
-- Time follows i (rows arrive in time order, tenants interleaved); one
-- call in fifty never started (no startedAt); one in twenty has no
-- outcome yet.
INSERT INTO call_logs (id, "userId", "agentConfigId", "campaignId",
    "livekitRoomName", "livekitRoomSid", direction, "phoneNumber",
    "sipCallId", duration, "startedAt", "endedAt", status, outcome,
    "createdAt", "updatedAt")
SELECT gen_random_uuid()::text, tenant, 'agent-' || t || '-' || (i % 4),
	'camp-' || (i % 9),
	'room-' || i, 'RM_' || i, CASE WHEN i % 3 = 0 THEN 'inbound'
	ELSE 'outbound' END, '+1415' || lpad((i % 1000003)::text, 7, '0'),
	'SCL_' || i, dur, CASE WHEN o IS NOT NULL OR x > 0.02 THEN t0 END,
	CASE WHEN o IS NOT NULL THEN t0 + dur * interval '1 s' END,
	CASE WHEN o IS NULL THEN 'active' ELSE 'ended' END, o, t0, t0
FROM (SELECT i, t, 'tenant-' || lpad(t::text, 2, '0') tenant, x,
	timestamptz '2026-01-01' + (i::float8 / :rows) * interval '180 days'
	    + x * interval '1 hour' t0,
	o, CASE o WHEN 'completed' THEN 10 + (x * 600)::int
	    WHEN 'voicemail' THEN 15 + (x * 45)::int
	    WHEN 'no_answer' THEN 3 + (x * 6)::int
	    WHEN 'busy' THEN (x * 2)::int WHEN 'failed' THEN (x * 2)::int
	    END dur
	FROM (SELECT i, x, least(49, floor(50 * sqrt(y)))::int t,
		CASE WHEN z < 0.55 THEN 'completed' WHEN z < 0.70
		THEN 'no_answer' WHEN z < 0.78 THEN 'busy' WHEN z < 0.85
		THEN 'failed' WHEN z < 0.95 THEN 'voicemail' END o
		FROM (SELECT i, random() x, random() y, random() z
		    FROM generate_series(1, :rows) i) r) s) c;
INSERT INTO livekit_call_events (id, "callLogId", "userId", "eventId",
    event, timestamp, "occurredAt", "roomSid", "roomName", "participantKind",
    duration, outcome, "rawPayload")
SELECT gen_random_uuid()::text, c.id, c."userId",
	'EV_' || c."livekitRoomSid" || '_' || e,
	(ARRAY['room_started', 'participant_joined', 'participant_left',
	    'room_finished'])[e], extract(epoch FROM c."createdAt")::bigint + e,
	c."createdAt" + e * interval '1 s',
	c."livekitRoomSid", c."livekitRoomName",
	CASE WHEN e IN (2, 3) THEN 'SIP' END, CASE WHEN e >= 3
	THEN c.duration END, CASE WHEN e >= 3 THEN c.outcome END,
	jsonb_build_object('event', e, 'room', jsonb_build_object('sid',
	    c."livekitRoomSid", 'name', c."livekitRoomName"))
FROM call_logs c, generate_series(1, 4) e
WHERE substr(c."livekitRoomSid", 4)::bigint % 20 = 0;
-- As autovacuum would in time: statistics and the visibility map.
VACUUM ANALYZE users, agent_configs, call_logs, livekit_call_events;
EOF
t1=$(now)
echo "$t0 $t1" | awk '{ printf "query: generated in %.0f s\n", $2 - $1 }'
q "SELECT 'table call_logs      ' || count(*) || ' rows, ' ||
	pg_relation_size('call_logs') / 8192 || ' heap pages, events ' ||
	(SELECT count(*) FROM livekit_call_events) || ' rows' FROM call_logs"
q "SELECT 'index ' || rpad(relname, 40) || pg_relation_size(oid) / 8192 ||
	' pages' FROM pg_class WHERE relname LIKE 'call_logs_userId%start_idx'
	ORDER BY relname"

# Median wall time of RUNS runs (after one warm-up), in ms; "failed" when
# a run exits with neither 0 nor 1.
timeit() {
	"$@" >/dev/null 2>&1
	: >"$T/times"
	_i=0
	while [ $_i -lt "$RUNS" ]; do
		_a=$(date +%s%N)
		"$@" >/dev/null 2>&1
		_rc=$?
		_b=$(date +%s%N)
		[ $_rc -le 1 ] || { printf failed; return; }
		echo $((_b - _a)) >>"$T/times"
		_i=$((_i + 1))
	done
	sort -n "$T/times" | awk '{ v[NR] = $1 }
	    END { printf "%.1f", v[int((NR + 1) / 2)] / 1e6 }'
}

# The plan blocks auto_explain logged since byte $1, but the session's
# own set_config statements; the query text cut to one short line.
plans() {
	tail -c +$(($1 + 1)) "$LOG" | awk '
	function flush() {
		if (blk != "" && blk !~ /set_config/)
			printf "%s", blk
		blk = ""
	}
	/LOG:  duration: .* plan:$/ {
		flush()
		inb = 1
		sub(/.*duration: /, "")
		sub(/  plan:$/, "")
		blk = "    server time: " $0 "\n"
		next
	}
	/^\t/ && inb {
		sub(/^\t/, "    ")
		if ($0 ~ /Query Text:/ && length($0) > 110)
			$0 = substr($0, 1, 107) "..."
		blk = blk $0 "\n"
		next
	}
	{ flush(); inb = 0 }
	END { flush() }'
}

# Server time of the first plan, in ms.
server() { awk '/server time:/ { printf "%.1f", $3; exit }'; }

# Shared buffers (hit + read) of the first plan's top node.
buffers() {
	awk '/Buffers:/ { n = 0
		if (match($0, /hit=[0-9]+/)) n += substr($0, RSTART + 4, RLENGTH - 4)
		if (match($0, /read=[0-9]+/)) n += substr($0, RSTART + 5, RLENGTH - 5)
		print n; exit }'
}

# explained NAME CMD...: run CMD as bench_plan, keep its plans in $T/NAME.
explained() {
	_name=$1
	shift
	_at=$(stat -c %s "$LOG")
	PGUSER=bench_plan "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	sleep 0.2
	plans "$_at" >"$T/$_name.plan"
}

KEYSQL='CASE WHEN "startedAt" IS NULL THEN "createdAt" ELSE "startedAt" END'
big=tenant-49
per=50
filter='--direction outbound'
match=$(q "SELECT count(*) FROM call_logs WHERE \"userId\" = '$big'
    AND direction = 'outbound'")
page=$((match / per - 1))
[ $page -gt 500 ] && page=500
[ $page -lt 2 ] && page=2
# The cursor of page $page, computed here, not by co-query: the key and id
# of the last row of the page before it.
cursor=$(q "SELECT to_char(($KEYSQL) AT TIME ZONE 'UTC',
    'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '/' || id FROM call_logs
    WHERE \"userId\" = '$big' AND direction = 'outbound'
    ORDER BY $KEYSQL DESC, id DESC OFFSET $(( (page - 1) * per - 1 )) LIMIT 1")
call=$(q "SELECT \"callLogId\" FROM livekit_call_events
    WHERE \"userId\" = '$big' LIMIT 1")

export PGUSER=bench_ana
echo
echo "times (median of $RUNS, ms; each a whole co-query run: connect, query, print)"
for tn in tenant-04 tenant-24 $big; do
	printf '  stats -u %s                          %8s\n' $tn \
	    "$(timeit co-query stats -u $tn -o ndjson)"
done
printf '  stats -u %s --by week,outcome        %8s\n' $big \
    "$(timeit co-query stats -u $big --by week,outcome -o ndjson)"
printf '  calls -u %s %s page 1     %8s\n' $big "$filter" \
    "$(timeit co-query calls -u $big $filter -o ndjson)"
printf '  calls -u %s %s page %-5s %8s\n' $big "$filter" $page \
    "$(timeit co-query calls -u $big $filter -o ndjson --after "$cursor")"
printf '  events CALL -u %s (4 events)                %8s\n' $big \
    "$(timeit co-query events "$call" -u $big -o ndjson)"
export PGUSER=co

for tn in tenant-04 tenant-24 $big; do
	explained stats-$tn co-query stats -u $tn -o ndjson
done
explained byweek co-query stats -u $big --by week,outcome -o ndjson
explained page1 co-query calls -u $big $filter -o ndjson
explained pageN co-query calls -u $big $filter -o ndjson --after "$cursor"
explained events co-query events "$call" -u $big -o ndjson
check_rows() {
	[ "$(wc -l <"$T/$1.out")" -eq "$2" ] ||
	    echo "query: WRONG: $1 printed $(wc -l <"$T/$1.out") rows, not $2"
}
check_rows page1 $per
check_rows pageN $per
check_rows events 4

heap=$(q "SELECT pg_relation_size('call_logs') / 8192")
echo
echo "buffers touched (shared hit + read) by co-query's own statements"
echo "and the server's time for them (auto_explain, ms)"
echo "  tenant       calls  stats buffers  server ms   (table: $heap heap pages)"
for tn in tenant-04 tenant-24 $big; do
	printf '  %-10s %7s  %13s  %9s\n' $tn \
	    "$(q "SELECT count(*) FROM call_logs WHERE \"userId\" = '$tn'")" \
	    "$(buffers <"$T/stats-$tn.plan")" "$(server <"$T/stats-$tn.plan")"
done
printf '  calls %s page 1:   %4s buffers  %6s ms\n' "$filter" \
    "$(buffers <"$T/page1.plan")" "$(server <"$T/page1.plan")"
printf '  calls %s page %-3s: %4s buffers  %6s ms\n' "$filter" $page \
    "$(buffers <"$T/pageN.plan")" "$(server <"$T/pageN.plan")"

echo
echo "plan: stats -u $big"
cat "$T/stats-$big.plan"
echo "plan: stats -u $big --by week,outcome"
cat "$T/byweek.plan"
echo "plan: calls -u $big $filter, page 1"
cat "$T/page1.plan"
echo "plan: calls -u $big $filter, page $page (--after $cursor)"
cat "$T/pageN.plan"
echo "plan: events CALL -u $big"
cat "$T/events.plan"
exit 0
