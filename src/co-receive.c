/*
 * co-receive - answer one webhook request on standard input and output,
 * as started per connection by inetd, socat, systemd (Accept=yes) or
 * tcpserver (SPEC section 5): read it (http.c), route it, check its
 * signature when the route's secret is set, spool it, answer, log one line.
 * Rule: the envelope is fsync'ed into new/ before any 2xx leaves; every
 * other outcome writes nothing there.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "cli.h"
#include "conf.h"
#include "conn.h"
#include "diag.h"
#include "envelope.h"
#include "http.h"
#include "provider.h"
#include "spool.h"
#include "verify.h"

/* The health routes; a provider's POST routes are in its table entry. */
struct route {
	const char *path;
	const char *of;			/* the seed's: its route's provider */
};

/* enum provider_state as the health answer says it. */
static const char *const pname[] = { "not configured", "ok", "unusable" };

/* What is sent back and logged. */
struct answer {
	int	 status;
	int	 exit;
	int	 head;			/* HEAD: headers only */
	const char *ctype;
	const char *allow;
	const char *why;		/* logged, never a secret */
	char	 event[256];
	struct buf body;
};

static const struct route routes[] = {
	{ "/api/webhooks/call_completed/health",
	    "/api/webhooks/call_completed" },
	{ "/healthz", NULL },
};

static long long mflag = -1;		/* -m: body limit on every route */
static const char *spool;
static struct conn conn;		/* the request's connection */
static struct timeval started;
static struct verifier ver;

static void	usage(void);
static void	refuse(struct answer *, int, const char *);
static int	provider(const struct provider *, struct answer *);
static int	has_sig(const struct provider *, const struct http_req *);
static void	accepted(const struct provider *, struct answer *);
static int	route(const struct http_req *, struct answer *,
		    const struct provider **, const struct route **);
static int	probe(char *, size_t);
static long long free_bytes(void);
static void	backlog(struct answer *);
static long long max_body(void);
static void	health_body(const struct route *, struct answer *,
		    const int *, int, long long, long long);
static void	health(const struct route *, struct answer *);
static jv	head_env(const struct http_req *, const struct provider *,
		    const char *);
static int	check_sig(const struct provider *, const struct http_req *,
		    const char *, struct answer *);
static int	check_body(const struct provider *, const struct http_req *,
		    struct answer *);
static void	accept_req(const struct provider *, struct http_req *,
		    struct answer *);
static void	serve(struct http_in *, struct http_req *, struct answer *);
static int	respond(const struct answer *);
static void	logline(const struct http_req *, const struct answer *,
		    const struct timespec *);

static void
usage(void)
{
	fprintf(stderr, "usage: co-receive [-l stderr|syslog] [-m bytes] "
	    "[-s spool] [-t seconds]\n");
	exit(EX_USAGE);
}

/* A refusal; 5xx answers say no more than that, the log says why. */
static void
refuse(struct answer *a, int status, const char *why)
{
	const char *say = why;

	if (status == 503)
		say = "service unavailable";
	else if (status == 500)
		say = "internal error";
	a->status = status;
	a->why = why;
	a->body.len = 0;
	buf_str(&a->body, "{\"status\":\"error\",\"error\":");
	buf_json(&a->body, say, strlen(say));
	buf_str(&a->body, "}");
	if (status == 503)
		a->exit = diag_worse(a->exit, EX_TEMPFAIL);
	else if (status == 500)
		a->exit = diag_worse(a->exit, EX_SOFTWARE);
	else
		a->exit = diag_worse(a->exit, EX_DATAERR);
}

/*
 * The request's route: 0 and *p a provider's POST route, 1 and *rt a
 * health route, or -1 after a 404 or 405.
 */
static int
route(const struct http_req *r, struct answer *a, const struct provider **p,
    const struct route **rt)
{
	size_t i;
	int post = strcmp(r->method, "POST") == 0;

	if ((*p = provider_route(r->path)) != NULL) {
		if (post)
			return 0;
		a->allow = "POST";
		refuse(a, 405, "method not allowed");
		return -1;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(r->path, routes[i].path) != 0)
			continue;
		*rt = &routes[i];
		if (!post && (a->head || strcmp(r->method, "GET") == 0))
			return 1;
		a->allow = "GET, HEAD";
		refuse(a, 405, "method not allowed");
		return -1;
	}
	refuse(a, 404, "no such route");
	return -1;
}

/*
 * Load the secrets of the route's source alone.  None configured: the
 * route does not exist here (404).  Configured but unusable (a missing or
 * unreadable file, half a LiveKit key pair, a Twilio token without
 * CO_PUBLIC_URL): 503, and EX_CONFIG.
 */
static int
provider(const struct provider *p, struct answer *a)
{
	static char why[96];

	switch (verify_load(&ver, p, 1)) {
	case PROVIDER_OK:
		return 0;
	case PROVIDER_OFF:
		refuse(a, 404, "no such route");
		snprintf(why, sizeof(why), "no %s secret configured",
		    p->name);
		a->why = why;
		return -1;
	default:
		snprintf(why, sizeof(why), "%s secret configuration unusable",
		    p->name);
		refuse(a, 503, why);
		a->exit = EX_CONFIG;
		return -1;
	}
}

/* Does the request carry a signature header of its provider's schemes? */
static int
has_sig(const struct provider *p, const struct http_req *r)
{
	const char *const *h;

	for (h = p->sig_headers; *h != NULL; h++)
		if (http_header(r, *h, NULL) != NULL)
			return 1;
	return 0;
}

/*
 * Can a file be created, written and fsync'ed in the spool's tmp/ now?
 * 1 yes; 0 no, with why (for the log only).
 */
static int
probe(char *why, size_t sz)
{
	char path[PATH_MAX];
	int fd, e;

	snprintf(path, sizeof(path), "%s/tmp/.health.%ld", spool,
	    (long)getpid());
	(void)unlink(path);		/* a killed process's, same pid */
	if ((fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		snprintf(why, sz, "spool %s/tmp: %s", spool, strerror(errno));
		return 0;
	}
	if (spool_write_all(fd, "ok\n", 3) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1) {
		e = errno;
		(void)close(fd);
		(void)unlink(path);
		snprintf(why, sz, "spool %s/tmp: %s", spool, strerror(e));
		return 0;
	}
	if (unlink(path) == -1) {
		snprintf(why, sz, "spool %s/tmp: %s", spool, strerror(errno));
		return 0;
	}
	return 1;
}

/* Bytes an unprivileged writer may still use in the spool, or -1. */
static long long
free_bytes(void)
{
	struct statvfs sv;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tmp", spool);
	if (statvfs(path, &sv) == -1)
		return -1;
	if (sv.f_favail == 0)
		return 0;		/* no inode left: no file either */
	return (long long)sv.f_bavail * (long long)sv.f_frsize;
}

/*
 * The files waiting in new/ and the age in seconds of the oldest, by the
 * receive time in its name; null when new/ cannot be read.
 */
static void
backlog(struct answer *a)
{
	char path[PATH_MAX], num[96];
	struct dirent *d;
	long long n = 0, t, oldest = -1;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/new", spool);
	if ((dp = opendir(path)) == NULL) {
		buf_str(&a->body, ",\"spool_backlog\":null"
		    ",\"spool_oldest_age\":null");
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		if ((t = spool_name_time(d->d_name)) != -1 &&
		    (oldest == -1 || t < oldest))
			oldest = t;
	}
	closedir(dp);
	if (oldest == -1)
		snprintf(num, sizeof(num), ",\"spool_backlog\":%lld"
		    ",\"spool_oldest_age\":null", n);
	else
		snprintf(num, sizeof(num), ",\"spool_backlog\":%lld"
		    ",\"spool_oldest_age\":%lld", n,
		    (long long)conf_now() - oldest);
	buf_str(&a->body, num);
}

static void
health_body(const struct route *rt, struct answer *a, const int *st,
    int writable, long long freeb, long long floor)
{
	static const char *seed[] = { "\u26a0\ufe0f Not configured",
	    "\u2705 Configured", "\u274c Configuration error" };
	char num[64];
	size_t i, n = provider_count();
	int s;

	buf_str(&a->body, a->status == 200 ? "{\"status\":\"healthy\"" :
	    "{\"status\":\"unhealthy\"");
	if (rt->of != NULL) {
		s = verify_state(&ver, provider_route(rt->of));
		buf_str(&a->body, s == PROVIDER_OK ?
		    ",\"webhook_secret_configured\":true" :
		    ",\"webhook_secret_configured\":false");
		buf_str(&a->body, ",\"config_status\":");
		buf_json(&a->body, seed[s], strlen(seed[s]));
	}
	buf_str(&a->body, writable ? ",\"spool_writable\":true" :
	    ",\"spool_writable\":false");
	if (freeb >= 0)
		snprintf(num, sizeof(num), ",\"spool_free_bytes\":%lld", freeb);
	else
		snprintf(num, sizeof(num), ",\"spool_free_bytes\":null");
	buf_str(&a->body, num);
	snprintf(num, sizeof(num), ",\"spool_free_min\":%lld", floor);
	buf_str(&a->body, num);
	backlog(a);
	if (rt->of == NULL) {
		buf_str(&a->body, ",\"webhook_secret_configured\":{");
		for (i = 0; i < n; i++) {
			buf_str(&a->body, i > 0 ? ",\"" : "\"");
			buf_str(&a->body, provider_table[i]->name);
			buf_str(&a->body, st[i] == PROVIDER_OK ?
			    "\":true" : "\":false");
		}
		buf_str(&a->body, "}");
	}
	buf_str(&a->body, ",\"providers\":{");
	for (i = 0; i < n; i++) {
		buf_str(&a->body, i > 0 ? ",\"" : "\"");
		buf_str(&a->body, provider_table[i]->name);
		buf_str(&a->body, "\":\"");
		buf_str(&a->body, pname[st[i]]);
		buf_str(&a->body, "\"");
	}
	buf_str(&a->body, "}}");
}

/* The largest body limit of any route: what must be free in the spool. */
static long long
max_body(void)
{
	long long max = 0;
	size_t i;

	if (mflag >= 0)
		return mflag;
	for (i = 0; provider_table[i] != NULL; i++)
		if (provider_table[i]->body_max > max)
			max = provider_table[i]->body_max;
	return max;
}

/*
 * Healthy: a file can be created, written and fsync'ed in tmp/, at least
 * the largest body limit is free, and no configured source is unusable.
 * Which secrets are set is said, never their values.
 */
static void
health(const struct route *rt, struct answer *a)
{
	static char why[PATH_MAX + 64];
	long long freeb, floor;
	int broken, writable;

	broken = verify_load(&ver, NULL, 1) == PROVIDER_BROKEN;
	writable = probe(why, sizeof(why));
	if (!writable && spool_init(spool) == 0)
		writable = probe(why, sizeof(why));
	freeb = free_bytes();
	floor = max_body();
	a->status = 503;
	if (broken) {
		a->why = "a configured source's secrets are unusable";
		a->exit = EX_CONFIG;
	} else if (!writable) {
		a->why = why;
		a->exit = EX_TEMPFAIL;
	} else if (freeb < floor) {
		a->why = "spool free space under the limit";
		a->exit = EX_TEMPFAIL;
	} else
		a->status = 200;
	health_body(rt, a, ver.state, writable, freeb, floor);
}

/* The envelope without its body: what the signature schemes look at. */
static jv
head_env(const struct http_req *r, const struct provider *p, const char *at)
{
	jv e, h;
	size_t k;

	h = jv_object();
	for (k = 0; k < r->nhdr; k++)
		h = jv_object_set(h, jv_string(r->hdr[k].name),
		    jv_string_sized(r->hdr[k].value, (int)r->hdr[k].vlen));
	e = jv_object();
	e = jv_object_set(e, jv_string("v"), jv_number(1));
	e = jv_object_set(e, jv_string("received_at"), jv_string(at));
	e = jv_object_set(e, jv_string("source"), jv_string(p->name));
	e = jv_object_set(e, jv_string("method"), jv_string(r->method));
	e = jv_object_set(e, jv_string("path"), jv_string(r->path));
	e = jv_object_set(e, jv_string("query"), jv_string(r->query));
	e = jv_object_set(e, jv_string("remote"), jv_string(conn.remote));
	return jv_object_set(e, jv_string("headers"), h);
}

/*
 * The signature, checked on the raw body before anything is built from
 * it: an unauthenticated body costs its own bytes and nothing more.
 */
static int
check_sig(const struct provider *p, const struct http_req *r, const char *at,
    struct answer *a)
{
	static char why[256];
	jv e;
	int rc;

	e = head_env(r, p, at);
	rc = verify_request(&ver, e, r->body, r->bodylen, why, sizeof(why));
	jv_free(e);
	if (rc == 0)
		return 0;
	refuse(a, 401, "signature verification failed");
	a->why = why;
	return -1;
}

/*
 * The body is a JSON object, or a form when the provider reads this
 * request's body as one (env_payload).  Sets the event id.
 */
static int
check_body(const struct provider *p, const struct http_req *r,
    struct answer *a)
{
	char why[256];
	jv body;

	body = env_payload(p, r->query, r->body, r->bodylen, why,
	    sizeof(why));
	if (!jv_is_valid(body)) {
		jv_free(body);
		refuse(a, 400, p->is_form != NULL && p->is_form(r->query) ?
		    "body is not a form" : "body is not a JSON object");
		return -1;
	}
	env_event_id(p, body, a->event, sizeof(a->event));
	jv_free(body);
	return 0;
}

static void
accepted(const struct provider *p, struct answer *a)
{
	a->status = 200;
	if (p->reply_body != NULL) {
		a->ctype = p->reply_type;
		buf_str(&a->body, p->reply_body);
		return;
	}
	buf_str(&a->body, "{\"status\":\"accepted\",\"event_id\":");
	if (a->event[0] != '\0')
		buf_json(&a->body, a->event, strlen(a->event));
	else
		buf_str(&a->body, "null");
	buf_str(&a->body, "}");
}

/* A complete request on a webhook route: check, spool, accept. */
static void
accept_req(const struct provider *p, struct http_req *r, struct answer *a)
{
	static char why[PATH_MAX + 64];
	struct buf env = { NULL, 0, 0 };
	struct timeval tv;
	char at[64], name[SPOOL_NAMELEN];
	const char *now;

	if (!http_utf8(r->body, r->bodylen)) {
		refuse(a, 400, "body is not UTF-8");
		return;
	}
	if (r->bodylen > INT_MAX) {	/* -m is at most 1 GiB: never */
		refuse(a, 413, "body over the limit");
		return;
	}
	gettimeofday(&tv, NULL);
	if ((now = getenv("CO_NOW")) != NULL && *now != '\0')
		tv.tv_sec = conf_now();
	conf_rfc3339(at, sizeof(at), tv.tv_sec, (long)tv.tv_usec);
	if (check_sig(p, r, at, a) == -1 || check_body(p, r, a) == -1)
		return;
	http_envelope(&env, r, p->name, conn.remote, at);
	if (spool_write(spool, &tv, env.p, env.len, name, sizeof(name)) == -1 &&
	    (errno != ENOENT || spool_init(spool) == -1 || spool_write(spool,
	    &tv, env.p, env.len, name, sizeof(name)) == -1)) {
		snprintf(why, sizeof(why), "spool %s: %s", spool,
		    strerror(errno));
		refuse(a, 503, why);
	} else
		accepted(p, a);
	buf_free(&env);
}

static void
serve(struct http_in *in, struct http_req *r, struct answer *a)
{
	const struct provider *p;
	const struct route *rt = NULL;
	long long max;
	int rc;

	if ((rc = http_read_head(in, r)) != 0) {
		refuse(a, rc, r->why);
		return;
	}
	a->head = strcmp(r->method, "HEAD") == 0;	/* no body, ever */
	if ((rc = route(r, a, &p, &rt)) == -1)
		return;
	if (rc == 1) {
		health(rt, a);
		return;
	}
	if (provider(p, a) == -1)
		return;
	max = mflag >= 0 ? mflag : p->body_max;
	if (!r->chunked && r->clen < 0)
		refuse(a, 411, "no Content-Length");
	else if (!r->chunked && r->clen > max)
		refuse(a, 413, "body over the limit");
	else if (!has_sig(p, r)) {
		refuse(a, 401, "signature verification failed");
		a->why = "missing signature";
	} else if (r->expect && spool_write_all(STDOUT_FILENO,
	    "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
		refuse(a, 400, "client gone");
	else if ((rc = http_read_body(in, r, (size_t)max)) != 0)
		refuse(a, rc, r->why);
	else
		accept_req(p, r, a);
}

/* The answer; to HEAD without the body, which GET would have sent. */
static int
respond(const struct answer *a)
{
	char hdrs[256];

	snprintf(hdrs, sizeof(hdrs), "%s%s%s", a->allow ? "Allow: " : "",
	    a->allow ? a->allow : "", a->allow ? "\r\n" : "");
	return conn_respond(a->status, a->ctype, hdrs, a->body.p, a->body.len,
	    a->head);
}

/*
 * status method path event bytes time peer start[: reason], one line per
 * request: to syslog, or to stderr with one write(2) so that the lines of
 * concurrent requests never interleave.
 */
static void
logline(const struct http_req *r, const struct answer *a,
    const struct timespec *t0)
{
	char ev[96], path[160], at[64], line[768];
	int n;

	conn_clean(ev, sizeof(ev), a->event[0] != '\0' ? a->event : "-");
	conn_clean(path, sizeof(path), r->path != NULL ? r->path : "-");
	conf_rfc3339(at, sizeof(at), started.tv_sec, (long)started.tv_usec);
	n = snprintf(line, sizeof(line), "co-receive: %d %s %s %s %zuB %ldms "
	    "%s %s%s%s\n", a->status, r->method[0] != '\0' ? r->method : "-",
	    path, ev, r->bodylen, conn_ms_since(t0),
	    conn.remote[0] != '\0' ? conn.remote : "-", at,
	    a->why != NULL ? ": " : "", a->why != NULL ? a->why : "");
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (n > 0)
		conn_log(a->status, line, (size_t)n);
}

static const char help[] =
	    "usage: co-receive [-l stderr|syslog] [-m bytes] [-s spool] [-t seconds]\n"
	    "Answer one webhook HTTP request on stdin/stdout and spool"
	    " it crash-safely.\n"
	    "  -l stderr|syslog\n"
	    "              where to log (default: syslog when stderr is a socket)\n"
	    "  -m bytes    the largest body accepted, 0 to 1073741824\n"
	    "  -s spool    the spool root (default CO_SPOOL,"
	    " /var/spool/call-outcomes)\n"
	    "  -t seconds  the deadline for the whole request, 1 to 3600"
	    " (default 10)\n"
	    "  --help      this help\n"
	    "  --version   the version\n";

int
main(int argc, char *argv[])
{
	static struct http_in in;
	struct http_req req;
	struct answer a;
	struct timespec t0;
	const char *sflag = NULL, *lflag = NULL, *mopt = NULL, *topt = NULL;
	long long tflag = 10;
	int ch, bad = 0;

	cli_std(argc, argv, help);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gettimeofday(&started, NULL);
	opterr = 0;			/* said after log_init, not on fd 2 */
	while ((ch = getopt(argc, argv, "l:m:s:t:")) != -1) {
		switch (ch) {
		case 'l':
			lflag = optarg;
			break;
		case 'm':
			mopt = optarg;
			break;
		case 's':
			sflag = optarg;
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
	if (optind != argc)
		usage();
	if (mopt != NULL)
		mflag = conf_num(mopt, 0, 1LL << 30, "body limit");
	if (topt != NULL)
		tflag = conf_num(topt, 1, 3600, "timeout");
	spool = conf_spool(sflag);
	/*
	 * A process per request, and no OpenSSL initialisation: the signature
	 * schemes use SHA256_* and SHA1_* alone (crypto.c), which need no
	 * provider, no config file and no error strings.
	 */
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)tflag + 60);	/* backstop: never hang */
	conn_start(&conn, tflag);
	memset(&a, 0, sizeof(a));
	a.ctype = "application/json";
	http_init(&in, conn_read, &conn);
	serve(&in, &req, &a);
	if (respond(&a) == -1) {
		a.why = "answer not sent";
		a.exit = diag_worse(a.exit, EX_IOERR);
	}
	logline(&req, &a, &t0);
	if (a.exit != EX_IOERR && a.status >= 300)
		conn_linger();
	http_free(&req);
	buf_free(&a.body);
	verify_free(&ver);
	return a.exit;
}
