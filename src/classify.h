/*
 * classify.h - the outcome rules of SPEC section 7, first match wins.
 * Rule: an event that says nothing about the outcome gets outcome null.
 */
#ifndef CO_CLASSIFY_H
#define CO_CLASSIFY_H

#include <stddef.h>

#include <jv.h>

struct rules;

struct classify_opts {
	double	failed_below;		/* -f, seconds; default 3 */
	double	no_answer_below;	/* -n, seconds; default 10 */
	struct rules *rules;		/* -R: a site's program; NULL: ours */
};

void	classify_defaults(struct classify_opts *);
/* ev (consumed) with "outcome" and "outcome_rule" set. */
jv	classify_event(const struct classify_opts *, jv);
/*
 * The same through the site's program when there is one: 0 with *out the
 * classified event, or EX_DATAERR with *out the event as it came and why set.
 */
int	classify_run(const struct classify_opts *, jv, jv *, char *, size_t);
/* Rank of an outcome_rule for choosing among a call's events (1 best). */
int	classify_rule_rank(const char *);

#endif
