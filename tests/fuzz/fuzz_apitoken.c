/*
 * fuzz_apitoken.c - libFuzzer target for co-serve's bearer tokens
 * (apitoken.c).  An input starting with '{' is "header\nclaims": the
 * target signs the two JSON texts with the test key itself, so the claim
 * checks behind the signature (exp, nbf, the tenant claim) are reached.
 * Any other input is the Authorization header's value as sent.
 * Rule: whatever the bytes, no crash, no leak, no read past the input, a
 * refusal always says why and an accepted tenant is a tenant name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitoken.h"
#include "crypto.h"
#include "jqleak.h"

#define FZ_SECRET	"api-fuzz-secret-NOT-REAL"
#define FZ_NOW		1767225610

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fz_secret[] = FZ_SECRET;
static char fz_kid[] = "k1";

static const char *
fz_next(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *nl;

	nl = memchr(s, '\n', (size_t)(end - s));
	*n = (size_t)((nl != NULL ? nl : end) - s);
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

/* "Bearer " b64url(header) "." b64url(claims) "." b64url(HMAC). */
static char *
fz_sign(const char *h, size_t hn, const char *c, size_t cn, size_t *len)
{
	unsigned char mac[SHA256_LEN];
	char *tok;
	size_t o = 7;

	if ((tok = malloc(4 * (hn + cn + SHA256_LEN) / 3 + 24)) == NULL)
		abort();
	memcpy(tok, "Bearer ", 7);
	o += b64_encode((const unsigned char *)h, hn, tok + o, 1, 0);
	tok[o++] = '.';
	o += b64_encode((const unsigned char *)c, cn, tok + o, 1, 0);
	crypto_hmac_sha256(FZ_SECRET, strlen(FZ_SECRET), tok + 7, o - 7, mac);
	tok[o++] = '.';
	o += b64_encode(mac, sizeof(mac), tok + o, 1, 0);
	*len = o;
	return tok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apikey k[2] = { { NULL, fz_secret }, { fz_kid, fz_secret } };
	struct apikeys ks = { k, 2, FZ_NOW };
	const char *p = (const char *)data, *end = p + size, *h, *c, *tok;
	char *signed_tok = NULL, *copy, why[160];
	char tenant[APITOKEN_TENANTMAX + 1];
	size_t hn, cn, tn, i;
	int jq_ok, rc;

	if (size > 0 && *p == '{') {
		h = fz_next(&p, end, &hn);
		c = fz_next(&p, end, &cn);
		tok = signed_tok = fz_sign(h, hn, c, cn, &tn);
		jq_ok = fz_json_ok(h, hn) && fz_json_ok(c, cn);
	} else {
		tok = p;
		tn = size;
		jq_ok = size < 7 || fz_token_ok(p + 7, size - 7);
	}
	if ((copy = malloc(tn + 1)) == NULL)	/* a header value: a C string */
		abort();
	memcpy(copy, tok, tn);
	copy[tn] = '\0';
	if (!jq_ok)
		__lsan_disable();
	why[0] = '\0';
	rc = apitoken_tenant(&ks, copy, strlen(copy), "sub", tenant, why,
	    sizeof(why));
	if (rc != 0 && why[0] == '\0')
		abort();	/* a rejection always says why */
	if (rc == 0) {
		if (tenant[0] == '\0' || strlen(tenant) > APITOKEN_TENANTMAX)
			abort();
		for (i = 0; tenant[i] != '\0'; i++)
			if ((unsigned char)tenant[i] < 0x20)
				abort();
	}
	free(copy);
	free(signed_tok);
	if (!jq_ok)
		__lsan_enable();
	return 0;
}
