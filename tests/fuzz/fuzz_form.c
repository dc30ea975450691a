/*
 * fuzz_form.c - libFuzzer target for co-receive's form reader (http.c):
 * http_form_ok, which decides whether a Twilio body is a form, and
 * http_form_value, which reads CallSid and CallStatus out of one (and
 * bodySHA256 out of a query), and http_form_object, which gives a form's
 * fields to co-transform's programs.
 * Rule: whatever the bytes, no crash and no read or write out of bounds;
 * what http_form_ok takes is made only of query characters with every '%'
 * followed by two hex digits; a value read fits its buffer, NUL-terminated,
 * and never decodes to more bytes than the form holds; the object holds
 * the value http_form_value reads (when names cannot be spelt two ways).
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

/* Does every '&'-separated field hold a '='? */
static int
all_named(const char *s, size_t n)
{
	size_t i;
	int eq = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '&') {
			if (!eq)
				return 0;
			eq = 0;
		} else if (s[i] == '=')
			eq = 1;
	}
	return 1;
}

/*
 * The object's member name is the value http_form_value reads, when a
 * name cannot be spelt two ways (no '%'), every field has a value and the
 * value fits the buffer.
 */
static void
object(const char *s, size_t n, const char *name)
{
	char buf[512];
	jv o, v;
	int plain;

	o = http_form_object(s, n);
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		abort();
	plain = memchr(s, '%', n) == NULL && memchr(s, '\0', n) == NULL &&
	    strchr(name, '+') == NULL && http_utf8(s, n) && all_named(s, n);
	v = jv_object_get(o, jv_string(name));
	if (plain && http_form_value(s, n, name, buf, sizeof(buf)) &&
	    strlen(buf) < sizeof(buf) - 1 && (jv_get_kind(v) != JV_KIND_STRING ||
	    strcmp(jv_string_value(v), buf) != 0))
		abort();
	jv_free(v);
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
	object(s, size, "CallSid");
	/* A name taken from the input itself, up to its first '='. */
	for (nlen = 0; nlen < size && s[nlen] != '=' && s[nlen] != '&' &&
	    s[nlen] != '\0'; nlen++)
		;
	if (nlen > 0 && nlen < sizeof(name) && nlen < size) {
		memcpy(name, s, nlen);
		name[nlen] = '\0';
		value(s, size, name, 3);
		value(s, size, name, 256);
		object(s, size, name);
	}
	return 0;
}
