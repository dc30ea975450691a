/*
 * map.c - which built-in mapping a program is, and the few jq 1.6
 * builtins the mappings need, written so that they give what libjq gives
 * (its comparison of numbers, tonumber through jv_parse, number printing
 * through jv_dump_string).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "map.h"
#include "map_jq.h"

static const struct {
	const unsigned char *text;
	size_t	 len;
	map_fn	*fn;
} shipped[] = {
	{ map_jq_livekit, sizeof(map_jq_livekit), map_livekit },
	{ map_jq_elevenlabs, sizeof(map_jq_elevenlabs), map_elevenlabs },
	{ map_jq_twilio, sizeof(map_jq_twilio), map_twilio },
};

map_fn *
map_find(const char *text, size_t len)
{
	const char *s;
	size_t i;

	if ((s = getenv("CO_MAP")) != NULL && strcmp(s, "jq") == 0)
		return NULL;
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
		if (len == shipped[i].len &&
		    memcmp(text, shipped[i].text, len) == 0)
			return shipped[i].fn;
	return NULL;
}

/*
 * The mapping for a program file, read again here (once per program; a
 * file longer than the longest shipped program cannot be one).
 */
map_fn *
map_file(const char *file)
{
	char buf[65536];
	map_fn *fn;
	FILE *fp;
	size_t n;

	if ((fp = fopen(file, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf), fp);
	fn = ferror(fp) || n == sizeof(buf) ? NULL : map_find(buf, n);
	fclose(fp);
	return fn;
}

/* .key of o (not consumed): null unless o is an object that has it. */
jv
map_get(jv o, const char *key)
{
	jv v;

	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(o), jv_string(key));
	return jv_is_valid(v) ? v : jv_null();
}

/* A non-empty string, else null (consumed). */
jv
map_str(jv v)
{
	if (jv_get_kind(v) == JV_KIND_STRING &&
	    jv_string_length_bytes(jv_copy(v)) > 0)
		return v;
	jv_free(v);
	return jv_null();
}

/* An object, else null (consumed). */
jv
map_obj(jv v)
{
	if (jv_get_kind(v) == JV_KIND_OBJECT)
		return v;
	jv_free(v);
	return jv_null();
}

/* jq's "if . then": anything but null and false (not consumed). */
int
map_true(jv v)
{
	return jv_get_kind(v) != JV_KIND_NULL &&
	    jv_get_kind(v) != JV_KIND_FALSE;
}

/* jv_cmp on two numbers: NaN is greater than anything, both ways. */
int
map_ncmp(double a, double b)
{
	return a < b ? -1 : a == b ? 0 : 1;
}

/*
 * try tonumber catch null (consumed): a number, the number jv_parse makes
 * of a string's text up to its first NUL, else null.
 */
jv
map_tonumber(jv v)
{
	jv n;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return v;
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return jv_null();
	}
	n = jv_parse(jv_string_value(v));
	jv_free(v);
	if (jv_get_kind(n) == JV_KIND_NUMBER)
		return n;
	jv_free(n);
	return jv_null();
}

/* tostring of a number (consumed), as jq prints it. */
jv
map_tostring(jv v)
{
	return jv_dump_string(v, 0);
}

/* .[from:to] of a string (consumed), in code points, clamped as jq does. */
jv
map_slice(jv s, int from, int to)
{
	int len;

	len = jv_string_length_codepoints(jv_copy(s));
	if (to > len)
		to = len;
	if (from > len)
		from = len;
	if (to < from)
		to = from;
	return jv_string_slice(s, from, to);
}

/* Is v (not consumed) the string s? */
int
map_streq(jv v, const char *s)
{
	size_t n = strlen(s);

	return jv_get_kind(v) == JV_KIND_STRING &&
	    (size_t)jv_string_length_bytes(jv_copy(v)) == n &&
	    memcmp(jv_string_value(v), s, n) == 0;
}

/* startswith(s) of a string v (not consumed). */
int
map_startswith(jv v, const char *s)
{
	size_t n = strlen(s);

	return jv_get_kind(v) == JV_KIND_STRING &&
	    (size_t)jv_string_length_bytes(jv_copy(v)) >= n &&
	    memcmp(jv_string_value(v), s, n) == 0;
}

/* e164 (consumed): "+" and 6 to 15 digits, the first not 0. */
jv
map_e164(jv v)
{
	const char *s;
	int i, n;
	jv r;

	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return jv_null();
	}
	s = jv_string_value(v);
	n = jv_string_length_bytes(jv_copy(v));
	if (n > 0 && s[0] == '+') {
		s++;
		n--;
	}
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i < n || n < 6 || n > 15 || s[0] == '0') {
		jv_free(v);
		return jv_null();
	}
	r = jv_string_concat(jv_string("+"), jv_string_sized(s, n));
	jv_free(v);
	return r;
}

/* direction (consumed). */
jv
map_direction(jv v)
{
	const char *r = NULL;

	if (map_startswith(v, "outbound"))
		r = "outbound";
	else if (map_startswith(v, "inbound"))
		r = "inbound";
	jv_free(v);
	return r != NULL ? jv_string(r) : jv_null();
}

/* -6.7e16 < t < 6.7e16 as jq compares (NaN fails). */
int
map_in_range(double t)
{
	return map_ncmp(-6.7e16, t) < 0 && map_ncmp(t, 6.7e16) < 0;
}

double
map_floor(double t)
{
	return floor(t);
}

/*
 * floor | gmtime | strftime("%Y-%m-%dT%H:%M:%SZ") (todate) of a time in
 * range: jq 1.6 converts the double to time_t and prints the struct tm it
 * got back from an array of numbers, which is the same struct.
 */
jv
map_rfc3339(double t)
{
	struct tm tm, *tp;
	time_t secs;
	char buf[128];

	secs = (time_t)floor(t);
	if ((tp = gmtime_r(&secs, &tm)) == NULL)
		return jv_null();	/* not reached in range */
	if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", tp) == 0)
		return jv_null();
	return jv_string(buf);
}

jv
map_or(jv a, jv b)
{
	if (jv_get_kind(a) != JV_KIND_NULL) {
		jv_free(b);
		return a;
	}
	jv_free(a);
	return b;
}
