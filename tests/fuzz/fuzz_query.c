/*
 * fuzz_query.c - libFuzzer target for co-query's option value readers:
 * the input is "since\nuntil\ncursor", read as --since, --until and
 * --after read them (qparse.c).
 * Rule: whatever the bytes, no crash, no leak, no read past the string;
 * an accepted cursor has exactly one '/' (co-query cuts it there).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *p, *f;
	int i;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	p = s;
	for (i = 0; i < 3 && (f = strsep(&p, "\n")) != NULL; i++) {
		if (i < 2)
			(void)qparse_time(f);
		else if (qparse_cursor(f) == 0 &&
		    (strchr(f, '/') == NULL || strchr(f, '/') != strrchr(f, '/')))
			abort();
	}
	free(s);
	return 0;
}
