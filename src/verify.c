/*
 * verify.c - the verifier, which holds each provider's secrets and hands a
 * request to its provider's check; and the signature schemes those checks
 * use: LiveKit's Authorization JWT with a body hash, the legacy
 * X-LiveKit-Signature HMAC, ElevenLabs' "t=...,v0=..." header and Twilio's
 * X-Twilio-Signature (PROTOCOLS.md sections 1.2, 2.2 and 3.3).
 * Rule: secrets, tokens and signatures only ever go into a MAC or a
 * constant-time compare; every reason is a fixed string, never input.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "crypto.h"
#include "diag.h"
#include "envelope.h"
#include "provider.h"
#include "rfc3339.h"
#include "verify.h"

#define JWT_MAX		8192	/* longer tokens are refused unparsed */
#define JWT_TMAX	253402300799.0	/* 9999-12-31T23:59:59Z */
#define EL_MAXV0	8	/* v0 values looked at in one header */

struct el_header {
	const char *t;
	size_t	 tlen;
	long long tval;
	const char *v0[EL_MAXV0];
	size_t	 v0len[EL_MAXV0];
	int	 nv0;
};

/* One form parameter, decoded; name and value point into an arena. */
struct tw_param {
	const char *name;
	size_t	 nlen;
	const char *val;
	size_t	 vlen;
};

static int	fail(char *, size_t, const char *);
static char	*xstrndup(const char *, size_t);
static void	verify_alloc(struct verifier *);
static size_t	slot(const struct verifier *, const struct provider *);
static int	load_one(struct verifier *, size_t, int);
static void	add_key(struct lk_secrets *, const char *, size_t,
		    const char *, size_t);
static void	keys_line(struct lk_secrets *, char *, const char *,
		    unsigned long);
static jv	b64_json(const char *, size_t);
static const char *lk_secret(const struct lk_secrets *, jv);
static int	claim_num(jv, const char *, double *);
static int	jwt_times(time_t, jv, char *, size_t);
static int	jwt_body(jv, const char *, size_t, char *, size_t);
static int	jwt_check(const struct lk_secrets *, time_t,
		    const struct jwt *, const char *, size_t, char *, size_t);
static int	el_part(struct el_header *, const char *, size_t, char *,
		    size_t);
static int	el_parse(const char *, size_t, struct el_header *, char *,
		    size_t);
static int	el_window(time_t, const struct el_header *, char *, size_t);
static int	el_match(const struct el_secrets *, const struct el_header *,
		    const char *, size_t);
static size_t	form_decode(const char *, size_t, char *);
static size_t	tw_params(const char *, size_t, struct tw_param *, char *);
static int	bytes_cmp(const char *, size_t, const char *, size_t);
static int	tw_cmp(const void *, const void *);
static char	*tw_form(const char *, size_t, size_t *);
static char	*tw_other_url(const char *);
static int	tw_mac_equal(const struct tw_secrets *, const char *,
		    const char *, size_t, const char *, size_t);
static char	*tw_query(const char *, const char *, size_t *);
static int	tw_body_hash(const char *, size_t, const char *, size_t);

static int
fail(char *why, size_t sz, const char *reason)
{
	snprintf(why, sz, "%s", reason);
	return -1;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		err(EX_OSERR, "strndup");
	return p;
}

int
verify_secret(const char *name, char **out)
{
	char file[128];
	const char *f;

	if ((*out = conf_secret(name)) != NULL)
		return 0;
	snprintf(file, sizeof(file), "%s_FILE", name);
	if ((f = getenv(file)) != NULL && *f != '\0')
		return -1;	/* conf_secret has warned */
	return 0;
}

static void
add_key(struct lk_secrets *v, const char *key, size_t klen,
    const char *secret, size_t slen)
{
	struct lk_key *k;

	if ((k = reallocarray(v->lk, v->nlk + 1, sizeof(*k))) == NULL)
		err(EX_OSERR, "reallocarray");
	v->lk = k;
	k[v->nlk].key = xstrndup(key, klen);
	k[v->nlk].secret = xstrndup(secret, slen);
	v->nlk++;
}

/*
 * One "key: secret" line of a livekit-server keys file.  Surrounding
 * blanks and one pair of matching quotes around either side are dropped.
 */
static void
keys_line(struct lk_secrets *v, char *line, const char *path,
    unsigned long lineno)
{
	const char *k, *s, *colon;
	size_t klen, slen;

	k = line;
	klen = strlen(line);
	verify_trim(&k, &klen);
	if (klen == 0 || *k == '#')
		return;
	if ((colon = memchr(k, ':', klen)) == NULL)
		goto bad;
	s = colon + 1;
	slen = klen - (size_t)(s - k);
	klen = (size_t)(colon - k);
	verify_trim(&k, &klen);
	verify_trim(&s, &slen);
	if (slen >= 2 && (*s == '"' || *s == '\'') && s[slen - 1] == *s) {
		s++;
		slen -= 2;
	}
	if (klen >= 2 && (*k == '"' || *k == '\'') && k[klen - 1] == *k) {
		k++;
		klen -= 2;
	}
	if (klen == 0 || slen == 0)
		goto bad;
	add_key(v, k, klen, s, slen);
	return;
bad:
	warnx("%s:%lu: malformed line, want \"key: secret\"", path, lineno);
}

int
verify_keys_read(struct lk_secrets *v, FILE *fp, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	while (getline(&line, &cap, fp) != -1)
		keys_line(v, line, path, ++lineno);
	if (ferror(fp)) {
		warn("%s", path);
		rc = -1;
	}
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	return rc;
}

static void
verify_alloc(struct verifier *v)
{
	memset(v, 0, sizeof(*v));
	v->now = conf_now();
	v->n = provider_count();
	if ((v->secrets = calloc(v->n + 1, sizeof(*v->secrets))) == NULL ||
	    (v->state = calloc(v->n + 1, sizeof(*v->state))) == NULL)
		err(EX_OSERR, "calloc");
}

/* The index of p in the table and in v; v->n when it is not there. */
static size_t
slot(const struct verifier *v, const struct provider *p)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (provider_table[i] == p)
			break;
	return i;
}

static int
load_one(struct verifier *v, size_t i, int strict)
{
	return v->state[i] = provider_table[i]->secrets_load(&v->secrets[i],
	    strict);
}

int
verify_init(struct verifier *v)
{
	return verify_load(v, NULL, 0) == PROVIDER_BROKEN ? -1 : 0;
}

int
verify_load(struct verifier *v, const struct provider *p, int strict)
{
	size_t i;
	int st = PROVIDER_OK;

	verify_alloc(v);
	if (p != NULL)
		return (i = slot(v, p)) < v->n ? load_one(v, i, strict) :
		    PROVIDER_OFF;
	for (i = 0; i < v->n; i++)
		if (load_one(v, i, strict) == PROVIDER_BROKEN)
			st = PROVIDER_BROKEN;
	return st;
}

void
verify_free(struct verifier *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->secrets[i] != NULL)
			provider_table[i]->secrets_free(v->secrets[i]);
	free(v->secrets);
	free(v->state);
	memset(v, 0, sizeof(*v));
}

int
verify_state(const struct verifier *v, const struct provider *p)
{
	size_t i;

	return (i = slot(v, p)) < v->n ? v->state[i] : PROVIDER_OFF;
}

const void *
verify_secrets(const struct verifier *v, const struct provider *p)
{
	size_t i;

	return (i = slot(v, p)) < v->n ? v->secrets[i] : NULL;
}

/* A base64url JSON object, or invalid. */
static jv
b64_json(const char *s, size_t n)
{
	unsigned char *buf;
	long len;
	jv j;

	if ((buf = malloc(n + 1)) == NULL)
		err(EX_OSERR, "malloc");
	if ((len = b64_decode(s, n, buf, n, 1)) < 0) {
		free(buf);
		return jv_invalid();
	}
	buf[len] = '\0';	/* jq 1.6 reads it as a string on error */
	j = jv_parse_sized((const char *)buf, (int)len);
	free(buf);
	if (jv_get_kind(j) != JV_KIND_OBJECT) {
		jv_free(j);
		return jv_invalid();
	}
	return j;
}

int
jwt_parse(const char *tok, size_t n, struct jwt *j, char *why, size_t sz)
{
	const char *d1, *d2, *end, *reason = NULL;
	long len;

	memset(j, 0, sizeof(*j));
	j->header = jv_invalid();
	j->claims = jv_invalid();
	if (tok == NULL || n == 0)
		return fail(why, sz, "empty token");
	if (n > JWT_MAX)
		return fail(why, sz, "token too long");
	end = tok + n;
	if ((d1 = memchr(tok, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
		return fail(why, sz, "token is not three dot-separated parts");
	j->header = b64_json(tok, (size_t)(d1 - tok));
	j->claims = b64_json(d1 + 1, (size_t)(d2 - d1 - 1));
	len = b64_decode(d2 + 1, (size_t)(end - d2 - 1), j->sig,
	    sizeof(j->sig), 1);
	if (!jv_is_valid(j->header))
		reason = "bad jwt header";
	else if (!jv_is_valid(j->claims))
		reason = "bad jwt claims";
	else if (len < 0)
		reason = "bad jwt signature encoding";
	if (reason != NULL) {
		jwt_free(j);
		return fail(why, sz, reason);
	}
	j->siglen = (size_t)len;
	j->signing = tok;
	j->signinglen = (size_t)(d2 - tok);
	return 0;
}

void
jwt_free(struct jwt *j)
{
	jv_free(j->header);
	jv_free(j->claims);
	j->header = jv_invalid();
	j->claims = jv_invalid();
}

/* The secret of the key named by claim iss, or NULL. */
static const char *
lk_secret(const struct lk_secrets *v, jv claims)
{
	jv iss;
	const char *s = NULL;
	size_t i, n;

	iss = json_get(claims, "iss");
	if (jv_get_kind(iss) == JV_KIND_STRING) {
		n = (size_t)jv_string_length_bytes(jv_copy(iss));
		for (i = 0; i < v->nlk && s == NULL; i++)
			if (strlen(v->lk[i].key) == n &&
			    memcmp(v->lk[i].key, jv_string_value(iss), n) == 0)
				s = v->lk[i].secret;
	}
	jv_free(iss);
	return s;
}

/*
 * 1 and *d when claim name is a number, 0 when absent, -1 when it is not
 * a number, -2 when it is not a time: NaN, infinite, below 0 or past the
 * year 9999 (jq reads "nan" and 1e400; such an exp would never expire).
 */
static int
claim_num(jv claims, const char *name, double *d)
{
	jv c;
	int rc;

	c = json_get(claims, name);
	if (jv_get_kind(c) == JV_KIND_NUMBER) {
		*d = jv_number_value(c);
		rc = *d >= 0 && *d <= JWT_TMAX ? 1 : -2;	/* NaN: -2 */
	} else
		rc = jv_is_valid(c) ? -1 : 0;
	jv_free(c);
	return rc;
}

/* exp (required) and nbf with VERIFY_LEEWAY, as golang-jwt v5 does. */
static int
jwt_times(time_t at, jv claims, char *why, size_t sz)
{
	double exp, nbf, now = (double)at;

	switch (claim_num(claims, "exp", &exp)) {
	case 0:
		return fail(why, sz, "exp missing");
	case -1:
		return fail(why, sz, "exp is not a number");
	case -2:
		return fail(why, sz, "exp is out of range");
	}
	if (now >= exp + VERIFY_LEEWAY)
		return fail(why, sz, "token expired");
	switch (claim_num(claims, "nbf", &nbf)) {
	case -1:
		return fail(why, sz, "nbf is not a number");
	case -2:
		return fail(why, sz, "nbf is out of range");
	case 1:
		if (now + VERIFY_LEEWAY < nbf)
			return fail(why, sz, "token not yet valid");
	}
	return 0;
}

/* Claim sha256 = padded standard base64 of SHA-256(raw body). */
static int
jwt_body(jv claims, const char *body, size_t blen, char *why, size_t sz)
{
	unsigned char md[SHA256_LEN];
	char b64[4 * ((SHA256_LEN + 2) / 3) + 1];
	jv c;
	int ok;

	c = json_get(claims, "sha256");
	if (jv_get_kind(c) != JV_KIND_STRING) {
		jv_free(c);
		return fail(why, sz, "sha256 claim missing");
	}
	crypto_sha256(body, blen, md);
	b64_encode(md, sizeof(md), b64, 0, 1);
	ok = crypto_equal(b64, strlen(b64), jv_string_value(c),
	    (size_t)jv_string_length_bytes(jv_copy(c)));
	jv_free(c);
	return ok ? 0 : fail(why, sz, "body hash does not match sha256 claim");
}

static int
jwt_check(const struct lk_secrets *v, time_t now, const struct jwt *j,
    const char *body, size_t blen, char *why, size_t sz)
{
	unsigned char mac[SHA256_LEN];
	const char *secret;
	jv alg;
	int hs256;

	alg = json_get(j->header, "alg");
	hs256 = jv_get_kind(alg) == JV_KIND_STRING &&
	    strcmp(jv_string_value(alg), "HS256") == 0 &&
	    jv_string_length_bytes(jv_copy(alg)) == 5;
	jv_free(alg);
	if (!hs256)
		return fail(why, sz, "alg is not HS256");
	if ((secret = lk_secret(v, j->claims)) == NULL)
		return fail(why, sz, "unknown api key");
	crypto_hmac_sha256(secret, strlen(secret), j->signing, j->signinglen,
	    mac);
	if (!crypto_equal(mac, sizeof(mac), j->sig, j->siglen))
		return fail(why, sz, "jwt signature invalid");
	if (jwt_times(now, j->claims, why, sz) == -1)
		return -1;
	return jwt_body(j->claims, body, blen, why, sz);
}

int
verify_livekit_jwt(const struct lk_secrets *v, time_t now, const char *tok,
    size_t n, const char *body, size_t blen, char *why, size_t sz)
{
	struct jwt j;
	int rc;

	/* LiveKit sends the bare token; a proxy may have added "Bearer ". */
	if (tok != NULL && n >= 7 && strncasecmp(tok, "bearer ", 7) == 0) {
		tok += 7;
		n -= 7;
		verify_trim(&tok, &n);
	}
	if (jwt_parse(tok, n, &j, why, sz) == -1)
		return -1;
	rc = jwt_check(v, now, &j, body, blen, why, sz);
	jwt_free(&j);
	return rc;
}

int
verify_livekit_legacy(const struct lk_secrets *v, const char *sig, size_t n,
    const char *body, size_t blen, char *why, size_t sz)
{
	unsigned char want[SHA256_LEN], got[SHA256_LEN];
	long len;

	if (v->lk_legacy == NULL)
		return fail(why, sz, "LIVEKIT_WEBHOOK_SECRET is not set");
	verify_trim(&sig, &n);
	crypto_hmac_sha256(v->lk_legacy, strlen(v->lk_legacy), body, blen,
	    want);
	len = hex_decode(sig, n, got, sizeof(got));
	if (len != SHA256_LEN || !crypto_equal(want, sizeof(want), got,
	    (size_t)len))
		return fail(why, sz, "legacy signature invalid");
	return 0;
}

void
verify_trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* One comma-separated part of the header: t=, v0=, or ignored. */
static int
el_part(struct el_header *h, const char *p, size_t n, char *why, size_t sz)
{
	size_t i;

	verify_trim(&p, &n);
	if (n >= 3 && memcmp(p, "v0=", 3) == 0) {
		if (h->nv0 < EL_MAXV0) {
			h->v0[h->nv0] = p + 3;
			h->v0len[h->nv0++] = n - 3;
		}
		return 0;
	}
	if (n < 2 || memcmp(p, "t=", 2) != 0)
		return 0;
	if (h->t != NULL)
		return fail(why, sz, "timestamp repeated");
	h->t = p + 2;
	h->tlen = n - 2;
	if (h->tlen == 0)
		return fail(why, sz, "timestamp is not a number");
	for (i = 0; i < h->tlen; i++) {
		if (!isdigit((unsigned char)h->t[i]))
			return fail(why, sz, "timestamp is not a number");
		if (h->tval > (LLONG_MAX - 9) / 10)
			h->tval = LLONG_MAX;	/* far future: refused */
		else
			h->tval = h->tval * 10 + (h->t[i] - '0');
	}
	return 0;
}

static int
el_parse(const char *s, size_t n, struct el_header *h, char *why, size_t sz)
{
	const char *p, *e, *end = s + n;

	memset(h, 0, sizeof(*h));
	for (p = s; p < end; p = e + 1) {
		if ((e = memchr(p, ',', (size_t)(end - p))) == NULL)
			e = end;
		if (el_part(h, p, (size_t)(e - p), why, sz) == -1)
			return -1;
	}
	if (h->t == NULL)
		return fail(why, sz, "no timestamp");
	if (h->nv0 == 0)
		return fail(why, sz, "no v0 signature");
	return 0;
}

static int
el_window(time_t at, const struct el_header *h, char *why, size_t sz)
{
	long long now = (long long)at;

	if (h->tval < now - VERIFY_EL_WINDOW)
		return fail(why, sz, "timestamp too old");
	if (h->tval > now + VERIFY_EL_SKEW)
		return fail(why, sz, "timestamp in the future");
	return 0;
}

/* Does any v0 equal HMAC(secret, "<t>.<body>") for any secret? */
static int
el_match(const struct el_secrets *v, const struct el_header *h,
    const char *body, size_t blen)
{
	unsigned char mac[SHA256_LEN], got[EL_MAXV0][SHA256_LEN];
	long glen[EL_MAXV0];
	struct iovec msg[3];
	size_t i;
	int k, ok = 0;

	for (k = 0; k < h->nv0; k++)
		glen[k] = hex_decode(h->v0[k], h->v0len[k], got[k],
		    sizeof(got[k]));
	msg[0].iov_base = (void *)h->t;
	msg[0].iov_len = h->tlen;
	msg[1].iov_base = (void *)".";
	msg[1].iov_len = 1;
	msg[2].iov_base = (void *)body;
	msg[2].iov_len = blen;
	for (i = 0; i < v->nel; i++) {
		if (crypto_hmac_sha256v(v->el[i], strlen(v->el[i]), msg, 3,
		    mac) == -1)
			continue;
		for (k = 0; k < h->nv0; k++)
			if (glen[k] == SHA256_LEN &&
			    crypto_equal(mac, sizeof(mac), got[k], SHA256_LEN))
				ok = 1;
	}
	return ok;
}

int
verify_elevenlabs(const struct el_secrets *v, time_t now, const char *hdr,
    size_t n, const char *body, size_t blen, char *why, size_t sz)
{
	struct el_header h;

	if (v->nel == 0)
		return fail(why, sz, "ELEVENLABS_WEBHOOK_SECRET is not set");
	if (el_parse(hdr, n, &h, why, sz) == -1 ||
	    el_window(now, &h, why, sz) == -1)
		return -1;
	if (!el_match(v, &h, body, blen))
		return fail(why, sz, "v0 mismatch");
	return 0;
}

/* Decode application/x-www-form-urlencoded s[0..n) into out; its length. */
static size_t
form_decode(const char *s, size_t n, char *out)
{
	unsigned char c;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    hex_decode(s + i + 1, 2, &c, 1) == 1) {
			out[o++] = (char)c;
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

/* Split s[0..n) into decoded name=value pairs in arena (n bytes). */
static size_t
tw_params(const char *s, size_t n, struct tw_param *p, char *arena)
{
	const char *end = s + n, *amp, *eq;
	size_t np = 0, o = 0;

	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if (amp > s) {
			if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
				eq = amp;
			p[np].name = arena + o;
			o += p[np].nlen = form_decode(s, (size_t)(eq - s),
			    arena + o);
			p[np].val = arena + o;
			o += p[np].vlen = eq < amp ? form_decode(eq + 1,
			    (size_t)(amp - eq - 1), arena + o) : 0;
			np++;
		}
		if (amp == end)
			break;
		s = amp + 1;
	}
	return np;
}

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	if ((c = memcmp(a, b, an < bn ? an : bn)) != 0)
		return c;
	return (an > bn) - (an < bn);
}

/* qsort order of parameters: by name, then by value, bytewise. */
static int
tw_cmp(const void *a, const void *b)
{
	const struct tw_param *x = a, *y = b;
	int c;

	if ((c = bytes_cmp(x->name, x->nlen, y->name, y->nlen)) != 0)
		return c;
	return bytes_cmp(x->val, x->vlen, y->val, y->vlen);
}

/*
 * The signed string after the URL: each name in sorted order followed by
 * each of its distinct values, sorted, with nothing in between.  malloc'ed.
 */
static char *
tw_form(const char *body, size_t blen, size_t *len)
{
	struct tw_param *p;
	char *arena, *out;
	size_t i, np, o = 0;

	if ((p = calloc(blen / 2 + 1, sizeof(*p))) == NULL ||
	    (arena = malloc(blen + 1)) == NULL ||
	    (out = malloc(blen + 1)) == NULL)
		err(EX_OSERR, "malloc");
	np = tw_params(body, blen, p, arena);
	qsort(p, np, sizeof(*p), tw_cmp);
	for (i = 0; i < np; i++) {
		if (i > 0 && tw_cmp(&p[i - 1], &p[i]) == 0)
			continue;
		memcpy(out + o, p[i].name, p[i].nlen);
		o += p[i].nlen;
		memcpy(out + o, p[i].val, p[i].vlen);
		o += p[i].vlen;
	}
	free(p);
	free(arena);
	*len = o;
	return out;
}

/*
 * The URL Twilio may have signed instead: without its port, or with the
 * scheme's default port added (both SDKs try both).  malloc'ed or NULL.
 */
static char *
tw_other_url(const char *url)
{
	const char *host, *end, *colon, *br;
	char *out;

	if ((host = strstr(url, "://")) == NULL)
		return NULL;
	host += 3;
	end = host + strcspn(host, "/?#");
	br = memchr(host, ']', (size_t)(end - host));
	colon = memchr(br ? br : host, ':', (size_t)(end - (br ? br : host)));
	if (end - url > INT_MAX)
		return NULL;	/* %.*s takes an int */
	if (colon != NULL) {
		if (asprintf(&out, "%.*s%s", (int)(colon - url), url, end) == -1)
			err(EX_OSERR, "asprintf");
	} else if (asprintf(&out, "%.*s:%s%s", (int)(end - url), url,
	    strncmp(url, "https:", 6) == 0 ? "443" : "80", end) == -1)
		err(EX_OSERR, "asprintf");
	return out;
}

/* HMAC-SHA1(token, url + params) in base64 equals sig? */
static int
tw_mac_equal(const struct tw_secrets *v, const char *url, const char *params,
    size_t plen, const char *sig, size_t n)
{
	unsigned char mac[SHA1_LEN];
	char b64[4 * ((SHA1_LEN + 2) / 3) + 1], *s;
	size_t ulen = strlen(url);

	if ((s = malloc(ulen + plen + 1)) == NULL)
		err(EX_OSERR, "malloc");
	memcpy(s, url, ulen);
	if (plen > 0)
		memcpy(s + ulen, params, plen);
	crypto_hmac_sha1(v->tw_token, strlen(v->tw_token), s, ulen + plen,
	    mac);
	free(s);
	b64_encode(mac, sizeof(mac), b64, 0, 1);
	return crypto_equal(b64, strlen(b64), sig, n);
}

/* The first value of query parameter name in url, decoded, malloc'ed. */
static char *
tw_query(const char *url, const char *name, size_t *len)
{
	struct tw_param *p;
	const char *q;
	char *arena, *val = NULL;
	size_t i, n, np;

	if ((q = strchr(url, '?')) == NULL)
		return NULL;
	n = strcspn(++q, "#");
	if ((p = calloc(n / 2 + 1, sizeof(*p))) == NULL ||
	    (arena = malloc(n + 1)) == NULL)
		err(EX_OSERR, "malloc");
	np = tw_params(q, n, p, arena);
	for (i = 0; i < np && val == NULL; i++)
		if (p[i].nlen == strlen(name) &&
		    memcmp(p[i].name, name, p[i].nlen) == 0) {
			val = xstrndup(p[i].val, p[i].vlen);
			*len = p[i].vlen;
		}
	free(p);
	free(arena);
	return val;
}

/* With bodySHA256 in the URL: does it equal hex SHA-256 of the body? */
static int
tw_body_hash(const char *want, size_t wlen, const char *body, size_t blen)
{
	unsigned char md[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	crypto_sha256(body, blen, md);
	hex_encode(md, sizeof(md), hex);
	return crypto_equal(hex, strlen(hex), want, wlen);
}

int
verify_twilio(const struct tw_secrets *v, const char *sig, size_t n,
    const char *url, const char *body, size_t blen, int form, char *why,
    size_t sz)
{
	char *params = NULL, *other, *hash;
	size_t plen = 0, hlen;
	int hash_ok = 1, sig_ok;

	if (v->tw_token == NULL)
		return fail(why, sz, "TWILIO_AUTH_TOKEN is not set");
	verify_trim(&sig, &n);
	if ((hash = tw_query(url, "bodySHA256", &hlen)) != NULL) {
		hash_ok = tw_body_hash(hash, hlen, body, blen);
		free(hash);
		form = 0;	/* the JSON variant signs the URL alone */
	}
	if (form)
		params = tw_form(body, blen, &plen);
	sig_ok = tw_mac_equal(v, url, params, plen, sig, n);
	if (!sig_ok && (other = tw_other_url(url)) != NULL) {
		sig_ok = tw_mac_equal(v, other, params, plen, sig, n);
		free(other);
	}
	free(params);
	if (!sig_ok)
		return fail(why, sz, "twilio signature invalid");
	if (!hash_ok)
		return fail(why, sz, "body hash does not match bodySHA256");
	return 0;
}

/*
 * Freshness is judged at the time the request was received (received_at),
 * not now, so a spool file verifies the same on every later run.
 */
int
verify_envelope(const struct verifier *v, jv env, char *why, size_t sz)
{
	const char *body;
	size_t blen;

	if ((body = json_str(env, "body", &blen)) == NULL) {
		fail(why, sz, "envelope has no body");
		return EX_DATAERR;
	}
	return verify_request(v, env, body, blen, why, sz);
}

int
verify_request(const struct verifier *v, jv env, const char *body,
    size_t blen, char *why, size_t sz)
{
	const struct provider *p;
	const char *ra;
	time_t at = v->now, t;
	size_t i;

	if ((ra = json_str(env, "received_at", NULL)) != NULL &&
	    rfc3339_time(ra, &t) == NULL)
		at = t;
	if ((p = provider_find(json_str(env, "source", NULL))) == NULL) {
		fail(why, sz, "unknown source");
		return EX_DATAERR;
	}
	i = slot(v, p);
	return p->verify(i < v->n ? v->secrets[i] : NULL, at, env, body, blen,
	    why, sz);
}
