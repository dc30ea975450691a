/*
 * fuzz_transform.c - libFuzzer target for the transform and classify
 * stages: every shipped jq program (share/NAME.jq) on a mutated body, then
 * classify on each event, as co-drain runs them.
 * Input: byte 0 picks the program, byte 1 a hostile value (0: none), byte 2
 * the node of the body it replaces (times, durations, ids: any node); the
 * rest is the body.  Seeds: tests/fuzz/seeds/transform-* (the fixtures).
 * The query names a tenant and bodySHA256, so a Twilio body is read as
 * JSON (its JSON variant) and every program sees .params.
 * Rule: whatever the bytes, no crash and no abort (libjq 1.6 aborts in
 * gmtime on NaN or times beyond +-6.7e16 s), a result of 0 or EX_DATAERR
 * with a reason, and every event an object that classify takes.  Leaks
 * are not checked here (detect_leaks=0 below): libjq 1.6 leaks on
 * malformed JSON and on a program's caught errors, which are most runs.
 * The share directory: CO_SHARE, else ../../share beside this binary.
 */
#include <sanitizer/lsan_interface.h>

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jv.h>

#include "classify.h"
#include "transform.h"

#include "fzshare.h"

#define FZ_MAXPROGS	16

int	LLVMFuzzerInitialize(int *, char ***);
const char *__asan_default_options(void);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Values that broke or might break a program: extremes, wrong types. */
static const char *fz_hostile[] = {
	"1e17", "-1e17", "6.7e16", "-6.7e16", "1e300", "-1e300",
	"1.7976931348623157e308", "\"nan\"", "\"NaN\"", "\"1e300\"",
	"\"-1e17\"", "\"inf\"", "\"\"", "null", "true", "[]", "{}", "[1]",
	"\"\\u0000\"", "\"\\ud800\"", "0.5", "-1", "0", "\"+\"", "\"+0\"",
	"\"2026-13-01T00:00:00Z\"", "\"99999999999-01-01T00:00:00Z\"",
	"\"2026-01-01T00:00:00.999999999999Z\"", "\"1767225600\"",
	"\"sip-+1415__1e300__x\"", "9007199254740993", "-0",
};
#define FZ_NHOSTILE	(sizeof(fz_hostile) / sizeof(fz_hostile[0]))

static struct {
	char	*source;		/* the envelope's source for it */
	struct transform *t;
} fz_progs[FZ_MAXPROGS];
static int fz_nprogs;
static struct classify_opts fz_co;

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static int
fz_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[PATH_MAX + 300], *names[FZ_MAXPROGS], *s;
	const char *share;
	struct dirent *e;
	DIR *d;
	int i, n = 0;

	(void)argc;
	share = fz_share((*argv)[0]);
	if ((d = opendir(share)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL && n < FZ_MAXPROGS)
		if ((s = strstr(e->d_name, ".jq")) != NULL && s[3] == '\0' &&
		    strcmp(e->d_name, "rules.jq") != 0)	/* not a transform */
			names[n++] = strdup(e->d_name);
	closedir(d);
	if (n == 0)
		abort();
	qsort(names, (size_t)n, sizeof(names[0]), fz_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", share, names[i]);
		fz_progs[i].t = transform_new();
		if (transform_set(fz_progs[i].t, path) == -1)
			abort();
		/* The envelope must name a source co-drain accepts. */
		names[i][strlen(names[i]) - 3] = '\0';
		fz_progs[i].source = strcmp(names[i], "elevenlabs") == 0 ||
		    strcmp(names[i], "twilio") == 0 ? names[i] : "livekit";
	}
	fz_nprogs = n;
	classify_defaults(&fz_co);
	return 0;
}

static void
fz_emit(void *arg, jv ev)
{
	(void)arg;
	if (jv_get_kind(ev) != JV_KIND_OBJECT)
		abort();
	ev = classify_event(&fz_co, ev);
	if (jv_get_kind(ev) != JV_KIND_OBJECT)
		abort();
	jv_free(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	jv env, text;
	int i, rc;

	if (size < 3 || fz_nprogs == 0)
		return 0;
	__lsan_disable();
	i = data[0] % fz_nprogs;
	text = fz_body(data, size, fz_hostile, FZ_NHOSTILE);
	if (!jv_is_valid(text)) {
		jv_free(text);
		__lsan_enable();
		return 0;
	}
	env = JV_OBJECT(jv_string("v"), jv_number(1),
	    jv_string("source"), jv_string(fz_progs[i].source),
	    jv_string("received_at"), jv_string("2026-01-01T00:00:00Z"),
	    jv_string("spool_file"), jv_string("1767225600.000000.1.fuzz"),
	    jv_string("query"), jv_string("tenant=fuzz&bodySHA256=0"),
	    jv_string("body"), text);
	why[0] = '\0';
	rc = transform_run(fz_progs[i].t, env, fz_emit, NULL, why, sizeof(why));
	if (rc != 0 && (rc != EX_DATAERR || why[0] == '\0'))
		abort();
	__lsan_enable();
	return 0;
}
