#!/bin/sh
# What a co-receive request costs (issue 13, the receiver target): the
# process links no OpenSSL initialisation and no EVP (so no provider, no
# config file, no error strings are ever loaded), and by default not
# libcrypto.so but the few functions it needs from libcrypto.a; HMAC-SHA1
# (Twilio), now on SHA1_* as HMAC-SHA256 is on SHA256_*, agrees with
# Perl's Digest::SHA for tokens shorter than, as long as and longer than
# the 64-byte block; a request makes exactly the file's fsync, the
# rename and the fsync of new/, in that order, and opens no openssl.cnf.
. "$(dirname "$0")/lib.sh"

bin=$(command -v co-receive)

# --- the link ---
if command -v nm >/dev/null 2>&1; then
	check_same "no OPENSSL_init_* nor EVP_* in co-receive" "" \
	    "$( { nm "$bin"; nm -D "$bin"; } 2>/dev/null |
	    grep -E ' (OPENSSL_init_|EVP_)' )"
fi
needed=$(readelf -dW "$bin" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' |
    tr '\n' ' ')
check "co-receive needs neither libpq, libcurl, libssl nor libz ($needed)" \
    sh -c "! echo '$needed' | grep -qE 'libpq|libcurl|libssl|libz'"
a="$(pkg-config --variable=libdir libcrypto 2>/dev/null)/libcrypto.a"
if [ -f "$a" ] && [ "${STATIC_CRYPTO:-1}" != 0 ]; then
	check "libcrypto.a there: co-receive needs no libcrypto.so" \
	    sh -c "! echo '$needed' | grep -q libcrypto"
fi

# --- HMAC-SHA1 without EVP: three token lengths around the block ---
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_KEYS_FILE \
    LIVEKIT_WEBHOOK_SECRET ELEVENLABS_WEBHOOK_SECRET \
    TWILIO_AUTH_TOKEN_FILE CO_NOW 2>/dev/null
TW_URL=https://hooks.example.com
export CO_PUBLIC_URL=$TW_URL
printf 'CallSid=CA%s&CallStatus=completed&CallDuration=3' 5 >"$T/form"
for len in 32 64 65 200; do
	tok=$(head -c "$len" /dev/zero | tr '\0' k)
	sig=$(tw-sign "$tok" "$TW_URL/webhooks/twilio" "$T/form")
	{ printf 'POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\n'
	  printf 'Content-Type: application/x-www-form-urlencoded\r\n'
	  printf 'X-Twilio-Signature: %s\r\n' "$sig"
	  printf 'Content-Length: %d\r\n\r\n' $(wc -c <"$T/form")
	  cat "$T/form"; } >"$T/req.$len"
	TWILIO_AUTH_TOKEN=$tok co-receive -l stderr -s "$T/spool" \
	    <"$T/req.$len" >"$T/ans" 2>"$T/err"
	check_same "$len-byte token: Digest::SHA's HMAC-SHA1 accepted" \
	    "HTTP/1.1 200 OK" "$(head -n 1 "$T/ans" | tr -d '\r')"
	TWILIO_AUTH_TOKEN=${tok}x co-receive -l stderr -s "$T/spool" \
	    <"$T/req.$len" >"$T/ans" 2>"$T/err"
	check_same "$len-byte token + 1: refused" \
	    "HTTP/1.1 401 Unauthorized" "$(head -n 1 "$T/ans" | tr -d '\r')"
done

# --- the system calls of an accepted request ---
if command -v strace >/dev/null 2>&1 &&
    strace -o /dev/null -e trace=getpid true 2>/dev/null; then
	TWILIO_AUTH_TOKEN=$(head -c 32 /dev/zero | tr '\0' k) strace \
	    -o "$T/st" -e trace=openat,open,fsync,fdatasync,rename,renameat,renameat2 \
	    co-receive -l stderr -s "$T/spool" <"$T/req.32" >"$T/ans" 2>/dev/null
	check_same "strace: answered 200" "HTTP/1.1 200 OK" \
	    "$(head -n 1 "$T/ans" | tr -d '\r')"
	check_same "no openssl.cnf opened" "" "$(grep -i 'openssl' "$T/st")"
	check_same "fsync of the file, rename into new/, fsync of new/" \
	    "openat tmp fsync rename new openat new fsync" \
	    "$(grep -v -e '\.so' -e ld.so.cache -e /etc/ -e '^+++' "$T/st" |
	    sed -n 's/^\([a-z0-9]*\)(.*"[^"]*\/\(tmp\|new\)[/"].*/\1 \2/p
	    s/^\(fsync\|fdatasync\)(.*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
fi
done_testing
