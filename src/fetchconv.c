/*
 * fetchconv.c - co-fetch's reader of an ElevenLabs conversation answer.
 */
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "fetchconv.h"
#include "ndjson.h"

int
fetch_conv(const char *body, size_t len, const char *id, jv *conv, char *why,
    size_t sz)
{
	char jqwhy[160];
	const char *cid, *s;
	jv c;

	*conv = jv_invalid();
	c = ndjson_parse(body ? body : "", body ? len : 0, jqwhy,
	    sizeof(jqwhy));
	if (!jv_is_valid(c)) {
		snprintf(why, sz, "response: %s", jqwhy);
		jv_free(c);
		return -1;
	}
	if ((cid = json_str(c, "conversation_id", NULL)) == NULL ||
	    strcmp(cid, id) != 0) {
		snprintf(why, sz, "the response is another conversation's");
		jv_free(c);
		return -1;
	}
	s = json_str(c, "status", NULL);
	if (s == NULL || (strcmp(s, "done") != 0 && strcmp(s, "failed") != 0)) {
		jv_free(c);
		return 0;
	}
	*conv = c;
	return 1;
}
