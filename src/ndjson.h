/*
 * ndjson.h - read NDJSON records line by line from the files named on the
 * command line (or stdin), and write them compactly.
 * Rule: one line, one record; a bad line never stops the lines after it.
 */
#ifndef CO_NDJSON_H
#define CO_NDJSON_H

#include <stdio.h>
#include <sys/types.h>

#include <jv.h>

struct ndjson {
	char	**files;	/* NULL-terminated; NULL or empty: stdin */
	int	 nfiles;
	int	 next;		/* index of the next file to open */
	FILE	*fp;
	const char *name;	/* current file name, "-" for stdin */
	unsigned long lineno;
	char	*line;		/* current line, NUL-terminated, no '\n' */
	size_t	 cap;
	size_t	 len;
	char	 why[160];	/* reason of the last bad line */
	int	 status;	/* EX_IOERR once a file failed */
};

void	ndjson_open(struct ndjson *, int, char **);
/* Read one stream already open (closed by ndjson_close), named name. */
void	ndjson_fdopen(struct ndjson *, FILE *, const char *);
/*
 * The next line alone, unparsed, in line/len without its "\n" or "\r\n":
 * 1, or 0 at the end of all input.
 */
int	ndjson_getline(struct ndjson *);
/*
 * Read the next line.  Returns 1 and a parsed object in *v, 0 at the end of
 * all input, or -1 for a line that is not one JSON object (why holds the
 * reason, *v is invalid).  Lines stay readable in line/len until the next call.
 */
int	ndjson_next(struct ndjson *, jv *);
/*
 * Parse one buffer as a JSON object; on failure set why, return invalid.
 * The buffer must be NUL-terminated at len: jq 1.6 reads it as a C string
 * when it formats an error.
 */
jv	ndjson_parse(const char *, size_t, char *, size_t);
void	ndjson_close(struct ndjson *);

struct reject;

/*
 * The record on the current line cannot be used: name it on stderr as
 * "PROG: FILE:LINE: why" and keep it, with why, in the reject file.  rec
 * (consumed) may be invalid; then the raw line is kept.
 */
void	ndjson_reject(struct ndjson *, struct reject *, jv, const char *);

/* Write v (consumed) as one compact line. */
void	ndjson_write(FILE *, jv);

#endif
