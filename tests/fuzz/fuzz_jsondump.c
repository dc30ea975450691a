/*
 * fuzz_jsondump.c - libFuzzer target for jsondump.c and jsonparse.c:
 * whatever JSON libjq parses, jsondump prints exactly what
 * jv_dump_string(v, 0) prints; jsonparse makes of any text what
 * jv_parse_sized makes of it (the same value, printed the same, or the
 * same error); rawbody_strict takes no text libjq refuses or reads as a
 * non-object.
 * Leaks are not checked (libjq 1.6 leaks on some malformed JSON).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "jsondump.h"
#include "jsonparse.h"
#include "rawbody.h"

const char *__asan_default_options(void);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsondump d, d2;
	char *text;
	jv v, s, w;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	v = jv_parse_sized(text, (int)size);
	w = jsonparse(text, size);
	free(text);
	if (jv_get_kind(v) != jv_get_kind(w))
		abort();
	if (!jv_is_valid(v)) {
		s = jv_invalid_get_msg(jv_copy(v));
		if (!jv_equal(s, jv_invalid_get_msg(w)))
			abort();
	} else {
		d.len = d2.len = 0;
		jsondump(&d, v);
		jsondump(&d2, w);
		if (d.len != d2.len || memcmp(d.p, d2.p, d.len) != 0) {
			fprintf(stderr, "fuzz_jsondump: jv_parse %.*s\n"
			    "fuzz_jsondump: jsonparse %.*s\n", (int)d.len,
			    d.p, (int)d2.len, d2.p);
			abort();
		}
		jv_free(w);
	}
	if (rawbody_strict((const char *)data, size) &&
	    jv_get_kind(v) != JV_KIND_OBJECT)
		abort();
	if (!jv_is_valid(v)) {
		jv_free(v);
		return 0;
	}
	d.len = 0;
	jsondump(&d, v);
	s = jv_dump_string(v, 0);
	if ((size_t)jv_string_length_bytes(jv_copy(s)) != d.len ||
	    memcmp(jv_string_value(s), d.p, d.len) != 0) {
		fprintf(stderr, "fuzz_jsondump: libjq %s\n"
		    "fuzz_jsondump: ours  %.*s\n", jv_string_value(s),
		    (int)d.len, d.p);
		abort();
	}
	jv_free(s);
	return 0;
}
