/*
 * fuzz_time.c - libFuzzer target for every reader of an RFC 3339 time in
 * src/: conf_parse_rfc3339 (an envelope's received_at), copy_is_time (the
 * loader's check before PostgreSQL), spool_name_time (the unix time in a
 * spool file's name) and, where it exists, rfc3339_check (co-query's
 * --since, --until and the time of --after) in each of its modes.
 * Rule: whatever the bytes, no crash and no read past the string; a time
 * conf_parse_rfc3339 reads, written by conf_rfc3339, reads back the same;
 * the strict readers agree on what they both claim to read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "copyrow.h"
#include "spool.h"
#if __has_include("rfc3339.h")
#include "rfc3339.h"
#define FZ_RFC3339	1
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The shape conf_parse_rfc3339 and rfc3339_check both take: "T", seconds
 * below 60, a fraction of at most 9 digits, "Z" or an offset.
 */
static int
fz_common(const char *s)
{
	size_t n = strlen(s), f = 0;

	if (n < 20 || s[10] != 'T' || (s[17] == '6' && s[18] == '0'))
		return 0;
	if (s[19] == '.')
		f = strspn(s + 20, "0123456789");
	return f <= 9 && (s[19 + (f ? f + 1 : 0)] == 'Z' ||
	    s[19 + (f ? f + 1 : 0)] == '+' || s[19 + (f ? f + 1 : 0)] == '-');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[64];
	time_t t;

	if (size > 256)
		return 0;	/* every reader stops long before */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	(void)copy_is_time(s);
	(void)spool_name_time(s);
	t = conf_parse_rfc3339(s);
	if (t != -1) {
		conf_rfc3339(buf, sizeof(buf), t, -1);
		if (conf_parse_rfc3339(buf) != t)
			abort();
	}
#ifdef FZ_RFC3339
	{
		const char *end;
		int strict;

		(void)rfc3339_check(s, RFC3339_DATE, NULL);
		if (rfc3339_check(s, RFC3339_UTC, &end) == NULL &&
		    (end < s || end > s + size))
			abort();
		strict = rfc3339_check(s, 0, NULL) == NULL;
		if (fz_common(s) && strict != (t != -1) &&
		    strncmp(s, "1969-12-31T23:59:59", 19) != 0)
			abort();	/* the two strict readers disagree */
	}
#endif
	free(s);
	return 0;
}
