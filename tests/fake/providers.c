/*
 * providers.c - the provider table of the fake tools: src/providers.c with
 * one more line, and one more declaration.
 */
#include <stddef.h>

#include "provider.h"

extern const struct provider provider_livekit, provider_elevenlabs,
    provider_twilio, provider_fake;

const struct provider *const provider_table[] = {
	&provider_livekit,
	&provider_elevenlabs,
	&provider_twilio,
	&provider_fake,
	NULL
};
