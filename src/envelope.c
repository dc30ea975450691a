/*
 * envelope.c - envelope accessors.  Strings are borrowed from the object,
 * which holds its own reference, so no copies are made on the hot path.
 */
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "jsonparse.h"
#include "http.h"
#include "provider.h"

static void	copy_id(char *, size_t, const char *, size_t);

const char *
env_header(jv env, const char *name, size_t *len)
{
	jv h;
	const char *s;

	h = json_get(env, "headers");
	s = json_str(h, name, len);
	jv_free(h);		/* env still holds the headers object */
	return s;
}

int
env_check(jv env, char *why, size_t sz)
{
	jv v;
	int ok;

	v = json_get(env, "v");
	ok = jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == 1;
	jv_free(v);
	if (!ok) {
		snprintf(why, sz, "not a version 1 envelope");
		return -1;
	}
	if (provider_find(json_str(env, "source", NULL)) == NULL) {
		snprintf(why, sz, "unknown source");
		return -1;
	}
	if (json_str(env, "body", NULL) == NULL) {
		snprintf(why, sz, "envelope has no body");
		return -1;
	}
	return 0;
}

jv
env_payload(const struct provider *p, const char *query, const char *body,
    size_t len, char *why, size_t sz)
{
	jv v, msg;
	char *cut;

	if (p->is_form != NULL && p->is_form(query)) {
		if (http_form_ok(body, len))
			return http_form_object(body, len);
		snprintf(why, sz, "body is not a form");
		return jv_invalid();
	}
	v = jsonparse(body, len);
	if (jv_get_kind(v) == JV_KIND_OBJECT)
		return v;
	if (jv_is_valid(v))
		snprintf(why, sz, "body is not a JSON object");
	else {
		msg = jv_invalid_get_msg(jv_copy(v));
		snprintf(why, sz, "body is not JSON: %s",
		    jv_get_kind(msg) == JV_KIND_STRING ?
		    jv_string_value(msg) : "parse error");
		if ((cut = strstr(why, " (while parsing")) != NULL)
			*cut = '\0';
		jv_free(msg);
	}
	jv_free(v);
	return jv_invalid();
}

void
env_event_id(const struct provider *p, jv payload, char *buf, size_t sz)
{
	jv id;
	size_t n;

	id = p->event_id(payload);
	buf[0] = '\0';
	if (jv_get_kind(id) == JV_KIND_STRING) {
		n = (size_t)jv_string_length_bytes(jv_copy(id));
		copy_id(buf, sz, jv_string_value(id), n);
	}
	jv_free(id);
}

/* s[0..n) into buf, cut at a character boundary when too long. */
static void
copy_id(char *buf, size_t sz, const char *s, size_t n)
{
	if (n >= sz) {
		n = sz - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}
