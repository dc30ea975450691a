/*
 * query.h - the SQL of co-query and co-serve: one call's outcome, a page
 * of calls with its keyset cursor, statistics, a call's events, each in a
 * read-only transaction held to one tenant by row-level security.
 * Rule: every value a user gives is a parameter ($N); a tenant's rows are
 * read only after query_begin has set co.tenant for the transaction.
 */
#ifndef CO_QUERY_H
#define CO_QUERY_H

#include <stddef.h>

#include <libpq-fe.h>

#include "db.h"
#include "format.h"

#define QUERY_MAXPARAM	32
#define QUERY_MAXBY	7
#define QUERY_MAXLIMIT	10000

struct filter {
	const char *since, *until, *outcome, *direction, *phone, *campaign;
	const char *agent, *status;
	const char *provider;		/* livekit, elevenlabs or both */
};

struct bykey {
	const char *name, *expr;
};

struct query {
	PGconn	*conn;
	const char *tenant, *zone;
	enum format fmt;
	struct filter f;
	char	*after;			/* cursor, cut in two at the '/' */
	const char *after_id;
	long long limit;
	const struct bykey *by[QUERY_MAXBY];
	int	 nby, raw, opts;
};

/* --by keys, and the values outcome, direction and status filters take. */
extern const struct bykey query_bykeys[];
extern const size_t query_nbykeys;
extern const char *const query_outcomes[];
extern const char *const query_directions[];
extern const char *const query_statuses[];
/* The providers co-query has calls of (those whose table entry says so). */
#define QUERY_MAXPROVIDERS	16
const char *const *query_providers(void);

/*
 * Open a read-only transaction for q->tenant, times in q->zone (UTC when
 * NULL; printed with their offset when set).  0, or the exit status.
 */
int	 query_begin(struct query *);
/* Commit; rc when that works, else the failure's exit status. */
int	 query_finish(struct query *, int);

/*
 * Each returns its result, or NULL with *rc the exit status (64 for a
 * value the server refused as data).  query_outcome and query_events
 * return NULL with *rc 1 when the tenant has no such call.
 */
/* The call_logs row (seed fields), else the ElevenLabs calls row. */
PGresult *query_outcome(struct query *, const char *, int *);
/*
 * query_begin, query_outcome and query_finish in one: a call_logs row in
 * one round trip (on a db_open connection too).
 */
PGresult *query_outcome_once(struct query *, const char *, int *);
/*
 * limit + 1 rows, newest first, LiveKit's call_logs and ElevenLabs' calls
 * in one list (provider first); the last column is each row's cursor.
 */
PGresult *query_calls(struct query *, int *);
/* One row per group of q->by; column nby is the count of calls. */
PGresult *query_stats(struct query *, int *);
PGresult *query_events(struct query *, const char *, int *);
/*
 * Watching outcomes (migration 009): query_listen subscribes the session
 * to NOTIFY co_calls (0, or the exit status).  query_changes calls emit
 * with each call of the tenant whose outcome is known or that ended, as
 * its cursor ("UPDATED/ID", UTC, microseconds, the time of its last
 * change) and its query_outcome row: those changed after the cursor
 * (after_t, after_id) in the order of their change, at most q->limit, or
 * the one call only_id.  query_notified does it for each call notified
 * for the tenant since the last call.  Both return the calls found (a
 * call found but gone by the time it is read is not emitted), or -1 when
 * the database is gone or emit returned -1; each runs its own read-only
 * transaction.
 */
typedef int	(*query_emit)(void *, const char *, PGresult *);
int	 query_listen(struct query *);
int	 query_changes(struct query *, const char *, const char *,
	    const char *, query_emit, void *);
int	 query_notified(struct query *, query_emit, void *);

/*
 * Checks for values that come from a user; NULL when fine, else the
 * reason (a fixed string or one naming the value: printable, no secret).
 */
const char *query_check_time(const char *);
const char *query_check_list(const char *, const char *,
	    const char *const *);
const char *query_set_after(struct query *, const char *);
const char *query_add_by(struct query *, const char *);

#endif
