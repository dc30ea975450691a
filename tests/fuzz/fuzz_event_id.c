/*
 * fuzz_event_id.c - libFuzzer target for co-receive's event-id reader
 * (env_event_id in envelope.c): the first byte picks the source (livekit,
 * elevenlabs, twilio), the rest is the body, read as JSON when jq takes
 * it, else as a form.
 * Rule: whatever the bytes, no crash, no leak (libjq 1.6's own excepted,
 * see jqleak.h), the id fits the buffer NUL-terminated, and an id read
 * from JSON is valid UTF-8 even when cut.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "envelope.h"
#include "http.h"
#include "jqleak.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *src[] = { "livekit", "elevenlabs", "twilio" };
	char id[256], small[4], *body;
	const char *s;
	size_t n;
	jv j;
	int json;

	if (size == 0)
		return 0;
	s = src[data[0] % 3];
	n = size - 1;
	if ((body = malloc(n + 1)) == NULL)
		abort();
	memcpy(body, data + 1, n);
	body[n] = '\0';
	json = fz_json_ok(body, n);
	j = json ? jv_parse_sized(body, (int)n) : jv_invalid();
	json = jv_get_kind(j) == JV_KIND_OBJECT;
	memset(id, 'X', sizeof(id));
	env_event_id(s, jv_copy(j), body, n, id, sizeof(id));
	if (memchr(id, '\0', sizeof(id)) == NULL)
		abort();
	if (json && !http_utf8(id, strlen(id)))
		abort();
	env_event_id(s, j, body, n, small, sizeof(small));
	if (memchr(small, '\0', sizeof(small)) == NULL)
		abort();
	if (json && !http_utf8(small, strlen(small)))
		abort();
	free(body);
	return 0;
}
