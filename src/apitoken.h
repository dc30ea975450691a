/*
 * apitoken.h - who is asking co-serve: an HS256 JWT bearer token whose
 * named claim is the tenant.  Keys: CO_API_JWT_SECRET (or _FILE) for
 * tokens without a kid, and CO_API_JWT_KEYS_FILE ("kid: secret" lines,
 * like livekit-server's keys file) for tokens whose header names a kid.
 * Rule: a token is trusted only after its MAC matched in constant time,
 * with alg HS256 exactly, exp present and not past (leeway
 * APITOKEN_LEEWAY), nbf not ahead; reasons are fixed strings.
 */
#ifndef CO_APITOKEN_H
#define CO_APITOKEN_H

#include <stddef.h>
#include <time.h>

#define APITOKEN_LEEWAY	60		/* seconds, on exp and nbf */
#define APITOKEN_TENANTMAX 255		/* bytes of a tenant name */

struct apikey {
	char	*kid;			/* NULL: CO_API_JWT_SECRET */
	char	*secret;
};

struct apikeys {
	struct apikey *k;
	size_t	 n;
	time_t	 now;
};

/* Load the keys; 0, or -1 after a warning (unreadable file, bad line). */
int	apitoken_init(struct apikeys *);
void	apitoken_free(struct apikeys *);

/*
 * The tenant of an Authorization header value ("Bearer <JWT>") from claim
 * into tenant[APITOKEN_TENANTMAX + 1].  0, or -1 with why set.
 */
int	apitoken_tenant(const struct apikeys *, const char *, size_t,
	    const char *, char *, char *, size_t);

#endif
