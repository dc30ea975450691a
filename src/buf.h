/*
 * buf.h - the one growable byte buffer of the tree: COPY rows, envelopes,
 * HTTP responses, JSON bodies.
 * Rule: p is always NUL-terminated once anything was added; allocation
 * failure exits (EX_OSERR).  A zeroed struct buf is an empty buffer.
 */
#ifndef CO_BUF_H
#define CO_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len, cap;
};

void	buf_add(struct buf *, const void *, size_t);
void	buf_str(struct buf *, const char *);
/* s[0..len) as a JSON string literal; valid UTF-8 is kept as is. */
void	buf_json(struct buf *, const char *, size_t);
/* s[0..len) escaped for PostgreSQL's COPY text format; NULL writes \N. */
void	buf_copyfield(struct buf *, const char *, size_t);
void	buf_free(struct buf *);

#endif
