/*
 * fuzz_jsondump.c - libFuzzer target for jsondump.c: whatever JSON libjq
 * parses, jsondump prints exactly what jv_dump_string(v, 0) prints, and
 * rawbody_strict takes no text libjq refuses or reads as a non-object.
 * Leaks are not checked (libjq 1.6 leaks on some malformed JSON).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "jsondump.h"
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
	static struct jsondump d;
	jv v, s;

	v = jv_parse_sized((const char *)data, (int)size);
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
