/*
 * http.c - read one HTTP/1.0 or 1.1 request from a byte source and turn it
 * into a spool envelope.  The source is a callback, so co-receive feeds it
 * a socket with a deadline and the fuzzer feeds it a buffer.
 * Rule: strict framing (RFC 9112): lines end in CRLF, a body has exactly
 * one length, and every shape that a proxy in front could read another way
 * (request smuggling) is refused with 400 rather than interpreted.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "http.h"

/* getline results */
#define L_OK	0
#define L_LONG	(-1)		/* over the line limit */
#define L_EOF	(-2)		/* input ended first */
#define L_ERR	(-3)		/* read failed, errno set */
#define L_BAD	(-4)		/* LF without CR, bare CR or NUL */

/* Counts seen while reading the header block. */
struct head {
	size_t	 total;		/* header bytes so far */
	size_t	 lines;
	int	 ncl;		/* Content-Length fields */
	int	 nte;		/* Transfer-Encoding fields */
	int	 nhost;
};

static int	fill(struct http_in *);
static int	getline_crlf(struct http_in *, char *, size_t, size_t *);
static int	fail(struct http_req *, int, const char *);
static int	line_fail(struct http_req *, int, int, const char *);
static int	is_tchar(int);
static int	parse_target(struct http_req *, const char *, size_t);
static int	parse_reqline(struct http_req *, char *, size_t);
static int	parse_field(struct http_req *, struct head *, char *, size_t);
static void	add_header(struct http_req *, struct head *, const char *,
		    const char *, size_t);
static int	parse_clen(const char *, long long *);
static int	framing(struct http_req *, const struct head *);
static int	read_exact(struct http_in *, char *, size_t);
static int	chunk_size(const char *, size_t, size_t *);
static int	read_trailers(struct http_in *, struct http_req *);
static int	read_chunked(struct http_in *, struct http_req *, size_t);
static void	*xrealloc(void *, size_t);

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		err(EX_OSERR, "realloc");
	return p;
}

void
http_init(struct http_in *in, ssize_t (*rd)(void *, void *, size_t),
    void *arg)
{
	in->read = rd;
	in->arg = arg;
	in->off = in->len = in->nread = 0;
}

/* 1 when bytes are buffered, 0 at end of input, -1 on a read error. */
static int
fill(struct http_in *in)
{
	ssize_t n;

	if (in->off < in->len)
		return 1;
	if ((n = in->read(in->arg, in->buf, sizeof(in->buf))) < 0)
		return -1;
	if (n == 0)
		return 0;
	in->off = 0;
	in->len = (size_t)n;
	in->nread += (size_t)n;
	return 1;
}

/*
 * One CRLF-terminated line of at most max bytes (CRLF included) into line,
 * NUL-terminated without the CRLF; its length in *n.
 */
static int
getline_crlf(struct http_in *in, char *line, size_t max, size_t *n)
{
	size_t len = 0, take;
	char *p, *nl;
	int rc;

	for (;;) {
		if ((rc = fill(in)) <= 0)
			return rc == 0 ? L_EOF : L_ERR;
		p = in->buf + in->off;
		nl = memchr(p, '\n', in->len - in->off);
		take = nl != NULL ? (size_t)(nl - p) + 1 : in->len - in->off;
		if (len + take > max)
			return L_LONG;
		memcpy(line + len, p, take);
		len += take;
		in->off += take;
		if (nl != NULL)
			break;
	}
	if (len < 2 || line[len - 2] != '\r')
		return L_BAD;
	len -= 2;
	line[len] = '\0';
	if (memchr(line, '\r', len) != NULL || memchr(line, '\0', len) != NULL)
		return L_BAD;
	*n = len;
	return L_OK;
}

static int
fail(struct http_req *r, int status, const char *why)
{
	r->why = why;
	return status;
}

/* The status for a getline result other than L_OK. */
static int
line_fail(struct http_req *r, int rc, int longstatus, const char *longwhy)
{
	switch (rc) {
	case L_LONG:
		return fail(r, longstatus, longwhy);
	case L_EOF:
		return fail(r, 400, "connection closed mid-request");
	case L_ERR:
		if (errno == ETIMEDOUT)
			return fail(r, 408, "request not complete in time");
		return fail(r, 400, "read error");
	default:
		return fail(r, 400, "line not ended by CRLF, or holding CR "
		    "or NUL");
	}
}

static int
is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* origin-form, or absolute-form with the scheme and authority dropped. */
static int
parse_target(struct http_req *r, const char *t, size_t n)
{
	const char *q, *end = t + n;
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e ||
		    t[i] == '#')
			return fail(r, 400, "bad request target");
	if (n > 8 && (strncasecmp(t, "http://", 7) == 0 ||
	    strncasecmp(t, "https://", 8) == 0)) {
		t = strstr(t, "://") + 3;
		while (t < end && *t != '/' && *t != '?')
			t++;
	} else if (n == 0 || t[0] != '/')
		return fail(r, 400, "bad request target");
	if ((q = memchr(t, '?', (size_t)(end - t))) == NULL)
		q = end;
	if (q == t)
		r->path = strdup("/");
	else
		r->path = strndup(t, (size_t)(q - t));
	r->query = strndup(q < end ? q + 1 : q, q < end ? (size_t)(end - q - 1)
	    : 0);
	if (r->path == NULL || r->query == NULL)
		err(EX_OSERR, "strdup");
	return 0;
}

/* method SP request-target SP HTTP/1.x */
static int
parse_reqline(struct http_req *r, char *line, size_t n)
{
	char *sp1, *sp2, *v;
	size_t i, mlen;

	if ((sp1 = memchr(line, ' ', n)) == NULL)
		return fail(r, 400, "malformed request line");
	mlen = (size_t)(sp1 - line);
	if (mlen == 0 || mlen > HTTP_METHODMAX)
		return fail(r, 400, "bad method");
	for (i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)line[i]))
			return fail(r, 400, "bad method");
	memcpy(r->method, line, mlen);
	r->method[mlen] = '\0';
	if ((sp2 = memchr(sp1 + 1, ' ', n - mlen - 1)) == NULL)
		return fail(r, 400, "malformed request line");
	v = sp2 + 1;
	if (strlen(v) != 8 || strncmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return fail(r, 400, "malformed request line");
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return fail(r, 505, "only HTTP/1.0 and HTTP/1.1");
	r->minor = v[7] - '0';
	return parse_target(r, sp1 + 1, (size_t)(sp2 - sp1 - 1));
}

static void
add_header(struct http_req *r, struct head *h, const char *name,
    const char *v, size_t vlen)
{
	struct http_hdr *f;
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcmp(r->hdr[i].name, name) == 0)
			break;
	f = &r->hdr[i];
	if (i == r->nhdr) {		/* lines <= HTTP_NHDRMAX: room left */
		r->nhdr++;
		if ((f->name = strdup(name)) == NULL)
			err(EX_OSERR, "strdup");
		f->value = xrealloc(NULL, vlen + 1);
		f->vlen = 0;
	} else {
		f->value = xrealloc(f->value, f->vlen + 2 + vlen + 1);
		memcpy(f->value + f->vlen, ", ", 2);
		f->vlen += 2;
	}
	memcpy(f->value + f->vlen, v, vlen);
	f->vlen += vlen;
	f->value[f->vlen] = '\0';
	if (strcmp(name, "content-length") == 0)
		h->ncl++;
	else if (strcmp(name, "transfer-encoding") == 0)
		h->nte++;
	else if (strcmp(name, "host") == 0)
		h->nhost++;
}

/* name ":" OWS value OWS, with no obs-fold and no space before ':'. */
static int
parse_field(struct http_req *r, struct head *h, char *line, size_t n)
{
	size_t i;
	char *v, *e;

	if (line[0] == ' ' || line[0] == '\t')
		return fail(r, 400, "obsolete line folding");
	for (i = 0; i < n && is_tchar((unsigned char)line[i]); i++)
		line[i] = (char)tolower((unsigned char)line[i]);
	if (i < n && (line[i] == ' ' || line[i] == '\t'))
		return fail(r, 400, "whitespace before colon");
	if (i == 0 || i == n || line[i] != ':')
		return fail(r, 400, "malformed header field");
	line[i] = '\0';
	v = line + i + 1;
	e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (i = 0; v + i < e; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return fail(r, 400, "control character in header");
	if (!http_utf8(v, (size_t)(e - v)))
		return fail(r, 400, "header is not UTF-8");
	add_header(r, h, line, v, (size_t)(e - v));
	return 0;
}

/* 1*DIGIT; a value too large for any limit saturates. */
static int
parse_clen(const char *s, long long *out)
{
	long long n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n < (LLONG_MAX - 9) / 10)
			n = n * 10 + (*s - '0');
		else
			n = LLONG_MAX;
	}
	*out = n;
	return 0;
}

/* One unambiguous message length (RFC 9112 section 6), Host, Expect. */
static int
framing(struct http_req *r, const struct head *h)
{
	const char *te, *cl, *ex;

	if (h->nhost > 1 || (h->nhost == 0 && r->minor == 1))
		return fail(r, 400, "missing or repeated Host");
	if (h->ncl > 1)
		return fail(r, 400, "repeated Content-Length");
	if (h->nte > 1)
		return fail(r, 400, "repeated Transfer-Encoding");
	if (h->ncl > 0 && h->nte > 0)
		return fail(r, 400, "both Content-Length and Transfer-Encoding");
	if ((te = http_header(r, "transfer-encoding", NULL)) != NULL) {
		if (r->minor == 0)
			return fail(r, 400, "Transfer-Encoding in HTTP/1.0");
		if (strcasecmp(te, "chunked") != 0)
			return fail(r, 400, "Transfer-Encoding is not chunked");
		r->chunked = 1;
	}
	if ((cl = http_header(r, "content-length", NULL)) != NULL &&
	    parse_clen(cl, &r->clen) == -1)
		return fail(r, 400, "bad Content-Length");
	if (r->minor == 1 && (ex = http_header(r, "expect", NULL)) != NULL) {
		if (strcasecmp(ex, "100-continue") != 0)
			return fail(r, 417, "unsupported expectation");
		r->expect = 1;
	}
	return 0;
}

int
http_read_head(struct http_in *in, struct http_req *r)
{
	char line[HTTP_LINEMAX + 1];
	struct head h;
	size_t n;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&h, 0, sizeof(h));
	r->clen = -1;
	do {				/* RFC 9112 2.2: skip empty lines */
		if ((rc = getline_crlf(in, line, HTTP_LINEMAX, &n)) != L_OK) {
			if (rc == L_EOF && in->nread == 0)
				return fail(r, 400, "empty request");
			return line_fail(r, rc, 414, "request line too long");
		}
		h.total += n + 2;
	} while (n == 0 && h.total < HTTP_HEADMAX);
	if ((rc = parse_reqline(r, line, n)) != 0)
		return rc;
	h.total = 0;
	for (;;) {
		if ((rc = getline_crlf(in, line, HTTP_LINEMAX, &n)) != L_OK)
			return line_fail(r, rc, 431, "header line too long");
		if (n == 0)
			break;
		if ((h.total += n + 2) > HTTP_HEADMAX)
			return fail(r, 431, "header block too large");
		if (++h.lines > HTTP_NHDRMAX)
			return fail(r, 431, "too many header fields");
		if ((rc = parse_field(r, &h, line, n)) != 0)
			return rc;
	}
	return framing(r, &h);
}

static int
read_exact(struct http_in *in, char *dst, size_t n)
{
	size_t take;
	int rc;

	while (n > 0) {
		if ((rc = fill(in)) <= 0)
			return rc == 0 ? L_EOF : L_ERR;
		take = in->len - in->off;
		if (take > n)
			take = n;
		memcpy(dst, in->buf + in->off, take);
		in->off += take;
		dst += take;
		n -= take;
	}
	return L_OK;
}

/* chunk-size [ BWS ";" chunk-ext ]; 0, or a status. */
static int
chunk_size(const char *s, size_t n, size_t *size)
{
	size_t i = 0, v = 0, digits = 0;
	int c;

	for (; i < n && isxdigit((unsigned char)s[i]); i++) {
		c = (unsigned char)s[i];
		c = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
		if (v != 0 || c != 0)
			digits++;
		if (digits > 2 * sizeof(v) - 1)
			return 413;
		v = v * 16 + (size_t)c;
	}
	if (i == 0)
		return 400;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return 400;
	*size = v;
	return 0;
}

/* Trailer fields after the last chunk: bounded like headers, dropped. */
static int
read_trailers(struct http_in *in, struct http_req *r)
{
	char line[HTTP_LINEMAX + 1];
	size_t n, total = 0, lines = 0;
	int rc;

	for (;;) {
		if ((rc = getline_crlf(in, line, HTTP_LINEMAX, &n)) != L_OK)
			return line_fail(r, rc, 431, "trailer line too long");
		if (n == 0)
			return 0;
		if ((total += n + 2) > HTTP_HEADMAX || ++lines > HTTP_NHDRMAX)
			return fail(r, 431, "trailer too large");
		if (line[0] == ' ' || line[0] == '\t' ||
		    strchr(line, ':') == NULL)
			return fail(r, 400, "malformed trailer field");
	}
}

static int
read_chunked(struct http_in *in, struct http_req *r, size_t max)
{
	char line[HTTP_LINEMAX + 1];
	size_t n, size, cap = 1;
	int rc;

	r->body = xrealloc(NULL, cap);
	for (;;) {
		if ((rc = getline_crlf(in, line, HTTP_LINEMAX, &n)) != L_OK)
			return line_fail(r, rc, 400, "chunk size line too long");
		if ((rc = chunk_size(line, n, &size)) != 0)
			return fail(r, rc, rc == 413 ? "body over the limit" :
			    "bad chunk size");
		if (size == 0)
			break;
		if (size > max - r->bodylen)
			return fail(r, 413, "body over the limit");
		if (r->bodylen + size + 1 > cap) {
			while (r->bodylen + size + 1 > cap)
				cap *= 2;
			r->body = xrealloc(r->body, cap);
		}
		if ((rc = read_exact(in, r->body + r->bodylen, size)) != L_OK)
			return line_fail(r, rc, 400, "");
		r->bodylen += size;
		r->body[r->bodylen] = '\0';
		if ((rc = getline_crlf(in, line, 2, &n)) != L_OK || n != 0)
			return rc == L_EOF || rc == L_ERR ? line_fail(r, rc, 0,
			    "") : fail(r, 400, "chunk data not ended by CRLF");
	}
	r->body[r->bodylen] = '\0';
	return read_trailers(in, r);
}

int
http_read_body(struct http_in *in, struct http_req *r, size_t max)
{
	int rc;

	if (r->chunked)
		return read_chunked(in, r, max);
	if (r->clen < 0)
		return fail(r, 411, "no Content-Length");
	if ((unsigned long long)r->clen > max)
		return fail(r, 413, "body over the limit");
	r->body = xrealloc(NULL, (size_t)r->clen + 1);
	if ((rc = read_exact(in, r->body, (size_t)r->clen)) != L_OK) {
		if (rc == L_EOF)
			return fail(r, 400, "body shorter than Content-Length");
		return line_fail(r, rc, 400, "");
	}
	r->bodylen = (size_t)r->clen;
	r->body[r->bodylen] = '\0';
	return 0;
}

void
http_free(struct http_req *r)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	free(r->path);
	free(r->query);
	free(r->body);
	r->nhdr = 0;
	r->path = r->query = r->body = NULL;
}

const char *
http_header(const struct http_req *r, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcmp(r->hdr[i].name, name) == 0) {
			if (len != NULL)
				*len = r->hdr[i].vlen;
			return r->hdr[i].value;
		}
	return NULL;
}

int
http_utf8(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *e = s + len;
	uint32_t cp;
	int n, i;

	while (s < e) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 2, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 3, cp = *s & 0x07;
		else
			return 0;
		if (e - s <= n)
			return 0;
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* The value of hex digits s[0], s[1], or -1. */
static int
hex2(const char *s)
{
	int i, c, v = 0;

	for (i = 0; i < 2; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

int
http_form_ok(const char *s, size_t len)
{
	size_t i, field = 0;		/* bytes of the current field */
	int c;

	if (len == 0 || s[len - 1] == '&')
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\0' || (!isalnum(c) &&
		    strchr("-._~!$'()*,;:@/?+%=&", c) == NULL))
			return 0;	/* not a query character (RFC 3986) */
		if (c == '&') {
			if (field == 0)
				return 0;	/* an empty field */
			field = 0;
			continue;
		}
		if (c == '=' && field == 0)
			return 0;		/* no name */
		if (c == '%' && (len - i < 3 || hex2(s + i + 1) == -1))
			return 0;
		if (c == '%')
			i += 2;
		field++;
	}
	return 1;
}

int
http_form_value(const char *s, size_t len, const char *name, char *buf,
    size_t sz)
{
	const char *p = s, *e = s + len;
	size_t nlen = strlen(name), n = 0;
	int c;

	for (; p < e; p++)
		if ((p == s || p[-1] == '&') && (size_t)(e - p) > nlen &&
		    memcmp(p, name, nlen) == 0 && p[nlen] == '=')
			break;
	if (p >= e || sz == 0)
		return 0;
	for (p += nlen + 1; p < e && *p != '&' && n + 1 < sz; p++) {
		if (*p == '%' && e - p > 2 && (c = hex2(p + 1)) != -1) {
			buf[n++] = (char)c;
			p += 2;
		} else
			buf[n++] = *p == '+' ? ' ' : *p;
	}
	buf[n] = '\0';
	return 1;
}

/* p[0..e) with '+' and %XX decoded into buf; its length. */
static int
form_decode(const char *p, const char *e, char *buf)
{
	int c, n = 0;

	for (; p < e; p++) {
		if (*p == '%' && e - p > 2 && (c = hex2(p + 1)) != -1) {
			buf[n++] = (char)c;
			p += 2;
		} else
			buf[n++] = *p == '+' ? ' ' : *p;
	}
	return n;
}

jv
http_form_object(const char *s, size_t len)
{
	const char *p, *e = s + len, *amp, *eq;
	char *buf;
	jv obj, name, val;

	obj = jv_object();
	if (len > INT_MAX)
		return obj;		/* jv strings are shorter */
	if ((buf = malloc(len + 1)) == NULL)
		err(EX_OSERR, "malloc");
	for (p = s; p < e; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(e - p))) == NULL)
			amp = e;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		name = jv_string_sized(buf, form_decode(p, eq, buf));
		val = jv_string_sized(buf, eq < amp ?
		    form_decode(eq + 1, amp, buf) : 0);
		if (jv_object_has(jv_copy(obj), jv_copy(name))) {
			jv_free(name);	/* the first value wins */
			jv_free(val);
		} else
			obj = jv_object_set(obj, name, val);
		if (amp == e)
			break;
	}
	free(buf);
	return obj;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100:	return "Continue";
	case 200:	return "OK";
	case 400:	return "Bad Request";
	case 401:	return "Unauthorized";
	case 404:	return "Not Found";
	case 405:	return "Method Not Allowed";
	case 408:	return "Request Timeout";
	case 411:	return "Length Required";
	case 413:	return "Content Too Large";
	case 414:	return "URI Too Long";
	case 417:	return "Expectation Failed";
	case 431:	return "Request Header Fields Too Large";
	case 500:	return "Internal Server Error";
	case 503:	return "Service Unavailable";
	case 505:	return "HTTP Version Not Supported";
	default:	return "Unknown";
	}
}

static void
member(struct buf *b, const char *key, const char *s, size_t n)
{
	buf_add(b, ",\"", 2);
	buf_str(b, key);
	buf_add(b, "\":", 2);
	buf_json(b, s, n);
}

void
http_envelope(struct buf *b, const struct http_req *r,
    const char *source, const char *remote, const char *received_at)
{
	size_t i;

	buf_str(b, "{\"v\":1");
	member(b, "received_at", received_at, strlen(received_at));
	member(b, "source", source, strlen(source));
	member(b, "method", r->method, strlen(r->method));
	member(b, "path", r->path, strlen(r->path));
	member(b, "query", r->query, strlen(r->query));
	member(b, "remote", remote, strlen(remote));
	buf_str(b, ",\"headers\":{");
	for (i = 0; i < r->nhdr; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		buf_json(b, r->hdr[i].name, strlen(r->hdr[i].name));
		buf_add(b, ":", 1);
		buf_json(b, r->hdr[i].value, r->hdr[i].vlen);
	}
	buf_add(b, "}", 1);
	member(b, "body", r->body != NULL ? r->body : "", r->bodylen);
	buf_add(b, "}", 1);
}
