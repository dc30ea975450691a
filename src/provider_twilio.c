/*
 * provider_twilio.c - Twilio's voice status callbacks (PROTOCOLS.md
 * section 3): their route, their secrets (TWILIO_AUTH_TOKEN, and
 * CO_PUBLIC_URL: the scheme and host Twilio calls, which the signature
 * covers), their signature check (X-Twilio-Signature over that URL), their
 * body (a form, or JSON when the query carries bodySHA256), their event id
 * "CallSid:CallStatus" and their reply (empty TwiML).
 * Rule: what only Twilio needs is here; the scheme is verify.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "diag.h"
#include "envelope.h"
#include "http.h"
#include "provider.h"
#include "verify.h"

extern const struct load_kind load_twilio;	/* load_twilio.c */

static enum provider_state tw_load(void **, int);
static int	tw_url(struct tw_secrets *);
static void	tw_free(void *);
static int	tw_verify(const void *, time_t, jv, const char *, size_t,
		    char *, size_t);
static int	tw_is_form(const char *);
static jv	tw_event_id(jv);

static const char *const routes[] = { "/webhooks/twilio", NULL };
static const char *const sig_headers[] = { "x-twilio-signature", NULL };

const struct provider provider_twilio = {
	.name = "twilio",
	.routes = routes,
	.body_max = 1LL << 20,
	.sig_headers = sig_headers,
	.secrets_load = tw_load,
	.secrets_free = tw_free,
	.verify = tw_verify,
	.is_form = tw_is_form,
	.event_id = tw_event_id,
	.reply_type = "text/xml",
	.reply_body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>",
	.query = PROVIDER_CALLS,
	/* a row of its own: made for a CallSid no ElevenLabs call had */
	.query_rows = "(call_sid IS NULL AND conversation_id IS NULL)",
	.load = &load_twilio,
};

/* CO_PUBLIC_URL, without trailing '/'; 0, or -1 after a warning. */
static int
tw_url(struct tw_secrets *s)
{
	const char *u;
	size_t n;

	if ((u = getenv("CO_PUBLIC_URL")) == NULL || *u == '\0')
		return 0;
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
		warnx("CO_PUBLIC_URL is not an http or https URL");
		return -1;
	}
	n = strlen(u);
	while (n > 0 && u[n - 1] == '/')
		n--;
	if ((s->tw_url = strndup(u, n)) == NULL)
		err(EX_OSERR, "strndup");
	return 0;
}

/*
 * A token without CO_PUBLIC_URL cannot check anything: strict, that is a
 * broken configuration; else each record says so (EX_UNAVAILABLE).
 */
static enum provider_state
tw_load(void **out, int strict)
{
	struct tw_secrets *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(EX_OSERR, "calloc");
	if (verify_secret("TWILIO_AUTH_TOKEN", &s->tw_token) == -1 ||
	    tw_url(s) == -1) {
		tw_free(s);
		return PROVIDER_BROKEN;
	}
	if (s->tw_token == NULL) {
		tw_free(s);
		return PROVIDER_OFF;
	}
	*out = s;
	if (s->tw_url == NULL && strict) {
		warnx("TWILIO_AUTH_TOKEN is set but CO_PUBLIC_URL is not");
		return PROVIDER_BROKEN;
	}
	return PROVIDER_OK;
}

static void
tw_free(void *p)
{
	struct tw_secrets *s = p;

	conf_free(s->tw_token);
	free(s->tw_url);
	free(s);
}

/* The URL Twilio requested is CO_PUBLIC_URL + path + query. */
static int
tw_verify(const void *secrets, time_t now, jv env, const char *body,
    size_t blen, char *why, size_t sz)
{
	const struct tw_secrets *s = secrets;
	const char *h, *path, *query, *method;
	char *url;
	size_t n;
	int rc;

	(void)now;		/* Twilio signs no time */
	if ((h = env_header(env, "x-twilio-signature", &n)) == NULL) {
		snprintf(why, sz, "missing signature");
		return EX_DATAERR;
	}
	if (s == NULL || s->tw_url == NULL) {
		snprintf(why, sz, "no twilio auth token: set "
		    "TWILIO_AUTH_TOKEN and CO_PUBLIC_URL");
		return EX_UNAVAILABLE;
	}
	if ((path = json_str(env, "path", NULL)) == NULL) {
		snprintf(why, sz, "envelope has no path");
		return EX_DATAERR;
	}
	if ((query = json_str(env, "query", NULL)) == NULL)
		query = "";
	if (asprintf(&url, "%s%s%s%s", s->tw_url, path, *query ? "?" : "",
	    query) == -1)
		err(EX_OSERR, "asprintf");
	method = json_str(env, "method", NULL);
	rc = verify_twilio(s, h, n, url, body, blen,
	    method == NULL || strcmp(method, "GET") != 0, why, sz);
	free(url);
	return rc == 0 ? 0 : EX_DATAERR;
}

/* A form, unless the query carries bodySHA256 (the JSON variant). */
static int
tw_is_form(const char *query)
{
	char hash[8];

	return query == NULL || !http_form_value(query, strlen(query),
	    "bodySHA256", hash, sizeof(hash));
}

/* "CallSid:CallStatus" (PROTOCOLS.md section 4), when both are strings. */
static jv
tw_event_id(jv payload)
{
	return provider_join(provider_str(payload, "CallSid"),
	    provider_str(payload, "CallStatus"));
}
