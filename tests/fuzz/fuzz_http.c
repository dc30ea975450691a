/*
 * fuzz_http.c - libFuzzer target for the HTTP request parser (http.c) and
 * the envelope built from what it accepts.  The input is the raw request;
 * it is handed over in chunks of varying size, and some inputs end in a
 * timeout instead of end of input, so every refill and deadline path runs.
 * Rule: whatever the bytes, no crash, no leak, only the documented statuses,
 * and an accepted request's envelope parses and carries its body and
 * headers byte for byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "envelope.h"
#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct src {
	const uint8_t *p;
	size_t	 len;
	size_t	 off;
	int	 timeout;		/* end in ETIMEDOUT, not EOF */
};

static ssize_t
src_read(void *arg, void *buf, size_t sz)
{
	struct src *s = arg;
	size_t n;

	if (s->off == s->len) {
		if (s->timeout) {
			errno = ETIMEDOUT;
			return -1;
		}
		return 0;
	}
	n = s->len % 5 == 0 ? sz : 1 + (s->off * 7 + s->len) % 13;
	if (n > sz)
		n = sz;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

/* The envelope parses, and body and headers come back unchanged. */
static void
check_envelope(const struct http_req *r)
{
	struct buf b = { NULL, 0, 0 };
	const char *s;
	size_t i, n;
	jv e;

	http_envelope(&b, r, "livekit", "127.0.0.1",
	    "2026-01-01T00:00:00.000000Z");
	e = jv_parse_sized(b.p, (int)b.len);
	if (jv_get_kind(e) != JV_KIND_OBJECT)
		abort();
	if ((s = json_str(e, "body", &n)) == NULL || n != r->bodylen ||
	    memcmp(s, r->body, n) != 0)
		abort();
	if ((s = json_str(e, "path", NULL)) == NULL || strcmp(s, r->path) != 0)
		abort();
	for (i = 0; i < r->nhdr; i++)
		if ((s = env_header(e, r->hdr[i].name, &n)) == NULL ||
		    n != r->hdr[i].vlen || memcmp(s, r->hdr[i].value, n) != 0)
			abort();
	jv_free(e);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_in in;
	struct src s = { data, size, 0, size % 3 == 0 };
	struct http_req r;
	int rc;

	http_init(&in, src_read, &s);
	rc = http_read_head(&in, &r);
	if (rc != 0 && rc != 400 && rc != 408 && rc != 414 && rc != 417 &&
	    rc != 431 && rc != 505)
		abort();
	if (rc == 0) {
		rc = http_read_body(&in, &r, 1 << 16);
		if (rc != 0 && rc != 400 && rc != 408 && rc != 411 &&
		    rc != 413 && rc != 431)
			abort();
		if (rc == 0 && http_utf8(r.body, r.bodylen))
			check_envelope(&r);
	}
	if (rc != 0 && r.why == NULL)
		abort();
	http_free(&r);
	return 0;
}
