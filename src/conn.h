/*
 * conn.h - the connection of a one-request-per-process HTTP tool
 * (co-receive, co-serve): the request on standard input, read until a
 * deadline; the answer on standard output; the client's address for the
 * log; a lingering close so an early answer is not reset away.
 */
#ifndef CO_CONN_H
#define CO_CONN_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define CONN_LINGER_MS	1000		/* draining input after an early answer */

struct conn {
	struct timespec	t0;		/* when the request came */
	struct timespec	deadline;	/* t0 + the whole request's time */
	char		remote[64];	/* the client's address, or "" */
};

void	conn_start(struct conn *, long long);
long	conn_ms_since(const struct timespec *);
long	conn_ms_left(const struct conn *);
ssize_t	conn_read(void *, void *, size_t);
void	conn_linger(void);
void	conn_clean(char *, size_t, const char *);
int	conn_log_init(const char *, int);
void	conn_log(int, char *, size_t);
/*
 * The answer in one write on standard output: status line, Date,
 * Content-Type, Content-Length, the header lines hdrs (each ending in
 * CRLF; "" for none), Connection: close, and the body unless head.
 * 0, or -1 when the client is gone.
 */
int	conn_respond(int, const char *, const char *, const char *, size_t,
	    int);

#endif
