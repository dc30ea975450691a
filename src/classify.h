/*
 * classify.h - the outcome rules of SPEC section 7, first match wins.
 * Rule: an event that says nothing about the outcome gets outcome null.
 */
#ifndef CO_CLASSIFY_H
#define CO_CLASSIFY_H

#include <jv.h>

struct classify_opts {
	double	failed_below;		/* -f, seconds; default 3 */
	double	no_answer_below;	/* -n, seconds; default 10 */
};

void	classify_defaults(struct classify_opts *);
/* ev (consumed) with "outcome" and "outcome_rule" set. */
jv	classify_event(const struct classify_opts *, jv);
/* Rank of an outcome_rule for choosing among a call's events (1 best). */
int	classify_rule_rank(const char *);

#endif
