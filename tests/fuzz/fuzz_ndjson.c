/*
 * fuzz_ndjson.c - libFuzzer target for one NDJSON envelope line: parse,
 * envelope checks and every signature scheme behind verify_envelope.
 * Rule: whatever the bytes, no crash, no leak, no read past the input
 * (leaks inside libjq 1.6 itself excepted: see jqleak.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "envelope.h"
#include "ndjson.h"
#include "verify.h"
#include "jqleak.h"

#define FZ_NOWSTR	"1767225670"	/* inside both vectors' windows */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fz_key[] = "APIvecTest01";
static char fz_secret[] =
    "lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59";
static char fz_legacy[] = "legacy-test-secret-NOT-REAL-77e1c0ffee";
static char fz_el_old[] = "wsec_old_NOT_REAL_0000aaaa1111bbbb2222cccc3333dddd";
static char fz_el[] = "wsec_test_NOT_REAL_9b2f6c1e8a7d4b3c5e0f1a2b3c4d5e6f";
static char fz_tw[] = "0123456789abcdef0123456789abcdef";
static char fz_tw_url[] = "https://hooks.example.com";

/* jq takes the line and the JSON inside its authorization token. */
static int
fz_line_ok(const char *line, size_t size)
{
	const char *tok;
	size_t n;
	jv env;
	int ok;

	if (!fz_json_ok(line, size))
		return 0;
	__lsan_disable();
	env = jv_parse_sized(line, (int)size);
	tok = env_header(env, "authorization", &n);
	ok = tok == NULL || fz_token_ok(tok, n);
	jv_free(env);
	__lsan_enable();
	return ok;
}

/* Every provider's secrets, through the environment as the tools get them. */
static void
fz_init(struct verifier *v)
{
	char el[sizeof(fz_el_old) + sizeof(fz_el)];

	snprintf(el, sizeof(el), "%s,%s", fz_el_old, fz_el);
	if (setenv("LIVEKIT_API_KEY", fz_key, 1) == -1 ||
	    setenv("LIVEKIT_API_SECRET", fz_secret, 1) == -1 ||
	    setenv("LIVEKIT_WEBHOOK_SECRET", fz_legacy, 1) == -1 ||
	    setenv("ELEVENLABS_WEBHOOK_SECRET", el, 1) == -1 ||
	    setenv("TWILIO_AUTH_TOKEN", fz_tw, 1) == -1 ||
	    setenv("CO_PUBLIC_URL", fz_tw_url, 1) == -1 ||
	    setenv("CO_NOW", FZ_NOWSTR, 1) == -1 || verify_init(v) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct verifier v;
	static int ready;
	char *line, why[160];
	size_t n;
	jv env;
	int rc, jq_ok;

	if (!ready) {
		fz_init(&v);
		ready = 1;
	}
	/* ndjson_next hands over NUL-terminated lines; do the same. */
	if ((line = malloc(size + 1)) == NULL)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	jq_ok = fz_line_ok(line, size);
	if (!jq_ok)
		__lsan_disable();
	env = ndjson_parse(line, size, why, sizeof(why));
	if (jv_is_valid(env)) {
		(void)env_header(env, "authorization", &n);
		if (env_check(env, why, sizeof(why)) == 0) {
			why[0] = '\0';
			rc = verify_envelope(&v, env, why, sizeof(why));
			if (rc != 0 && (why[0] == '\0' ||
			    (rc != EX_DATAERR && rc != EX_UNAVAILABLE)))
				abort();
		}
		jv_free(env);
	}
	free(line);
	if (!jq_ok)
		__lsan_enable();
	return 0;
}
