/*
 * load_el.c - placeholder until the ElevenLabs loader lands (issue 4):
 * every ElevenLabs event is rejected with a reason, never lost silently.
 */
#include <stdlib.h>

#include "diag.h"
#include "envelope.h"
#include "load_el.h"

struct load_el {
	struct loader_stats *st;
};

struct load_el *
load_el_new(PGconn *c, const struct loader_opts *o, struct loader_stats *st)
{
	struct load_el *e;

	(void)c;
	(void)o;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		err(EX_OSERR, "calloc");
	e->st = st;
	return e;
}

void
load_el_free(struct load_el *e)
{
	free(e);
}

int
load_el_add(struct load_el *e, jv ev, const char *file, unsigned long line,
    loader_fate_fn *fn, void *arg)
{
	loader_fate(e->st, env_str(ev, "event_id", NULL),
	    env_str(ev, "spool_file", NULL), file, line, "rejected",
	    "source elevenlabs is not loaded by this version", fn, arg);
	jv_free(ev);
	return EX_DATAERR;
}

int
load_el_flush(struct load_el *e, loader_fate_fn *fn, void *arg)
{
	(void)e;
	(void)fn;
	(void)arg;
	return 0;
}

size_t
load_el_queued(const struct load_el *e)
{
	(void)e;
	return 0;
}
