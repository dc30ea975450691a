/*
 * providers.c - the provider table, and nothing else: a test binary links
 * a copy of this file with a line of its own (tests/fake/providers.c), and
 * the archive's object is then left out.
 */
#include <stddef.h>

#include "provider.h"

extern const struct provider provider_livekit, provider_elevenlabs,
    provider_twilio;

const struct provider *const provider_table[] = {
	&provider_livekit,
	&provider_elevenlabs,
	&provider_twilio,
	NULL
};
