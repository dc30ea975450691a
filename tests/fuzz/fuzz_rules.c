/*
 * fuzz_rules.c - libFuzzer target: the built-in outcome rules (classify.c)
 * and share/rules.jq (co-classify -R) on the same event must agree.
 * Input: byte 0 picks the thresholds; then, per member of the event (the
 * fields the rules read), one byte: absent, one of a list of telling or
 * odd values, or a string cut from the rest of the input.  When byte 0 is
 * odd and the rest is a JSON object, that object is the event instead.
 * Rule: identical outcome and rule, or abort.  Leaks are not checked
 * (detect_leaks=0): libjq 1.6 leaks on malformed JSON.
 * The share directory: CO_SHARE, else ../../share beside this binary.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "classify.h"
#include "rules.h"

#include "fzshare.h"

int	LLVMFuzzerInitialize(int *, char ***);
const char *__asan_default_options(void);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fz_names[] = {
	"participant_kind", "event", "disconnect_reason", "provider_status",
	"failure_reason", "answered_by", "voicemail", "duration"
};
#define FZ_NNAMES	(sizeof(fz_names) / sizeof(fz_names[0]))

static const char *const fz_values[] = {
	"\"SIP\"", "\"sip\"", "\"AGENT\"", "\"\"", "\"SIP\\u0000x\"",
	"\"egress_ended\"", "\"ingress_x\"", "\"participant_left\"",
	"\"USER_REJECTED\"", "\"USER_UNAVAILABLE\"", "\"JOIN_FAILURE\"",
	"\"SIP_TRUNK_FAILURE\"", "\"MEDIA_FAILURE\"", "\"CONNECTION_TIMEOUT\"",
	"\"CLIENT_INITIATED\"", "\"busy\"", "\"no-answer\"", "\"no_answer\"",
	"\"canceled\"", "\"CANCELLED\"", "\"failed\"", "\"error\"",
	"\"x\\u0000busy\"", "\"machine_start\"", "\"MACHINE_\"", "\"fax\"",
	"\"FaX\\u0000\"", "\"human\"", "true", "false", "null", "0", "2.999",
	"3", "9.999", "10", "-1", "-0", "1e308", "-1e308", "\"5\"", "[]", "{}",
	"0.5", "1e-300", "\"\\u00e9rror\"", "\"ERROR\\ud800\""
};
#define FZ_NVALUES	(sizeof(fz_values) / sizeof(fz_values[0]))

static struct rules *fz_rules[4];
static struct classify_opts fz_co[4];
static const double fz_th[4][2] = { { 3, 10 }, { 0, 0 }, { 5, 5 },
	{ 0.5, 86400 } };

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
	int i;

	(void)argc;
	share = fz_share((*argv)[0]);
	snprintf(path, sizeof(path), "%s/rules.jq", share);
	for (i = 0; i < 4; i++) {
		classify_defaults(&fz_co[i]);
		fz_co[i].failed_below = fz_th[i][0];
		fz_co[i].no_answer_below = fz_th[i][1];
		if ((fz_rules[i] = rules_new(path, fz_th[i][0],
		    fz_th[i][1])) == NULL)
			abort();
	}
	return 0;
}

/* The event the bytes describe. */
static jv
fz_event(const uint8_t *p, size_t n)
{
	jv ev = jv_object();
	size_t i, pos = FZ_NNAMES, len;
	unsigned b;

	for (i = 0; i < FZ_NNAMES && i < n; i++) {
		b = p[i];
		if (b < 40)
			continue;
		if (b < 40 + FZ_NVALUES) {
			ev = jv_object_set(ev, jv_string(fz_names[i]),
			    jv_parse(fz_values[b - 40]));
			continue;
		}
		/* A string of the next len bytes (may hold NUL, bad UTF-8). */
		len = b % 16;
		if (pos + len > n)
			len = pos < n ? n - pos : 0;
		ev = jv_object_set(ev, jv_string(fz_names[i]),
		    jv_string_sized(pos < n ? (const char *)p + pos : "",
		    (int)len));
		pos += len;
	}
	return ev;
}

static jv
fz_get(jv ev, const char *k)
{
	return jv_object_get(jv_copy(ev), jv_string(k));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[300], *buf;
	jv ev, c, j, a, b;
	int t, rc;

	if (size < 1)
		return 0;
	t = data[0] & 3;
	ev = jv_invalid();
	if (data[0] & 4) {
		if ((buf = malloc(size)) == NULL)
			abort();
		memcpy(buf, data + 1, size - 1);
		buf[size - 1] = '\0';
		ev = jv_parse_sized(buf, (int)(size - 1));
		free(buf);
		if (jv_get_kind(ev) != JV_KIND_OBJECT) {
			jv_free(ev);
			ev = jv_invalid();
		}
	}
	if (!jv_is_valid(ev)) {
		jv_free(ev);
		ev = fz_event(data + 1, size - 1);
	}
	c = classify_event(&fz_co[t], jv_copy(ev));
	rc = rules_run(fz_rules[t], ev, &j, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "rules.jq refused: %s\n", why);
		abort();
	}
	a = fz_get(c, "outcome");
	b = fz_get(j, "outcome");
	if (!jv_equal(a, b))
		abort();
	a = fz_get(c, "outcome_rule");
	b = fz_get(j, "outcome_rule");
	if (!jv_equal(a, b)) {
		abort();
	}
	jv_free(c);
	jv_free(j);
	return 0;
}
