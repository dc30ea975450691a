/*
 * copyrow.c - checked COPY text fields for the loaders (load.c, load_el.c).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "copyrow.h"
#include "envelope.h"
#include "rawbody.h"

/* Member k of ev, or an invalid jv when absent (both jv_free-able). */
jv
copy_member(jv ev, const char *k)
{
	return jv_object_get(jv_copy(ev), jv_string(k));
}

int
copy_absent(jv v)
{
	return jv_get_kind(v) == JV_KIND_NULL ||
	    jv_get_kind(v) == JV_KIND_INVALID;
}

/* A string without NUL, or null. */
int
copy_text(struct dbuf *b, jv ev, const char *k)
{
	const char *s;
	size_t n;
	jv v;

	if ((s = env_str(ev, k, &n)) == NULL) {
		v = copy_member(ev, k);
		n = copy_absent(v);
		jv_free(v);
		if (!n)
			return -1;
		dbuf_copyfield(b, NULL, 0);
		return 0;
	}
	if (memchr(s, '\0', n) != NULL)
		return -1;
	dbuf_copyfield(b, s, n);
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * RFC 3339 date-time that PostgreSQL takes: the shape co-transform writes
 * and every field in range, so a "2026-02-30" is ours to reject.
 */
int
copy_is_time(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, se, i;

	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return 0;
	sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    se > 59 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return 0;
	s += i;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z')
		return s[1] == '\0';
	return (*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0' && (s[1] - '0') * 10 + s[2] - '0' <= 15 &&
	    (s[4] - '0') * 10 + s[5] - '0' <= 59;
}

int
copy_time(struct dbuf *b, jv ev, const char *k)
{
	const char *s;

	if ((s = env_str(ev, k, NULL)) != NULL && !copy_is_time(s))
		return -1;
	return copy_text(b, ev, k);
}

/* A whole number of 0 to 2^31-1, as PostgreSQL's integer takes it. */
int
copy_whole(jv v, double *d)
{
	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return 0;
	*d = jv_number_value(v);
	return *d >= 0 && *d <= 2147483647.0 && *d == floor(*d);
}

int
copy_int(struct dbuf *b, jv ev, const char *k)
{
	char num[32];
	double d;
	jv v;

	v = copy_member(ev, k);
	if (copy_absent(v)) {
		jv_free(v);
		dbuf_copyfield(b, NULL, 0);
		return 0;
	}
	if (!copy_whole(v, &d)) {
		jv_free(v);
		return -1;
	}
	jv_free(v);
	snprintf(num, sizeof(num), "%.0f", d);
	dbuf_str(b, num);
	return 0;
}

/* A finite number, for a numeric column, in jq's shortest notation. */
int
copy_num(struct dbuf *b, jv ev, const char *k)
{
	jv v, s;

	v = copy_member(ev, k);
	if (copy_absent(v)) {
		jv_free(v);
		dbuf_copyfield(b, NULL, 0);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_NUMBER ||
	    !isfinite(jv_number_value(v))) {
		jv_free(v);
		return -1;
	}
	s = jv_dump_string(v, 0);
	dbuf_str(b, jv_string_value(s));
	jv_free(s);
	return 0;
}

/*
 * v (consumed) as JSON for a jsonb column, which cannot hold \u0000: the
 * received body's own bytes when v is the payload parsed from them
 * (rawbody.h), else v printed.
 */
int
copy_jv(struct dbuf *b, jv v)
{
	const char *raw;
	size_t n;
	jv s;
	int bad;

	if ((raw = rawbody_for(v, &n)) != NULL) {
		dbuf_copyfield(b, raw, n);
		jv_free(v);
		return 0;
	}
	s = jv_dump_string(v, 0);
	if (!(bad = strstr(jv_string_value(s), "\\u0000") != NULL))
		dbuf_copyfield(b, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	return bad ? -1 : 0;
}

int
copy_json(struct dbuf *b, jv ev, const char *k)
{
	jv v;

	v = copy_member(ev, k);
	if (copy_absent(v)) {
		jv_free(v);
		dbuf_copyfield(b, NULL, 0);
		return 0;
	}
	return copy_jv(b, v);
}

int
copy_json_needed(struct dbuf *b, jv ev, const char *k)
{
	jv v;
	int absent;

	v = copy_member(ev, k);
	absent = copy_absent(v);
	jv_free(v);
	return absent ? -1 : copy_json(b, ev, k);
}
