#!/bin/sh
# co-serve built with STATIC_LIBPQ=1 (Makefile, co-serve(1)): a copy of the
# tree built as Debian builds it (hardening, -Werror) links libpq, libpgcommon,
# libpgport and OpenSSL statically and GSSAPI/LDAP as failing stubs, loads 6
# shared objects instead of libpq.so's 28, and answers an outcome like the
# default build, under row security.  Skipped without the static archives
# (postgresql-server-dev-NN, installed by tests/setup-deps.sh).
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
pglib=$(pg_config --pkglibdir 2>/dev/null)
if [ ! -f "$pglib/libpgcommon_shlib.a" ]; then
	echo "1..0 # SKIP no libpgcommon_shlib.a (postgresql-server-dev)"
	exit 0
fi
unset MAKEFLAGS MFLAGS MAKELEVEL
B=$T/build
mkdir -p "$B/src/static"
cp "$top"/src/*.c "$top"/src/*.h "$B/src"
cp "$top"/src/static/*.c "$B/src/static"
cp "$top/Makefile" "$B"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
make -C "$B" -j2 STATIC_LIBPQ=1 WERROR=-Werror \
    CFLAGS="$(dpkg-buildflags --get CFLAGS)" \
    CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" bin/co-serve >"$T/build.log" 2>&1
check_same "STATIC_LIBPQ=1 hardened build exits 0" 0 "$?"
check "no compiler warnings" sh -c "! grep -i 'warning:' '$T/build.log'"
S=$B/bin/co-serve
ldd "$S" >"$T/ldd" 2>&1
check "no libpq.so" sh -c "! grep -q 'libpq\.so' '$T/ldd'"
check "no GSSAPI, LDAP or GnuTLS" sh -c \
    "! grep -Eq 'libgssapi|libldap|libgnutls|libkrb5' '$T/ldd'"
check "no shared OpenSSL" sh -c "! grep -Eq 'libssl|libcrypto' '$T/ldd'"
check_same "6 shared objects (vdso, libjq, libonig, libm, libc, ld.so)" 6 \
    "$(grep -c . "$T/ldd")"
check "still PIE with BIND_NOW" sh -c \
    "readelf -d '$S' | grep -q 'Flags: NOW PIE'"

pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "CREATE ROLE api LOGIN IN ROLE co_analyst;
   INSERT INTO tenant_members VALUES ('api', '*');
   INSERT INTO users (id) VALUES ('tenant-a'), ('tenant-b');
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", direction,
    status, outcome) VALUES ('call-a', 'tenant-a', 'room-a', 'inbound',
    'completed', 'completed'), ('call-b', 'tenant-b', 'room-b', 'inbound',
    'completed', 'busy')" >/dev/null
export CO_API_JWT_SECRET=static-test-secret-NOT-REAL-7c6b5a49
TOK=$(api-sign "$CO_API_JWT_SECRET" \
    "{\"sub\":\"tenant-a\",\"exp\":$(($(date +%s) + 3600))}")
req() {
	printf 'GET /api/calls/%s/outcome HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n' \
	    "$1" "$TOK" | PGUSER=api "$2" -l stderr 2>/dev/null |
	    sed '1s/\r$//;/^Date:/d'
}
req call-a "$S" >"$T/static.out"
check_same "outcome: 200" "HTTP/1.1 200 OK" "$(head -n 1 "$T/static.out")"
check_same "outcome: as the default build answers" \
    "$(req call-a co-serve)" "$(cat "$T/static.out")"
check_same "another tenant's call: 404" "HTTP/1.1 404 Not Found" \
    "$(req call-b "$S" | head -n 1)"
done_testing
