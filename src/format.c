/*
 * format.c - result printing for co-query.
 * Rule: what a machine reads (ndjson, csv, tsv) keeps every byte and tells
 * NULL from the empty string; only the table, for eyes, escapes controls.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <jv.h>

#include "chart.h"
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
	if (strcmp(s, "chart") == 0)
		return FMT_CHART;
	if (strcmp(s, "svg") == 0)
		return FMT_SVG;
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

/*
 * One UTF-8 character at s: its length, its code point in *cp; a byte that
 * starts no valid sequence is one character, U+FFFD.
 */
static int
utf8(const unsigned char *s, unsigned *cp)
{
	int n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 :
	    s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	*cp = n == 0 ? 0 : s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			break;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (n == 0 || i < n) {
		*cp = 0xfffd;
		return 1;
	}
	return n;
}

/*
 * Columns a terminal gives s: wcwidth(3) of each character (CJK and emoji
 * two, combining marks none), in a UTF-8 locale whatever the user's, since
 * the database sends UTF-8; \n, \r and \t show as two, other controls as one.
 */
static int
width(const char *s)
{
	static int once;
	unsigned cp;
	int w = 0, cw;

	if (!once++ && setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		(void)setlocale(LC_CTYPE, "en_US.UTF-8");
	while (*s != '\0') {
		s += utf8((const unsigned char *)s, &cp);
		if (cp == '\n' || cp == '\r' || cp == '\t')
			w += 2;
		else if (cp < 0x20 || cp == 0x7f)
			w++;
		else
			w += (cw = wcwidth((wchar_t)cp)) < 0 ? 1 : cw;
	}
	return w;
}

/*
 * One cell, padded to w (no padding when w is 0; on the left when right),
 * controls made visible.
 */
static void
cell(FILE *fp, const char *s, int w, int right)
{
	int n = width(s);

	if (right && w > n)
		fprintf(fp, "%*s", w - n, "");
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
	if (!right && w > n)
		fprintf(fp, "%*s", w - n, "");
}

static int
numeric(PGresult *r, int col)
{
	switch (PQftype(r, col)) {
	case INT2OID: case INT4OID: case INT8OID: case FLOAT4OID:
	case FLOAT8OID: case NUMERICOID:
		return 1;
	default:
		return 0;
	}
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
		cell(fp, PQfname(r, j), w, 0);
		fputs("  ", fp);
		cell(fp, PQgetvalue(r, 0, j), 0, 0);
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
	/* Numbers right-aligned, their header too, as psql does. */
	for (i = -1; i < nrows; i++)
		for (j = 0; j < ncols; j++) {
			cell(fp, i < 0 ? PQfname(r, j) : PQgetvalue(r, i, j),
			    j + 1 < ncols || numeric(r, j) ? w[j] : 0,
			    numeric(r, j));
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
	case FMT_CHART:
		chart_text(fp, r);
		break;
	case FMT_SVG:
		chart_svg(fp, r);
		break;
	}
}

void
format_result(FILE *fp, enum format f, PGresult *r)
{
	format_rows(fp, f, r, PQntuples(r), PQnfields(r));
}
