#!/bin/sh
# co-receive killed with SIGKILL at exact instants (issue 8, "also
# prove"): strace injects SIGKILL at the Nth mkdir, openat, write, fsync and
# rename of a request (a fresh spool each, so the spool's own mkdirs are
# hit too).  Afterwards every file in new/ is whole and holds the body sent,
# a 200 was never sent for a request whose file is not in new/, and what a
# kill left in tmp/ was never answered 200.
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null 2>&1 ||
    ! strace -f -o /dev/null -e trace=getpid true 2>/dev/null; then
	echo "1..0 # SKIP strace cannot trace here"
	exit 0
fi

LK_LEGACY=lk-legacy-test-secret-NOT-REAL
export LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE CO_NOW CO_SPOOL \
    2>/dev/null
mkdir -p "$T/req" "$T/ans" "$T/body"

# The points, as SYSCALL:N; mkdir 1-7 are the spool's own directories.
POINTS="mkdir:1 mkdir:2 mkdir:3 mkdir:4 mkdir:5 mkdir:6 mkdir:7
openat:1 openat:2 openat:3 openat:4 openat:5 openat:6 openat:7 openat:8
write:1 write:2 write:3 write:4 fsync:1 fsync:2 rename:1"
k=0 killed=0
for pt in $POINTS; do
	k=$((k + 1))
	sc=${pt%:*} n=${pt#*:}
	printf '{"event":"participant_left","id":"EV_kill_%d","pad":"%s"}' \
	    $k "$(head -c 4096 /dev/zero | tr '\0' p)" >"$T/body/$k"
	sig=$(openssl dgst -sha256 -mac HMAC -macopt "key:$LK_LEGACY" \
	    -binary <"$T/body/$k" | od -An -v -tx1 | tr -d ' \n')
	{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\n'
	  printf 'X-LiveKit-Signature: %s\r\n' "$sig"
	  printf 'Content-Length: %d\r\n\r\n' $(wc -c <"$T/body/$k")
	  cat "$T/body/$k"; } >"$T/req/$k"
	strace -f -o /dev/null -e trace="$sc" \
	    -e inject="$sc":signal=KILL:when="$n" \
	    co-receive -s "$T/spool.$k" <"$T/req/$k" >"$T/ans/$k" 2>/dev/null
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	echo "$k $pt $rc" >>"$T/fate"
done
diag "$(cat "$T/fate")"
check_same 'every point was reached and killed there' "$k" "$killed"

torn=0 lost=0 stray=0 oks=0
i=1
while [ $i -le $k ]; do
	S=$T/spool.$i
	in_new=0
	for f in "$S"/new/*; do
		[ -e "$f" ] || continue
		if [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] ||
		    ! jq -j .body "$f" 2>/dev/null | cmp -s - "$T/body/$i"; then
			torn=$((torn + 1))
			diag "torn: $f"
		else
			in_new=1
		fi
	done
	if grep -q '^HTTP/1.1 200 OK' "$T/ans/$i"; then
		oks=$((oks + 1))
		[ $in_new -eq 1 ] || { lost=$((lost + 1)); diag "200 but not in new/: $i"; }
	fi
	for f in "$S"/tmp/*; do
		[ -e "$f" ] || continue
		grep -q '^HTTP/1.1 200 OK' "$T/ans/$i" &&
		    { stray=$((stray + 1)); diag "tmp/ file of a 200: $f"; }
	done
	i=$((i + 1))
done
check_same 'torn or altered files in new/' 0 "$torn"
check_same 'requests answered 200 whose file is not in new/' 0 "$lost"
check_same 'files left in tmp/ of requests answered 200' 0 "$stray"
# write 3 is the answer, write 4 the log line after it: the one 200.
w=$(grep ' write:4 ' "$T/fate" | cut -d ' ' -f 1)
check_same 'a 200 only when killed after the answer (at the log line)' \
    "1 $w" "$oks $(grep -l '^HTTP/1.1 200 OK' "$T"/ans/* | sed 's,.*/,,')"
# Killed at the rename: nothing in new/; at the directory's fsync: the
# file is whole in new/ although no 200 was sent (the provider sends it
# again; co-drain keeps one).
r=$(grep -n ' rename:1 ' "$T/fate" | cut -d ' ' -f 1 | cut -d : -f 1)
r=$(sed -n "${r}p" "$T/fate" | cut -d ' ' -f 1)
check_same 'killed at rename: nothing in new/, the file in tmp/' '0 1' \
    "$(ls "$T/spool.$r/new" | wc -l | tr -d ' ') $(ls "$T/spool.$r/tmp" | wc -l | tr -d ' ')"
f=$(grep ' fsync:2 ' "$T/fate" | cut -d ' ' -f 1)
check_same 'killed at the fsync of new/: the file whole in new/' 1 \
    "$(ls "$T/spool.$f/new" | wc -l | tr -d ' ')"

done_testing
