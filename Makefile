# call-outcomes: plain make, no autotools.  See README.md.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/call-outcomes

CC ?= cc
CFLAGS ?= -O2 -g
PKGS = libpq libcurl openssl
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	$(shell pkg-config --cflags $(PKGS)) \
	-DCO_SHAREDIR='"$(SHAREDIR)"' -DCO_MIGRATIONS='"$(SHAREDIR)/migrations"'
LDLIBS += $(shell pkg-config --libs $(PKGS)) -ljq -lm

# Each tool is one src/co-NAME.c with its main.
TOOLS = $(patsubst src/%.c,%,$(wildcard src/co-*.c))
BINS = $(TOOLS:%=bin/%)

# Every src/*.c that is not a tool's main belongs to the library.
LIBSRC = $(filter-out src/co-%.c,$(wildcard src/*.c))
LIBOBJ = $(LIBSRC:.c=.o)
HDRS = $(wildcard src/*.h)

all: $(BINS) tests/bin/co-gen

# Test data generator; not installed.
tests/bin/co-gen: tests/gen/co-gen.c libco.a $(HDRS)
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ tests/gen/co-gen.c libco.a $(LDLIBS)

libco.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

src/%.o: src/%.c $(HDRS)
	$(CC) $(CFLAGS) -c -o $@ $<

bin/co-%: src/co-%.o libco.a
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< libco.a $(LDLIBS)

# co-receive is started once per request; resolving libcrypto.so's symbols
# is a sixth of its CPU, so it takes libcrypto.a where there is one.
CRYPTO_A = $(wildcard $(shell pkg-config --variable=libdir libcrypto)/libcrypto.a)
bin/co-receive: LDLIBS = $(or $(CRYPTO_A),-lcrypto) -ljq -lm
# co-serve too, per request: libpq and libcrypto, not libcurl's dozen.
bin/co-serve: LDLIBS = -Wl,--as-needed $(shell pkg-config --libs libpq libcrypto) -ljq -lm

check: all
	mandoc -Tlint -Wwarning man/*.[1-8]
	CO_SHARE=$$PWD/share CO_MIGRATIONS=$$PWD/migrations \
	    PATH=$$PWD/bin:$$PWD/tests/bin:$$PATH prove -j2 tests/*.t

# The whole suite again, built with AddressSanitizer and UBSan.
check-asan:
	$(MAKE) clean
	$(MAKE) all CC=clang CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
	ASAN_OPTIONS=detect_leaks=0 $(MAKE) check
	$(MAKE) clean

# libFuzzer targets, each run for FUZZTIME seconds.
FUZZTIME ?= 20
FUZZERS = $(patsubst tests/fuzz/%.c,tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE \
	-Isrc $(shell pkg-config --cflags $(PKGS))
fuzz: $(FUZZERS)
	for f in $(FUZZERS); do \
		mkdir -p $$f.corpus; \
		$$f -max_total_time=$(FUZZTIME) -max_len=65536 $$f.corpus tests/fuzz/seeds || exit 1; \
	done
tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIBSRC) $(HDRS)
	clang $(FUZZFLAGS) -o $@ $< $(LIBSRC) $(LDLIBS)

demo: all
	sh tests/demo.sh

bench: all
	sh tests/bench/bench.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)/migrations
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 share/*.jq share/openapi.yaml $(DESTDIR)$(SHAREDIR)
	install -m 644 migrations/*.sql $(DESTDIR)$(SHAREDIR)/migrations
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7

clean:
	rm -f src/*.o libco.a $(BINS) $(FUZZERS) tests/bin/co-gen
	rm -rf tests/fuzz/*.corpus

.PHONY: all check check-asan fuzz demo bench install clean
.SECONDARY:
