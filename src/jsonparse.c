/*
 * jsonparse.c - a recursive-descent reader of RFC 8259 JSON into jv
 * values, built as libjq 1.6's parser builds them (jv_object_set, so a
 * repeated key keeps its first place and its last value; jv_string_sized;
 * numbers by strtod, correctly rounded as libjq's own strtod is).  On
 * anything it does not take it gives up, and libjq parses the text.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "utf8.h"

#define JP_DEPTH	200	/* libjq refuses beyond 256 */

struct jp {
	const unsigned char *p, *end;
	int	 depth;
	char	*buf;		/* a string's unescaped bytes */
	size_t	 cap;
};

static int	jp_value(struct jp *, jv *);

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
	    *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

/* After a number or a word: what libjq would not read as more of it. */
static int
jp_delim(struct jp *j)
{
	return j->p == j->end || *j->p == ',' || *j->p == ']' ||
	    *j->p == '}' || *j->p == ':' || *j->p == ' ' || *j->p == '\n' ||
	    *j->p == '\r' || *j->p == '\t';
}

static int
jp_put(struct jp *j, size_t *len, const void *s, size_t n)
{
	char *b;

	if (n == 0)
		return 1;
	if (j->cap - *len < n) {
		while (j->cap - *len < n)
			j->cap = j->cap ? j->cap * 2 : 1024;
		if ((b = realloc(j->buf, j->cap)) == NULL)
			return 0;
		j->buf = b;
	}
	memcpy(j->buf + *len, s, n);
	*len += n;
	return 1;
}

static int
jp_string(struct jp *j, jv *out)
{
	const unsigned char *run;
	unsigned char u8[3];
	size_t len = 0, n;
	unsigned u, i, c;
	int plain = 1;

	run = ++j->p;
	while (j->p < j->end) {
		c = *j->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return 0;
		if (c >= 0x80) {
			if ((n = utf8_char(j->p, j->end)) == 0)
				return 0;
			j->p += n;
			continue;
		}
		if (c != '\\') {
			j->p++;
			continue;
		}
		if (!jp_put(j, &len, run, (size_t)(j->p - run)))
			return 0;
		plain = 0;
		if (j->end - j->p < 2)
			return 0;
		switch (j->p[1]) {
		case '"': case '\\': case '/': u8[0] = j->p[1]; break;
		case 'b': u8[0] = '\b'; break;
		case 'f': u8[0] = '\f'; break;
		case 'n': u8[0] = '\n'; break;
		case 'r': u8[0] = '\r'; break;
		case 't': u8[0] = '\t'; break;
		case 'u':
			if (j->end - j->p < 6)
				return 0;
			for (u = 0, i = 2; i < 6; i++) {
				c = j->p[i];
				if (c >= '0' && c <= '9')
					c -= '0';
				else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
					c = (c | 0x20) - 'a' + 10;
				else
					return 0;
				u = u << 4 | c;
			}
			if (u >= 0xd800 && u <= 0xdfff)
				return 0;
			if (u < 0x80) {
				u8[0] = (unsigned char)u;
				i = 1;
			} else if (u < 0x800) {
				u8[0] = (unsigned char)(0xc0 | u >> 6);
				u8[1] = (unsigned char)(0x80 | (u & 0x3f));
				i = 2;
			} else {
				u8[0] = (unsigned char)(0xe0 | u >> 12);
				u8[1] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
				u8[2] = (unsigned char)(0x80 | (u & 0x3f));
				i = 3;
			}
			if (!jp_put(j, &len, u8, i))
				return 0;
			j->p += 6;
			run = j->p;
			continue;
		default:
			return 0;
		}
		if (!jp_put(j, &len, u8, 1))
			return 0;
		j->p += 2;
		run = j->p;
	}
	if (j->p == j->end)
		return 0;
	if (plain)
		*out = jv_string_sized((const char *)run, (int)(j->p - run));
	else {
		if (!jp_put(j, &len, run, (size_t)(j->p - run)))
			return 0;
		*out = jv_string_sized(j->buf, (int)len);
	}
	j->p++;
	return 1;
}

static int
jp_digits(struct jp *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static int
jp_number(struct jp *j, jv *out)
{
	const unsigned char *s = j->p;
	char buf[64], *e;
	double d;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!jp_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jp_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jp_digits(j))
			return 0;
	}
	if (!jp_delim(j) || (size_t)(j->p - s) >= sizeof(buf))
		return 0;
	memcpy(buf, s, (size_t)(j->p - s));
	buf[j->p - s] = '\0';
	d = strtod(buf, &e);
	if (*e != '\0')
		return 0;
	*out = jv_number(d);
	return 1;
}

static int
jp_word(struct jp *j, const char *w, jv v, jv *out)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	if (!jp_delim(j))
		return 0;
	*out = v;
	return 1;
}

static int
jp_array(struct jp *j, jv *out)
{
	jv a, v;

	j->p++;
	a = jv_array();
	jp_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		*out = a;
		return 1;
	}
	for (;;) {
		if (!jp_value(j, &v))
			break;
		a = jv_array_append(a, v);
		jp_ws(j);
		if (j->p == j->end)
			break;
		if (*j->p == ']') {
			j->p++;
			*out = a;
			return 1;
		}
		if (*j->p++ != ',')
			break;
		jp_ws(j);
	}
	jv_free(a);
	return 0;
}

static int
jp_object(struct jp *j, jv *out)
{
	jv o, k, v;

	j->p++;
	o = jv_object();
	jp_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		*out = o;
		return 1;
	}
	for (;;) {
		if (j->p == j->end || *j->p != '"' || !jp_string(j, &k))
			break;
		jp_ws(j);
		if (j->p == j->end || *j->p++ != ':') {
			jv_free(k);
			break;
		}
		jp_ws(j);
		if (!jp_value(j, &v)) {
			jv_free(k);
			break;
		}
		o = jv_object_set(o, k, v);
		jp_ws(j);
		if (j->p == j->end)
			break;
		if (*j->p == '}') {
			j->p++;
			*out = o;
			return 1;
		}
		if (*j->p++ != ',')
			break;
		jp_ws(j);
	}
	jv_free(o);
	return 0;
}

static int
jp_value(struct jp *j, jv *out)
{
	int ok;

	if (j->p == j->end)
		return 0;
	switch (*j->p) {
	case '{':
	case '[':
		if (++j->depth > JP_DEPTH)
			return 0;
		ok = *j->p == '{' ? jp_object(j, out) : jp_array(j, out);
		j->depth--;
		return ok;
	case '"':
		return jp_string(j, out);
	case 't':
		return jp_word(j, "true", jv_true(), out);
	case 'f':
		return jp_word(j, "false", jv_false(), out);
	case 'n':
		return jp_word(j, "null", jv_null(), out);
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return jp_number(j, out);
		return 0;
	}
}

jv
jsonparse(const char *s, size_t n)
{
	struct jp j;
	jv v;
	int ok;

	memset(&j, 0, sizeof(j));
	j.p = (const unsigned char *)s;
	j.end = j.p + n;
	jp_ws(&j);
	if ((ok = jp_value(&j, &v))) {
		jp_ws(&j);
		if (j.p != j.end) {
			jv_free(v);
			ok = 0;
		}
	}
	free(j.buf);
	return ok ? v : jv_parse_sized(s, (int)n);
}
