/*
 * map_twilio.c - share/twilio.jq in C (see map.h): a Twilio voice status
 * callback in .payload (the form's fields as strings, or the JSON body of
 * the bodySHA256 variant) and the query's .params to one normalized
 * event.  Each function is the jq def of the same name, or the builtin
 * it stands for as libjq 1.6 runs it; the comments there say why.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "map.h"

#define SET(o, k, v)	((o) = jv_object_set((o), jv_string(k), (v)))

/* int (consumed): a whole number 0 or more and under 1e15, or null. */
static jv
tw_int(jv v)
{
	double x;

	if (jv_get_kind(v) == JV_KIND_STRING)
		v = map_tonumber(v);
	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		return jv_null();
	}
	x = jv_number_value(v);
	jv_free(v);
	if (map_ncmp(x, 0) >= 0 && map_ncmp(x, 1e15) < 0)
		return jv_number(floor(x));
	return jv_null();
}

/* final: the statuses that end a call (not consumed). */
static int
tw_final(jv st)
{
	return map_streq(st, "completed") || map_streq(st, "busy") ||
	    map_streq(st, "no-answer") || map_streq(st, "failed") ||
	    map_streq(st, "canceled");
}

/*
 * todate of a number, as jq 1.6's gmtime converts it: to time_t by
 * truncation (x86-64 gives INT64_MIN for what does not fit), then
 * gmtime_r, whose failure is the error.  0, or -1 with the error in why.
 */
static int
tw_todate(double x, jv *out, char *why, size_t whysz)
{
	struct tm tm;
	time_t secs;
	char buf[1024];

	if (isnan(x) || x >= 9223372036854775808.0 ||
	    x < -9223372036854775808.0)
		secs = INT64_MIN;
	else
		secs = (time_t)x;
	if (gmtime_r(&secs, &tm) == NULL) {
		snprintf(why, whysz, "errror converting number of seconds "
		    "since epoch to datetime");
		return -1;
	}
	if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(why, whysz, "strftime/1: unknown system failure");
		return -1;
	}
	*out = jv_string(buf);
	return 0;
}

/*
 * strptime("%a, %d %b %Y %H:%M:%S") | mktime of the C string s, as jq 1.6
 * does them: Unix seconds in *t, or -1 for either's error.
 */
static int
tw_mktime(const char *s, double *t)
{
	struct tm tm;
	const char *end;
	time_t r;

	memset(&tm, 0, sizeof(tm));
	tm.tm_wday = 8;
	tm.tm_yday = 367;
	end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (end == NULL || (*end != '\0' && !isspace(*end)))
		return -1;
	if ((r = timegm(&tm)) == (time_t)-1)
		return -1;
	*t = (double)r;
	return 0;
}

/* One offset digit pair of the zone (consumed): tonumber, or -1. */
static int
tw_part(jv s, double *x)
{
	s = map_tonumber(s);
	if (jv_get_kind(s) != JV_KIND_NUMBER) {
		jv_free(s);
		return -1;
	}
	*x = jv_number_value(s);
	jv_free(s);
	return 0;
}

/* rfc2822 (consumed): Unix seconds, or null; every error is null. */
static jv
tw_rfc2822(jv s)
{
	jv z, sign, head;
	double h = 0, m = 0, off, t;
	int len, ok;

	if (jv_get_kind(s) != JV_KIND_STRING ||
	    (len = jv_string_length_codepoints(jv_copy(s))) < 26) {
		jv_free(s);
		return jv_null();
	}
	z = map_slice(jv_copy(s), len - 5, len);
	ok = tw_part(map_slice(jv_copy(z), 1, 3), &h) == 0 &&
	    tw_part(map_slice(jv_copy(z), 3, 5), &m) == 0;
	sign = map_slice(z, 0, 1);
	off = h * 3600 + m * 60;
	if (ok && map_streq(sign, "-"))
		off = -off;
	else if (!ok || !map_streq(sign, "+"))
		ok = 0;
	jv_free(sign);
	if (!ok) {
		jv_free(s);
		return jv_null();
	}
	head = map_slice(s, 0, len - 6);
	ok = tw_mktime(jv_string_value(head), &t);
	jv_free(head);
	return ok == 0 ? jv_number(t - off) : jv_null();
}

/* The fields of the payload p (not consumed) after provider_status. */
static jv
tw_rest(jv o, jv p, jv started, jv at, jv dur, int final)
{
	SET(o, "answered_by", map_str(map_get(p, "AnsweredBy")));
	SET(o, "sip_response_code", tw_int(map_get(p, "SipResponseCode")));
	SET(o, "sequence_number", tw_int(map_get(p, "SequenceNumber")));
	SET(o, "started_at", started);
	SET(o, "ended_at", final ? at : (jv_free(at), jv_null()));
	SET(o, "duration", dur);
	SET(o, "recording_url", map_str(map_get(p, "RecordingUrl")));
	SET(o, "raw", jv_copy(p));
	return o;
}

int
map_twilio(jv env, jv *out, char *why, size_t whysz)
{
	jv p, q, sid, st, t, at, dir, dur, started, o;
	int final;

	p = map_get(env, "payload");
	if (jv_get_kind(sid = map_str(map_get(p, "CallSid"))) ==
	    JV_KIND_NULL) {
		snprintf(why, whysz, "twilio payload has no CallSid");
		jv_free(p);
		return EX_DATAERR;
	}
	if (jv_get_kind(st = map_str(map_get(p, "CallStatus"))) ==
	    JV_KIND_NULL) {
		snprintf(why, whysz, "twilio payload has no CallStatus");
		jv_free(sid);
		jv_free(p);
		return EX_DATAERR;
	}
	final = tw_final(st);
	t = tw_rfc2822(map_get(p, "Timestamp"));
	at = jv_null();
	dir = map_direction(map_get(p, "Direction"));
	dur = final ? tw_int(map_get(p, "CallDuration")) : jv_null();
	started = jv_null();
	if ((jv_get_kind(t) != JV_KIND_NULL &&
	    tw_todate(jv_number_value(t), &at, why, whysz) != 0) ||
	    (final && jv_get_kind(t) != JV_KIND_NULL &&
	    jv_get_kind(dur) != JV_KIND_NULL &&
	    tw_todate(jv_number_value(t) - jv_number_value(dur), &started,
	    why, whysz) != 0)) {
		jv_free(sid);
		jv_free(st);
		jv_free(t);
		jv_free(at);
		jv_free(dir);
		jv_free(dur);
		jv_free(p);
		return EX_DATAERR;	/* not reached: both in gmtime's range */
	}
	jv_free(t);

	o = jv_object();
	SET(o, "source", jv_string("twilio"));
	SET(o, "event_id", jv_null());
	SET(o, "event", jv_string("status_callback"));
	SET(o, "occurred_at", jv_get_kind(at) != JV_KIND_NULL ? jv_copy(at) :
	    map_str(map_get(env, "received_at")));
	SET(o, "call_sid", jv_copy(sid));
	SET(o, "provider_call_sid", sid);
	SET(o, "parent_call_sid", map_str(map_get(p, "ParentCallSid")));
	SET(o, "account_sid", map_str(map_get(p, "AccountSid")));
	q = map_obj(map_get(env, "params"));
	SET(o, "user_id", map_str(map_get(q, "tenant")));
	jv_free(q);
	SET(o, "direction", jv_copy(dir));
	SET(o, "phone_number", map_streq(dir, "inbound") ?
	    map_e164(map_get(p, "From")) : map_streq(dir, "outbound") ?
	    map_e164(map_get(p, "To")) : jv_null());
	jv_free(dir);
	SET(o, "from_number", map_str(map_get(p, "From")));
	SET(o, "to_number", map_str(map_get(p, "To")));
	SET(o, "provider_status", st);
	*out = tw_rest(o, p, started, at, dur, final);
	jv_free(p);
	return 0;
}
