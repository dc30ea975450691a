/*
 * classify.c - the outcome rules of SPEC section 7 on one normalized event:
 * first match wins, over the provider's words (disconnect_reason,
 * provider_status, failure_reason, case-insensitive substrings), then a
 * machine answer, then the duration.
 * Rule: an event about something other than the call's own leg (an agent,
 * a browser client, a recording) says nothing about the outcome: null.
 * It runs in co-drain once per event, so it only looks members up, with
 * keys made once (jv_string allocates and validates UTF-8 on every call),
 * and reads each field once.
 */
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "json.h"
#include "rules.h"

/* The members read, by index; the first NSAID decide rules 1, 2 and 4. */
enum {
	K_DISCONNECT, K_STATUS, K_FAILURE, NSAID = 3,
	K_KIND = NSAID, K_EVENT, K_ANSWERED, K_VOICEMAIL, K_DURATION,
	K_OUTCOME, K_RULE, NKEYS
};
static const char *const names[NKEYS] = {
	"disconnect_reason", "provider_status", "failure_reason",
	"participant_kind", "event", "answered_by", "voicemail", "duration",
	"outcome", "outcome_rule"
};
static jv keys[NKEYS];		/* names as jv strings, made on first use */

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

static jv	key(int);
static const char *member(jv, int);
static int	says(const char *const *, const char *const *);
static int	beside_call(jv);
static int	machine(jv);
static jv	set(jv, const char *, const char *);

void
classify_defaults(struct classify_opts *o)
{
	o->failed_below = 3;
	o->no_answer_below = 10;
	o->rules = NULL;
}

int
classify_run(const struct classify_opts *o, jv ev, jv *out, char *why,
    size_t whysz)
{
	if (o->rules == NULL || jv_get_kind(ev) != JV_KIND_OBJECT) {
		*out = classify_event(o, ev);
		return 0;
	}
	return rules_run(o->rules, ev, out, why, whysz);
}

jv
classify_event(const struct classify_opts *o, jv ev)
{
	const char *said[NSAID];
	jv d;
	double secs;
	int i;

	if (jv_get_kind(ev) != JV_KIND_OBJECT || beside_call(ev))
		return set(ev, NULL, NULL);
	for (i = 0; i < NSAID; i++)
		said[i] = member(ev, i);
	if (says(said, busy))
		return set(ev, "busy", "busy");
	if (says(said, no_answer))
		return set(ev, "no_answer", "no_answer");
	if (machine(ev))
		return set(ev, "voicemail", "voicemail");
	if (says(said, failed))
		return set(ev, "failed", "failed");
	d = jv_object_get(jv_copy(ev), key(K_DURATION));
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

/* The key of index k, a new reference to the one made on first use. */
static jv
key(int k)
{
	int i;

	if (jv_get_kind(keys[0]) != JV_KIND_STRING)
		for (i = 0; i < NKEYS; i++)
			keys[i] = jv_string(names[i]);
	return jv_copy(keys[k]);
}

/* The string member k of ev, borrowed (ev holds it), or NULL. */
static const char *
member(jv ev, int k)
{
	jv kk = key(k);
	const char *s;

	s = json_strk(ev, kk, NULL);
	jv_free(kk);
	return s;
}

/* Does any of the said fields (NULL when absent) contain one of words? */
static int
says(const char *const *said, const char *const *words)
{
	const char *const *w;
	int i;

	for (i = 0; i < NSAID; i++) {
		if (said[i] == NULL)
			continue;
		for (w = words; *w != NULL; w++)
			if (strcasestr(said[i], *w) != NULL)
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

	if ((s = member(ev, K_KIND)) != NULL &&
	    strcasecmp(s, "SIP") != 0)
		return 1;
	if ((s = member(ev, K_EVENT)) != NULL &&
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

	if ((s = member(ev, K_ANSWERED)) != NULL &&
	    (strncasecmp(s, "machine_", 8) == 0 || strcasecmp(s, "fax") == 0))
		return 1;
	v = jv_object_get(jv_copy(ev), key(K_VOICEMAIL));
	yes = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	return yes;
}

static jv
set(jv ev, const char *outcome, const char *rule)
{
	if (jv_get_kind(ev) != JV_KIND_OBJECT)
		return ev;
	ev = jv_object_set(ev, key(K_OUTCOME),
	    outcome != NULL ? jv_string(outcome) : jv_null());
	return jv_object_set(ev, key(K_RULE),
	    rule != NULL ? jv_string(rule) : jv_null());
}
