/*
 * jsonparse.h - jv_parse_sized, faster on plain JSON: the value libjq
 * 1.6 makes of the text, or its error, exactly.  RFC 8259 text is read
 * here; anything else (libjq's extensions, errors, escapes of surrogates,
 * control characters, bad UTF-8, a byte-order mark, deep nesting) is
 * handed to libjq's parser.  tests/fuzz/fuzz_jsondump.c holds the two
 * equal.
 */
#ifndef CO_JSONPARSE_H
#define CO_JSONPARSE_H

#include <stddef.h>

#include <jv.h>

/* s[0..n) must be followed by a NUL, as jv_parse_sized's input may be. */
jv	jsonparse(const char *, size_t);

#endif
