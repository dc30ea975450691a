/*
 * rfc3339.h - the one parser of RFC 3339 dates and times in the tree:
 * co-query's --since, --until and --after, co-serve's since and until,
 * an envelope's received_at (co-verify, co-drain) and the loader's check
 * of an event's times before PostgreSQL sees them.
 * Rule: a value PostgreSQL's timestamptz would read differently, roll over
 * or refuse is refused here, with the reason; what is accepted is read the
 * same way by both.
 */
#ifndef CO_RFC3339_H
#define CO_RFC3339_H

#include <time.h>

#define RFC3339_DATE	1	/* a full-date alone is allowed */
#define RFC3339_UTC	2	/* only "Z" as the offset */

/*
 * NULL when s is an RFC 3339 date-time ("T", "t" or " " between date and
 * time, seconds with an optional fraction of 1 to 9 digits, "Z", "z" or an
 * offset +HH:MM), or, with RFC3339_DATE, a full-date; else why not.  Every
 * field is range-checked: year 0001-9999, month, day of that month (leap
 * years), hour 0-23, minute 0-59, second 0-59 (PostgreSQL rolls a leap
 * second over), offset up to 15:59 (PostgreSQL refuses more).  *end, when
 * end is not NULL, gets where the value stopped and the rest is not
 * checked.
 */
const char *rfc3339_check(const char *, int, const char **);

/*
 * The same for a whole date-time (flags 0, no date alone), and its time in
 * unix seconds (the fraction dropped) into *t.
 */
const char *rfc3339_time(const char *, time_t *);

#endif
