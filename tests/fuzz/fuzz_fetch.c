/*
 * fuzz_fetch.c - libFuzzer target for co-fetch's readers of ElevenLabs API
 * answers: the conversation answer (fetch_conv) and the message of an
 * error answer (api_message), on the same bytes.
 * Rule: whatever the bytes, no crash, no leak (libjq 1.6's own excepted:
 * see jqleak.h), no read past the input; an error message is one line of
 * at most the buffer, valid UTF-8, and never holds the API key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fetchconv.h"
#include "jqleak.h"

#define FZ_KEY	"sk_fuzz_NOT_REAL_0123456789"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Is s valid UTF-8 (jq's strings are, so a cut copy must be too)? */
static int
fz_utf8(const unsigned char *s)
{
	int n;

	for (; *s != '\0'; s++) {
		if (*s < 0x80)
			continue;
		n = *s >= 0xf0 ? 3 : *s >= 0xe0 ? 2 : *s >= 0xc0 ? 1 : -1;
		if (n < 0)
			return 0;
		while (n-- > 0)
			if ((*++s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api a;
	char *body, why[200], msg[API_REASON + 1];
	size_t i;
	jv conv;
	int jq_ok;

	if ((body = malloc(size + 1)) == NULL)
		abort();
	memcpy(body, data, size);
	body[size] = '\0';	/* as api.c hands bodies over */
	jq_ok = fz_json_ok(body, size);
	if (!jq_ok)
		__lsan_disable();
	why[0] = '\0';
	switch (fetch_conv(body, size, "conv_fuzz", &conv, why, sizeof(why))) {
	case 1:
		jv_free(conv);
		break;
	case -1:
		if (why[0] == '\0')
			abort();
		break;
	}
	memset(&a, 0, sizeof(a));
	a.key = (char *)FZ_KEY;
	api_message(&a, body, size, msg, sizeof(msg));
	if (strstr(msg, FZ_KEY) != NULL || strlen(msg) > API_REASON ||
	    !fz_utf8((const unsigned char *)msg))
		abort();
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			abort();
	if (!jq_ok)
		__lsan_enable();
	free(body);
	return 0;
}
