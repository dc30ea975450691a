#!/bin/sh
# The stream tools run in bounded memory: ten times the input must not
# take more than a little more memory (a jv left unfreed per record made
# co-transform grow by ~2.5 KiB an envelope: 30 MiB at 11 000).
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/time ]; then
	echo "1..0 # SKIP no /usr/bin/time"
	exit 0
fi
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
# An ASan build (make check-asan) keeps freed blocks in quarantine.
lim=2048
if grep -q __asan_init "$(command -v co-transform)" 2>/dev/null; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
	export ASAN_OPTIONS
	lim=4096
fi
co-gen calls -c 2000 "$T/sp" >/dev/null
cat "$T"/sp/new/* >"$T/big"
head -n 1100 "$T/big" >"$T/small"
co-verify "$T/big" >"$T/big.v" 2>/dev/null
co-verify "$T/small" >"$T/small.v" 2>/dev/null
co-transform "$T/big.v" >"$T/big.t" 2>/dev/null

# rss TOOL ARGS...: peak resident KiB.
rss() {
	/usr/bin/time -f %M -o "$T/rss" "$@" >/dev/null 2>&1
	cat "$T/rss"
}
# grows NAME SMALL BIG: at most lim KiB more for ten times the records.
grows() {
	check "$1: $(($3 - $2)) KiB more for 10x the records (<= $lim)" \
	    test $(($3 - $2)) -le $lim
}
check_same "the big input is ten times the small one" 11000 \
    "$(wc -l <"$T/big")"
grows co-verify "$(rss co-verify "$T/small")" "$(rss co-verify "$T/big")"
grows "co-transform (C mapping)" "$(rss co-transform "$T/small.v")" \
    "$(rss co-transform "$T/big.v")"
grows "co-transform (libjq)" "$(CO_MAP=jq rss co-transform "$T/small.v")" \
    "$(CO_MAP=jq rss co-transform "$T/big.v")"
head -n 1100 "$T/big.t" >"$T/small.t"
grows co-classify "$(rss co-classify "$T/small.t")" \
    "$(rss co-classify "$T/big.t")"
done_testing
