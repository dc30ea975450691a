/*
 * map_elevenlabs.c - share/elevenlabs.jq in C (see map.h).
 */
#include <stdio.h>
#include <sysexits.h>

#include "map.h"

int
map_elevenlabs(jv env, jv *out, char *why, size_t whysz)
{
	(void)env;
	(void)out;
	snprintf(why, whysz, "todo");
	return EX_DATAERR;
}
