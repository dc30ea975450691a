/*
 * fetchconv.h - co-fetch's reader of an ElevenLabs conversation answer
 * (GET /v1/convai/conversations/{id}, PROTOCOLS.md section 2.7).
 * Rule: an answer is trusted only when it is one JSON object naming the
 * conversation asked for.
 */
#ifndef CO_FETCHCONV_H
#define CO_FETCHCONV_H

#include <stddef.h>

#include <jv.h>

/*
 * Read the answer body[0..len) (NUL-terminated at len; NULL is empty)
 * for conversation id.  1 and *conv (the parsed answer, free it) when it
 * is that conversation and it is over (status "done" or "failed"); 0 when
 * it is not over yet; -1 and why ("response: ..." or "the response is
 * another conversation's") otherwise.  *conv is invalid unless 1.
 */
int	fetch_conv(const char *, size_t, const char *, jv *, char *, size_t);

#endif
