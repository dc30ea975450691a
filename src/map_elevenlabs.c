/*
 * map_elevenlabs.c - share/elevenlabs.jq in C (see map.h): an ElevenLabs
 * post-call webhook in .payload to one normalized event.  Each function is
 * the jq def of the same name; the comments there say why.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "map.h"

#define SET(o, k, v)	((o) = jv_object_set((o), jv_string(k), (v)))

/* secs (consumed): whole seconds, 0 or more and in range, or null. */
static jv
el_secs(jv v)
{
	double x;

	v = map_tonumber(v);
	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return v;
	x = jv_number_value(v);
	jv_free(v);
	if (!map_in_range(x) || map_ncmp(x, 0) < 0)
		return jv_null();
	return jv_number(floor(x));
}

/* id_str (consumed). */
static jv
el_id_str(jv v)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return map_tostring(v);
	return map_str(v);
}

/* rfc3339 (consumed): null for null or out of range. */
static jv
el_rfc3339(jv v)
{
	double x;

	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		return jv_null();
	}
	x = jv_number_value(v);
	jv_free(v);
	return map_in_range(x) ? map_rfc3339(x) : jv_null();
}

/*
 * sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 of a string (not consumed):
 * Unix seconds, or null.  Oniguruma's $ (Perl syntax) is the end, or
 * before a newline that ends the string.
 */
static jv
el_iso(jv v)
{
	struct tm tm;
	const char *s, *end;
	char *buf;
	int len, z, i, ok;
	time_t t;

	s = jv_string_value(v);
	len = jv_string_length_bytes(jv_copy(v));
	if ((buf = malloc((size_t)len + 1)) == NULL)
		return jv_null();
	memcpy(buf, s, (size_t)len + 1);
	z = len > 0 && s[len - 1] == 'Z' ? len - 1 :
	    len > 1 && s[len - 1] == '\n' && s[len - 2] == 'Z' ? len - 2 : -1;
	if (z > 0) {
		for (i = z - 1; i >= 0 && s[i] >= '0' && s[i] <= '9'; i--)
			;
		if (i >= 0 && i < z - 1 && s[i] == '.')
			memmove(buf + i, buf + z, (size_t)(len - z) + 1);
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_wday = 8;
	tm.tm_yday = 367;
	end = strptime(buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ok = end != NULL && (*end == '\0' || isspace(*end));
	free(buf);
	if (!ok || (t = timegm(&tm)) == (time_t)-1)
		return jv_null();
	return jv_number((double)t);
}

/* event_time (consumed). */
static jv
el_event_time(jv v)
{
	jv r;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return el_rfc3339(v);
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return jv_null();
	}
	r = el_rfc3339(map_tonumber(jv_copy(v)));
	if (jv_get_kind(r) == JV_KIND_NULL)
		r = el_rfc3339(el_iso(v));
	jv_free(v);
	return r;
}

/* turn (consumed). */
static jv
el_turn(jv t)
{
	jv o, m;

	t = map_obj(t);
	o = jv_object();
	SET(o, "role", map_str(map_get(t, "role")));
	m = map_get(t, "message");
	if (jv_get_kind(m) != JV_KIND_STRING) {
		jv_free(m);
		m = jv_null();
	}
	SET(o, "message", m);
	SET(o, "time_in_call_secs", el_secs(map_get(t, "time_in_call_secs")));
	jv_free(t);
	return o;
}

/* failure_status of the metadata (not consumed). */
static jv
el_failure_status(jv m)
{
	jv b, v, n;
	double c;

	b = map_obj(map_get(m, "body"));
	v = map_str(map_get(b, "CallStatus"));
	n = map_tonumber(map_get(b, "sip_status_code"));
	jv_free(b);
	if (jv_get_kind(v) != JV_KIND_NULL) {
		jv_free(n);
		return v;
	}
	jv_free(v);
	if (jv_get_kind(n) != JV_KIND_NUMBER) {
		jv_free(n);
		return jv_string("failed");
	}
	c = jv_number_value(n);
	if (c == 486 || c == 600 || c == 603) {
		jv_free(n);
		return jv_string("busy");
	}
	if (c == 408 || c == 480 || c == 487) {
		jv_free(n);
		return jv_string("no-answer");
	}
	return jv_string_concat(jv_string_concat(jv_string("failed (SIP "),
	    map_tostring(n)), jv_string(")"));
}

/* voicemail: does the reason say so, as ascii_downcase | contains? */
static jv
el_voicemail(jv term)
{
	char *s;
	size_t i, n;
	int r;

	if (jv_get_kind(term) != JV_KIND_STRING)
		return jv_false();
	n = (size_t)jv_string_length_bytes(jv_copy(term));
	if ((s = malloc(n + 1)) == NULL)
		return jv_false();
	memcpy(s, jv_string_value(term), n + 1);
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
	r = strstr(s, "voicemail") != NULL;	/* 1.6: to the first NUL */
	free(s);
	return jv_bool(r);
}

/* transcript: every turn, if it is an array. */
static jv
el_transcript(jv d)
{
	jv t, a;
	int i, n;

	t = map_get(d, "transcript");
	if (jv_get_kind(t) != JV_KIND_ARRAY) {
		jv_free(t);
		return jv_null();
	}
	a = jv_array();
	n = jv_array_length(jv_copy(t));
	for (i = 0; i < n; i++)
		a = jv_array_append(a, el_turn(jv_array_get(jv_copy(t), i)));
	jv_free(t);
	return a;
}

/* raw: the payload, its audio replaced by a note of its length. */
static jv
el_raw(jv in, jv d)
{
	jv a, note;

	a = map_get(d, "full_audio");
	if (jv_get_kind(a) != JV_KIND_STRING) {
		jv_free(a);
		return jv_copy(in);
	}
	note = jv_string_fmt("<omitted: %d base64 characters>",
	    jv_string_length_codepoints(a));
	return jv_setpath(jv_copy(in), JV_ARRAY(jv_string("data"),
	    jv_string("full_audio")), note);
}

int
map_elevenlabs(jv env, jv *out, char *why, size_t whysz)
{
	jv in, type, d, conv, m, pc, start, dur, fb, term, o, v, w;
	int tr, fail;

	in = map_get(env, "payload");
	if (jv_get_kind(type = map_str(map_get(in, "type"))) ==
	    JV_KIND_NULL) {
		snprintf(why, whysz, "elevenlabs payload has no type");
		jv_free(in);
		return EX_DATAERR;
	}
	d = map_obj(map_get(in, "data"));
	if (jv_get_kind(conv = map_str(map_get(d, "conversation_id"))) ==
	    JV_KIND_NULL) {
		snprintf(why, whysz,
		    "elevenlabs payload has no data.conversation_id");
		jv_free(d);
		jv_free(type);
		jv_free(in);
		return EX_DATAERR;
	}
	m = map_obj(map_get(d, "metadata"));
	pc = map_obj(map_get(m, "phone_call"));
	tr = map_streq(type, "post_call_transcription");
	fail = map_streq(type, "call_initiation_failure");
	start = tr ? el_secs(map_get(m, "start_time_unix_secs")) : jv_null();
	dur = tr ? el_secs(map_get(m, "call_duration_secs")) : jv_null();
	fb = fail ? map_obj(map_get(m, "body")) : jv_null();
	term = tr ? map_str(map_get(m, "termination_reason")) : jv_null();

	o = jv_object();
	SET(o, "source", jv_string("elevenlabs"));
	SET(o, "event_id", jv_string_concat(jv_string_concat(jv_copy(type),
	    jv_string(":")), jv_copy(conv)));
	SET(o, "event", jv_copy(type));
	SET(o, "occurred_at", map_or(el_event_time(map_get(in,
	    "event_timestamp")), map_str(map_get(env, "received_at"))));
	SET(o, "conversation_id", conv);
	v = map_obj(map_get(d, "conversation_initiation_client_data"));
	w = map_obj(map_get(v, "dynamic_variables"));
	jv_free(v);
	SET(o, "call_sid", el_id_str(map_get(w, "call_sid")));
	jv_free(w);
	SET(o, "user_id", jv_null());
	SET(o, "agent_id", map_str(map_get(d, "agent_id")));
	if (tr)
		v = map_str(map_get(pc, "call_sid"));
	else if (fail)
		v = map_or(map_str(map_get(fb, "CallSid")),
		    map_str(map_get(fb, "call_sid")));
	else
		v = jv_null();
	SET(o, "provider_call_sid", v);
	SET(o, "direction", tr ? map_direction(map_get(pc, "direction")) :
	    fail ? map_direction(map_get(fb, "Direction")) : jv_null());
	SET(o, "phone_number", tr ?
	    map_e164(map_get(pc, "external_number")) :
	    fail ? map_e164(map_get(fb, "To")) : jv_null());
	SET(o, "started_at", el_rfc3339(jv_copy(start)));
	if (jv_get_kind(start) != JV_KIND_NULL &&
	    jv_get_kind(dur) != JV_KIND_NULL)
		v = el_rfc3339(jv_number(jv_number_value(start) +
		    jv_number_value(dur)));
	else
		v = jv_null();
	SET(o, "ended_at", v);
	SET(o, "duration", jv_copy(dur));
	SET(o, "cost", tr ? map_tonumber(map_get(m, "cost")) : jv_null());
	SET(o, "transcript", tr ? el_transcript(d) : jv_null());
	SET(o, "analysis", tr ? map_obj(map_get(d, "analysis")) : jv_null());
	SET(o, "failure_reason", fail ? map_str(map_get(d, "failure_reason")) :
	    jv_null());
	SET(o, "provider_status", tr ? map_str(map_get(d, "status")) :
	    fail ? el_failure_status(m) : jv_null());
	SET(o, "termination_reason", jv_copy(term));
	SET(o, "voicemail", tr ? el_voicemail(term) : jv_null());
	SET(o, "raw", el_raw(in, d));
	jv_free(in);
	jv_free(type);
	jv_free(d);
	jv_free(m);
	jv_free(pc);
	jv_free(start);
	jv_free(dur);
	jv_free(fb);
	jv_free(term);
	*out = o;
	return 0;
}
