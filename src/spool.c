/*
 * spool.c - crash-safe spool files (maildir-style delivery, as OpenSMTPD's
 * mail.maildir and nq do it).
 */
#include <sys/stat.h>
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

static const char *subdirs[] = { "tmp", "new", "cur", "done", "failed",
    "retry", "archive", NULL };

int
spool_init(const char *root)
{
	char path[PATH_MAX];
	int i;
	struct stat st;

	if (stat(root, &st) == -1 && mkdir(root, 0700) == -1 &&
	    errno != EEXIST)
		return -1;
	/* No mkdir(2) where there is a directory: a kill test counts them. */
	for (i = 0; subdirs[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, subdirs[i]);
		if (stat(path, &st) == -1 && mkdir(path, 0700) == -1 &&
		    errno != EEXIST)
			return -1;
	}
	return 0;
}

void
spool_name(char *buf, size_t sz, const struct timeval *tv)
{
	static unsigned long seq;
	char host[64];
	unsigned int r = 0;
	char *p;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int)rand();
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	for (p = host; *p != '\0'; p++)		/* '/' and '.' would confuse */
		if (*p == '/' || *p == '.')
			*p = '_';
	snprintf(buf, sz, "%lld.%06ld.%ld.%lu%08x.%s", (long long)tv->tv_sec,
	    (long)tv->tv_usec, (long)getpid(), seq++, r, host);
}

int
spool_sync(const char *root, const char *sub)
{
	char path[PATH_MAX];
	int fd, rc, e;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
spool_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
spool_write(const char *root, const struct timeval *tv, const void *buf,
    size_t len, char *name, size_t namesz)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, e;

	spool_name(name, namesz, tv);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", root, name);
	snprintf(dst, sizeof(dst), "%s/new/%s", root, name);
	if ((fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600)) == -1)
		return -1;
	if (spool_write_all(fd, buf, len) == -1 ||
	    spool_write_all(fd, "\n", 1) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	if (spool_sync(root, "new") == -1) {
		/* Not durable: take it back so no 2xx follows a lost file. */
		e = errno;
		unlink(dst);
		errno = e;
		return -1;
	}
	return 0;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

int
spool_move(const char *root, const char *from, const char *to,
    const char *name)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s/%s", root, from, name);
	snprintf(dst, sizeof(dst), "%s/%s/%s", root, to, name);
	return rename(src, dst);
}

int
spool_writable(const char *root)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tmp", root);
	return access(path, W_OK | X_OK) == 0;
}

long long
spool_name_time(const char *name)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(name, &end, 10);
	if (errno != 0 || end == name || *end != '.' || t < 0)
		return -1;
	return t;
}

/*
 * A whole, private NAME.reason in failed/: written under tmp/ (O_EXCL |
 * O_NOFOLLOW, 0600, so nothing planted there is followed or reused),
 * fsync'ed, then renamed in.  0, or -1 + errno with nothing left behind.
 */
int
spool_write_reason(const char *root, const char *name, const char *text)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, e, tries;

	snprintf(tmp, sizeof(tmp), "%s/tmp/%s.reason", root, name);
	snprintf(dst, sizeof(dst), "%s/failed/%s.reason", root, name);
	for (tries = 0; ; tries++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST || tries > 0)
			break;
		unlink(tmp);		/* left by a run that died */
	}
	if (fd == -1)
		return -1;
	if (spool_write_all(fd, text, strlen(text)) == -1 ||
	    spool_write_all(fd, "\n", 1) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, dst) == -1) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = e;
	return -1;
}

/*
 * The spool's root and subdirectories are directories (the subdirectories
 * not symlinks) that only their owner can write.  0, or -1 with why set.
 */
int
spool_check(const char *root, char *why, size_t whysz)
{
	char path[PATH_MAX];
	struct stat st;
	int i;

	for (i = -1; i == -1 || subdirs[i] != NULL; i++) {
		if (i == -1)
			snprintf(path, sizeof(path), "%s", root);
		else
			snprintf(path, sizeof(path), "%s/%s", root, subdirs[i]);
		if ((i == -1 ? stat(path, &st) : lstat(path, &st)) == -1) {
			snprintf(why, whysz, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(why, whysz, "%s: not a directory", path);
			return -1;
		}
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			snprintf(why, whysz, "%s: writable by group or others "
			    "(mode %03o); chmod go-w it", path,
			    (unsigned)(st.st_mode & 0777));
			return -1;
		}
	}
	return 0;
}
