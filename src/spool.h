/*
 * spool.h - the spool of SPEC section 4: tmp, new, cur, done, failed, retry,
 * and co-drain's archive.
 * Rule: a file moves only by rename(2), and is fsync'ed with its directory
 * before anyone is told it is there, so a crash leaves it whole in one place.
 */
#ifndef CO_SPOOL_H
#define CO_SPOOL_H

#include <stddef.h>
#include <sys/time.h>

#define SPOOL_NAMELEN	128

/* Create root and its subdirectories (0700) when missing; -1 + errno. */
int	spool_init(const char *);

/* A new unique file name "<sec>.<usec>.<pid>.<rand>.<host>" for tv. */
void	spool_name(char *, size_t, const struct timeval *);

/*
 * Write len bytes (plus '\n') as a new file: tmp/ -> write -> fsync ->
 * rename into new/ -> fsync new/.  name receives the file name.  Returns 0,
 * or -1 with errno set and nothing left behind in tmp/ or new/.
 */
int	spool_write(const char *, const struct timeval *, const void *,
	    size_t, char *, size_t);

/* rename root/from/name to root/to/name; -1 + errno. */
int	spool_move(const char *, const char *, const char *, const char *);

/* write(2) all of buf to fd, again after EINTR and short writes; -1 + errno. */
int	spool_write_all(int, const void *, size_t);

/* fsync the directory root/sub; -1 + errno. */
int	spool_sync(const char *, const char *);

/* Can a file be created in root/tmp now?  1 yes, 0 no. */
int	spool_writable(const char *);

/* The receive time encoded at the start of a spool file name; -1 if none. */
long long spool_name_time(const char *);

/*
 * Write failed/NAME.reason whole: tmp/ file opened O_EXCL|O_NOFOLLOW 0600,
 * written, fsync'ed and renamed in.  0, or -1 + errno (nothing left).
 */
int	spool_write_reason(const char *, const char *, const char *);

/*
 * Root and subdirectories are directories only their owner can write;
 * 0, or -1 with a one-line reason (naming the directory) in why.
 */
int	spool_check(const char *, char *, size_t);

#endif
