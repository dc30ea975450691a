/*
 * conf.c - configuration shared by the tools.
 */
#include <sys/stat.h>

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
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	n = getdelim(&buf, &cap, '\0', fp);
	if (n <= 0 || ferror(fp)) {
		if (buf != NULL)
			explicit_bzero(buf, cap);
		free(buf);
		if (ferror(fp))
			warn("%s", path);
		else
			warnx("%s: empty secret file", path);
		return NULL;
	}
	if (buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return buf;
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
	char d[32];

	gmtime_r(&t, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	if (usec >= 0)
		snprintf(buf, sz, "%s.%06ldZ", d, usec);
	else
		snprintf(buf, sz, "%sZ", d);
}

time_t
conf_parse_rfc3339(const char *s)
{
	struct tm tm;
	const char *p;
	int oh, om, sign;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		while (*++p >= '0' && *p <= '9')
			;
	t = timegm(&tm);
	if (*p == 'Z' && p[1] == '\0')
		return t;
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 ||
	    strlen(p) != 6)
		return -1;
	sign = *p == '+' ? 1 : -1;
	return t - sign * (oh * 3600 + om * 60);
}
