/*
 * rfc3339.h - the one strict parser for the dates and times users give
 * (co-query's --since, --until, --after).  Rule: a value PostgreSQL would
 * read differently, roll over or refuse is refused here, with the reason.
 */
#ifndef CO_RFC3339_H
#define CO_RFC3339_H

#define RFC3339_DATE	1	/* a full-date alone is allowed */
#define RFC3339_UTC	2	/* only "Z" as the offset */

/*
 * NULL when s is an RFC 3339 date-time ("T", "t" or " " between date and
 * time, seconds with an optional fraction of 1 to 9 digits, "Z" or an
 * offset +HH:MM), or, with RFC3339_DATE, a full-date; else why not.  Every
 * field is range-checked: month, day of that month (leap years), hour 0-23,
 * minute 0-59, second 0-59, offset up to 23:59.  *end, when end is not
 * NULL, gets where the value stopped and the rest is not checked.
 */
const char *rfc3339_check(const char *, int, const char **);

#endif
