/*
 * copyrow.h - one field of a COPY text row from a member of a normalized
 * event, checked first: the loaders send nothing the column would refuse.
 * Rule: each returns 0 after appending the field (\N when the member is
 * absent or null), or -1, appending nothing, when the value does not fit.
 * No separators are written; the caller puts the tabs.
 */
#ifndef CO_COPYROW_H
#define CO_COPYROW_H

#include <jv.h>

#include "db.h"
#include "json.h"

int	copy_whole(jv, double *);	/* a number in 0 .. 2^31-1, whole */

int	copy_text(struct buf *, jv, const char *);	/* text, no NUL */
int	copy_time(struct buf *, jv, const char *);	/* rfc3339_check */
int	copy_int(struct buf *, jv, const char *);	/* 0 .. 2^31-1 */
int	copy_num(struct buf *, jv, const char *);	/* finite numeric */
int	copy_json(struct buf *, jv, const char *);	/* jsonb */
int	copy_json_needed(struct buf *, jv, const char *); /* jsonb, not null */
int	copy_jv(struct buf *, jv);	/* jsonb from a value (consumed) */


/* For load kinds' validate functions (load.h): the outcomes a call may have (SPEC 7). */
extern const char *const copy_outcomes[];
/* Member k of ev is absent, null, or a string among ok (NULL-ended). */
int	copy_one_of(jv, const char *, const char *const *);
/* A COPY writer (copyrow.h) for an outcome: one of copy_outcomes. */
int	copy_outcome(struct buf *, jv, const char *);
/* Characters of a UTF-8 string (VARCHAR counts characters, not bytes). */
size_t	copy_u8len(const char *);

#endif
