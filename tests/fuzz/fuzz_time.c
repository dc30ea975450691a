/*
 * fuzz_time.c - libFuzzer target for the one RFC 3339 parser, rfc3339.c
 * (co-query's and co-serve's times, an envelope's received_at, the
 * loader's check before PostgreSQL), in each of its modes, and for
 * spool_name_time (the unix time in a spool file's name).
 * Rule: whatever the bytes, no crash and no read past the string; the
 * modes nest (UTC within strict within date-or-time); rfc3339_time takes
 * what rfc3339_check takes; a time it reads, written by conf_rfc3339,
 * reads back the same, and in UTC is written as it was read.
 * Agreement with PostgreSQL itself is tests/0115-time.t.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "rfc3339.h"
#include "spool.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* s (valid, strict) in UTC: its first 19 bytes as conf_rfc3339 writes. */
static int
fz_same_utc(const char *s, const char *buf)
{
	size_t z = strspn(s + 19, ".0123456789");
	int i;

	if (toupper((unsigned char)s[19 + z]) != 'Z')
		return 1;	/* an offset: no such check */
	for (i = 0; i < 19; i++)
		if (i == 10 ? buf[i] != 'T' : s[i] != buf[i])
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *end, *w;
	char *s, buf[64];
	time_t t, t2;
	int strict;

	if (size > 256)
		return 0;	/* every reader stops long before */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	(void)spool_name_time(s);
	if (rfc3339_check(s, RFC3339_DATE, &end) == NULL &&
	    (end < s || end > s + size))
		abort();
	if (rfc3339_check(s, RFC3339_UTC, &end) == NULL &&
	    (end < s || end > s + size))
		abort();
	strict = rfc3339_check(s, 0, NULL) == NULL;
	if (rfc3339_check(s, RFC3339_UTC, NULL) == NULL && !strict)
		abort();	/* UTC is a subset */
	if (strict && rfc3339_check(s, RFC3339_DATE, NULL) != NULL)
		abort();	/* dates alone are a superset */
	w = rfc3339_time(s, &t);
	if ((w == NULL) != strict)
		abort();	/* the check and the reader disagree */
	if (strict) {
		conf_rfc3339(buf, sizeof(buf), t, -1);
		if (rfc3339_time(buf, &t2) != NULL || t2 != t ||
		    rfc3339_check(buf, RFC3339_UTC, NULL) != NULL)
			abort();	/* no round trip */
		if (!fz_same_utc(s, buf))
			abort();	/* read as another time */
	}
	free(s);
	return 0;
}
