/*
 * diag.h - diagnostics, exit status and reject files shared by every tool.
 * Rule: a bad record is reported in one line naming FILE:LINE and the reason,
 * never its payload, and the worst status seen decides the exit code.
 */
#ifndef CO_DIAG_H
#define CO_DIAG_H

#include <err.h>
#include <stdio.h>
#include <sysexits.h>

#include <jv.h>

/* Combine two exit codes, keeping the more serious (SPEC section 2). */
int	diag_worse(int, int);

/* "PROG: FILE:LINE: reason" on stderr. */
void	diag_rec(const char *, unsigned long, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Core dumps off for good (RLIMIT_CORE 0, PR_SET_DUMPABLE 0): called by
 * conf.c before a secret is read, so every tool holding one is covered.
 */
void	diag_nocore(void);

/*
 * -r FILE: rejected records, each with a "reason" added.  The file is
 * created 0600 and appended to.  A record never carries a secret: the
 * string value of any key named authorization, turnPassword or a header
 * that carries a provider's signature (x-livekit-signature, ...; the
 * provider table's), any case, in the record or in a JSON text inside one
 * of its strings (an envelope's body), is written as "[redacted]".
 */
struct reject {
	FILE	*fp;
	const char *name;
};

void	reject_open(struct reject *, const char *);
/* rec may be jv_invalid(); then text (the raw line) is kept as "input". */
void	reject_write(struct reject *, jv, const char *, size_t,
	    const char *, unsigned long, const char *);
int	reject_close(struct reject *);

/* Flush and check stdout; exit EX_IOERR when it failed. */
void	diag_stdout(void);

#endif
