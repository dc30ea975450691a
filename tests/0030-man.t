#!/bin/sh
# The man pages as a reader sees them (mandoc -Tascii), not only -Tlint:
# no stray or doubled quotes from nested quoting macros, and every file and
# page they cite is one we ship.
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
for m in "$top"/man/*.[1-8]; do
	n=$(basename "$m")
	mandoc -Tascii "$m" 2>"$T/err" | col -b >"$T/txt"
	check "$n renders" test -s "$T/txt"
	check_same "$n: no warnings" "" "$(mandoc -Tlint -Wwarning "$m" 2>&1)"
	# "a, "b"": a quote macro left open across the next one.
	check_same "$n: no quote opened inside another" "" \
	    "$(grep -n -E '"[A-Za-z_.]+[,:] "|"""|[^:=]""[).,]?$|[A-Za-z]""' "$T/txt")"
	check_same "$n: no doubled single quotes" "" "$(grep -n "''\|\`\`" "$T/txt")"
	for f in $(grep -ho 'contrib/[A-Za-z0-9_./@-]*[A-Za-z0-9]' "$m" | sort -u); do
		check "$n cites $f, which exists" test -f "$top/$f"
	done
	for x in $(grep -o '^\.Xr co[-.a-z]* [1-8]' "$m" | awk '{print $2 "." $3}' | sort -u); do
		check "$n refers to $x, which exists" test -f "$top/man/$x"
	done
done
done_testing
