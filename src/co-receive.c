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
#include <sys/time.h>

#include <arpa/inet.h>
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

#include "cli.h"
#include "conf.h"
#include "diag.h"
#include "http.h"
#include "spool.h"
#include "verify.h"

#define MAX_BODY	(1LL << 20)	/* -m default */
#define MAX_BODY_EL	(16LL << 20)	/* ElevenLabs default: audio */
#define LINGER_MS	1000		/* draining input after an error */

struct route {
	const char *path;
	const char *method;
	const char *source;		/* NULL: the health route */
	long long max;
};

/* What is sent back and logged. */
struct answer {
	int	 status;
	int	 exit;
	const char *ctype;
	const char *allow;
	const char *why;		/* logged, never a secret */
	char	 event[256];
	struct http_buf body;
};

static const struct route routes[] = {
	{ "/api/webhooks/call_completed", "POST", "livekit", MAX_BODY },
	{ "/webhooks/livekit", "POST", "livekit", MAX_BODY },
	{ "/api/webhooks/elevenlabs", "POST", "elevenlabs", MAX_BODY_EL },
	{ "/webhooks/elevenlabs", "POST", "elevenlabs", MAX_BODY_EL },
	{ "/webhooks/twilio", "POST", "twilio", MAX_BODY },
	{ "/api/webhooks/call_completed/health", "GET", NULL, 0 },
	{ "/healthz", "GET", NULL, 0 },
};

static long long mflag = -1;		/* -m: body limit on every route */
static const char *spool;
static struct timespec deadline;
static char remote[64];

static void	usage(void);
static long	ms_left(void);
static long	ms_since(const struct timespec *);
static ssize_t	fd_read(void *, void *, size_t);
static void	peer(void);
static void	refuse(struct answer *, int, const char *);
static void	copy_id(char *, size_t, const char *, size_t);
static int	form_value(const struct http_req *, const char *, char *,
		    size_t);
static jv	member(jv, const char *, const char *);
static void	accepted(const char *, struct answer *);
static void	clean(char *, size_t, const char *);
static const struct route *route(const struct http_req *, struct answer *);
static void	health(struct answer *);
static int	check_sig(const char *, const struct http_buf *,
		    struct answer *);
static void	event_id(const char *, const struct http_req *, jv, char *,
		    size_t);
static int	check_body(const char *, const struct http_req *,
		    struct answer *);
static void	accept_req(const char *, struct http_req *, struct answer *);
static void	serve(struct http_in *, struct http_req *, struct answer *);
static int	respond(const struct answer *);
static int	unread(void);
static void	linger(void);
static void	logline(const struct http_req *, const struct answer *,
		    const struct timespec *);

static void
usage(void)
{
	fprintf(stderr, "usage: co-receive [-m bytes] [-s spool] "
	    "[-t seconds]\n");
	exit(EX_USAGE);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static long
ms_left(void)
{
	return -ms_since(&deadline);
}

/* The request source: standard input, until the deadline. */
static ssize_t
fd_read(void *arg, void *buf, size_t sz)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	long ms;
	ssize_t n;

	(void)arg;
	for (;;) {
		if ((ms = ms_left()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((n = poll(&pfd, 1, (int)ms)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if ((n = read(STDIN_FILENO, buf, sz)) == -1 &&
		    (errno == EINTR || errno == EAGAIN))
			continue;
		return n;
	}
}

/*
 * The client's address: the socket on fd 0 (inetd, systemd, xinetd,
 * tcpserver), else what the launcher says (socat, tcpserver, systemd).
 */
static void
peer(void)
{
	static const char *vars[] = { "SOCAT_PEERADDR", "TCPREMOTEIP",
	    "REMOTE_ADDR", NULL };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const char *v;
	size_t i;

	if (getpeername(STDIN_FILENO, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    getnameinfo((struct sockaddr *)&ss, len, remote, sizeof(remote),
	    NULL, 0, NI_NUMERICHOST) == 0) {
		if (strncmp(remote, "::ffff:", 7) == 0 &&
		    strchr(remote + 7, '.') != NULL)
			memmove(remote, remote + 7, strlen(remote + 7) + 1);
		return;
	}
	remote[0] = '\0';
	for (i = 0; vars[i] != NULL; i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			break;
	if (vars[i] == NULL || strlen(v) >= sizeof(remote) ||
	    strspn(v, "0123456789abcdefABCDEF:.[]%") != strlen(v))
		return;
	strcpy(remote, v);
}

static void
refuse(struct answer *a, int status, const char *why)
{
	a->status = status;
	a->why = why;
	a->body.len = 0;
	http_buf_str(&a->body, "{\"status\":\"error\",\"error\":");
	http_buf_json(&a->body, why, strlen(why));
	http_buf_str(&a->body, "}");
	if (status == 503)
		a->exit = diag_worse(a->exit, EX_TEMPFAIL);
	else if (status == 500)
		a->exit = diag_worse(a->exit, EX_SOFTWARE);
	else
		a->exit = diag_worse(a->exit, EX_DATAERR);
}

/* The route for the request, or NULL after a 404 or 405. */
static const struct route *
route(const struct http_req *r, struct answer *a)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(r->path, routes[i].path) != 0)
			continue;
		if (strcmp(r->method, routes[i].method) == 0)
			return &routes[i];
		a->allow = routes[i].method;
		refuse(a, 405, "method not allowed");
		return NULL;
	}
	refuse(a, 404, "no such route");
	return NULL;
}

/* Spool writable and which secrets are set; never their values. */
static void
health(struct answer *a)
{
	static const char *src[] = { "livekit", "elevenlabs", "twilio" };
	struct verifier v;
	int ok, i;

	ok = spool_writable(spool) ||
	    (spool_init(spool) == 0 && spool_writable(spool));
	(void)verify_init(&v);
	http_buf_str(&a->body, ok ? "{\"status\":\"healthy\"" :
	    "{\"status\":\"unhealthy\"");
	http_buf_str(&a->body, ok ? ",\"spool_writable\":true" :
	    ",\"spool_writable\":false");
	http_buf_str(&a->body, ",\"webhook_secret_configured\":{");
	for (i = 0; i < 3; i++) {
		http_buf_str(&a->body, i > 0 ? ",\"" : "\"");
		http_buf_str(&a->body, src[i]);
		http_buf_str(&a->body, verify_configured(&v, src[i]) ?
		    "\":true" : "\":false");
	}
	http_buf_str(&a->body, "}}");
	verify_free(&v);
	a->status = ok ? 200 : 503;
	if (!ok) {
		a->why = "spool not writable";
		a->exit = EX_TEMPFAIL;
	}
}

/*
 * The edge check: with a secret for the scheme, a request that does not
 * verify (or that only a scheme without a secret could) is 401.
 */
static int
check_sig(const char *source, const struct http_buf *env, struct answer *a)
{
	static char why[256];
	struct verifier v;
	jv e;
	int rc;

	if (verify_init(&v) == -1) {
		verify_free(&v);
		refuse(a, 503, "signature configuration unusable");
		a->exit = EX_UNAVAILABLE;
		return -1;
	}
	if (!verify_configured(&v, source)) {
		a->why = v.tw_token != NULL && strcmp(source, "twilio") == 0 ?
		    "signature not checked: CO_PUBLIC_URL not set" :
		    "signature not checked: no secret set";
		verify_free(&v);
		return 0;
	}
	e = jv_parse_sized(env->p, (int)env->len);
	rc = verify_envelope(&v, e, why, sizeof(why));
	jv_free(e);
	verify_free(&v);
	if (rc == 0)
		return 0;
	refuse(a, 401, "signature verification failed");
	a->why = why;
	return -1;
}

/* s[0..n) into buf, cut at a character boundary when too long. */
static void
copy_id(char *buf, size_t sz, const char *s, size_t n)
{
	if (n >= sz) {
		n = sz - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* The form field name (application/x-www-form-urlencoded), decoded. */
static int
form_value(const struct http_req *r, const char *name, char *buf, size_t sz)
{
	const char *p = r->body, *e = r->body + r->bodylen;
	size_t nlen = strlen(name), n = 0;
	unsigned int c;

	for (; p < e; p++) {
		if ((p == r->body || p[-1] == '&') && (size_t)(e - p) > nlen &&
		    strncmp(p, name, nlen) == 0 && p[nlen] == '=')
			break;
	}
	if (p >= e)
		return 0;
	for (p += nlen + 1; p < e && *p != '&' && n + 1 < sz; p++) {
		if (*p == '%' && e - p > 2 && sscanf(p + 1, "%2x", &c) == 1) {
			buf[n++] = (char)c;
			p += 2;
		} else
			buf[n++] = *p == '+' ? ' ' : *p;
	}
	buf[n] = '\0';
	return 1;
}

/* obj.k1 or obj.k1.k2; consumes nothing. */
static jv
member(jv obj, const char *k1, const char *k2)
{
	jv v;

	v = jv_object_get(jv_copy(obj), jv_string(k1));
	if (k2 == NULL)
		return v;
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return jv_object_get(v, jv_string(k2));
}

/*
 * The event id of SPEC section 6: LiveKit id, ElevenLabs
 * type:conversation_id, Twilio CallSid:CallStatus.  Empty when the body
 * has none; the body is spooled all the same.  Consumes body.
 */
static void
event_id(const char *source, const struct http_req *r, jv body, char *buf,
    size_t sz)
{
	char id[512], sid[128], st[64];
	jv a, b;

	buf[0] = id[0] = '\0';
	if (jv_get_kind(body) != JV_KIND_OBJECT) {	/* a Twilio form */
		if (form_value(r, "CallSid", sid, sizeof(sid)) &&
		    form_value(r, "CallStatus", st, sizeof(st)))
			snprintf(id, sizeof(id), "%s:%s", sid, st);
	} else {
		if (strcmp(source, "livekit") == 0) {
			a = member(body, "id", NULL);
			b = jv_invalid();
		} else if (strcmp(source, "elevenlabs") == 0) {
			a = member(body, "type", NULL);
			b = member(body, "data", "conversation_id");
		} else {
			a = member(body, "CallSid", NULL);
			b = member(body, "CallStatus", NULL);
		}
		if (jv_get_kind(a) == JV_KIND_STRING &&
		    jv_get_kind(b) == JV_KIND_STRING)
			snprintf(id, sizeof(id), "%s:%s", jv_string_value(a),
			    jv_string_value(b));
		else if (jv_get_kind(a) == JV_KIND_STRING &&
		    strcmp(source, "livekit") == 0)
			snprintf(id, sizeof(id), "%s", jv_string_value(a));
		jv_free(a);
		jv_free(b);
	}
	jv_free(body);
	copy_id(buf, sz, id, strlen(id));
}

/* LiveKit and ElevenLabs bodies are JSON objects; Twilio's are forms. */
static int
check_body(const char *source, const struct http_req *r, struct answer *a)
{
	jv body = jv_invalid();

	if (strcmp(source, "twilio") != 0 ||
	    (r->bodylen > 0 && r->body[0] == '{')) {
		body = jv_parse_sized(r->body, (int)r->bodylen);
		if (jv_get_kind(body) != JV_KIND_OBJECT &&
		    strcmp(source, "twilio") != 0) {
			jv_free(body);
			refuse(a, 400, "body is not a JSON object");
			return -1;
		}
	}
	event_id(source, r, body, a->event, sizeof(a->event));
	return 0;
}

static void
accepted(const char *source, struct answer *a)
{
	a->status = 200;
	if (strcmp(source, "twilio") == 0) {
		a->ctype = "text/xml";
		http_buf_str(&a->body, "<?xml version=\"1.0\" "
		    "encoding=\"UTF-8\"?><Response/>");
		return;
	}
	http_buf_str(&a->body, "{\"status\":\"accepted\",\"event_id\":");
	if (a->event[0] != '\0')
		http_buf_json(&a->body, a->event, strlen(a->event));
	else
		http_buf_str(&a->body, "null");
	http_buf_str(&a->body, "}");
}

/* A complete request on a webhook route: check, spool, accept. */
static void
accept_req(const char *source, struct http_req *r, struct answer *a)
{
	static char why[128];
	struct http_buf env = { NULL, 0, 0 };
	struct timeval tv;
	char at[64], name[SPOOL_NAMELEN];
	const char *now;

	if (!http_utf8(r->body, r->bodylen)) {
		refuse(a, 400, "body is not UTF-8");
		return;
	}
	gettimeofday(&tv, NULL);
	if ((now = getenv("CO_NOW")) != NULL && *now != '\0')
		tv.tv_sec = conf_now();
	conf_rfc3339(at, sizeof(at), tv.tv_sec, (long)tv.tv_usec);
	http_envelope(&env, r, source, remote, at);
	if (check_sig(source, &env, a) == 0 && check_body(source, r, a) == 0) {
		if (spool_write(spool, &tv, env.p, env.len, name,
		    sizeof(name)) == -1 && (errno != ENOENT ||
		    spool_init(spool) == -1 || spool_write(spool, &tv, env.p,
		    env.len, name, sizeof(name)) == -1)) {
			snprintf(why, sizeof(why), "spool %s: %s", spool,
			    strerror(errno));
			refuse(a, 503, why);
		} else
			accepted(source, a);
	}
	http_buf_free(&env);
}

static void
serve(struct http_in *in, struct http_req *r, struct answer *a)
{
	const struct route *rt;
	long long max;
	int rc;

	if ((rc = http_read_head(in, r)) != 0) {
		refuse(a, rc, r->why);
		return;
	}
	if ((rt = route(r, a)) == NULL)
		return;
	if (rt->source == NULL) {
		health(a);
		return;
	}
	max = mflag >= 0 ? mflag : rt->max;
	if (!r->chunked && r->clen < 0)
		refuse(a, 411, "no Content-Length");
	else if (!r->chunked && r->clen > max)
		refuse(a, 413, "body over the limit");
	else if (r->expect && spool_write_all(STDOUT_FILENO,
	    "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
		refuse(a, 400, "client gone");
	else if ((rc = http_read_body(in, r, (size_t)max)) != 0)
		refuse(a, rc, r->why);
	else
		accept_req(rt->source, r, a);
}

static int
respond(const struct answer *a)
{
	struct http_buf h = { NULL, 0, 0 };
	char line[512], date[64];
	struct tm tm;
	time_t now;
	int rc;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s%s%s"
	    "Connection: close\r\n\r\n", a->status, http_reason(a->status),
	    date, a->ctype, a->body.len, a->allow ? "Allow: " : "",
	    a->allow ? a->allow : "", a->allow ? "\r\n" : "");
	http_buf_str(&h, line);
	http_buf_add(&h, a->body.p, a->body.len);
	rc = spool_write_all(STDOUT_FILENO, h.p, h.len);
	http_buf_free(&h);
	return rc;
}

/* Bytes written to fd 1 that the other end has not taken yet. */
static int
unread(void)
{
#ifdef TIOCOUTQ
	int n;

	if (ioctl(STDOUT_FILENO, TIOCOUTQ, &n) == 0)
		return n;
#endif
	return 0;
}

/*
 * After an error, keep reading until the other end has taken the answer
 * and closed, for a moment at most: a client still sending would otherwise
 * get a reset before it reads the answer, and socat drops what it has not
 * read yet from a child that exits with a status other than 0.
 */
static void
linger(void)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	struct timespec t0;
	char buf[16384];
	int eof = 0;

	if (shutdown(STDOUT_FILENO, SHUT_WR) == -1)
		return;			/* not a socket: nothing to reset */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < LINGER_MS && (!eof || unread() > 0)) {
		if (eof || poll(&pfd, 1, 10) != 1)
			usleep(eof ? 2000 : 0);
		else if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			eof = 1;
	}
}

/* s as printable ASCII, for the log. */
static void
clean(char *buf, size_t sz, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sz; i++)
		buf[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

/*
 * status method path event bytes time remote[: reason], written with one
 * write(2) so that the lines of concurrent requests never interleave.
 */
static void
logline(const struct http_req *r, const struct answer *a,
    const struct timespec *t0)
{
	char ev[96], path[160], line[512];
	int n;

	clean(ev, sizeof(ev), a->event[0] != '\0' ? a->event : "-");
	clean(path, sizeof(path), r->path != NULL ? r->path : "-");
	n = snprintf(line, sizeof(line), "co-receive: %d %s %s %s %zuB %ldms "
	    "%s%s%s\n", a->status, r->method[0] != '\0' ? r->method : "-",
	    path, ev, r->bodylen, ms_since(t0),
	    remote[0] != '\0' ? remote : "-", a->why != NULL ? ": " : "",
	    a->why != NULL ? a->why : "");
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) == -1)
		return;		/* nowhere left to say it */
}

static const char help[] =
	    "usage: co-receive [-m bytes] [-s spool] [-t seconds]\n"
	    "Answer one webhook HTTP request on stdin/stdout and spool"
	    " it crash-safely.\n"
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
	const char *sflag = NULL;
	long long tflag = 10;
	int ch;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "m:s:t:")) != -1) {
		switch (ch) {
		case 'm':
			mflag = conf_num(optarg, 0, 1LL << 30, "body limit");
			break;
		case 's':
			sflag = optarg;
			break;
		case 't':
			tflag = conf_num(optarg, 1, 3600, "timeout");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	spool = conf_spool(sflag);
	/*
	 * A process per request: OpenSSL's default start (every cipher's
	 * name, the config file) costs more than the request.  HMAC and
	 * SHA-256 from the default provider need none of it.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)tflag + 60);	/* backstop: never hang */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = t0;
	deadline.tv_sec += tflag;
	peer();
	memset(&a, 0, sizeof(a));
	a.ctype = "application/json";
	http_init(&in, fd_read, NULL);
	serve(&in, &req, &a);
	if (respond(&a) == -1) {
		a.why = "answer not sent";
		a.exit = diag_worse(a.exit, EX_IOERR);
	}
	logline(&req, &a, &t0);
	if (a.exit != EX_IOERR && a.status >= 300)
		linger();
	http_free(&req);
	http_buf_free(&a.body);
	return a.exit;
}
