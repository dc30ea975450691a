/*
 * provider.h - what the tools know of each webhook provider, as data: one
 * struct provider per provider, defined in its own src/provider_NAME.c and
 * listed in provider_table (src/providers.c, which holds nothing else, so
 * that a test binary can link a table of its own).  Adding a provider is a
 * provider_NAME.c, a line in the table, share/NAME.jq and a load kind.
 * Rule: no other file compares a provider's name; it asks provider_find.
 */
#ifndef CO_PROVIDER_H
#define CO_PROVIDER_H

#include <stddef.h>
#include <time.h>

#include <jv.h>

struct load_kind;		/* load.h: how its events are stored */

/* What a provider's secrets_load found (co-receive's health says it). */
enum provider_state {
	PROVIDER_OFF,		/* none of its secrets is set */
	PROVIDER_OK,		/* set and usable */
	PROVIDER_BROKEN		/* set but unusable: said with warnx */
};

/* The call tables co-query reads (struct provider's query). */
#define PROVIDER_CALL_LOGS	1
#define PROVIDER_CALLS		2

struct provider {
	/* The envelope's source, the name of its jq program (NAME.jq). */
	const char *name;
	/* co-receive's POST routes, NULL-terminated, and their body limit. */
	const char *const *routes;
	long long body_max;
	/* Lower-case headers that carry its signature, NULL-terminated. */
	const char *const *sig_headers;
	/*
	 * Load its secrets from the environment (SPEC section 3) into
	 * *secrets, NULL when none is set.  strict: a configuration that is
	 * set but incomplete is unusable (co-receive answers now); else it
	 * is loaded and verify says per record what is missing.
	 */
	enum provider_state (*secrets_load)(void **, int);
	void	(*secrets_free)(void *);
	/*
	 * Check the signature of a request: its envelope (headers, method,
	 * path and query; the body need not be in it), the raw body, and the
	 * time it was received.  secrets is NULL when none is set.  Returns
	 * 0, EX_DATAERR with why set when the request is not authentic, or
	 * EX_UNAVAILABLE when no secret of the scheme it uses is set (why
	 * says which variable to set).  Never puts a secret into why.
	 */
	int	(*verify)(const void *, time_t, jv, const char *, size_t,
		    char *, size_t);
	/* Is the body of a request with this query a form?  NULL: never. */
	int	(*is_form)(const char *);
	/*
	 * The event id of SPEC section 6 from the parsed payload (an object,
	 * borrowed; a form is given as an object of its fields): a new jv
	 * string, or jv_null() when the payload has none.
	 */
	jv	(*event_id)(jv);
	/*
	 * Where co-query finds its calls: 0 nowhere, PROVIDER_CALL_LOGS (the
	 * seed's call_logs) or PROVIDER_CALLS (calls, migration 003); and
	 * which rows of that table are its own, as an SQL predicate on the
	 * table's columns.
	 */
	int	 query;
	const char *query_rows;
	/* Its reply to an accepted request; NULL: the JSON accepted body. */
	const char *reply_type;
	const char *reply_body;
	/*
	 * How its events are stored (load.h); NULL: they are not loaded.
	 */
	const struct load_kind *load;
};

/* Every provider, NULL-terminated (src/providers.c). */
extern const struct provider *const provider_table[];

/* The provider named name, or NULL when there is none. */
const struct provider *provider_find(const char *);
/* The provider with the POST route path, or NULL. */
const struct provider *provider_route(const char *);
/* For event_id rules: obj's string member key, else null (obj borrowed). */
jv	provider_str(jv, const char *);
/* "a:b" when both are strings, else null (both consumed). */
jv	provider_join(jv, jv);
/* The number of providers in the table. */
size_t	provider_count(void);

#endif
