/*
 * map_livekit.c - share/livekit.jq in C (see map.h): a LiveKit webhook in
 * .payload to one normalized event.  Each function is the jq def of the
 * same name; the comments there say why the rules are what they are.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "map.h"

/* A time in seconds, or none (jq's null). */
struct lk_t {
	int	 set;
	double	 v;
};

static const struct lk_t lk_none = { 0, 0 };

static struct lk_t
lk_some(double v)
{
	struct lk_t t = { 1, v };

	return t;
}

/* num: an int64 as a string or a number; null otherwise (consumed). */
static struct lk_t
lk_num(jv v)
{
	struct lk_t t = lk_none;

	v = map_tonumber(v);
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		t = lk_some(jv_number_value(v));
	jv_free(v);
	return t;
}

/* secs: a time gmtime can convert, else none. */
static struct lk_t
lk_secs(struct lk_t t)
{
	return t.set && map_in_range(t.v) ? t : lk_none;
}

/* Is v a string from lo up to (not including) hi, as jq orders them? */
static int
lk_between(jv v, char lo, char hi)
{
	const unsigned char *s;

	if (jv_get_kind(v) != JV_KIND_STRING ||
	    jv_string_length_bytes(jv_copy(v)) == 0)
		return 0;
	s = (const unsigned char *)jv_string_value(v);
	return s[0] >= (unsigned char)lo && s[0] < (unsigned char)hi;
}

/* ltrimstr(prefix) of a string (not consumed), bytes after a NUL too. */
static jv
lk_ltrim(jv v, const char *prefix)
{
	int n = (int)strlen(prefix);

	if (!map_startswith(v, prefix))
		return jv_copy(v);
	return jv_string_sized(jv_string_value(v) + n,
	    jv_string_length_bytes(jv_copy(v)) - n);
}

/* e164 (v not consumed): a string or null. */
static jv
lk_e164(jv v)
{
	jv d, n;
	double x;
	int same;

	if (!lk_between(v, '+', ':'))
		return jv_null();
	d = lk_ltrim(v, "+");
	n = map_tonumber(jv_copy(d));
	if (jv_get_kind(n) != JV_KIND_NUMBER) {
		jv_free(n);
		jv_free(d);
		return jv_null();
	}
	x = jv_number_value(n);
	jv_free(n);
	if (map_ncmp(x, 100000) < 0 || map_ncmp(x, 1e15) >= 0 ||
	    !jv_equal(map_tostring(jv_number(floor(x))), jv_copy(d))) {
		jv_free(d);
		return jv_null();
	}
	same = jv_equal(jv_copy(d), jv_copy(v));
	if (same && jv_string_length_codepoints(jv_copy(d)) == 10 &&
	    jv_string_value(d)[0] >= '2' && jv_string_value(d)[3] >= '2')
		return jv_string_concat(jv_string("+1"), d);
	return jv_string_concat(jv_string("+"), d);
}

/* The first of n parts of s split at sep, as e164, else null. */
static jv
lk_part(jv s, const char *sep, int n)
{
	jv parts, first, r = jv_null();

	parts = jv_string_split(s, jv_string(sep));
	if (jv_array_length(jv_copy(parts)) == n) {
		first = jv_array_get(jv_copy(parts), 0);
		r = lk_e164(first);
		jv_free(first);
	}
	jv_free(parts);
	return r;
}

/* room_phone (name not consumed): a string or null. */
static jv
lk_room_phone(jv name)
{
	if (map_startswith(name, "sip-"))
		return lk_part(lk_ltrim(name, "sip-"), "__", 3);
	if (map_startswith(name, "call-_"))
		return lk_part(lk_ltrim(name, "call-_"), "_", 2);
	return jv_null();
}

/* tonumber of a string (consumed) inside a try: a number or none. */
static int
lk_strnum(jv s, double *x)
{
	jv n;
	int ok;

	n = map_tonumber(s);
	if ((ok = jv_get_kind(n) == JV_KIND_NUMBER))
		*x = jv_number_value(n);
	jv_free(n);
	return ok;
}

/* iso (v not consumed): ISO 8601 to Unix seconds, else none. */
static struct lk_t
lk_iso(jv v)
{
	struct tm tm;
	const char *end, *z;
	jv head, tail, c;
	double s, h, m, o;
	int len, ok, sign;
	time_t t;

	if (!lk_between(v, '0', ':'))
		return lk_none;
	head = map_slice(jv_copy(v), 0, 19);
	memset(&tm, 0, sizeof(tm));
	tm.tm_wday = 8;
	tm.tm_yday = 367;
	end = strptime(jv_string_value(head), "%Y-%m-%dT%H:%M:%S", &tm);
	ok = end != NULL && (*end == '\0' || isspace(*end));
	jv_free(head);
	if (!ok || (t = timegm(&tm)) == (time_t)-1)
		return lk_none;
	s = (double)t;
	len = jv_string_length_codepoints(jv_copy(v));
	tail = map_slice(jv_copy(v), 19, len);
	/* sub("^\\.[0-9]+"; "") */
	z = jv_string_value(tail);
	if (z[0] == '.' && z[1] >= '0' && z[1] <= '9') {
		for (z++; *z >= '0' && *z <= '9'; z++)
			;
		c = jv_string_sized(z, jv_string_length_bytes(jv_copy(tail)) -
		    (int)(z - jv_string_value(tail)));
		jv_free(tail);
		tail = c;
	}
	if (map_streq(tail, "Z") || map_streq(tail, "z")) {
		jv_free(tail);
		return lk_some(s);
	}
	ok = 0;
	if (jv_string_length_codepoints(jv_copy(tail)) == 6) {
		c = map_slice(jv_copy(tail), 3, 4);
		ok = map_streq(c, ":");
		jv_free(c);
		c = map_slice(jv_copy(tail), 0, 1);
		sign = map_streq(c, "+") ? 1 : map_streq(c, "-") ? -1 : 0;
		jv_free(c);
		ok = ok && sign != 0;
	}
	if (!ok || !lk_strnum(map_slice(jv_copy(tail), 1, 3), &h) ||
	    !lk_strnum(map_slice(jv_copy(tail), 4, 6), &m)) {
		jv_free(tail);
		return lk_none;
	}
	jv_free(tail);
	if (!(map_ncmp(h, 24) < 0 && map_ncmp(m, 60) < 0))
		return lk_none;
	o = h * 3600 + m * 60;
	return lk_some(sign > 0 ? s - o : s + o);
}

/* num | when($v): the number read, else v read as ISO 8601. */
static struct lk_t
lk_when(jv v)
{
	struct lk_t t;

	t = lk_num(jv_copy(v));
	return t.set ? t : lk_iso(v);
}

/* ns_secs, ms_secs (consumed). */
static struct lk_t
lk_div_secs(jv v, double by)
{
	struct lk_t t;

	t = lk_num(v);
	if (t.set)
		t.v = floor(t.v / by);
	return t;
}

/* id_str (consumed). */
static jv
lk_id_str(jv v)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return map_tostring(v);
	return map_str(v);
}

/* The time's text: $at when equal to $created, else rfc3339. */
static jv
lk_time(struct lk_t t, struct lk_t created, jv at)
{
	if (!t.set)
		return jv_null();
	if (created.set && map_ncmp(t.v, created.v) == 0)
		return jv_copy(at);
	return map_rfc3339(t.v);
}

/* The direction table, {inbound: "inbound", ...}[.] */
static jv
lk_direction(jv d)
{
	static const char *const names[] = { "inbound", "outbound",
	    "INBOUND", "OUTBOUND", "Inbound", "Outbound" };
	size_t i;

	if (jv_get_kind(d) == JV_KIND_STRING)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (map_streq(d, names[i]))
				return jv_string(i % 2 ? "outbound" :
				    "inbound");
	return jv_null();
}

/* recording_url of an egress (not consumed). */
static jv
lk_recording(jv egress)
{
	jv files, v, loc;
	int i, n, it;

	files = map_get(egress, "fileResults");
	if (jv_get_kind(files) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(files));
		for (i = 0; i < n; i++) {
			v = map_obj(jv_array_get(jv_copy(files), i));
			loc = map_str(map_get(v, "location"));
			jv_free(v);
			if (jv_get_kind(loc) != JV_KIND_NULL) {
				jv_free(files);
				return loc;
			}
		}
	} else if (jv_get_kind(files) == JV_KIND_OBJECT) {
		for (it = jv_object_iter(files); jv_object_iter_valid(files,
		    it); it = jv_object_iter_next(files, it)) {
			v = map_obj(jv_object_iter_value(files, it));
			loc = map_str(map_get(v, "location"));
			jv_free(v);
			if (jv_get_kind(loc) != JV_KIND_NULL) {
				jv_free(files);
				return loc;
			}
		}
	}
	jv_free(files);
	v = map_obj(map_get(egress, "file"));
	loc = map_str(map_get(v, "location"));
	jv_free(v);
	return loc;
}

/* Where an event's start comes from. */
enum lk_from { FROM_NONE, FROM_ROOM, FROM_PARTICIPANT, FROM_EGRESS };

static enum lk_from
lk_from(jv ev)
{
	if (map_streq(ev, "room_started") || map_streq(ev, "room_finished"))
		return FROM_ROOM;
	if (map_streq(ev, "participant_joined") ||
	    map_streq(ev, "participant_left") ||
	    map_streq(ev, "participant_connection_aborted"))
		return FROM_PARTICIPANT;
	if (map_streq(ev, "egress_ended"))
		return FROM_EGRESS;
	return FROM_NONE;
}

#define SET(o, k, v)	((o) = jv_object_set((o), jv_string(k), (v)))

/* $md (room not consumed): room.metadata parsed, if an object. */
static jv
lk_metadata(jv room)
{
	jv md, v;

	md = map_get(room, "metadata");
	if (jv_get_kind(md) != JV_KIND_STRING) {
		jv_free(md);
		return jv_null();
	}
	v = jv_parse_sized(jv_string_value(md),
	    jv_string_length_bytes(jv_copy(md)));
	jv_free(md);
	return map_obj(v);
}

/* The start of an event from a participant (not consumed). */
static struct lk_t
lk_joined(jv p, struct lk_t room_created)
{
	struct lk_t t;
	jv kind;

	t = lk_num(map_get(p, "joinedAt"));
	if (!t.set)
		t = lk_div_secs(map_get(p, "joinedAtMs"), 1000);
	if (!t.set) {
		kind = map_get(p, "kind");
		if (!map_streq(kind, "SIP"))
			t = room_created;
		jv_free(kind);
	}
	return t;
}

/* The direction: the metadata's, else inferred from a SIP participant. */
static jv
lk_dir(jv md, jv p, jv attr)
{
	jv d, v;
	int sip;

	d = map_get(md, "direction");
	v = lk_direction(d);
	jv_free(d);
	if (jv_get_kind(v) != JV_KIND_NULL)
		return v;
	d = map_get(p, "kind");
	sip = map_streq(d, "SIP");
	jv_free(d);
	if (!sip)
		return jv_null();
	d = map_get(attr, "sip.ruleID");
	sip = jv_get_kind(d) == JV_KIND_NULL;
	jv_free(d);
	return jv_string(sip ? "outbound" : "inbound");
}

/* The time an event starts: its room's, its participant's, its egress's. */
static struct lk_t
lk_start(enum lk_from from, jv room, jv p, jv egress)
{
	struct lk_t rc = lk_none, t = lk_none;
	jv v;

	if (from == FROM_ROOM || from == FROM_PARTICIPANT) {
		v = map_get(room, "creationTime");
		rc = lk_when(v);
		jv_free(v);
		if (!rc.set)
			rc = lk_div_secs(map_get(room, "creationTimeMs"),
			    1000);
	}
	if (from == FROM_ROOM)
		t = rc;
	else if (from == FROM_PARTICIPANT)
		t = lk_joined(p, rc);
	else if (from == FROM_EGRESS)
		t = lk_div_secs(map_get(egress, "startedAt"), 1e9);
	return lk_secs(t);
}

int
map_livekit(jv env, jv *out, char *why, size_t whysz)
{
	jv in, id, ev, room, p, attr, egress, ingress, md, at, name, o, v;
	struct lk_t created, start, stop;
	enum lk_from from;
	int ends;

	in = map_get(env, "payload");
	if (jv_get_kind(id = map_str(map_get(in, "id"))) == JV_KIND_NULL) {
		snprintf(why, whysz, "livekit payload has no id");
		jv_free(in);
		return EX_DATAERR;
	}
	if (jv_get_kind(ev = map_str(map_get(in, "event"))) ==
	    JV_KIND_NULL) {
		snprintf(why, whysz, "livekit payload has no event");
		jv_free(id);
		jv_free(in);
		return EX_DATAERR;
	}
	v = map_get(in, "createdAt");
	created = lk_secs(lk_when(v));
	jv_free(v);
	room = map_obj(map_get(in, "room"));
	p = map_obj(map_get(in, "participant"));
	attr = map_obj(map_get(p, "attributes"));
	egress = map_obj(map_get(in, "egressInfo"));
	ingress = map_obj(map_get(in, "ingressInfo"));
	md = lk_metadata(room);
	at = created.set ? map_rfc3339(created.v) : jv_null();
	from = lk_from(ev);
	ends = map_streq(ev, "room_finished") ||
	    map_streq(ev, "participant_left") ||
	    map_streq(ev, "participant_connection_aborted");
	start = lk_start(from, room, p, egress);
	stop = lk_none;
	if (ends)
		stop = created;
	else if (from == FROM_EGRESS)
		stop = lk_secs(lk_div_secs(map_get(egress, "endedAt"), 1e9));
	name = map_or(map_str(map_get(room, "name")),
	    map_or(map_str(map_get(egress, "roomName")),
	    map_str(map_get(ingress, "roomName"))));

	o = jv_object();
	SET(o, "source", jv_string("livekit"));
	SET(o, "event_id", id);
	SET(o, "event", jv_copy(ev));
	SET(o, "occurred_at", map_true(at) ? jv_copy(at) :
	    map_str(map_get(env, "received_at")));
	v = map_obj(map_get(ingress, "state"));
	SET(o, "room_sid", map_or(map_str(map_get(room, "sid")),
	    map_or(map_str(map_get(egress, "roomId")),
	    map_str(map_get(v, "roomId")))));
	jv_free(v);
	SET(o, "room_name", jv_copy(name));
	SET(o, "room_metadata", jv_copy(md));
	SET(o, "user_id", lk_id_str(map_get(md, "userId")));
	SET(o, "agent_config_id", lk_id_str(map_get(md, "agentConfigId")));
	SET(o, "campaign_id", lk_id_str(map_get(md, "campaignId")));
	SET(o, "direction", lk_dir(md, p, attr));
	v = map_get(attr, "sip.phoneNumber");
	SET(o, "phone_number", map_or(lk_e164(v), lk_room_phone(name)));
	jv_free(v);
	SET(o, "participant_identity", map_str(map_get(p, "identity")));
	SET(o, "participant_sid", map_str(map_get(p, "sid")));
	if (jv_get_kind(p) == JV_KIND_NULL)
		v = jv_null();
	else if (jv_get_kind(v = map_str(map_get(p, "kind"))) ==
	    JV_KIND_NULL && map_startswith(ev, "participant_")) {
		jv_free(v);
		v = jv_string("STANDARD");
	}
	SET(o, "participant_kind", v);
	SET(o, "sip_call_id", map_str(map_get(attr, "sip.callID")));
	SET(o, "provider_call_sid",
	    map_str(map_get(attr, "sip.twilio.callSid")));
	if (jv_get_kind(egress) != JV_KIND_NULL &&
	    map_startswith(ev, "egress_"))
		v = map_or(map_str(map_get(egress, "status")),
		    jv_string("EGRESS_STARTING"));
	else
		v = map_str(map_get(attr, "sip.callStatus"));
	SET(o, "provider_status", v);
	v = map_str(map_get(p, "disconnectReason"));
	if (jv_get_kind(v) == JV_KIND_NULL && ends &&
	    !map_streq(ev, "room_finished")) {
		jv_free(v);
		v = jv_string("UNKNOWN_REASON");
	}
	SET(o, "disconnect_reason", v);
	SET(o, "started_at", lk_time(start, created, at));
	SET(o, "ended_at", lk_time(stop, created, at));
	if (!ends)
		v = jv_null();
	else if (!start.set || !created.set)
		v = jv_null();
	else {
		double d = created.v - start.v;

		v = jv_number(map_ncmp(0, d) < 0 ? floor(d) : 0);
	}
	SET(o, "duration", v);
	SET(o, "recording_url", from == FROM_EGRESS ? lk_recording(egress) :
	    jv_null());
	v = map_get(room, "turnPassword");
	if (jv_get_kind(v) == JV_KIND_NULL)
		SET(o, "raw", jv_copy(in));
	else
		SET(o, "raw", jv_delpaths(jv_copy(in),
		    JV_ARRAY(JV_ARRAY(jv_string("room"),
		    jv_string("turnPassword")))));
	jv_free(v);
	jv_free(in);
	jv_free(ev);
	jv_free(room);
	jv_free(p);
	jv_free(attr);
	jv_free(egress);
	jv_free(ingress);
	jv_free(md);
	jv_free(at);
	jv_free(name);
	*out = o;
	return 0;
}
