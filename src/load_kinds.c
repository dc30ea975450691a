/*
 * load_kinds.c - which load kind takes the events of a source.  Only the
 * table: until the provider table (provider.h) names each provider's
 * kind, load_kind_find is this lookup.  Alone in its file so that a test
 * binary may link a load_kind_find of its own (and its own kinds) before
 * libco.a.
 */
#include <string.h>

#include "load.h"

extern const struct load_kind load_livekit, load_elevenlabs, load_twilio;

static const struct load_kind *const kinds[] = {
	&load_livekit, &load_elevenlabs, &load_twilio, NULL
};

const struct load_kind *
load_kind_find(const char *source)
{
	const struct load_kind *const *k;

	for (k = kinds; *k != NULL; k++)
		if (strcmp((*k)->name, source) == 0)
			return *k;
	return NULL;
}
