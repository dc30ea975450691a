/*
 * http.h - one HTTP/1.x request read from a byte source (SPEC section 5):
 * the request line, the header fields and a Content-Length or chunked body,
 * and the version-1 spool envelope (SPEC section 4) built from it.
 * Rule: every length a client controls is bounded before it is trusted,
 * and anything two parsers could read two ways is refused, not guessed.
 */
#ifndef CO_HTTP_H
#define CO_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include <jv.h>
#include "buf.h"

#define HTTP_LINEMAX	8192		/* request line, one header line */
#define HTTP_HEADMAX	32768		/* all header lines together */
#define HTTP_NHDRMAX	100		/* header lines */
#define HTTP_METHODMAX	32
#define HTTP_BUFSZ	16384

/*
 * The byte source.  read returns bytes read, 0 at end of input, or -1 with
 * errno set; ETIMEDOUT means the caller's deadline passed (408).
 */
struct http_in {
	ssize_t	(*read)(void *, void *, size_t);
	void	*arg;
	size_t	 off;
	size_t	 len;
	size_t	 nread;			/* bytes taken from the source */
	char	 buf[HTTP_BUFSZ];
};

struct http_hdr {
	char	*name;			/* lower case */
	char	*value;			/* repeats joined by ", " */
	size_t	 vlen;
};

struct http_req {
	char	 method[HTTP_METHODMAX + 1];
	char	*path;			/* target up to '?' */
	char	*query;			/* after '?', "" when none */
	int	 minor;			/* HTTP/1.minor */
	struct http_hdr hdr[HTTP_NHDRMAX];
	size_t	 nhdr;
	long long clen;			/* Content-Length, -1 when none */
	int	 chunked;
	int	 expect;		/* Expect: 100-continue on HTTP/1.1 */
	char	*body;			/* NUL-terminated, may hold NULs */
	size_t	 bodylen;
	const char *why;		/* reason for a failing status */
};

void	http_init(struct http_in *, ssize_t (*)(void *, void *, size_t),
	    void *);

/*
 * Read the request line and header fields into req.  Returns 0, or the
 * HTTP status to answer with (400, 408, 414, 417, 431, 505) and req->why.
 */
int	http_read_head(struct http_in *, struct http_req *);

/*
 * Read the body of at most max bytes.  Returns 0, or the status to answer
 * (400, 408, 411 no length, 413 over max) with req->why.
 */
int	http_read_body(struct http_in *, struct http_req *, size_t);

void	http_free(struct http_req *);

/* A header value by lower-case name, or NULL. */
const char *http_header(const struct http_req *, const char *, size_t *);

/* Is s[0..len) valid UTF-8 (no overlongs, surrogates or > U+10FFFF)? */
int	http_utf8(const char *, size_t);

/*
 * Is s[0..len) an application/x-www-form-urlencoded body: one or more
 * name[=value] fields joined by '&', each with a name, of the characters
 * RFC 3986 allows in a query (no space, control, quote, brace or
 * bracket), every '%' followed by exactly two hex digits?
 */
int	http_form_ok(const char *, size_t);

/*
 * The first value of field name in the form s[0..len), '+' and %XX
 * decoded, into buf (cut at sz - 1 bytes, NUL-terminated).  1 when the
 * field is there, else 0.  A '%' without two hex digits stays as it is.
 */
int	http_form_value(const char *, size_t, const char *, char *, size_t);

/*
 * The fields of the form s[0..len) as a JSON object of strings, decoded as
 * http_form_value does; the first value of a repeated name wins, bytes
 * that are not UTF-8 become U+FFFD.  s is not NULL; past INT_MAX bytes,
 * no field.
 */
jv	http_form_object(const char *, size_t);

/* The standard reason phrase of a status ("Not Found"). */
const char *http_reason(int);

/*
 * The envelope line of SPEC section 4 (no trailing newline) for a request
 * whose header values and body are valid UTF-8.
 */
void	http_envelope(struct buf *, const struct http_req *,
	    const char *, const char *, const char *);


#endif
