/*
 * conn.c - the connection of a one-request-per-process HTTP tool.
 * Rule: nothing here writes to the connection; the tool does, once.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "conn.h"
#include "http.h"
#include "spool.h"

extern const char *__progname;
static int use_syslog;		/* log through syslog(3), not fd 2 */

static void	to_syslog(void);

/*
 * The client's address: the socket on fd 0 (inetd, systemd, xinetd,
 * tcpserver), else what the launcher says (socat, tcpserver, systemd).
 */
static void
peer(char *remote, size_t sz)
{
	static const char *vars[] = { "SOCAT_PEERADDR", "TCPREMOTEIP",
	    "REMOTE_ADDR", NULL };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const char *v;
	size_t i;

	if (getpeername(STDIN_FILENO, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    getnameinfo((struct sockaddr *)&ss, len, remote, sz, NULL, 0,
	    NI_NUMERICHOST) == 0) {
		if (strncmp(remote, "::ffff:", 7) == 0 &&
		    strchr(remote + 7, '.') != NULL)
			memmove(remote, remote + 7, strlen(remote + 7) + 1);
		return;
	}
	remote[0] = '\0';
	for (i = 0; vars[i] != NULL; i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			break;
	if (vars[i] == NULL || strlen(v) >= sz ||
	    strspn(v, "0123456789abcdefABCDEF:.[]%") != strlen(v))
		return;
	strcpy(remote, v);
}

/* The request starts now and may take secs seconds in all. */
void
conn_start(struct conn *c, long long secs)
{
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->deadline = c->t0;
	c->deadline.tv_sec += secs;
	peer(c->remote, sizeof(c->remote));
}

long
conn_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

long
conn_ms_left(const struct conn *c)
{
	return -conn_ms_since(&c->deadline);
}

/*
 * http_in's byte source (arg: the struct conn): standard input, until
 * the deadline; ETIMEDOUT after it.
 */
ssize_t
conn_read(void *arg, void *buf, size_t sz)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	long ms;
	ssize_t n;

	for (;;) {
		if ((ms = conn_ms_left(arg)) <= 0) {
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

/* Bytes of the answer the kernel still holds, or 0 when it cannot say. */
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
 * After an answer sent before the whole request was read: close our
 * side, then read and drop what the client still sends (up to
 * CONN_LINGER_MS), so that its unread bytes do not make the kernel reset
 * the connection before the client has read the answer.
 */
void
conn_linger(void)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	struct timespec t0;
	char buf[16384];
	int eof = 0;

	if (shutdown(STDOUT_FILENO, SHUT_WR) == -1)
		return;			/* not a socket: nothing to reset */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (conn_ms_since(&t0) < CONN_LINGER_MS && (!eof || unread() > 0)) {
		if (eof || poll(&pfd, 1, 10) != 1)
			usleep(eof ? 2000 : 0);
		else if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			eof = 1;
	}
}

/* s for a log line: printable ASCII without spaces, the rest as '?'. */
void
conn_clean(char *buf, size_t sz, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sz; i++)
		buf[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

/* stderr's stream in syslog mode: each line, less "PROG: ", one message. */
static ssize_t
log_write(void *arg, const char *buf, size_t n)
{
	static char line[1024];
	static size_t len;
	size_t i, pre = strlen(__progname);
	const char *msg;

	(void)arg;
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n' && len + 1 < sizeof(line)) {
			line[len++] = buf[i];
			continue;
		}
		line[len] = '\0';
		msg = strncmp(line, __progname, pre) == 0 &&
		    strncmp(line + pre, ": ", 2) == 0 ? line + pre + 2 : line;
		if (*msg != '\0')
			syslog(LOG_ERR, "%s", msg);
		len = 0;
		if (buf[i] != '\n')
			line[len++] = buf[i];
	}
	return (ssize_t)n;
}

/*
 * Where diagnostics go: syslog(3) with -l syslog, or by default when
 * standard error is a socket (inetd and xinetd hand the connection over
 * as fds 0, 1 and 2), so that nothing but the answer reaches the client.
 * Then fd 2 is /dev/null and stderr a stream into syslog.  Option errors
 * (-l other than stderr or syslog; badopt, getopt's optopt with opterr 0)
 * are said only then, where the logs go: -1 after saying one.
 */
int
conn_log_init(const char *lflag, int badopt)
{
	struct stat st;

	if (lflag == NULL)
		use_syslog = fstat(STDERR_FILENO, &st) == 0 &&
		    S_ISSOCK(st.st_mode);
	else if (strcmp(lflag, "syslog") == 0)
		use_syslog = 1;
	else if (strcmp(lflag, "stderr") != 0) {
		warnx("-l: want stderr or syslog");
		return -1;
	}
	if (use_syslog)
		to_syslog();
	if (badopt != 0) {
		warnx("unknown option or missing argument: -%c", badopt);
		return -1;
	}
	return 0;
}

/* stderr becomes a stream into syslog(3), fd 2 /dev/null. */
static void
to_syslog(void)
{
	static const cookie_io_functions_t io = { NULL, log_write, NULL, NULL };
	FILE *fp;
	int fd;

	openlog(__progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if ((fp = fopencookie(NULL, "w", io)) == NULL)
		err(EX_OSERR, "fopencookie");
	setvbuf(fp, NULL, _IOLBF, 0);
	stderr = fp;
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1 &&
	    fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* The request's log line ("PROG: ...\n", n bytes), where logs go. */
void
conn_log(int status, char *line, size_t n)
{
	size_t pre = strlen(__progname) + 2;

	if (n == 0)
		return;
	if (use_syslog) {
		line[n - 1] = '\0';
		syslog(status >= 500 ? LOG_ERR : LOG_INFO, "%s",
		    n > pre ? line + pre : line);
	} else if (write(STDERR_FILENO, line, n) == -1)
		return;		/* nowhere left to say it */
}

int
conn_respond(int status, const char *ctype, const char *hdrs,
    const char *body, size_t len, int head)
{
	struct buf h = { NULL, 0, 0 };
	char line[256], date[64];
	struct tm tm;
	time_t now;
	int rc;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n", status,
	    http_reason(status), date, ctype, len);
	buf_str(&h, line);
	buf_str(&h, hdrs);
	buf_str(&h, "Connection: close\r\n\r\n");
	if (!head)
		buf_add(&h, body, len);
	rc = spool_write_all(STDOUT_FILENO, h.p, h.len);
	buf_free(&h);
	return rc;
}
