/*
 * co-dial - place outbound calls through the ElevenLabs API.  For each
 * NDJSON request: give the call a call_sid EL_{driver_id}_{milliseconds},
 * commit its calls row (in_progress, no conversation_id), POST the
 * outbound-call API with call_sid among the dynamic variables, then record
 * the conversation_id, or mark the row failed with the API's reason.  One
 * NDJSON result per request on stdout.
 * Rule: the row is committed before the API is called, so every attempt
 * leaves a row, whatever then happens to the call or to co-dial.
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
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "ndjson.h"

#define SIDLEN		128	/* EL_ + driver_id (<= 64) + _ + digits */
#define MAXDRIVER	64
#define MAXFIELD	256
#define MAXBUMP		1000	/* call_sids tried for one request */

/* A request whose row exists and whose API call is running. */
struct dial {
	long long id;		/* calls.id */
	char	 sid[SIDLEN];
	const char *file;
	unsigned long line;
};

static void	 usage(void);
static long long clock_ms(void);
static int	 field(jv, const char *, int, char *, size_t);
static int	 check_vars(jv, char *, size_t);
static int	 check(jv, char *, size_t);
static int	 db_fail(PGresult *);
static int	 insert(jv, struct dial *);
static char	*api_body(jv, const char *);
static void	 result(const char *, const char *, const char *,
		    const char *);
static void	 reject(struct ndjson *, jv, const char *);
static void	 request(struct ndjson *, int, jv);
static void	 placed(struct dial *, jv);
static void	 failed(struct dial *, const char *);
static void	 why_failed(const struct api_req *, jv, char *, size_t);
static void	 done(struct api_req *);

static PGconn *db;
static struct api api;
static struct reject rej;
static int status;
static int stop;	/* dialing more would fail too: read no more */

static void
usage(void)
{
	fprintf(stderr, "usage: co-dial [-c concurrency] [-d conninfo] "
	    "[-R retries] [-r rejectfile] [-t timeout] [file ...]\n");
	exit(EX_USAGE);
}

/* Milliseconds since the epoch; $CO_NOW pins it (to a whole second). */
static long long
clock_ms(void)
{
	struct timeval tv;

	if (getenv("CO_NOW") != NULL)
		return (long long)conf_now() * 1000;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/*
 * A string member of at most max bytes: 1 present, 0 absent or null (when
 * optional), -1 bad (why set).
 */
static int
field(jv rec, const char *name, int optional, char *why, size_t sz)
{
	jv v;
	int kind, len;

	v = json_get(rec, name);
	kind = jv_get_kind(v);
	len = kind == JV_KIND_STRING ? jv_string_length_bytes(jv_copy(v)) : 0;
	jv_free(v);
	if (optional && (kind == JV_KIND_INVALID || kind == JV_KIND_NULL))
		return 0;
	if (kind != JV_KIND_STRING || len == 0) {
		snprintf(why, sz, "%s is %s", name, kind == JV_KIND_INVALID ?
		    "missing" : "not a non-empty string");
		return -1;
	}
	if (len > (strcmp(name, "driver_id") == 0 ? MAXDRIVER : MAXFIELD)) {
		snprintf(why, sz, "%s is too long", name);
		return -1;
	}
	return 1;
}

/* dynamic_variables: an object of strings, numbers and booleans. */
static int
check_vars(jv rec, char *why, size_t sz)
{
	jv d, k, v;
	int i, n, kind, bad = 0;

	d = json_get(rec, "dynamic_variables");
	if (jv_get_kind(d) == JV_KIND_INVALID || jv_get_kind(d) == JV_KIND_NULL) {
		jv_free(d);
		return 0;
	}
	if (jv_get_kind(d) != JV_KIND_OBJECT) {
		jv_free(d);
		snprintf(why, sz, "dynamic_variables is not an object");
		return -1;
	}
	k = jv_keys(jv_copy(d));
	n = jv_array_length(jv_copy(k));
	for (i = 0; i < n && !bad; i++) {
		v = jv_object_get(jv_copy(d), jv_array_get(jv_copy(k), i));
		kind = jv_get_kind(v);
		jv_free(v);
		bad = kind != JV_KIND_STRING && kind != JV_KIND_NUMBER &&
		    kind != JV_KIND_TRUE && kind != JV_KIND_FALSE;
	}
	v = jv_object_get(d, jv_string("call_sid"));
	if (jv_is_valid(v))
		snprintf(why, sz, "dynamic_variables.call_sid is co-dial's");
	else if (bad)
		snprintf(why, sz, "dynamic_variables holds an object, "
		    "an array or null");
	jv_free(k);
	kind = jv_get_kind(v);
	jv_free(v);
	return kind != JV_KIND_INVALID || bad ? -1 : 0;
}

static int
check(jv rec, char *why, size_t sz)
{
	const char *via;

	if (field(rec, "user_id", 0, why, sz) == -1 ||
	    field(rec, "driver_id", 1, why, sz) == -1 ||
	    field(rec, "to_number", 0, why, sz) == -1 ||
	    field(rec, "agent_id", 0, why, sz) == -1 ||
	    field(rec, "agent_phone_number_id", 0, why, sz) == -1 ||
	    field(rec, "via", 1, why, sz) == -1 ||
	    check_vars(rec, why, sz) == -1)
		return -1;
	via = json_str(rec, "via", NULL);
	if (via != NULL && strcmp(via, "twilio") != 0 &&
	    strcmp(via, "sip") != 0) {
		snprintf(why, sz, "via is neither twilio nor sip");
		return -1;
	}
	return 0;
}

/* A failed statement: a record's fault (65), or the database's (stop). */
static int
db_fail(PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int rc;

	if (s != NULL && strcmp(s, "23503") == 0)
		rc = EX_DATAERR;	/* the caller names the record */
	else {
		fprintf(stderr, "co-dial: %s", PQerrorMessage(db));
		rc = PQstatus(db) == CONNECTION_BAD ? db_status(db) :
		    db_sqlstate_status(s);
		stop = 1;
	}
	PQclear(r);
	return rc;
}

/*
 * Commit the row under the first free call_sid EL_{driver}_{ms}, ms+1, ...:
 * two requests of one driver in one millisecond (or with $CO_NOW pinned)
 * still get distinct call_sids.  0, or an exit status.
 */
static int
insert(jv rec, struct dial *d)
{
	const char *v[6], *drv;
	long long ms = clock_ms();
	PGresult *r;
	int i;

	drv = json_str(rec, "driver_id", NULL);
	v[0] = json_str(rec, "user_id", NULL);
	v[1] = drv;
	v[2] = json_str(rec, "agent_id", NULL);
	v[3] = json_str(rec, "to_number", NULL);
	v[4] = d->sid;
	for (i = 0; i < MAXBUMP; i++) {
		snprintf(d->sid, sizeof(d->sid), "EL_%s_%lld",
		    drv ? drv : "UNKNOWN", ms + i);
		r = PQexecParams(db, "INSERT INTO calls (user_id, driver_id, "
		    "agent_id, to_number, call_sid, status, direction) "
		    "VALUES ($1, $2, $3, $4, $5, 'in_progress', 'outbound') "
		    "ON CONFLICT (call_sid) DO NOTHING RETURNING id",
		    5, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return db_fail(r);
		if (PQntuples(r) == 1) {
			d->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			PQclear(r);
			return 0;
		}
		PQclear(r);
	}
	diag_rec(d->file, d->line, "no free call_sid after %d tries", MAXBUMP);
	return EX_TEMPFAIL;
}

/* The outbound-call body: the request's fields, call_sid added. */
static char *
api_body(jv rec, const char *sid)
{
	jv b, dv;
	char *s;
	int i;
	static const char *keys[] = { "agent_id", "agent_phone_number_id",
	    "to_number" };

	b = jv_object();
	for (i = 0; i < 3; i++)
		b = jv_object_set(b, jv_string(keys[i]),
		    json_get(rec, keys[i]));
	dv = json_get(rec, "dynamic_variables");
	if (jv_get_kind(dv) != JV_KIND_OBJECT) {
		jv_free(dv);
		dv = jv_object();
	}
	dv = jv_object_set(dv, jv_string("call_sid"), jv_string(sid));
	b = jv_object_set(b, jv_string("conversation_initiation_client_data"),
	    jv_object_set(jv_object(), jv_string("dynamic_variables"), dv));
	b = jv_dump_string(b, 0);
	if ((s = strdup(jv_string_value(b))) == NULL)
		err(EX_OSERR, "strdup");
	jv_free(b);
	return s;
}

/* {"call_sid","status","conversation_id","reason"}; NULLs print null. */
static void
result(const char *sid, const char *st, const char *conv, const char *why)
{
	jv o;

	o = jv_object_set(jv_object(), jv_string("call_sid"),
	    sid ? jv_string(sid) : jv_null());
	o = jv_object_set(o, jv_string("status"), jv_string(st));
	o = jv_object_set(o, jv_string("conversation_id"),
	    conv ? jv_string(conv) : jv_null());
	o = jv_object_set(o, jv_string("reason"),
	    why && *why ? jv_string(why) : jv_null());
	ndjson_write(stdout, o);
	fflush(stdout);
}

static void
reject(struct ndjson *in, jv rec, const char *why)
{
	ndjson_reject(in, &rej, rec, why);
	result(NULL, "rejected", NULL, why);
	status = diag_worse(status, EX_DATAERR);
}

/* One input line: check it, commit its row, start its API call. */
static void
request(struct ndjson *in, int rc, jv rec)
{
	struct dial *d;
	const char *via;
	char why[160], path[64], *body;
	int r;

	if (rc == -1 || check(rec, why, sizeof(why)) == -1) {
		reject(in, rec, rc == -1 ? in->why : why);
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		err(EX_OSERR, "calloc");
	d->file = in->name;
	d->line = in->lineno;
	if ((r = insert(rec, d)) != 0) {
		if (r == EX_DATAERR)
			reject(in, rec, "unknown user_id");
		else
			jv_free(rec);
		status = diag_worse(status, r);
		free(d);
		return;
	}
	via = json_str(rec, "via", NULL);
	snprintf(path, sizeof(path), "/v1/convai/%s/outbound-call",
	    via != NULL && strcmp(via, "sip") == 0 ? "sip-trunk" : "twilio");
	body = api_body(rec, d->sid);
	api_start(&api, "POST", path, body, d);
	free(body);
	jv_free(rec);
}

/* The API placed the call: keep its conversation_id and provider sid. */
static void
placed(struct dial *d, jv resp)
{
	char id[24];
	const char *v[3];
	PGresult *r;

	snprintf(id, sizeof(id), "%lld", d->id);
	v[0] = id;
	v[1] = json_str(resp, "conversation_id", NULL);
	if ((v[2] = json_str(resp, "callSid", NULL)) == NULL)
		v[2] = json_str(resp, "sip_call_id", NULL);
	r = db_exec(db, "UPDATE calls SET conversation_id = "
	    "coalesce(conversation_id, $2), provider_call_sid = "
	    "coalesce(provider_call_sid, $3), updated_at = now() "
	    "WHERE id = $1", 3, v, PGRES_COMMAND_OK);
	if (r == NULL) {
		status = diag_worse(status, db_status(db));
		stop = 1;
		result(d->sid, "in_progress", v[1], "placed, but the "
		    "conversation_id was not recorded: database error");
		return;
	}
	PQclear(r);
	result(d->sid, "in_progress", v[1], NULL);
}

static void
failed(struct dial *d, const char *why)
{
	char id[24];
	const char *v[2];
	PGresult *r;

	diag_rec(d->file, d->line, "%s: %s", d->sid, why);
	snprintf(id, sizeof(id), "%lld", d->id);
	v[0] = id;
	v[1] = why;
	r = db_exec(db, "UPDATE calls SET status = 'failed', "
	    "failure_reason = $2, updated_at = now() WHERE id = $1 AND "
	    "status = 'in_progress' AND conversation_id IS NULL",
	    2, v, PGRES_COMMAND_OK);
	status = diag_worse(status, EX_DATAERR);
	if (r == NULL) {
		status = diag_worse(status, db_status(db));
		stop = 1;
	}
	PQclear(r);
	result(d->sid, "failed", NULL, why);
}

/* Why an API call placed no call, into why. */
static void
why_failed(const struct api_req *q, jv resp, char *why, size_t sz)
{
	if (q->timedout)
		snprintf(why, sz, "%s; the call may have been placed",
		    q->reason);
	else if (q->status < 200 || q->status >= 300)
		snprintf(why, sz, "%s", q->reason);
	else if (!jv_is_valid(resp))
		snprintf(why, sz, "HTTP %ld: the response is not JSON",
		    q->status);
	else {
		api_message(&api, q->body.p, q->body.len, why, API_REASON);
		if (*why == '\0' || json_str(resp, "conversation_id",
		    NULL) != NULL)
			snprintf(why, sz, "HTTP %ld: no conversation_id in "
			    "the response", q->status);
	}
}

/* An API call is over: record what came of it. */
static void
done(struct api_req *q)
{
	struct dial *d = q->arg;
	char why[API_REASON + 64];
	jv resp = jv_invalid(), ok;
	const char *conv = NULL;

	if (q->status >= 200 && q->status < 300) {
		resp = ndjson_parse(q->body.p ? q->body.p : "", q->body.len,
		    why, sizeof(why));
		conv = json_str(resp, "conversation_id", NULL);
		ok = json_get(resp, "success");
		if (jv_get_kind(ok) == JV_KIND_FALSE)
			conv = NULL;	/* {"success":false,"message":...} */
		jv_free(ok);
	}
	if (conv != NULL && *conv != '\0')
		placed(d, resp);
	else {
		why_failed(q, resp, why, sizeof(why));
		failed(d, why);
		if (q->status == 401 || q->status == 403) {
			stop = 1;	/* the key: the next ones fail too */
			status = diag_worse(status, EX_UNAVAILABLE);
		}
	}
	jv_free(resp);
	free(d);
	api_req_free(q);
}

static const char help[] =
	    "usage: co-dial [-c concurrency] [-d conninfo] [-R retries]"
	    " [-r rejectfile]\n"
	    "               [-t timeout] [file ...]\n"
	    "Place ElevenLabs outbound calls, committing each call's row"
	    " first.\n"
	    "  -c concurrency  calls in flight at once, 1 to 64 (default 4)\n"
	    "  -d conninfo     the database (conninfo or postgresql:// URI)\n"
	    "  -R retries      attempts after the first, 0 to 10"
	    " (default 2)\n"
	    "  -r rejectfile   append rejected requests, with a"
	    " \"reason\", to rejectfile\n"
	    "  -t timeout      seconds one attempt may take, 1 to 600"
	    " (default 30)\n"
	    "  --help          this help\n"
	    "  --version       the version\n";

int
main(int argc, char *argv[])
{
	const char *conninfo = NULL, *rfile = NULL;
	struct api_req *q;
	struct ndjson in;
	long long conc = 4, retries = 2, timeout = 30;
	jv rec;
	int ch, rc, eof = 0;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "c:d:R:r:t:")) != -1) {
		switch (ch) {
		case 'c':
			conc = conf_num(optarg, 1, 64, "concurrency");
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'R':
			retries = conf_num(optarg, 0, 10, "retries");
			break;
		case 'r':
			rfile = optarg;
			break;
		case 't':
			timeout = conf_num(optarg, 1, 600, "timeout");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((rc = api_init(&api, (long)timeout, (int)retries)) != 0)
		return rc;
	/* It makes each call's row before the call: it must write them. */
	if ((db = db_connect_loader(conninfo, &rc)) == NULL)
		return rc;
	reject_open(&rej, rfile);
	ndjson_open(&in, argc, argv);
	for (;;) {
		while (!stop && !eof && api.busy < conc) {
			if ((rc = ndjson_next(&in, &rec)) == 0)
				eof = 1;
			else
				request(&in, rc, rec);
		}
		if ((q = api_next(&api)) != NULL)
			done(q);
		else if (eof || stop)
			break;
	}
	ndjson_close(&in);
	api_free(&api);
	PQfinish(db);
	diag_stdout();
	status = diag_worse(status, reject_close(&rej));
	return diag_worse(status, in.status);
}
