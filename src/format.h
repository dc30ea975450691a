/*
 * format.h - print query results as NDJSON, CSV (RFC 4180), TSV or an
 * aligned table.  Rule: values are typed from the column's type, so NDJSON
 * numbers stay numbers and json columns stay objects.
 */
#ifndef CO_FORMAT_H
#define CO_FORMAT_H

#include <stdio.h>

#include <libpq-fe.h>

enum format { FMT_NDJSON, FMT_CSV, FMT_TSV, FMT_TABLE, FMT_CHART, FMT_SVG };

/* Parse -o NAME; -1 when unknown.  NULL: table on a tty, else ndjson. */
int	format_parse(const char *);

/*
 * Print every row of r; header line for csv, tsv and table.  chart and svg
 * draw co-query stats by period (see chart.h).
 */
void	format_result(FILE *, enum format, PGresult *);

/* The same for the first nrows rows and ncols columns only. */
void	format_rows(FILE *, enum format, PGresult *, int, int);

#endif
