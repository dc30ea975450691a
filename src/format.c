/*
 * format.c - result printing for co-query.
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
ndjson(FILE *fp, PGresult *r)
{
	int i, j;
	jv o;

	for (i = 0; i < PQntuples(r); i++) {
		o = jv_object();
		for (j = 0; j < PQnfields(r); j++)
			o = jv_object_set(o, jv_string(PQfname(r, j)),
			    value(r, i, j));
		ndjson_write(fp, o);
	}
}

static void
csv_field(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
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
delimited(FILE *fp, PGresult *r, int csv)
{
	int i, j, n = PQnfields(r);

	for (j = 0; j < n; j++) {
		if (j)
			putc(csv ? ',' : '\t', fp);
		csv ? csv_field(fp, PQfname(r, j)) :
		    tsv_field(fp, PQfname(r, j), 0);
	}
	fputs(csv ? "\r\n" : "\n", fp);
	for (i = 0; i < PQntuples(r); i++) {
		for (j = 0; j < n; j++) {
			if (j)
				putc(csv ? ',' : '\t', fp);
			if (csv)
				csv_field(fp, PQgetvalue(r, i, j));
			else
				tsv_field(fp, PQgetvalue(r, i, j),
				    PQgetisnull(r, i, j));
		}
		fputs(csv ? "\r\n" : "\n", fp);
	}
}

/* One row: "name  value" lines, as psql's expanded display. */
static void
vertical(FILE *fp, PGresult *r)
{
	int j, w = 0, n;

	for (j = 0; j < PQnfields(r); j++)
		if ((n = (int)strlen(PQfname(r, j))) > w)
			w = n;
	for (j = 0; j < PQnfields(r); j++)
		fprintf(fp, "%-*s  %s\n", w, PQfname(r, j),
		    PQgetisnull(r, 0, j) ? "" : PQgetvalue(r, 0, j));
}

static void
table(FILE *fp, PGresult *r)
{
	int i, j, n = PQnfields(r), *w;

	if (PQntuples(r) == 1) {
		vertical(fp, r);
		return;
	}
	if ((w = calloc((size_t)n + 1, sizeof(*w))) == NULL)
		err(EX_OSERR, "calloc");
	for (j = 0; j < n; j++) {
		w[j] = (int)strlen(PQfname(r, j));
		for (i = 0; i < PQntuples(r); i++)
			if (PQgetlength(r, i, j) > w[j])
				w[j] = PQgetlength(r, i, j);
	}
	for (j = 0; j < n; j++)
		fprintf(fp, "%-*s%s", j + 1 < n ? w[j] : 0, PQfname(r, j),
		    j + 1 < n ? "  " : "\n");
	for (i = 0; i < PQntuples(r); i++)
		for (j = 0; j < n; j++)
			fprintf(fp, "%-*s%s", j + 1 < n ? w[j] : 0,
			    PQgetvalue(r, i, j), j + 1 < n ? "  " : "\n");
	free(w);
}

void
format_result(FILE *fp, enum format f, PGresult *r)
{
	switch (f) {
	case FMT_NDJSON:
		ndjson(fp, r);
		break;
	case FMT_CSV:
	case FMT_TSV:
		delimited(fp, r, f == FMT_CSV);
		break;
	case FMT_TABLE:
		table(fp, r);
		break;
	}
}
