/*
 * rawbody.c - the body's bytes for the payload parsed from them, checked
 * once, when first asked for, against the JSON PostgreSQL takes: RFC 8259
 * (libjq 1.6 also takes nan, bad UTF-8, raw control characters), no
 * \u0000 (jsonb cannot hold it), exponents of at most 4 digits, nesting
 * of at most 512 levels.  Anything else is printed from the parsed value.
 */
#include <string.h>

#include "rawbody.h"
#include "utf8.h"

#define RB_DEPTH	512

static struct {
	int	 set, checked, good;
	jv	 payload, body;
} rb;

void
rawbody_set(jv payload, jv body)
{
	rawbody_clear();
	rb.payload = payload;
	rb.body = body;
	rb.set = 1;
	rb.checked = 0;
}

void
rawbody_clear(void)
{
	if (!rb.set)
		return;
	jv_free(rb.payload);
	jv_free(rb.body);
	rb.set = 0;
}

const char *
rawbody_for(jv v, size_t *len)
{
	if (!rb.set || jv_get_kind(v) != JV_KIND_OBJECT ||
	    jv_get_kind(rb.payload) != JV_KIND_OBJECT ||
	    jv_get_kind(rb.body) != JV_KIND_STRING ||
	    !jv_identical(jv_copy(v), jv_copy(rb.payload)))
		return NULL;
	*len = (size_t)jv_string_length_bytes(jv_copy(rb.body));
	if (!rb.checked) {
		rb.good = rawbody_strict(jv_string_value(rb.body), *len);
		rb.checked = 1;
	}
	return rb.good ? jv_string_value(rb.body) : NULL;
}

struct rb_in {
	const unsigned char *p, *end;
	int	 depth;
};

static int	rb_value(struct rb_in *);

static void
rb_ws(struct rb_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' ||
	    *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static int
rb_hex4(struct rb_in *in, unsigned *u)
{
	int i, c;

	if (in->end - in->p < 4)
		return 0;
	*u = 0;
	for (i = 0; i < 4; i++) {
		c = *in->p++;
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return 0;
		*u = *u << 4 | (unsigned)c;
	}
	return 1;
}

static int
rb_string(struct rb_in *in)
{
	size_t n;
	unsigned u, lo;

	in->p++;			/* the quote */
	while (in->p < in->end) {
		if (*in->p == '"') {
			in->p++;
			return 1;
		}
		if (*in->p < 0x20)
			return 0;
		if (*in->p >= 0x80) {
			if ((n = utf8_char(in->p, in->end)) == 0)
				return 0;
			in->p += n;
			continue;
		}
		if (*in->p++ != '\\')
			continue;
		if (in->p == in->end)
			return 0;
		switch (*in->p++) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			break;
		case 'u':
			if (!rb_hex4(in, &u) || u == 0 ||
			    (u >= 0xdc00 && u <= 0xdfff))
				return 0;
			if (u < 0xd800 || u > 0xdbff)
				break;
			if (in->end - in->p < 6 || in->p[0] != '\\' ||
			    in->p[1] != 'u')
				return 0;
			in->p += 2;
			if (!rb_hex4(in, &lo) || lo < 0xdc00 || lo > 0xdfff)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

static int
rb_digits(struct rb_in *in)
{
	const unsigned char *s = in->p;

	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
		in->p++;
	return (int)(in->p - s);
}

static int
rb_number(struct rb_in *in)
{
	int d;

	if (*in->p == '-')
		in->p++;
	if (in->p < in->end && *in->p == '0')
		in->p++;
	else if (rb_digits(in) == 0)
		return 0;
	if (in->p < in->end && *in->p == '.') {
		in->p++;
		if (rb_digits(in) == 0)
			return 0;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if ((d = rb_digits(in)) == 0 || d > 4)
			return 0;
	}
	return 1;
}

static int
rb_word(struct rb_in *in, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, w, n) != 0)
		return 0;
	in->p += n;
	return 1;
}

/* The members or elements of an object or array, to its closing bracket. */
static int
rb_container(struct rb_in *in, unsigned char close)
{
	if (++in->depth > RB_DEPTH)
		return 0;
	in->p++;
	rb_ws(in);
	if (in->p < in->end && *in->p == close) {
		in->p++;
		in->depth--;
		return 1;
	}
	for (;;) {
		if (close == '}') {
			if (in->p == in->end || *in->p != '"' ||
			    !rb_string(in))
				return 0;
			rb_ws(in);
			if (in->p == in->end || *in->p++ != ':')
				return 0;
			rb_ws(in);
		}
		if (!rb_value(in))
			return 0;
		rb_ws(in);
		if (in->p == in->end)
			return 0;
		if (*in->p == close) {
			in->p++;
			in->depth--;
			return 1;
		}
		if (*in->p++ != ',')
			return 0;
		rb_ws(in);
	}
}

static int
rb_value(struct rb_in *in)
{
	if (in->p == in->end)
		return 0;
	switch (*in->p) {
	case '{':
		return rb_container(in, '}');
	case '[':
		return rb_container(in, ']');
	case '"':
		return rb_string(in);
	case 't':
		return rb_word(in, "true");
	case 'f':
		return rb_word(in, "false");
	case 'n':
		return rb_word(in, "null");
	default:
		if (*in->p == '-' || (*in->p >= '0' && *in->p <= '9'))
			return rb_number(in);
		return 0;
	}
}

int
rawbody_strict(const char *s, size_t n)
{
	struct rb_in in;

	in.p = (const unsigned char *)s;
	in.end = in.p + n;
	in.depth = 0;
	rb_ws(&in);
	if (in.p == in.end || *in.p != '{' || !rb_value(&in))
		return 0;
	rb_ws(&in);
	return in.p == in.end;
}
