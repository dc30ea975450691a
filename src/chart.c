/*
 * chart.c - calls per period by outcome, for eyes: text or SVG.
 */
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "diag.h"

#define NOUT	6
#define BARW	50		/* text: columns of the longest bar */

static const char *const names[NOUT] = { "completed", "no_answer", "busy",
	"failed", "voicemail", "none" };
/* Text: one glyph per outcome, darkest for the answered calls. */
static const char *const glyphs[NOUT] = { "\u2588", "\u2593", "\u2592",
	"\u2591", "\u2573", "\u00b7" };
static const char *const colors[NOUT] = { "#2e7d32", "#f9a825", "#ef6c00",
	"#c62828", "#6a1b9a", "#9e9e9e" };
static const char *const spark[] = { "\u2581", "\u2582", "\u2583", "\u2584",
	"\u2585", "\u2586", "\u2587", "\u2588" };

struct series {
	int	 n;			/* periods */
	long	*v;		/* [i * NOUT + k]: period i, outcome k */
	long	*total;
	long	 max;			/* the largest total */
};

static long
num(PGresult *r, int row, int col)
{
	return col < 0 || PQgetisnull(r, row, col) ? 0 :
	    strtol(PQgetvalue(r, row, col), NULL, 10);
}

static void
load(PGresult *r, struct series *s)
{
	int i, k, col[NOUT], calls;
	long rest;

	s->n = PQntuples(r);
	s->v = calloc((size_t)s->n * NOUT + 1, sizeof(*s->v));
	s->total = calloc((size_t)s->n + 1, sizeof(*s->total));
	if (s->v == NULL || s->total == NULL)
		err(EX_OSERR, "calloc");
	for (k = 0; k < NOUT - 1; k++)
		col[k] = PQfnumber(r, names[k]);
	calls = PQfnumber(r, "calls");
	s->max = 0;
	for (i = 0; i < s->n; i++) {
		s->total[i] = num(r, i, calls);
		rest = s->total[i];
		for (k = 0; k < NOUT - 1; k++)
			rest -= s->v[i * NOUT + k] = num(r, i, col[k]);
		s->v[i * NOUT + NOUT - 1] = rest > 0 ? rest : 0;
		if (s->total[i] > s->max)
			s->max = s->total[i];
	}
}

static void
unload(struct series *s)
{
	free(s->v);
	free(s->total);
}

void
chart_text(FILE *fp, PGresult *r)
{
	struct series s;
	long cum, sum, max;
	int i, k, c, at;

	load(r, &s);
	fprintf(fp, "calls per %s by outcome:", PQfname(r, 0));
	for (k = 0; k < NOUT; k++)
		fprintf(fp, "  %s %s", glyphs[k], names[k]);
	putc('\n', fp);
	for (i = 0; i < s.n; i++) {
		fprintf(fp, "%-10s \u2502", PQgetvalue(r, i, 0));
		/* Cumulative rounding: the bar's length stays the total's. */
		for (k = 0, cum = 0, at = 0; k < NOUT; k++) {
			cum += s.v[i * NOUT + k];
			c = s.max ? (int)((cum * BARW + s.max / 2) / s.max) : 0;
			for (; at < c; at++)
				fputs(glyphs[k], fp);
		}
		fprintf(fp, "%*s %ld\n", BARW - at, "", s.total[i]);
	}
	putc('\n', fp);
	for (k = 0; k < NOUT; k++) {
		for (i = 0, max = 0, sum = 0; i < s.n; i++) {
			sum += s.v[i * NOUT + k];
			if (s.v[i * NOUT + k] > max)
				max = s.v[i * NOUT + k];
		}
		fprintf(fp, "%-10s  ", names[k]);
		for (i = 0; i < s.n; i++)
			fputs(s.v[i * NOUT + k] == 0 ? " " :
			    spark[(s.v[i * NOUT + k] * 7 + max - 1) / max], fp);
		fprintf(fp, "  %ld\n", sum);
	}
	unload(&s);
}

/* Text for XML: the periods are ours, but never trust a string. */
static void
xml(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: putc(*s, fp);
		}
}

#define LEFT	48
#define TOP	40
#define PLOTH	200
#define PLOTW	640

void
chart_svg(FILE *fp, PGresult *r)
{
	struct series s;
	int i, k, bw, x, y, h, every, width;
	long cum;

	load(r, &s);
	bw = s.n > 0 ? PLOTW / s.n : PLOTW;
	bw = bw > 40 ? 40 : bw < 3 ? 3 : bw;
	width = LEFT + s.n * bw + 24;
	width = width < LEFT + NOUT * 90 ? LEFT + NOUT * 90 : width;
	every = 1 + 72 / bw;	/* a label every 72 pixels at most */
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"11\">\n", width, TOP + PLOTH + 40, width,
	    TOP + PLOTH + 40);
	fprintf(fp, "<title>calls per %s by outcome</title>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
	    PQfname(r, 0));
	for (k = 0; k < NOUT; k++)
		fprintf(fp, "<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/><text x=\"%d\" y=\"17\">%s</text>\n",
		    LEFT + k * 90, colors[k], LEFT + k * 90 + 14, names[k]);
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%ld</text>\n"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n"
	    "<path d=\"M%d %dV%dH%d\" stroke=\"#444444\" fill=\"none\"/>\n",
	    LEFT - 4, TOP + 8, s.max, LEFT - 4, TOP + PLOTH, LEFT, TOP,
	    TOP + PLOTH, LEFT + s.n * bw);
	for (i = 0; i < s.n; i++) {
		x = LEFT + i * bw + 1;
		fprintf(fp, "<g><title>");
		xml(fp, PQgetvalue(r, i, 0));
		fprintf(fp, ": %ld calls</title>\n", s.total[i]);
		for (k = 0, cum = 0; k < NOUT; k++) {
			if (s.v[i * NOUT + k] == 0 || s.max == 0)
				continue;
			y = TOP + PLOTH - (int)((cum + s.v[i * NOUT + k]) *
			    PLOTH / s.max);
			h = TOP + PLOTH - (int)(cum * PLOTH / s.max) - y;
			cum += s.v[i * NOUT + k];
			fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" fill=\"%s\"/>\n", x, y,
			    bw > 2 ? bw - 2 : 1, h, colors[k]);
		}
		fputs("</g>\n", fp);
		if (i % every == 0) {
			fprintf(fp, "<text x=\"%d\" y=\"%d\">", x,
			    TOP + PLOTH + 16);
			xml(fp, PQgetvalue(r, i, 0));
			fputs("</text>\n", fp);
		}
	}
	fputs("</svg>\n", fp);
	unload(&s);
}
