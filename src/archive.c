/*
 * archive.c - daily gzip archives of settled spool files.  gzip members
 * may be concatenated (RFC 1952 section 2.2): each append is one member,
 * and zcat reads them all as one stream.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "archive.h"
#include "spool.h"

#define LEVEL	1		/* see co-drain(1): size and time measured */
#define BUFSZ	65536
#define LENSZ	21		/* "%020lld\n": one sector, written at once */

struct gz {
	int	 fd;
	z_stream z;
	unsigned char out[BUFSZ];
};

/* Deflate len bytes (flush: Z_NO_FLUSH or Z_FINISH) and write the output. */
static int
gz_put(struct gz *g, const void *buf, size_t len, int flush)
{
	int rc;

	g->z.next_in = (unsigned char *)(uintptr_t)buf;
	g->z.avail_in = (uInt)len;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		rc = deflate(&g->z, flush);
		if (rc == Z_STREAM_ERROR) {
			errno = EIO;
			return -1;
		}
		if (spool_write_all(g->fd, g->out, sizeof(g->out) -
		    g->z.avail_out) == -1)
			return -1;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH &&
	    rc != Z_STREAM_END));
	return 0;
}

/* One spool file, whole, ending in a newline. */
static int
gz_file(struct gz *g, const char *path, unsigned char *buf)
{
	ssize_t n;
	int fd, e, last = '\n';

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if ((n = read(fd, buf, BUFSZ)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		last = buf[n - 1];
		if (gz_put(g, buf, (size_t)n, Z_NO_FLUSH) == -1)
			break;
		n = 0;
	}
	e = errno;
	close(fd);
	if (n != 0) {
		errno = e;
		return -1;
	}
	return last == '\n' ? 0 : gz_put(g, "\n", 1, Z_NO_FLUSH);
}

/* The valid length recorded for an archive of size size; -1 + errno. */
static off_t
valid_length(int lfd, off_t size, int *same)
{
	char buf[LENSZ + 1];
	ssize_t n;
	long long v;
	char *end;

	if ((n = pread(lfd, buf, LENSZ, 0)) == -1)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	*same = 0;
	if (n != LENSZ || errno != 0 || *end != '\n' || v < 0)
		return size;	/* new, or not ours: trust the archive */
	*same = v == size;
	return v < size ? v : size;
}

static int
write_length(int lfd, off_t len)
{
	char buf[LENSZ + 1];

	snprintf(buf, sizeof(buf), "%020lld\n", (long long)len);
	if (pwrite(lfd, buf, LENSZ, 0) != LENSZ)
		return -1;
	return fdatasync(lfd);
}

int
archive_append(const char *root, const char *dir, char *const *names,
    size_t n, time_t t)
{
	static unsigned char in[BUFSZ];
	static struct gz g;
	char path[PATH_MAX], lpath[PATH_MAX + 8];
	struct stat st;
	struct tm tm;
	off_t len = -1;
	size_t i;
	int lfd = -1, e, made, zok = 0, same;

	if (n == 0)
		return 0;
	gmtime_r(&t, &tm);
	snprintf(path, sizeof(path), "%s/archive/%04d-%02d-%02d.ndjson.gz",
	    root, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	snprintf(lpath, sizeof(lpath), "%s.len", path);
	made = access(path, F_OK) == -1;
	if ((g.fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	/* Runs and -j jobs append one at a time. */
	if (flock(g.fd, LOCK_EX) == -1 || fstat(g.fd, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		goto fail;
	if ((lfd = open(lpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1 || (len = valid_length(lfd, st.st_size, &same)) == -1)
		goto fail;
	/* Cut off what a killed run left half-written; record the length. */
	if ((len < st.st_size && ftruncate(g.fd, len) == -1) ||
	    (!same && write_length(lfd, len) == -1))
		goto fail;
	if (made && spool_sync(root, "archive") == -1)
		goto fail;
	if (lseek(g.fd, len, SEEK_SET) == -1)
		goto fail;
	memset(&g.z, 0, sizeof(g.z));
	if (deflateInit2(&g.z, LEVEL, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		goto fail;
	}
	zok = 1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", root, dir, names[i]);
		if (gz_file(&g, path, in) == -1)
			goto fail;
	}
	if (gz_put(&g, NULL, 0, Z_FINISH) == -1)
		goto fail;
	deflateEnd(&g.z);
	zok = 0;
	/* The member first, then its length: never a length past data. */
	if (fdatasync(g.fd) == -1 ||
	    write_length(lfd, lseek(g.fd, 0, SEEK_CUR)) == -1)
		goto fail;
	close(lfd);
	if (close(g.fd) == -1)
		return -1;
	return 0;
fail:
	e = errno;
	if (zok)
		deflateEnd(&g.z);
	if (len != -1 && ftruncate(g.fd, len) == 0)
		(void)write_length(lfd, len);
	if (lfd != -1)
		close(lfd);
	close(g.fd);
	errno = e;
	return -1;
}

/* "YYYY-MM-DD.ndjson.gz" or its ".len": the day's start; -1 if neither. */
static time_t
archive_day(const char *name)
{
	struct tm tm = { 0 };
	char rest[32];
	int y, m, d;

	if (sscanf(name, "%4d-%2d-%2d%31s", &y, &m, &d, rest) != 4 ||
	    strlen(name) < 10 || name[4] != '-' || name[7] != '-' ||
	    (strcmp(rest, ".ndjson.gz") != 0 &&
	    strcmp(rest, ".ndjson.gz.len") != 0) ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return timegm(&tm);
}

int
archive_expire(const char *root, long days, time_t now)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	time_t day, today = now - now % 86400;
	int n = 0;

	snprintf(path, sizeof(path), "%s/archive", root);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(dir)) != NULL) {
		if ((day = archive_day(e->d_name)) == -1 ||
		    day + days * 86400 >= today)
			continue;
		if (unlinkat(dirfd(dir), e->d_name, 0) == 0 &&
		    strstr(e->d_name, ".len") == NULL)
			n++;
	}
	closedir(dir);
	return n;
}
