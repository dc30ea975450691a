/*
 * rules.c - a site's outcome rules (-R FILE): one jq program, compiled
 * once with the thresholds as named arguments, run on each event; its one
 * result {outcome, rule} is checked and copied into the event.
 * Rule: whatever the program does (no result, two, a non-object, an
 * unknown outcome, a jq error), the event is refused with a one-line
 * reason and the next one runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jq.h>

#include "conf.h"
#include "diag.h"
#include "jqprog.h"
#include "json.h"
#include "rules.h"

#define WHY_MAX	160	/* longest jq error text kept in a reason */

struct rules {
	jq_state *jq;
	char	*name;		/* the file's last component, in reasons */
	jv	 outcome, rule, outcome_rule;	/* keys, made once */
};

static const char *const outcomes[] = {
	"completed", "no_answer", "busy", "failed", "voicemail", NULL
};

static int	 result(struct rules *, jv *, char *, size_t);
static int	 check(struct rules *, jv, char *, size_t);

struct rules *
rules_new(const char *file, double failed_below, double no_answer_below)
{
	struct rules *r;
	const char *base;
	jv args;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		err(EX_OSERR, NULL);
	base = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;
	if ((r->name = strdup(file)) == NULL)
		err(EX_OSERR, NULL);
	args = jv_object_set(jv_object(), jv_string("failed_below"),
	    jv_number(failed_below));
	args = jv_object_set(args, jv_string("no_answer_below"),
	    jv_number(no_answer_below));
	if ((rc = jqprog_load(&r->jq, file, r->name, args)) != 0) {
		if (rc == JQPROG_UNREAD)
			warn("%s", file);
		else
			warnx("%s does not compile", file);
		free(r->name);
		free(r);
		return NULL;
	}
	/* Compile errors name the whole path; reasons only the file. */
	memmove(r->name, base, strlen(base) + 1);
	r->outcome = jv_string("outcome");
	r->rule = jv_string("rule");
	r->outcome_rule = jv_string("outcome_rule");
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	jq_teardown(&r->jq);
	jv_free(r->outcome);
	jv_free(r->rule);
	jv_free(r->outcome_rule);
	free(r->name);
	free(r);
}

int
rules_run(struct rules *r, jv ev, jv *out, char *why, size_t whysz)
{
	char reason[WHY_MAX + 40];
	jv res;

	jq_start(r->jq, jv_copy(ev), 0);
	res = jv_invalid();
	if (result(r, &res, reason, sizeof(reason)) != 0 ||
	    check(r, res, reason, sizeof(reason)) != 0) {
		jv_free(res);
		snprintf(why, whysz, "%s: %s", r->name, reason);
		*out = ev;
		return EX_DATAERR;
	}
	ev = jv_object_set(ev, jv_copy(r->outcome),
	    json_getk(res, r->outcome));
	ev = jv_object_set(ev, jv_copy(r->outcome_rule),
	    jv_object_get(res, jv_copy(r->rule)));
	*out = ev;
	return 0;
}

/* The program's one result in *res, or -1 with reason set. */
static int
result(struct rules *r, jv *res, char *reason, size_t sz)
{
	jv out, code;
	int n = 0;

	while (jv_is_valid(out = jq_next(r->jq))) {
		if (n++ == 0) {
			*res = out;
			continue;
		}
		jv_free(out);
		snprintf(reason, sz, "more than one result");
		return -1;
	}
	if (jv_invalid_has_msg(jv_copy(out))) {
		jqprog_why(jv_invalid_get_msg(out), WHY_MAX, reason, sz);
		return -1;
	}
	jv_free(out);
	if (jq_halted(r->jq)) {		/* halt is an end, halt_error not */
		code = jq_get_exit_code(r->jq);
		if (jv_is_valid(code) && !(jv_get_kind(code) ==
		    JV_KIND_NUMBER && jv_number_value(code) == 0)) {
			jv_free(code);
			jqprog_why(jq_get_error_message(r->jq), WHY_MAX, reason,
			    sz);
			return -1;
		}
		jv_free(code);
	}
	if (n == 0) {
		snprintf(reason, sz, "no result");
		return -1;
	}
	return 0;
}

/* Is res {outcome: one of ours or null, rule: a string or null}? */
static int
check(struct rules *r, jv res, char *reason, size_t sz)
{
	const char *const *o;
	jv v;
	int ok = 0;

	if (jv_get_kind(res) != JV_KIND_OBJECT) {
		snprintf(reason, sz, "result is not an object");
		return -1;
	}
	v = json_getk(res, r->outcome);
	if (jv_get_kind(v) == JV_KIND_NULL)
		ok = 1;
	else if (jv_get_kind(v) == JV_KIND_STRING)
		for (o = outcomes; *o != NULL && !ok; o++)
			ok = strcmp(jv_string_value(v), *o) == 0;
	if (!ok) {
		if (jv_get_kind(v) == JV_KIND_STRING)
			snprintf(reason, sz, "unknown outcome \"%.40s\"",
			    jv_string_value(v));
		else
			snprintf(reason, sz, "outcome is not a string");
		jv_free(v);
		return -1;
	}
	jv_free(v);
	v = json_getk(res, r->rule);
	ok = jv_get_kind(v) == JV_KIND_NULL || jv_get_kind(v) ==
	    JV_KIND_STRING;
	jv_free(v);
	if (!ok) {
		snprintf(reason, sz, "rule is not a string");
		return -1;
	}
	return 0;
}

