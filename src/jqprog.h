/*
 * jqprog.h - load and compile a jq program file with libjq 1.6, set up
 * as every program of ours runs: the share directory as its library
 * path, no further inputs, debug to standard error.
 */
#ifndef CO_JQPROG_H
#define CO_JQPROG_H

#include <jq.h>
#include <jv.h>

#define JQPROG_UNREAD	(-1)	/* the file cannot be read: errno says why */
#define JQPROG_BAD	(-2)	/* it does not compile (said on stderr) */

/*
 * Compile file with args (an object, consumed; jv_object() for none)
 * into *jqp.
 * name, which must outlive *jqp, prefixes compile errors.
 */
int	jqprog_load(jq_state **, const char *, const char *, jv);

/*
 * A jq error message (consumed) as a one-line reason of at most max bytes
 * of its text: only strings are shown, and cut, as error(.) would
 * otherwise print a whole payload.
 */
void	jqprog_why(jv, int, char *, size_t);

#endif
