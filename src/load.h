/*
 * load.h - idempotent set-based loading of normalized events (SPEC 8).
 * Rule: stage a batch with COPY, insert events ON CONFLICT DO NOTHING,
 * then recompute each touched call from all of its events, all in one
 * transaction; fates are reported only after the commit.
 * load.c is the engine, the same for every provider; what a provider's
 * events are and where they go is its load kind (struct load_kind, one
 * src/load_NAME.c each), which depends on this header and nothing of the
 * engine's insides.
 */
#ifndef CO_LOAD_H
#define CO_LOAD_H

#include <stddef.h>
#include <time.h>

#include <jv.h>
#include <libpq-fe.h>

#include "db.h"

struct loader_opts {
	size_t	 batch;			/* -b; default 2000 */
	const char *tenant;		/* -u: default tenant, or NULL */
	long	 pending_max_age;	/* seconds; default 86400 */
};

struct loader;

struct loader *loader_new(PGconn *, const struct loader_opts *);
void	loader_free(struct loader *);

enum load_status {
	LOAD_INSERTED, LOAD_DUPLICATE, LOAD_PENDING, LOAD_REJECTED
};
#define LOAD_NSTATUS	4

/* "inserted", "duplicate", "pending", "rejected" (SPEC section 8). */
const char *load_status_name(enum load_status);

/*
 * Fate of one record, after its batch committed (a rejection found
 * before the database: at once).  The strings are the loader's, valid
 * during the call only; file is "-" for standard input.
 */
struct load_fate {
	enum load_status status;
	const char *event_id;		/* or NULL */
	const char *spool_file;		/* or NULL */
	const char *reason;		/* or NULL */
	const char *file;
	unsigned long line;
};

typedef void loader_fate_fn(void *cookie, const struct load_fate *);

/*
 * Queue one normalized event (consumed).  Returns 0, or EX_DATAERR when the
 * record is unusable (its fate "rejected" is reported at once).  A full
 * batch is sent; then the status of landing the one sent before it is
 * returned.
 */
int	loader_add(struct loader *, jv, const char *, unsigned long,
	    loader_fate_fn *, void *);
/*
 * Load every queued batch, each kind's in its own transaction.  0, or
 * EX_TEMPFAIL / EX_UNAVAILABLE / EX_SOFTWARE when a batch was not committed
 * (nothing of it was; no fate is reported for it).
 */
int	loader_flush(struct loader *, loader_fate_fn *, void *);

/* Counters for the summary line. */
struct loader_stats {
	unsigned long inserted, duplicate, pending, rejected;
};
void	loader_stats(const struct loader *, struct loader_stats *);

/*
 * A load kind: the events of one provider.  The engine checks that the
 * event has an event_id and an event, then calls validate, then writes the stage's COPY
 * line: seq, then each column's value by its writer (copyrow.h).  Once
 * per connection it runs stage_sql (CREATE TEMP TABLE IF NOT EXISTS
 * table, with the columns of copy_cols); per batch, in one transaction:
 * TRUNCATE table, co.default_tenant set to -u (or ''), COPY table
 * (copy_cols), batch_sql, whose last result is the rows (seq, status,
 * reason), one per staged record, status one of "inserted",
 * "duplicate", "pending", "rejected".
 */
struct load_col {
	const char *key;			/* the event's member */
	int	(*put)(struct buf *, jv, const char *); /* -1: bad value */
};

struct load_kind {
	const char *name;		/* the events' "source" */
	const struct load_col *cols;	/* after seq, in copy_cols order */
	size_t	 ncols;
	/* Why ev cannot be loaded (why: a buffer for it), or NULL. */
	const char *(*validate)(jv ev, char *why, size_t sz);
	const char *table;		/* the stage, a temporary table */
	const char *stage_sql;
	const char *copy_cols;		/* "seq, event_id, ..." */
	const char *batch_sql;
	const char *lacks;		/* what a pending record waits for */
};

#endif
