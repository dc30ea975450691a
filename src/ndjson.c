/*
 * ndjson.c - line-oriented NDJSON reading on libjq's jv.
 * jq 1.6 appends the whole input to its parse errors ("... (while parsing
 * '...')"); that text may hold secrets, so it is cut before anyone sees it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsondump.h"
#include "jsonparse.h"
#include "ndjson.h"

void
ndjson_open(struct ndjson *in, int argc, char **argv)
{
	memset(in, 0, sizeof(*in));
	in->files = argv;
	in->nfiles = argc;
}

static int
open_next(struct ndjson *in)
{
	const char *f;

	for (;;) {
		if (in->nfiles == 0 && in->next == 0) {
			in->next = 1;
			in->fp = stdin;
			in->name = "-";
			in->lineno = 0;
			return 1;
		}
		if (in->next >= in->nfiles)
			return 0;
		f = in->files[in->next++];
		in->lineno = 0;
		if (strcmp(f, "-") == 0) {
			in->fp = stdin;
			in->name = "-";
			return 1;
		}
		if ((in->fp = fopen(f, "r")) != NULL) {
			in->name = f;
			return 1;
		}
		warn("%s", f);
		in->status = EX_IOERR;
	}
}

static void
close_cur(struct ndjson *in)
{
	if (in->fp == NULL)
		return;
	if (ferror(in->fp)) {
		warn("%s", in->name);
		in->status = EX_IOERR;
	}
	if (in->fp != stdin)
		fclose(in->fp);
	in->fp = NULL;
}

jv
ndjson_parse(const char *buf, size_t len, char *why, size_t whysz)
{
	jv v, msg;
	const char *m;
	char *cut;

	if (len > INT_MAX) {		/* jq takes an int length */
		snprintf(why, whysz, "line too long");
		return jv_invalid();
	}
	v = jsonparse(buf, len);
	if (jv_is_valid(v)) {
		if (jv_get_kind(v) == JV_KIND_OBJECT)
			return v;
		snprintf(why, whysz, "not a JSON object");
		jv_free(v);
		return jv_invalid();
	}
	msg = jv_invalid_get_msg(v);
	m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) :
	    "invalid JSON";
	snprintf(why, whysz, "%s", m);
	if ((cut = strstr(why, " (while parsing")) != NULL)
		*cut = '\0';
	jv_free(msg);
	return jv_invalid();
}

void
ndjson_fdopen(struct ndjson *in, FILE *fp, const char *name)
{
	memset(in, 0, sizeof(*in));
	in->next = 1;		/* no file list: fp is all there is */
	in->fp = fp;
	in->name = name;
}

int
ndjson_getline(struct ndjson *in)
{
	ssize_t n;

	for (;;) {
		if (in->fp == NULL && !open_next(in))
			return 0;
		if ((n = getline(&in->line, &in->cap, in->fp)) != -1)
			break;
		close_cur(in);
	}
	in->lineno++;
	if (n > 0 && in->line[n - 1] == '\n')
		in->line[--n] = '\0';
	if (n > 0 && in->line[n - 1] == '\r')
		in->line[--n] = '\0';
	in->len = (size_t)n;
	return 1;
}

int
ndjson_next(struct ndjson *in, jv *v)
{
	*v = jv_invalid();
	if (!ndjson_getline(in))
		return 0;
	if (memchr(in->line, '\0', in->len) != NULL) {
		snprintf(in->why, sizeof(in->why), "NUL byte in line");
		return -1;
	}
	*v = ndjson_parse(in->line, in->len, in->why, sizeof(in->why));
	return jv_is_valid(*v) ? 1 : -1;
}

void
ndjson_close(struct ndjson *in)
{
	close_cur(in);
	free(in->line);
	in->line = NULL;
}

void
ndjson_reject(struct ndjson *in, struct reject *rej, jv rec, const char *why)
{
	diag_rec(in->name, in->lineno, "%s", why);
	reject_write(rej, rec, in->line, in->len, in->name, in->lineno, why);
}

void
ndjson_write(FILE *fp, jv v)
{
	static struct jsondump d;	/* as jv_dump_string, faster */

	d.len = 0;
	jsondump(&d, v);
	fwrite(d.p, 1, d.len, fp);
	putc('\n', fp);
	jv_free(v);
}
