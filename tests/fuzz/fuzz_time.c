/*
 * fuzz_time.c - libFuzzer target for every reader of an RFC 3339 time in
 * src/: conf_parse_rfc3339 (received_at), copy_is_time (the loader's
 * check before PostgreSQL), qparse_time (co-query --since/--until) and
 * spool_name_time (the unix time in a spool file's name).
 * Rule: whatever the bytes, no crash and no read past the string; a time
 * conf_parse_rfc3339 reads, written by conf_rfc3339, reads back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "copyrow.h"
#include "qparse.h"
#include "spool.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
	(void)qparse_time(s);
	(void)spool_name_time(s);
	if ((t = conf_parse_rfc3339(s)) != -1 && t >= 0 &&
	    t <= 253402300799) {
		conf_rfc3339(buf, sizeof(buf), t, -1);
		if (conf_parse_rfc3339(buf) != t)
			abort();
	}
	free(s);
	return 0;
}
