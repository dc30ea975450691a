#!/bin/sh
# The library owns the stream loop (issue 10, point 3): co-verify,
# co-transform, co-classify and co-load read NDJSON, name and reject bad
# lines and rank exit statuses the same way, because they run one loop.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1

# Bad lines every tool refuses before its own work: not JSON, not an
# object, a NUL byte; a CRLF line that is JSON but not a good record for
# any of them is left out.  Then a file that does not exist.
{
	printf 'not json\n'
	printf '[1,2]\r\n'
	printf '{"a":\0"b"}\n'
	printf '\n'
} >"$T/bad"
for tool in co-verify co-transform co-classify co-load; do
	rm -f "$T/rej.$tool"
	$tool -r "$T/rej.$tool" "$T/bad" "$T/missing" >"$T/out.$tool" \
	    2>"$T/err.$tool"
	echo $? >"$T/rc.$tool"
	grep -v "records:" "$T/err.$tool" | sed "s/^$tool: //" >"$T/diag.$tool"
done
check_same "co-verify: the I/O error outranks the data errors" 74 \
    "$(cat "$T/rc.co-verify")"
check_same "co-verify: one line a bad line, then the missing file" \
"$T/bad:1: Invalid numeric literal at line 1, column 4
$T/bad:2: not a JSON object
$T/bad:3: NUL byte in line
$T/bad:4: Expected JSON value
$T/missing: No such file or directory" "$(cat "$T/diag.co-verify")"
check_same "co-verify: the reject file keeps each bad line" \
    "1 2 3 4" "$(jq -r .reject_line "$T/rej.co-verify" | tr '\n' ' ' |
    sed 's/ $//')"
for tool in co-transform co-classify co-load; do
	check_same "$tool: the same exit status" \
	    "$(cat "$T/rc.co-verify")" "$(cat "$T/rc.$tool")"
	check_same "$tool: the same diagnostics" \
	    "$(cat "$T/diag.co-verify")" "$(cat "$T/diag.$tool")"
	check_same "$tool: the same reject file" \
	    "$(cat "$T/rej.co-verify")" "$(cat "$T/rej.$tool")"
done
check_same "co-load: a fate for every bad line too" \
    "rejected rejected rejected rejected" \
    "$(jq -r .status "$T/out.co-load" | tr '\n' ' ' | sed 's/ $//')"
check_same "co-load: and counts them" \
    "co-load: 4 records: 0 inserted, 0 duplicate, 0 pending, 4 rejected" \
    "$(grep records: "$T/err.co-load")"

done_testing
