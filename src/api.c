/*
 * api.c - the ElevenLabs API over libcurl: requests run side by side on
 * one multi handle; an attempt that gets 408, 429 or 5xx, or fails in
 * transport before the request was sent (or at all, for a GET), is tried
 * again after a backoff (Retry-After when the server gives one).
 * Rule: a POST whose request may have reached the server is never sent a
 * second time after a transport error: it could place a second call.
 */
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "api.h"
#include "conf.h"
#include "diag.h"
#include "json.h"

#define API_MAXBODY	(16 * 1024 * 1024)	/* longest response kept */

extern const char *__progname;

static long long now_ms(void);
static size_t	 on_data(char *, size_t, size_t, void *);
static int	 setup(struct api *, struct api_req *, const char *,
		    const char *, const char *);
static int	 retryable(const struct api_req *, CURLcode);
static long long backoff(const struct api_req *);
static void	 set_reason(struct api_req *, CURLcode, long long);
static void	 finish(struct api *, struct api_req *, CURLcode);
static void	 start_due(struct api *);
static long	 poll_wait(const struct api *);
static void	 push(struct api_req **, struct api_req *);
static void	 blank_key(const struct api *, char *);
static void	 copy_line(char *, size_t, const char *);
static jv	 message_of(jv);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
api_init(struct api *a, long timeout, int retries)
{
	const char *base;
	size_t n;

	memset(a, 0, sizeof(*a));
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		warnx("curl_global_init failed");
		return EX_SOFTWARE;
	}
	if ((a->key = conf_secret("ELEVENLABS_API_KEY")) == NULL) {
		warnx("no api key: set ELEVENLABS_API_KEY");
		return EX_UNAVAILABLE;
	}
	if (strpbrk(a->key, "\r\n") != NULL) {
		warnx("ELEVENLABS_API_KEY holds a line break");
		return EX_UNAVAILABLE;
	}
	if ((base = getenv("ELEVENLABS_API_BASE")) == NULL || *base == '\0')
		base = API_BASE;
	if (strncmp(base, "https://", 8) != 0 &&
	    strncmp(base, "http://", 7) != 0) {
		warnx("ELEVENLABS_API_BASE is not an http or https URL");
		return EX_UNAVAILABLE;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((a->base = strndup(base, n)) == NULL ||
	    (a->multi = curl_multi_init()) == NULL)
		err(EX_OSERR, "api_init");
	a->timeout = timeout;
	a->retries = retries;
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	return 0;
}

void
api_free(struct api *a)
{
	struct api_req *r;

	while ((r = a->waiting) != NULL) {
		a->waiting = r->next;
		api_req_free(r);
	}
	while ((r = a->done) != NULL) {
		a->done = r->next;
		api_req_free(r);
	}
	if (a->multi != NULL)
		curl_multi_cleanup(a->multi);
	free(a->base);
	conf_free(a->key);
	curl_global_cleanup();
	memset(a, 0, sizeof(*a));
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct api_req *r = arg;
	size_t len = size * n;

	if (r->body.len + len > API_MAXBODY)
		return 0;	/* CURLE_WRITE_ERROR */
	buf_add(&r->body, p, len);
	return len;
}

/* The easy handle of one request; the key is copied into one header. */
static int
setup(struct api *a, struct api_req *r, const char *method, const char *path,
    const char *body)
{
	char hdr[1024], url[2048];
	CURL *h = r->h;
	int n;

	n = snprintf(hdr, sizeof(hdr), "xi-api-key: %s", a->key);
	if (n < 0 || (size_t)n >= sizeof(hdr) ||
	    (size_t)snprintf(url, sizeof(url), "%s%s", a->base, path) >=
	    sizeof(url)) {
		explicit_bzero(hdr, sizeof(hdr));
		return -1;
	}
	r->hdrs = curl_slist_append(r->hdrs, hdr);
	explicit_bzero(hdr, sizeof(hdr));
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (body != NULL)
		r->hdrs = curl_slist_append(r->hdrs,
		    "Content-Type: application/json");
	if (r->hdrs == NULL)
		return -1;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, __progname);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, a->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, a->timeout < 10 ?
	    a->timeout : 10L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	if (body != NULL) {
		if ((r->post = strdup(body)) == NULL)
			return -1;
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	return 0;
}

struct api_req *
api_start(struct api *a, const char *method, const char *path,
    const char *body, void *arg)
{
	struct api_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->h = curl_easy_init()) == NULL)
		err(EX_OSERR, "api_start");
	r->api = a;
	r->arg = arg;
	if (setup(a, r, method, path, body) == -1)
		err(EX_OSERR, "api_start");
	if (curl_multi_add_handle(a->multi, r->h) != CURLM_OK)
		errx(EX_SOFTWARE, "curl_multi_add_handle failed");
	a->active++;
	a->busy++;
	return r;
}

void
api_req_free(struct api_req *r)
{
	if (r == NULL)
		return;
	curl_easy_cleanup(r->h);
	curl_slist_free_all(r->hdrs);	/* holds the key: curl frees it */
	free(r->post);
	buf_free(&r->body);
	free(r);
}

/*
 * Worth another attempt?  408, 429, 5xx; a transport error when nothing of
 * the request was sent, or for a GET, which is safe to repeat.
 */
static int
retryable(const struct api_req *r, CURLcode rc)
{
	long sent = 0;

	if (r->attempts > r->api->retries)
		return 0;
	if (rc == CURLE_OK)
		return r->status == 408 || r->status == 429 ||
		    r->status >= 500;
	if (r->post == NULL)
		return 1;
	curl_easy_getinfo(r->h, CURLINFO_REQUEST_SIZE, &sent);
	return sent == 0;
}

/* Milliseconds to wait: Retry-After, else exponential with jitter. */
static long long
backoff(const struct api_req *r)
{
	curl_off_t ra = 0;
	long long d;

	if (curl_easy_getinfo(r->h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		return ra > API_MAXWAIT ? -1 : (long long)ra * 1000;
	d = API_BACKOFF;
	if (r->attempts > 1)
		d <<= r->attempts - 1 < 16 ? r->attempts - 1 : 16;
	if (d > API_MAXBACKOFF)
		d = API_MAXBACKOFF;
	return d + random() % (d / 4 + 1);
}

static void
set_reason(struct api_req *r, CURLcode rc, long long wait)
{
	char msg[API_REASON + 1];
	const char *e;

	if (rc != CURLE_OK) {
		snprintf(msg, sizeof(msg), "timeout after %ld s",
		    r->api->timeout);
		e = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
		copy_line(r->reason, sizeof(r->reason), r->timedout ? msg : e);
		blank_key(r->api, r->reason);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		r->reason[0] = '\0';
		return;
	}
	api_message(r->api, r->body.p, r->body.len, msg, sizeof(msg));
	snprintf(r->reason, sizeof(r->reason), "HTTP %ld%s%.*s%s", r->status,
	    msg[0] ? ": " : "", API_REASON - 40, msg,
	    wait < 0 ? " (Retry-After too long)" : "");
}

/* One attempt is over: back off and retry, or hand the request back. */
static void
finish(struct api *a, struct api_req *r, CURLcode rc)
{
	long long wait = 0;

	curl_multi_remove_handle(a->multi, r->h);
	a->active--;
	r->attempts++;
	r->status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->status);
	r->timedout = rc == CURLE_OPERATION_TIMEDOUT;
	if (retryable(r, rc) && (wait = backoff(r)) >= 0) {
		r->due = now_ms() + wait;
		r->body.len = 0;
		if (r->body.p != NULL)
			r->body.p[0] = '\0';
		r->errbuf[0] = '\0';
		push(&a->waiting, r);
		return;
	}
	set_reason(r, rc, wait);
	push(&a->done, r);
}

static void
push(struct api_req **list, struct api_req *r)
{
	r->next = *list;
	*list = r;
}

/* Put the requests whose backoff is over back on the wire. */
static void
start_due(struct api *a)
{
	struct api_req **pp, *r;
	long long now = now_ms();

	for (pp = &a->waiting; (r = *pp) != NULL;) {
		if (r->due > now) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = NULL;
		if (curl_multi_add_handle(a->multi, r->h) != CURLM_OK)
			errx(EX_SOFTWARE, "curl_multi_add_handle failed");
		a->active++;
	}
}

/* How long to poll: until the next retry is due, at most a second. */
static long
poll_wait(const struct api *a)
{
	const struct api_req *r;
	long long now = now_ms(), w = 1000;

	for (r = a->waiting; r != NULL; r = r->next)
		if (r->due - now < w)
			w = r->due - now;
	return w < 0 ? 0 : (long)w;
}

struct api_req *
api_next(struct api *a)
{
	struct api_req *r;
	CURLMsg *m;
	int running, left;

	for (;;) {
		if ((r = a->done) != NULL) {
			a->done = r->next;
			r->next = NULL;
			a->busy--;
			return r;
		}
		if (a->busy == 0)
			return NULL;
		start_due(a);
		if (curl_multi_perform(a->multi, &running) != CURLM_OK)
			errx(EX_SOFTWARE, "curl_multi_perform failed");
		while ((m = curl_multi_info_read(a->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&r);
			finish(a, r, m->data.result);
		}
		if (a->done == NULL && curl_multi_poll(a->multi, NULL, 0,
		    (int)poll_wait(a), NULL) != CURLM_OK)
			errx(EX_SOFTWARE, "curl_multi_poll failed");
	}
}

/* Overwrite every copy of the key in s (it could echo it back). */
static void
blank_key(const struct api *a, char *s)
{
	size_t n = strlen(a->key);
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(s, a->key)) != NULL)
		memset(p, '*', n);
}

/* Copy src as one line: control bytes become spaces, cut at a UTF-8 edge. */
static void
copy_line(char *dst, size_t sz, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < sz && src[i] != '\0'; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    ' ' : src[i];
	if (src[i] != '\0')
		while (i > 0 && ((unsigned char)src[i] & 0xc0) == 0x80)
			i--;	/* src[i] continues the sequence being cut */
	dst[i] = '\0';
}

/* The message member of an error body, as a string, or invalid. */
static jv
message_of(jv o)
{
	jv d, m;

	d = json_get(o, "detail");
	if (jv_get_kind(d) == JV_KIND_ARRAY && jv_array_length(jv_copy(d)) > 0)
		d = jv_array_get(d, 0);
	if (jv_get_kind(d) == JV_KIND_STRING) {
		jv_free(o);
		return d;
	}
	if (jv_get_kind(d) == JV_KIND_OBJECT) {
		m = json_get(d, "message");
		if (jv_get_kind(m) != JV_KIND_STRING) {
			jv_free(m);
			m = json_get(d, "msg");
		}
		jv_free(d);
	} else {
		jv_free(d);
		m = json_get(o, "message");
	}
	jv_free(o);
	if (jv_get_kind(m) == JV_KIND_STRING)
		return m;
	jv_free(m);
	return jv_invalid();
}

void
api_message(const struct api *a, const char *body, size_t len, char *buf,
    size_t sz)
{
	char *s;
	jv o, m;

	buf[0] = '\0';
	if (body == NULL || len == 0)
		return;
	o = jv_parse_sized(body, (int)len);	/* body is NUL-terminated */
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		return;
	}
	m = message_of(o);
	if (!jv_is_valid(m)) {
		jv_free(m);
		return;
	}
	if ((s = strdup(jv_string_value(m))) == NULL)
		err(EX_OSERR, "strdup");
	jv_free(m);
	blank_key(a, s);
	copy_line(buf, sz, s);
	free(s);
}

char *
api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out, *p;
	unsigned char c;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		err(EX_OSERR, "malloc");
	for (p = out; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '%';
		*p++ = hex[c >> 4];
		*p++ = hex[c & 15];
	}
	*p = '\0';
	return out;
}
