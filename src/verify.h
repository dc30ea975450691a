/*
 * verify.h - webhook signature schemes (PROTOCOLS.md sections 1.2, 2.2,
 * 3.3): LiveKit's Authorization JWT (HS256, sha256 body claim, key by iss),
 * the legacy X-LiveKit-Signature hex HMAC-SHA256, ElevenLabs' t=...,v0=...,
 * Twilio's X-Twilio-Signature (HMAC-SHA1 over URL and sorted parameters);
 * and the verifier, which holds each provider's secrets and asks the
 * provider's own check (provider.h).
 * Rule: hash the raw body bytes; compare in constant time; never print
 * a secret, a token or a signature.
 */
#ifndef CO_VERIFY_H
#define CO_VERIFY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <jv.h>

#define VERIFY_LEEWAY	60		/* LiveKit exp/nbf leeway, seconds */
#define VERIFY_EL_WINDOW (30 * 60)	/* ElevenLabs past window */
#define VERIFY_EL_SKEW	60		/* ElevenLabs future skew */

struct provider;

/* The secrets of every provider in the table, each its own. */
struct verifier {
	void	**secrets;		/* by provider_table index */
	int	 *state;		/* enum provider_state, likewise */
	size_t	  n;
	time_t	  now;			/* conf_now() at init */
};

/* Load the secrets of SPEC section 3; 0, or -1 after a warning. */
int	verify_init(struct verifier *);
/*
 * Load the secrets of provider p alone, or of every provider when p is
 * NULL, strict as provider.h says.  p's state (enum provider_state); for
 * all, PROVIDER_BROKEN when any is, else PROVIDER_OK.
 */
int	verify_load(struct verifier *, const struct provider *, int);
void	verify_free(struct verifier *);
/* The state and the secrets of provider p (NULL when none is set). */
int	verify_state(const struct verifier *, const struct provider *);
const void *verify_secrets(const struct verifier *, const struct provider *);

/*
 * Check the signature of an envelope.  Returns 0 when it verifies,
 * EX_DATAERR with why set when it does not, EX_UNAVAILABLE when no secret
 * is configured for its scheme (why says which variable to set).
 */
int	verify_envelope(const struct verifier *, jv, char *, size_t);
/*
 * The same on the raw body, apart from an envelope that need not hold one
 * (co-receive checks a request before it builds anything from its body).
 */
int	verify_request(const struct verifier *, jv, const char *, size_t,
	    char *, size_t);

/*
 * Helpers for a provider's secrets_load: like conf_secret (NAME, else the
 * file NAME_FILE names), but -1 when it is set and unusable.
 */
int	verify_secret(const char *, char **);
/* s[0..*n) without blanks around it. */
void	verify_trim(const char **, size_t *);

/* The secrets of the built-in schemes, as their providers load them. */
struct lk_key {
	char	*key;
	char	*secret;
};
struct lk_secrets {
	struct lk_key *lk;		/* LIVEKIT_API_KEY/SECRET + keys file */
	size_t	 nlk;
	char	*lk_legacy;		/* LIVEKIT_WEBHOOK_SECRET */
};
struct el_secrets {
	char	**el;		/* ELEVENLABS_WEBHOOK_SECRET, comma list */
	size_t	 nel;
};
struct tw_secrets {
	char	*tw_token;		/* TWILIO_AUTH_TOKEN */
	char	*tw_url;		/* CO_PUBLIC_URL, no trailing '/' */
};

/* Add the "key: secret" lines of a livekit-server keys file; 0, or -1. */
int	verify_keys_read(struct lk_secrets *, FILE *, const char *);

/* The schemes on raw values; 0 ok, else -1 and why. */
int	verify_livekit_jwt(const struct lk_secrets *, time_t, const char *,
	    size_t, const char *, size_t, char *, size_t);
int	verify_livekit_legacy(const struct lk_secrets *, const char *, size_t,
	    const char *, size_t, char *, size_t);
int	verify_elevenlabs(const struct el_secrets *, time_t, const char *,
	    size_t, const char *, size_t, char *, size_t);
/*
 * Twilio: signature, the full URL Twilio requested, body; form says the
 * body's parameters are signed too (a form POST).  A bodySHA256 query
 * parameter selects the JSON-body variant (PROTOCOLS.md section 3.3).
 */
int	verify_twilio(const struct tw_secrets *, const char *, size_t,
	    const char *, const char *, size_t, int, char *, size_t);

/* JWT structure alone (used by the fuzzer): decode and parse claims. */
struct jwt {
	jv	 header;
	jv	 claims;
	const char *signing;		/* "b64(header).b64(claims)" */
	size_t	 signinglen;
	unsigned char sig[64];
	size_t	 siglen;
};
int	jwt_parse(const char *, size_t, struct jwt *, char *, size_t);
void	jwt_free(struct jwt *);

#endif
