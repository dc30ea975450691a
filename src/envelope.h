/*
 * envelope.h - accessors on the spool envelope (SPEC section 4, version 1).
 * Rule: body bytes are never re-serialized; signatures cover them exactly.
 */
#ifndef CO_ENVELOPE_H
#define CO_ENVELOPE_H

#include <stddef.h>

#include <jv.h>

#include "json.h"

/* A request header by lower-case name, borrowed like json_str. */
const char *env_header(jv, const char *, size_t *);
/* Check v, source and body; 0 ok, -1 with why filled. */
int	 env_check(jv, char *, size_t);

struct provider;

/*
 * The payload of a request of provider p with query (or of an envelope):
 * the body parsed as a JSON object, or the fields of a form as an object
 * when p reads such a request's body as a form.  Invalid with why set when
 * the body is neither.  body is NUL-terminated (jq 1.6 prints it with %s).
 */
jv	 env_payload(const struct provider *, const char *, const char *,
	    size_t, char *, size_t);
/*
 * The event id of SPEC section 6 by p's rule from payload (borrowed) into
 * buf (sz > 0): empty when it has none; cut at a character boundary when
 * longer than buf, and at a NUL it holds.
 */
void	 env_event_id(const struct provider *, jv, char *, size_t);

#endif
