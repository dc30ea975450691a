/*
 * format.c - result printing for co-query.
 * Rule: what a machine reads (ndjson, csv, tsv) keeps every byte and tells
 * NULL from the empty string; only the table, for eyes, escapes controls.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "diag.h"
#include "format.h"
#include "ndjson.h"

/* pg_type OIDs that need no catalog lookup. */
#define BOOLOID		16
#define INT8OID		20
#define INT2OID		21
#define INT4OID		23
#define JSONOID		114
#define FLOAT4OID	700
#define FLOAT8OID	701
#define NUMERICOID	1700
#define JSONBOID	3802

int
format_parse(const char *s)
{
	if (s == NULL)
		return isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_NDJSON;
	if (strcmp(s, "ndjson") == 0 || strcmp(s, "json") == 0)
		return FMT_NDJSON;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	if (strcmp(s, "tsv") == 0)
		return FMT_TSV;
	if (strcmp(s, "table") == 0)
		return FMT_TABLE;
	return -1;
}

static jv
value(PGresult *r, int row, int col)
{
	const char *s = PQgetvalue(r, row, col);
	jv v;

	if (PQgetisnull(r, row, col))
		return jv_null();
	switch (PQftype(r, col)) {
	case BOOLOID:
		return jv_bool(s[0] == 't');
	case INT2OID: case INT4OID: case INT8OID: case FLOAT4OID:
	case FLOAT8OID: case NUMERICOID:
		return jv_number(strtod(s, NULL));
	case JSONOID: case JSONBOID:
		v = jv_parse(s);
		return jv_is_valid(v) ? v : (jv_free(v), jv_string(s));
	default:
		return jv_string(s);
	}
}

static void
ndjson(FILE *fp, PGresult *r, int nrows, int ncols)
{
	int i, j;
	jv o;

	for (i = 0; i < nrows; i++) {
		o = jv_object();
		for (j = 0; j < ncols; j++)
			o = jv_object_set(o, jv_string(PQfname(r, j)),
			    value(r, i, j));
		ndjson_write(fp, o);
	}
}

/* RFC 4180; as PostgreSQL's CSV, NULL is empty and "" the empty string. */
static void
csv_field(FILE *fp, const char *s, int null)
{
	if (null)
		return;
	if (*s != '\0' && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/* TSV as PostgreSQL's text COPY writes it: escapes, \N for NULL. */
static void
tsv_field(FILE *fp, const char *s, int null)
{
	if (null) {
		fputs("\\N", fp);
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\\': fputs("\\\\", fp); break;
		default: putc(*s, fp);
		}
	}
}

static void
field(FILE *fp, int csv, const char *s, int null)
{
	if (csv)
		csv_field(fp, s, null);
	else
		tsv_field(fp, s, null);
}

static void
delimited(FILE *fp, PGresult *r, int nrows, int ncols, int csv)
{
	int i, j;

	for (j = 0; j < ncols; j++) {
		if (j)
			putc(csv ? ',' : '\t', fp);
		field(fp, csv, PQfname(r, j), 0);
	}
	fputs(csv ? "\r\n" : "\n", fp);
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < ncols; j++) {
			if (j)
				putc(csv ? ',' : '\t', fp);
			field(fp, csv, PQgetvalue(r, i, j),
			    PQgetisnull(r, i, j));
		}
		fputs(csv ? "\r\n" : "\n", fp);
	}
}

/* Width on a terminal: UTF-8 characters; \n, \r and \t show as two. */
static int
width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			w += 2;
		else if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/* One cell, padded to w (no padding when w is 0), controls made visible. */
static void
cell(FILE *fp, const char *s, int w)
{
	int n = width(s);

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\r')
			fputs("\\r", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			putc('?', fp);
		else
			putc(*s, fp);
	}
	if (w > n)
		fprintf(fp, "%*s", w - n, "");
}

/* One row: "name  value" lines, as psql's expanded display. */
static void
vertical(FILE *fp, PGresult *r, int ncols)
{
	int j, w = 0, n;

	for (j = 0; j < ncols; j++)
		if ((n = width(PQfname(r, j))) > w)
			w = n;
	for (j = 0; j < ncols; j++) {
		cell(fp, PQfname(r, j), w);
		fputs("  ", fp);
		cell(fp, PQgetvalue(r, 0, j), 0);
		putc('\n', fp);
	}
}

static void
table(FILE *fp, PGresult *r, int nrows, int ncols)
{
	int i, j, n, *w;

	if (nrows == 1) {
		vertical(fp, r, ncols);
		return;
	}
	if ((w = calloc((size_t)ncols + 1, sizeof(*w))) == NULL)
		err(EX_OSERR, "calloc");
	for (j = 0; j < ncols; j++) {
		w[j] = width(PQfname(r, j));
		for (i = 0; i < nrows; i++)
			if ((n = width(PQgetvalue(r, i, j))) > w[j])
				w[j] = n;
	}
	for (i = -1; i < nrows; i++)
		for (j = 0; j < ncols; j++) {
			cell(fp, i < 0 ? PQfname(r, j) : PQgetvalue(r, i, j),
			    j + 1 < ncols ? w[j] : 0);
			fputs(j + 1 < ncols ? "  " : "\n", fp);
		}
	free(w);
}

void
format_rows(FILE *fp, enum format f, PGresult *r, int nrows, int ncols)
{
	switch (f) {
	case FMT_NDJSON:
		ndjson(fp, r, nrows, ncols);
		break;
	case FMT_CSV:
	case FMT_TSV:
		delimited(fp, r, nrows, ncols, f == FMT_CSV);
		break;
	case FMT_TABLE:
		table(fp, r, nrows, ncols);
		break;
	}
}

void
format_result(FILE *fp, enum format f, PGresult *r)
{
	format_rows(fp, f, r, PQntuples(r), PQnfields(r));
}
