/*
 * load.h - idempotent set-based loading of normalized events (SPEC 8).
 * Rule: stage a batch with COPY, insert events ON CONFLICT DO NOTHING,
 * then recompute each touched call from all of its events, all in one
 * transaction; fates are reported only after the commit.
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
 * For the loader's two halves (load.c, load_el.c): a queued record, who it
 * is and where its COPY line lies in the batch buffer.
 */
struct load_rec {
	char	*event_id;
	char	*spool_file;
	char	*file;
	unsigned long line;
	size_t	 off, len;
};

/* The record of ev (not consumed), read at file:line, its line at off. */
void	load_rec_init(struct load_rec *, jv, const char *, unsigned long,
	    size_t);
void	load_rec_free(struct load_rec *);
/* A batch: its records and their COPY lines. */
struct load_batch {
	struct buf copy;
	struct load_rec *recs;
	size_t	 n, cap;
};

void	load_batch_add(struct load_batch *, const struct load_rec *);
void	load_batch_clear(struct load_batch *);	/* empty, for reuse */
void	load_batch_free(struct load_batch *);
/* Count r's fate in st and hand {event_id, spool_file, status, reason,
 * file, line} to fn. */
void	load_rec_fate(struct loader_stats *, const struct load_rec *,
	    const char *, const char *, loader_fate_fn *, void *);
/*
 * Report the fates of a batch from its script's rows (seq, status,
 * reason).  A pending record whose spool file was received more than
 * max_age seconds before now is rejected instead (SPEC 8), the reason
 * ending in what is missing.
 */
void	load_fates(struct loader_stats *, const struct load_rec *,
	    PGresult *, time_t, long, const char *, loader_fate_fn *, void *);

#endif
