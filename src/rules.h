/*
 * rules.h - outcome rules a site can replace (-R): a jq program run by
 * libjq on each normalized event, with the thresholds as $failed_below and
 * $no_answer_below, that returns {outcome, rule}.  share/rules.jq states
 * the built-in rules of classify.c in jq.
 * Rule: a bad result is that event's rejection with a reason, never a crash.
 */
#ifndef CO_RULES_H
#define CO_RULES_H

#include <stddef.h>

#include <jv.h>

struct rules;

/*
 * Compile file with the thresholds bound.  NULL after a warning (file
 * unreadable, program does not compile).
 */
struct rules *rules_new(const char *, double, double);
void	rules_free(struct rules *);

/*
 * Run the program on ev (consumed).  Returns 0 with *out the event with
 * "outcome" and "outcome_rule" set, or EX_DATAERR with *out the event as
 * it came and why set to "NAME: reason" (NAME the program's file name).
 */
int	rules_run(struct rules *, jv, jv *, char *, size_t);

#endif
