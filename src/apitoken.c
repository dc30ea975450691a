/*
 * apitoken.c - HS256 bearer tokens for co-serve (apitoken.h), on the JWT
 * parser and HMAC that check LiveKit's webhooks (verify.c, crypto.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apitoken.h"
#include "conf.h"
#include "crypto.h"
#include "diag.h"
#include "json.h"
#include "verify.h"

static int
fail(char *why, size_t sz, const char *reason)
{
	snprintf(why, sz, "%s", reason);
	return -1;
}

static void
add(struct apikeys *ks, const char *kid, size_t klen, const char *secret,
    size_t slen)
{
	struct apikey *k;

	if ((k = reallocarray(ks->k, ks->n + 1, sizeof(*k))) == NULL)
		err(EX_OSERR, "reallocarray");
	ks->k = k;
	k += ks->n++;
	k->kid = NULL;
	if (kid != NULL && (k->kid = strndup(kid, klen)) == NULL)
		err(EX_OSERR, "strndup");
	if ((k->secret = strndup(secret, slen)) == NULL)
		err(EX_OSERR, "strndup");
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
	    (*s)[*n - 1] == '\n' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* "kid: secret"; blanks around either and '#' comment lines ignored. */
static int
keys_line(struct apikeys *ks, const char *line, const char *path,
    unsigned long lineno)
{
	const char *k = line, *s, *colon;
	size_t klen = strlen(line), slen;

	trim(&k, &klen);
	if (klen == 0 || *k == '#')
		return 0;
	if ((colon = memchr(k, ':', klen)) == NULL) {
		warnx("%s:%lu: malformed line, want \"kid: secret\"", path,
		    lineno);
		return -1;
	}
	s = colon + 1;
	slen = klen - (size_t)(s - k);
	klen = (size_t)(colon - k);
	trim(&k, &klen);
	trim(&s, &slen);
	if (klen == 0 || slen == 0) {
		warnx("%s:%lu: malformed line, want \"kid: secret\"", path,
		    lineno);
		return -1;
	}
	add(ks, k, klen, s, slen);
	return 0;
}

static int
keys_file(struct apikeys *ks)
{
	const char *path;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int rc = 0;

	if ((path = getenv("CO_API_JWT_KEYS_FILE")) == NULL || *path == '\0')
		return 0;
	if ((fp = fopen(path, "r")) == NULL) {
		warn("%s", path);
		return -1;
	}
	while (getline(&line, &cap, fp) != -1)
		if (keys_line(ks, line, path, ++lineno) == -1)
			rc = -1;
	if (ferror(fp)) {
		warn("%s", path);
		rc = -1;
	}
	fclose(fp);
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	return rc;
}

int
apitoken_init(struct apikeys *ks)
{
	const char *f;
	char *s;
	int rc = 0;

	memset(ks, 0, sizeof(*ks));
	ks->now = conf_now();
	if ((s = conf_secret("CO_API_JWT_SECRET")) != NULL) {
		add(ks, NULL, 0, s, strlen(s));
		conf_free(s);
	} else if ((f = getenv("CO_API_JWT_SECRET_FILE")) != NULL && *f != '\0')
		rc = -1;		/* conf_secret has warned */
	if (keys_file(ks) == -1)
		rc = -1;
	return rc;
}

void
apitoken_free(struct apikeys *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		free(ks->k[i].kid);
		conf_free(ks->k[i].secret);
	}
	free(ks->k);
	memset(ks, 0, sizeof(*ks));
}

/* The secret for the token's kid (none: CO_API_JWT_SECRET), or NULL. */
static const char *
secret_for(const struct apikeys *ks, jv header)
{
	const char *kid, *s = NULL;
	size_t i;
	jv h;
	int absent;

	if ((kid = json_str(header, "kid", NULL)) == NULL) {
		absent = json_absent(h = json_get(header, "kid"));
		jv_free(h);
		if (!absent)
			return NULL;	/* a kid that is not a string */
	}
	for (i = 0; i < ks->n && s == NULL; i++)
		if (kid == NULL ? ks->k[i].kid == NULL : ks->k[i].kid != NULL &&
		    strcmp(ks->k[i].kid, kid) == 0)
			s = ks->k[i].secret;
	return s;
}

static int
times(const struct apikeys *ks, jv claims, char *why, size_t sz)
{
	double now = (double)ks->now;
	jv c;
	int rc = 0;

	c = json_get(claims, "exp");
	if (jv_get_kind(c) != JV_KIND_NUMBER)
		rc = fail(why, sz, "exp missing or not a number");
	else if (now >= jv_number_value(c) + APITOKEN_LEEWAY)
		rc = fail(why, sz, "token expired");
	jv_free(c);
	if (rc != 0)
		return rc;
	c = json_get(claims, "nbf");
	if (jv_is_valid(c) && jv_get_kind(c) != JV_KIND_NUMBER)
		rc = fail(why, sz, "nbf is not a number");
	else if (jv_is_valid(c) && now + APITOKEN_LEEWAY < jv_number_value(c))
		rc = fail(why, sz, "token not yet valid");
	jv_free(c);
	return rc;
}

/* The claim as a tenant name: 1 to APITOKEN_TENANTMAX printable bytes. */
static int
tenant_claim(jv claims, const char *claim, char *tenant, char *why,
    size_t sz)
{
	const char *t;
	size_t i, n, len;

	if ((t = json_str(claims, claim, &len)) == NULL)
		return fail(why, sz, "tenant claim missing or not a string");
	n = strlen(t);
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			break;
	if (n == 0 || n > APITOKEN_TENANTMAX || i < n || len != n)
		return fail(why, sz, "tenant claim is not a tenant name");
	memcpy(tenant, t, n + 1);
	return 0;
}

int
apitoken_tenant(const struct apikeys *ks, const char *hdr, size_t n,
    const char *claim, char *tenant, char *why, size_t sz)
{
	unsigned char mac[SHA256_LEN];
	const char *secret, *alg;
	struct jwt j;
	size_t alen;
	int rc;

	if (hdr == NULL)
		return fail(why, sz, "no Authorization header");
	if (n < 7 || strncasecmp(hdr, "bearer ", 7) != 0)
		return fail(why, sz, "Authorization is not Bearer");
	hdr += 7;
	n -= 7;
	trim(&hdr, &n);
	if (jwt_parse(hdr, n, &j, why, sz) == -1)
		return -1;
	alg = json_str(j.header, "alg", &alen);
	rc = alg != NULL && strcmp(alg, "HS256") == 0 && alen == 5;
	if (!rc)
		rc = fail(why, sz, "alg is not HS256");
	else if ((secret = secret_for(ks, j.header)) == NULL)
		rc = fail(why, sz, "no key for the token's kid");
	else {
		crypto_hmac_sha256(secret, strlen(secret), j.signing,
		    j.signinglen, mac);
		if (!crypto_equal(mac, sizeof(mac), j.sig, j.siglen))
			rc = fail(why, sz, "token signature invalid");
		else if ((rc = times(ks, j.claims, why, sz)) == 0)
			rc = tenant_claim(j.claims, claim, tenant, why, sz);
	}
	jwt_free(&j);
	return rc;
}
