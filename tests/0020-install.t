#!/bin/sh
# Installs that work: a copy of the tree built as Debian builds it
# (dpkg-buildflags hardening, -Werror), then make install with another
# PREFIX: the build records PREFIX and rebuilds, and the installed tools find
# their jq programs and migrations without CO_SHARE/CO_MIGRATIONS.  DESTDIR
# stages; make uninstall removes it all again.
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
unset CO_SHARE CO_MIGRATIONS
# A build of its own: not the CC, CFLAGS or jobs of a make check around it.
unset MAKEFLAGS MFLAGS MAKELEVEL
B=$T/build
mkdir -p "$B/src" "$B/tests/gen"
cp "$top"/src/*.c "$top"/src/*.h "$B/src"
cp "$top/tests/gen/co-gen.c" "$B/tests/gen"
cp -R "$top/Makefile" "$top/share" "$top/migrations" "$top/man" \
    "$top/contrib" "$B"

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
set -- WERROR=-Werror CFLAGS="$(dpkg-buildflags --get CFLAGS)" \
    CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
make -C "$B" -j2 "$@" >"$T/build.log" 2>&1
check_same "hardened build with -Werror exits 0" 0 "$?"
check "no compiler warnings" sh -c "! grep -i 'warning:' '$T/build.log'"
check "CPPFLAGS honoured (-D_FORTIFY_SOURCE)" grep -q -- '-D_FORTIFY_SOURCE=2 .*src/db.c' "$T/build.log"
check "fortified calls" sh -c "nm -D '$B/bin/co-receive' | grep -q '__.*_chk'"
check "stack protector" sh -c "nm -D '$B/bin/co-drain' | grep -q __stack_chk_fail"
check "LDFLAGS honoured (relro, now)" sh -c \
    "readelf -lW '$B/bin/co-load' | grep -q GNU_RELRO &&
    readelf -dW '$B/bin/co-load' | grep -q BIND_NOW"
make -C "$B" "$@" >"$T/again.log" 2>&1
check_same "make again with the same flags compiles nothing" "" \
    "$(grep -e ' -c -o ' "$T/again.log")"
if [ -f "$(pkg-config --variable=libdir libcrypto)/libcrypto.a" ]; then
	check "libcrypto.a by default when there is one" sh -c "! readelf -dW '$B/bin/co-receive' | grep -q 'NEEDED.*libcrypto'"
else
	check "libcrypto shared by default without libcrypto.a" sh -c "readelf -dW '$B/bin/co-receive' | grep -q 'NEEDED.*libcrypto'"
fi

# make with the default PREFIX, make install with another one.
p=$T/opt/co
make -C "$B" install PREFIX="$p" DESTDIR="$T/d" "$@" >"$T/inst.log" 2>&1
check_same "make install PREFIX DESTDIR exits 0" 0 "$?"
check "install rebuilt for the new PREFIX" grep -q 'src/conf.c' "$T/inst.log"
for t in "$B"/bin/co-*; do
	check "installed $(basename "$t")" test -x "$T/d$p/bin/$(basename "$t")"
done
check_same "jq programs" "elevenlabs.jq livekit.jq rules.jq twilio.jq" \
    "$(cd "$T/d$p/share/call-outcomes" && echo *.jq)"
check_same "migrations" "$(cd "$top/migrations" && echo *.sql)" \
    "$(cd "$T/d$p/share/call-outcomes/migrations" && echo *.sql)"
check_same "man pages" "$(cd "$top/man" && echo *.1)" \
    "$(cd "$T/d$p/share/man/man1" && echo *.1)"
check "co.7" test -f "$T/d$p/share/man/man7/co.7"
check "openapi.yaml" cmp -s "$top/share/openapi.yaml" \
    "$T/d$p/share/call-outcomes/openapi.yaml"
# Every contrib/ file a man page cites is installed with the examples.
for f in $(grep -ho 'contrib/[A-Za-z0-9_./@-]*[A-Za-z0-9]' "$top"/man/*.[1-8] | sort -u); do
	check "cited $f is installed" test -f "$T/d$p/share/doc/call-outcomes/examples/${f#contrib/}"
done
check "installed man pages name the installed paths" \
    grep -q "$p/share/call-outcomes/migrations" "$T/d$p/share/man/man1/co-migrate.1"
check "and not the default prefix" sh -c "! grep -q /usr/local '$T/d$p/share/man/man1/co-migrate.1'"

# Unpacked where PREFIX says, as a package would be.
mkdir -p "$T/opt"
mv "$T/d$p" "$p"
LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s co-gen envelope -t 1767225600 \
    "$VECTORS/livekit_participant_left.json" >"$T/env"
"$p/bin/co-transform" "$T/env" >"$T/ev" 2>"$T/err"
check_same "installed co-transform finds its program" \
    "EV_3mN8qR2tY6wZ" "$(jq -r .event_id "$T/ev")"
pg_start
"$p/bin/co-migrate" up >"$T/out" 2>"$T/err"
check_same "installed co-migrate finds its migrations" 0 "$?"
check_same "every migration applied" "$(ls "$top"/migrations/*.up.sql | wc -l)" \
    "$(q 'SELECT count(*) FROM schema_migrations')"

# PREFIX=/usr staged under DESTDIR, then removed again.
make -C "$B" install PREFIX=/usr DESTDIR="$T/u" "$@" >"$T/inst.log" 2>&1
check_same "make install PREFIX=/usr exits 0" 0 "$?"
check "tools look under /usr/share" grep -q -a /usr/share/call-outcomes/migrations \
    "$T/u/usr/bin/co-migrate"
check "not under /usr/local" sh -c "! grep -q -a /usr/local/share '$T/u/usr/bin/co-transform'"
make -C "$B" uninstall PREFIX=/usr DESTDIR="$T/u" >"$T/un.log" 2>&1
check_same "make uninstall exits 0" 0 "$?"
check_same "nothing left" "" "$(find "$T/u" -type f)"
check "share directory removed" test ! -e "$T/u/usr/share/call-outcomes"
check "examples removed" test ! -e "$T/u/usr/share/doc/call-outcomes"

# STATIC_CRYPTO=1 (the default when libcrypto.a is there): co-receive
# without a libcrypto.so dependency; STATIC_CRYPTO=0: with one.
make -C "$B" bin/co-receive STATIC_CRYPTO=1 >"$T/st.log" 2>&1
check_same "STATIC_CRYPTO=1 builds" 0 "$?"
check "co-receive links libcrypto.a" sh -c "! readelf -dW '$B/bin/co-receive' | grep -q 'NEEDED.*libcrypto'"
make -C "$B" bin/co-receive STATIC_CRYPTO=0 >"$T/sh.log" 2>&1
check_same "STATIC_CRYPTO=0 builds" 0 "$?"
check "co-receive links libcrypto.so" sh -c "readelf -dW '$B/bin/co-receive' | grep -q 'NEEDED.*libcrypto'"
done_testing
