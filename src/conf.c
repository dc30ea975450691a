/*
 * conf.c - configuration shared by the tools.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "diag.h"

#ifndef CO_SHAREDIR
#define CO_SHAREDIR "/usr/local/share/call-outcomes"
#endif

FILE *
conf_secret_open(const char *path)
{
	struct stat st;
	FILE *fp;

	diag_nocore();
	if ((fp = fopen(path, "re")) == NULL) {
		warn("%s", path);
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		warnx("%s: readable or writable by group or others; chmod 600",
		    path);
	return fp;
}

char *
conf_secret_read(FILE *fp, const char *path)
{
	char *buf;
	size_t n;

	if ((buf = malloc(CONF_SECRET_MAX + 1)) == NULL)
		err(EX_OSERR, "malloc");
	n = fread(buf, 1, CONF_SECRET_MAX + 1, fp);
	if (ferror(fp))
		warn("%s", path);
	else if (n > CONF_SECRET_MAX)
		warnx("%s: secret file larger than %d bytes", path,
		    CONF_SECRET_MAX);
	else if (memchr(buf, '\0', n) != NULL)
		warnx("%s: NUL byte in secret file", path);
	else {
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		if (n > 0) {
			buf[n] = '\0';
			return buf;
		}
		warnx("%s: empty secret file", path);
	}
	explicit_bzero(buf, CONF_SECRET_MAX + 1);
	free(buf);
	return NULL;
}

static char *
read_secret_file(const char *path)
{
	FILE *fp;
	char *s;

	if ((fp = conf_secret_open(path)) == NULL)
		return NULL;
	s = conf_secret_read(fp, path);
	fclose(fp);
	return s;
}

char *
conf_secret(const char *name)
{
	char key[128];
	const char *v;
	char *s;

	if ((v = getenv(name)) != NULL && *v != '\0') {
		diag_nocore();
		if ((s = strdup(v)) == NULL)
			err(EX_OSERR, "strdup");
		return s;
	}
	snprintf(key, sizeof(key), "%s_FILE", name);
	if ((v = getenv(key)) != NULL && *v != '\0')
		return read_secret_file(v);
	return NULL;
}

void
conf_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

const char *
conf_spool(const char *opt)
{
	const char *v;

	if (opt != NULL)
		return opt;
	if ((v = getenv("CO_SPOOL")) != NULL && *v != '\0')
		return v;
	return "/var/spool/call-outcomes";
}

time_t
conf_now(void)
{
	const char *v;
	char *end;
	long long t;

	if ((v = getenv("CO_NOW")) != NULL && *v != '\0') {
		errno = 0;
		t = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && t >= 0)
			return (time_t)t;
		errx(EX_USAGE, "CO_NOW is not a unix time: %s", v);
	}
	return time(NULL);
}

const char *
conf_sharedir(void)
{
	const char *v;

	if ((v = getenv("CO_SHARE")) != NULL && *v != '\0')
		return v;
	return CO_SHAREDIR;
}

long long
conf_num(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0')
		errx(EX_USAGE, "%s is invalid: %s", what, s);
	if ((errno == ERANGE && n < 0) || n < min)
		errx(EX_USAGE, "%s is too small: %s", what, s);
	if (errno == ERANGE || n > max)
		errx(EX_USAGE, "%s is too large: %s", what, s);
	return n;
}

void
conf_rfc3339(char *buf, size_t sz, time_t t, long usec)
{
	struct tm tm;
	char d[80];

	gmtime_r(&t, &tm);
	/* Not strftime's %Y: it does not pad the years before 1000. */
	snprintf(d, sizeof(d), "%04d-%02d-%02dT%02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (usec >= 0)
		snprintf(buf, sz, "%s.%06ldZ", d, usec);
	else
		snprintf(buf, sz, "%sZ", d);
}

/*
 * Strict: four-digit year 0001-9999, two-digit fields in range (second 60
 * for a leap second), a real day of its month, an optional fraction of
 * one or more digits, then Z or an offset +hh:mm / -hh:mm up to 23:59.
 */
time_t
conf_parse_rfc3339(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	struct tm tm;
	const char *p;
	int i, leap, off = 0;

	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	leap = (tm.tm_year % 4 == 0 && tm.tm_year % 100 != 0) ||
	    tm.tm_year % 400 == 0;
	if (tm.tm_year < 1 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > mdays[tm.tm_mon - 1] +
	    (tm.tm_mon == 2 && leap) || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	p = s + i;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '+' || *p == '-') {
		for (i = 1; i < 6; i++)
			if (i == 3 ? p[i] != ':' : !isdigit((unsigned char)p[i]))
				return -1;
		if (p[6] != '\0' || (p[1] - '0') * 10 + p[2] - '0' > 23 ||
		    (p[4] - '0') * 10 + p[5] - '0' > 59)
			return -1;
		off = ((p[1] - '0') * 10 + p[2] - '0') * 3600 +
		    ((p[4] - '0') * 10 + p[5] - '0') * 60;
		if (*p == '+')
			off = -off;
	} else if (*p != 'Z' || p[1] != '\0')
		return -1;
	return timegm(&tm) + off;
}
