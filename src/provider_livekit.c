/*
 * provider_livekit.c - LiveKit (PROTOCOLS.md section 1): its routes, its
 * secrets (an API key pair, a livekit-server keys file, the legacy webhook
 * secret), its signature check (the Authorization JWT, else the legacy
 * X-LiveKit-Signature) and its event id, the payload's "id".
 * Rule: what only LiveKit needs is here; the schemes are verify.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "diag.h"
#include "envelope.h"
#include "provider.h"
#include "verify.h"

extern const struct load_kind load_livekit;	/* load_livekit.c */

static enum provider_state lk_load(void **, int);
static void	lk_free(void *);
static int	lk_env(struct lk_secrets *);
static int	lk_keys_file(struct lk_secrets *);
static int	lk_verify(const void *, time_t, jv, const char *, size_t,
		    char *, size_t);
static jv	lk_event_id(jv);

static const char *const routes[] = { "/api/webhooks/call_completed",
    "/webhooks/livekit", NULL };
static const char *const sig_headers[] = { "authorization",
    "x-livekit-signature", NULL };

const struct provider provider_livekit = {
	.name = "livekit",
	.routes = routes,
	.body_max = 1LL << 20,
	.sig_headers = sig_headers,
	.secrets_load = lk_load,
	.secrets_free = lk_free,
	.verify = lk_verify,
	.query = PROVIDER_CALL_LOGS,
	.query_rows = "true",
	.event_id = lk_event_id,
	.load = &load_livekit,
};

/* LIVEKIT_API_KEY and LIVEKIT_API_SECRET, a pair; 0, or -1. */
static int
lk_env(struct lk_secrets *s)
{
	char *key = NULL, *secret = NULL;
	int rc = 0;

	if (verify_secret("LIVEKIT_API_KEY", &key) == -1 ||
	    verify_secret("LIVEKIT_API_SECRET", &secret) == -1)
		rc = -1;
	else if (key != NULL && secret != NULL) {
		if ((s->lk = calloc(1, sizeof(*s->lk))) == NULL)
			err(EX_OSERR, "calloc");
		s->lk[0].key = key;
		s->lk[0].secret = secret;
		s->nlk = 1;
		return 0;
	} else if (key != NULL || secret != NULL) {
		warnx("LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set "
		    "together");
		rc = -1;
	}
	conf_free(key);
	conf_free(secret);
	return rc;
}

static int
lk_keys_file(struct lk_secrets *s)
{
	const char *path;
	FILE *fp;
	int rc;

	if ((path = getenv("LIVEKIT_KEYS_FILE")) == NULL || *path == '\0')
		return 0;
	if ((fp = conf_secret_open(path)) == NULL)
		return -1;
	rc = verify_keys_read(s, fp, path);
	fclose(fp);
	return rc;
}

static enum provider_state
lk_load(void **out, int strict)
{
	struct lk_secrets *s;
	int broken = 0;

	(void)strict;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(EX_OSERR, "calloc");
	if (lk_env(s) == -1)
		broken = 1;
	if (lk_keys_file(s) == -1)
		broken = 1;
	if (verify_secret("LIVEKIT_WEBHOOK_SECRET", &s->lk_legacy) == -1)
		broken = 1;
	if (!broken && s->nlk == 0 && s->lk_legacy == NULL) {
		lk_free(s);
		*out = NULL;
		return PROVIDER_OFF;
	}
	*out = s;
	return broken ? PROVIDER_BROKEN : PROVIDER_OK;
}

static void
lk_free(void *p)
{
	struct lk_secrets *s = p;
	size_t i;

	for (i = 0; i < s->nlk; i++) {
		conf_free(s->lk[i].key);
		conf_free(s->lk[i].secret);
	}
	free(s->lk);
	conf_free(s->lk_legacy);
	free(s);
}

static int
lk_verify(const void *secrets, time_t now, jv env, const char *body,
    size_t blen, char *why, size_t sz)
{
	const struct lk_secrets *s = secrets;
	const char *h;
	size_t n;

	if ((h = env_header(env, "authorization", &n)) != NULL) {
		if (s == NULL || s->nlk == 0) {
			snprintf(why, sz, "no livekit api key: set "
			    "LIVEKIT_API_KEY and LIVEKIT_API_SECRET, or "
			    "LIVEKIT_KEYS_FILE");
			return EX_UNAVAILABLE;
		}
		return verify_livekit_jwt(s, now, h, n, body, blen, why, sz) ==
		    0 ? 0 : EX_DATAERR;
	}
	if ((h = env_header(env, "x-livekit-signature", &n)) != NULL) {
		if (s == NULL || s->lk_legacy == NULL) {
			snprintf(why, sz, "no livekit webhook secret: "
			    "set LIVEKIT_WEBHOOK_SECRET");
			return EX_UNAVAILABLE;
		}
		return verify_livekit_legacy(s, h, n, body, blen, why, sz) ==
		    0 ? 0 : EX_DATAERR;
	}
	snprintf(why, sz, "missing signature");
	return EX_DATAERR;
}

/* The WebhookEvent's id ("EV_..."); LiveKit's retries reuse it. */
static jv
lk_event_id(jv payload)
{
	return provider_str(payload, "id");
}
