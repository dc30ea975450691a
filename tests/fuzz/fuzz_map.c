/*
 * fuzz_map.c - libFuzzer target for the built-in mappings (src/map_*.c):
 * each shipped program run by its C mapping and by libjq (CO_MAP=jq) on
 * the same envelope must give the same status, reason and events, byte
 * for byte; any difference aborts.
 * Input as fuzz_transform's (its seeds, tests/fuzz/seeds/transform-*,
 * serve): byte 0 picks the program (for Twilio, its high bit reads the
 * body as a form, else as the JSON variant; both with a tenant), byte 1 a
 * hostile value (0: none), byte 2 the node of the body it replaces; the
 * rest is the body.
 * Leaks are not checked (libjq 1.6 leaks on caught errors).
 * The share directory: CO_SHARE, else ../../share beside this binary.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "transform.h"

#include "fzshare.h"


int	LLVMFuzzerInitialize(int *, char ***);
const char *__asan_default_options(void);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Values where jq 1.6 and C could part: numbers, times, strings. */
static const char *fz_hostile[] = {
	"1e17", "-1e17", "6.7e16", "-6.7e16", "6.69e16", "1e300", "nan",
	"\"nan\"", "\"1e400\"", "\"-0\"", "-0", "0", "-1", "0.5", "\"\"",
	"null", "true", "[]", "{}", "[1]", "\"[1]\"", "\" 12\"", "\"\\u0000\"",
	"\"a\\u0000voicemail\"", "\"+\"", "\"+0\"", "\"4155550123\"",
	"\"2125550123\"", "\"+999999999999999\"", "\"1000000000000000\"",
	"\"sip-2125550123__1__2\"", "\"call-_+14155550123_x\"", "\"sip-__\"",
	"\"2025-10-29T12:34:56.5+02:00\"", "\"2025-10-29T12:34:56 \"",
	"\"2025-10-29T12:34:56+0\\n.5:00\"", "\"1969-12-31T23:59:59Z\"",
	"\"2026-01-01T00:00:00.5Z\\n\"", "\"\\u00e92026-01-01T00:00:00.5Z\"",
	"\"2026-13-01T00:00:00Z\"", "\"{\\\"direction\\\":\\\"Inbound\\\"}\"",
	"\"{\\\"userId\\\":1e400}\"", "\"SIP\"", "\"VoiceMail\"", "486", "603",
	"\"480\"", "9007199254740993", "1.7976931348623157e308",
	"{\"location\":\"s3://x\"}", "[{\"location\":\"\"},{\"location\":\"y\"}]",
	"\"completed\"", "\"busy\"", "\"in-progress\"", "\"outbound-api\"",
	"\"inbound\"", "\"Thu, 01 Jan 2026 00:01:31 +0130\"",
	"\"Sat, 01 Jan 0000 00:30:00 +0100\"", "\"Fri, 31 Dec 9999 23:30:00 -0100\"",
	"\"Thu, 01 Jan 1970 00:00:00 -.5.5\"", "\"Wed, 31 Dec 1969 23:59:59 +0000\"",
	"\"Thu, 01 Jan 2026 00:01:31 +00\u00e90\"", "\"62\"", "\"1e15\"",
	"\"999999999999999.5\"",
};
#define FZ_NHOSTILE	(sizeof(fz_hostile) / sizeof(fz_hostile[0]))

static const char *fz_names[] = { "elevenlabs", "livekit", "twilio" };
#define FZ_NPROGS	(sizeof(fz_names) / sizeof(fz_names[0]))
static struct transform *fz_c[FZ_NPROGS], *fz_jq[FZ_NPROGS];

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[PATH_MAX + 300];
	const char *share;
	size_t i;

	(void)argc;
	share = fz_share((*argv)[0]);
	for (i = 0; i < FZ_NPROGS; i++) {
		snprintf(path, sizeof(path), "%s/%s.jq", share, fz_names[i]);
		unsetenv("CO_MAP");
		fz_c[i] = transform_new();
		if (transform_set(fz_c[i], path) == -1)
			abort();
		setenv("CO_MAP", "jq", 1);
		fz_jq[i] = transform_new();
		if (transform_set(fz_jq[i], path) == -1)
			abort();
	}
	unsetenv("CO_MAP");
	return 0;
}

/* Each event, dumped, after the ones before it. */
static void
fz_emit(void *arg, jv ev)
{
	jv *out = arg;

	*out = jv_string_concat(*out, jv_dump_string(ev, 0));
	*out = jv_string_append_str(*out, "\n");
}

static int
fz_run(struct transform *t, jv env, jv *out, char *why, size_t whysz)
{
	*out = jv_string("");
	why[0] = '\0';
	return transform_run(t, env, fz_emit, out, why, whysz);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why_c[256], why_jq[256];
	jv env, text, out_c, out_jq;
	int i, rc_c, rc_jq;

	if (size < 3)
		return 0;
	i = (data[0] & 0x7f) % FZ_NPROGS;
	text = fz_body(data, size, fz_hostile, FZ_NHOSTILE);
	if (!jv_is_valid(text)) {
		jv_free(text);
		return 0;
	}
	env = JV_OBJECT(jv_string("v"), jv_number(1),
	    jv_string("source"), jv_string(fz_names[i]),
	    jv_string("received_at"), jv_string("2026-01-01T00:00:00Z"),
	    jv_string("spool_file"), jv_string("1767225600.000000.1.fuzz"),
	    jv_string("body"), text);
	if (strcmp(fz_names[i], "twilio") == 0)
		env = jv_object_set(env, jv_string("query"), jv_string(
		    data[0] & 0x80 ? "tenant=acme" :
		    "tenant=%C3%A9&bodySHA256=x"));
	rc_c = fz_run(fz_c[i], jv_copy(env), &out_c, why_c, sizeof(why_c));
	rc_jq = fz_run(fz_jq[i], env, &out_jq, why_jq, sizeof(why_jq));
	if (rc_c != rc_jq || strcmp(why_c, why_jq) != 0 ||
	    !jv_equal(jv_copy(out_c), jv_copy(out_jq))) {
		fprintf(stderr, "fuzz_map: %s: C %d \"%s\" %s\n"
		    "fuzz_map: %s: jq %d \"%s\" %s\n", fz_names[i], rc_c,
		    why_c, jv_string_value(out_c), fz_names[i], rc_jq, why_jq,
		    jv_string_value(out_jq));
		abort();
	}
	jv_free(out_c);
	jv_free(out_jq);
	return 0;
}
