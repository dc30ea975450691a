/*
 * envelope.c - envelope accessors.  Strings are borrowed from the object,
 * which holds its own reference, so no copies are made on the hot path.
 */
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "http.h"

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
	const char *src;
	int ok;

	v = json_get(env, "v");
	ok = jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == 1;
	jv_free(v);
	if (!ok) {
		snprintf(why, sz, "not a version 1 envelope");
		return -1;
	}
	if ((src = json_str(env, "source", NULL)) == NULL ||
	    (strcmp(src, "livekit") != 0 && strcmp(src, "elevenlabs") != 0 &&
	    strcmp(src, "twilio") != 0)) {
		snprintf(why, sz, "unknown source");
		return -1;
	}
	if (json_str(env, "body", NULL) == NULL) {
		snprintf(why, sz, "envelope has no body");
		return -1;
	}
	return 0;
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

void
env_event_id(const char *source, jv body, const char *raw, size_t len,
    char *buf, size_t sz)
{
	char id[512], sid[128], st[64];
	jv a, b;

	id[0] = '\0';
	if (jv_get_kind(body) != JV_KIND_OBJECT) {	/* a Twilio form */
		if (strcmp(source, "twilio") == 0 &&
		    http_form_value(raw, len, "CallSid", sid, sizeof(sid)) &&
		    http_form_value(raw, len, "CallStatus", st, sizeof(st)))
			snprintf(id, sizeof(id), "%s:%s", sid, st);
	} else {
		if (strcmp(source, "livekit") == 0) {
			a = json_get(body, "id");
			b = jv_invalid();
		} else if (strcmp(source, "elevenlabs") == 0) {
			a = json_get(body, "type");
			b = json_get2(body, "data", "conversation_id");
		} else {
			a = json_get(body, "CallSid");
			b = json_get(body, "CallStatus");
		}
		if (jv_get_kind(a) == JV_KIND_STRING &&
		    jv_get_kind(b) == JV_KIND_STRING)
			snprintf(id, sizeof(id), "%s:%s", jv_string_value(a),
			    jv_string_value(b));
		else if (jv_get_kind(a) == JV_KIND_STRING &&
		    strcmp(source, "livekit") == 0)
			snprintf(id, sizeof(id), "%s", jv_string_value(a));
		jv_free(a);
		jv_free(b);
	}
	jv_free(body);
	copy_id(buf, sz, id, strlen(id));
}
