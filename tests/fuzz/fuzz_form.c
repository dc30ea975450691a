/*
 * fuzz_form.c - libFuzzer target for co-receive's form reader (http.c):
 * http_form_ok, which decides whether a Twilio body is a form, and
 * http_form_value, which reads CallSid and CallStatus out of one (and
 * bodySHA256 out of a query).
 * Rule: whatever the bytes, no crash and no read or write out of bounds;
 * what http_form_ok takes is made only of query characters with every '%'
 * followed by two hex digits; a value read fits its buffer, NUL-terminated,
 * and never decodes to more bytes than the form holds.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An independent reading of what http_form_ok promises. */
static int
form_shape(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (!isalnum((unsigned char)s[i]) &&
		    strchr("-._~!$'()*,;:@/?+%=&", s[i]) == NULL))
			return 0;
		if (s[i] == '%' && (i + 2 >= n ||
		    !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2])))
			return 0;
	}
	return n > 0 && s[0] != '&' && s[0] != '=' && s[n - 1] != '&';
}

static void
value(const char *s, size_t n, const char *name, size_t sz)
{
	char *buf;

	if ((buf = malloc(sz)) == NULL)
		abort();
	memset(buf, 'X', sz);
	if (http_form_value(s, n, name, buf, sz)) {
		if (memchr(buf, '\0', sz) == NULL || strlen(buf) > n)
			abort();
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char name[16];
	size_t nlen;

	if (http_form_ok(s, size) && !form_shape(s, size))
		abort();
	/* The exact-size copy lets ASan see a read past the end. */
	value(s, size, "CallSid", 128);
	value(s, size, "CallStatus", 64);
	value(s, size, "bodySHA256", 8);
	value(s, size, "CallSid", 1);
	/* A name taken from the input itself, up to its first '='. */
	for (nlen = 0; nlen < size && s[nlen] != '=' && s[nlen] != '&' &&
	    s[nlen] != '\0'; nlen++)
		;
	if (nlen > 0 && nlen < sizeof(name) && nlen < size) {
		memcpy(name, s, nlen);
		name[nlen] = '\0';
		value(s, size, name, 3);
		value(s, size, name, 256);
	}
	return 0;
}
