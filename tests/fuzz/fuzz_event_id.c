/*
 * fuzz_event_id.c - libFuzzer target for the providers' event-id rules as
 * co-receive and co-transform read them (env_payload, env_event_id in
 * envelope.c): the first byte picks the provider from the table, the
 * rest is the body, read as JSON, or as a form when the provider reads a
 * body without a query as one.
 * Rule: whatever the bytes, no crash, no leak (libjq 1.6's own excepted,
 * see jqleak.h), the id fits the buffer NUL-terminated, and an id read
 * is valid UTF-8 even when cut.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "envelope.h"
#include "http.h"
#include "provider.h"
#include "jqleak.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct provider *p;
	char id[256], small[4], why[160], *body;
	size_t n;
	jv j;
	int json;

	if (size == 0)
		return 0;
	p = provider_table[data[0] % provider_count()];
	n = size - 1;
	if ((body = malloc(n + 1)) == NULL)
		abort();
	memcpy(body, data + 1, n);
	body[n] = '\0';
	json = p->is_form == NULL || !p->is_form("");
	if (json && !fz_json_ok(body, n)) {
		free(body);
		return 0;
	}
	j = env_payload(p, "", body, n, why, sizeof(why));
	if (!jv_is_valid(j)) {
		jv_free(j);
		free(body);
		return 0;
	}
	memset(id, 'X', sizeof(id));
	env_event_id(p, j, id, sizeof(id));
	if (memchr(id, '\0', sizeof(id)) == NULL)
		abort();
	if (!http_utf8(id, strlen(id)))
		abort();
	env_event_id(p, j, small, sizeof(small));
	jv_free(j);
	if (memchr(small, '\0', sizeof(small)) == NULL)
		abort();
	if (!http_utf8(small, strlen(small)))
		abort();
	free(body);
	return 0;
}
