#!/bin/sh
# co-receive killed with SIGKILL at random instants while it handles
# requests: every file in new/ is whole and is what was sent, no file left
# in tmp/ was answered 200, and every request answered 200 is in new/.
# 0 lost, 0 torn.
. "$(dirname "$0")/lib.sh"

N=${CRASH_TRIALS:-300}
S=$T/spool
mkdir -p "$T/req" "$T/body" "$T/ans"
LK_LEGACY=lk-legacy-test-secret-NOT-REAL
export LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE CO_NOW 2>/dev/null

# Bodies of three sizes, so that kills land in the read, the write, the
# fsyncs and the rename alike.
i=1
while [ $i -le $N ]; do
	case $((i % 3)) in
	0) pad=$(head -c 262144 /dev/zero | tr '\0' p) ;;
	1) pad=$(head -c 8192 /dev/zero | tr '\0' p) ;;
	*) pad= ;;
	esac
	printf '{"event":"participant_left","id":"EV_crash_%d","pad":"%s"}' \
	    $i "$pad" >"$T/body/$i"
	sig=$(openssl dgst -sha256 -mac HMAC -macopt "key:$LK_LEGACY" \
	    -binary <"$T/body/$i" | od -An -v -tx1 | tr -d ' \n')
	{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: x\r\n'
	  printf 'X-LiveKit-Signature: %s\r\n' "$sig"
	  printf 'Content-Length: %d\r\n\r\n' $(wc -c <"$T/body/$i")
	  cat "$T/body/$i"; } >"$T/req/$i"
	i=$((i + 1))
done

# The killer: the first 10 runs are left alone to measure how long a run
# takes; the others get SIGKILL after a random delay within 1.3 times that.
cat >"$T/kill.pl" <<'EOF'
use strict;
use POSIX ();
use Time::HiRes qw(usleep time);
my ($n, $dir, $spool) = @ARGV;
my (@took, $max);
for my $i (1 .. $n) {
	my $t0 = time;
	my $pid = fork;
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open STDIN, '<', "$dir/req/$i" or die;
		open STDOUT, '>', "$dir/ans/$i" or die;
		open STDERR, '>', '/dev/null' or die;
		exec 'co-receive', '-s', $spool;
		POSIX::_exit(127);
	}
	if ($i <= 10) {
		waitpid $pid, 0;
		push @took, time - $t0;
		next;
	}
	$max //= 1.3 * (sort { $a <=> $b } @took)[5] * 1e6;
	usleep(int(rand($max)));
	kill 'KILL', $pid;
	waitpid $pid, 0;
	print "$i ", ($? & 127) == 9 ? "killed" : "exited", "\n";
}
printf "max %.0f\n", $max;
EOF
mkdir -p "$S"
perl "$T/kill.pl" $N "$T" "$S" >"$T/fate"
killed=$(grep -c ' killed$' "$T/fate")
oks=$(grep -l '^HTTP/1.1 200 OK' "$T"/ans/* 2>/dev/null | wc -l | tr -d ' ')
diag "$N runs, $killed killed, $oks answered 200, kill delay <= $(sed -n 's/^max //p' "$T/fate") us"

check "at least 200 trials" [ $N -ge 200 ]
check 'some runs were killed' [ "$killed" -gt 0 ]
check 'some runs were answered 200 before the kill' [ "$oks" -ge 5 ]

# Every file in new/: one complete line, a version-1 envelope whose body is
# byte for byte the body sent with that id.
torn=0 seen=$T/seen
: >"$seen"
for f in "$S"/new/*; do
	[ -e "$f" ] || continue
	if [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] ||
	    [ "$(wc -l <"$f")" -ne 1 ] ||
	    ! id=$(jq -er 'select(.v == 1 and .source == "livekit") |
	    .body | fromjson | .id' "$f" 2>/dev/null); then
		torn=$((torn + 1))
		diag "torn: $f"
		continue
	fi
	n=${id#EV_crash_}
	if ! jq -j .body "$f" | cmp -s - "$T/body/$n"; then
		torn=$((torn + 1))
		diag "body differs: $f"
	fi
	echo "$n" >>"$seen"
done
check_same 'torn or altered files in new/' 0 "$torn"
check_same 'no request spooled twice' 0 "$(sort "$seen" | uniq -d | wc -l | tr -d ' ')"

# Every 200 is in new/.
lost=0
for a in $(grep -l '^HTTP/1.1 200 OK' "$T"/ans/*); do
	n=${a##*/}
	grep -qx "$n" "$seen" || { lost=$((lost + 1)); diag "lost: request $n"; }
done
check_same 'requests answered 200 but missing from new/' 0 "$lost"

# What a kill left in tmp/ was never answered 200 (and is not in new/).
bad=0
for f in "$S"/tmp/*; do
	[ -e "$f" ] || continue
	n=$(grep -ao 'EV_crash_[0-9]*' "$f" | head -n 1)
	n=${n#EV_crash_}
	[ -n "$n" ] || continue
	if grep -q '^HTTP/1.1 200 OK' "$T/ans/$n" || grep -qx "$n" "$seen"; then
		bad=$((bad + 1))
		diag "tmp/ file of a delivered request: $f"
	fi
done
check_same 'files in tmp/ counted as delivered' 0 "$bad"
diag "new/: $(ls "$S/new" | wc -l | tr -d ' ') files, tmp/: $(ls "$S/tmp" | wc -l | tr -d ' ') leftovers"

done_testing
