# call-outcomes: plain make, no autotools.  See README.md.
VERSION = 0.2.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/call-outcomes
DOCDIR ?= $(PREFIX)/share/doc/call-outcomes

# CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS are the builder's (dpkg-buildflags
# hardening works); ours come first so that the builder's win.  WERROR is
# empty in the default build; make check and CI set it to -Werror.
CC ?= cc
CFLAGS ?= -O2 -g
WERROR ?=
PKGS = libpq libcurl openssl
CO_CPPFLAGS = -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	-DCO_SHAREDIR='"$(SHAREDIR)"' -DCO_MIGRATIONS='"$(SHAREDIR)/migrations"' \
	-DCO_VERSION='"$(VERSION)"'
CO_CFLAGS = -std=c11 -Wall -Wextra $(WERROR)
ALL_CFLAGS = $(CO_CPPFLAGS) $(CPPFLAGS) $(CO_CFLAGS) $(CFLAGS)
CO_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ljq -lz -lm

# co-receive links the few functions it takes from OpenSSL (SHA256_*,
# SHA1_*, CRYPTO_memcmp, OPENSSL_cleanse: no EVP, no initialisation) from
# libcrypto.a when there is one: loading libcrypto.so costs each request
# about 0.6 ms of CPU (co-receive(1)).  STATIC_CRYPTO=0 links the shared
# one, so that OpenSSL's updates reach it without a rebuild.
CRYPTO_A = $(shell pkg-config --variable=libdir libcrypto 2>/dev/null)/libcrypto.a
STATIC_CRYPTO ?= $(if $(wildcard $(CRYPTO_A)),1,0)
ifeq ($(STATIC_CRYPTO),1)
CRYPTO_LIBS = $(CRYPTO_A)
else
CRYPTO_LIBS = $(shell pkg-config --libs libcrypto 2>/dev/null)
endif

# .build-config records what the objects were built with (PREFIX among
# it): when any of it changes, everything is rebuilt, so "make install
# PREFIX=/usr" after "make" installs tools that look under /usr.
BUILD_CONFIG = $(CC) $(ALL_CFLAGS) | $(LDFLAGS) | $(LDLIBS) | $(CRYPTO_LIBS) \
	$(STATIC_LIBPQ)
ifeq ($(filter clean uninstall deps check check-asan demo,$(MAKECMDGOALS)),)
ifneq ($(file <.build-config),$(BUILD_CONFIG))
$(file >.build-config,$(BUILD_CONFIG))
endif
endif

# Each tool is one src/co-NAME.c with its main.
TOOLS = $(patsubst src/%.c,%,$(wildcard src/co-*.c))
BINS = $(TOOLS:%=bin/%)

# Every src/*.c that is not a tool's main belongs to the library.
LIBSRC = $(filter-out src/co-%.c,$(wildcard src/*.c))
LIBOBJ = $(LIBSRC:.c=.o)
HDRS = $(wildcard src/*.h) .build-config

all: $(BINS) tests/bin/co-gen

# Test data generator; not installed.
tests/bin/co-gen: tests/gen/co-gen.c libco.a $(HDRS)
	@mkdir -p tests/bin
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ tests/gen/co-gen.c libco.a \
	    $(CO_LIBS) $(LDLIBS)

libco.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

# The shipped mappings' text, compiled in: a program with exactly these
# bytes runs as its C mapping (src/map.h, co-transform(1)).
MAPJQ = share/livekit.jq share/elevenlabs.jq share/twilio.jq
src/map_jq.h: $(MAPJQ)
	for f in $(MAPJQ); do \
		n=$$(basename $$f .jq); \
		echo "static const unsigned char map_jq_$$n[] = {"; \
		od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo "};"; \
	done >$@.tmp && mv $@.tmp $@
src/map.o: src/map_jq.h

src/%.o: src/%.c $(HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/co-%: src/co-%.o libco.a
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< libco.a $(CO_LIBS) $(LDLIBS)

bin/co-receive: CO_LIBS = -Wl,--as-needed $(CRYPTO_LIBS) -ljq -lm
# co-serve too, per request: libpq and libcrypto, not libcurl's dozen.
bin/co-serve: CO_LIBS = -Wl,--as-needed $(shell pkg-config --libs libpq libcrypto 2>/dev/null) -ljq -lm
# STATIC_LIBPQ=1: co-serve takes libpq.a (with postgresql-server-dev's
# libpgcommon_shlib.a and libpgport_shlib.a), OpenSSL's .a and no GSSAPI
# or LDAP (src/static/nogss.c); co-serve(1) says what it saves and costs.
STATIC_LIBPQ ?=
ifeq ($(STATIC_LIBPQ),1)
PGLIB = $(shell pg_config --pkglibdir 2>/dev/null)
SSLLIB = $(shell pkg-config --variable=libdir libssl 2>/dev/null)
bin/co-serve: src/static/nogss.o
bin/co-serve: CO_LIBS = src/static/nogss.o \
	$(shell pkg-config --variable=libdir libpq)/libpq.a \
	$(PGLIB)/libpgcommon_shlib.a $(PGLIB)/libpgport_shlib.a \
	$(SSLLIB)/libssl.a $(SSLLIB)/libcrypto.a -Wl,--as-needed -ljq -lm -pthread
endif

# A fourth provider defined only in tests/fake/, linked with a table of
# its own in place of src/providers.c into test copies of the tools that
# read the table (tests/0670-fake-provider.t).  Built by make check.
FAKE_BINS = tests/fake/co-receive-fake tests/fake/co-verify-fake \
	tests/fake/co-transform-fake tests/fake/co-load-fake \
	tests/fake/co-drain-fake
FAKE_OBJ = tests/fake/providers.o tests/fake/provider_fake.o \
	tests/fake/load_fake.o
fake: $(FAKE_BINS)
tests/fake/%.o: tests/fake/%.c $(HDRS)
	$(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<
tests/fake/co-%-fake: src/co-%.o $(FAKE_OBJ) libco.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(FAKE_OBJ) libco.a \
	    $(CO_LIBS) $(LDLIBS)

# The unsupported launcher and cron examples, installed as documentation.
CONTRIB = $(shell find contrib -type f 2>/dev/null | sort)

# Installs what is missing on Debian when root, else names the command.
deps:
	@sh tests/setup-deps.sh

check: deps
	$(MAKE) WERROR=-Werror all fake
	mandoc -Tlint -Wwarning man/*.[1-8]
	CO_SHARE=$$PWD/share CO_MIGRATIONS=$$PWD/migrations \
	    PATH=$$PWD/bin:$$PWD/tests/bin:$$PATH prove -j2 tests/*.t

# The whole suite again, built with AddressSanitizer and UBSan.
ASAN = CC=clang CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
check-asan:
	$(MAKE) clean
	ASAN_OPTIONS=detect_leaks=0 $(MAKE) check $(ASAN)
	$(MAKE) clean

# libFuzzer targets, each run for FUZZTIME seconds.
FUZZTIME ?= 20
FUZZERS = $(patsubst tests/fuzz/%.c,tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined -std=c11 \
	-Isrc $(CO_CPPFLAGS)
fuzz: $(FUZZERS)
	for f in $(FUZZERS); do \
		mkdir -p $$f.corpus; \
		$$f -max_total_time=$(FUZZTIME) -max_len=65536 $$f.corpus tests/fuzz/seeds || exit 1; \
	done
tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIBSRC) $(HDRS) src/map_jq.h
	clang $(FUZZFLAGS) -o $@ $< $(LIBSRC) $(CO_LIBS)

demo: deps
	$(MAKE) all
	sh tests/demo.sh

bench: all
	sh tests/bench/bench.sh

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)/migrations
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 share/*.jq share/openapi.yaml $(DESTDIR)$(SHAREDIR)
	install -m 644 migrations/*.sql $(DESTDIR)$(SHAREDIR)/migrations
	for m in man/*.[17]; do \
		sed -e 's|/usr/local/share/call-outcomes|$(SHAREDIR)|g' \
		    -e 's|/usr/local/share/doc/call-outcomes|$(DOCDIR)|g' $$m \
		    >$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/} || exit 1; \
		chmod 644 $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/}; \
	done
	for f in $(CONTRIB); do \
		install -D -m $$(test -x $$f && echo 755 || echo 644) $$f \
		    $(DESTDIR)$(DOCDIR)/examples/$${f#contrib/} || exit 1; \
	done

# Removes what install put there, and the share directory when empty.
uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst share/%,$(DESTDIR)$(SHAREDIR)/%,$(wildcard share/*.jq share/openapi.yaml))
	rm -f $(patsubst %,$(DESTDIR)$(SHAREDIR)/%,$(wildcard migrations/*.sql))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -f $(CONTRIB:contrib/%=$(DESTDIR)$(DOCDIR)/examples/%)
	-rmdir $(DESTDIR)$(SHAREDIR)/migrations $(DESTDIR)$(SHAREDIR)
	-test ! -d $(DESTDIR)$(DOCDIR) || \
	    find $(DESTDIR)$(DOCDIR) -depth -type d -empty -delete

clean:
	rm -f src/*.o src/static/*.o src/map_jq.h libco.a $(BINS) $(FUZZERS) \
	    tests/bin/co-gen .build-config $(FAKE_BINS) $(FAKE_OBJ)
	rm -rf tests/fuzz/*.corpus

.PHONY: all deps check check-asan fuzz fake demo bench install uninstall clean
.SECONDARY:
