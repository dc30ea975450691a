/*
 * verify.h - webhook signature schemes (PROTOCOLS.md sections 1.2, 2.2,
 * 3.3): LiveKit's Authorization JWT (HS256, sha256 body claim, key by iss),
 * the legacy X-LiveKit-Signature hex HMAC-SHA256, ElevenLabs' t=...,v0=...,
 * Twilio's X-Twilio-Signature (HMAC-SHA1 over URL and sorted parameters).
 * Rule: hash the raw body bytes; compare in constant time; never print
 * a secret, a token or a signature.
 */
#ifndef CO_VERIFY_H
#define CO_VERIFY_H

#include <stddef.h>
#include <time.h>

#include <jv.h>

#define VERIFY_LEEWAY	60		/* LiveKit exp/nbf leeway, seconds */
#define VERIFY_EL_WINDOW (30 * 60)	/* ElevenLabs past window */
#define VERIFY_EL_SKEW	60		/* ElevenLabs future skew */

struct lk_key {
	char	*key;
	char	*secret;
};

struct verifier {
	struct lk_key *lk;		/* LIVEKIT_API_KEY/SECRET + keys file */
	size_t	 nlk;
	char	*lk_legacy;		/* LIVEKIT_WEBHOOK_SECRET */
	char	**el;			/* ELEVENLABS_WEBHOOK_SECRET, comma list */
	size_t	 nel;
	char	*tw_token;		/* TWILIO_AUTH_TOKEN */
	char	*tw_url;		/* CO_PUBLIC_URL, no trailing '/' */
	time_t	 now;			/* conf_now() at init */
	int	 broken;		/* VERIFY_* whose secrets did not load */
};

/* The sources, as bits for verify_init_some and verifier.broken. */
#define VERIFY_LIVEKIT		0x1
#define VERIFY_ELEVENLABS	0x2
#define VERIFY_TWILIO		0x4
#define VERIFY_ALL		0x7

/* Load the secrets of SPEC section 3; 0, or -1 after a warning. */
int	verify_init(struct verifier *);
/* Load only the secrets of the VERIFY_* sources named; 0, or -1. */
int	verify_init_some(struct verifier *, int);
void	verify_free(struct verifier *);

/* Is any secret configured for source ("livekit", "elevenlabs", ...)? */
int	verify_configured(const struct verifier *, const char *);

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

/* The schemes on raw values; 0 ok, else -1 and why. */
int	verify_livekit_jwt(const struct verifier *, const char *, size_t,
	    const char *, size_t, char *, size_t);
int	verify_livekit_legacy(const struct verifier *, const char *, size_t,
	    const char *, size_t, char *, size_t);
int	verify_elevenlabs(const struct verifier *, const char *, size_t,
	    const char *, size_t, char *, size_t);
/*
 * Twilio: signature, the full URL Twilio requested, body; form says the
 * body's parameters are signed too (a form POST).  A bodySHA256 query
 * parameter selects the JSON-body variant (PROTOCOLS.md section 3.3).
 */
int	verify_twilio(const struct verifier *, const char *, size_t,
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
