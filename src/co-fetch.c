/*
 * co-fetch - recover the post-call webhooks that never came: for calls
 * still in_progress after a while that have a conversation_id, GET
 * /v1/convai/conversations/{id}, and for each finished conversation write
 * the envelope a post_call_transcription webhook carrying it would have
 * made (SPEC 4), on stdout or into the spool's new/.
 * Rule: a fetched envelope is signed like a webhook, with
 * ELEVENLABS_WEBHOOK_SECRET over "<t>.<body>", so co-verify and everything
 * after it treat it exactly as a webhook, and load it once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "api.h"
#include "cli.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "fetchconv.h"
#include "ndjson.h"
#include "spool.h"

#define CONV_PATH	"/v1/convai/conversations/"
#define TIME_LIMIT	6.7e16	/* seconds gmtime converts (as the .jq guards) */

struct stats {
	unsigned long calls, written, waiting, failed;
};

static void	 usage(void);
static char	*load_secret(void);
static char	**stale(PGconn *, long long, long long, size_t *);
static const char *remote_of(const char *);
static long long event_time(jv);
static char	*make_body(const char *, size_t, jv);
static void	 sign(long long, jv, char *, size_t);
static jv	 envelope(const char *, jv);
static int	 emit(jv);
static int	 conversation(struct api_req *, const char *);
static int	 http_status(const struct api_req *, const char *);
static int	 got(struct api_req *);
static int	 fetch_all(char **, size_t, long long);
static int	 calls(const char *, long long, long long, char ***,
		    size_t *);

static struct api api;
static struct stats st;
static char *secret;		/* ELEVENLABS_WEBHOOK_SECRET, the first */
static const char *spool;	/* -s: write into new/ */
static int stop;

static void
usage(void)
{
	fprintf(stderr, "usage: co-fetch [-a age] [-c concurrency] "
	    "[-d conninfo] [-n max] [-R retries] [-s spooldir] "
	    "[-t timeout]\n");
	exit(EX_USAGE);
}

/* The first secret of ELEVENLABS_WEBHOOK_SECRET (a comma list). */
static char *
load_secret(void)
{
	char *all, *s;
	const char *p;
	size_t n;

	if ((all = conf_secret("ELEVENLABS_WEBHOOK_SECRET")) == NULL)
		return NULL;
	for (p = all; *p == ' ' || *p == '\t'; p++)
		;
	n = strcspn(p, ",");
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	s = n > 0 ? strndup(p, n) : NULL;
	conf_free(all);
	return s;
}

/* conversation_ids of calls in_progress since before now - age. */
static char **
stale(PGconn *c, long long age, long long max, size_t *n)
{
	char before[32], lim[32], **ids;
	const char *v[2] = { before, lim };
	PGresult *r;
	int i;

	snprintf(before, sizeof(before), "%lld", (long long)conf_now() - age);
	snprintf(lim, sizeof(lim), "%lld", max);
	if ((r = db_exec(c, "SELECT conversation_id FROM calls "
	    "WHERE status = 'in_progress' AND conversation_id IS NOT NULL "
	    "AND created_at < to_timestamp($1) ORDER BY created_at, id "
	    "LIMIT $2", 2, v, PGRES_TUPLES_OK)) == NULL)
		return NULL;
	*n = (size_t)PQntuples(r);
	if ((ids = calloc(*n + 1, sizeof(*ids))) == NULL)
		err(EX_OSERR, "calloc");
	for (i = 0; i < PQntuples(r); i++)
		if ((ids[i] = strdup(PQgetvalue(r, i, 0))) == NULL)
			err(EX_OSERR, "strdup");
	PQclear(r);
	return ids;
}

/* host[:port] of the API base, the peer of this "request". */
static const char *
remote_of(const char *base)
{
	static char host[256];
	const char *p;

	p = strstr(base, "://");
	p = p ? p + 3 : base;
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(p, "/"), p);
	return host;
}

/* When the call ended (start + duration), else now: the event's time. */
static long long
event_time(jv conv)
{
	jv m, s, d;
	long long t = (long long)conf_now();

	m = json_get(conv, "metadata");
	if (jv_get_kind(m) != JV_KIND_OBJECT) {
		jv_free(m);
		return t;
	}
	s = json_get(m, "start_time_unix_secs");
	d = jv_object_get(m, jv_string("call_duration_secs"));
	/* Only times gmtime can convert: a cast of NaN or 1e300 is UB. */
	if (jv_get_kind(s) == JV_KIND_NUMBER && jv_get_kind(d) ==
	    JV_KIND_NUMBER && jv_number_value(s) > -TIME_LIMIT &&
	    jv_number_value(s) < TIME_LIMIT && jv_number_value(d) >= 0 &&
	    jv_number_value(d) < TIME_LIMIT)
		t = (long long)jv_number_value(s) +
		    (long long)jv_number_value(d);
	jv_free(s);
	jv_free(d);
	return t;
}

/*
 * The webhook body around the conversation's own bytes, which are not
 * re-serialized: {"type":"post_call_transcription","event_timestamp":T,
 * "data":<response>}.
 */
static char *
make_body(const char *raw, size_t len, jv conv)
{
	char *b;

	while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r' ||
	    raw[len - 1] == ' ' || raw[len - 1] == '\t'))
		len--;
	while (len > 0 && (*raw == ' ' || *raw == '\n' || *raw == '\t' ||
	    *raw == '\r')) {
		raw++;
		len--;
	}
	if (asprintf(&b, "{\"type\":\"post_call_transcription\","
	    "\"event_timestamp\":%lld,\"data\":%.*s}", event_time(conv),
	    (int)len, raw) == -1)
		err(EX_OSERR, "asprintf");
	return b;
}

/* "t=<t>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>" (PROTOCOLS.md 2.2). */
static void
sign(long long t, jv body, char *sig, size_t sz)
{
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], *msg;
	size_t blen;
	int n;

	blen = (size_t)jv_string_length_bytes(jv_copy(body));
	n = snprintf(sig, sz, "%lld.", t);
	if ((msg = malloc((size_t)n + blen)) == NULL)
		err(EX_OSERR, "malloc");
	memcpy(msg, sig, (size_t)n);
	memcpy(msg + n, jv_string_value(body), blen);
	crypto_hmac_sha256(secret, strlen(secret), msg, (size_t)n + blen, mac);
	free(msg);
	hex_encode(mac, sizeof(mac), hex);
	snprintf(sig, sz, "t=%lld,v0=%s", t, hex);
}

/* The version-1 envelope of body (consumed), signed as ElevenLabs signs. */
static jv
envelope(const char *id, jv body)
{
	char at[40], sig[128], *esc, *path;
	struct timeval tv;
	jv h, e;

	gettimeofday(&tv, NULL);
	tv.tv_sec = conf_now();
	conf_rfc3339(at, sizeof(at), tv.tv_sec, (long)tv.tv_usec);
	sign((long long)tv.tv_sec, body, sig, sizeof(sig));
	esc = api_escape(id);
	if (asprintf(&path, "%s%s", CONV_PATH, esc) == -1)
		err(EX_OSERR, "asprintf");
	free(esc);
	h = jv_object_set(jv_object(), jv_string("content-type"),
	    jv_string("application/json"));
	h = jv_object_set(h, jv_string("elevenlabs-signature"), jv_string(sig));
	h = jv_object_set(h, jv_string("x-co-fetched"), jv_string("1"));
	e = jv_object_set(jv_object(), jv_string("v"), jv_number(1));
	e = jv_object_set(e, jv_string("received_at"), jv_string(at));
	e = jv_object_set(e, jv_string("source"), jv_string("elevenlabs"));
	e = jv_object_set(e, jv_string("method"), jv_string("GET"));
	e = jv_object_set(e, jv_string("path"), jv_string(path));
	e = jv_object_set(e, jv_string("query"), jv_string(""));
	e = jv_object_set(e, jv_string("remote"),
	    jv_string(remote_of(api.base)));
	e = jv_object_set(e, jv_string("headers"), h);
	free(path);
	return jv_object_set(e, jv_string("body"), body);
}

/* Write one envelope (consumed): stdout, or a new spool file. */
static int
emit(jv env)
{
	char name[SPOOL_NAMELEN];
	struct timeval tv;
	jv line;
	int rc = 0;

	if (spool == NULL) {
		ndjson_write(stdout, env);
		st.written++;
		return 0;
	}
	line = jv_dump_string(env, 0);
	gettimeofday(&tv, NULL);
	if (spool_write(spool, &tv, jv_string_value(line),
	    (size_t)jv_string_length_bytes(jv_copy(line)), name,
	    sizeof(name)) == -1) {
		warn("%s/new", spool);
		rc = EX_IOERR;
		stop = 1;
	} else
		st.written++;
	jv_free(line);
	return rc;
}

/* A 200 answer: an envelope when the conversation is over. */
static int
conversation(struct api_req *q, const char *id)
{
	char why[200], *body;
	jv conv, b;

	switch (fetch_conv(q->body.p, q->body.len, id, &conv, why,
	    sizeof(why))) {
	case -1:
		warnx("%s: %s", id, why);
		return EX_DATAERR;
	case 0:
		st.waiting++;
		return 0;	/* not over yet: a later run looks again */
	}
	body = make_body(q->body.p, q->body.len, conv);
	jv_free(conv);
	b = jv_string(body);	/* invalid UTF-8 is replaced, then signed */
	free(body);
	return emit(envelope(id, b));
}

/* What a failed GET means for the exit status. */
static int
http_status(const struct api_req *q, const char *id)
{
	warnx("%s: %s", id, q->reason[0] ? q->reason : "no answer");
	if (q->status == 401 || q->status == 403) {
		stop = 1;	/* the key: the next ones fail too */
		return EX_UNAVAILABLE;
	}
	if (q->status >= 400 && q->status < 500 && q->status != 408 &&
	    q->status != 429)
		return EX_DATAERR;	/* 404: no such conversation */
	return EX_TEMPFAIL;		/* 5xx, 429, timeouts: later */
}

static int
got(struct api_req *q)
{
	const char *id = q->arg;
	int rc;

	if (q->status == 200)
		rc = conversation(q, id);
	else
		rc = http_status(q, id);
	if (rc != 0)
		st.failed++;
	return rc;
}

/* Start GETs up to the concurrency, hand each answer to got(). */
static int
fetch_all(char **ids, size_t n, long long conc)
{
	struct api_req *q;
	char *esc, path[1024];
	size_t i = 0;
	int status = 0;

	for (;;) {
		while (!stop && i < n && api.busy < conc) {
			esc = api_escape(ids[i]);
			snprintf(path, sizeof(path), "%s%s", CONV_PATH, esc);
			free(esc);
			api_start(&api, "GET", path, NULL, ids[i++]);
		}
		if ((q = api_next(&api)) == NULL)
			break;
		status = diag_worse(status, got(q));
		api_req_free(q);
	}
	return status;
}

static int
calls(const char *conninfo, long long age, long long max, char ***ids,
    size_t *n)
{
	PGconn *c;
	int rc;

	if ((c = db_connect(conninfo, &rc)) == NULL)
		return rc;
	if ((*ids = stale(c, age, max, n)) == NULL)
		rc = db_status(c);
	PQfinish(c);
	return rc;
}

static const char help[] =
	    "usage: co-fetch [-a age] [-c concurrency] [-d conninfo] [-n"
	    " max] [-R retries]\n"
	    "                [-s spooldir] [-t timeout]\n"
	    "Fetch ElevenLabs conversations whose webhook never came, as"
	    " signed envelopes.\n"
	    "  -a age          calls created more than age seconds ago"
	    " (default 1800)\n"
	    "  -c concurrency  requests in flight at once, 1 to 64"
	    " (default 4)\n"
	    "  -d conninfo     the database (conninfo or postgresql:// URI)\n"
	    "  -n max          fetch at most max calls, the oldest"
	    " (default 1000)\n"
	    "  -R retries      attempts after the first on 408, 429,"
	    " 5xx, transport errors\n"
	    "  -s spooldir     write each envelope into spooldir/new/"
	    " (default: stdout)\n"
	    "  -t timeout      seconds one attempt may take, 1 to 600"
	    " (default 30)\n"
	    "  --help          this help\n"
	    "  --version       the version\n";

int
main(int argc, char *argv[])
{
	const char *conninfo = NULL;
	long long age = 1800, conc = 4, max = 1000, retries = 2, timeout = 30;
	char **ids = NULL;
	size_t i, n = 0;
	int ch, rc;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "a:c:d:n:R:s:t:")) != -1) {
		switch (ch) {
		case 'a':
			age = conf_num(optarg, 0, 365LL * 86400, "age");
			break;
		case 'c':
			conc = conf_num(optarg, 1, 64, "concurrency");
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'n':
			max = conf_num(optarg, 1, 1000000, "max");
			break;
		case 'R':
			retries = conf_num(optarg, 0, 10, "retries");
			break;
		case 's':
			spool = optarg;
			break;
		case 't':
			timeout = conf_num(optarg, 1, 600, "timeout");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if ((secret = load_secret()) == NULL)
		errx(EX_UNAVAILABLE, "no webhook secret to sign with: "
		    "set ELEVENLABS_WEBHOOK_SECRET");
	if (spool != NULL && spool_init(spool = conf_spool(spool)) == -1)
		err(EX_IOERR, "%s", spool);
	if ((rc = api_init(&api, (long)timeout, (int)retries)) != 0)
		return rc;
	if ((rc = calls(conninfo, age, max, &ids, &n)) == 0)
		rc = fetch_all(ids, n, conc);
	fprintf(stderr, "co-fetch: %zu calls: %lu envelopes, %lu not over "
	    "yet, %lu failed\n", n, st.written, st.waiting, st.failed);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	api_free(&api);
	conf_free(secret);
	diag_stdout();
	return rc;
}
