/*
 * fuzz_jwt.c - libFuzzer target for the LiveKit token parser and checker.
 * An input starting with '{' is "header\nclaims\nbody": the target signs
 * the two JSON texts with the test key itself, so the claim checks behind
 * the signature are reached too.  Any other input is "token\nbody".
 * Rule: whatever the bytes, no crash, no leak, no read past the input
 * (leaks inside libjq 1.6 itself excepted: see jqleak.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "verify.h"
#include "jqleak.h"

#define FZ_KEY		"APIvecTest01"
#define FZ_SECRET	"lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59"
#define FZ_NOW		1767225610

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fz_key[] = FZ_KEY;
static char fz_secret[] = FZ_SECRET;

/* Split off the text up to the next '\n' (or the end). */
static const char *
fz_next(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *nl;

	nl = memchr(s, '\n', (size_t)(end - s));
	*n = (size_t)((nl != NULL ? nl : end) - s);
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

/* b64url(header) "." b64url(claims) "." b64url(HMAC), malloc'ed. */
static char *
fz_sign(const char *h, size_t hn, const char *c, size_t cn, size_t *len)
{
	unsigned char mac[SHA256_LEN];
	char *tok;
	size_t o;

	if ((tok = malloc(4 * (hn + cn + SHA256_LEN) / 3 + 16)) == NULL)
		abort();
	o = b64_encode((const unsigned char *)h, hn, tok, 1, 0);
	tok[o++] = '.';
	o += b64_encode((const unsigned char *)c, cn, tok + o, 1, 0);
	crypto_hmac_sha256(FZ_SECRET, strlen(FZ_SECRET), tok, o, mac);
	tok[o++] = '.';
	o += b64_encode(mac, sizeof(mac), tok + o, 1, 0);
	*len = o;
	return tok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lk_key k = { fz_key, fz_secret };
	struct lk_secrets v = { .lk = &k, .nlk = 1 };
	struct jwt j;
	const char *p = (const char *)data, *end = p + size, *h, *c, *tok;
	char *signed_tok = NULL, why[160];
	size_t hn, cn, tn;
	int jq_ok;

	if (size > 0 && *p == '{') {
		h = fz_next(&p, end, &hn);
		c = fz_next(&p, end, &cn);
		tok = signed_tok = fz_sign(h, hn, c, cn, &tn);
		jq_ok = fz_json_ok(h, hn) && fz_json_ok(c, cn);
	} else {
		tok = fz_next(&p, end, &tn);
		jq_ok = fz_token_ok(tok, tn);
	}
	if (!jq_ok)
		__lsan_disable();
	if (jwt_parse(tok, tn, &j, why, sizeof(why)) == 0)
		jwt_free(&j);
	jwt_free(&j);		/* must be safe after either outcome */
	why[0] = '\0';
	if (verify_livekit_jwt(&v, FZ_NOW, tok, tn, p, (size_t)(end - p), why,
	    sizeof(why)) != 0 && why[0] == '\0')
		abort();	/* a rejection always says why */
	free(signed_tok);
	if (!jq_ok)
		__lsan_enable();
	return 0;
}
