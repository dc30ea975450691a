/*
 * stream.c - the stream tools' loop over good records.
 */
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "stream.h"

void
stream_open(struct stream *s, int argc, char **argv, const char *rejfile,
    int flags)
{
	memset(s, 0, sizeof(*s));
	s->flags = flags;
	reject_open(&s->rej, rejfile);
	ndjson_open(&s->in, argc, argv);
}

int
stream_stopped(const struct stream *s)
{
	return (s->flags & STREAM_STOP) && (s->status == EX_TEMPFAIL ||
	    s->status == EX_UNAVAILABLE || s->status == EX_SOFTWARE);
}

int
stream_next(struct stream *s, jv *rec)
{
	char why[sizeof(s->in.why)];
	int rc;

	*rec = jv_invalid();
	while (!stream_stopped(s) && (rc = ndjson_next(&s->in, rec)) != 0) {
		s->nrec++;
		if (rc == -1)
			snprintf(why, sizeof(why), "%s", s->in.why);
		else if (!(s->flags & STREAM_ENVELOPE) ||
		    env_check(*rec, why, sizeof(why)) == 0)
			return 1;
		s->nbad++;
		stream_reject(s, *rec, why, EX_DATAERR);
		*rec = jv_invalid();
		if (s->bad != NULL)
			s->bad(s, why);
	}
	return 0;
}

void
stream_reject(struct stream *s, jv rec, const char *why, int status)
{
	ndjson_reject(&s->in, &s->rej, rec, why);
	s->status = diag_worse(s->status, status);
}

void
stream_status(struct stream *s, int status)
{
	s->status = diag_worse(s->status, status);
}

void
stream_write(struct stream *s, jv rec)
{
	(void)s;
	ndjson_write(stdout, rec);
}

void
stream_pass(struct stream *s)
{
	fwrite(s->in.line, 1, s->in.len, stdout);
	putchar('\n');
}

const char *
stream_file(const struct stream *s)
{
	return s->in.name;
}

unsigned long
stream_line(const struct stream *s)
{
	return s->in.lineno;
}

int
stream_close(struct stream *s)
{
	ndjson_close(&s->in);
	s->status = diag_worse(s->status, s->in.status);
	s->status = diag_worse(s->status, reject_close(&s->rej));
	diag_stdout();
	return s->status;
}
