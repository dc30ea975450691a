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

/*
 * The event id of SPEC section 6 into buf (sz > 0): LiveKit's "id",
 * ElevenLabs' "type:conversation_id", Twilio's "CallSid:CallStatus", from
 * body (a JSON object; consumed) or, when body is not an object, from the
 * form raw[0..len).  Empty when the body has none; cut at a character
 * boundary when longer than buf.
 */
void	 env_event_id(const char *, jv, const char *, size_t, char *, size_t);

#endif
