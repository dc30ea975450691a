/*
 * envelope.c - envelope accessors.  Strings are borrowed from the object,
 * which holds its own reference, so no copies are made on the hot path.
 */
#include <stdio.h>
#include <string.h>

#include "envelope.h"

const char *
env_str(jv obj, const char *key, size_t *len)
{
	jv v;
	const char *s;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return NULL;
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return NULL;
	}
	s = jv_string_value(v);
	if (len != NULL)
		*len = (size_t)jv_string_length_bytes(jv_copy(v));
	jv_free(v);		/* obj still holds the string */
	return s;
}

const char *
env_header(jv env, const char *name, size_t *len)
{
	jv h;
	const char *s;

	if (jv_get_kind(env) != JV_KIND_OBJECT)
		return NULL;
	h = jv_object_get(jv_copy(env), jv_string("headers"));
	s = env_str(h, name, len);
	jv_free(h);		/* env still holds the headers object */
	return s;
}

int
env_check(jv env, char *why, size_t sz)
{
	jv v;
	const char *src;
	int ok;

	v = jv_object_get(jv_copy(env), jv_string("v"));
	ok = jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == 1;
	jv_free(v);
	if (!ok) {
		snprintf(why, sz, "not a version 1 envelope");
		return -1;
	}
	if ((src = env_str(env, "source", NULL)) == NULL ||
	    (strcmp(src, "livekit") != 0 && strcmp(src, "elevenlabs") != 0 &&
	    strcmp(src, "twilio") != 0)) {
		snprintf(why, sz, "unknown source");
		return -1;
	}
	if (env_str(env, "body", NULL) == NULL) {
		snprintf(why, sz, "envelope has no body");
		return -1;
	}
	return 0;
}
