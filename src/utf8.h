/*
 * utf8.h - one UTF-8 character as RFC 3629 has it, for the JSON readers
 * (jsonparse.c, rawbody.c), which must refuse what libjq and jsonb would
 * not take as it is.
 */
#ifndef CO_UTF8_H
#define CO_UTF8_H

#include <stddef.h>

/*
 * Bytes of the character of 2 to 4 bytes at p (before end): shortest form,
 * not a surrogate, at most U+10FFFF; 0 when it is none.
 */
static inline size_t
utf8_char(const unsigned char *p, const unsigned char *end)
{
	unsigned c = *p, n, min, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, c &= 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)(end - p) < n + 1)
		return 0;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n + 1;
}

#endif
