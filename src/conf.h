/*
 * conf.h - configuration: secrets, spool root, clock, option numbers.
 * Rule: secrets come from the environment or a file it names (NAME_FILE),
 * never from argv, and are never printed.
 */
#ifndef CO_CONF_H
#define CO_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * The secret NAME from $NAME, else from the file named by $NAME_FILE (one
 * trailing newline stripped).  NULL when neither is set or the file cannot
 * be read (a warning names the file, not its content).  Free with conf_free.
 */
char	*conf_secret(const char *);
void	 conf_free(char *);

/*
 * The pieces of a secret file: open it (core dumps off first, a warning
 * when group or others have any permission on it: it is used anyway), and
 * read the whole of it, one trailing newline stripped; NULL after a warning
 * naming path: the file is empty, holds a NUL byte or is longer than
 * CONF_SECRET_MAX.  The opener is also for LIVEKIT_KEYS_FILE.
 */
#define CONF_SECRET_MAX	65536
FILE	*conf_secret_open(const char *);
char	*conf_secret_read(FILE *, const char *);

/* -s DIR, else $CO_SPOOL, else /var/spool/call-outcomes. */
const char *conf_spool(const char *);

/* Current time; $CO_NOW (unix seconds) pins it for tests and replays. */
time_t	 conf_now(void);

/* Directory holding the jq programs: $CO_SHARE, else the install path. */
const char *conf_sharedir(void);

/* strtonum(3)-like: errx(EX_USAGE) naming what when out of range. */
long long conf_num(const char *, long long, long long, const char *);

/* Format t (unix seconds + microseconds) as RFC 3339 UTC into buf. */
void	 conf_rfc3339(char *, size_t, time_t, long);

#endif
