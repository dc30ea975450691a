/*
 * qparse.h - co-query's readers of its option values: times, cursors.
 * Kept out of co-query.c so that a fuzz target can reach them.
 * Rule: a reader says yes or no; the caller names the option and exits.
 */
#ifndef CO_QPARSE_H
#define CO_QPARSE_H

/* Does s match the POSIX extended regular expression re as a whole? */
int	qparse_match(const char *, const char *);

/*
 * --since, --until: a date (midnight in the --tz zone) or an RFC 3339
 * date-time, 'T', 't' or ' ' between, 'Z', 'z' or +hh:mm after.
 * 0, or -1 when it is neither.  The fields' ranges are PostgreSQL's to
 * judge.
 */
int	qparse_time(const char *);

/* --after: TIME/ID as co-query prints it after "next: --after"; 0 or -1. */
int	qparse_cursor(const char *);

#endif
