/*
 * copyrow.c - checked COPY text fields for the load kinds (load_*.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "copyrow.h"
#include "rfc3339.h"
#include "envelope.h"
#include "rawbody.h"

/* A string without NUL, or null. */
int
copy_text(struct buf *b, jv ev, const char *k)
{
	const char *s;
	size_t n;
	jv v;

	if ((s = json_str(ev, k, &n)) == NULL) {
		v = json_get(ev, k);
		n = json_absent(v);
		jv_free(v);
		if (!n)
			return -1;
		buf_copyfield(b, NULL, 0);
		return 0;
	}
	if (memchr(s, '\0', n) != NULL)
		return -1;
	buf_copyfield(b, s, n);
	return 0;
}

int
copy_time(struct buf *b, jv ev, const char *k)
{
	const char *s;

	if ((s = json_str(ev, k, NULL)) != NULL && rfc3339_check(s, 0, NULL) != NULL)
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
copy_int(struct buf *b, jv ev, const char *k)
{
	char num[32];
	double d;
	jv v;

	v = json_get(ev, k);
	if (json_absent(v)) {
		jv_free(v);
		buf_copyfield(b, NULL, 0);
		return 0;
	}
	if (!copy_whole(v, &d)) {
		jv_free(v);
		return -1;
	}
	jv_free(v);
	snprintf(num, sizeof(num), "%.0f", d);
	buf_str(b, num);
	return 0;
}

/* A finite number, for a numeric column, in jq's shortest notation. */
int
copy_num(struct buf *b, jv ev, const char *k)
{
	jv v, s;

	v = json_get(ev, k);
	if (json_absent(v)) {
		jv_free(v);
		buf_copyfield(b, NULL, 0);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_NUMBER ||
	    !isfinite(jv_number_value(v))) {
		jv_free(v);
		return -1;
	}
	s = jv_dump_string(v, 0);
	buf_str(b, jv_string_value(s));
	jv_free(s);
	return 0;
}

/*
 * v (consumed) as JSON for a jsonb column, which cannot hold \u0000: the
 * received body's own bytes when v is the payload parsed from them
 * (rawbody.h), else v printed.
 */
int
copy_jv(struct buf *b, jv v)
{
	const char *raw;
	size_t n;
	jv s;
	int bad;

	if ((raw = rawbody_for(v, &n)) != NULL) {
		buf_copyfield(b, raw, n);
		jv_free(v);
		return 0;
	}
	s = jv_dump_string(v, 0);
	if (!(bad = strstr(jv_string_value(s), "\\u0000") != NULL))
		buf_copyfield(b, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	return bad ? -1 : 0;
}

int
copy_json(struct buf *b, jv ev, const char *k)
{
	jv v;

	v = json_get(ev, k);
	if (json_absent(v)) {
		jv_free(v);
		buf_copyfield(b, NULL, 0);
		return 0;
	}
	return copy_jv(b, v);
}

int
copy_json_needed(struct buf *b, jv ev, const char *k)
{
	jv v;
	int absent;

	v = json_get(ev, k);
	absent = json_absent(v);
	jv_free(v);
	return absent ? -1 : copy_json(b, ev, k);
}

const char *const copy_outcomes[] = { "completed", "no_answer", "busy",
    "failed", "voicemail", NULL };

int
copy_one_of(jv ev, const char *k, const char *const *ok)
{
	const char *s;

	if ((s = json_str(ev, k, NULL)) == NULL)
		return 1;
	for (; *ok != NULL; ok++)
		if (strcmp(s, *ok) == 0)
			return 1;
	return 0;
}

int
copy_outcome(struct buf *b, jv ev, const char *k)
{
	return copy_one_of(ev, k, copy_outcomes) ? copy_text(b, ev, k) : -1;
}

size_t
copy_u8len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}
