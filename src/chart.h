/*
 * chart.h - co-query stats as pictures: a terminal bar chart with
 * sparklines, or a standalone SVG, of calls per period by outcome.
 * Rule: the result's first column is the period (day or week) and the
 * others are found by name (calls, completed, no_answer, busy, failed,
 * voicemail); calls without an outcome are the rest, "none".
 */
#ifndef CO_CHART_H
#define CO_CHART_H

#include <stdio.h>

#include <libpq-fe.h>

/* A stacked bar per period, a legend, a sparkline and total per outcome. */
void	chart_text(FILE *, PGresult *);
/* The same series as a small standalone SVG document. */
void	chart_svg(FILE *, PGresult *);

#endif
