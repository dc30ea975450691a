/*
 * jqleak.h - for the fuzz targets: would libjq 1.6 take every JSON text
 * an input makes us parse?  jq 1.6 leaks a value on some malformed JSON
 * (value() in jv_parse.c on "Expected separator between values", fixed in
 * jq 1.7), so a run on text jq refuses is not leak-checked; every run on
 * well-formed JSON is.  Static functions: included by one target each.
 */
#include <sanitizer/lsan_interface.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jv.h>

#include "crypto.h"

/* Would jq take this JSON text without an error (and its 1.6 leak)? */
static int
fz_json_ok(const char *s, size_t n)
{
	char *buf;
	jv v;
	int ok;

	__lsan_disable();
	if ((buf = malloc(n + 1)) == NULL)
		abort();
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = jv_parse_sized(buf, (int)n);
	ok = jv_is_valid(v);
	jv_free(v);
	free(buf);
	__lsan_enable();
	return ok;
}

/* The same for one base64url part of a token; undecodable is fine. */
static int
fz_part_ok(const char *s, size_t n)
{
	unsigned char *buf;
	long len;
	int ok;

	if ((buf = malloc(n + 1)) == NULL)
		abort();
	len = b64_decode(s, n, buf, n, 1);
	ok = len < 0 || fz_json_ok((const char *)buf, (size_t)len);
	free(buf);
	return ok;
}

/* Does jq parse every JSON text of tok, with or without "Bearer "? */
static int
fz_token_ok(const char *t, size_t n)
{
	const char *d1, *d2, *end = t + n;

	if (n >= 7 && strncasecmp(t, "bearer ", 7) == 0 &&
	    !fz_token_ok(t + 7, n - 7))
		return 0;
	while (n > 0 && (*t == ' ' || (*t >= '\t' && *t <= '\r'))) {
		t++;
		n--;
	}
	if ((d1 = memchr(t, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL)
		return 1;
	return fz_part_ok(t, (size_t)(d1 - t)) &&
	    fz_part_ok(d1 + 1, (size_t)(d2 - d1 - 1));
}

