/*
 * stream.h - the loop every stream tool runs: good records of the files
 * named on the command line (or stdin), one at a time.
 * Rule: reading NDJSON, naming a bad line ("PROG: FILE:LINE: reason"),
 * keeping it in the -r file and ranking exit statuses happen here, once;
 * a tool's main is its options and one loop over good records:
 *
 *	stream_open(&s, argc, argv, rejfile, flags);
 *	while (stream_next(&s, &rec))
 *		if (work(rec, why) != 0)
 *			stream_reject(&s, rec, why, status);
 *		else
 *			stream_write(&s, rec);
 *	return stream_close(&s);
 */
#ifndef CO_STREAM_H
#define CO_STREAM_H

#include <stddef.h>

#include <jv.h>

#include "diag.h"
#include "ndjson.h"

#define STREAM_ENVELOPE	0x1	/* records are envelopes: env_check them */
#define STREAM_STOP	0x2	/* stop at a status not about one record */

struct stream {
	struct ndjson	 in;
	struct reject	 rej;
	int		 flags;
	int		 status;	/* the worst seen (diag_worse) */
	unsigned long	 nrec;		/* lines read, good and bad */
	unsigned long	 nbad;		/* lines stream_next rejected */
	/* Called after stream_next rejected a line (it never reaches the loop). */
	void		(*bad)(struct stream *, const char *);
};

/* Open the reject file (exits EX_IOERR when it cannot) and the input. */
void	stream_open(struct stream *, int, char **, const char *, int);
/*
 * The next good record into *rec (the caller's); 0 at the end of the
 * input or once stream_stopped.  Lines that are not a JSON
 * object (or, with STREAM_ENVELOPE, not an envelope) are rejected here.
 */
int	stream_next(struct stream *, jv *);
/*
 * With STREAM_STOP: has a status that is not about one record been seen
 * (EX_TEMPFAIL, EX_UNAVAILABLE, EX_SOFTWARE)?  Then the run stops.
 */
int	stream_stopped(const struct stream *);
/*
 * The current record (consumed; invalid keeps the raw line) cannot be
 * used: name it on stderr, keep it with why in the reject file, and count
 * status.
 */
void	stream_reject(struct stream *, jv, const char *, int);
/* Count a status that is not one record's (a flush, a lost connection). */
void	stream_status(struct stream *, int);
/* Write rec (consumed) as one compact line on stdout. */
void	stream_write(struct stream *, jv);
/* Write the current line to stdout as it came in, byte for byte. */
void	stream_pass(struct stream *);
/* The current file name and line number. */
const char *stream_file(const struct stream *);
unsigned long stream_line(const struct stream *);
/* Close input, reject file and stdout; the exit status of the run. */
int	stream_close(struct stream *);

#endif
