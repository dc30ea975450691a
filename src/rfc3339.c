/*
 * rfc3339.c - strict RFC 3339 dates and times.
 */
#include <stddef.h>
#include <string.h>

#include "rfc3339.h"

#define MAX_OFFSET	(15 * 60 + 59)	/* minutes; PostgreSQL's limit */

/* The fields read, for rfc3339_time. */
struct fields {
	int	 y, mo, d, h, mi, s;
	int	 off;			/* minutes east of UTC */
};

/* n digits at *p as a number, advancing *p; -1 when they are not there. */
static int
digits(const char **p, int n)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int
leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

static const char *
date(const char **p, struct fields *f)
{
	if ((f->y = digits(p, 4)) < 0 || *(*p)++ != '-' ||
	    (f->mo = digits(p, 2)) < 0 || *(*p)++ != '-' ||
	    (f->d = digits(p, 2)) < 0)
		return "not a date YYYY-MM-DD";
	if (f->y == 0)
		return "year 0000 is not a year";	/* PostgreSQL refuses it too */
	if (f->mo < 1 || f->mo > 12)
		return "month out of range";
	if (f->d < 1 || f->d > mdays(f->y, f->mo))
		return "day out of range for its month";
	return NULL;
}

static const char *
offset(const char **p, int flags, struct fields *f)
{
	int h, m, sign;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return NULL;
	}
	if (flags & RFC3339_UTC)
		return "not UTC (Z)";
	if (**p != '+' && **p != '-')
		return "no offset (Z or +HH:MM)";
	sign = *(*p)++ == '-' ? -1 : 1;
	if ((h = digits(p, 2)) < 0 || *(*p)++ != ':' || (m = digits(p, 2)) < 0)
		return "offset not +HH:MM";
	if (m > 59 || h * 60 + m > MAX_OFFSET)
		return "offset out of range";
	f->off = sign * (h * 60 + m);
	return NULL;
}

static const char *
time_of_day(const char **p, int flags, struct fields *f)
{
	int n;

	if ((f->h = digits(p, 2)) < 0 || *(*p)++ != ':' ||
	    (f->mi = digits(p, 2)) < 0 || *(*p)++ != ':' ||
	    (f->s = digits(p, 2)) < 0)
		return "time not HH:MM:SS";
	if (f->h > 23 || f->mi > 59 || f->s > 59)
		return "time out of range";
	if (**p == '.') {
		(*p)++;
		for (n = 0; **p >= '0' && **p <= '9'; n++)
			(*p)++;
		if (n < 1 || n > 9)
			return "fraction not 1 to 9 digits";
	}
	return offset(p, flags, f);
}

static const char *
parse(const char *s, int flags, const char **end, struct fields *f)
{
	const char *p = s, *why;

	memset(f, 0, sizeof(*f));
	if ((why = date(&p, f)) != NULL)
		return why;
	if (*p == '\0' ||
	    (end != NULL && *p != 'T' && *p != 't' && *p != ' ')) {
		if (end != NULL)
			*end = p;
		return flags & RFC3339_DATE ? NULL : "a date without a time";
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return "not a date or a date-time";
	p++;
	if ((why = time_of_day(&p, flags, f)) != NULL)
		return why;
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return "trailing characters";
	return NULL;
}

const char *
rfc3339_check(const char *s, int flags, const char **end)
{
	struct fields f;

	return parse(s, flags, end, &f);
}

const char *
rfc3339_time(const char *s, time_t *t)
{
	struct fields f;
	struct tm tm;
	const char *why;

	if ((why = parse(s, 0, NULL, &f)) != NULL)
		return why;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f.y - 1900;
	tm.tm_mon = f.mo - 1;
	tm.tm_mday = f.d;
	tm.tm_hour = f.h;
	tm.tm_min = f.mi;
	tm.tm_sec = f.s;
	*t = timegm(&tm) - (time_t)f.off * 60;
	return NULL;
}
