#!/bin/sh
# make install PREFIX DESTDIR puts binaries, jq programs, migrations and man
# pages where they belong, and the installed tools find their programs.
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
make -s -C "$top" install PREFIX=/usr/local DESTDIR="$T/d" >"$T/out" 2>&1
check_same "make install exits 0" 0 "$?"
p=$T/d/usr/local
for t in "$top"/bin/co-*; do
	check "installed $(basename "$t")" test -x "$p/bin/$(basename "$t")"
done
check_same "jq programs" "elevenlabs.jq livekit.jq" \
    "$(cd "$p/share/call-outcomes" && echo *.jq)"
check_same "migrations" "$(cd "$top/migrations" && echo *.sql)" \
    "$(cd "$p/share/call-outcomes/migrations" && echo *.sql)"
check_same "man pages" "$(cd "$top/man" && echo *.1)" \
    "$(cd "$p/share/man/man1" && echo *.1)"
check "co.7" test -f "$p/share/man/man7/co.7"
check "openapi.yaml" cmp -s "$top/share/openapi.yaml" \
    "$p/share/call-outcomes/openapi.yaml"
# The installed co-transform, pointed at the installed programs.
LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s co-gen envelope -t 1767225600 \
    "$VECTORS/livekit_participant_left.json" >"$T/env"
CO_SHARE="$p/share/call-outcomes" "$p/bin/co-transform" "$T/env" >"$T/ev"
check_same "installed co-transform runs the installed program" \
    "EV_3mN8qR2tY6wZ" "$(jq -r .event_id "$T/ev")"
done_testing
