/*
 * load_el.h - the ElevenLabs half of the loader (SPEC 8): post-call
 * webhooks find their `calls` row by call_sid, else conversation_id; the
 * audit row is idempotent on <type>:<conversation_id>; transcription turns
 * are inserted once.  Called by load.c for events whose source is
 * "elevenlabs"; batches are flushed whenever the LiveKit batch is.
 */
#ifndef CO_LOAD_EL_H
#define CO_LOAD_EL_H

#include "load.h"

struct load_el;

/* Fates are counted in the loader's stats (the third argument). */
struct load_el *load_el_new(PGconn *, const struct loader_opts *,
	    struct loader_stats *);
void	load_el_free(struct load_el *);
/* Queue ev (consumed); same contract as loader_add. */
int	load_el_add(struct load_el *, jv, const char *, unsigned long,
	    loader_fate_fn *, void *);
/* Same contract as loader_flush. */
int	load_el_flush(struct load_el *, loader_fate_fn *, void *);
/* Queued records, so loader_add can flush a full batch. */
size_t	load_el_queued(const struct load_el *);

#endif
