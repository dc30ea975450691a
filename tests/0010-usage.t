#!/bin/sh
# Every tool: a bad option or a missing argument exits 64 with one usage
# line on stderr that starts "usage: TOOL".
. "$(dirname "$0")/lib.sh"
for tool in $(ls "$TESTDIR/../bin"); do
	$tool -Z </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check_same "$tool -Z exits 64" 64 "$rc"
	check "$tool prints its usage" grep -q "^usage: $tool" "$T/err"
	check_same "$tool writes nothing on stdout" "" "$(cat "$T/out")"
done
t_run 64 'co-migrate' '' ''
t_run 64 'co-migrate sideways' '' ''
t_run 64 'co-migrate down 0' '' ''
t_run 64 'co-query outcome x' '' ''
t_run 64 'co-query -u acme' '' ''
t_run 64 'co-query -u acme -o yaml outcome x' '' ''
t_run 64 'co-load -b 0' '' ''
t_run 64 'co-load -b 10x' '' ''
done_testing
