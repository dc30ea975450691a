/*
 * archive.h - the spool's daily archives (co-drain(1), "Retention"):
 * settled spool files appended whole, as gzip members, to
 * root/archive/YYYY-MM-DD.ndjson.gz (UTC day), and old days deleted.
 * Rule: an archive's valid length is in its DAY.ndjson.gz.len beside it,
 * written after the appended member is fsync'ed; a torn member past it
 * (a killed run) is cut off by the next append, so zcat reads every
 * archive whole and nothing is lost: a spool file is unlinked only after
 * its member is durable.
 */
#ifndef CO_ARCHIVE_H
#define CO_ARCHIVE_H

#include <stddef.h>
#include <time.h>

/*
 * Append the files root/dir/names[0..n-1], whole and in that order (a
 * missing final newline added), as one gzip member to the archive of t's
 * UTC day.  0; or -1 + errno with the archive as it was.
 */
int	archive_append(const char *, const char *, char *const *, size_t,
	    time_t);

/*
 * Delete the archives (and their .len files) of UTC days more than days
 * before now's.  The number of archives deleted.
 */
int	archive_expire(const char *, long, time_t);

#endif
