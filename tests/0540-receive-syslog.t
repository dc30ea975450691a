#!/bin/sh
# co-receive logs through syslog(3) when standard error is a socket (as
# inetd and xinetd start it) or with -l syslog (issue 11.2), so that
# nothing but the HTTP response reaches the client, even for a missing
# secret file; the response never names a path or a secret; one line per
# request with time, status, route, event id, size, latency and peer.
# The test owns the syslog socket: it runs in a mount namespace of its own
# with a directory of its own over /dev, and listens on /dev/log there.
if [ -z "${CO_TEST_NS:-}" ]; then
	if ! unshare -m true 2>/dev/null; then
		echo "1..0 # SKIP no mount namespace (unshare -m)"
		exit 0
	fi
	CO_TEST_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

LK_LEGACY=lk-legacy-test-secret-NOT-REAL
EL_SECRET=wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f
LK=$VECTORS/livekit_participant_left.json
EL=$VECTORS/elevenlabs_post_call_transcription.json
CR=$(printf '\r')
PIDS=

unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET TWILIO_AUTH_TOKEN \
    LIVEKIT_WEBHOOK_SECRET_FILE ELEVENLABS_WEBHOOK_SECRET_FILE \
    TWILIO_AUTH_TOKEN_FILE CO_PUBLIC_URL CO_NOW CO_SPOOL 2>/dev/null

# /dev here: the devices the tools need, and our own /dev/log.
mkdir -p "$T/dev"
for n in null zero random urandom; do
	: >"$T/dev/$n"
	mount --bind "/dev/$n" "$T/dev/$n"
done
mount --rbind "$T/dev" /dev
undev() {
	for p in $PIDS; do kill "$p"; done
	umount -l /dev
	for n in null zero random urandom; do umount "$T/dev/$n"; done
}
at_exit undev

cat >"$T/syslogd.pl" <<'EOF2'
use strict;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => '/dev/log')
    or die "syslogd: /dev/log: $!";
chmod 0666, '/dev/log';
open(my $out, '>>', $ARGV[0]) or die;
$out->autoflush(1);
open(my $r, ">", "$ARGV[0].ready") or die;
close($r);
while (1) {
	my $m;
	defined($s->recv($m, 65536)) or next;
	$m =~ s/\n+$//;
	print $out "$m\n";
}
EOF2
perl "$T/syslogd.pl" "$T/syslog" &
PIDS="$PIDS $!"
i=0
while [ $i -lt 50 ] && [ ! -e "$T/syslog.ready" ]; do sleep 0.1; i=$((i + 1)); done
check 'our syslog socket listens' test -S /dev/log

# serve NAME ENV... -- ARGS: co-receive behind socat with its standard
# error on the connection (socat's stderr option), as inetd starts it.
serve() {
	_sname=$1
	shift
	_env=
	while [ "$1" != -- ]; do _env="$_env $1"; shift; done
	shift
	socat_serve "$_sname" EXEC:"co-receive $*",stderr $_env
}

# raw PORT: send stdin, the whole answer in $T/raw, its status printed.
raw() {
	socat -t 5 - TCP:127.0.0.1:$1 >"$T/raw" 2>/dev/null
	sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' "$T/raw" | tr -d "$CR"
}
# request PATH BODYFILE [HEADER]: a POST as bytes.
request() {
	printf 'POST %s HTTP/1.1\r\nHost: x\r\n' "$1"
	[ -n "${3:-}" ] && printf '%s\r\n' "$3"
	printf 'Content-Length: %d\r\n\r\n' "$(wc -c <"$2")"
	cat "$2"
}
# only_http: the answer is a status line, headers, and exactly
# Content-Length bytes of body, nothing before or after.
only_http() {
	head -n 1 "$T/raw" | grep -q '^HTTP/1\.1 [0-9][0-9][0-9] ' || return 1
	_len=$(tr -d "$CR" <"$T/raw" | sed -n 's/^Content-Length: //p')
	_body=$(awk -v RS='\r\n\r\n' 'NR > 1' ORS='' "$T/raw" | wc -c)
	[ "$_len" = "$_body" ]
}
lksig() {
	openssl dgst -sha256 -mac HMAC -macopt "key:$LK_LEGACY" -binary <"$1" |
	    od -An -v -tx1 | tr -d ' \n'
}
# waitlog PATTERN: the syslog file gets a line matching PATTERN (ERE).
waitlog() {
	_i=0
	while [ $_i -lt 30 ] && ! grep -Eq "$1" "$T/syslog"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -Eq "$1" "$T/syslog"
}

S=$T/spool
mkdir -p "$T/etc"
serve inetd LIVEKIT_WEBHOOK_SECRET=$LK_LEGACY \
    ELEVENLABS_WEBHOOK_SECRET_FILE=$T/etc/elevenlabs.secret -- -s "$S"
P=$PORT

request /webhooks/livekit "$LK" "X-LiveKit-Signature: $(lksig "$LK")" >"$T/req"
check_same 'stderr a socket: signed livekit 200' 200 "$(raw $P <"$T/req")"
check 'stderr a socket: nothing but the HTTP answer on the connection' only_http
check 'syslog: the request line, with time, status, route, id, size, latency, peer' \
    waitlog 'co-receive\[[0-9]+\]: 200 POST /webhooks/livekit EV_3mN8qR2tY6wZ 1053B [0-9]+ms 127\.0\.0\.1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
check 'syslog: facility daemon, info (<30>)' grep -q \
    '^<30>.*co-receive\[[0-9]*\]: 200 POST /webhooks/livekit' "$T/syslog"

request /webhooks/elevenlabs "$EL" "ElevenLabs-Signature: t=1,v0=00" >"$T/req"
check_same 'missing secret file: 503' 503 "$(raw $P <"$T/req")"
check 'missing secret file: the status line comes first, nothing else' only_http
check 'missing secret file: no path, no errno text in the answer' sh -c \
    "! grep -q -e '$T' -e 'elevenlabs.secret' -e 'No such file' '$T/raw'"
check 'syslog: why the secret is unusable' \
    waitlog "co-receive\[[0-9]+\]: $T/etc/elevenlabs.secret: No such file or directory\$"
check 'syslog: the 503 line, priority err (<27>)' \
    waitlog '^<27>.*co-receive\[[0-9]+\]: 503 POST /webhooks/elevenlabs .*: elevenlabs secret configuration unusable$'

request /webhooks/livekit "$LK" "X-LiveKit-Signature: 00" >"$T/req"
check_same 'forged signature: 401' 401 "$(raw $P <"$T/req")"
check 'forged: only the answer, the reason not in it' sh -c \
    "grep -q '{\"status\":\"error\",\"error\":\"signature verification failed\"}\$' '$T/raw' &&
    ! grep -q 'legacy signature invalid' '$T/raw'"
check 'syslog: the reason for the 401' \
    waitlog '401 POST /webhooks/livekit - 1053B [0-9]+ms 127\.0\.0\.1 [^ ]+: legacy signature invalid$'
check 'syslog: no secret' sh -c "! grep -q '$LK_LEGACY' '$T/syslog'"
check_same 'socat got nothing from co-receive on its own stderr' '' \
    "$(grep -v ' socat\[[0-9]*\] [NIWE] ' "$T/inetd.log")"

# -l syslog with standard error a file: the file stays empty.
printf 'GET /nope HTTP/1.0\r\n\r\n' >"$T/req"
co-receive -l syslog -s "$S" <"$T/req" >"$T/ans" 2>"$T/stderr"
check_same '-l syslog: 404' 'HTTP/1.1 404 Not Found' "$(head -n 1 "$T/ans" | tr -d "$CR")"
check_same '-l syslog: nothing on standard error' 0 "$(wc -c <"$T/stderr" | tr -d ' ')"
check '-l syslog: the line in syslog' waitlog \
    'co-receive\[[0-9]+\]: 404 GET /nope - 0B [0-9]+ms - [^ ]+: no such route$'
co-receive -l stderr -s "$S" <"$T/req" >"$T/ans" 2>"$T/stderr"
check '-l stderr: the line on standard error' grep -q \
    '^co-receive: 404 GET /nope - 0B ' "$T/stderr"
co-receive -l bogus <"$T/req" >"$T/ans" 2>"$T/stderr"
check_same '-l bogus: 64' 64 $?
co-receive -x -l syslog <"$T/req" >"$T/ans" 2>"$T/stderr"
check_same 'a bad option in syslog mode: 64, nothing on stderr' '64 0' \
    "$? $(wc -c <"$T/stderr" | tr -d ' ')"
check 'a bad option in syslog mode: said in syslog' waitlog \
    'co-receive\[[0-9]+\]: unknown option or missing argument: -x$'

done_testing
