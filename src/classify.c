/*
 * classify.c - the outcome rules of SPEC section 7 on one normalized event:
 * first match wins, over the provider's words (disconnect_reason,
 * provider_status, failure_reason, case-insensitive substrings), then a
 * machine answer, then the duration.
 * Rule: an event about something other than the call's own leg (an agent,
 * a browser client, a recording) says nothing about the outcome: null.
 */
#include <string.h>
#include <strings.h>

#include "classify.h"

/* Fields whose words decide rules 1, 2 and 4. */
static const char *const said[] = {
	"disconnect_reason", "provider_status", "failure_reason", NULL
};

/* Rule 1: busy, or declined (LiveKit's busy and 486/603 all give this). */
static const char *const busy[] = { "busy", "user_rejected", NULL };
/* Rule 2: nobody picked up, or the caller gave up first. */
static const char *const no_answer[] = {
	"no_answer", "no-answer", "user_unavailable", "canceled", "cancelled",
	NULL
};
/* Rule 4: failures, by word and by LiveKit's reasons that say it. */
static const char *const failed[] = {
	"failed", "error", "join_failure", "sip_trunk_failure",
	"media_failure", "connection_timeout", NULL
};

static const char *member(jv, const char *);
static int	says(jv, const char *const *);
static int	beside_call(jv);
static int	machine(jv);
static jv	set(jv, const char *, const char *);

void
classify_defaults(struct classify_opts *o)
{
	o->failed_below = 3;
	o->no_answer_below = 10;
}

jv
classify_event(const struct classify_opts *o, jv ev)
{
	jv d;
	double secs;

	if (jv_get_kind(ev) != JV_KIND_OBJECT || beside_call(ev))
		return set(ev, NULL, NULL);
	if (says(ev, busy))
		return set(ev, "busy", "busy");
	if (says(ev, no_answer))
		return set(ev, "no_answer", "no_answer");
	if (machine(ev))
		return set(ev, "voicemail", "voicemail");
	if (says(ev, failed))
		return set(ev, "failed", "failed");
	d = jv_object_get(jv_copy(ev), jv_string("duration"));
	secs = jv_get_kind(d) == JV_KIND_NUMBER ? jv_number_value(d) : -1;
	jv_free(d);
	if (secs < 0)
		return set(ev, NULL, NULL);
	if (secs < o->failed_below)
		return set(ev, "failed", "short");
	if (secs < o->no_answer_below)
		return set(ev, "no_answer", "unanswered");
	return set(ev, "completed", "duration");
}

int
classify_rule_rank(const char *rule)
{
	if (rule == NULL)
		return 9;
	if (strcmp(rule, "busy") == 0)
		return 1;
	if (strcmp(rule, "no_answer") == 0)
		return 2;
	if (strcmp(rule, "voicemail") == 0)
		return 3;
	if (strcmp(rule, "failed") == 0)
		return 4;
	if (strcmp(rule, "short") == 0 || strcmp(rule, "unanswered") == 0 ||
	    strcmp(rule, "duration") == 0)
		return 5;
	return 9;
}

/* The string member key of ev, borrowed (ev holds it), or NULL. */
static const char *
member(jv ev, const char *key)
{
	jv v;
	const char *s = NULL;

	v = jv_object_get(jv_copy(ev), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_STRING)
		s = jv_string_value(v);
	jv_free(v);
	return s;
}

/* Does any of the said fields contain one of words? */
static int
says(jv ev, const char *const *words)
{
	const char *const *f, *const *w;
	const char *s;

	for (f = said; *f != NULL; f++) {
		if ((s = member(ev, *f)) == NULL)
			continue;
		for (w = words; *w != NULL; w++)
			if (strcasestr(s, *w) != NULL)
				return 1;
	}
	return 0;
}

/*
 * Not the call's own leg: a participant that is not the SIP one (an agent
 * leaving with AGENT_ERROR is not the call failing, and a browser client's
 * CLIENT_INITIATED is not the callee's), and egress or ingress events, whose
 * statuses (EGRESS_FAILED, ERROR) are about a recording or a stream.
 */
static int
beside_call(jv ev)
{
	const char *s;

	if ((s = member(ev, "participant_kind")) != NULL &&
	    strcasecmp(s, "SIP") != 0)
		return 1;
	if ((s = member(ev, "event")) != NULL &&
	    (strncmp(s, "egress_", 7) == 0 || strncmp(s, "ingress_", 8) == 0))
		return 1;
	return 0;
}

/* Rule 3: Twilio's answered_by machine_* or fax, or voicemail: true. */
static int
machine(jv ev)
{
	const char *s;
	jv v;
	int yes;

	if ((s = member(ev, "answered_by")) != NULL &&
	    (strncasecmp(s, "machine_", 8) == 0 || strcasecmp(s, "fax") == 0))
		return 1;
	v = jv_object_get(jv_copy(ev), jv_string("voicemail"));
	yes = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	return yes;
}

static jv
set(jv ev, const char *outcome, const char *rule)
{
	if (jv_get_kind(ev) != JV_KIND_OBJECT)
		return ev;
	ev = jv_object_set(ev, jv_string("outcome"),
	    outcome != NULL ? jv_string(outcome) : jv_null());
	return jv_object_set(ev, jv_string("outcome_rule"),
	    rule != NULL ? jv_string(rule) : jv_null());
}
