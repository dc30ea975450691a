/*
 * diag.c - diagnostics, exit status merging and reject files.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

extern const char *__progname;

static int
rank(int code)
{
	switch (code) {
	case 0:		return 0;
	case 1:		return 1;
	case EX_DATAERR: return 2;
	case EX_UNAVAILABLE: return 3;
	case EX_IOERR:	return 4;
	case EX_TEMPFAIL: return 5;
	default:	return 6;	/* EX_SOFTWARE and anything unknown */
	}
}

int
diag_worse(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}

void
diag_rec(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%lu: ", __progname, file ? file : "-", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
reject_open(struct reject *r, const char *name)
{
	r->name = name;
	r->fp = NULL;
	if (name != NULL && (r->fp = fopen(name, "a")) == NULL)
		err(EX_IOERR, "%s", name);
}

void
reject_write(struct reject *r, jv rec, const char *text, size_t len,
    const char *file, unsigned long line, const char *reason)
{
	jv out;

	if (r->fp == NULL) {
		jv_free(rec);
		return;
	}
	if (jv_get_kind(rec) == JV_KIND_OBJECT)
		out = rec;
	else {
		jv_free(rec);
		out = jv_object();
		if (text != NULL)
			out = jv_object_set(out, jv_string("input"),
			    jv_string_sized(text, (int)len));
	}
	out = jv_object_set(out, jv_string("reason"), jv_string(reason));
	if (file != NULL)
		out = jv_object_set(out, jv_string("reject_file"),
		    jv_string(file));
	out = jv_object_set(out, jv_string("reject_line"),
	    jv_number((double)line));
	jv_dumpf(out, r->fp, 0);
	fputc('\n', r->fp);
}

int
reject_close(struct reject *r)
{
	int bad;

	if (r->fp == NULL)
		return 0;
	bad = fflush(r->fp) == EOF || ferror(r->fp);
	if (fclose(r->fp) == EOF || bad) {
		warn("%s", r->name);
		return EX_IOERR;
	}
	return 0;
}

void
diag_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
}
