/*
 * rawbody.h - the received bytes behind the payload being transformed.
 * transform.c names them while it hands a record's events on, so that a
 * loader in the same process (co-drain) stores the body's own bytes as the
 * raw payload instead of printing the parsed value again (copyrow.c).
 * Rule: the bytes stand for a value only when it is that very payload,
 * unchanged, and they are JSON that PostgreSQL's jsonb takes as it is;
 * else the value is printed as before.
 */
#ifndef CO_RAWBODY_H
#define CO_RAWBODY_H

#include <stddef.h>

#include <jv.h>

void	rawbody_set(jv, jv);	/* payload and body string, consumed */
void	rawbody_clear(void);
/* The body's bytes when v (not consumed) is the payload, else NULL. */
const char *rawbody_for(jv, size_t *);
/* Is s[0..n) one JSON object as RFC 8259 and jsonb take it? */
int	rawbody_strict(const char *, size_t);

#endif
