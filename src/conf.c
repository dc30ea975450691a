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

