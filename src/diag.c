/*
 * diag.c - diagnostics, exit status merging, reject files and core dumps.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "diag.h"
#include "provider.h"

extern const char *__progname;

static int
rank(int code)
{
	switch (code) {
	case 0:		return 0;
	case 1:		return 1;
	case EX_DATAERR: return 2;
	case EX_UNAVAILABLE: return 3;
	case EX_IOERR:	return 4;
	case EX_TEMPFAIL: return 5;
	default:	return 6;	/* EX_SOFTWARE and anything unknown */
	}
}

int
diag_worse(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}

void
diag_rec(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%lu: ", __progname, file ? file : "-", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
diag_nocore(void)
{
	static int done;
	struct rlimit rl = { 0, 0 };

	if (done)
		return;
	done = 1;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		warn("setrlimit RLIMIT_CORE");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		warn("prctl PR_SET_DUMPABLE");
}

void
reject_open(struct reject *r, const char *name)
{
	int fd;

	r->name = name;
	r->fp = NULL;
	if (name == NULL)
		return;
	if ((fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1 || (r->fp = fdopen(fd, "a")) == NULL)
		err(EX_IOERR, "%s", name);
}

/*
 * Keys whose values never go into a reject file (compared ignoring case):
 * these, and every provider's signature headers (provider.h).
 */
static const char *const own_secret_keys[] = { "authorization",
    "turnPassword", NULL };
#define NSECRET_KEYS	64
static const char *secret_keys[NSECRET_KEYS + 1];

static void
secret_keys_init(void)
{
	const char *const *h;
	size_t i, n = 0;

	if (secret_keys[0] != NULL)
		return;
	for (i = 0; own_secret_keys[i] != NULL; i++)
		secret_keys[n++] = own_secret_keys[i];
	for (i = 0; provider_table[i] != NULL; i++)
		for (h = provider_table[i]->sig_headers; *h != NULL &&
		    n < NSECRET_KEYS; h++)
			secret_keys[n++] = *h;
}

#define REDACTED	"[redacted]"

static int
secret_key(const char *k, size_t n)
{
	int i;

	secret_keys_init();
	for (i = 0; secret_keys[i] != NULL; i++)
		if (strlen(secret_keys[i]) == n &&
		    strncasecmp(k, secret_keys[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Where s[i] starts "NAME" with NAME a secret key (or \"NAME\" inside an
 * escaped JSON text) followed by : and a string, the offset of that
 * string's first byte, else 0.
 */
static size_t
secret_at(const char *s, size_t n, size_t i)
{
	size_t j, len;
	int k;

	secret_keys_init();
	for (k = 0; secret_keys[k] != NULL; k++) {
		len = strlen(secret_keys[k]);
		if (n - i - 1 < len ||
		    strncasecmp(s + i + 1, secret_keys[k], len) != 0)
			continue;
		j = i + 1 + len;
		while (j < n && s[j] == '\\')
			j++;
		if (j >= n || s[j++] != '"')
			continue;
		while (j < n && strchr(" \t\r\n", s[j]) != NULL)
			j++;
		if (j >= n || s[j++] != ':')
			continue;
		while (j < n && (strchr(" \t\r\n", s[j]) != NULL ||
		    s[j] == '\\'))
			j++;
		if (j < n && s[j] == '"')
			return j + 1;
	}
	return 0;
}

/*
 * s with the string value of every secret key blanked out, found in the
 * text itself (a raw line that is not JSON, an envelope's body): up to the
 * next '"', less the backslashes before it.  NULL when there is none.
 */
static char *
redact_text(const char *s, size_t n, size_t *outlen)
{
	char *out = NULL;
	size_t i, v, e, last = 0, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '"' || (v = secret_at(s, n, i)) == 0)
			continue;
		for (e = v; e < n && s[e] != '"'; e++)
			;
		while (e > v && s[e - 1] == '\\')
			e--;
		/* A match takes 16 bytes or more and adds at most 10. */
		if (out == NULL && (out = malloc(n + (n / 16 + 1) *
		    (sizeof(REDACTED) - 1) + 1)) == NULL)
			err(EX_OSERR, "malloc");
		memcpy(out + o, s + last, v - last);
		o += v - last;
		memcpy(out + o, REDACTED, sizeof(REDACTED) - 1);
		o += sizeof(REDACTED) - 1;
		last = e;
		i = e > v ? e - 1 : v;
	}
	if (out == NULL)
		return NULL;
	memcpy(out + o, s + last, n - last);
	*outlen = o + n - last;
	return out;
}

/* v (consumed) with every secret key's value and string redacted. */
static jv
redact(jv v)
{
	jv orig, k, x;
	char *t;
	size_t n;
	int i, len;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		len = jv_string_length_bytes(jv_copy(v));
		if ((t = redact_text(jv_string_value(v), (size_t)len, &n)) ==
		    NULL)
			return v;
		jv_free(v);
		v = n <= INT_MAX ? jv_string_sized(t, (int)n) :
		    jv_string(REDACTED);
		free(t);
		return v;
	case JV_KIND_ARRAY:
		len = jv_array_length(jv_copy(v));
		for (i = 0; i < len; i++)
			v = jv_array_set(v, i, redact(jv_array_get(jv_copy(v),
			    i)));
		return v;
	case JV_KIND_OBJECT:
		orig = jv_copy(v);
		jv_object_foreach(orig, key, val) {
			k = key;
			if (secret_key(jv_string_value(k),
			    (size_t)jv_string_length_bytes(jv_copy(k)))) {
				jv_free(val);
				x = jv_string(REDACTED);
			} else
				x = redact(val);
			v = jv_object_set(v, k, x);
		}
		jv_free(orig);
		return v;
	default:
		return v;
	}
}

void
reject_write(struct reject *r, jv rec, const char *text, size_t len,
    const char *file, unsigned long line, const char *reason)
{
	jv out;

	if (r->fp == NULL) {
		jv_free(rec);
		return;
	}
	if (jv_get_kind(rec) == JV_KIND_OBJECT)
		out = rec;
	else {
		jv_free(rec);
		out = jv_object();
		if (text != NULL && len <= INT_MAX)
			out = jv_object_set(out, jv_string("input"),
			    jv_string_sized(text, (int)len));
	}
	out = redact(out);
	out = jv_object_set(out, jv_string("reason"), jv_string(reason));
	if (file != NULL)
		out = jv_object_set(out, jv_string("reject_file"),
		    jv_string(file));
	out = jv_object_set(out, jv_string("reject_line"),
	    jv_number((double)line));
	jv_dumpf(out, r->fp, 0);
	fputc('\n', r->fp);
}

int
reject_close(struct reject *r)
{
	int bad;

	if (r->fp == NULL)
		return 0;
	bad = fflush(r->fp) == EOF || ferror(r->fp);
	if (fclose(r->fp) == EOF || bad) {
		warn("%s", r->name);
		return EX_IOERR;
	}
	return 0;
}

void
diag_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
}
