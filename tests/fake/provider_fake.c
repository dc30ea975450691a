/*
 * provider_fake.c - a fourth provider that exists only in the tests: its
 * route, its secret (FAKE_SECRET), its signature (X-Fake-Signature: hex
 * HMAC-SHA256 of the body), its event id (the payload's "id") and its
 * answer, written against provider.h alone.  tests/fake/providers.c adds
 * it to a copy of the table, linked into tests/fake/co-*-fake, and
 * tests/0670-fake-provider.t runs it end to end: the proof that the table
 * is the only seam.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "crypto.h"
#include "diag.h"
#include "envelope.h"
#include "provider.h"
#include "verify.h"

extern const struct load_kind load_fake;	/* load_fake.c */

static enum provider_state fake_load(void **, int);
static void	fake_free(void *);
static int	fake_verify(const void *, time_t, jv, const char *, size_t,
		    char *, size_t);
static jv	fake_event_id(jv);

static const char *const routes[] = { "/webhooks/fake", NULL };
static const char *const sig_headers[] = { "x-fake-signature", NULL };

const struct provider provider_fake = {
	.name = "fake",
	.routes = routes,
	.body_max = 64 << 10,
	.sig_headers = sig_headers,
	.secrets_load = fake_load,
	.secrets_free = fake_free,
	.verify = fake_verify,
	.event_id = fake_event_id,
	.reply_type = "text/plain",
	.reply_body = "fake: kept\n",
	.load = &load_fake,
};

static enum provider_state
fake_load(void **out, int strict)
{
	char *s;

	(void)strict;
	*out = NULL;
	if (verify_secret("FAKE_SECRET", &s) == -1)
		return PROVIDER_BROKEN;
	if (s == NULL)
		return PROVIDER_OFF;
	*out = s;
	return PROVIDER_OK;
}

static void
fake_free(void *s)
{
	conf_free(s);
}

static int
fake_verify(const void *secret, time_t now, jv env, const char *body,
    size_t blen, char *why, size_t sz)
{
	unsigned char want[SHA256_LEN], got[SHA256_LEN];
	const char *h;
	size_t n;
	long len;

	(void)now;
	if ((h = env_header(env, "x-fake-signature", &n)) == NULL) {
		snprintf(why, sz, "missing signature");
		return EX_DATAERR;
	}
	if (secret == NULL) {
		snprintf(why, sz, "no fake secret: set FAKE_SECRET");
		return EX_UNAVAILABLE;
	}
	crypto_hmac_sha256(secret, strlen(secret), body, blen, want);
	len = hex_decode(h, n, got, sizeof(got));
	if (len != SHA256_LEN || !crypto_equal(want, sizeof(want), got,
	    SHA256_LEN)) {
		snprintf(why, sz, "fake signature invalid");
		return EX_DATAERR;
	}
	return 0;
}

static jv
fake_event_id(jv payload)
{
	return provider_str(payload, "id");
}
