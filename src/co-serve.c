/*
 * co-serve - answer one HTTP request for call outcomes on standard input
 * and output, as started per connection by inetd, socat, systemd
 * (Accept=yes) or tcpserver, like co-receive and with its request parser
 * and limits (http.c): a call's outcome, a page of calls, statistics, the
 * calls whose outcome changes as a Server-Sent Events stream, and health.
 * Rule: the tenant is the bearer token's claim, never a parameter (unless
 * the site says a proxy in front vouches for ?user_id=); every statement
 * runs in co-query's read-only transaction with co.tenant set, so the
 * database's row-level security decides what it sees, and another
 * tenant's call is answered exactly like no call.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>
#include <openssl/crypto.h>

#include "apitoken.h"
#include "cli.h"
#include "conf.h"
#include "conn.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "http.h"
#include "query.h"
#include "spool.h"

#define MAXANSWER	(8LL << 20)	/* -m default: answer body bytes */
#define MAXLIMIT	1000		/* limit= on a page */
#define MAXPARAMS	32
#define KEEPALIVE_MS	15000		/* a comment line on a quiet stream */
#define RESUME_PAGE	100		/* calls a statement, on resuming */

enum route { R_HEALTH, R_OUTCOME, R_CALLS, R_STATS, R_STREAM };

/* What is sent back and logged. */
struct answer {
	int	 status;
	int	 exit;
	const char *allow;
	const char *why;		/* logged, never a secret */
	int	 auth;			/* 401: ask for a bearer token */
	int	 streamed;		/* the answer went out as a stream */
	struct buf body;
};

/* A stream being sent: where it is. */
struct sse {
	struct answer *a;
	char	 last[128];		/* the last event's id */
};

struct param {
	char	*name, *value;
};

static const struct {
	const char *path;
	enum route r;
	const char *params;		/* names taken, space separated */
} routes[] = {
	{ "/api/health", R_HEALTH, "" },
	{ "/healthz", R_HEALTH, "" },
	{ "/api/calls", R_CALLS, "since until outcome status direction agent "
	    "campaign phone provider limit after tz" },
	{ "/api/stats", R_STATS, "by since until outcome status direction "
	    "agent campaign phone provider tz" },
	{ "/api/calls/stream", R_STREAM, "" },
	{ "/api/calls/*/outcome", R_OUTCOME, "tz" },	/* last: see route() */
};

static const char *claim = "sub";	/* -c */
static const char *conninfo;		/* -d */
static long long maxanswer = MAXANSWER;	/* -m */
static int trust_user_id;		/* -U */
static struct conn conn;		/* the request's connection */
static char tenant[APITOKEN_TENANTMAX + 1];

static void	usage(void);
static void	refuse(struct answer *, int, const char *);
static int	word_in(const char *, const char *);
static int	route(const struct http_req *, struct answer *, char **);
static size_t	decode(const char *, size_t, char *);
static int	params(const char *, const char *, struct param *, size_t *,
		    struct answer *);
static const char *param(const struct param *, size_t, const char *);
static int	who(const struct http_req *, const struct param *, size_t,
		    struct answer *);
static int	connect_db(struct query *, int, struct answer *);
static int	bind_filters(struct query *, const struct param *, size_t,
		    struct answer *);
static int	db_failed(int, struct answer *);
static void	rows_json(struct buf *, PGresult *, int, int);
static void	health(struct answer *);
static void	outcome(struct query *, const char *, struct answer *);
static void	calls(struct query *, struct answer *);
static void	stats(struct query *, struct answer *);
static int	write_all(const void *, size_t);
static int	last_event(const struct http_req *, char *, size_t, char **);
static int	event(void *, const char *, PGresult *);
static void	stream(struct query *, const struct http_req *,
		    struct answer *);
static PGconn	*serve(struct http_in *, struct http_req *, struct answer *);
static void	logline(const struct http_req *, const struct answer *,
		    const struct timespec *);

static void
usage(void)
{
	fprintf(stderr, "usage: co-serve [-U] [-c claim] [-d conninfo] "
	    "[-l stderr|syslog] "
	    "[-m bytes] [-t seconds]\n");
	exit(EX_USAGE);
}

static void
refuse(struct answer *a, int status, const char *why)
{
	a->status = status;
	a->why = why;
	a->body.len = 0;
	buf_str(&a->body, "{\"status\":\"error\",\"error\":");
	buf_json(&a->body, why, strlen(why));
	buf_str(&a->body, "}");
	if (status == 503)
		a->exit = diag_worse(a->exit, EX_TEMPFAIL);
	else if (status >= 500)
		a->exit = diag_worse(a->exit, EX_SOFTWARE);
	else
		a->exit = diag_worse(a->exit, EX_DATAERR);
}

/*
 * The route of the request (index into routes), or -1 after a 404 or 405.
 * For /api/calls/ID/outcome, *id is the ID, percent-decoded.
 */
static int
route(const struct http_req *r, struct answer *a, char **id)
{
	const char *p = r->path, *e;
	size_t i, n;

	*id = NULL;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(p, routes[i].path) == 0)
			break;
	n = strlen(p);
	if (i == sizeof(routes) / sizeof(routes[0]) &&
	    strncmp(p, "/api/calls/", 11) == 0 && n > 19 &&
	    strcmp(p + n - 8, "/outcome") == 0) {
		e = p + n - 8;
		p += 11;
		if (memchr(p, '/', (size_t)(e - p)) == NULL) {
			if ((*id = malloc((size_t)(e - p) + 1)) == NULL)
				err(EX_OSERR, "malloc");
			n = decode(p, (size_t)(e - p), *id);
			if (n == 0 || strlen(*id) != n ||
			    !http_utf8(*id, n)) {
				refuse(a, 400, "bad call id");
				return -1;
			}
			i--;		/* the last route */
		}
	}
	if (i == sizeof(routes) / sizeof(routes[0])) {
		refuse(a, 404, "no such route");
		return -1;
	}
	if (strcmp(r->method, "GET") != 0) {
		a->allow = "GET";
		refuse(a, 405, "method not allowed");
		return -1;
	}
	return (int)i;
}

/* Is w one of the space-separated words of list? */
static int
word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	if (n == 0)
		return 0;
	for (p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* %XX and '+' decoded from s[0..n) into out (n + 1 bytes); its length. */
static size_t
decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned int c;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && n - i > 2 && sscanf(s + i + 1, "%2x", &c) ==
		    1 && strchr("0123456789abcdefABCDEF", s[i + 2]) != NULL) {
			out[o++] = (char)c;
			i += 2;
		} else
			out[o++] = s[i] == '+' ? ' ' : s[i];
	}
	out[o] = '\0';
	return o;
}

/*
 * The query string's parameters, each named in allowed (or user_id, the
 * seed's, honoured only with -U), at most once, decoded to UTF-8 without
 * NUL.  0, or -1 after a 400.
 */
static int
params(const char *qs, const char *allowed, struct param *p, size_t *np,
    struct answer *a)
{
	const char *s = qs, *amp, *eq;
	size_t i, n, len;

	for (*np = 0; *s != '\0'; s = *amp == '&' ? amp + 1 : amp) {
		amp = s + strcspn(s, "&");
		if (amp == s)
			continue;
		if (*np == MAXPARAMS) {
			refuse(a, 400, "too many parameters");
			return -1;
		}
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		n = (size_t)(eq - s);
		if ((p[*np].name = malloc(n + 1)) == NULL ||
		    (p[*np].value = malloc((size_t)(amp - eq) + 1)) == NULL)
			err(EX_OSERR, "malloc");
		len = decode(s, n, p[*np].name);
		n = decode(eq + (eq < amp), (size_t)(amp - eq) - (eq < amp),
		    p[*np].value);
		(*np)++;
		if (strlen(p[*np - 1].value) != n ||
		    !http_utf8(p[*np - 1].value, n) ||
		    strlen(p[*np - 1].name) != len) {
			refuse(a, 400, "parameter not UTF-8 or holding NUL");
			return -1;
		}
		if (!word_in(allowed, p[*np - 1].name) &&
		    strcmp(p[*np - 1].name, "user_id") != 0) {
			refuse(a, 400, "unknown parameter");
			return -1;
		}
		for (i = 0; i + 1 < *np; i++)
			if (strcmp(p[i].name, p[*np - 1].name) == 0) {
				refuse(a, 400, "parameter given twice");
				return -1;
			}
	}
	return 0;
}

static const char *
param(const struct param *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

/*
 * The tenant: the bearer token's claim; with -U and no Authorization
 * header, the user_id parameter.  0, or -1 after a 401 (or 503 when the
 * keys cannot be read).
 */
static int
who(const struct http_req *r, const struct param *p, size_t np,
    struct answer *a)
{
	static char why[128];
	struct apikeys ks;
	const char *h, *u;
	size_t n;
	int rc;

	h = http_header(r, "authorization", &n);
	if (h == NULL && trust_user_id && (u = param(p, np, "user_id")) !=
	    NULL) {
		n = strlen(u);
		if (n == 0 || n > APITOKEN_TENANTMAX ||
		    strspn(u, " ") == n) {
			refuse(a, 400, "bad user_id");
			return -1;
		}
		memcpy(tenant, u, n + 1);
		return 0;
	}
	if (apitoken_init(&ks) == -1) {
		apitoken_free(&ks);
		refuse(a, 503, "token keys cannot be read");
		a->exit = EX_CONFIG;
		return -1;
	}
	rc = apitoken_tenant(&ks, h, n, claim, tenant, why, sizeof(why));
	apitoken_free(&ks);
	if (rc == 0)
		return 0;
	refuse(a, 401, "unauthorized");
	a->auth = 1;
	a->why = why;
	return -1;
}

/*
 * Connect within what is left of the deadline; statements are bounded by
 * it too.  With once, search_path is left to the statements (one round
 * trip less: query_outcome_once).  0, or -1 after a 503.
 */
static int
connect_db(struct query *q, int once, struct answer *a)
{
	struct buf o = { NULL, 0, 0 };
	const char *prev;
	char buf[64];
	long ms;
	int status;

	if ((ms = conn_ms_left(&conn)) < 1000)
		ms = 1000;
	if (getenv("PGCONNECT_TIMEOUT") == NULL) {
		snprintf(buf, sizeof(buf), "%ld", (ms + 999) / 1000);
		setenv("PGCONNECT_TIMEOUT", buf, 1);
	}
	/* In the startup packet: no round trip of its own. */
	if ((prev = getenv("PGOPTIONS")) != NULL && *prev != '\0') {
		buf_str(&o, prev);
		buf_str(&o, " ");
	}
	snprintf(buf, sizeof(buf), "-c statement_timeout=%ld", ms);
	buf_str(&o, buf);
	setenv("PGOPTIONS", o.p, 1);
	buf_free(&o);
	if ((q->conn = once ? db_open(conninfo, &status) :
	    db_connect(conninfo, &status)) == NULL) {
		refuse(a, 503, "database unavailable");
		a->exit = status;
		return -1;
	}
	return 0;
}

/* A failed query's answer. */
static int
db_failed(int rc, struct answer *a)
{
	if (rc == EX_USAGE)
		refuse(a, 400, "a parameter's value was refused");
	else if (strcmp(db_last_sqlstate, "57014") == 0) {
		refuse(a, 503, "query not done in time");
		a->exit = EX_TEMPFAIL;
	} else if (rc == EX_TEMPFAIL || rc == EX_UNAVAILABLE) {
		refuse(a, 503, "database unavailable");
		a->exit = rc;
	} else
		refuse(a, 500, "query failed");
	return -1;
}

/* The filters, limit, cursor and zone; 0, or -1 after a 400. */
static int
bind_filters(struct query *q, const struct param *p, size_t np,
    struct answer *a)
{
	static char why[160];
	const char *v, *w = NULL, *name = NULL;
	char *end;

	q->f.since = param(p, np, "since");
	q->f.until = param(p, np, "until");
	q->f.outcome = param(p, np, "outcome");
	q->f.status = param(p, np, "status");
	q->f.direction = param(p, np, "direction");
	q->f.agent = param(p, np, "agent");
	q->f.campaign = param(p, np, "campaign");
	q->f.phone = param(p, np, "phone");
	q->zone = param(p, np, "tz");
	if ((w = query_check_time(q->f.since)) != NULL)
		name = "since";
	else if ((w = query_check_time(q->f.until)) != NULL)
		name = "until";
	else if ((w = query_check_list("outcome", q->f.outcome,
	    query_outcomes)) != NULL)
		name = "outcome";
	else if ((w = query_check_list("status", q->f.status,
	    query_statuses)) != NULL)
		name = "status";
	else if ((w = query_check_list("direction", q->f.direction,
	    query_directions)) != NULL)
		name = "direction";
	else if (q->zone != NULL && *q->zone == '\0')
		name = "tz", w = "empty time zone";
	else if ((w = query_check_list("provider", q->f.provider =
	    param(p, np, "provider"), query_providers())) != NULL)
		name = "provider";
	else if ((v = param(p, np, "limit")) != NULL) {
		q->limit = strtoll(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || q->limit < 1 ||
		    q->limit > MAXLIMIT)
			name = "limit", w = "not a number from 1 to 1000";
	}
	if (name == NULL && (v = param(p, np, "after")) != NULL &&
	    (w = query_set_after(q, v)) != NULL)
		name = "after";
	if (name == NULL && (v = param(p, np, "by")) != NULL &&
	    (w = query_add_by(q, v)) != NULL)
		name = "by";
	if (name == NULL)
		return 0;
	snprintf(why, sizeof(why), "%s: %s", name, w);
	refuse(a, 400, why);
	return -1;
}

/* Rows [0, nrows) and columns [0, ncols) of r as a JSON array. */
static void
rows_json(struct buf *b, PGresult *r, int nrows, int ncols)
{
	char *mem = NULL, *p, *nl;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&mem, &len)) == NULL)
		err(EX_OSERR, "open_memstream");
	format_rows(fp, FMT_NDJSON, r, nrows, ncols);
	if (fclose(fp) != 0)
		err(EX_OSERR, "open_memstream");
	buf_str(b, "[");
	for (p = mem; (nl = memchr(p, '\n', len - (size_t)(p - mem))) != NULL;
	    p = nl + 1) {
		if (p != mem)
			buf_str(b, ",");
		buf_add(b, p, (size_t)(nl - p));
	}
	buf_str(b, "]");
	free(mem);
}

/* The database answers, and the schema is there. */
static void
health(struct answer *a)
{
	struct query q = { 0 };
	struct apikeys ks;
	PGresult *r = NULL;
	int ok, keys;

	keys = apitoken_init(&ks) == 0 && ks.n > 0;
	apitoken_free(&ks);
	ok = connect_db(&q, 0, a) == 0 && (r = db_exec(q.conn, "SELECT "
	    "to_regclass('call_logs') IS NOT NULL", 0, NULL,
	    PGRES_TUPLES_OK)) != NULL && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (q.conn != NULL)
		PQfinish(q.conn);
	a->body.len = 0;
	buf_str(&a->body, ok ? "{\"status\":\"healthy\",\"database\":true"
	    : "{\"status\":\"unhealthy\",\"database\":false");
	buf_str(&a->body, keys ? ",\"token_keys_configured\":true}" :
	    ",\"token_keys_configured\":false}");
	a->status = ok ? 200 : 503;
	if (!ok) {
		a->why = "database unavailable or not migrated";
		a->exit = diag_worse(a->exit, EX_TEMPFAIL);
	} else {
		a->why = NULL;
		a->exit = 0;
	}
}

static void
outcome(struct query *q, const char *id, struct answer *a)
{
	struct buf t = { NULL, 0, 0 };
	PGresult *r;
	int rc;

	if ((r = query_outcome_once(q, id, &rc)) == NULL) {
		if (rc == 1)
			refuse(a, 404, "not found");
		else
			db_failed(rc, a);
		return;
	}
	a->status = 200;
	rows_json(&t, r, 1, PQnfields(r));
	buf_add(&a->body, t.p + 1, t.len - 2);	/* the object alone */
	buf_free(&t);
	PQclear(r);
}

/* {"calls":[...],"next":CURSOR or null} */
static void
calls(struct query *q, struct answer *a)
{
	PGresult *r;
	int rc, n;

	if ((rc = query_begin(q)) != 0 || (r = query_calls(q, &rc)) == NULL) {
		db_failed(rc, a);
		return;
	}
	n = PQntuples(r) > q->limit ? (int)q->limit : PQntuples(r);
	a->status = 200;
	buf_str(&a->body, "{\"calls\":");
	rows_json(&a->body, r, n, PQnfields(r) - 1);
	buf_str(&a->body, ",\"next\":");
	if (PQntuples(r) > n) {
		const char *c = PQgetvalue(r, n - 1, PQnfields(r) - 1);

		buf_json(&a->body, c, strlen(c));
	} else
		buf_str(&a->body, "null");
	buf_str(&a->body, "}");
	PQclear(r);
}

/* {"stats":[...]}, one object per group of by= (one in all without). */
static void
stats(struct query *q, struct answer *a)
{
	PGresult *r;
	int rc;

	if ((rc = query_begin(q)) != 0 || (r = query_stats(q, &rc)) == NULL) {
		db_failed(rc, a);
		return;
	}
	a->status = 200;
	buf_str(&a->body, "{\"stats\":");
	rows_json(&a->body, r, PQntuples(r), PQnfields(r));
	buf_str(&a->body, "}");
	PQclear(r);
}

static int
write_all(const void *p, size_t n)
{
	return spool_write_all(STDOUT_FILENO, p, n);
}

/* s holds only printable ASCII, no spaces. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return 0;
	return 1;
}

/*
 * Last-Event-ID: a cursor "TIME/ID" as the stream sent it, cut into buf
 * (TIME) and *id.  0 when absent, 1 when given, -1 when malformed.
 */
static int
last_event(const struct http_req *r, char *buf, size_t sz, char **id)
{
	const char *v;
	size_t n;
	char *slash;

	if ((v = http_header(r, "last-event-id", &n)) == NULL)
		return 0;
	if (n == 0 || n >= sz || (slash = memchr(v, '/', n)) == NULL)
		return -1;
	memcpy(buf, v, n + 1);
	slash = buf + (slash - v);
	*slash = '\0';
	*id = slash + 1;
	/* A call's id is any string (the seed's VARCHAR(36)), no controls. */
	if (query_check_time(buf) != NULL || strchr(buf, 'T') == NULL ||
	    **id == '\0' || strlen(*id) > 64 || !printable(*id))
		return -1;
	return 1;
}

/* One event: "outcome", its cursor as id, the call as data. */
static int
event(void *arg, const char *cursor, PGresult *r)
{
	struct buf ev = { NULL, 0, 0 }, obj = { NULL, 0, 0 };
	struct sse *s = arg;
	int rc;

	rows_json(&obj, r, 1, PQnfields(r));
	buf_str(&ev, "event: outcome\nid: ");
	buf_str(&ev, cursor);
	buf_str(&ev, "\ndata: ");
	buf_add(&ev, obj.p + 1, obj.len - 2);
	buf_str(&ev, "\n\n");
	if ((rc = write_all(ev.p, ev.len)) == -1)
		s->a->why = "client gone";
	snprintf(s->last, sizeof(s->last), "%s", cursor);
	buf_free(&ev);
	buf_free(&obj);
	return rc;
}

/*
 * GET /api/calls/stream: LISTEN first, then what changed after
 * Last-Event-ID, then each call as its batch commits, until the client
 * or the database goes away.  Waits in poll(2) on both; nothing polls the
 * database.
 */
static void
stream(struct query *q, const struct http_req *r, struct answer *a)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/event-stream\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n\r\n";
	struct sse s = { a, "" };
	struct pollfd pfd[2];
	char t[128], buf[512], *id = NULL;
	int resume, n;
	ssize_t got;

	if ((resume = last_event(r, t, sizeof(t), &id)) == -1) {
		refuse(a, 400, "Last-Event-ID is not a cursor this stream sent");
		return;
	}
	if ((n = query_listen(q)) != 0) {
		db_failed(n, a);
		return;
	}
	alarm(0);
	a->status = 200;
	a->streamed = 1;
	if (write_all(head, sizeof(head) - 1) == -1) {
		a->why = "client gone";
		return;
	}
	q->limit = RESUME_PAGE;
	while (resume) {
		s.last[0] = '\0';
		if ((n = query_changes(q, t, id, NULL, event, &s)) == -1) {
			a->why = a->why != NULL ? a->why : "database gone";
			return;
		}
		if (n < RESUME_PAGE || s.last[0] == '\0')
			break;
		memcpy(t, s.last, sizeof(t));	/* the next page after it */
		id = strchr(t, '/');
		*id++ = '\0';
	}
	pfd[0].fd = PQsocket(q->conn);
	pfd[0].events = POLLIN;
	pfd[1].fd = STDIN_FILENO;
	pfd[1].events = POLLIN;
	for (;;) {
		if ((n = poll(pfd, 2, KEEPALIVE_MS)) == -1 && errno != EINTR)
			return;
		if (n == 0 && write_all(": keepalive\n\n", 13) == -1)
			return;
		if (n <= 0)
			continue;
		if (pfd[1].revents != 0 &&
		    (got = read(STDIN_FILENO, buf, sizeof(buf))) <= 0) {
			a->why = "client closed";
			return;
		}
		if (pfd[0].revents != 0 && query_notified(q, event, &s) == -1) {
			a->why = a->why != NULL ? a->why : "database gone";
			return;
		}
	}
}

/*
 * The answer in *a; the connection to the database, still open, for
 * main to close once the answer is sent (NULL when none).
 */
static PGconn *
serve(struct http_in *in, struct http_req *r, struct answer *a)
{
	struct param p[MAXPARAMS];
	struct query q = { .limit = 50 };
	size_t np = 0, i;
	char *id = NULL;
	int rt, rc;

	if ((rc = http_read_head(in, r)) != 0) {
		refuse(a, rc, r->why);
		return NULL;
	}
	if ((rt = route(r, a, &id)) == -1)
		goto out;
	if (r->chunked || r->clen > 0) {
		refuse(a, 400, "a GET with a body");
		goto out;
	}
	if (params(r->query, routes[rt].params, p, &np, a) == -1)
		goto out;
	if (routes[rt].r == R_HEALTH) {
		health(a);
		goto out;
	}
	if (who(r, p, np, a) == -1 || bind_filters(&q, p, np, a) == -1)
		goto out;
	q.tenant = tenant;
	if (connect_db(&q, routes[rt].r == R_OUTCOME, a) == -1)
		goto out;
	switch (routes[rt].r) {
	case R_OUTCOME:
		outcome(&q, id, a);
		break;
	case R_CALLS:
		calls(&q, a);
		break;
	case R_STATS:
		stats(&q, a);
		break;
	default:
		stream(&q, r, a);
	}
	/* The outcome's statement committed with it. */
	if (a->status == 200 && !a->streamed && routes[rt].r != R_OUTCOME &&
	    (rc = query_finish(&q, 0)) != 0)
		db_failed(rc, a);
	if (a->status == 200 && a->body.len > (size_t)maxanswer)
		refuse(a, 500, "answer over the size limit (-m)");
out:
	free(q.after);
	free(id);
	for (i = 0; i < np; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	return q.conn;
}

static int
respond(const struct answer *a)
{
	char hdrs[256];

	snprintf(hdrs, sizeof(hdrs), "Cache-Control: no-store\r\n%s%s%s%s",
	    a->allow ? "Allow: " : "", a->allow ? a->allow : "",
	    a->allow ? "\r\n" : "",
	    a->auth ? "WWW-Authenticate: Bearer realm=\"call-outcomes\"\r\n" :
	    "");
	return conn_respond(a->status, "application/json", hdrs, a->body.p,
	    a->body.len, 0);
}

/* status method path tenant bytes time remote[: reason], one write(2). */
static void
logline(const struct http_req *r, const struct answer *a,
    const struct timespec *t0)
{
	char path[160], who[80], line[640];
	int n;

	conn_clean(path, sizeof(path), r->path != NULL ? r->path : "-");
	conn_clean(who, sizeof(who), tenant[0] != '\0' ? tenant : "-");
	n = snprintf(line, sizeof(line), "co-serve: %d %s %s %s %zuB %ldms "
	    "%s%s%s\n", a->status, r->method[0] != '\0' ? r->method : "-",
	    path, who, a->body.len, conn_ms_since(t0),
	    conn.remote[0] != '\0' ? conn.remote : "-",
	    a->why != NULL ? ": " : "",
	    a->why != NULL ? a->why : "");
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (n > 0)
		conn_log(a->status, line, (size_t)n);
}

static const char help[] =
	    "usage: co-serve [-U] [-c claim] [-d conninfo] [-l stderr|syslog]\n"
	    "                [-m bytes] [-t seconds]\n"
	    "Answer one HTTP request for call outcomes on stdin/stdout.\n"
	    "  -U          take the tenant from ?user_id= (behind a trusted proxy)\n"
	    "  -c claim    the token claim naming the tenant (default sub)\n"
	    "  -d conninfo the database (default: libpq's PG* variables)\n"
	    "  -l stderr|syslog\n"
	    "              where to log (default: syslog when stderr is a socket)\n"
	    "  -m bytes    the largest answer body, 64 to 1073741824\n"
	    "  -t seconds  the deadline for the request, 1 to 3600 (default 10)\n"
	    "  --help      this help\n"
	    "  --version   the version\n";

int
main(int argc, char *argv[])
{
	static struct http_in in;
	struct http_req req;
	struct answer a;
	struct timespec t0;
	PGconn *db;
	const char *lflag = NULL, *mopt = NULL, *topt = NULL;
	long long tflag = 10;
	int ch, bad = 0;

	cli_std(argc, argv, help);
	opterr = 0;			/* said after conn_log_init, not on fd 2 */
	while ((ch = getopt(argc, argv, "Uc:d:l:m:t:")) != -1) {
		switch (ch) {
		case 'U':
			trust_user_id = 1;
			break;
		case 'c':
			claim = optarg;
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'l':
			lflag = optarg;
			break;
		case 'm':
			mopt = optarg;
			break;
		case 't':
			topt = optarg;
			break;
		default:
			bad = optopt;
		}
	}
	if (conn_log_init(lflag, bad) == -1)
		usage();
	if (mopt != NULL)
		maxanswer = conf_num(mopt, 64, 1LL << 30, "answer limit");
	if (topt != NULL)
		tflag = conf_num(topt, 1, 3600, "timeout");
	if (optind != argc || *claim == '\0')
		usage();
	/*
	 * No error strings: OpenSSL 3 loads them all when a thread first
	 * records an error state, which the HMAC fetch does (about a tenth
	 * of a request's CPU), and co-serve never prints one.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)tflag + 60);	/* backstop; a stream stops it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	conn_start(&conn, tflag);
	memset(&a, 0, sizeof(a));
	http_init(&in, conn_read, &conn);
	db = serve(&in, &req, &a);
	if (!a.streamed && respond(&a) == -1) {
		a.why = "answer not sent";
		a.exit = diag_worse(a.exit, EX_IOERR);
	}
	if (db != NULL)			/* after the answer: not waited for */
		PQfinish(db);
	logline(&req, &a, &t0);
	if (a.exit != EX_IOERR && a.status >= 300)
		conn_linger();
	http_free(&req);
	buf_free(&a.body);
	return a.exit;
}
