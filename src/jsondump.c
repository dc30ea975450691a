/*
 * jsondump.c - jv_dump_string(v, 0) again, into one growable buffer
 * instead of a jv string grown a character at a time.  Strings in a jv are
 * valid UTF-8 (libjq replaces bad bytes when it makes them), so they are
 * copied bytewise but for what libjq escapes: '"', '\\', controls and DEL.
 * Numbers that are whole and under 10^15 are printed here (libjq's
 * shortest notation prints them as plain digits); others, NaN and the
 * infinities are printed by libjq.
 */
#include <err.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "jsondump.h"

static void
jd_grow(struct jsondump *d, size_t n)
{
	if (d->cap - d->len >= n + 1)
		return;
	while (d->cap - d->len < n + 1)
		d->cap = d->cap ? d->cap * 2 : 4096;
	if ((d->p = realloc(d->p, d->cap)) == NULL)
		err(EX_OSERR, NULL);
}

static void
jd_add(struct jsondump *d, const char *s, size_t n)
{
	jd_grow(d, n);
	memcpy(d->p + d->len, s, n);
	d->len += n;
	d->p[d->len] = '\0';
}

static void
jd_string(struct jsondump *d, jv s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p, *run, *end;
	unsigned char c;
	char *o;

	p = (const unsigned char *)jv_string_value(s);
	end = p + jv_string_length_bytes(jv_copy(s));
	jd_grow(d, (size_t)(end - p) + 2);
	d->p[d->len++] = '"';
	for (run = p; p < end; p++) {
		c = *p;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		jd_add(d, (const char *)run, (size_t)(p - run));
		run = p + 1;
		jd_grow(d, 6);
		o = d->p + d->len;
		*o++ = '\\';
		switch (c) {
		case '"': case '\\': *o++ = (char)c; break;
		case '\b': *o++ = 'b'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		case '\n': *o++ = 'n'; break;
		case '\f': *o++ = 'f'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
		d->len = (size_t)(o - d->p);
	}
	jd_add(d, (const char *)run, (size_t)(p - run));
	jd_add(d, "\"", 1);
}

static void
jd_number(struct jsondump *d, jv v)
{
	char buf[32], *o;
	double x = jv_number_value(v);
	unsigned long long u;
	jv s;

	if (x == floor(x) && fabs(x) < 1e15 && !(x == 0 && signbit(x))) {
		o = buf + sizeof(buf);
		u = (unsigned long long)fabs(x);
		do
			*--o = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (x < 0)
			*--o = '-';
		jd_add(d, o, (size_t)(buf + sizeof(buf) - o));
		return;
	}
	s = jv_dump_string(jv_copy(v), 0);
	jd_add(d, jv_string_value(s), (size_t)jv_string_length_bytes(
	    jv_copy(s)));
	jv_free(s);
}

void
jsondump(struct jsondump *d, jv v)
{
	jv s;
	int i, n, first;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		jd_add(d, "null", 4);
		break;
	case JV_KIND_TRUE:
		jd_add(d, "true", 4);
		break;
	case JV_KIND_FALSE:
		jd_add(d, "false", 5);
		break;
	case JV_KIND_NUMBER:
		jd_number(d, v);
		break;
	case JV_KIND_STRING:
		jd_string(d, v);
		break;
	case JV_KIND_ARRAY:
		jd_add(d, "[", 1);
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			if (i > 0)
				jd_add(d, ",", 1);
			s = jv_array_get(jv_copy(v), i);
			jsondump(d, s);
			jv_free(s);
		}
		jd_add(d, "]", 1);
		break;
	case JV_KIND_OBJECT:
		jd_add(d, "{", 1);
		first = 1;
		for (i = jv_object_iter(v); jv_object_iter_valid(v, i);
		    i = jv_object_iter_next(v, i)) {
			if (!first)
				jd_add(d, ",", 1);
			first = 0;
			s = jv_object_iter_key(v, i);
			jd_string(d, s);
			jv_free(s);
			jd_add(d, ":", 1);
			s = jv_object_iter_value(v, i);
			jsondump(d, s);
			jv_free(s);
		}
		jd_add(d, "}", 1);
		break;
	default:
		s = jv_dump_string(jv_copy(v), 0);
		jd_add(d, jv_string_value(s), (size_t)jv_string_length_bytes(
		    jv_copy(s)));
		jv_free(s);
	}
}

void
jsondump_free(struct jsondump *d)
{
	free(d->p);
	d->p = NULL;
	d->len = d->cap = 0;
}
