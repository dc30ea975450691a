#!/bin/sh
# Every tool: a bad option or a missing argument exits 64 with a line that
# says what was wrong and one usage line on stderr that starts "usage:
# TOOL"; --help prints every option and subcommand (those of the man page's
# SYNOPSIS) on stdout and exits 0; --version prints the Makefile's VERSION.
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
version=$(sed -n 's/^VERSION = //p' "$top/Makefile")
for tool in $(ls "$TESTDIR/../bin"); do
	$tool --help </dev/null >"$T/out" 2>"$T/err"
	check_same "$tool --help exits 0" 0 "$?"
	check "$tool --help: usage first" sh -c "head -n 1 '$T/out' | grep -q '^usage: $tool '"
	check_same "$tool --help: nothing on stderr" "" "$(cat "$T/err")"
	# Every flag and subcommand of the man page's SYNOPSIS.
	for w in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' \
	    "$top/man/$tool.1" | grep -o 'Fl [-a-zA-Z]*\|Cm [a-z]*' |
	    sed 's/^Fl \\*/-/; s/^Cm //' | sort -u); do
		check "$tool --help lists $w" grep -q -e " $w[ ,]" "$T/out"
	done
	$tool --version >"$T/out" 2>"$T/err"
	check_same "$tool --version exits 0" 0 "$?"
	check_same "$tool --version" "$tool $version" "$(cat "$T/out")"
	$tool -r x --help >/dev/null 2>&1
	check_same "$tool --help after other options" 0 "$?"
done
check_same "co-migrate down: the subcommand help" 1 \
    "$(co-migrate --help | grep -c '^  down \[n\] ')"
for tool in $(ls "$TESTDIR/../bin"); do
	$tool -Z </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check_same "$tool -Z exits 64" 64 "$rc"
	check "$tool prints its usage" grep -q "^usage: $tool" "$T/err"
	check_same "$tool writes nothing on stdout" "" "$(cat "$T/out")"
done
# usage WHY 'CMD ARGS': exits 64, says WHY in one line, then the usage line.
usage() {
	t_run 64 "$2" '' ''
	check_same "$2: says why, then usage" "$1" "$(sed -n 1p "$T/err")"
	check "$2: then the usage line" sh -c "sed -n 2p '$T/err' | grep -q '^usage: '"
}
usage "co-migrate: no subcommand: up, down or status" 'co-migrate'
usage "co-migrate: unknown subcommand: sideways" 'co-migrate sideways'
usage "co-migrate: too many arguments" 'co-migrate up 2'
t_run 64 'co-migrate down 0' '' ''
usage "co-query: -u user is required" 'co-query outcome x'
usage "co-query: no subcommand: outcome, calls, stats or events" 'co-query -u acme'
usage "co-query: unknown subcommand: sideways" 'co-query -u acme sideways'
usage "co-query: outcome takes a call_id" 'co-query -u acme outcome'
usage "co-query: stats does not take that option" 'co-query -u acme -r stats'
t_run 64 'co-query -u acme -o yaml outcome x' '' ''
t_run 64 'co-load -b 0' '' ''
t_run 64 'co-load -b 10x' '' ''
done_testing
