/*
 * rfc3339.c - strict RFC 3339 dates and times.
 */
#include <stddef.h>

#include "rfc3339.h"

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
mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static const char *
date(const char **p)
{
	int y, m, d;

	if ((y = digits(p, 4)) < 0 || *(*p)++ != '-' ||
	    (m = digits(p, 2)) < 0 || *(*p)++ != '-' || (d = digits(p, 2)) < 0)
		return "not a date YYYY-MM-DD";
	if (m < 1 || m > 12)
		return "month out of range";
	if (d < 1 || d > mdays(y, m))
		return "day out of range for its month";
	return NULL;
}

static const char *
offset(const char **p, int flags)
{
	int h, m;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return NULL;
	}
	if (flags & RFC3339_UTC)
		return "not UTC (Z)";
	if (**p != '+' && **p != '-')
		return "no offset (Z or +HH:MM)";
	(*p)++;
	if ((h = digits(p, 2)) < 0 || *(*p)++ != ':' || (m = digits(p, 2)) < 0)
		return "offset not +HH:MM";
	if (h > 23 || m > 59)
		return "offset out of range";
	return NULL;
}

static const char *
time_of_day(const char **p, int flags)
{
	int h, m, s, n;

	if ((h = digits(p, 2)) < 0 || *(*p)++ != ':' ||
	    (m = digits(p, 2)) < 0 || *(*p)++ != ':' || (s = digits(p, 2)) < 0)
		return "time not HH:MM:SS";
	if (h > 23 || m > 59 || s > 59)
		return "time out of range";
	if (**p == '.') {
		(*p)++;
		for (n = 0; **p >= '0' && **p <= '9'; n++)
			(*p)++;
		if (n < 1 || n > 9)
			return "fraction not 1 to 9 digits";
	}
	return offset(p, flags);
}

const char *
rfc3339_check(const char *s, int flags, const char **end)
{
	const char *p = s, *why;

	if ((why = date(&p)) != NULL)
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
	if ((why = time_of_day(&p, flags)) != NULL)
		return why;
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return "trailing characters";
	return NULL;
}
