/*
 * transform.h - envelopes to normalized events (SPEC section 6) through jq
 * programs run by libjq: share/<source>.jq, or one given with -f.
 * Rule: the program sees the envelope with the parsed body as .payload and
 * emits zero or more events; C adds only what the program cannot know.
 */
#ifndef CO_TRANSFORM_H
#define CO_TRANSFORM_H

#include <stddef.h>

#include <jv.h>

struct transform;

/* Built-in programs from conf_sharedir(), loaded when first needed. */
struct transform *transform_new(void);
/*
 * -f [SOURCE=]FILE: replace the program of SOURCE, or of every source.
 * 0, or -1 after a warning (file unreadable, program does not compile).
 */
int	transform_set(struct transform *, const char *);
void	transform_free(struct transform *);

/*
 * Run the program for env's source on env (consumed), an envelope that
 * passed env_check (which is not repeated here).  Calls emit(arg, ev)
 * for each event (ev is the callee's).  Returns 0, or EX_DATAERR with why
 * set when the body is not JSON or the program raised an error, or
 * EX_UNAVAILABLE / EX_SOFTWARE when no program can be loaded.
 */
int	transform_run(struct transform *, jv, void (*)(void *, jv), void *,
	    char *, size_t);

#endif
