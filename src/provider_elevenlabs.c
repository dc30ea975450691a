/*
 * provider_elevenlabs.c - ElevenLabs' post-call webhooks (PROTOCOLS.md
 * section 2): their routes (bodies up to 16 MiB: the audio), their secrets
 * (ELEVENLABS_WEBHOOK_SECRET, a comma list for rotation), their signature
 * check (ElevenLabs-Signature) and their event id, "type:conversation_id"
 * (ElevenLabs sends no event id).
 * Rule: what only ElevenLabs needs is here; the scheme is verify.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "diag.h"
#include "envelope.h"
#include "provider.h"
#include "verify.h"

extern const struct load_kind load_elevenlabs;	/* load_elevenlabs.c */

static enum provider_state el_load(void **, int);
static void	el_free(void *);
static void	el_add(struct el_secrets *, const char *, size_t);
static int	el_verify(const void *, time_t, jv, const char *, size_t,
		    char *, size_t);
static jv	el_event_id(jv);

static const char *const routes[] = { "/api/webhooks/elevenlabs",
    "/webhooks/elevenlabs", NULL };
static const char *const sig_headers[] = { "elevenlabs-signature", NULL };

const struct provider provider_elevenlabs = {
	.name = "elevenlabs",
	.routes = routes,
	.body_max = 16LL << 20,
	.sig_headers = sig_headers,
	.secrets_load = el_load,
	.secrets_free = el_free,
	.verify = el_verify,
	.query = PROVIDER_CALLS,
	/* its calls rows: made by co-dial or for a conversation */
	.query_rows = "(call_sid IS NOT NULL OR conversation_id IS NOT NULL)",
	.event_id = el_event_id,
	.load = &load_elevenlabs,
};

static void
el_add(struct el_secrets *s, const char *p, size_t n)
{
	char **el;

	if ((el = reallocarray(s->el, s->nel + 1, sizeof(*el))) == NULL ||
	    (el[s->nel] = strndup(p, n)) == NULL)
		err(EX_OSERR, "reallocarray");
	s->el = el;
	s->nel++;
}

/* ELEVENLABS_WEBHOOK_SECRET: a comma-separated list, for rotation. */
static enum provider_state
el_load(void **out, int strict)
{
	struct el_secrets *s;
	const char *p, *e;
	char *all;
	size_t n;

	(void)strict;
	*out = NULL;
	if (verify_secret("ELEVENLABS_WEBHOOK_SECRET", &all) == -1)
		return PROVIDER_BROKEN;
	if (all == NULL)
		return PROVIDER_OFF;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(EX_OSERR, "calloc");
	for (p = all; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		verify_trim(&p, &n);
		if (n > 0)
			el_add(s, p, n);
	}
	conf_free(all);
	if (s->nel == 0) {
		el_free(s);
		warnx("ELEVENLABS_WEBHOOK_SECRET holds no secret");
		return PROVIDER_BROKEN;
	}
	*out = s;
	return PROVIDER_OK;
}

static void
el_free(void *p)
{
	struct el_secrets *s = p;
	size_t i;

	for (i = 0; i < s->nel; i++)
		conf_free(s->el[i]);
	free(s->el);
	free(s);
}

static int
el_verify(const void *secrets, time_t now, jv env, const char *body,
    size_t blen, char *why, size_t sz)
{
	const struct el_secrets *s = secrets;
	const char *h;
	size_t n;

	if ((h = env_header(env, "elevenlabs-signature", &n)) == NULL) {
		snprintf(why, sz, "missing signature");
		return EX_DATAERR;
	}
	if (s == NULL) {
		snprintf(why, sz, "no elevenlabs webhook secret: "
		    "set ELEVENLABS_WEBHOOK_SECRET");
		return EX_UNAVAILABLE;
	}
	return verify_elevenlabs(s, now, h, n, body, blen, why, sz) == 0 ?
	    0 : EX_DATAERR;
}

/* "type:data.conversation_id", when both are strings. */
static jv
el_event_id(jv payload)
{
	jv data, id;

	data = jv_object_get(jv_copy(payload), jv_string("data"));
	id = provider_join(provider_str(payload, "type"),
	    jv_get_kind(data) == JV_KIND_OBJECT ?
	    provider_str(data, "conversation_id") : jv_null());
	jv_free(data);
	return id;
}
