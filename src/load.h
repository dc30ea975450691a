/*
 * load.h - idempotent set-based loading of normalized events (SPEC 8).
 * Rule: stage a batch with COPY, insert events ON CONFLICT DO NOTHING,
 * then recompute each touched call from all of its events, all in one
 * transaction; fates are reported only after the commit.
 */
#ifndef CO_LOAD_H
#define CO_LOAD_H

#include <stddef.h>

#include <jv.h>
#include <libpq-fe.h>

struct loader_opts {
	size_t	 batch;			/* -b; default 2000 */
	const char *tenant;		/* -u: default tenant, or NULL */
	long	 pending_max_age;	/* seconds; default 86400 */
};

struct loader;

struct loader *loader_new(PGconn *, const struct loader_opts *);
void	loader_free(struct loader *);

/*
 * Fate of one record, after its batch committed: an object
 * {event_id, spool_file, status, reason} (SPEC section 8), plus
 * "file"/"line" of the input record.  The callee owns it.
 */
typedef void loader_fate_fn(void *, jv);

/*
 * Queue one normalized event (consumed).  Returns 0, or EX_DATAERR when the
 * record is unusable (its fate "rejected" is reported at once).  A full
 * batch is flushed; then the flush's status is returned.
 */
int	loader_add(struct loader *, jv, const char *, unsigned long,
	    loader_fate_fn *, void *);
/*
 * Load the queued batch in one transaction.  0, or EX_TEMPFAIL /
 * EX_UNAVAILABLE / EX_SOFTWARE when the batch was not committed (nothing of
 * it was; no fate is reported for it).
 */
int	loader_flush(struct loader *, loader_fate_fn *, void *);

/* Counters for the summary line. */
struct loader_stats {
	unsigned long inserted, duplicate, pending, rejected;
};
void	loader_stats(const struct loader *, struct loader_stats *);

/*
 * For the loader's halves (load.c, load_el.c): count one record's fate in
 * st and hand {event_id, spool_file, status, reason, file, line} to fn.
 */
void	loader_fate(struct loader_stats *, const char *, const char *,
	    const char *, unsigned long, const char *, const char *,
	    loader_fate_fn *, void *);

#endif
